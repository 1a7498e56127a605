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
        return try await read("reading the deployment of \(key.kind) \(key.id)") { db in try Self.latestRecord(db, in: scope) }
    }

    /// Points the scope at `model` (nil: undeploys): reads the current model, checks
    /// `expected`, appends the history record stamped with the store's clock (its previous
    /// model is the one really replaced) and moves the scope's pointer, all in one
    /// `IMMEDIATE` transaction, so racing swaps serialise, across processes too. Swapping to
    /// the model already deployed appends nothing.
    ///
    /// ```swift
    /// let swap = try await store.swapDeployment(in: .pipeline(id), to: candidate, expecting: .anyModel)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown pipeline;
    ///   ``Pipelines/StoreError/notDeployable(model:reason:)`` for an unknown model or one
    ///   without artifact; ``Pipelines/StoreError/deploymentConflict(scope:expected:found:)``
    ///   when `expected` names another current model; ``Pipelines/StoreError/backend(_:)``.
    @discardableResult
    public func swapDeployment(
        in scope: DeploymentScope, to model: ModelID?, expecting expected: DeploymentExpectation
    ) async throws -> DeploymentSwap {
        let key = ScopeKey(scope)
        return try await write("deploying \(model?.rawValue ?? "nothing") in \(key.kind) \(key.id)") { db in
            if case .pipeline(let pipelineID) = scope { try Self.requirePipeline(db, pipelineID) }
            if let model { try Self.requireArtifact(db, model) }
            let current = try Self.currentModel(db, in: scope)
            if case .current(let wanted) = expected, wanted != current {
                throw StoreError.deploymentConflict(scope: scope, expected: wanted, found: current)
            }
            if current == model { return DeploymentSwap(record: try Self.latestRecord(db, in: scope), changed: false) }
            return DeploymentSwap(record: try appendDeployment(db, model, in: scope, replacing: current), changed: true)
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

    /// Writes `records` as the whole history of a scope that has none, with their own
    /// dates, and points the scope at the last record's model, in one `IMMEDIATE`
    /// transaction (see ``Pipelines/DeploymentStore/restoreDeploymentHistory(_:in:)``).
    ///
    /// ```swift
    /// try await target.restoreDeploymentHistory(try await source.deploymentHistory(in: scope), in: scope)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/invalidDeploymentHistory(scope:index:reason:)``,
    ///   ``Pipelines/StoreError/deploymentHistoryExists(scope:records:)``,
    ///   ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown pipeline,
    ///   ``Pipelines/StoreError/notDeployable(model:reason:)``, ``Pipelines/StoreError/backend(_:)``.
    public func restoreDeploymentHistory(_ records: [DeploymentRecord], in scope: DeploymentScope) async throws {
        let deployed = try DeploymentRecord.validateRestoredHistory(records, in: scope)
        guard !records.isEmpty else { return }
        let key = ScopeKey(scope)
        try await write("restoring the deployment history of \(key.kind) \(key.id)") { db in
            let existing = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM deployment_history WHERE scope_kind = ? AND scope_id = ?", arguments: [key.kind, key.id]) ?? 0
            guard existing == 0 else { throw StoreError.deploymentHistoryExists(scope: scope, records: existing) }
            if let deployed {
                if case .pipeline(let pipelineID) = scope { try Self.requirePipeline(db, pipelineID) }
                try Self.requireArtifact(db, deployed)
            }
            var sequence: Int64 = 0
            for record in records { sequence = try Self.insertHistory(db, record) }
            try Self.point(db, scope, at: sequence, deployed)
        }
    }

    /// Appends a history record replacing `current` by `model`, stamped now, and points
    /// the scope at it. Runs inside the caller's transaction, after its checks.
    func appendDeployment(_ db: Database, _ model: ModelID?, in scope: DeploymentScope,
                          replacing current: ModelID?) throws -> DeploymentRecord {
        let record = DeploymentRecord(scope: scope, modelID: model, previousModelID: current, deployedAt: clock.now)
        try Self.point(db, scope, at: try Self.insertHistory(db, record), model)
        return record
    }

    /// Appends `record` to its scope's history (inside the caller's transaction).
    ///
    /// - Returns: Its sequence number.
    private static func insertHistory(_ db: Database, _ record: DeploymentRecord) throws -> Int64 {
        let key = ScopeKey(record.scope)
        try db.execute(
            sql: """
                INSERT INTO deployment_history (scope_kind, scope_id, model_id, previous_model_id, deployed_at)
                VALUES (?, ?, ?, ?, ?)
                """,
            arguments: [key.kind, key.id, record.modelID?.rawValue, record.previousModelID?.rawValue,
                        record.deployedAt.timeIntervalSinceReferenceDate])
        return db.lastInsertedRowID
    }

    /// Points the scope at the history record `sequence`, which deploys `model` (inside the
    /// caller's transaction, after its checks: the model exists).
    private static func point(_ db: Database, _ scope: DeploymentScope, at sequence: Int64, _ model: ModelID?) throws {
        let key = ScopeKey(scope)
        try db.execute(
            sql: """
                INSERT INTO deployment_current (scope_kind, scope_id, sequence, model_id) VALUES (?, ?, ?, ?)
                ON CONFLICT (scope_kind, scope_id) DO UPDATE SET sequence = excluded.sequence, model_id = excluded.model_id
                """,
            arguments: [key.kind, key.id, sequence, model?.rawValue])
    }

    /// Throws `notDeployable` unless the model exists and has its artifact (what the store
    /// must guarantee to stay consistent; what is deployable where is the core's rule).
    private static func requireArtifact(_ db: Database, _ id: ModelID) throws {
        guard try exists(db, "models", id: id.rawValue) else { throw StoreError.notDeployable(model: id, reason: "no such model") }
        guard try exists(db, "model_artifacts", id: id.rawValue, column: "model_id") else {
            throw StoreError.notDeployable(model: id, reason: "it has no artifact")
        }
    }

    /// The scope's latest record, if any.
    private static func latestRecord(_ db: Database, in scope: DeploymentScope) throws -> DeploymentRecord? {
        let key = ScopeKey(scope)
        return try Row.fetchOne(
            db, sql: """
                SELECT h.model_id, h.previous_model_id, h.deployed_at FROM deployment_current AS c
                JOIN deployment_history AS h ON h.sequence = c.sequence
                WHERE c.scope_kind = ? AND c.scope_id = ?
                """,
            arguments: [key.kind, key.id]
        ).map { deploymentRecord($0, in: scope) }
    }

    /// A history row as a record of `scope`.
    private static func deploymentRecord(_ row: Row, in scope: DeploymentScope) -> DeploymentRecord {
        DeploymentRecord(
            scope: scope, modelID: (row["model_id"] as String?).map(ModelID.init),
            previousModelID: (row["previous_model_id"] as String?).map(ModelID.init),
            deployedAt: Date(timeIntervalSinceReferenceDate: row["deployed_at"]))
    }
}
