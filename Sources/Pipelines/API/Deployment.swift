public import Foundation
public import Tabular

/// What a deployment call did: the scope's record afterwards, and whether it changed (false
/// when the model asked for was deployed already, or nothing was deployed to undeploy).
public struct DeploymentChange: Sendable, Hashable {
    /// The scope's latest deployment record after the call.
    public var record: DeploymentRecord
    /// Whether the call appended a record (switched the deployed model).
    public var changed: Bool

    /// A deployment change.
    public init(record: DeploymentRecord, changed: Bool) {
        self.record = record
        self.changed = changed
    }

    /// The change of a store swap, when the scope has a record.
    init?(_ swap: DeploymentSwap) {
        guard let record = swap.record else { return nil }
        self.init(record: record, changed: swap.changed)
    }

    /// The model deployed after the call (nil: none).
    public var modelID: ModelID? { record.modelID }
    /// The model deployed before the record's switch.
    public var previousModelID: ModelID? { record.previousModelID }
}

/// The one deployed model of a pipeline, or of a standalone model line — and the only
/// place it changes.
///
/// Every change is one atomic swap in the store, so a scope never has two deployed models
/// and a listing never shows two; each switch is appended to the scope's history with the
/// model it really replaced. Automatic deployment (the deployment job) goes through the
/// same path.
///
/// ```swift
/// let deployment = pipeline.deployment
/// try await deployment.deploy(candidate)                            // swap, whoever deployed meanwhile
/// try await deployment.deploy(candidate, ifCurrent: expected)       // compare-and-swap
/// try await deployment.update { current in better(than: current) }  // read, decide, swap; retried
/// let answer = try await deployment.predict([["petal_length": 1.4, "petal_width": 0.2]])
/// try await deployment.rollback()
/// ```
public struct Deployment: Sendable, Hashable {
    /// What the deployment belongs to: a pipeline or a standalone model line.
    public let scope: DeploymentScope
    let workspace: Workspace

    init(scope: DeploymentScope, workspace: Workspace) {
        self.scope = scope
        self.workspace = workspace
    }

    public static func == (lhs: Deployment, rhs: Deployment) -> Bool { lhs.scope == rhs.scope && lhs.workspace === rhs.workspace }
    public func hash(into hasher: inout Hasher) { hasher.combine(scope) }

    private var store: any PipelineStorage { workspace.store }

    // MARK: Reading

    /// The deployed model's record, or nil when none is deployed.
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` when the pipeline is gone.
    public func current() async throws(PipelineError) -> ModelRecord? {
        try await requireScope()
        guard let id = try await storage({ try await store.deployment(in: scope) })?.modelID else { return nil }
        return try await storage { try await store.model(id) }
    }

    /// Every switch of this scope, oldest first: which model was deployed when, replacing
    /// which (a nil model is an undeploy).
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func history() async throws(PipelineError) -> [DeploymentRecord] {
        try await storage { try await store.deploymentHistory(in: scope) }
    }

    /// The model that was deployed at `date` (nil: none was), from the append-only history.
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func model(at date: Date) async throws(PipelineError) -> ModelID? {
        try await history().last { $0.deployedAt <= date }?.modelID
    }

    // MARK: Changing

    /// Deploys `model`: an atomic swap that succeeds whenever the model is deployable,
    /// whoever deployed meanwhile (the history records the model really replaced).
    /// Deploying the model that is deployed already changes nothing and returns its record.
    ///
    /// - Parameter model: A model of this pipeline (or line), not rejected, with its artifact.
    /// - Returns: The scope's deployment record after the swap, and whether it changed.
    /// - Throws: ``PipelineError/notDeployable(model:reason:)``, ``PipelineError/notFound(_:)``.
    @discardableResult
    public func deploy(_ model: ModelID) async throws(PipelineError) -> DeploymentChange {
        try change(try await swap(to: model, expecting: .anyModel), model)
    }

    /// Deploys `model` only if `expected` is deployed now (nil: if nothing is): a
    /// compare-and-swap for hosts that decide from what they read.
    ///
    /// - Throws: ``PipelineError/store(_:)`` with
    ///   ``StoreError/deploymentConflict(scope:expected:found:)`` when another model is
    ///   deployed; ``PipelineError/notDeployable(model:reason:)``.
    @discardableResult
    public func deploy(_ model: ModelID, ifCurrent expected: ModelID?) async throws(PipelineError) -> DeploymentChange {
        try change(try await swap(to: model, expecting: .current(expected)), model)
    }

    /// Reads the deployed model, lets `decide` choose the model to deploy (nil: undeploy;
    /// the current one: leave it), and swaps only if nothing changed meanwhile; when
    /// another deployment won the race, reads again and asks again, up to `attempts` times.
    ///
    /// ```swift
    /// try await pipeline.deployment.update { current in
    ///     current.map { $0.testingScore(named: "accuracy") ?? 0 } ?? 0 < 0.9 ? candidate : current?.id
    /// }
    /// ```
    ///
    /// - Returns: The scope's deployment afterwards and whether it changed (nil when the
    ///   scope never had a deployment and `decide` chose none).
    /// - Throws: what `decide` throws; ``PipelineError/store(_:)`` with
    ///   ``StoreError/deploymentConflict(scope:expected:found:)`` when every attempt lost a
    ///   race; ``PipelineError/notDeployable(model:reason:)``.
    @discardableResult
    public func update(
        attempts: Int = 8, _ decide: (_ current: ModelRecord?) async throws(PipelineError) -> ModelID?
    ) async throws(PipelineError) -> DeploymentChange? {
        var conflict = PipelineError.store(.deploymentConflict(scope: scope, expected: nil, found: nil))
        for _ in 0..<max(attempts, 1) {
            let current = try await current()
            let chosen = try await decide(current)
            do {
                return DeploymentChange(try await swap(to: chosen, expecting: .current(current?.id)))
            } catch .store(.deploymentConflict(let scope, let expected, let found)) {
                conflict = .store(.deploymentConflict(scope: scope, expected: expected, found: found))
                continue
            }
        }
        throw conflict
    }

    /// Undeploys: afterwards no model is deployed in this scope (predictions answer
    /// ``PipelineError/nothingDeployed(_:)``).
    ///
    /// - Returns: The undeploy record (``DeploymentChange/changed`` false when nothing was
    ///   deployed), or nil when the scope never had a deployment.
    /// - Throws: ``PipelineError/notFound(_:)``.
    @discardableResult
    public func undeploy() async throws(PipelineError) -> DeploymentChange? {
        DeploymentChange(try await swap(to: nil, expecting: .anyModel))
    }

    /// Deploys again the model deployed before the current one (the current record's
    /// ``DeploymentRecord/previousModelID``). Rolling back twice returns to where you
    /// started: each rollback is a switch like any other, so repeated rollbacks alternate
    /// between the two latest models. Use ``rollback(to:)`` to go further back.
    ///
    /// - Throws: ``PipelineError/nothingToRollBack(_:)`` when no model was deployed before;
    ///   ``PipelineError/notDeployable(model:reason:)`` when that model was erased or
    ///   rejected since; ``PipelineError/store(_:)`` when another deployment happened meanwhile.
    @discardableResult
    public func rollback() async throws(PipelineError) -> DeploymentChange {
        guard let latest = try await storage({ try await store.deployment(in: scope) }), let previous = latest.previousModelID else {
            throw .nothingToRollBack(scope)
        }
        return try await deploy(previous, ifCurrent: latest.modelID)
    }

    /// Deploys again `model`, which must have been deployed in this scope before.
    ///
    /// - Throws: ``PipelineError/nothingToRollBack(_:)`` when the model was never deployed
    ///   here; ``PipelineError/notDeployable(model:reason:)`` when it was erased or rejected.
    @discardableResult
    public func rollback(to model: ModelID) async throws(PipelineError) -> DeploymentChange {
        guard try await history().contains(where: { $0.modelID == model }) else { throw .nothingToRollBack(scope) }
        return try await deploy(model)
    }

    // MARK: Predicting

    /// Predictions of the deployed model for records of feature name → value.
    ///
    /// Predictions read the cached deployment (see ``loadedModel()``), so a handle of a
    /// deleted pipeline answers ``PipelineError/nothingDeployed(_:)`` rather than `notFound`.
    ///
    /// ```swift
    /// let predictions = try await pipeline.deployment.predict([["temperature": 21.5, "line": "red"]])
    /// predictions.values       // labels in their original form
    /// ```
    ///
    /// - Throws: ``PipelineError/invalidInput(record:feature:reason:)`` naming the record
    ///   and feature of a missing, unknown, null or wrongly typed value;
    ///   ``PipelineError/nothingDeployed(_:)``.
    /// - Complexity: O(records × features) to encode, plus the model's prediction cost.
    public func predict(_ records: [[String: Value]]) async throws(PipelineError) -> Predictions {
        let model = try await loadedModel()
        return try model.predict(matrix: try RecordInput.matrix(records, for: model), withProbabilities: true)
    }

    /// Predictions of the deployed model for a table holding its features (other columns
    /// are ignored).
    ///
    /// - Throws: ``PipelineError/nothingDeployed(_:)``, ``PipelineError/data(_:)`` for a
    ///   missing feature column or value.
    /// - Complexity: O(rows × features) to encode, plus the model's prediction cost.
    public func predict(_ table: Table) async throws(PipelineError) -> Predictions {
        try await loadedModel().predict(table)
    }

    /// The deployed model, decoded once and then shared by every call (immutable: a
    /// redeploy never disturbs predictions in flight on it). A deployment made through
    /// this workspace applies at once; one made by another process within
    /// ``Workspace/deploymentRefresh``.
    ///
    /// - Throws: ``PipelineError/nothingDeployed(_:)``, ``PipelineError/invalidArtifact(model:reason:)``.
    public func loadedModel() async throws(PipelineError) -> LoadedModel {
        let now = workspace.refreshClock.now
        let refresh = workspace.deploymentRefresh
        let scope = scope
        let cached = workspace.state.withLock { state -> (ModelID?, LoadedModel?)? in
            let entry = state.deployed[scope]
            switch state.deployedRefresh.decide(scope, readAt: entry?.readAt, now: now, refresh: refresh) {
            case .fresh, .stale: return entry.map { ($0.model, $0.model.flatMap { state.loaded[$0] }) }
            case .read: return nil
            }
        }
        if let loaded = cached?.1 { return loaded }
        let modelID: ModelID?
        if let cached {
            modelID = cached.0
        } else {
            defer { workspace.state.withLock { $0.deployedRefresh.finished(scope) } }
            modelID = try await storage { try await store.deployment(in: scope) }?.modelID
            // A deploy published while this read was under way is newer: keep it.
            workspace.state.withLock { state in
                if let newer = state.deployed[scope], newer.readAt > now { return }
                state.deployed[scope] = (modelID, now)
            }
        }
        guard let modelID else { throw .nothingDeployed(scope) }
        return try await workspace.registry.loadedModel(modelID)
    }

    // MARK: The one path every change takes

    /// Checks the core's deployability rule, then swaps in the store and publishes.
    /// (A deleted pipeline is refused by the store's swap: `notFound(.pipeline(id))`.)
    func swap(to model: ModelID?, expecting expected: DeploymentExpectation) async throws(PipelineError) -> DeploymentSwap {
        if let model {
            guard let record = try await storage({ try await store.model(model) }) else {
                throw .notDeployable(model: model, reason: "no such model")
            }
            // The artifact's presence is checked by the store, inside the swap's transaction.
            if let problem = ModelRules.deploymentProblem(record, in: scope) {
                // A deleted pipeline's handle: say so rather than blame its (now orphaned) model.
                try await requireScope()
                throw .notDeployable(model: model, reason: problem)
            }
        }
        let swap = try await storage { try await store.swapDeployment(in: scope, to: model, expecting: expected) }
        if swap.changed, let record = swap.record {
            workspace.logger.debug("\(scope): deployed model \(model?.rawValue ?? "none") (was \(record.previousModelID?.rawValue ?? "none"))")
            workspace.publish(.deployed(record))
        }
        return swap
    }

    /// Throws `notFound` when the pipeline of a pipeline scope was deleted.
    private func requireScope() async throws(PipelineError) {
        if case .pipeline(let id) = scope, try await storage({ try await store.pipeline(id) }) == nil {
            throw .notFound(.pipeline(id))
        }
    }

    /// The change of a swap to `model`: a store always has a record then (the new one, or
    /// the current one naming `model`); one that does not is failing.
    private func change(_ swap: DeploymentSwap, _ model: ModelID) throws(PipelineError) -> DeploymentChange {
        guard let record = swap.record, record.modelID == model else {
            throw .backend("the store answered a deployment of \(model) in \(scope) without its record")
        }
        return DeploymentChange(record: record, changed: swap.changed)
    }
}
