public import Foundation

/// A folder consumer declared in a pipeline's deployment step: CSV files dropped into its
/// input folder are predicted, each into a CSV of the same name in its output folder, by a
/// ``FolderWatcher`` (`mlpipe watch`, `mlpipe serve --watch-folders`).
///
/// Once a file is predicted, it moves to the processed folder; a file that cannot be
/// predicted moves to the failed folder beside `NAME.error.txt`. A ledger in the store
/// makes each file predicted once, across restarts.
///
/// ```swift
/// try await pipeline.configure { config in
///     config.deployment.consumers = [.folder(FolderConsumer(input: "inbox", output: "outbox",
///                                                           options: BatchOptions(keys: ["patient_id"])))]
/// }
/// ```
public struct FolderConsumer: Sendable, Hashable, Codable {
    /// The folder watched (relative paths from the workspace's base directory).
    public var input: String
    /// Where each file's predictions go, under the file's name.
    public var output: String
    /// Where each file's rejected rows go, under the file's name (default: `rejects` inside
    /// the output folder). Written for every file: a header alone says no row was rejected.
    public var rejects: String?
    /// Where predicted inputs are moved (default: `processed` inside the input folder).
    public var processed: String?
    /// Where inputs that cannot be predicted are moved, each with `NAME.error.txt`
    /// (default: `failed` inside the input folder).
    public var failed: String?
    /// How long a file must stay unmodified before it is read, so that a file still being
    /// written is not (seconds; default 2).
    public var settleSeconds: Double
    /// How often the folder is listed (seconds; default 1).
    public var pollSeconds: Double
    /// Keys, column mapping, pass-through, chunk size, bad-row policy, as for a table
    /// consumer. Empty keys: the pipeline's dataset keys.
    public var options: BatchOptions

    /// A folder consumer.
    ///
    /// - Parameters:
    ///   - input: The folder watched.
    ///   - output: The folder predictions are written to.
    ///   - rejects: The folder rejected rows are written to (nil: `OUTPUT/rejects`).
    ///   - processed: Where predicted inputs go (nil: `INPUT/processed`).
    ///   - failed: Where inputs that cannot be predicted go (nil: `INPUT/failed`).
    ///   - settleSeconds: How long a file must be left alone before it is read.
    ///   - pollSeconds: How often the folder is listed.
    ///   - options: How input columns map onto the model, what is copied, chunk size, bad rows.
    public init(
        input: String, output: String, rejects: String? = nil, processed: String? = nil, failed: String? = nil, settleSeconds: Double = 2,
        pollSeconds: Double = 1, options: BatchOptions = BatchOptions()
    ) {
        self.input = input
        self.output = output
        self.rejects = rejects
        self.processed = processed
        self.failed = failed
        self.settleSeconds = settleSeconds
        self.pollSeconds = pollSeconds
        self.options = options
    }

    private enum CodingKeys: String, CodingKey { case input, output, rejects, processed, failed, settleSeconds, pollSeconds }

    /// Decodes `{"input", "output", "rejects"?, "processed"?, "failed"?, "settleSeconds"?, "pollSeconds"?, …}`
    /// with the options' keys beside them (the spec file's form).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        input = try container.decode(String.self, forKey: .input)
        output = try container.decode(String.self, forKey: .output)
        rejects = try container.decodeIfPresent(String.self, forKey: .rejects)
        processed = try container.decodeIfPresent(String.self, forKey: .processed)
        failed = try container.decodeIfPresent(String.self, forKey: .failed)
        settleSeconds = try container.decodeIfPresent(Double.self, forKey: .settleSeconds) ?? 2
        pollSeconds = try container.decodeIfPresent(Double.self, forKey: .pollSeconds) ?? 1
        options = try BatchOptions(from: decoder)
    }

    /// Encodes the folders, the timings and the options' keys in one object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(input, forKey: .input)
        try container.encode(output, forKey: .output)
        try container.encodeIfPresent(rejects, forKey: .rejects)
        try container.encodeIfPresent(processed, forKey: .processed)
        try container.encodeIfPresent(failed, forKey: .failed)
        try container.encode(settleSeconds, forKey: .settleSeconds)
        try container.encode(pollSeconds, forKey: .pollSeconds)
        try options.encode(to: encoder)
    }

    /// Its folders as absolute, standardized URLs, relative paths resolved against `base`
    /// (a workspace's base directory).
    public func folders(relativeTo base: URL) -> FolderConsumerFolders {
        func url(_ path: String, in base: URL) -> URL {
            (path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path)).standardizedFileURL
        }
        let input = url(input, in: base), output = url(output, in: base)
        return FolderConsumerFolders(
            input: input, output: output, rejects: url(rejects ?? "rejects", in: rejects == nil ? output : base), processed: url(processed ?? "processed", in: processed == nil ? input : base),
            failed: url(failed ?? "failed", in: failed == nil ? input : base))
    }

    /// What is wrong with it, as (key, reason) pairs under its consumer's path.
    func problems() -> [(key: String, reason: String)] {
        var problems: [(key: String, reason: String)] = []
        if input.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("input", "must not be empty")) }
        if output.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("output", "must not be empty")) }
        if !(settleSeconds >= 0 && settleSeconds.isFinite) {
            problems.append(("settleSeconds", "must be zero or a positive number of seconds, got \(settleSeconds)"))
        }
        if !(pollSeconds > 0 && pollSeconds.isFinite) {
            problems.append(("pollSeconds", "must be a positive number of seconds, got \(pollSeconds)"))
        }
        if problems.isEmpty {
            // Compared as resolved against one base: the same folder twice is the same path.
            let folders = folders(relativeTo: URL(fileURLWithPath: "/"))
            let named: [(String, URL)] = [("output", folders.output), ("rejects", folders.rejects), ("processed", folders.processed),
                                          ("failed", folders.failed)]
            for (index, (key, url)) in named.enumerated() {
                if url.path == folders.input.path { problems.append((key, "must not be the input folder")) }
                if let earlier = named[..<index].first(where: { $0.1.path == url.path }) {
                    problems.append((key, "must not be the \(earlier.0) folder"))
                }
            }
        }
        return problems + options.problems()
    }
}

/// A folder consumer's folders, resolved.
public struct FolderConsumerFolders: Sendable, Hashable {
    /// The folder watched.
    public var input: URL
    /// Where predictions go.
    public var output: URL
    /// Where rejected rows go.
    public var rejects: URL
    /// Where predicted inputs go.
    public var processed: URL
    /// Where inputs that cannot be predicted go.
    public var failed: URL

    /// The input folder as the store's ledger names it (``FolderFileRecord/folder``): its
    /// path with symbolic links resolved.
    public var ledgerFolder: String { input.resolvingSymlinksInPath().path }
}
