import Foundation
import Logging
public import Pipelines
import PostgresNIO

// MARK: - DeploymentStore

extension PostgresStore {
    /// The scope's latest deployment record, if it ever had one.
    ///
    /// ```swift
    /// let current = try await store.deployment(in: .pipeline(id))?.modelID
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)``.
    public func deployment(in scope: DeploymentScope) async throws -> DeploymentRecord? {
        try await readStatement("reading the deployment of \(scope)") { connection in try await Self.latestRecord(connection, in: scope, logger) }
    }

    /// Points the scope at `model` (nil: undeploys) in one transaction that takes the
    /// scope's transaction lock (concurrent swaps of a scope take turns, each reading what
    /// the previous one committed), reads the current model, checks `expected`, appends a
    /// history record and moves the pointer; the scope's primary key in
    /// `deployment_current` never holds two rows, and the history's triggers keep it append-only.
    ///
    /// ```swift
    /// let swap = try await store.swapDeployment(in: .pipeline(id), to: candidate, expecting: .current(deployed))
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/deploymentConflict(scope:expected:found:)``,
    ///   ``Pipelines/StoreError/notDeployable(model:reason:)``,
    ///   ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown pipeline,
    ///   ``Pipelines/StoreError/backend(_:)``.
    @discardableResult
    public func swapDeployment(
        in scope: DeploymentScope, to model: ModelID?, expecting expected: DeploymentExpectation
    ) async throws -> DeploymentSwap {
        let (kind, id) = scope.storageColumns
        // Swaps of one scope take turns on a transaction lock (READ COMMITTED: each statement
        // then reads what the previous holder committed), so racing deployers wait instead
        // of failing serialization; the database's keys still guard what they guarded.
        return try await write("deploying \(model?.rawValue ?? "nothing") in \(scope)", rowLocked: true) { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(hashtextextended(\(kind + ":" + id), 0))", logger)
            if case .pipeline(let pipelineID) = scope { try await Self.requirePipeline(connection, pipelineID, logger) }
            if let model { try await Self.requireArtifact(connection, model, logger) }
            let current = try await Self.currentModel(connection, in: scope, logger)
            if case .current(let wanted) = expected, wanted != current {
                throw StoreError.deploymentConflict(scope: scope, expected: wanted, found: current)
            }
            if current == model { return DeploymentSwap(record: try await Self.latestRecord(connection, in: scope, logger), changed: false) }
            return DeploymentSwap(record: try await appendDeployment(connection, model, in: scope, replacing: current), changed: true)
        }
    }

    /// Every deployment record of the scope, oldest first.
    ///
    /// ```swift
    /// for record in try await store.deploymentHistory(in: .pipeline(id)) { print(record.deployedAt, record.modelID as Any) }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)``.
    public func deploymentHistory(in scope: DeploymentScope) async throws -> [DeploymentRecord] {
        let (kind, id) = scope.storageColumns
        return try await read("reading the deployment history of \(scope)") { connection in
            var records: [DeploymentRecord] = []
            let rows = try await connection.query(
                """
                SELECT model_id, previous_model_id, deployed_at FROM deployment_history
                WHERE scope_kind = \(kind) AND scope_id = \(id) ORDER BY sequence
                """, logger: logger)
            for try await (model, previous, deployedAt) in rows.decode((String?, String?, Double).self) {
                records.append(DeploymentRecord(scope: scope, modelID: model.map(ModelID.init), previousModelID: previous.map(ModelID.init),
                                                deployedAt: Date(stored: deployedAt)))
            }
            return records
        }
    }

    /// Writes `records` as the whole history of a scope that has none, with their own
    /// dates, and points the scope at the last record's model, in one `SERIALIZABLE`
    /// transaction (see ``Pipelines/DeploymentStore/restoreDeploymentHistory(_:in:)``; the
    /// history table's triggers forbid changing rows, not adding them).
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
        let (kind, id) = scope.storageColumns
        try await write("restoring the deployment history of \(scope)") { connection in
            let existing = try await connection.value(
                Int64.self, "SELECT count(*) FROM deployment_history WHERE scope_kind = \(kind) AND scope_id = \(id)", logger) ?? 0
            guard existing == 0 else { throw StoreError.deploymentHistoryExists(scope: scope, records: Int(existing)) }
            if let deployed {
                if case .pipeline(let pipelineID) = scope { try await Self.requirePipeline(connection, pipelineID, logger) }
                try await Self.requireArtifact(connection, deployed, logger)
            }
            var sequence: Int64 = 0
            for record in records { sequence = try await insertHistory(connection, record) }
            try await point(connection, scope, at: sequence, deployed)
        }
    }

    /// Appends a history record stamped with the store's clock and points the scope at it.
    func appendDeployment(
        _ connection: PostgresConnection, _ model: ModelID?, in scope: DeploymentScope, replacing current: ModelID?
    ) async throws -> DeploymentRecord {
        let record = DeploymentRecord(scope: scope, modelID: model, previousModelID: current, deployedAt: clock.now)
        try await point(connection, scope, at: try await insertHistory(connection, record), model)
        return record
    }

    /// Appends `record` to its scope's history (inside the caller's transaction).
    ///
    /// - Returns: Its sequence number.
    private func insertHistory(_ connection: PostgresConnection, _ record: DeploymentRecord) async throws -> Int64 {
        let (kind, id) = record.scope.storageColumns
        guard let sequence = try await connection.value(
            Int64.self,
            """
            INSERT INTO deployment_history (scope_kind, scope_id, model_id, previous_model_id, deployed_at)
            VALUES (\(kind), \(id), \(record.modelID?.rawValue), \(record.previousModelID?.rawValue), \(record.deployedAt.stored))
            RETURNING sequence
            """, logger)
        else { throw StoreError.backend("appending to the deployment history of \(record.scope) returned no sequence") }
        return sequence
    }

    /// Points the scope at the history record `sequence`, which deploys `model` (inside the
    /// caller's transaction, after its checks: the model exists).
    private func point(_ connection: PostgresConnection, _ scope: DeploymentScope, at sequence: Int64, _ model: ModelID?) async throws {
        let (kind, id) = scope.storageColumns
        try await connection.run(
            """
            INSERT INTO deployment_current (scope_kind, scope_id, sequence, model_id) VALUES (\(kind), \(id), \(sequence), \(model?.rawValue))
            ON CONFLICT (scope_kind, scope_id) DO UPDATE SET sequence = excluded.sequence, model_id = excluded.model_id
            """, logger)
    }

    /// The model deployed now in `scope` (nil when none, or never deployed).
    static func currentModel(_ connection: PostgresConnection, in scope: DeploymentScope, _ logger: Logger) async throws -> ModelID? {
        let (kind, id) = scope.storageColumns
        let current = try await connection.value(
            String?.self, "SELECT model_id FROM deployment_current WHERE scope_kind = \(kind) AND scope_id = \(id)", logger)
        return current.flatMap { $0 }.map(ModelID.init)
    }

    private static func requireArtifact(_ connection: PostgresConnection, _ id: ModelID, _ logger: Logger) async throws {
        guard try await connection.exists("SELECT 1 FROM models WHERE id = \(id.rawValue)", logger) else {
            throw StoreError.notDeployable(model: id, reason: "no such model")
        }
        guard try await connection.exists("SELECT 1 FROM model_artifacts WHERE model_id = \(id.rawValue)", logger) else {
            throw StoreError.notDeployable(model: id, reason: "it has no artifact")
        }
    }

    private static func latestRecord(_ connection: PostgresConnection, in scope: DeploymentScope, _ logger: Logger) async throws -> DeploymentRecord? {
        let (kind, id) = scope.storageColumns
        let rows = try await connection.query(
            """
            SELECT h.model_id, h.previous_model_id, h.deployed_at FROM deployment_current AS c
            JOIN deployment_history AS h ON h.sequence = c.sequence
            WHERE c.scope_kind = \(kind) AND c.scope_id = \(id)
            """, logger: logger)
        for try await (model, previous, deployedAt) in rows.decode((String?, String?, Double).self) {
            return DeploymentRecord(scope: scope, modelID: model.map(ModelID.init), previousModelID: previous.map(ModelID.init),
                                    deployedAt: Date(stored: deployedAt))
        }
        return nil
    }
}
