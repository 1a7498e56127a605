public import Foundation

/// A ``PipelineStorage`` kept in memory: for tests, previews and hosts that persist
/// nothing. An actor, so every method is one atomic step.
///
/// ```swift
/// let store = InMemoryStore(clock: ManualWallClock(now: Date(timeIntervalSince1970: 0)))
/// let workspace = Workspace(store: store)
/// ```
public actor InMemoryStore: PipelineStorage {
    let clock: any WallClock
    private var repositoryRecords: [RepositoryID: RepositoryRecord] = [:]
    var pipelineRecords: [PipelineID: PipelineRecord] = [:]
    private var configurationRecords: [PipelineID: [ConfigurationRecord]] = [:]
    private var datasetSnapshots: [PipelineID: DatasetSnapshot] = [:]
    private var modelRecords: [ModelID: ModelRecord] = [:]
    private var artifacts: [ModelID: Data] = [:]
    private var history: [DeploymentScope: [DeploymentRecord]] = [:]
    private var runRecords: [RunID: RunRecord] = [:]
    var triggerRecords: [TriggerID: TriggerRecord] = [:]
    var firingClaims: [TriggerID: FiringClaimRecord] = [:]
    private var leases: [String: LeaseRecord] = [:]
    private var endpointRecords: [String: EndpointRecord] = [:]
    private var tokenRecords: [TokenID: TokenRecord] = [:]
    /// The folder consumers' ledger (``FolderLedgerStore``, in InMemoryStore+FolderLedger.swift).
    var folderFileRecords: [FolderFileKey: FolderFileRecord] = [:]
    /// The run queue (``RunQueueStore``, in InMemoryStore+RunQueue.swift).
    var queuedRunRecords: [QueuedRunID: QueuedRunRecord] = [:]

    /// An empty store whose deployment records are stamped by `clock`.
    public init(clock: any WallClock = SystemWallClock()) {
        self.clock = clock
    }

    // MARK: Repositories

    public func insertRepository(_ repository: RepositoryRecord) throws {
        guard repositoryRecords[repository.id] == nil else { throw StoreError.duplicateID(kind: "repository", id: repository.id.rawValue) }
        try checkRepositoryName(repository.name, excluding: repository.id)
        repositoryRecords[repository.id] = repository
    }

    public func updateRepository(_ repository: RepositoryRecord) throws {
        guard repositoryRecords[repository.id] != nil else { throw StoreError.notFound(kind: "repository", id: repository.id.rawValue) }
        try checkRepositoryName(repository.name, excluding: repository.id)
        repositoryRecords[repository.id] = repository
    }

    public func repository(_ id: RepositoryID) -> RepositoryRecord? { repositoryRecords[id] }

    public func repositories() -> [RepositoryRecord] {
        repositoryRecords.values.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    public func deleteRepository(_ id: RepositoryID, includingPipelines: Bool, orphaning: ModelOrphaning) throws {
        guard let repository = repositoryRecords[id] else { throw StoreError.notFound(kind: "repository", id: id.rawValue) }
        let contained = pipelineRecords.values.filter { $0.repositoryID == id }
        if !contained.isEmpty && !includingPipelines {
            throw StoreError.repositoryNotEmpty(repository: repository.name, pipelines: contained.count)
        }
        for pipeline in contained { removePipeline(pipeline, orphaning: orphaning) }
        repositoryRecords[id] = nil
    }

    private func checkRepositoryName(_ name: String, excluding id: RepositoryID) throws {
        if repositoryRecords.values.contains(where: { $0.name == name && $0.id != id }) {
            throw StoreError.duplicateName(kind: "repository", name: name)
        }
    }

    // MARK: Pipelines

    public func insertPipeline(_ pipeline: PipelineRecord) throws {
        guard repositoryRecords[pipeline.repositoryID] != nil else {
            throw StoreError.notFound(kind: "repository", id: pipeline.repositoryID.rawValue)
        }
        try checkPipelineName(pipeline.name, in: pipeline.repositoryID, excluding: pipeline.id)
        guard pipelineRecords[pipeline.id] == nil else { throw StoreError.duplicateID(kind: "pipeline", id: pipeline.id.rawValue) }
        var record = pipeline
        record.configurationVersion = 0
        pipelineRecords[pipeline.id] = record
        configurationRecords[pipeline.id] = []
    }

    public func renamePipeline(_ id: PipelineID, to name: String, at date: Date) throws -> PipelineRecord {
        guard var record = pipelineRecords[id] else { throw StoreError.notFound(kind: "pipeline", id: id.rawValue) }
        try checkPipelineName(name, in: record.repositoryID, excluding: id)
        record.name = name
        record.updatedAt = date
        pipelineRecords[id] = record
        return record
    }

    public func pipeline(_ id: PipelineID) -> PipelineRecord? { pipelineRecords[id] }

    public func pipelines(in repository: RepositoryID?) -> [PipelineRecord] {
        pipelineRecords.values.filter { repository == nil || $0.repositoryID == repository }
            .sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    public func appendConfiguration(_ configuration: ConfigurationRecord) throws {
        guard var record = pipelineRecords[configuration.pipelineID] else {
            throw StoreError.notFound(kind: "pipeline", id: configuration.pipelineID.rawValue)
        }
        guard configuration.version == record.configurationVersion + 1 else {
            throw StoreError.versionConflict(
                pipeline: record.id, expected: configuration.version, found: record.configurationVersion)
        }
        record.configurationVersion = configuration.version
        record.updatedAt = configuration.savedAt
        pipelineRecords[record.id] = record
        configurationRecords[record.id, default: []].append(configuration)
    }

    public func configuration(of pipeline: PipelineID, version: Int?) -> ConfigurationRecord? {
        guard let versions = configurationRecords[pipeline] else { return nil }
        guard let version else { return versions.last }
        return versions.first { $0.version == version }
    }

    public func configurations(of pipeline: PipelineID) -> [ConfigurationRecord] { configurationRecords[pipeline] ?? [] }

    public func deletePipeline(_ id: PipelineID, orphaning: ModelOrphaning) throws {
        guard let record = pipelineRecords[id] else { throw StoreError.notFound(kind: "pipeline", id: id.rawValue) }
        removePipeline(record, orphaning: orphaning)
    }

    private func checkPipelineName(_ name: String, in repository: RepositoryID, excluding id: PipelineID) throws {
        if pipelineRecords.values.contains(where: { $0.repositoryID == repository && $0.name == name && $0.id != id }) {
            throw StoreError.duplicateName(kind: "pipeline", name: name)
        }
    }

    /// Removes a pipeline and what belongs to it; its models are replaced by `orphaning`'s.
    private func removePipeline(_ record: PipelineRecord, orphaning: ModelOrphaning) {
        let id = record.id
        pipelineRecords[id] = nil
        configurationRecords[id] = nil
        datasetSnapshots[id] = nil
        runRecords = runRecords.filter { $0.value.pipelineID != id }
        queuedRunRecords = queuedRunRecords.filter { $0.value.pipelineID != id }
        triggerRecords = triggerRecords.filter { $0.value.pipelineID != id }
        firingClaims = firingClaims.filter { triggerRecords[$0.key] != nil }
        for (modelID, model) in modelRecords where model.origin.pipelineID == id {
            modelRecords[modelID] = orphaning(model, record)
        }
        let scope = DeploymentScope.pipeline(id)
        freeEndpoints(endpointRecords.values.filter { $0.scope == scope }.map(\.name))
        if let current = history[scope]?.last?.modelID {
            history[scope, default: []].append(
                DeploymentRecord(scope: scope, modelID: nil, previousModelID: current, deployedAt: clock.now))
        }
    }

    // MARK: Datasets

    public func saveDatasets(_ snapshot: DatasetSnapshot, replacing previous: Int?) throws {
        guard pipelineRecords[snapshot.pipelineID] != nil else {
            throw StoreError.notFound(kind: "pipeline", id: snapshot.pipelineID.rawValue)
        }
        guard snapshot.isComplete else { throw StoreError.incompleteDatasets(pipeline: snapshot.pipelineID) }
        let stored = datasetSnapshots[snapshot.pipelineID]?.generation
        guard stored == previous else {
            throw StoreError.datasetConflict(pipeline: snapshot.pipelineID, expected: previous, found: stored)
        }
        datasetSnapshots[snapshot.pipelineID] = snapshot
    }

    /// The pipeline's whole snapshot (ledger, training and testing rows).
    public func datasets(of pipeline: PipelineID) -> DatasetSnapshot? { datasets(of: pipeline, rows: .all) }

    public func datasets(of pipeline: PipelineID, rows: DatasetRows) -> DatasetSnapshot? {
        guard var snapshot = datasetSnapshots[pipeline] else { return nil }
        if !rows.contains(.training) { snapshot.training = nil }
        if !rows.contains(.testing) { snapshot.testing = nil }
        return snapshot
    }

    // MARK: Models

    public func insertModel(_ model: ModelRecord, artifact: Data?) throws {
        if let pipelineID = model.origin.pipelineID, pipelineRecords[pipelineID] == nil {
            throw StoreError.notFound(kind: "pipeline", id: pipelineID.rawValue)
        }
        guard modelRecords[model.id] == nil else { throw StoreError.duplicateID(kind: "model", id: model.id.rawValue) }
        if let name = model.origin.importName,
           modelRecords.values.contains(where: { $0.origin.importName == name && $0.version == model.version }) {
            throw StoreError.duplicateVersion(line: name, version: model.version)
        }
        modelRecords[model.id] = model
        artifacts[model.id] = artifact
    }

    public func updateModel(_ model: ModelRecord, removingArtifact: Bool) throws {
        guard modelRecords[model.id] != nil else { throw StoreError.notFound(kind: "model", id: model.id.rawValue) }
        if removingArtifact && isDeployed(model.id) { throw StoreError.modelDeployed(model.id) }
        modelRecords[model.id] = model
        if removingArtifact { artifacts[model.id] = nil }
    }

    public func model(_ id: ModelID) -> ModelRecord? { modelRecords[id] }

    public func models(matching filter: ModelFilter, offset: Int, limit: Int?) -> [ModelRecord] {
        let deployed = deployedModels()
        let all = modelRecords.values.filter { filter.matches($0, isDeployed: deployed.contains($0.id)) }
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        let start = min(max(offset, 0), all.count)
        let end = limit.map { min(start + max($0, 0), all.count) } ?? all.count
        return Array(all[start..<end])
    }

    public func countModels(matching filter: ModelFilter) -> Int {
        let deployed = deployedModels()
        return modelRecords.values.filter { filter.matches($0, isDeployed: deployed.contains($0.id)) }.count
    }

    private func deployedModels() -> Set<ModelID> {
        Set(history.values.compactMap { $0.last?.modelID })
    }

    public func artifact(of model: ModelID) -> Data? { artifacts[model] }

    public func deleteModel(_ id: ModelID) throws {
        guard modelRecords[id] != nil else { throw StoreError.notFound(kind: "model", id: id.rawValue) }
        if isDeployed(id) { throw StoreError.modelDeployed(id) }
        modelRecords[id] = nil
        artifacts[id] = nil
    }

    private func isDeployed(_ id: ModelID) -> Bool {
        history.values.contains { $0.last?.modelID == id }
    }

    // MARK: Deployments

    public func deployment(in scope: DeploymentScope) -> DeploymentRecord? { history[scope]?.last }

    public func swapDeployment(
        in scope: DeploymentScope, to model: ModelID?, expecting expected: DeploymentExpectation
    ) throws -> DeploymentSwap {
        try requireDeployable(model, in: scope)
        let latest = history[scope]?.last
        let current = latest?.modelID
        if case .current(let wanted) = expected, wanted != current {
            throw StoreError.deploymentConflict(scope: scope, expected: wanted, found: current)
        }
        if current == model { return DeploymentSwap(record: latest, changed: false) }
        let record = DeploymentRecord(scope: scope, modelID: model, previousModelID: current, deployedAt: clock.now)
        history[scope, default: []].append(record)
        return DeploymentSwap(record: record, changed: true)
    }

    public func deploymentHistory(in scope: DeploymentScope) -> [DeploymentRecord] { history[scope] ?? [] }

    public func restoreDeploymentHistory(_ records: [DeploymentRecord], in scope: DeploymentScope) throws {
        let deployed = try DeploymentRecord.validateRestoredHistory(records, in: scope)
        guard !records.isEmpty else { return }
        if let existing = history[scope], !existing.isEmpty {
            throw StoreError.deploymentHistoryExists(scope: scope, records: existing.count)
        }
        if deployed != nil { try requireDeployable(deployed, in: scope) }
        history[scope] = records
    }

    /// What the store guarantees of a scope it points at `model`: the pipeline of a
    /// pipeline scope exists, and the model (unless nil) exists and has its artifact.
    private func requireDeployable(_ model: ModelID?, in scope: DeploymentScope) throws {
        if case .pipeline(let pipelineID) = scope, pipelineRecords[pipelineID] == nil {
            throw StoreError.notFound(kind: "pipeline", id: pipelineID.rawValue)
        }
        if let model {
            guard modelRecords[model] != nil else { throw StoreError.notDeployable(model: model, reason: "no such model") }
            guard artifacts[model] != nil else { throw StoreError.notDeployable(model: model, reason: "it has no artifact") }
        }
    }

    // MARK: Runs

    public func insertRun(_ run: RunRecord) throws {
        guard pipelineRecords[run.pipelineID] != nil else { throw StoreError.notFound(kind: "pipeline", id: run.pipelineID.rawValue) }
        guard runRecords[run.id] == nil else { throw StoreError.duplicateID(kind: "run", id: run.id.rawValue) }
        runRecords[run.id] = run
    }

    public func updateRun(_ run: RunRecord) throws {
        guard runRecords[run.id] != nil else { throw StoreError.notFound(kind: "run", id: run.id.rawValue) }
        runRecords[run.id] = run
    }

    public func run(_ id: RunID) -> RunRecord? { runRecords[id] }

    public func runs(of pipeline: PipelineID) -> [RunRecord] {
        runRecords.values.filter { $0.pipelineID == pipeline }.sorted { ($0.startedAt, $0.id) > ($1.startedAt, $1.id) }
    }

    // MARK: Triggers

    public func insertTrigger(_ trigger: TriggerRecord) throws {
        guard pipelineRecords[trigger.pipelineID] != nil else {
            throw StoreError.notFound(kind: "pipeline", id: trigger.pipelineID.rawValue)
        }
        guard triggerRecords[trigger.id] == nil else { throw StoreError.duplicateID(kind: "trigger", id: trigger.id.rawValue) }
        triggerRecords[trigger.id] = trigger
    }

    public func deleteTrigger(_ id: TriggerID) throws {
        guard triggerRecords[id] != nil else { throw StoreError.notFound(kind: "trigger", id: id.rawValue) }
        triggerRecords[id] = nil
        firingClaims[id] = nil
    }

    public func triggers(of pipeline: PipelineID?) -> [TriggerRecord] {
        triggerRecords.values.filter { pipeline == nil || $0.pipelineID == pipeline }
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    public func claimFiring(trigger: TriggerID, scheduledAt: Date, owner: String) throws -> FiringClaim {
        guard triggerRecords[trigger] != nil else { throw StoreError.notFound(kind: "trigger", id: trigger.rawValue) }
        if let latest = firingClaims[trigger], latest.scheduledAt >= scheduledAt { return .taken(latest) }
        let claim = FiringClaimRecord(triggerID: trigger, scheduledAt: scheduledAt, owner: owner, claimedAt: clock.now)
        firingClaims[trigger] = claim
        return .claimed(claim)
    }

    // MARK: Leases

    public func acquireLease(_ name: String, owner: String, for duration: TimeInterval) -> LeaseAcquisition {
        let now = clock.now
        if let current = leases[name], current.owner != owner, current.expiresAt > now { return .held(current) }
        let acquiredAt = leases[name].flatMap { $0.owner == owner ? $0.acquiredAt : nil } ?? now
        let lease = LeaseRecord(name: name, owner: owner, acquiredAt: acquiredAt, expiresAt: now.addingTimeInterval(duration))
        leases[name] = lease
        return .acquired(lease)
    }

    public func renewLease(_ name: String, owner: String, for duration: TimeInterval) throws -> LeaseRecord {
        guard var lease = leases[name], lease.owner == owner else {
            throw StoreError.leaseNotHeld(name: name, owner: owner, holder: leases[name]?.owner)
        }
        lease.expiresAt = clock.now.addingTimeInterval(duration)
        leases[name] = lease
        return lease
    }

    @discardableResult
    public func releaseLease(_ name: String, owner: String) -> Bool {
        guard leases[name]?.owner == owner else { return false }
        leases[name] = nil
        return true
    }

    public func lease(_ name: String) -> LeaseRecord? { leases[name] }

    // MARK: Endpoints

    public func setEndpoints(_ names: Set<String>, of scope: DeploymentScope, at date: Date) throws {
        if case .pipeline(let id) = scope, pipelineRecords[id] == nil { throw StoreError.notFound(kind: "pipeline", id: id.rawValue) }
        for name in names.sorted() {
            if let holder = endpointRecords[name]?.scope, holder != scope { throw StoreError.endpointTaken(name: name, holder: holder) }
        }
        freeEndpoints(endpointRecords.values.filter { $0.scope == scope && !names.contains($0.name) }.map(\.name))
        for name in names where endpointRecords[name] == nil {
            endpointRecords[name] = EndpointRecord(name: name, scope: scope, createdAt: date)
        }
    }

    /// Frees endpoint names and deletes their tokens.
    private func freeEndpoints(_ names: [String]) {
        for name in names { endpointRecords[name] = nil }
        let freed = Set(names)
        tokenRecords = tokenRecords.filter { $0.value.endpoint.map { !freed.contains($0) } ?? true }
    }

    public func endpoint(named name: String) -> EndpointRecord? { endpointRecords[name] }

    public func endpoints() -> [EndpointRecord] { endpointRecords.values.sorted { $0.name < $1.name } }

    public func insertToken(_ token: TokenRecord) throws {
        if let endpoint = token.endpoint, endpointRecords[endpoint] == nil { throw StoreError.notFound(kind: "endpoint", id: endpoint) }
        guard tokenRecords[token.id] == nil else { throw StoreError.duplicateID(kind: "token", id: token.id.rawValue) }
        tokenRecords[token.id] = token
    }

    public func tokens(of endpoint: String?) -> [TokenRecord] {
        tokenRecords.values.filter { endpoint == nil || $0.endpoint == endpoint }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    public func token(_ id: TokenID) -> TokenRecord? {
        tokenRecords[id]
    }

    @discardableResult
    public func revokeToken(_ id: TokenID, at date: Date) throws -> TokenRecord {
        guard var token = tokenRecords[id] else { throw StoreError.notFound(kind: "token", id: id.rawValue) }
        if token.revokedAt == nil { token.revokedAt = date }
        tokenRecords[id] = token
        return token
    }
}
