import Foundation
import GRDB
import GRDBSQLite
public import Pipelines
import Tabular

// MARK: - DatasetStore

extension SQLiteStore {
    /// Replaces the pipeline's dataset snapshot, all three parts, in one transaction that
    /// first checks the stored generation is `previous` (a compare-and-swap).
    ///
    /// ```swift
    /// let stored = try await store.datasets(of: id, rows: [])
    /// try await store.saveDatasets(DatasetSnapshot(pipelineID: id, generation: (stored?.generation ?? 0) + 1,
    ///                                              datasets: datasets, savedAt: .now),
    ///                              replacing: stored?.generation)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown pipeline,
    ///   ``Pipelines/StoreError/datasetConflict(pipeline:expected:found:)`` when the stored
    ///   generation is not `previous`, ``Pipelines/StoreError/incompleteDatasets(pipeline:)``
    ///   for a snapshot without its row parts, ``Pipelines/StoreError/backend(_:)`` when the
    ///   file fails.
    public func saveDatasets(_ snapshot: DatasetSnapshot, replacing previous: Int?) async throws {
        guard let training = snapshot.training, let testing = snapshot.testing else {
            throw StoreError.incompleteDatasets(pipeline: snapshot.pipelineID)
        }
        // Large parts are written (and flushed) as files first, chunk by chunk; the row
        // refers to them.
        let files = partFiles
        var stored: [(column: String, inline: Data, file: String?, size: Int)] = []
        do {
            for (column, part) in [("ledger", snapshot.ledger), ("training", training), ("testing", testing)] {
                if part.count >= DatasetPartFiles.threshold {
                    stored.append((column, Data(), try files.write(part), part.count))
                } else {
                    stored.append((column, part.data, nil, part.count))
                }
            }
        } catch {
            files.remove(stored.compactMap(\.file))
            throw error
        }
        let parts = stored
        do {
            let replaced = try await write("saving the datasets of pipeline \(snapshot.pipelineID)") { db -> [String] in
                try Self.requirePipeline(db, snapshot.pipelineID)
                let stored = try Int.fetchOne(
                    db, sql: "SELECT generation FROM dataset_snapshots WHERE pipeline_id = ?", arguments: [snapshot.pipelineID.rawValue])
                guard stored == previous else {
                    throw StoreError.datasetConflict(pipeline: snapshot.pipelineID, expected: previous, found: stored)
                }
                // The replaced snapshot's files retire (a reader that read its row may still be
                // mapping them); the files retired by the save before are removed after this one.
                let current = try Self.partFileNames(db, pipeline: snapshot.pipelineID, retired: false)
                let removable = try Self.partFileNames(db, pipeline: snapshot.pipelineID, retired: true)
                var arguments: StatementArguments = [
                    snapshot.pipelineID.rawValue, snapshot.generation, snapshot.savedAt.timeIntervalSinceReferenceDate,
                ]
                for part in parts { arguments += [part.inline, part.file, part.file == nil ? nil : part.size] }
                arguments += [current.joined(separator: " ")]
                // coalesce: GRDB binds an empty `Data` as NULL.
                try db.execute(
                    sql: """
                        INSERT INTO dataset_snapshots (pipeline_id, generation, saved_at, ledger, ledger_file, ledger_size,
                                                       training, training_file, training_size, testing, testing_file, testing_size,
                                                       retired_files)
                        VALUES (?, ?, ?, coalesce(?, X''), ?, ?, coalesce(?, X''), ?, ?, coalesce(?, X''), ?, ?, ?)
                        ON CONFLICT (pipeline_id) DO UPDATE
                        SET generation = excluded.generation, saved_at = excluded.saved_at,
                            ledger = excluded.ledger, ledger_file = excluded.ledger_file, ledger_size = excluded.ledger_size,
                            training = excluded.training, training_file = excluded.training_file,
                            training_size = excluded.training_size,
                            testing = excluded.testing, testing_file = excluded.testing_file, testing_size = excluded.testing_size,
                            retired_files = excluded.retired_files
                        """,
                    arguments: arguments)
                return removable
            }
            files.remove(replaced)
        } catch {
            files.remove(parts.compactMap(\.file))
            throw error
        }
    }

    /// The pipeline's dataset snapshot, if one was saved, with the row parts in `rows`
    /// (only those are read: a part kept in a file is memory-mapped, one kept in the row is
    /// read with SQLite's incremental blob I/O straight into its chunks).
    ///
    /// ```swift
    /// if let snapshot = try await store.datasets(of: id, rows: .testing) { print(snapshot.generation) }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func datasets(of pipeline: PipelineID, rows: DatasetRows) async throws -> DatasetSnapshot? {
        let files = partFiles
        // Two newer generations may be saved (removing this row's files) between reading the
        // row and mapping its files: then the row is read again.
        for _ in 0..<20 {
            let read = try await self.read("reading the datasets of pipeline \(pipeline)") { db -> StoredSnapshot? in
                guard let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT rowid, generation, saved_at, ledger_file, ledger_size, training_file, training_size,
                               testing_file, testing_size
                        FROM dataset_snapshots WHERE pipeline_id = ?
                        """,
                    arguments: [pipeline.rawValue])
                else { return nil }
                let rowID: Int64 = row["rowid"]
                var parts: [String: StoredPart] = [:]
                for (column, wanted) in [("ledger", true), ("training", rows.contains(.training)), ("testing", rows.contains(.testing))]
                where wanted {
                    if let file: String = row["\(column)_file"] {
                        parts[column] = .file(file, size: row["\(column)_size"] ?? 0)
                    } else {
                        parts[column] = .inline(try Self.blob(db, column: column, row: rowID))
                    }
                }
                return StoredSnapshot(generation: row["generation"], savedAt: row["saved_at"], parts: parts)
            }
            guard let read else { return nil }
            var loaded: [String: ChunkedBytes] = [:]
            for (column, part) in read.parts {
                switch part {
                case .inline(let data): loaded[column] = data
                case let .file(name, size): loaded[column] = try files.read(name, size: size)
                }
            }
            guard loaded.count == read.parts.count else { continue }  // a file was gone: read the row again
            return DatasetSnapshot(
                pipelineID: pipeline, generation: read.generation, ledger: loaded["ledger"] ?? ChunkedBytes(), training: loaded["training"],
                testing: loaded["testing"], savedAt: Date(timeIntervalSinceReferenceDate: read.savedAt))
        }
        throw StoreError.backend("the dataset parts of pipeline \(pipeline) kept being replaced while they were read")
    }

    /// A snapshot's row as read: each part in the row or in a file.
    private struct StoredSnapshot: Sendable {
        var generation: Int
        var savedAt: Double
        var parts: [String: StoredPart]
    }

    private enum StoredPart: Sendable {
        case inline(ChunkedBytes)
        case file(String, size: Int)
    }

    /// The part files the pipeline's snapshot refers to (`retired`: those of the snapshot
    /// it replaced, kept for readers until the next save; nil: both).
    static func partFileNames(_ db: Database, pipeline: PipelineID, retired: Bool? = nil) throws -> [String] {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT ledger_file, training_file, testing_file, retired_files FROM dataset_snapshots WHERE pipeline_id = ?",
            arguments: [pipeline.rawValue])
        else { return [] }
        return fileNames(row, retired: retired)
    }

    /// Every part file a snapshot refers to, retired ones included.
    static func referencedPartFiles(_ db: Database) throws -> Set<String> {
        let rows = try Row.fetchAll(db, sql: "SELECT ledger_file, training_file, testing_file, retired_files FROM dataset_snapshots")
        return Set(rows.flatMap { fileNames($0, retired: nil) })
    }

    private static func fileNames(_ row: Row, retired: Bool?) -> [String] {
        let current = [row["ledger_file"], row["training_file"], row["testing_file"]].compactMap { $0 as String? }
        let old = (row["retired_files"] as String? ?? "").split(separator: " ").map(String.init)
        switch retired {
        case true?: return old
        case false?: return current
        case nil: return current + old
        }
    }

    /// One part of a stored snapshot, read with SQLite's incremental blob I/O straight into
    /// its chunks (one copy from the database pages; a plain `SELECT` would assemble the
    /// blob in SQLite's memory first and copy it again).
    private static func blob(_ db: Database, column: String, row: Int64) throws -> ChunkedBytes {
        try IncrementalBlob.withBlob(db, table: "dataset_snapshots", column: column, row: row, writable: false,
                                     what: "the \(column) part of a dataset snapshot") { handle, count in
            let part = ChunkedBytes(uninitializedCount: count)
            var offset = 0
            for segment in part.uninitializedSegments {
                guard let base = segment.baseAddress else { continue }
                let status = sqlite3_blob_read(handle, base, Int32(segment.count), Int32(offset))
                guard status == SQLITE_OK else { return (ChunkedBytes(), status) }
                offset += segment.count
            }
            return (part, SQLITE_OK)
        }
    }
}
