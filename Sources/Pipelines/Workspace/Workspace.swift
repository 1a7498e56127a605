public import Estimators
public import Foundation
public import Logging
public import Scoring
import Synchronization
import Tabular

/// The entry point of the SDK: opens a store with its catalogs, clock and logger, and hands
/// out the four types you work with — ``Repository``, ``Pipeline``, ``ModelRegistry`` and
/// ``Deployment``.
///
/// ```swift
/// let workspace = Workspace(store: try SQLiteStore(path: ".mlpipe/store.sqlite"))
/// let pipeline = try await workspace.createRepository(named: "Default").createPipeline(named: "Iris")
/// try await pipeline.configure { config in
///     config.dataset = DatasetStep(training: .csv(path: "iris.csv"), split: RandomSplit(testFraction: 0.15, seed: 1),
///                                  label: "species")
///     config.training = TrainingStep(estimator: "RandomForestClassifier")
/// }
/// let run = try await pipeline.run()
/// try await pipeline.deployment.deploy(await run.result().savedModels[0])
/// let live = try await workspace.registry.models(.deployedOnly)
/// ```
///
/// The store is reached only through these types, so every change goes through the rules,
/// events and caches of the core.
public final class Workspace: Sendable {
    /// Where everything is stored (internal: changes go through the core's types).
    let store: any PipelineStorage
    /// The estimators configurations may name (standard plus host-registered).
    public let estimators: EstimatorCatalog
    /// The scoring functions configurations may name.
    public let scores: ScoringCatalog
    /// The clock that stamps records and decides time windows.
    public let clock: any WallClock
    /// Where messages go (swift-log). Routine events are logged at `debug`, failures that
    /// did not stop an operation at `warning`, failed jobs at `error`; the host sets the level.
    public let logger: Logger
    /// The directory relative CSV paths are resolved against.
    public let baseDirectory: URL
    /// How long predictions trust the deployment they last read from the store before
    /// reading it again (deployments made through this workspace apply at once; ones made
    /// by another process within this interval).
    public let deploymentRefresh: Duration
    /// How runs hold their pipeline's lease in the store, so two processes sharing it
    /// never run one pipeline at once.
    public let runLease: RunLeasePolicy
    /// What reading CSV sources taught: fingerprints of the sources checked, and the tables
    /// a check read for the next run to take. Shared by workspaces given the same one.
    public let sourceCache: SourceCache
    /// Names this workspace in firing claims: `<host> pid <pid> workspace <8 hex digits>`.
    let identity = "\(Workspace.processIdentity) workspace \(UUID().uuidString.prefix(8).lowercased())"

    struct State {
        var running: Set<PipelineID> = []
        var loaded: [ModelID: LoadedModel] = [:]
        /// The deployment predictions use, per scope, and when it was read.
        var deployed: [DeploymentScope: (model: ModelID?, readAt: ContinuousClock.Instant)] = [:]
        /// Which scopes' deployments are being re-read.
        var deployedRefresh = RefreshGate<DeploymentScope>()
    }
    let state = Mutex(State())
    /// Tokens and endpoints as last read, for ``Endpoints/authenticate(secret:)``.
    let tokenCache = TokenCache()
    /// What cached deployments and tokens are aged by.
    let refreshClock = RefreshClock()
    let events = EventBroadcaster<ModelEvent>()

    /// A workspace over `store`.
    ///
    /// ```swift
    /// var catalog = EstimatorCatalog.standard
    /// try catalog.register(MeanRegressor.self)
    /// let workspace = Workspace(store: InMemoryStore(), estimators: catalog)
    /// ```
    ///
    /// - Parameters:
    ///   - store: The storage backend (``InMemoryStore``, `SQLiteStore`, or the host's).
    ///   - estimators: The estimator catalog; register custom estimators in it first.
    ///   - scores: The scoring catalog; register custom scoring functions in it first.
    ///   - clock: Stamps records; inject a ``ManualWallClock`` in tests.
    ///   - logger: Receives job progress (`debug`) and problems (`warning`, `error`).
    ///   - baseDirectory: Resolves relative CSV paths (default: the current directory).
    ///   - deploymentRefresh: How long predictions trust the deployment they last read
    ///     (deployments through this workspace apply at once).
    ///   - runLease: How long a run's lease on its pipeline lasts and how often it is
    ///     renewed (``RunLeasePolicy/standard``: 30 s, renewed every 10 s).
    ///   - sourceCache: Where source fingerprints and tables read by checks are kept (a new,
    ///     empty ``SourceCache`` by default); give workspaces of one process the same one so
    ///     that a source checked through one is not parsed again by another.
    public init(
        store: any PipelineStorage, estimators: EstimatorCatalog = .standard, scores: ScoringCatalog = .standard,
        clock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "swift-ml-pipelines"),
        baseDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        deploymentRefresh: Duration = .seconds(1), runLease: RunLeasePolicy = .standard, sourceCache: SourceCache = SourceCache()
    ) {
        self.sourceCache = sourceCache
        self.deploymentRefresh = deploymentRefresh
        self.runLease = runLease
        self.store = store
        self.estimators = estimators
        self.scores = scores
        self.clock = clock
        self.logger = logger
        self.baseDirectory = baseDirectory
    }

    /// Every model of every repository: listing, testing, export and import, erasure,
    /// standalone lines and their deployments, events.
    public var registry: ModelRegistry { ModelRegistry(workspace: self) }

    // MARK: Repositories

    /// Creates a repository.
    ///
    /// - Parameters:
    ///   - name: A name not used by another repository.
    ///   - description: A free-text description.
    ///   - git: A Git working tree to commit pipeline configurations to (checked now).
    /// - Returns: The new repository.
    /// - Throws: ``PipelineError/invalidName(kind:name:reason:)`` for an empty name;
    ///   ``PipelineError/git(repository:_:)`` for a Git tree that fails its check;
    ///   ``PipelineError/store(_:)`` with ``StoreError/duplicateName(kind:name:)``.
    @discardableResult
    public func createRepository(named name: String, description: String = "", git: GitConnection? = nil) async throws(PipelineError)
        -> Repository
    {
        try Self.checkName(name, kind: "repository")
        if let git { try await Repository.check(git, repository: name) }
        let record = RepositoryRecord(name: name, description: description, git: git, createdAt: clock.now)
        try await storage { try await store.insertRepository(record) }
        logger.debug("created repository '\(name)'")
        return Repository(id: record.id, workspace: self)
    }

    /// Every repository, by name.
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func repositories() async throws(PipelineError) -> [Repository] {
        try await storage { try await store.repositories() }.map { Repository(id: $0.id, workspace: self) }
    }

    /// The repository called `name`.
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` with ``Lookup/repositoryNamed(_:)``.
    public func repository(named name: String) async throws(PipelineError) -> Repository {
        guard let record = try await storage({ try await store.repositories() }).first(where: { $0.name == name }) else {
            throw .notFound(.repositoryNamed(name))
        }
        return Repository(id: record.id, workspace: self)
    }

    /// The repository with this identifier.
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` with ``Lookup/repository(_:)``.
    public func repository(_ id: RepositoryID) async throws(PipelineError) -> Repository {
        let handle = Repository(id: id, workspace: self)
        _ = try await handle.record()
        return handle
    }

    // MARK: Pipelines

    /// The pipeline with this identifier.
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` with ``Lookup/pipeline(_:)``.
    public func pipeline(_ id: PipelineID) async throws(PipelineError) -> Pipeline {
        let handle = Pipeline(id: id, workspace: self)
        _ = try await handle.record()
        return handle
    }

    /// The pipeline called `name`, in the repository called `repository` or, when nil, in
    /// any repository as long as only one holds a pipeline of that name.
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` with ``Lookup/pipelineNamed(_:repository:)``
    ///   (or ``Lookup/repositoryNamed(_:)``); ``PipelineError/ambiguousName(kind:name:matches:)``
    ///   when several repositories hold one.
    public func pipeline(named name: String, in repository: String? = nil) async throws(PipelineError) -> Pipeline {
        let scope = try await repository.asyncMap { name throws(PipelineError) in try await self.repository(named: name).id }
        let matches = try await storage { try await store.pipelines(in: scope) }.filter { $0.name == name }
        guard let first = matches.first else { throw .notFound(.pipelineNamed(name, repository: repository)) }
        guard matches.count == 1 else { throw .ambiguousName(kind: "pipeline", name: name, matches: matches.count) }
        return Pipeline(id: first.id, workspace: self)
    }

    /// Every pipeline of every repository, by name.
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func pipelines() async throws(PipelineError) -> [Pipeline] {
        try await storage { try await store.pipelines(in: nil) }.map { Pipeline(id: $0.id, workspace: self) }
    }

    // MARK: Rules shared by the handles

    /// Refuses an empty or blank name.
    static func checkName(_ name: String, kind: String) throws(PipelineError) {
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .invalidName(kind: kind, name: name, reason: "a \(kind) needs a name that is not blank")
        }
    }

    /// Publishes a model event; a deployment also updates what predictions use.
    func publish(_ event: ModelEvent) {
        if case .deployed(let record) = event {
            state.withLock { $0.deployed[record.scope] = (record.modelID, refreshClock.now) }
        }
        events.publish(event)
    }

    /// Whether the pipeline is running in this workspace now.
    func isRunning(_ id: PipelineID) -> Bool { state.withLock { $0.running.contains(id) } }
}

extension Optional {
    /// `map` with an async, typed-throwing transform.
    func asyncMap<U, E: Error>(_ transform: (Wrapped) async throws(E) -> U) async throws(E) -> U? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
