public import Estimators
public import Foundation
public import Logging
public import Scoring
import Synchronization
import Tabular

/// The entry point of the SDK: repositories, pipelines and their configuration, runs of
/// the four jobs, deployment and predictions, over a storage backend.
///
/// ```swift
/// let workspace = Workspace(store: InMemoryStore())
/// let repository = try await workspace.createRepository(named: "Default")
/// let pipeline = try await workspace.createPipeline(named: "Iris", in: repository.id)
/// try await workspace.configure(pipeline.id) { config in
///     config.dataset = DatasetStep(training: .csv(path: "iris.csv"), split: RandomSplit(testFraction: 0.15, seed: 1),
///                                  label: "species")
///     config.training = TrainingStep(estimator: "RandomForestClassifier")
///     config.tuning["max_depth"] = .multiple([3, 5])
/// }
/// let run = try await workspace.run(pipeline.id)
/// for await event in run.events { print(event) }
/// let record = await run.result()
/// ```
public final class Workspace: Sendable {
    /// Where everything is stored.
    public let store: any PipelineStorage
    /// The estimators configurations may name (standard plus host-registered).
    public let estimators: EstimatorCatalog
    /// The scoring functions configurations may name.
    public let scores: ScoringCatalog
    /// The clock that stamps records and decides time windows.
    public let clock: any WallClock
    /// Where messages go (swift-log).
    public let logger: Logger
    /// The directory relative CSV paths are resolved against.
    public let baseDirectory: URL

    /// How long predictions trust the deployment they last read from the store before
    /// reading it again (deployments made through this workspace apply at once; ones made
    /// by another process within this interval).
    public let deploymentRefresh: Duration

    struct State {
        var running: Set<PipelineID> = []
        var loaded: [ModelID: LoadedModel] = [:]
        /// The deployment predictions use, per scope, and when it was read.
        var deployed: [DeploymentScope: (model: ModelID?, readAt: ContinuousClock.Instant)] = [:]
    }
    let state = Mutex(State())
    let events = EventBroadcaster<ModelEvent>()

    /// Publishes a model event; a deployment also updates what predictions use.
    func publish(_ event: ModelEvent) {
        if case .deployed(let record) = event {
            state.withLock { $0.deployed[record.scope] = (record.modelID, ContinuousClock.now) }
        }
        events.publish(event)
    }

    /// A workspace over `store`.
    ///
    /// - Parameters:
    ///   - store: The storage backend (``InMemoryStore``, the SQLite store, or the host's).
    ///   - estimators: The estimator catalog; register custom estimators in it first.
    ///   - scores: The scoring catalog; register custom scoring functions in it first.
    ///   - clock: Stamps records; inject a ``ManualWallClock`` in tests.
    ///   - logger: Receives job progress and warnings.
    ///   - baseDirectory: Resolves relative CSV paths (default: the current directory).
    ///   - deploymentRefresh: How long predictions trust the deployment they last read
    ///     (deployments through this workspace apply at once).
    public init(
        store: any PipelineStorage, estimators: EstimatorCatalog = .standard, scores: ScoringCatalog = .standard,
        clock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "swift-ml-pipelines"),
        baseDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        deploymentRefresh: Duration = .seconds(1)
    ) {
        self.deploymentRefresh = deploymentRefresh
        self.store = store
        self.estimators = estimators
        self.scores = scores
        self.clock = clock
        self.logger = logger
        self.baseDirectory = baseDirectory
    }

    // MARK: Repositories

    /// Creates a repository.
    ///
    /// - Parameters:
    ///   - name: A name not used by another repository.
    ///   - description: A free-text description.
    ///   - git: A Git working tree to commit pipeline configurations to (checked now).
    /// - Throws: ``PipelineError/store(_:)`` for a taken name; ``PipelineError/invalidConfiguration(pipeline:problems:)``
    ///   for an empty name or a Git tree that fails its check.
    @discardableResult
    public func createRepository(named name: String, description: String = "", git: GitConnection? = nil) async throws(PipelineError) -> RepositoryRecord {
        try checkName(name, kind: "repository")
        try checkGit(git, repository: name)
        let record = RepositoryRecord(name: name, description: description, git: git, createdAt: clock.now)
        try await storage { try await store.insertRepository(record) }
        logger.info("created repository '\(name)'")
        return record
    }

    /// Every repository, by name.
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func repositories() async throws(PipelineError) -> [RepositoryRecord] {
        try await storage { try await store.repositories() }
    }

    /// The repository called `name`.
    ///
    /// - Throws: ``PipelineError/notFound(kind:name:)``.
    public func repository(named name: String) async throws(PipelineError) -> RepositoryRecord {
        guard let record = try await repositories().first(where: { $0.name == name }) else {
            throw .notFound(kind: "repository", name: name)
        }
        return record
    }

    /// Changes a repository's name, description or Git connection.
    ///
    /// - Throws: ``PipelineError/notFound(kind:name:)``, ``PipelineError/store(_:)`` for a
    ///   taken name.
    @discardableResult
    public func updateRepository(
        _ id: RepositoryID, name: String? = nil, description: String? = nil, git: GitConnection?? = nil
    ) async throws(PipelineError) -> RepositoryRecord {
        guard var record = try await storage({ try await store.repository(id) }) else {
            throw .notFound(kind: "repository", name: id.rawValue)
        }
        if let name {
            try checkName(name, kind: "repository")
            record.name = name
        }
        if let description { record.description = description }
        if let git {
            try checkGit(git, repository: record.name)
            record.git = git
        }
        record.updatedAt = clock.now
        let updated = record
        try await storage { try await store.updateRepository(updated) }
        return updated
    }

    /// Deletes a repository. Refused while it holds pipelines unless
    /// `includingPipelines`, which deletes them as ``deletePipeline(_:)`` does (their
    /// models stay as standalone models).
    ///
    /// - Throws: ``PipelineError/store(_:)`` with ``StoreError/repositoryNotEmpty(repository:pipelines:)``.
    public func deleteRepository(_ id: RepositoryID, includingPipelines: Bool = false) async throws(PipelineError) {
        try await storage { try await store.deleteRepository(id, includingPipelines: includingPipelines) }
    }

    func checkName(_ name: String, kind: String) throws(PipelineError) {
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .invalidConfiguration(pipeline: name, problems: [ConfigurationProblem("name", "a \(kind) needs a name")])
        }
    }

    private func checkGit(_ git: GitConnection?, repository: String) throws(PipelineError) {
        guard let git else { return }
        do {
            try git.check()
        } catch {
            throw .invalidConfiguration(pipeline: repository, problems: [ConfigurationProblem("git", error.description)])
        }
    }

    // MARK: Pipelines

    /// Creates a pipeline in a repository, with an empty configuration (version 1).
    ///
    /// - Throws: ``PipelineError/store(_:)`` for an unknown repository or a taken name.
    @discardableResult
    public func createPipeline(named name: String, in repository: RepositoryID) async throws(PipelineError) -> PipelineRecord {
        try checkName(name, kind: "pipeline")
        let now = clock.now
        let pipeline = PipelineRecord(repositoryID: repository, name: name, createdAt: now)
        let configuration = PipelineConfiguration()
        let hash: String
        do { hash = try configuration.contentHash() } catch { throw .backend("cannot hash the configuration: \(error)") }
        let record = ConfigurationRecord(pipelineID: pipeline.id, version: 1, configuration: configuration, hash: hash, savedAt: now)
        try await storage { try await store.insertPipeline(pipeline, configuration: record) }
        logger.info("created pipeline '\(name)'")
        return pipeline
    }

    /// The pipelines of a repository (all when nil), by name.
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func pipelines(in repository: RepositoryID? = nil) async throws(PipelineError) -> [PipelineRecord] {
        try await storage { try await store.pipelines(in: repository) }
    }

    /// The pipeline with this identifier.
    ///
    /// - Throws: ``PipelineError/notFound(kind:name:)``.
    public func pipeline(_ id: PipelineID) async throws(PipelineError) -> PipelineRecord {
        guard let record = try await storage({ try await store.pipeline(id) }) else { throw .notFound(kind: "pipeline", name: id.rawValue) }
        return record
    }

    /// The pipeline called `name` (in `repository`, or in any when nil and the name is
    /// unique).
    ///
    /// - Throws: ``PipelineError/notFound(kind:name:)``.
    public func pipeline(named name: String, in repository: RepositoryID? = nil) async throws(PipelineError) -> PipelineRecord {
        guard let record = try await pipelines(in: repository).first(where: { $0.name == name }) else {
            throw .notFound(kind: "pipeline", name: name)
        }
        return record
    }

    /// Renames a pipeline (its Git file moves with it).
    ///
    /// - Throws: ``PipelineError/store(_:)`` for an unknown pipeline or a taken name.
    @discardableResult
    public func renamePipeline(_ id: PipelineID, to name: String) async throws(PipelineError) -> PipelineRecord {
        try checkName(name, kind: "pipeline")
        let old = try await pipeline(id)
        let renamed = try await storage { try await store.renamePipeline(id, to: name, at: clock.now) }
        if let current = try await storage({ try await store.configuration(of: id, version: nil) }) {
            _ = await commitToGit(renamed, configuration: current, replacing: old)
        }
        return renamed
    }

    /// Deletes a pipeline with its configuration history, datasets, runs and triggers.
    /// Its models stay in the registry as standalone models.
    ///
    /// - Throws: ``PipelineError/alreadyRunning(pipeline:)`` while it runs;
    ///   ``PipelineError/store(_:)`` for an unknown pipeline.
    public func deletePipeline(_ id: PipelineID) async throws(PipelineError) {
        let record = try await pipeline(id)
        let busy = state.withLock { $0.running.contains(id) }
        if busy { throw .alreadyRunning(pipeline: record.name) }
        try await storage { try await store.deletePipeline(id) }
        state.withLock { _ = $0.deployed.removeValue(forKey: .pipeline(id)) }
        if let git = try await storage({ try await store.repository(record.repositoryID) })?.git {
            do {
                try git.removeFile(named: Self.gitFileName(record), message: "Delete pipeline \(record.name)")
            } catch {
                logger.warning("pipeline '\(record.name)' deleted, but its Git file was not removed: \(error)")
            }
        }
    }

    /// Empties the pipeline's training, validation and testing sets (the next dataset
    /// generation starts afresh). Configuration and models are left alone.
    ///
    /// - Throws: ``PipelineError/alreadyRunning(pipeline:)``, ``PipelineError/store(_:)``.
    public func resetDatasets(_ id: PipelineID) async throws(PipelineError) {
        let record = try await pipeline(id)
        let busy = state.withLock { $0.running.contains(id) }
        if busy { throw .alreadyRunning(pipeline: record.name) }
        let previous = try await storage { try await store.datasets(of: id) }
        let empty = DatasetSnapshot(
            pipelineID: id, generation: (previous?.generation ?? 0) + 1,
            encoded: Data(MLDatasets().binaryEncoded()), savedAt: clock.now)
        try await storage { try await store.saveDatasets(empty) }
    }
}
