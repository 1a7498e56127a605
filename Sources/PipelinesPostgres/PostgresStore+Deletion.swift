import Foundation
import Logging
public import Pipelines
import PostgresNIO

// MARK: - Deleting repositories and pipelines

extension PostgresStore {
    /// Deletes a repository; with `includingPipelines`, its pipelines too, each as
    /// ``deletePipeline(_:orphaning:)`` does, in the same transaction.
    ///
    /// ```swift
    /// try await store.deleteRepository(id, includingPipelines: true, orphaning: rule)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)``,
    ///   ``Pipelines/StoreError/repositoryNotEmpty(repository:pipelines:)``,
    ///   ``Pipelines/StoreError/backend(_:)``.
    public func deleteRepository(_ id: RepositoryID, includingPipelines: Bool, orphaning: ModelOrphaning) async throws {
        try await write("deleting repository \(id)") { connection in
            guard let repository = try await connection.record(
                RepositoryRecord.self, "SELECT record FROM repositories WHERE id = \(id.rawValue)", logger, "repository \(id)")
            else { throw StoreError.notFound(kind: "repository", id: id.rawValue) }
            let contained = try await connection.records(
                PipelineRecord.self, "SELECT record FROM pipelines WHERE repository_id = \(id.rawValue) ORDER BY id", logger,
                "a pipeline of repository \(id)")
            if !contained.isEmpty && !includingPipelines {
                throw StoreError.repositoryNotEmpty(repository: repository.name, pipelines: contained.count)
            }
            for pipeline in contained { try await removePipeline(connection, pipeline, orphaning: orphaning) }
            try await connection.run("DELETE FROM repositories WHERE id = \(id.rawValue)", logger)
        }
    }

    /// Deletes a pipeline with its configurations, datasets, runs and triggers (by cascade),
    /// after replacing each of its models by what `orphaning` returns, undeploying its scope
    /// (an undeploy record in the history, which stays) and freeing its endpoint names with
    /// their tokens — in one transaction.
    ///
    /// ```swift
    /// try await store.deletePipeline(id, orphaning: rule)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)``, ``Pipelines/StoreError/backend(_:)``.
    public func deletePipeline(_ id: PipelineID, orphaning: ModelOrphaning) async throws {
        try await write("deleting pipeline \(id)") { connection in
            guard let record = try await Self.fetchPipeline(connection, id, logger) else {
                throw StoreError.notFound(kind: "pipeline", id: id.rawValue)
            }
            try await removePipeline(connection, record, orphaning: orphaning)
        }
    }

    private func removePipeline(_ connection: PostgresConnection, _ record: PipelineRecord, orphaning: ModelOrphaning) async throws {
        let models = try await connection.records(
            ModelRecord.self, "SELECT record FROM models WHERE pipeline_id = \(record.id.rawValue) ORDER BY id", logger,
            "a model of pipeline \(record.id)")
        for model in models {
            let orphan = orphaning(model, record)
            guard orphan.id == model.id, orphan.origin.pipelineID == nil else {
                throw StoreError.backend("the orphaning rule must keep the model's id and detach it from pipeline \(record.id)")
            }
            try await Self.updateModelRow(connection, orphan, logger)
        }
        let scope = DeploymentScope.pipeline(record.id)
        if let current = try await Self.currentModel(connection, in: scope, logger) {
            _ = try await appendDeployment(connection, nil, in: scope, replacing: current)
        }
        let (kind, scopeID) = scope.storageColumns
        try await connection.run("DELETE FROM endpoints WHERE scope_kind = \(kind) AND scope_id = \(scopeID)", logger)  // tokens by cascade
        try await connection.run("DELETE FROM pipelines WHERE id = \(record.id.rawValue)", logger)
    }
}
