import Foundation
import GRDB
public import Pipelines

// MARK: - DeploymentStore

extension SQLiteStore {
    /// The scope's latest deployment record (with a nil model after an undeploy), if it
    /// ever had one.
    ///
    /// ```swift
    /// let deployed = try await store.deployment(in: .pipeline(id))?.modelID
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func deployment(in scope: DeploymentScope) async throws -> DeploymentRecord? {
        let key = ScopeKey(scope)
        return try await read("reading the deployment of \(key.kind) \(key.id)") { db in
            try Row.fetchOne(
                db, sql: """
                    SELECT h.model_id, h.previous_model_id, h.deployed_at FROM deployment_current AS c
                    JOIN deployment_history AS h ON h.sequence = c.sequence
                    WHERE c.scope_kind = ? AND c.scope_id = ?
                    """,
                arguments: [key.kind, key.id]
            ).map { Self.deploymentRecord($0, in: scope) }
        }
    }

    /// Deploys `model` (or undeploys with nil) if and only if the scope's current model is
    /// `expected`: reads the current model, checks, appends the history record stamped
    /// with the store's clock and moves the scope's pointer, all in one `IMMEDIATE`
    /// transaction, so exactly one of several racing swaps from the same `expected` wins,
    /// across processes too.
    ///
    /// ```swift
    /// let current = try await store.deployment(in: .pipeline(id))?.modelID
    /// try await store.deploy(candidate, in: .pipeline(id), expecting: current)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown pipeline;
    ///   ``Pipelines/StoreError/notDeployable(model:reason:)`` for an unknown or rejected
    ///   model, one without artifact, one of another pipeline, a pipeline model in a
    ///   standalone scope or a model of another line;
    ///   ``Pipelines/StoreError/deploymentConflict(scope:expected:found:)`` when the current
    ///   model is not `expected`; ``Pipelines/StoreError/backend(_:)``.
    @discardableResult
    public func deploy(_ model: ModelID?, in scope: DeploymentScope, expecting expected: ModelID?) async throws -> DeploymentRecord {
        let key = ScopeKey(scope)
        return try await write("deploying \(model?.rawValue ?? "nothing") in \(key.kind) \(key.id)") { db in
            if case .pipeline(let pipelineID) = scope { try Self.requirePipeline(db, pipelineID) }
            if let model { try Self.checkDeployable(db, model, in: scope) }
            let current = try Self.currentModel(db, in: scope)
            guard current == expected else { throw StoreError.deploymentConflict(scope: scope, expected: expected, found: current) }
            return try appendDeployment(db, model, in: scope, replacing: current)
        }
    }

    /// Every deployment record of the scope, oldest first.
    ///
    /// ```swift
    /// for record in try await store.deploymentHistory(in: .pipeline(id)) { print(record.deployedAt, record.modelID as Any) }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func deploymentHistory(in scope: DeploymentScope) async throws -> [DeploymentRecord] {
        let key = ScopeKey(scope)
        return try await read("reading the deployment history of \(key.kind) \(key.id)") { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT model_id, previous_model_id, deployed_at FROM deployment_history
                    WHERE scope_kind = ? AND scope_id = ? ORDER BY sequence
                    """,
                arguments: [key.kind, key.id]
            ).map { Self.deploymentRecord($0, in: scope) }
        }
    }

    /// Appends a history record replacing `current` by `model`, stamped now, and points
    /// the scope at it. Runs inside the caller's transaction, after its checks.
    func appendDeployment(_ db: Database, _ model: ModelID?, in scope: DeploymentScope,
                          replacing current: ModelID?) throws -> DeploymentRecord {
        let record = DeploymentRecord(scope: scope, modelID: model, previousModelID: current, deployedAt: clock.now)
        let key = ScopeKey(scope)
        try db.execute(
            sql: """
                INSERT INTO deployment_history (scope_kind, scope_id, model_id, previous_model_id, deployed_at)
                VALUES (?, ?, ?, ?, ?)
                """,
            arguments: [key.kind, key.id, model?.rawValue, current?.rawValue, record.deployedAt.timeIntervalSinceReferenceDate])
        try db.execute(
            sql: """
                INSERT INTO deployment_current (scope_kind, scope_id, sequence, model_id) VALUES (?, ?, ?, ?)
                ON CONFLICT (scope_kind, scope_id) DO UPDATE SET sequence = excluded.sequence, model_id = excluded.model_id
                """,
            arguments: [key.kind, key.id, db.lastInsertedRowID, model?.rawValue])
        return record
    }

    /// Throws `notDeployable` unless the model exists, is not rejected, has an artifact,
    /// and belongs to the scope (its pipeline, or its standalone line).
    private static func checkDeployable(_ db: Database, _ id: ModelID, in scope: DeploymentScope) throws {
        guard let row = try Row.fetchOne(
            db, sql: """
                SELECT pipeline_id, line_id, status, EXISTS (SELECT 1 FROM model_artifacts WHERE model_id = models.id) AS has_artifact
                FROM models WHERE id = ?
                """,
            arguments: [id.rawValue])
        else { throw StoreError.notDeployable(model: id, reason: "no such model") }
        let pipelineID: String? = row["pipeline_id"]
        let lineID: String? = row["line_id"]
        guard (row["status"] as String) != ModelStatus.rejected.rawValue else {
            throw StoreError.notDeployable(model: id, reason: "it was rejected in testing")
        }
        guard row["has_artifact"] as Bool else { throw StoreError.notDeployable(model: id, reason: "it has no artifact") }
        switch scope {
        case .pipeline(let pipeline):
            guard pipelineID == pipeline.rawValue else {
                throw StoreError.notDeployable(model: id, reason: "it belongs to another pipeline")
            }
        case .standalone(let line):
            guard pipelineID == nil else {
                throw StoreError.notDeployable(model: id, reason: "it is a pipeline model; deploy it in its pipeline")
            }
            guard lineID == line.rawValue else { throw StoreError.notDeployable(model: id, reason: "it belongs to another model line") }
        }
    }

    /// A history row as a record of `scope`.
    private static func deploymentRecord(_ row: Row, in scope: DeploymentScope) -> DeploymentRecord {
        DeploymentRecord(
            scope: scope, modelID: (row["model_id"] as String?).map(ModelID.init),
            previousModelID: (row["previous_model_id"] as String?).map(ModelID.init),
            deployedAt: Date(timeIntervalSinceReferenceDate: row["deployed_at"]))
    }
}
