public import Foundation
import GRDB
import GRDBSQLite
public import Pipelines

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
        try IncrementalBlob.withBlob(db, table: "model_artifacts", column: "bytes", row: db.lastInsertedRowID, writable: true,
                                     what: "the artifact of model \(model)") { handle, _ in
            ((), bytes.withUnsafeBytes { raw in sqlite3_blob_write(handle, raw.baseAddress, Int32(raw.count), 0) })
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
