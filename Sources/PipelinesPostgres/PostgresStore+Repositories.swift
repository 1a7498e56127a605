public import Foundation
import Logging
public import Pipelines
import PostgresNIO

// MARK: - RepositoryStore

extension PostgresStore {
    /// Adds a repository.
    ///
    /// ```swift
    /// try await store.insertRepository(RepositoryRecord(name: "churn", createdAt: .now))
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/duplicateID(kind:id:)`` when the identifier is
    ///   taken, ``Pipelines/StoreError/duplicateName(kind:name:)`` when the name is;
    ///   ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func insertRepository(_ repository: RepositoryRecord) async throws {
        let json = try StoredRecordCoding.encode(repository, "repository \(repository.id)")
        let id = repository.id.rawValue
        try await write("inserting repository \(repository.id)") { connection in
            guard try await !connection.exists("SELECT 1 FROM repositories WHERE id = \(id)", logger) else {
                throw StoreError.duplicateID(kind: "repository", id: id)
            }
            try await Self.checkRepositoryName(connection, repository.name, excluding: repository.id, logger)
            // A racing insert of the same id or name makes this a serialization failure
            // (retried), never a unique violation: DO NOTHING on a row this snapshot cannot see.
            let inserted = try await connection.count(
                """
                INSERT INTO repositories (id, name, created_at, record)
                VALUES (\(id), \(repository.name), \(repository.createdAt.stored), \(json))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger)
            guard inserted == 1 else { throw StoreError.duplicateName(kind: "repository", name: repository.name) }
        }
    }

    /// Replaces a repository's record (name, description, Git connection…).
    ///
    /// ```swift
    /// var renamed = repository
    /// renamed.name = "retention"
    /// try await store.updateRepository(renamed)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)``,
    ///   ``Pipelines/StoreError/duplicateName(kind:name:)``, ``Pipelines/StoreError/backend(_:)``.
    public func updateRepository(_ repository: RepositoryRecord) async throws {
        let json = try StoredRecordCoding.encode(repository, "repository \(repository.id)")
        let id = repository.id.rawValue
        try await write("updating repository \(repository.id)") { connection in
            guard try await connection.exists("SELECT 1 FROM repositories WHERE id = \(id)", logger) else {
                throw StoreError.notFound(kind: "repository", id: id)
            }
            try await Self.checkRepositoryName(connection, repository.name, excluding: repository.id, logger)
            try await Self.refusingTakenName(kind: "repository", repository.name) {
                try await connection.run(
                    """
                    UPDATE repositories SET name = \(repository.name), created_at = \(repository.createdAt.stored), record = \(json)
                    WHERE id = \(id)
                    """, logger)
            }
        }
    }

    /// The repository with this identifier, if any.
    ///
    /// ```swift
    /// let repository = try await store.repository(id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func repository(_ id: RepositoryID) async throws -> RepositoryRecord? {
        try await read("reading repository \(id)") { connection in
            try await connection.record(RepositoryRecord.self, "SELECT record FROM repositories WHERE id = \(id.rawValue)", logger,
                                        "repository \(id)")
        }
    }

    /// Every repository, sorted by name (Swift's `String` order), then identifier.
    ///
    /// ```swift
    /// for repository in try await store.repositories() { print(repository.name) }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func repositories() async throws -> [RepositoryRecord] {
        try await read("listing repositories") { connection in
            try await connection.records(RepositoryRecord.self, "SELECT record FROM repositories", logger, "a repository")
        }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    /// Throws `duplicateName` when another repository has this name (Swift equality, so
    /// canonically equivalent spellings clash, as in ``Pipelines/InMemoryStore``).
    private static func checkRepositoryName(_ connection: PostgresConnection, _ name: String, excluding id: RepositoryID,
                                            _ logger: Logger) async throws {
        let rows = try await connection.query("SELECT id, name FROM repositories", logger: logger).decode((String, String).self)
        for try await (other, otherName) in rows where otherName == name && other != id.rawValue {
            throw StoreError.duplicateName(kind: "repository", name: name)
        }
    }
}

// MARK: - PipelineStore

extension PostgresStore {
    /// Adds a pipeline without configuration (its configuration version is stored as 0;
    /// the first appended configuration is version 1).
    ///
    /// ```swift
    /// try await store.insertPipeline(PipelineRecord(repositoryID: repository.id, name: "churn", createdAt: .now))
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown repository,
    ///   ``Pipelines/StoreError/duplicateName(kind:name:)``,
    ///   ``Pipelines/StoreError/duplicateID(kind:id:)``; ``Pipelines/StoreError/backend(_:)``.
    public func insertPipeline(_ pipeline: PipelineRecord) async throws {
        var record = pipeline
        record.configurationVersion = 0
        let json = try StoredRecordCoding.encode(record, "pipeline \(pipeline.id)")
        let id = pipeline.id.rawValue
        let repository = pipeline.repositoryID.rawValue
        try await write("inserting pipeline \(pipeline.id)") { connection in
            guard try await connection.exists("SELECT 1 FROM repositories WHERE id = \(repository)", logger) else {
                throw StoreError.notFound(kind: "repository", id: repository)
            }
            try await Self.checkPipelineName(connection, pipeline.name, in: pipeline.repositoryID, excluding: pipeline.id, logger)
            guard try await !connection.exists("SELECT 1 FROM pipelines WHERE id = \(id)", logger) else {
                throw StoreError.duplicateID(kind: "pipeline", id: id)
            }
            // A racing insert of the same id or name is a serialization failure (retried).
            let inserted = try await connection.count(
                """
                INSERT INTO pipelines (id, repository_id, name, configuration_version, created_at, record)
                VALUES (\(id), \(repository), \(pipeline.name), 0, \(pipeline.createdAt.stored), \(json))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger)
            guard inserted == 1 else { throw StoreError.duplicateName(kind: "pipeline", name: pipeline.name) }
        }
    }

    /// Renames a pipeline and returns the updated record.
    ///
    /// ```swift
    /// let renamed = try await store.renamePipeline(id, to: "attrition", at: .now)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)``,
    ///   ``Pipelines/StoreError/duplicateName(kind:name:)``, ``Pipelines/StoreError/backend(_:)``.
    public func renamePipeline(_ id: PipelineID, to name: String, at date: Date) async throws -> PipelineRecord {
        try await write("renaming pipeline \(id)") { connection in
            guard var record = try await Self.fetchPipeline(connection, id, logger) else {
                throw StoreError.notFound(kind: "pipeline", id: id.rawValue)
            }
            try await Self.checkPipelineName(connection, name, in: record.repositoryID, excluding: id, logger)
            record.name = name
            record.updatedAt = date
            let json = try StoredRecordCoding.encode(record, "pipeline \(id)")
            try await Self.refusingTakenName(kind: "pipeline", name) {
                try await connection.run("UPDATE pipelines SET name = \(name), record = \(json) WHERE id = \(id.rawValue)", logger)
            }
            return record
        }
    }

    /// The pipeline with this identifier, if any.
    ///
    /// ```swift
    /// let pipeline = try await store.pipeline(id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func pipeline(_ id: PipelineID) async throws -> PipelineRecord? {
        try await read("reading pipeline \(id)") { connection in try await Self.fetchPipeline(connection, id, logger) }
    }

    /// The pipelines of one repository (or of all when nil), sorted by name (Swift's
    /// `String` order), then identifier.
    ///
    /// ```swift
    /// let pipelines = try await store.pipelines(in: repository.id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func pipelines(in repository: RepositoryID?) async throws -> [PipelineRecord] {
        try await read("listing pipelines") { connection in
            if let repository {
                return try await connection.records(
                    PipelineRecord.self, "SELECT record FROM pipelines WHERE repository_id = \(repository.rawValue)", logger, "a pipeline")
            }
            return try await connection.records(PipelineRecord.self, "SELECT record FROM pipelines", logger, "a pipeline")
        }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    /// Appends the next configuration version and makes it the pipeline's current one
    /// (its ``Pipelines/PipelineRecord/updatedAt`` becomes the configuration's `savedAt`).
    ///
    /// ```swift
    /// try await store.appendConfiguration(ConfigurationRecord(pipelineID: id, version: 2, …))
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)``,
    ///   ``Pipelines/StoreError/versionConflict(pipeline:expected:found:)`` unless the version
    ///   is the current one + 1; ``Pipelines/StoreError/backend(_:)``.
    public func appendConfiguration(_ configuration: ConfigurationRecord) async throws {
        let id = configuration.pipelineID
        let configurationJSON = try StoredRecordCoding.encode(configuration, "configuration \(configuration.version) of pipeline \(id)")
        try await write("appending configuration \(configuration.version) to pipeline \(id)") { connection in
            guard var record = try await Self.fetchPipeline(connection, id, logger) else {
                throw StoreError.notFound(kind: "pipeline", id: id.rawValue)
            }
            guard configuration.version == record.configurationVersion + 1 else {
                throw StoreError.versionConflict(pipeline: record.id, expected: configuration.version, found: record.configurationVersion)
            }
            record.configurationVersion = configuration.version
            record.updatedAt = configuration.savedAt
            let json = try StoredRecordCoding.encode(record, "pipeline \(id)")
            try await connection.run(
                "UPDATE pipelines SET configuration_version = \(configuration.version), record = \(json) WHERE id = \(id.rawValue)", logger)
            try await Self.insertConfiguration(connection, configuration, json: configurationJSON, logger)
        }
    }

    /// One configuration version, or the latest when `version` is nil.
    ///
    /// ```swift
    /// let current = try await store.configuration(of: id, version: nil)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func configuration(of pipeline: PipelineID, version: Int?) async throws -> ConfigurationRecord? {
        try await read("reading a configuration of pipeline \(pipeline)") { connection in
            let what = "configuration \(version.map(String.init) ?? "latest") of pipeline \(pipeline)"
            if let version {
                return try await connection.record(
                    ConfigurationRecord.self,
                    "SELECT record FROM configurations WHERE pipeline_id = \(pipeline.rawValue) AND version = \(version)", logger, what)
            }
            return try await connection.record(
                ConfigurationRecord.self,
                "SELECT record FROM configurations WHERE pipeline_id = \(pipeline.rawValue) ORDER BY version DESC LIMIT 1", logger, what)
        }
    }

    /// Every configuration version of a pipeline, oldest first.
    ///
    /// ```swift
    /// let history = try await store.configurations(of: id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func configurations(of pipeline: PipelineID) async throws -> [ConfigurationRecord] {
        try await read("listing the configurations of pipeline \(pipeline)") { connection in
            try await connection.records(
                ConfigurationRecord.self, "SELECT record FROM configurations WHERE pipeline_id = \(pipeline.rawValue) ORDER BY version",
                logger, "a configuration of pipeline \(pipeline)")
        }
    }

    /// Throws `duplicateName` when another pipeline of the repository has this name
    /// (Swift equality, as in ``Pipelines/InMemoryStore``).
    private static func checkPipelineName(_ connection: PostgresConnection, _ name: String, in repository: RepositoryID,
                                          excluding id: PipelineID, _ logger: Logger) async throws {
        let rows = try await connection.query("SELECT id, name FROM pipelines WHERE repository_id = \(repository.rawValue)", logger: logger)
            .decode((String, String).self)
        for try await (other, otherName) in rows where otherName == name && other != id.rawValue {
            throw StoreError.duplicateName(kind: "pipeline", name: name)
        }
    }

    /// Runs `statement`, reporting a unique violation (SQLSTATE 23505: a racing transaction
    /// committed the name after this one checked it) as `duplicateName`.
    private static func refusingTakenName(kind: String, _ name: String, _ statement: () async throws -> Void) async throws {
        do {
            try await statement()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw StoreError.duplicateName(kind: kind, name: name)
        }
    }

    /// Stores one configuration version (inside the caller's transaction).
    static func insertConfiguration(_ connection: PostgresConnection, _ configuration: ConfigurationRecord, json: String,
                                    _ logger: Logger) async throws {
        try await connection.run(
            """
            INSERT INTO configurations (pipeline_id, version, saved_at, record)
            VALUES (\(configuration.pipelineID.rawValue), \(configuration.version), \(configuration.savedAt.stored), \(json))
            """, logger)
    }
}

// MARK: - Lookups shared by several stores

extension PostgresStore {
    /// Throws `notFound` (kind `pipeline`) unless the pipeline exists.
    static func requirePipeline(_ connection: PostgresConnection, _ id: PipelineID, _ logger: Logger) async throws {
        guard try await connection.exists("SELECT 1 FROM pipelines WHERE id = \(id.rawValue)", logger) else {
            throw StoreError.notFound(kind: "pipeline", id: id.rawValue)
        }
    }

    /// The pipeline with this identifier, if any.
    static func fetchPipeline(_ connection: PostgresConnection, _ id: PipelineID, _ logger: Logger) async throws -> PipelineRecord? {
        try await connection.record(PipelineRecord.self, "SELECT record FROM pipelines WHERE id = \(id.rawValue)", logger, "pipeline \(id)")
    }
}
