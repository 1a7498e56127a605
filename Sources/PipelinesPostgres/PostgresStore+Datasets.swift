import Foundation
import Logging
public import Pipelines
import PostgresNIO
import Tabular

// MARK: - DatasetStore

extension PostgresStore {
    /// The parts of a snapshot as the table numbers them.
    private enum Part: Int16, CaseIterable {
        case ledger = 0, training = 1, testing = 2
    }

    /// Replaces the pipeline's snapshot if the stored generation is `previous` (a
    /// compare-and-swap in one `SERIALIZABLE` transaction); each part is written in chunks of
    /// 1 MiB, so no statement (and no buffer) carries a whole part.
    ///
    /// ```swift
    /// try await store.saveDatasets(snapshot, replacing: read?.generation)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/incompleteDatasets(pipeline:)`` without its row parts,
    ///   ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown pipeline,
    ///   ``Pipelines/StoreError/datasetConflict(pipeline:expected:found:)`` (nothing written),
    ///   ``Pipelines/StoreError/backend(_:)``.
    public func saveDatasets(_ snapshot: DatasetSnapshot, replacing previous: Int?) async throws {
        guard let training = snapshot.training, let testing = snapshot.testing else {
            throw StoreError.incompleteDatasets(pipeline: snapshot.pipelineID)
        }
        let pipeline = snapshot.pipelineID.rawValue
        try await write("saving the datasets of pipeline \(snapshot.pipelineID)") { connection in
            try await Self.requirePipeline(connection, snapshot.pipelineID, logger)
            let stored = try await connection.value(Int.self, "SELECT generation FROM dataset_snapshots WHERE pipeline_id = \(pipeline) FOR UPDATE", logger)
            guard stored == previous else {
                throw StoreError.datasetConflict(pipeline: snapshot.pipelineID, expected: previous, found: stored)
            }
            try await connection.run("DELETE FROM dataset_snapshots WHERE pipeline_id = \(pipeline)", logger)  // its chunks by cascade
            try await connection.run(
                """
                INSERT INTO dataset_snapshots (pipeline_id, generation, saved_at, ledger_size, training_size, testing_size)
                VALUES (\(pipeline), \(snapshot.generation), \(snapshot.savedAt.stored), \(Int64(snapshot.ledger.count)),
                        \(Int64(training.count)), \(Int64(testing.count)))
                """, logger)
            for (part, bytes) in [(Part.ledger, snapshot.ledger), (.training, training), (.testing, testing)] {
                for (sequence, range) in Chunks.ranges(bytes.count).enumerated() {
                    let chunk = bytes.subdata(in: range)
                    try await connection.run(
                        "INSERT INTO dataset_chunks (pipeline_id, part, sequence, bytes) VALUES (\(pipeline), \(part.rawValue), \(sequence), \(chunk))",
                        logger)
                }
            }
        }
    }

    /// The pipeline's snapshot with its ledger and the row parts in `rows`, read on one
    /// consistent snapshot of the database; each part comes back in its stored chunks of
    /// 1 MiB (never assembled into one buffer).
    ///
    /// ```swift
    /// let snapshot = try await store.datasets(of: id, rows: .training)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)``, also when a part's chunks do not add
    ///   up to its recorded size.
    public func datasets(of pipeline: PipelineID, rows: DatasetRows) async throws -> DatasetSnapshot? {
        try await read("reading the datasets of pipeline \(pipeline)") { connection in
            let header = try await connection.query(
                """
                SELECT generation, saved_at, ledger_size, training_size, testing_size FROM dataset_snapshots
                WHERE pipeline_id = \(pipeline.rawValue)
                """, logger: logger)
            var found: (generation: Int, savedAt: Double, sizes: [Int64])?
            for try await (generation, savedAt, ledger, training, testing) in header.decode((Int, Double, Int64, Int64, Int64).self) {
                found = (generation, savedAt, [ledger, training, testing])
            }
            guard let found else { return nil }
            func load(_ part: Part) async throws -> ChunkedBytes {
                try await Self.readChunkedBytes(
                    connection,
                    "SELECT bytes FROM dataset_chunks WHERE pipeline_id = \(pipeline.rawValue) AND part = \(part.rawValue) ORDER BY sequence",
                    size: Int(found.sizes[Int(part.rawValue)]), what: "the \(part) part of the datasets of pipeline \(pipeline)", logger)
            }
            return DatasetSnapshot(
                pipelineID: pipeline, generation: found.generation, ledger: try await load(.ledger),
                training: rows.contains(.training) ? try await load(.training) : nil,
                testing: rows.contains(.testing) ? try await load(.testing) : nil, savedAt: Date(stored: found.savedAt))
        }
    }
}
