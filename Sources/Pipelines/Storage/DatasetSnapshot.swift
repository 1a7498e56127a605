public import Foundation
public import Tabular

/// A pipeline's ML datasets as stored after a successful dataset generation run: three
/// parts a store keeps apart (``Tabular/DatasetParts``), so that a job reads only what it
/// needs — testing reads the testing rows, never the training set.
///
/// Stores treat the parts as opaque bytes, kept in chunks (``Tabular/ChunkedBytes``), so
/// that saving or reading a large dataset never needs one buffer of a whole part: a
/// snapshot made from datasets comes in chunks of 1 MiB, and a store writes and reads
/// them chunk by chunk. A snapshot read with
/// ``DatasetStore/datasets(of:rows:)`` carries the ledger and the row parts asked for; the
/// others are nil. A snapshot saved carries all three.
public struct DatasetSnapshot: Sendable, Hashable, Codable {
    /// The pipeline.
    public var pipelineID: PipelineID
    /// Counts successful generation runs of this pipeline, from 1 (also after a reset, so
    /// a model's lineage names one snapshot unambiguously).
    public var generation: Int
    /// The ledger part: schema, counts, validation rows and row identities ("MLDL"
    /// encoding, documented in Datasets.md).
    public var ledger: ChunkedBytes
    /// The training rows ("MLTB" encoding); nil when not read.
    public var training: ChunkedBytes?
    /// The testing rows ("MLTB" encoding); nil when not read.
    public var testing: ChunkedBytes?
    /// When the run finished.
    public var savedAt: Date

    /// A snapshot from its parts.
    public init(
        pipelineID: PipelineID, generation: Int, ledger: ChunkedBytes, training: ChunkedBytes?, testing: ChunkedBytes?, savedAt: Date
    ) {
        self.pipelineID = pipelineID
        self.generation = generation
        self.ledger = ledger
        self.training = training
        self.testing = testing
        self.savedAt = savedAt
    }

    /// A snapshot from its parts, each given as one `Data` (split into chunks; for small
    /// parts, such as tests write).
    public init(pipelineID: PipelineID, generation: Int, ledger: Data, training: Data?, testing: Data?, savedAt: Date) {
        self.init(pipelineID: pipelineID, generation: generation, ledger: ChunkedBytes(ledger), training: training.map { ChunkedBytes($0) },
                  testing: testing.map { ChunkedBytes($0) }, savedAt: savedAt)
    }

    /// The snapshot of `datasets`, encoded in parts.
    ///
    /// - Complexity: O(size of the datasets); each part is written once, straight into its
    ///   chunks of 1 MiB (no buffer of a whole part, see ``Tabular/DatasetPartsEncoder``).
    public init(pipelineID: PipelineID, generation: Int, datasets: MLDatasets, savedAt: Date) {
        let parts = DatasetPartsEncoder(datasets).encodedChunks()
        self.init(pipelineID: pipelineID, generation: generation, ledger: parts.ledger, training: parts.training, testing: parts.testing,
                  savedAt: savedAt)
    }

    /// Whether it carries all three parts (what a store saves).
    public var isComplete: Bool { training != nil && testing != nil }

    /// The datasets, decoded from all three parts.
    ///
    /// ```swift
    /// let datasets = try await store.datasets(of: pipeline.id)?.decodedDatasets()
    /// datasets?.testing.rowCount
    /// ```
    ///
    /// - Throws: ``Tabular/TabularError/corruptEncoding(_:)`` for a corrupt part, or a
    ///   snapshot read without its rows.
    /// - Complexity: O(size of the parts).
    public func decodedDatasets() throws(TabularError) -> MLDatasets {
        guard let training, let testing else { throw .corruptEncoding("the snapshot was read without its training or testing rows") }
        return try MLDatasets(
            ledger: try DatasetLedger(binaryEncoded: ledger, identities: true), training: try Table(binaryEncoded: training),
            testing: try Table(binaryEncoded: testing))
    }
}

/// Which row parts of a dataset snapshot to read (the ledger always comes).
public struct DatasetRows: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The training rows.
    public static let training = DatasetRows(rawValue: 1)
    /// The testing rows.
    public static let testing = DatasetRows(rawValue: 2)
    /// Both.
    public static let all: DatasetRows = [.training, .testing]
}
