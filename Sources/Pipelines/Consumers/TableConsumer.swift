public import Foundation

/// A table-to-table consumer declared in a pipeline's deployment step: its input CSV is
/// predicted into its output CSV by ``Pipeline/runTableConsumers(progress:)`` (`mlpipe
/// predict --pipeline NAME` without `--input`).
///
/// ```swift
/// try await pipeline.configure { config in
///     config.deployment.consumers = [.table(TableConsumer(input: "incoming/patients.csv", output: "predicted/patients.csv",
///                                                        options: BatchOptions(columnMapping: ["radius": "mean_radius"])))]
/// }
/// ```
public struct TableConsumer: Sendable, Hashable, Codable {
    /// The CSV predicted (relative paths from the workspace's base directory).
    public var input: String
    /// The CSV written (replaced only when a batch completes).
    public var output: String
    /// Where rows that cannot be predicted go (default: the output's name with `.rejects.csv`).
    public var rejects: String?
    /// Keys, column mapping, pass-through, chunk size, bad-row policy. Empty keys: the
    /// pipeline's dataset keys.
    public var options: BatchOptions

    /// A table consumer.
    ///
    /// - Parameters:
    ///   - input: The CSV to predict.
    ///   - output: The CSV to write.
    ///   - rejects: The rejects CSV (nil: beside the output).
    ///   - options: How input columns map onto the model, what is copied, chunk size, bad rows.
    public init(input: String, output: String, rejects: String? = nil, options: BatchOptions = BatchOptions()) {
        self.input = input
        self.output = output
        self.rejects = rejects
        self.options = options
    }

    private enum CodingKeys: String, CodingKey { case input, output, rejects }

    /// Decodes `{"input", "output", "rejects"?, …}` with the options' keys beside them
    /// (the spec file's form).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        input = try container.decode(String.self, forKey: .input)
        output = try container.decode(String.self, forKey: .output)
        rejects = try container.decodeIfPresent(String.self, forKey: .rejects)
        options = try BatchOptions(from: decoder)
    }

    /// Encodes the paths and the options' keys in one object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(input, forKey: .input)
        try container.encode(output, forKey: .output)
        try container.encodeIfPresent(rejects, forKey: .rejects)
        try options.encode(to: encoder)
    }

    /// The rejects path: ``rejects``, or the output's with `.rejects.csv`.
    public var rejectsPath: String {
        if let rejects { return rejects }
        return output.hasSuffix(".csv") ? String(output.dropLast(4)) + ".rejects.csv" : output + ".rejects.csv"
    }

    /// Its files, relative paths resolved against `base` (a workspace's base directory).
    public func urls(relativeTo base: URL) -> (input: URL, output: URL, rejects: URL) {
        func url(_ path: String) -> URL { path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path) }
        return (url(input), url(output), url(rejectsPath))
    }

    /// What is wrong with it, as (key, reason) pairs under its consumer's path.
    func problems() -> [(key: String, reason: String)] {
        var problems: [(key: String, reason: String)] = []
        if input.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("input", "must not be empty")) }
        if output.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("output", "must not be empty")) }
        if !input.isEmpty && input == output { problems.append(("output", "must not be the input")) }
        if rejectsPath == input || rejectsPath == output { problems.append(("rejects", "must not be the input or the output")) }
        return problems + options.problems()
    }
}
