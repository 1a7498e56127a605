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
    /// ``PipelineStore/deletePipeline(_:)`` does each, in the same transaction).
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)``, or
    ///   ``StoreError/repositoryNotEmpty(repository:pipelines:)`` when it holds pipelines
    ///   and `includingPipelines` is false.
    func deleteRepository(_ id: RepositoryID, includingPipelines: Bool) async throws
}

/// Stores pipelines and every version of their configuration.
public protocol PipelineStore: Sendable {
    /// Adds a pipeline with its first configuration (version 1).
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)`` for an unknown repository,
    ///   ``StoreError/duplicateName(kind:name:)`` when the repository has a pipeline of
    ///   that name, ``StoreError/versionConflict(pipeline:expected:found:)`` when the
    ///   configuration is not version 1.
    func insertPipeline(_ pipeline: PipelineRecord, configuration: ConfigurationRecord) async throws
    /// Renames a pipeline and returns the updated record.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)``, ``StoreError/duplicateName(kind:name:)``.
    func renamePipeline(_ id: PipelineID, to name: String, at date: Date) async throws -> PipelineRecord
    /// The pipeline with this identifier, if any.
    func pipeline(_ id: PipelineID) async throws -> PipelineRecord?
    /// The pipelines of one repository (or of all when nil), sorted by name.
    func pipelines(in repository: RepositoryID?) async throws -> [PipelineRecord]
    /// Appends the next configuration version and makes it the pipeline's current one.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)``, or
    ///   ``StoreError/versionConflict(pipeline:expected:found:)`` unless
    ///   `configuration.version` is the current version + 1.
    func appendConfiguration(_ configuration: ConfigurationRecord) async throws
    /// One configuration version, or the current one when `version` is nil.
    func configuration(of pipeline: PipelineID, version: Int?) async throws -> ConfigurationRecord?
    /// Every configuration version of a pipeline, oldest first.
    func configurations(of pipeline: PipelineID) async throws -> [ConfigurationRecord]
    /// Deletes a pipeline with its configurations, datasets, runs, triggers and
    /// deployment pointer, in one transaction. Its models stay, as standalone
    /// ``ModelOrigin/orphaned(formerPipeline:)`` models without a repository, each its own
    /// line (``ModelRecord/lineID`` = its id), undeployed;
    /// the deployment history stays readable.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)``.
    func deletePipeline(_ id: PipelineID) async throws
}

/// Stores each pipeline's ML datasets (the latest snapshot).
public protocol DatasetStore: Sendable {
    /// Replaces the pipeline's snapshot.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)`` for an unknown pipeline.
    func saveDatasets(_ snapshot: DatasetSnapshot) async throws
    /// The pipeline's snapshot, if a generation run ever succeeded.
    func datasets(of pipeline: PipelineID) async throws -> DatasetSnapshot?
}

/// Stores models and their artifacts.
public protocol ModelStore: Sendable {
    /// Adds a model and its artifact together.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)`` for an unknown pipeline of a pipeline model.
    func insertModel(_ model: ModelRecord, artifact: Data?) async throws
    /// Replaces a model's metadata; with `removingArtifact`, frees its artifact in the
    /// same transaction.
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
    /// The model's artifact, if it has one.
    func artifact(of model: ModelID) async throws -> Data?
    /// Erases a model and its artifact.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)``, ``StoreError/modelDeployed(_:)``.
    func deleteModel(_ id: ModelID) async throws
}

extension ModelStore {
    /// Every model matching `filter`, oldest first.
    public func models(matching filter: ModelFilter) async throws -> [ModelRecord] {
        try await models(matching: filter, offset: 0, limit: nil)
    }
}

/// Stores which model is deployed in each scope, and the history of switches.
public protocol DeploymentStore: Sendable {
    /// The scope's latest deployment record (its ``DeploymentRecord/modelID`` is nil after
    /// an undeploy), if it ever had one.
    func deployment(in scope: DeploymentScope) async throws -> DeploymentRecord?
    /// Deploys `model` (or undeploys with nil) if and only if the scope's current model
    /// is `expected`: a compare-and-swap in one transaction, stamped with the store's
    /// clock, appended to the history. Concurrent callers never leave zero or two models
    /// deployed: exactly one of two racing swaps from the same `expected` succeeds.
    ///
    /// - Throws: ``StoreError/deploymentConflict(scope:expected:found:)`` when the current
    ///   model is not `expected`; ``StoreError/notDeployable(model:reason:)`` for an unknown
    ///   or rejected model, a model without artifact, or one of another pipeline;
    ///   ``StoreError/notFound(kind:id:)`` for an unknown pipeline.
    func deploy(_ model: ModelID?, in scope: DeploymentScope, expecting expected: ModelID?) async throws -> DeploymentRecord
    /// Every deployment record of the scope, oldest first.
    func deploymentHistory(in scope: DeploymentScope) async throws -> [DeploymentRecord]
}

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

/// Stores triggers.
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
}

/// Everything a workspace stores: implement it to plug in a backend, and check it with
/// `PipelinesTesting.StorageConformance`.
public protocol PipelineStorage: RepositoryStore, PipelineStore, DatasetStore, ModelStore, DeploymentStore, RunStore, TriggerStore {}
