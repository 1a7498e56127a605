import Foundation

/// What a batch does with a row it cannot predict.
public enum BadRowPolicy: String, Sendable, Hashable, Codable {
    /// Write it to the rejects output with its location and reason; go on with the rest.
    case reject
    /// Stop the batch at the first one; nothing is written.
    case fail
}

/// How a table-to-table batch maps its input onto the model and what it passes through.
///
/// ```swift
/// var options = BatchOptions(keys: ["patient_id"])
/// options.columnMapping = ["radius": "mean_radius"]   // input column → the model's feature
/// options.passThrough = ["ward"]
/// ```
public struct BatchOptions: Sendable, Hashable, Codable {
    /// Input columns copied to the output first, unchanged (they identify the rows).
    public var keys: [String]
    /// Input column → the model's feature it holds, for inputs whose names differ; any
    /// feature not mapped is read from the column of its own name.
    public var columnMapping: [String: String]
    /// More input columns copied to the output, after the keys.
    public var passThrough: [String]
    /// Rows read and predicted at a time (memory grows with it, not with the input).
    public var chunkRows: Int
    /// What a row that cannot be predicted does.
    public var badRows: BadRowPolicy

    /// Options of a batch.
    ///
    /// - Parameters:
    ///   - keys: Columns copied first.
    ///   - columnMapping: Input column → feature.
    ///   - passThrough: Columns copied after the keys.
    ///   - chunkRows: Rows per chunk (default 65,536).
    ///   - badRows: ``BadRowPolicy/reject`` (default) or ``BadRowPolicy/fail``.
    public init(keys: [String] = [], columnMapping: [String: String] = [:], passThrough: [String] = [],
                chunkRows: Int = 65_536, badRows: BadRowPolicy = .reject) {
        self.keys = keys
        self.columnMapping = columnMapping
        self.passThrough = passThrough
        self.chunkRows = chunkRows
        self.badRows = badRows
    }

    private enum CodingKeys: String, CodingKey { case keys, columnMapping, passThrough, chunkRows, badRows }

    /// Decodes the options, each key optional (its default when absent).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = BatchOptions()
        keys = try container.decodeIfPresent([String].self, forKey: .keys) ?? defaults.keys
        columnMapping = try container.decodeIfPresent([String: String].self, forKey: .columnMapping) ?? defaults.columnMapping
        passThrough = try container.decodeIfPresent([String].self, forKey: .passThrough) ?? defaults.passThrough
        chunkRows = try container.decodeIfPresent(Int.self, forKey: .chunkRows) ?? defaults.chunkRows
        badRows = try container.decodeIfPresent(BadRowPolicy.self, forKey: .badRows) ?? defaults.badRows
    }
}

extension BatchOptions {
    /// What is wrong with the options, as (key, reason) pairs (the consumers' rule).
    func problems() -> [(key: String, reason: String)] {
        var problems: [(key: String, reason: String)] = []
        if chunkRows < 1 { problems.append(("chunkRows", "must be at least 1, got \(chunkRows)")) }
        let copied = keys + passThrough
        if let repeated = copied.first(where: { name in copied.filter { $0 == name }.count > 1 }) {
            problems.append(("passThrough", "column '\(repeated)' is listed twice in keys and passThrough"))
        }
        var features: [String: String] = [:]
        for (input, feature) in columnMapping.sorted(by: { $0.key < $1.key }) {
            if let other = features[feature] {
                problems.append(("columnMapping", "both '\(other)' and '\(input)' are mapped to feature '\(feature)'"))
            }
            features[feature] = input
        }
        return problems
    }
}

/// What a batch did: rows in, predicted and rejected, and the one model that predicted them.
public struct BatchSummary: Sendable, Hashable, Codable {
    /// Rows read from the input.
    public var rowsRead: Int
    /// Rows predicted and written to the output.
    public var rowsPredicted: Int
    /// Rows written to the rejects output instead.
    public var rowsRejected: Int
    /// The model that predicted every row of the batch (a deploy during the batch does not
    /// change it).
    public var model: ModelID
    /// That model's version in its pipeline or line.
    public var modelVersion: Int
    /// Wall-clock seconds from the first read to the output's commit.
    public var seconds: Double

    /// Rows read per second.
    public var rowsPerSecond: Double { seconds > 0 ? Double(rowsRead) / seconds : 0 }
}

/// Progress of a batch, reported after each chunk.
public struct BatchProgress: Sendable, Hashable {
    /// Rows read so far.
    public var rowsDone: Int
    /// Rows read per second so far.
    public var rowsPerSecond: Double
    /// How much of the input was read (0…1), when the source knows.
    public var fractionDone: Double?
}
