public import Foundation
import GRDB
import GRDBSQLite
public import Pipelines

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
        // Large parts are written (and flushed) as files first; the row refers to them.
        let files = partFiles
        var stored: [(column: String, inline: Data, file: String?, size: Int)] = []
        do {
            for (column, data) in [("ledger", snapshot.ledger), ("training", training), ("testing", testing)] {
                if data.count >= DatasetPartFiles.threshold {
                    stored.append((column, Data(), try files.write(data), data.count))
                } else {
                    stored.append((column, data, nil, data.count))
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
    /// read with SQLite's incremental blob I/O straight into its buffer).
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
            var loaded: [String: Data] = [:]
            for (column, part) in read.parts {
                switch part {
                case .inline(let data): loaded[column] = data
                case let .file(name, size): loaded[column] = try files.read(name, size: size)
                }
            }
            guard loaded.count == read.parts.count else { continue }  // a file was gone: read the row again
            return DatasetSnapshot(
                pipelineID: pipeline, generation: read.generation, ledger: loaded["ledger"] ?? Data(), training: loaded["training"],
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
        case inline(Data)
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
    /// its `Data` (one copy from the database pages; a plain `SELECT` would assemble the
    /// blob in SQLite's memory first and copy it again).
    private static func blob(_ db: Database, column: String, row: Int64) throws -> Data {
        var handle: OpaquePointer?
        let opened = sqlite3_blob_open(db.sqliteConnection, "main", "dataset_snapshots", column, row, 0, &handle)
        defer { sqlite3_blob_close(handle) }
        guard opened == SQLITE_OK, let handle else {
            throw StoreError.backend("opening the \(column) part of a dataset snapshot: \(String(cString: sqlite3_errstr(opened)))")
        }
        let count = Int(sqlite3_blob_bytes(handle))
        var data = Data(count: count)
        let status = data.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress, count > 0 else { return SQLITE_OK }
            return sqlite3_blob_read(handle, base, Int32(count), 0)
        }
        guard status == SQLITE_OK else {
            throw StoreError.backend("reading the \(column) part of a dataset snapshot: \(String(cString: sqlite3_errstr(status)))")
        }
        return data
    }
}

// MARK: - ModelStore

extension SQLiteStore {
    /// Stores a model's artifact: a zero-filled blob of its size, then its bytes written
    /// with SQLite's incremental blob I/O straight from `bytes`. (A bound blob is copied
    /// by the binding and again into the row's record: two more copies of an artifact that
    /// can be tens of megabytes, at the peak of a training run.)
    static func insertArtifact(_ db: Database, model: ModelID, bytes: Data) throws {
        try db.execute(sql: "INSERT INTO model_artifacts (model_id, bytes) VALUES (?, zeroblob(?))",
                       arguments: [model.rawValue, bytes.count])
        guard !bytes.isEmpty else { return }
        var handle: OpaquePointer?
        let opened = sqlite3_blob_open(db.sqliteConnection, "main", "model_artifacts", "bytes", db.lastInsertedRowID, 1, &handle)
        defer { sqlite3_blob_close(handle) }
        guard opened == SQLITE_OK, let handle else {
            throw StoreError.backend("opening the artifact of model \(model) for writing: \(String(cString: sqlite3_errstr(opened)))")
        }
        let status = bytes.withUnsafeBytes { raw in
            sqlite3_blob_write(handle, raw.baseAddress, Int32(raw.count), 0)
        }
        guard status == SQLITE_OK else {
            throw StoreError.backend("writing the artifact of model \(model): \(String(cString: sqlite3_errstr(status)))")
        }
    }
}

extension SQLiteStore {
    /// Adds a model and its artifact in one transaction: both are stored, or neither.
    ///
    /// ```swift
    /// try await store.insertModel(model, artifact: try artifact.encoded())
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown pipeline of a
    ///   pipeline model, ``Pipelines/StoreError/duplicateID(kind:id:)`` when the identifier
    ///   is taken, ``Pipelines/StoreError/duplicateVersion(line:version:)`` when an imported
    ///   line has that version (unique index), ``Pipelines/StoreError/backend(_:)`` when the
    ///   file fails.
    public func insertModel(_ model: ModelRecord, artifact: Data?) async throws {
        let json = try RecordCoding.encode(model, "model \(model.id)")
        try await write("inserting model \(model.id)") { db in
            if let pipelineID = model.origin.pipelineID { try Self.requirePipeline(db, pipelineID) }
            guard try !Self.exists(db, "models", id: model.id.rawValue) else {
                throw StoreError.duplicateID(kind: "model", id: model.id.rawValue)
            }
            if let name = model.origin.importName,
               try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM models WHERE import_name = ? AND version = ?)",
                                 arguments: [name, model.version]) ?? false {
                // The unique index `models_import_versions` enforces it too; this names the error.
                throw StoreError.duplicateVersion(line: name, version: model.version)
            }
            try db.execute(
                sql: """
                    INSERT INTO models (id, pipeline_id, repository_id, line_id, status, version, created_at, import_name,
                                        former_pipeline_id, record)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: StatementArguments(model.columnValues + [json]))
            if let artifact { try Self.insertArtifact(db, model: model.id, bytes: artifact) }
        }
    }

    /// Replaces a model's record; with `removingArtifact`, deletes its artifact in the
    /// same transaction.
    ///
    /// ```swift
    /// var rejected = model
    /// rejected.status = .rejected
    /// try await store.updateModel(rejected, removingArtifact: true)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown model (or an
    ///   unknown pipeline named by its origin), ``Pipelines/StoreError/modelDeployed(_:)``
    ///   when removing the artifact of a deployed model, ``Pipelines/StoreError/backend(_:)``.
    public func updateModel(_ model: ModelRecord, removingArtifact: Bool) async throws {
        let json = try RecordCoding.encode(model, "model \(model.id)")
        try await write("updating model \(model.id)") { db in
            guard try Self.exists(db, "models", id: model.id.rawValue) else {
                throw StoreError.notFound(kind: "model", id: model.id.rawValue)
            }
            if removingArtifact, try Self.isDeployed(db, model.id) { throw StoreError.modelDeployed(model.id) }
            if let pipelineID = model.origin.pipelineID { try Self.requirePipeline(db, pipelineID) }
            try Self.updateModelRow(db, model, json: json)
            if removingArtifact {
                try db.execute(sql: "DELETE FROM model_artifacts WHERE model_id = ?", arguments: [model.id.rawValue])
            }
        }
    }

    /// The model with this identifier, if any.
    ///
    /// ```swift
    /// let model = try await store.model(id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func model(_ id: ModelID) async throws -> ModelRecord? {
        try await read("reading model \(id)") { db in
            try RecordCoding.decodeOne(ModelRecord.self, db, sql: "SELECT record FROM models WHERE id = ?",
                                       arguments: [id.rawValue], "model \(id)")
        }
    }

    /// A page of the models matching `filter`, oldest first (ties by identifier): `limit`
    /// models (all when nil) after skipping `offset`. Negative values count as 0.
    ///
    /// ```swift
    /// let secondPage = try await store.models(matching: ModelFilter(pipelineID: id), offset: 20, limit: 20)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func models(matching filter: ModelFilter, offset: Int, limit: Int?) async throws -> [ModelRecord] {
        let (condition, arguments) = Self.sqlCondition(filter)
        let page: StatementArguments = [limit.map { max($0, 0) } ?? -1, max(offset, 0)]
        return try await read("listing models") { db in
            try RecordCoding.decodeAll(
                ModelRecord.self, db,
                sql: "SELECT record FROM models WHERE \(condition) ORDER BY created_at, id LIMIT ? OFFSET ?",
                arguments: arguments + page, "a model")
        }
    }

    /// The number of models matching `filter`.
    ///
    /// ```swift
    /// let deployed = try await store.countModels(matching: ModelFilter(deployedOnly: true))
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func countModels(matching filter: ModelFilter) async throws -> Int {
        let (condition, arguments) = Self.sqlCondition(filter)
        return try await read("counting models") { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM models WHERE \(condition)", arguments: arguments) ?? 0
        }
    }

    /// The model's artifact, if it has one.
    ///
    /// ```swift
    /// let bytes = try await store.artifact(of: id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func artifact(of model: ModelID) async throws -> Data? {
        try await read("reading the artifact of model \(model)") { db in
            try Data.fetchOne(db, sql: "SELECT bytes FROM model_artifacts WHERE model_id = ?", arguments: [model.rawValue])
        }
    }

    /// Erases a model and its artifact.
    ///
    /// ```swift
    /// try await store.deleteModel(id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)``,
    ///   ``Pipelines/StoreError/modelDeployed(_:)`` while it is deployed,
    ///   ``Pipelines/StoreError/backend(_:)``.
    public func deleteModel(_ id: ModelID) async throws {
        try await write("deleting model \(id)") { db in
            guard try Self.exists(db, "models", id: id.rawValue) else { throw StoreError.notFound(kind: "model", id: id.rawValue) }
            if try Self.isDeployed(db, id) { throw StoreError.modelDeployed(id) }
            try db.execute(sql: "DELETE FROM models WHERE id = ?", arguments: [id.rawValue])  // the artifact by cascade
        }
    }

    /// Rewrites a model's row (columns and JSON) from its record.
    static func updateModelRow(_ db: Database, _ model: ModelRecord, json: String? = nil) throws {
        let json = try json ?? RecordCoding.encode(model, "model \(model.id)")
        try db.execute(
            sql: """
                UPDATE models SET pipeline_id = ?, repository_id = ?, line_id = ?, status = ?, version = ?, created_at = ?,
                import_name = ?, former_pipeline_id = ?, record = ? WHERE id = ?
                """,
            arguments: StatementArguments(Array(model.columnValues.dropFirst()) + [json, model.id.rawValue]))
    }

    /// The SQL condition on `models` selecting what `filter` matches (as
    /// ``Pipelines/ModelFilter/matches(_:isDeployed:)`` does), with its arguments.
    static func sqlCondition(_ filter: ModelFilter) -> (String, StatementArguments) {
        var clauses = ["1"]
        var values: [(any DatabaseValueConvertible)?] = []
        if let pipelineID = filter.pipelineID {
            clauses.append("pipeline_id = ?")
            values.append(pipelineID.rawValue)
        }
        if let formerPipelineID = filter.formerPipelineID {
            clauses.append("former_pipeline_id = ?")
            values.append(formerPipelineID.rawValue)
        }
        if let repositoryID = filter.repositoryID {
            clauses.append("repository_id = ?")
            values.append(repositoryID.rawValue)
        }
        if let statuses = filter.statuses {
            if statuses.isEmpty {
                clauses.append("0")
            } else {
                clauses.append("status IN (\(Array(repeating: "?", count: statuses.count).joined(separator: ", ")))")
                values += statuses.map(\.rawValue).sorted()
            }
        }
        if let lineID = filter.lineID {
            clauses.append("line_id = ?")
            values.append(lineID.rawValue)
        }
        if let standalone = filter.standalone {
            clauses.append(standalone ? "pipeline_id IS NULL" : "pipeline_id IS NOT NULL")
        }
        if filter.deployedOnly {
            clauses.append("id IN (SELECT model_id FROM deployment_current WHERE model_id IS NOT NULL)")
        }
        return (clauses.joined(separator: " AND "), StatementArguments(values))
    }
}
