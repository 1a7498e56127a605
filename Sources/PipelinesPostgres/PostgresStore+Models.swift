public import Foundation
import Logging
public import Pipelines
import PostgresNIO
import Tabular

// MARK: - ModelStore

extension PostgresStore {
    /// Adds a model and its artifact in one transaction (the artifact in chunks of 1 MiB).
    ///
    /// ```swift
    /// try await store.insertModel(record, artifact: bundle)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown pipeline,
    ///   ``Pipelines/StoreError/duplicateID(kind:id:)``,
    ///   ``Pipelines/StoreError/duplicateVersion(line:version:)`` for a taken imported
    ///   version (a unique index enforces it too), ``Pipelines/StoreError/backend(_:)``.
    public func insertModel(_ model: ModelRecord, artifact: Data?) async throws {
        let json = try StoredRecordCoding.encode(model, "model \(model.id)")
        try await write("inserting model \(model.id)") { connection in
            if let pipelineID = model.origin.pipelineID { try await Self.requirePipeline(connection, pipelineID, logger) }
            guard try await !connection.exists("SELECT 1 FROM models WHERE id = \(model.id.rawValue)", logger) else {
                throw StoreError.duplicateID(kind: "model", id: model.id.rawValue)
            }
            if let name = model.origin.importName,
               try await connection.exists("SELECT 1 FROM models WHERE import_name = \(name) AND version = \(model.version)", logger) {
                throw StoreError.duplicateVersion(line: name, version: model.version)
            }
            try await connection.run(
                """
                INSERT INTO models (id, pipeline_id, repository_id, line_id, status, version, created_at, import_name,
                                    former_pipeline_id, record)
                VALUES (\(model.id.rawValue), \(model.origin.pipelineID?.rawValue), \(model.repositoryID?.rawValue),
                        \(model.lineID?.rawValue), \(model.status.rawValue), \(model.version), \(model.createdAt.stored),
                        \(model.origin.importName), \(model.origin.formerPipelineID?.rawValue), \(json))
                """, logger)
            if let artifact { try await Self.insertArtifact(connection, model: model.id, bytes: artifact, logger) }
        }
    }

    /// Replaces a model's metadata; with `removingArtifact`, frees its artifact in the same
    /// transaction.
    ///
    /// ```swift
    /// var retired = record
    /// retired.status = .archived
    /// try await store.updateModel(retired, removingArtifact: true)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)``,
    ///   ``Pipelines/StoreError/modelDeployed(_:)`` when removing a deployed model's
    ///   artifact, ``Pipelines/StoreError/backend(_:)``.
    public func updateModel(_ model: ModelRecord, removingArtifact: Bool) async throws {
        let json = try StoredRecordCoding.encode(model, "model \(model.id)")
        try await write("updating model \(model.id)") { connection in
            guard try await connection.exists("SELECT 1 FROM models WHERE id = \(model.id.rawValue) FOR UPDATE", logger) else {
                throw StoreError.notFound(kind: "model", id: model.id.rawValue)
            }
            if removingArtifact, try await Self.isDeployed(connection, model.id, logger) { throw StoreError.modelDeployed(model.id) }
            if let pipelineID = model.origin.pipelineID { try await Self.requirePipeline(connection, pipelineID, logger) }
            try await Self.updateModelRow(connection, model, json: json, logger)
            if removingArtifact {
                try await connection.run("DELETE FROM model_artifacts WHERE model_id = \(model.id.rawValue)", logger)
            }
        }
    }

    /// The model with this identifier, if any.
    ///
    /// ```swift
    /// let record = try await store.model(id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)``.
    public func model(_ id: ModelID) async throws -> ModelRecord? {
        try await readStatement("reading model \(id)") { connection in
            try await connection.record(ModelRecord.self, "SELECT record FROM models WHERE id = \(id.rawValue)", logger, "model \(id)")
        }
    }

    /// A page of the models matching `filter`, oldest first (ties by identifier).
    ///
    /// ```swift
    /// let page = try await store.models(matching: ModelFilter(pipelineID: id), offset: 100, limit: 100)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)``.
    public func models(matching filter: ModelFilter, offset: Int, limit: Int?) async throws -> [ModelRecord] {
        let query = Self.pageQuery(filter, offset: offset, limit: limit)
        return try await readStatement("listing models") { connection in
            try await connection.records(ModelRecord.self, query, logger, "a model")
        }
    }

    /// A page of the models matching `filter` and how many match in all, read on one
    /// snapshot: the count first, then the page from whichever end of the index is nearer,
    /// so the last page of 100,000 models skips none rather than 99,900 (an `OFFSET` walks
    /// every entry it skips). The page is the one ``models(matching:offset:limit:)`` gives.
    ///
    /// ```swift
    /// let (page, total) = try await store.modelPage(matching: ModelFilter(), offset: 100, limit: 100)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)``.
    /// - Complexity: the total read from `model_counts` for the whole registry, a pipeline or
    ///   a repository (else one index-only scan to count), then one scan over at most half
    ///   the matching models plus the page's own records.
    public func modelPage(matching filter: ModelFilter, offset: Int, limit: Int?) async throws -> (models: [ModelRecord], total: Int) {
        try await read("listing models") { connection in
            let total = try await Self.countModels(connection, filter, logger)
            let start = max(offset, 0)
            let end = limit.map { min(total, start + max($0, 0)) } ?? total
            guard start < end else { return ([], total) }
            // Rows start..<end counted from the other end begin at total - end.
            let fromEnd = total - end
            let query = fromEnd < start
                ? Self.pageQuery(filter, offset: fromEnd, limit: end - start, descending: true)
                : Self.pageQuery(filter, offset: start, limit: end - start)
            return (try await connection.records(ModelRecord.self, query, logger, "a model"), total)
        }
    }

    /// The page's statement: found on the indexes alone (identifiers in order, the rows
    /// skipped never read from the table: an index-only scan where the filter's columns are
    /// indexed), then only its own records are read, oldest first. `descending` counts
    /// `offset` from the newest end (the index read backwards); the records still come
    /// oldest first.
    private static func pageQuery(_ filter: ModelFilter, offset: Int, limit: Int?, descending: Bool = false) -> PostgresQuery {
        var (condition, bindings) = condition(filter)
        var page = "SELECT id, created_at FROM models WHERE \(condition) ORDER BY "
            + (descending ? "created_at DESC, id DESC" : "created_at, id")
        if let limit {
            bindings.append(Int64(max(limit, 0)))
            page += " LIMIT $\(bindings.count)"
        }
        bindings.append(Int64(max(offset, 0)))
        page += " OFFSET $\(bindings.count)"
        return PostgresQuery(
            unsafeSQL: "SELECT m.record FROM (\(page)) AS page JOIN models AS m ON m.id = page.id ORDER BY page.created_at, page.id",
            binds: bindings)
    }

    /// The number of models matching `filter`.
    ///
    /// ```swift
    /// let deployed = try await store.countModels(matching: ModelFilter(deployedOnly: true))
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)``.
    public func countModels(matching filter: ModelFilter) async throws -> Int {
        try await readStatement("counting models") { connection in try await Self.countModels(connection, filter, logger) }
    }

    /// The number of models matching `filter`, on `connection`: the total the database
    /// keeps for the whole registry, a pipeline or a repository (`model_counts`), else a count.
    private static func countModels(_ connection: PostgresConnection, _ filter: ModelFilter, _ logger: Logger) async throws -> Int {
        if let scope = countedScope(filter) { return try await countedTotal(connection, scope: scope, logger) }
        let (condition, bindings) = condition(filter)
        let query = PostgresQuery(unsafeSQL: "SELECT count(*) FROM models WHERE \(condition)", binds: bindings)
        return Int(try await connection.value(Int64.self, query, logger) ?? 0)
    }

    /// The model's artifact, if it has one, put together from its chunks.
    ///
    /// ```swift
    /// let bytes = try await store.artifact(of: id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)``, also when a chunk is missing.
    public func artifact(of model: ModelID) async throws -> Data? {
        try await read("reading the artifact of model \(model)") { connection in
            guard let size = try await connection.value(Int64.self, "SELECT size FROM model_artifacts WHERE model_id = \(model.rawValue)", logger)
            else { return nil }
            return try await Self.readChunks(
                connection, "SELECT bytes FROM model_artifact_chunks WHERE model_id = \(model.rawValue) ORDER BY sequence",
                size: Int(size), what: "the artifact of model \(model)", logger)
        }
    }

    /// Erases a model and its artifact.
    ///
    /// ```swift
    /// try await store.deleteModel(id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)``,
    ///   ``Pipelines/StoreError/modelDeployed(_:)``, ``Pipelines/StoreError/backend(_:)``.
    public func deleteModel(_ id: ModelID) async throws {
        try await write("deleting model \(id)") { connection in
            guard try await connection.exists("SELECT 1 FROM models WHERE id = \(id.rawValue) FOR UPDATE", logger) else {
                throw StoreError.notFound(kind: "model", id: id.rawValue)
            }
            if try await Self.isDeployed(connection, id, logger) { throw StoreError.modelDeployed(id) }
            try await connection.run("DELETE FROM models WHERE id = \(id.rawValue)", logger)  // the artifact by cascade
        }
    }
}

// MARK: - Shared by models, deployments and deletions

extension PostgresStore {
    /// Stores an artifact's size and its chunks.
    static func insertArtifact(_ connection: PostgresConnection, model: ModelID, bytes: Data, _ logger: Logger) async throws {
        try await connection.run("INSERT INTO model_artifacts (model_id, size) VALUES (\(model.rawValue), \(Int64(bytes.count)))", logger)
        for (sequence, range) in Chunks.ranges(bytes.count).enumerated() {
            let chunk = bytes.subdata(in: bytes.startIndex + range.lowerBound..<bytes.startIndex + range.upperBound)
            try await connection.run(
                "INSERT INTO model_artifact_chunks (model_id, sequence, bytes) VALUES (\(model.rawValue), \(sequence), \(chunk))", logger)
        }
    }

    /// A value stored in chunks, checked against its recorded size.
    static func readChunks(_ connection: PostgresConnection, _ query: PostgresQuery, size: Int, what: String, _ logger: Logger) async throws -> Data {
        var bytes = Data(capacity: size)
        for try await chunk in try await connection.query(query, logger: logger).decode(Data.self) { bytes.append(chunk) }
        guard bytes.count == size else {
            throw StoreError.backend("\(what) is damaged: \(bytes.count) bytes stored in its chunks, \(size) recorded")
        }
        return bytes
    }

    /// A value stored in chunks, read row by row into chunks of its own (never one buffer).
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` naming `what` when the chunks do not
    ///   add up to `size`.
    static func readChunkedBytes(
        _ connection: PostgresConnection, _ query: PostgresQuery, size: Int, what: String, _ logger: Logger
    ) async throws -> ChunkedBytes {
        var bytes = ChunkedBytes()
        for try await chunk in try await connection.query(query, logger: logger).decode(ByteBuffer.self) {
            chunk.withUnsafeReadableBytes { bytes.append($0) }
        }
        guard bytes.count == size else {
            throw StoreError.backend("\(what) is damaged: \(bytes.count) bytes stored in its chunks, \(size) recorded")
        }
        return bytes
    }

    /// Replaces a model's row (every column but the identifier).
    static func updateModelRow(_ connection: PostgresConnection, _ model: ModelRecord, json: String? = nil, _ logger: Logger) async throws {
        let json = try json ?? StoredRecordCoding.encode(model, "model \(model.id)")
        try await connection.run(
            """
            UPDATE models SET pipeline_id = \(model.origin.pipelineID?.rawValue), repository_id = \(model.repositoryID?.rawValue),
                line_id = \(model.lineID?.rawValue), status = \(model.status.rawValue), version = \(model.version),
                created_at = \(model.createdAt.stored), import_name = \(model.origin.importName),
                former_pipeline_id = \(model.origin.formerPipelineID?.rawValue), record = \(json)
            WHERE id = \(model.id.rawValue)
            """, logger)
    }

    /// Whether the model is deployed now in any scope.
    static func isDeployed(_ connection: PostgresConnection, _ id: ModelID, _ logger: Logger) async throws -> Bool {
        try await connection.exists("SELECT 1 FROM deployment_current WHERE model_id = \(id.rawValue)", logger)
    }

    /// The `WHERE` condition of a filter, with its bindings ($1, $2, … in order).
    static func condition(_ filter: ModelFilter) -> (String, PostgresBindings) {
        var clauses = ["TRUE"]
        var bindings = PostgresBindings()
        func bind(_ value: String) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        if let pipelineID = filter.pipelineID { clauses.append("pipeline_id = \(bind(pipelineID.rawValue))") }
        if let formerPipelineID = filter.formerPipelineID { clauses.append("former_pipeline_id = \(bind(formerPipelineID.rawValue))") }
        if let repositoryID = filter.repositoryID { clauses.append("repository_id = \(bind(repositoryID.rawValue))") }
        if let statuses = filter.statuses {
            clauses.append(statuses.isEmpty ? "FALSE" : "status IN (\(statuses.map(\.rawValue).sorted().map(bind).joined(separator: ", ")))")
        }
        if let lineID = filter.lineID { clauses.append("line_id = \(bind(lineID.rawValue))") }
        if let standalone = filter.standalone { clauses.append(standalone ? "pipeline_id IS NULL" : "pipeline_id IS NOT NULL") }
        if filter.deployedOnly { clauses.append("id IN (SELECT model_id FROM deployment_current WHERE model_id IS NOT NULL)") }
        return (clauses.joined(separator: " AND "), bindings)
    }
}
