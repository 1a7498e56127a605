public import Foundation

/// Stores repositories.
///
/// Every method is one transaction: it either happens completely or not at all. Inserts
/// never replace: an existing identifier is refused with ``StoreError/duplicateID(kind:id:)``.
public protocol RepositoryStore: Sendable {
    /// Adds a repository.
    ///
    /// - Throws: ``StoreError/duplicateName(kind:name:)`` when the name is taken.
    func insertRepository(_ repository: RepositoryRecord) async throws
    /// Replaces a repository's name, description or Git connection.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)``, ``StoreError/duplicateName(kind:name:)``.
    func updateRepository(_ repository: RepositoryRecord) async throws
    /// The repository with this identifier, if any.
    func repository(_ id: RepositoryID) async throws -> RepositoryRecord?
    /// Every repository, sorted by name.
    func repositories() async throws -> [RepositoryRecord]
    /// Deletes a repository; with `includingPipelines`, its pipelines too (as
    /// ``PipelineStore/deletePipeline(_:orphaning:)`` does each, in the same transaction).
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)``, or
    ///   ``StoreError/repositoryNotEmpty(repository:pipelines:)`` when it holds pipelines
    ///   and `includingPipelines` is false.
    func deleteRepository(_ id: RepositoryID, includingPipelines: Bool, orphaning: ModelOrphaning) async throws
}

/// Stores pipelines and every version of their configuration.
public protocol PipelineStore: Sendable {
    /// Adds a pipeline without any configuration yet: its
    /// ``PipelineRecord/configurationVersion`` is stored as 0, and its first saved
    /// configuration is version 1.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)`` for an unknown repository,
    ///   ``StoreError/duplicateName(kind:name:)`` when the repository has a pipeline of
    ///   that name, ``StoreError/duplicateID(kind:id:)``.
    func insertPipeline(_ pipeline: PipelineRecord) async throws
    /// Renames a pipeline and returns the updated record.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)``, ``StoreError/duplicateName(kind:name:)``.
    func renamePipeline(_ id: PipelineID, to name: String, at date: Date) async throws -> PipelineRecord
    /// The pipeline with this identifier, if any.
    func pipeline(_ id: PipelineID) async throws -> PipelineRecord?
    /// The pipelines of one repository (or of all when nil), sorted by name.
    func pipelines(in repository: RepositoryID?) async throws -> [PipelineRecord]
    /// Appends the next configuration version and makes it the pipeline's current one; the
    /// pipeline's ``PipelineRecord/updatedAt`` becomes the configuration's `savedAt`.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)``, or
    ///   ``StoreError/versionConflict(pipeline:expected:found:)`` unless
    ///   `configuration.version` is the current version + 1.
    func appendConfiguration(_ configuration: ConfigurationRecord) async throws
    /// One configuration version, or the current one when `version` is nil.
    func configuration(of pipeline: PipelineID, version: Int?) async throws -> ConfigurationRecord?
    /// Every configuration version of a pipeline, oldest first.
    func configurations(of pipeline: PipelineID) async throws -> [ConfigurationRecord]
    /// Deletes a pipeline with its configurations, datasets, runs and triggers, in one
    /// transaction. Its models stay: each is replaced by `orphaning(model, pipeline)` (the
    /// core decides what an orphaned model looks like; the store only applies it, inside
    /// the same transaction, to every model of the pipeline, passing the pipeline as
    /// stored at deletion). The closure keeps the model's identifier and detaches it from
    /// the pipeline; a store may refuse a result that does not. When a model is deployed
    /// in the pipeline's scope, an undeploy record (nil model, the deployed one as
    /// previous), stamped with the store's clock, is appended to the history, which stays
    /// readable.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)``.
    func deletePipeline(_ id: PipelineID, orphaning: ModelOrphaning) async throws
}

/// Stores each pipeline's ML datasets (the latest snapshot).
public protocol DatasetStore: Sendable {
    /// Replaces the pipeline's snapshot — only if the stored one is the generation the
    /// caller read (a compare-and-swap, in one transaction), so two generations that read
    /// the same snapshot never overwrite one another's rows.
    ///
    /// - Parameters:
    ///   - snapshot: The new snapshot (its generation is the core's to number).
    ///   - previous: The ``DatasetSnapshot/generation`` of the stored snapshot the caller
    ///     read and built on; nil when it read none.
    /// - Throws: ``StoreError/notFound(kind:id:)`` for an unknown pipeline;
    ///   ``StoreError/datasetConflict(pipeline:expected:found:)`` when the stored
    ///   generation is not `previous` (nothing is written);
    ///   ``StoreError/incompleteDatasets(pipeline:)`` when a part is missing (nothing is
    ///   written).
    func saveDatasets(_ snapshot: DatasetSnapshot, replacing previous: Int?) async throws
    /// The pipeline's snapshot, if a generation run ever succeeded, with its ledger and the
    /// row parts in `rows` (the others nil): reading only what a job needs is the point.
    func datasets(of pipeline: PipelineID, rows: DatasetRows) async throws -> DatasetSnapshot?
}

extension DatasetStore {
    /// The pipeline's whole snapshot (ledger, training and testing rows).
    public func datasets(of pipeline: PipelineID) async throws -> DatasetSnapshot? {
        try await datasets(of: pipeline, rows: .all)
    }
}

/// Stores models and their artifacts.
public protocol ModelStore: Sendable {
    /// Adds a model and its artifact together.
    ///
    /// Imported models of one name form a line whose versions are unique: the store
    /// refuses a second model with the same ``ModelOrigin/imported(name:)`` name and
    /// version (a uniqueness constraint, so two racing imports never share a version;
    /// the core then retries with the next one).
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)`` for an unknown pipeline of a pipeline
    ///   model; ``StoreError/duplicateID(kind:id:)``;
    ///   ``StoreError/duplicateVersion(line:version:)`` for a taken imported version.
    func insertModel(_ model: ModelRecord, artifact: Data?) async throws
    /// Replaces a model's metadata; with `removingArtifact`, frees its artifact in the
    /// same transaction. The core never changes a model's origin or version here, so the
    /// imported-version uniqueness of ``insertModel(_:artifact:)`` is not re-checked.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)``; ``StoreError/modelDeployed(_:)``
    ///   when removing the artifact of a deployed model.
    func updateModel(_ model: ModelRecord, removingArtifact: Bool) async throws
    /// The model with this identifier, if any.
    func model(_ id: ModelID) async throws -> ModelRecord?
    /// A page of the models matching `filter`, oldest first (ties by identifier):
    /// `limit` models (all when nil) after skipping `offset`.
    func models(matching filter: ModelFilter, offset: Int, limit: Int?) async throws -> [ModelRecord]
    /// The number of models matching `filter`.
    func countModels(matching filter: ModelFilter) async throws -> Int
    /// A page of the models matching `filter` (as ``models(matching:offset:limit:)``) and
    /// how many match in all, read together. Optional: the default asks for the page, then
    /// for the count; a store may answer both in one pass.
    func modelPage(matching filter: ModelFilter, offset: Int, limit: Int?) async throws -> (models: [ModelRecord], total: Int)
    /// The model's artifact, if it has one.
    func artifact(of model: ModelID) async throws -> Data?
    /// Erases a model and its artifact.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)``, ``StoreError/modelDeployed(_:)``.
    func deleteModel(_ id: ModelID) async throws
}

extension ModelStore {
    /// The page, then the count, in two calls.
    public func modelPage(matching filter: ModelFilter, offset: Int, limit: Int?) async throws -> (models: [ModelRecord], total: Int) {
        (try await models(matching: filter, offset: offset, limit: limit), try await countModels(matching: filter))
    }

    /// Every model matching `filter`, oldest first.
    public func models(matching filter: ModelFilter) async throws -> [ModelRecord] {
        try await models(matching: filter, offset: 0, limit: nil)
    }
}

/// Stores which model is deployed in each scope, and the append-only history of switches.
///
/// The store offers one transactional primitive, ``swapDeployment(in:to:expecting:)``;
/// what may be deployed where is decided above it, by ``Deployment``.
public protocol DeploymentStore: Sendable {
    /// The scope's latest deployment record (its ``DeploymentRecord/modelID`` is nil after
    /// an undeploy), if it ever had one.
    func deployment(in scope: DeploymentScope) async throws -> DeploymentRecord?
    /// Points the scope at `model` (nil: undeploys), in one transaction that reads the
    /// current model, checks `expected`, appends a history record stamped with the store's
    /// clock whose ``DeploymentRecord/previousModelID`` is the model really replaced, and
    /// moves the pointer. Concurrent callers never leave zero or two models deployed.
    ///
    /// When the scope's current model already is `model`, nothing is appended and the
    /// current record is returned with ``DeploymentSwap/changed`` false.
    ///
    /// The order of the checks: integrity (pipeline, model, artifact), then `expected`,
    /// then the no-op; so a stale `.current(x)` is a conflict even when `model` is deployed.
    ///
    /// The store guarantees only what it must to stay consistent: the pipeline of a
    /// pipeline scope exists, and a deployed model exists and has its artifact.
    ///
    /// - Throws: ``StoreError/deploymentConflict(scope:expected:found:)`` when `expected`
    ///   is ``DeploymentExpectation/current(_:)`` of another model;
    ///   ``StoreError/notDeployable(model:reason:)`` for an unknown model or one without
    ///   artifact; ``StoreError/notFound(kind:id:)`` for an unknown pipeline.
    func swapDeployment(in scope: DeploymentScope, to model: ModelID?, expecting expected: DeploymentExpectation) async throws
        -> DeploymentSwap
    /// Every deployment record of the scope, oldest first.
    func deploymentHistory(in scope: DeploymentScope) async throws -> [DeploymentRecord]
    /// Writes `records` as the whole history of a scope that has none — with their own
    /// dates and previous models, which ``swapDeployment(in:to:expecting:)`` cannot do (it
    /// stamps the store's clock) — and points the scope at the last record's model, in one
    /// transaction. What ``StoreCopy`` moves histories with.
    ///
    /// ```swift
    /// try await target.restoreDeploymentHistory(try await source.deploymentHistory(in: scope), in: scope)
    /// ```
    ///
    /// The order of the checks: the records themselves
    /// (``DeploymentRecord/validateRestoredHistory(_:in:)``: they chain, from nothing
    /// deployed), then that the scope has no history, then — when the last record deploys a
    /// model — integrity as for a swap: the pipeline of a pipeline scope exists, the model
    /// exists and has its artifact. The models of earlier records are not looked up (they
    /// may have been erased since), nor the pipeline of a history that ends undeployed (a
    /// deleted pipeline's history stays readable). No records: nothing is read or written.
    ///
    /// - Parameters:
    ///   - records: The history, oldest first, every record of `scope`.
    ///   - scope: The scope, without any history yet.
    /// - Throws: ``StoreError/invalidDeploymentHistory(scope:index:reason:)`` for records
    ///   that do not chain; ``StoreError/deploymentHistoryExists(scope:records:)`` when the
    ///   scope has a history; ``StoreError/notFound(kind:id:)`` for an unknown pipeline;
    ///   ``StoreError/notDeployable(model:reason:)`` for an unknown last model or one
    ///   without artifact. Nothing is written then.
    func restoreDeploymentHistory(_ records: [DeploymentRecord], in scope: DeploymentScope) async throws
}

/// What a deployment swap requires of the scope's current model.
public enum DeploymentExpectation: Sendable, Hashable {
    /// Swap whatever is deployed now (the history records the real predecessor).
    case anyModel
    /// Swap only if this model is deployed now (nil: none is): a compare-and-swap.
    case current(ModelID?)
}

/// What ``DeploymentStore/swapDeployment(in:to:expecting:)`` did.
public struct DeploymentSwap: Sendable, Hashable {
    /// The scope's latest record after the swap (nil only when the scope never had one and
    /// nothing changed).
    public var record: DeploymentRecord?
    /// Whether a record was appended (false when the model was deployed already).
    public var changed: Bool

    /// A swap result.
    public init(record: DeploymentRecord?, changed: Bool) {
        self.record = record
        self.changed = changed
    }
}

/// The core's rule for a model whose pipeline is deleted: given the model and its former
/// pipeline, the record to store instead. Stores apply it inside their deletion
/// transaction (see ``PipelineStore/deletePipeline(_:orphaning:)``).
public typealias ModelOrphaning = @Sendable (_ model: ModelRecord, _ formerPipeline: PipelineRecord) -> ModelRecord

/// Stores run records.
public protocol RunStore: Sendable {
    /// Adds a run.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)`` for an unknown pipeline.
    func insertRun(_ run: RunRecord) async throws
    /// Replaces a run.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)``.
    func updateRun(_ run: RunRecord) async throws
    /// The run with this identifier, if any.
    func run(_ id: RunID) async throws -> RunRecord?
    /// The pipeline's runs, newest first.
    func runs(of pipeline: PipelineID) async throws -> [RunRecord]
}

/// Stores triggers, and which of their firings have been claimed.
public protocol TriggerStore: Sendable {
    /// Adds a trigger.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)`` for an unknown pipeline.
    func insertTrigger(_ trigger: TriggerRecord) async throws
    /// Removes a trigger.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)``.
    func deleteTrigger(_ id: TriggerID) async throws
    /// The triggers of one pipeline (or all when nil), oldest first.
    func triggers(of pipeline: PipelineID?) async throws -> [TriggerRecord]
    /// Claims the firing of `trigger` scheduled at `scheduledAt` for `owner`, in one
    /// transaction: claimed when no firing of the trigger at or after `scheduledAt` was
    /// claimed before, so of any number of schedulers sharing the store exactly one claims
    /// each firing (and a firing older than one claimed already is never claimed). The
    /// store keeps the trigger's latest claim, stamped with its clock; it goes with the
    /// trigger.
    ///
    /// - Returns: ``FiringClaim/claimed(_:)`` with the new claim, or
    ///   ``FiringClaim/taken(_:)`` with the claim that stands (nothing changed).
    /// - Throws: ``StoreError/notFound(kind:id:)`` for an unknown trigger.
    func claimFiring(trigger: TriggerID, scheduledAt: Date, owner: String) async throws -> FiringClaim
}

/// Stores leases: named, exclusive rights with an expiry, taken and given back in one
/// transaction each. The store decides expiry by its own clock; what a lease protects, its
/// name, its duration and how often it is renewed are the core's policy.
///
/// A lease is free when none is stored under its name or the stored one has expired
/// (its ``LeaseRecord/expiresAt`` is at or before the store's clock).
public protocol LeaseStore: Sendable {
    /// Takes the lease `name` for `owner` until the store's clock + `duration`, if it is
    /// free or already `owner`'s (then it is extended, keeping its
    /// ``LeaseRecord/acquiredAt``). Of concurrent callers for a free lease exactly one
    /// gets it.
    ///
    /// - Returns: ``LeaseAcquisition/acquired(_:)`` with the caller's lease, or
    ///   ``LeaseAcquisition/held(_:)`` with another owner's unexpired lease (nothing
    ///   changed).
    func acquireLease(_ name: String, owner: String, for duration: TimeInterval) async throws -> LeaseAcquisition
    /// Extends `owner`'s lease to the store's clock + `duration`. An owner whose lease
    /// expired may renew it as long as nobody took it over meanwhile.
    ///
    /// - Returns: The renewed lease.
    /// - Throws: ``StoreError/leaseNotHeld(name:owner:holder:)`` when no lease of that
    ///   name is stored or another owner holds it (nothing changed).
    func renewLease(_ name: String, owner: String, for duration: TimeInterval) async throws -> LeaseRecord
    /// Gives the lease back, if `owner` holds it (expired or not); another owner's lease is
    /// left alone.
    ///
    /// - Returns: Whether a lease of `owner` was removed.
    @discardableResult
    func releaseLease(_ name: String, owner: String) async throws -> Bool
    /// The lease stored under `name`, expired or not, if any.
    func lease(_ name: String) async throws -> LeaseRecord?
}

/// Everything a workspace stores: implement it to plug in a backend, and check it with
/// `PipelinesTesting.StorageConformance`.
public protocol PipelineStorage:
    RepositoryStore, PipelineStore, DatasetStore, ModelStore, DeploymentStore, RunStore, TriggerStore, LeaseStore, EndpointStore,
    FolderLedgerStore, RunQueueStore {}
