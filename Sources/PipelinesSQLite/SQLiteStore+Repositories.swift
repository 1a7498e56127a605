public import Foundation
import GRDB
public import Pipelines

// MARK: - RepositoryStore

extension SQLiteStore {
    /// Adds a repository.
    ///
    /// ```swift
    /// try await store.insertRepository(RepositoryRecord(name: "churn", createdAt: .now))
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/duplicateID(kind:id:)`` when the identifier is
    ///   taken, ``Pipelines/StoreError/duplicateName(kind:name:)`` when the name is;
    ///   ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func insertRepository(_ repository: RepositoryRecord) async throws {
        let json = try RecordCoding.encode(repository, "repository \(repository.id)")
        try await write("inserting repository \(repository.id)") { db in
            guard try !Self.exists(db, "repositories", id: repository.id.rawValue) else {
                throw StoreError.duplicateID(kind: "repository", id: repository.id.rawValue)
            }
            try Self.checkRepositoryName(db, repository.name, excluding: repository.id)
            try db.execute(
                sql: "INSERT INTO repositories (id, name, created_at, record) VALUES (?, ?, ?, ?)",
                arguments: [repository.id.rawValue, repository.name, repository.createdAt.timeIntervalSinceReferenceDate, json])
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
        let json = try RecordCoding.encode(repository, "repository \(repository.id)")
        try await write("updating repository \(repository.id)") { db in
            guard try Self.exists(db, "repositories", id: repository.id.rawValue) else {
                throw StoreError.notFound(kind: "repository", id: repository.id.rawValue)
            }
            try Self.checkRepositoryName(db, repository.name, excluding: repository.id)
            try db.execute(
                sql: "UPDATE repositories SET name = ?, created_at = ?, record = ? WHERE id = ?",
                arguments: [repository.name, repository.createdAt.timeIntervalSinceReferenceDate, json, repository.id.rawValue])
        }
    }

    /// The repository with this identifier, if any.
    ///
    /// ```swift
    /// let repository = try await store.repository(id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func repository(_ id: RepositoryID) async throws -> RepositoryRecord? {
        try await read("reading repository \(id)") { db in
            try RecordCoding.decodeOne(RepositoryRecord.self, db, sql: "SELECT record FROM repositories WHERE id = ?",
                                       arguments: [id.rawValue], "repository \(id)")
        }
    }

    /// Every repository, sorted by name (Swift's `String` order), then identifier.
    ///
    /// ```swift
    /// for repository in try await store.repositories() { print(repository.name) }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func repositories() async throws -> [RepositoryRecord] {
        try await read("listing repositories") { db in
            try RecordCoding.decodeAll(RepositoryRecord.self, db, sql: "SELECT record FROM repositories", "a repository")
        }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    /// Deletes a repository; with `includingPipelines`, its pipelines too, each as
    /// ``deletePipeline(_:orphaning:)`` does, all in one transaction.
    ///
    /// ```swift
    /// try await store.deleteRepository(id, includingPipelines: true, orphaning: rule)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)``,
    ///   ``Pipelines/StoreError/repositoryNotEmpty(repository:pipelines:)`` when it holds
    ///   pipelines and `includingPipelines` is false; ``Pipelines/StoreError/backend(_:)``.
    public func deleteRepository(_ id: RepositoryID, includingPipelines: Bool, orphaning: ModelOrphaning) async throws {
        let removed = try await write("deleting repository \(id)") { db -> [String] in
            guard let repository = try RecordCoding.decodeOne(
                RepositoryRecord.self, db, sql: "SELECT record FROM repositories WHERE id = ?", arguments: [id.rawValue],
                "repository \(id)")
            else { throw StoreError.notFound(kind: "repository", id: id.rawValue) }
            let contained = try RecordCoding.decodeAll(
                PipelineRecord.self, db, sql: "SELECT record FROM pipelines WHERE repository_id = ?", arguments: [id.rawValue],
                "a pipeline of repository \(id)")
            if !contained.isEmpty && !includingPipelines {
                throw StoreError.repositoryNotEmpty(repository: repository.name, pipelines: contained.count)
            }
            var partFiles: [String] = []
            for pipeline in contained { partFiles += try removePipeline(db, pipeline, orphaning: orphaning) }
            try db.execute(sql: "DELETE FROM repositories WHERE id = ?", arguments: [id.rawValue])
            return partFiles
        }
        partFiles.remove(removed)
    }

    /// Throws `duplicateName` when another repository has this name (Swift equality, so
    /// canonically equivalent spellings clash, as in ``Pipelines/InMemoryStore``).
    private static func checkRepositoryName(_ db: Database, _ name: String, excluding id: RepositoryID) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT id, name FROM repositories")
        if rows.contains(where: { ($0["name"] as String) == name && ($0["id"] as String) != id.rawValue }) {
            throw StoreError.duplicateName(kind: "repository", name: name)
        }
    }
}

// MARK: - PipelineStore

extension SQLiteStore {
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
        let json = try RecordCoding.encode(record, "pipeline \(pipeline.id)")
        try await write("inserting pipeline \(pipeline.id)") { db in
            guard try Self.exists(db, "repositories", id: pipeline.repositoryID.rawValue) else {
                throw StoreError.notFound(kind: "repository", id: pipeline.repositoryID.rawValue)
            }
            try Self.checkPipelineName(db, pipeline.name, in: pipeline.repositoryID, excluding: pipeline.id)
            guard try !Self.exists(db, "pipelines", id: pipeline.id.rawValue) else {
                throw StoreError.duplicateID(kind: "pipeline", id: pipeline.id.rawValue)
            }
            try db.execute(
                sql: """
                    INSERT INTO pipelines (id, repository_id, name, configuration_version, created_at, record)
                    VALUES (?, ?, ?, 0, ?, ?)
                    """,
                arguments: [pipeline.id.rawValue, pipeline.repositoryID.rawValue, pipeline.name,
                            pipeline.createdAt.timeIntervalSinceReferenceDate, json])
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
        try await write("renaming pipeline \(id)") { db in
            guard var record = try Self.fetchPipeline(db, id) else { throw StoreError.notFound(kind: "pipeline", id: id.rawValue) }
            try Self.checkPipelineName(db, name, in: record.repositoryID, excluding: id)
            record.name = name
            record.updatedAt = date
            try db.execute(sql: "UPDATE pipelines SET name = ?, record = ? WHERE id = ?",
                           arguments: [name, try RecordCoding.encode(record, "pipeline \(id)"), id.rawValue])
            return record
        }
    }

    /// The pipeline with this identifier, if any.
    ///
    /// ```swift
    /// let pipeline = try await store.pipeline(id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func pipeline(_ id: PipelineID) async throws -> PipelineRecord? {
        try await read("reading pipeline \(id)") { db in try Self.fetchPipeline(db, id) }
    }

    /// The pipelines of one repository (or of all when nil), sorted by name (Swift's
    /// `String` order), then identifier.
    ///
    /// ```swift
    /// let pipelines = try await store.pipelines(in: repository.id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func pipelines(in repository: RepositoryID?) async throws -> [PipelineRecord] {
        try await read("listing pipelines") { db in
            if let repository {
                return try RecordCoding.decodeAll(PipelineRecord.self, db, sql: "SELECT record FROM pipelines WHERE repository_id = ?",
                                                  arguments: [repository.rawValue], "a pipeline")
            }
            return try RecordCoding.decodeAll(PipelineRecord.self, db, sql: "SELECT record FROM pipelines", "a pipeline")
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
        let configurationJSON = try RecordCoding.encode(configuration, "configuration \(configuration.version) of pipeline \(id)")
        try await write("appending configuration \(configuration.version) to pipeline \(id)") { db in
            guard var record = try Self.fetchPipeline(db, id) else { throw StoreError.notFound(kind: "pipeline", id: id.rawValue) }
            guard configuration.version == record.configurationVersion + 1 else {
                throw StoreError.versionConflict(pipeline: record.id, expected: configuration.version,
                                                 found: record.configurationVersion)
            }
            record.configurationVersion = configuration.version
            record.updatedAt = configuration.savedAt
            try db.execute(sql: "UPDATE pipelines SET configuration_version = ?, record = ? WHERE id = ?",
                           arguments: [configuration.version, try RecordCoding.encode(record, "pipeline \(id)"), id.rawValue])
            try Self.insertConfiguration(db, configuration, json: configurationJSON)
        }
    }

    /// One configuration version, or the latest when `version` is nil.
    ///
    /// ```swift
    /// let current = try await store.configuration(of: id, version: nil)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func configuration(of pipeline: PipelineID, version: Int?) async throws -> ConfigurationRecord? {
        try await read("reading a configuration of pipeline \(pipeline)") { db in
            let what = "configuration \(version.map(String.init) ?? "latest") of pipeline \(pipeline)"
            if let version {
                return try RecordCoding.decodeOne(
                    ConfigurationRecord.self, db, sql: "SELECT record FROM configurations WHERE pipeline_id = ? AND version = ?",
                    arguments: [pipeline.rawValue, version], what)
            }
            return try RecordCoding.decodeOne(
                ConfigurationRecord.self, db,
                sql: "SELECT record FROM configurations WHERE pipeline_id = ? ORDER BY version DESC LIMIT 1",
                arguments: [pipeline.rawValue], what)
        }
    }

    /// Every configuration version of a pipeline, oldest first.
    ///
    /// ```swift
    /// let history = try await store.configurations(of: id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func configurations(of pipeline: PipelineID) async throws -> [ConfigurationRecord] {
        try await read("listing the configurations of pipeline \(pipeline)") { db in
            try RecordCoding.decodeAll(
                ConfigurationRecord.self, db, sql: "SELECT record FROM configurations WHERE pipeline_id = ? ORDER BY version",
                arguments: [pipeline.rawValue], "a configuration of pipeline \(pipeline)")
        }
    }

    /// Deletes a pipeline with its configurations, dataset snapshot, runs, triggers and
    /// deployment (an undeploy record is appended when a model was deployed), in one
    /// transaction. Each of its models is replaced by `orphaning(model, pipeline)`: the
    /// core's rule, applied here inside the transaction.
    ///
    /// ```swift
    /// try await store.deletePipeline(id, orphaning: rule)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)``, ``Pipelines/StoreError/backend(_:)``.
    public func deletePipeline(_ id: PipelineID, orphaning: ModelOrphaning) async throws {
        let removed = try await write("deleting pipeline \(id)") { db -> [String] in
            guard let record = try Self.fetchPipeline(db, id) else { throw StoreError.notFound(kind: "pipeline", id: id.rawValue) }
            return try removePipeline(db, record, orphaning: orphaning)
        }
        partFiles.remove(removed)
    }

    /// Replaces the pipeline's models by their orphaned records, undeploys its scope, frees
    /// its endpoint names (and their tokens), then deletes the pipeline row (configurations, dataset snapshot, runs and triggers go
    /// with it, by cascade). Returns the dataset part files to remove once it commits.
    func removePipeline(_ db: Database, _ record: PipelineRecord, orphaning: ModelOrphaning) throws -> [String] {
        let partFiles = try Self.partFileNames(db, pipeline: record.id)
        let models = try RecordCoding.decodeAll(
            ModelRecord.self, db, sql: "SELECT record FROM models WHERE pipeline_id = ?", arguments: [record.id.rawValue],
            "a model of pipeline \(record.id)")
        for model in models {
            let orphan = orphaning(model, record)
            guard orphan.id == model.id, orphan.origin.pipelineID == nil else {
                throw StoreError.backend("the orphaning rule must keep the model's id and detach it from pipeline \(record.id)")
            }
            try Self.updateModelRow(db, orphan)
        }
        let scope = DeploymentScope.pipeline(record.id)
        if let current = try Self.currentModel(db, in: scope) {
            _ = try appendDeployment(db, nil, in: scope, replacing: current)
        }
        try Self.freeEndpoints(db, of: scope)
        try db.execute(sql: "DELETE FROM pipelines WHERE id = ?", arguments: [record.id.rawValue])
        return partFiles
    }

    /// Throws `duplicateName` when another pipeline of the repository has this name
    /// (Swift equality, as in ``Pipelines/InMemoryStore``).
    private static func checkPipelineName(_ db: Database, _ name: String, in repository: RepositoryID,
                                          excluding id: PipelineID) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT id, name FROM pipelines WHERE repository_id = ?", arguments: [repository.rawValue])
        if rows.contains(where: { ($0["name"] as String) == name && ($0["id"] as String) != id.rawValue }) {
            throw StoreError.duplicateName(kind: "pipeline", name: name)
        }
    }

    static func insertConfiguration(_ db: Database, _ configuration: ConfigurationRecord, json: String) throws {
        try db.execute(
            sql: "INSERT INTO configurations (pipeline_id, version, saved_at, record) VALUES (?, ?, ?, ?)",
            arguments: [configuration.pipelineID.rawValue, configuration.version,
                        configuration.savedAt.timeIntervalSinceReferenceDate, json])
    }
}
