import Foundation
import Pipelines

/// A store that passes every call to an ``InMemoryStore``: test stores conform and write
/// only the calls they change (a flaw, a hook), so the forwarding exists once.
protocol ForwardingStore: PipelineStorage {
    /// The store every call not written by the conforming type goes to.
    var base: InMemoryStore { get }
}

extension ForwardingStore {
    func insertRepository(_ repository: RepositoryRecord) async throws { try await base.insertRepository(repository) }
    func updateRepository(_ repository: RepositoryRecord) async throws { try await base.updateRepository(repository) }
    func repository(_ id: RepositoryID) async throws -> RepositoryRecord? { await base.repository(id) }
    func repositories() async throws -> [RepositoryRecord] { await base.repositories() }
    func deleteRepository(_ id: RepositoryID, includingPipelines: Bool, orphaning: ModelOrphaning) async throws {
        try await base.deleteRepository(id, includingPipelines: includingPipelines, orphaning: orphaning)
    }
    func insertPipeline(_ pipeline: PipelineRecord) async throws { try await base.insertPipeline(pipeline) }
    func renamePipeline(_ id: PipelineID, to name: String, at date: Date) async throws -> PipelineRecord {
        try await base.renamePipeline(id, to: name, at: date)
    }
    func pipeline(_ id: PipelineID) async throws -> PipelineRecord? { await base.pipeline(id) }
    func pipelines(in repository: RepositoryID?) async throws -> [PipelineRecord] { await base.pipelines(in: repository) }
    func configuration(of pipeline: PipelineID, version: Int?) async throws -> ConfigurationRecord? {
        await base.configuration(of: pipeline, version: version)
    }
    func configurations(of pipeline: PipelineID) async throws -> [ConfigurationRecord] { await base.configurations(of: pipeline) }
    func deletePipeline(_ id: PipelineID, orphaning: ModelOrphaning) async throws { try await base.deletePipeline(id, orphaning: orphaning) }
    func datasets(of pipeline: PipelineID, rows: DatasetRows) async throws -> DatasetSnapshot? {
        await base.datasets(of: pipeline, rows: rows)
    }
    func insertModel(_ model: ModelRecord, artifact: Data?) async throws { try await base.insertModel(model, artifact: artifact) }
    func updateModel(_ model: ModelRecord, removingArtifact: Bool) async throws {
        try await base.updateModel(model, removingArtifact: removingArtifact)
    }
    func model(_ id: ModelID) async throws -> ModelRecord? { await base.model(id) }
    func models(matching filter: ModelFilter, offset: Int, limit: Int?) async throws -> [ModelRecord] {
        await base.models(matching: filter, offset: offset, limit: limit)
    }
    func countModels(matching filter: ModelFilter) async throws -> Int { await base.countModels(matching: filter) }
    func artifact(of model: ModelID) async throws -> Data? { await base.artifact(of: model) }
    func deleteModel(_ id: ModelID) async throws { try await base.deleteModel(id) }
    func deployment(in scope: DeploymentScope) async throws -> DeploymentRecord? { await base.deployment(in: scope) }
    func swapDeployment(in scope: DeploymentScope, to model: ModelID?, expecting expected: DeploymentExpectation) async throws
        -> DeploymentSwap
    {
        try await base.swapDeployment(in: scope, to: model, expecting: expected)
    }
    func deploymentHistory(in scope: DeploymentScope) async throws -> [DeploymentRecord] { await base.deploymentHistory(in: scope) }
    func restoreDeploymentHistory(_ records: [DeploymentRecord], in scope: DeploymentScope) async throws {
        try await base.restoreDeploymentHistory(records, in: scope)
    }
    func insertRun(_ run: RunRecord) async throws { try await base.insertRun(run) }
    func updateRun(_ run: RunRecord) async throws { try await base.updateRun(run) }
    func run(_ id: RunID) async throws -> RunRecord? { await base.run(id) }
    func runs(of pipeline: PipelineID) async throws -> [RunRecord] { await base.runs(of: pipeline) }
    func insertTrigger(_ trigger: TriggerRecord) async throws { try await base.insertTrigger(trigger) }
    func deleteTrigger(_ id: TriggerID) async throws { try await base.deleteTrigger(id) }
    func triggers(of pipeline: PipelineID?) async throws -> [TriggerRecord] { await base.triggers(of: pipeline) }
    func claimFiring(trigger: TriggerID, scheduledAt: Date, owner: String) async throws -> FiringClaim {
        try await base.claimFiring(trigger: trigger, scheduledAt: scheduledAt, owner: owner)
    }
    func acquireLease(_ name: String, owner: String, for duration: TimeInterval) async throws -> LeaseAcquisition {
        await base.acquireLease(name, owner: owner, for: duration)
    }
    func renewLease(_ name: String, owner: String, for duration: TimeInterval) async throws -> LeaseRecord {
        try await base.renewLease(name, owner: owner, for: duration)
    }
    func releaseLease(_ name: String, owner: String) async throws -> Bool { await base.releaseLease(name, owner: owner) }
    func lease(_ name: String) async throws -> LeaseRecord? { await base.lease(name) }
    func saveDatasets(_ snapshot: DatasetSnapshot, replacing previous: Int?) async throws {
        try await base.saveDatasets(snapshot, replacing: previous)
    }
    func appendConfiguration(_ configuration: ConfigurationRecord) async throws { try await base.appendConfiguration(configuration) }
    func setEndpoints(_ names: Set<String>, of scope: DeploymentScope, at date: Date) async throws {
        try await base.setEndpoints(names, of: scope, at: date)
    }
    func endpoint(named name: String) async throws -> EndpointRecord? { await base.endpoint(named: name) }
    func endpoints() async throws -> [EndpointRecord] { await base.endpoints() }
    func insertToken(_ token: TokenRecord) async throws { try await base.insertToken(token) }
    func tokens(of endpoint: String?) async throws -> [TokenRecord] { await base.tokens(of: endpoint) }
    func token(_ id: TokenID) async throws -> TokenRecord? { try await base.token(id) }
    func revokeToken(_ id: TokenID, at date: Date) async throws -> TokenRecord { try await base.revokeToken(id, at: date) }
    func takeFolderFile(_ entry: FolderFileRecord) async throws -> FolderFileTake { await base.takeFolderFile(entry) }
    func updateFolderFile(_ entry: FolderFileRecord) async throws { try await base.updateFolderFile(entry) }
    func folderFiles(in folder: String, unfinishedOnly: Bool) async throws -> [FolderFileRecord] {
        await base.folderFiles(in: folder, unfinishedOnly: unfinishedOnly)
    }
    func enqueueRun(_ run: QueuedRunRecord, claimingFiringAs owner: String?) async throws -> RunEnqueueing {
        try await base.enqueueRun(run, claimingFiringAs: owner)
    }
    func claimQueuedRun(worker: String, for duration: TimeInterval, filter: QueuedRunFilter) async throws -> QueuedRunRecord? {
        await base.claimQueuedRun(worker: worker, for: duration, filter: filter)
    }
    func renewQueuedRun(_ id: QueuedRunID, worker: String, for duration: TimeInterval, run: RunID?) async throws -> QueuedRunRecord {
        try await base.renewQueuedRun(id, worker: worker, for: duration, run: run)
    }
    func finishQueuedRun(_ id: QueuedRunID, worker: String, run: RunID?, error: String?) async throws -> QueuedRunRecord {
        try await base.finishQueuedRun(id, worker: worker, run: run, error: error)
    }
    func queuedRun(_ id: QueuedRunID) async throws -> QueuedRunRecord? { await base.queuedRun(id) }
    func queuedRuns(in states: Set<QueuedRunState>?) async throws -> [QueuedRunRecord] { await base.queuedRuns(in: states) }
}
