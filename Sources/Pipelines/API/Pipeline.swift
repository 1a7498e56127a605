import Foundation
import Tabular

/// A pipeline: its five-step configuration and its history, runs of its four jobs,
/// triggers, models, and its ``deployment``.
///
/// A cheap `Sendable` handle (an identifier and its workspace); every call reads or
/// changes the store. A handle whose pipeline was deleted answers with
/// ``PipelineError/notFound(_:)`` (``Lookup/pipeline(_:)``).
///
/// ```swift
/// let pipeline = try await repository.createPipeline(named: "Iris")
/// try await pipeline.configure { $0.training = TrainingStep(estimator: "RandomForestClassifier") }
/// let run = try await pipeline.run()
/// let record = await run.result()
/// try await pipeline.deployment.deploy(record.savedModels[0])
/// ```
public struct Pipeline: Sendable, Hashable {
    /// The pipeline's identifier.
    public let id: PipelineID
    let workspace: Workspace

    init(id: PipelineID, workspace: Workspace) {
        self.id = id
        self.workspace = workspace
    }

    public static func == (lhs: Pipeline, rhs: Pipeline) -> Bool { lhs.id == rhs.id && lhs.workspace === rhs.workspace }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    /// The one deployed model of this pipeline: the only place its deployment changes.
    public var deployment: Deployment { Deployment(scope: .pipeline(id), workspace: workspace) }

    /// The pipeline's stored record (name, repository, current configuration version).
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` with ``Lookup/pipeline(_:)``.
    public func record() async throws(PipelineError) -> PipelineRecord {
        guard let record = try await storage({ try await workspace.store.pipeline(id) }) else { throw .notFound(.pipeline(id)) }
        return record
    }

    /// The repository that holds the pipeline.
    ///
    /// - Throws: ``PipelineError/notFound(_:)``.
    public func repository() async throws(PipelineError) -> Repository {
        Repository(id: try await record().repositoryID, workspace: workspace)
    }

    /// Whether the pipeline is running in this workspace now.
    public var isRunning: Bool { workspace.isRunning(id) }

    // MARK: Changing it

    /// Renames the pipeline (its Git file moves with it).
    ///
    /// - Throws: ``PipelineError/invalidName(kind:name:reason:)``, ``PipelineError/notFound(_:)``,
    ///   ``PipelineError/store(_:)`` with ``StoreError/duplicateName(kind:name:)``.
    @discardableResult
    public func rename(to name: String) async throws(PipelineError) -> PipelineRecord {
        try Workspace.checkName(name, kind: "pipeline")
        let old = try await record()
        let renamed = try await storage { try await workspace.store.renamePipeline(id, to: name, at: workspace.clock.now) }
        if let current = try await storage({ try await workspace.store.configuration(of: id, version: nil) }) {
            _ = try await commitToGit(renamed, configuration: current, replacing: old)
        }
        return renamed
    }

    /// Deletes the pipeline with its configuration history, datasets, runs and triggers.
    /// Its models stay in the registry as standalone models that remember it
    /// (``ModelOrigin/orphaned(formerPipeline:name:)``; find them with
    /// ``ModelFilter/formerPipelineID``); a deployed model is undeployed.
    ///
    /// - Throws: ``PipelineError/alreadyRunning(pipeline:)`` while it runs (in this
    ///   process or another one sharing the store); ``PipelineError/notFound(_:)``.
    public func delete() async throws(PipelineError) {
        let record = try await record()
        try await workspace.whileClaimed(record) { () throws(PipelineError) in
            try await storage { try await workspace.store.deletePipeline(id, orphaning: ModelRules.orphan) }
        }
        workspace.state.withLock { _ = $0.deployed.removeValue(forKey: .pipeline(id)) }
        workspace.tokenCache.forgetAll()  // its endpoint names and their tokens are gone
        workspace.logger.debug("deleted pipeline '\(record.name)'")
        guard let git = try await storage({ try await workspace.store.repository(record.repositoryID) })?.git else { return }
        let file = Self.gitFileName(record)
        do {
            try await offload { () throws(GitError) in _ = try git.removeFile(named: file, message: "Delete pipeline \(record.name)") }
        } catch {
            workspace.logger.warning("pipeline '\(record.name)' deleted, but its Git file was not removed: \(error)")
        }
    }

    /// Empties the pipeline's training, validation and testing sets (the next dataset
    /// generation starts afresh). Configuration and models are left alone.
    ///
    /// - Throws: ``PipelineError/alreadyRunning(pipeline:)`` while it runs (in this
    ///   process or another one sharing the store); ``PipelineError/notFound(_:)``;
    ///   ``PipelineError/datasetConflict(pipeline:read:found:)`` when the datasets changed
    ///   meanwhile.
    public func resetDatasets() async throws(PipelineError) {
        let record = try await record()
        try await workspace.whileClaimed(record) { () throws(PipelineError) in
            let previous = try await storage { try await workspace.store.datasets(of: id, rows: []) }
            let empty = DatasetSnapshot(
                pipelineID: id, generation: (previous?.generation ?? 0) + 1, datasets: MLDatasets(), savedAt: workspace.clock.now)
            try await workspace.saveDatasets(empty, replacing: previous?.generation, of: record)
        }
    }

    // MARK: Models and triggers

    /// The pipeline's models, oldest first.
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` when the pipeline is gone.
    public func models() async throws(PipelineError) -> [ModelRecord] {
        _ = try await record()
        return try await storage { try await workspace.store.models(matching: ModelFilter(pipelineID: id)) }
    }

    /// Adds a trigger that runs `jobs` of the pipeline on `schedule`.
    ///
    /// ```swift
    /// let schedule = try TriggerSchedule(parsing: "every 14 days", now: .now)
    /// try await pipeline.addTrigger(schedule: schedule)
    /// ```
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` when the pipeline is gone.
    @discardableResult
    public func addTrigger(schedule: TriggerSchedule, jobs: [JobKind] = JobKind.allCases) async throws(PipelineError) -> TriggerRecord {
        let record = TriggerRecord(pipelineID: id, schedule: schedule, jobs: Array(Set(jobs)).sorted(), createdAt: workspace.clock.now)
        try await storage { try await workspace.store.insertTrigger(record) }
        return record
    }

    /// The pipeline's triggers, oldest first.
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` when the pipeline is gone.
    public func triggers() async throws(PipelineError) -> [TriggerRecord] {
        _ = try await record()
        return try await storage { try await workspace.store.triggers(of: id) }
    }

    /// Removes one of the pipeline's triggers.
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` with ``Lookup/trigger(_:)`` when the
    ///   pipeline has no such trigger.
    public func removeTrigger(_ trigger: TriggerID) async throws(PipelineError) {
        guard try await triggers().contains(where: { $0.id == trigger }) else { throw .notFound(.trigger(trigger)) }
        try await storage { try await workspace.store.deleteTrigger(trigger) }
    }
}
