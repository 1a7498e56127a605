// The store benchmarks every store runs alike, so that the suites' tables compare stores
// line by line (PipelinesBenchmarks registers them on SQLite, PostgresBenchmarks on
// PostgreSQL): the same setup, the same calls, names that differ only by the store's.
//   - deployment switch: `Deployment.deploy(_:ifCurrent:)` between two trained models of one
//     pipeline, what a host calls (the core reads the model record, then the store swaps);
//   - a page of 100 out of 100,000 models, in the middle (offset 50,000) and at the end
//     (offset 99,900): through `workspace.registry.models(offset:limit:)` (the page and the
//     total, what a user waits for) and the store's `models(matching:offset:limit:)` alone;
//   - storing a 200,000 × 50 training set: `DatasetSnapshot(pipelineID:generation:datasets:savedAt:)`
//     and `saveDatasets(_:replacing:)`, as the dataset generation job does (encoding
//     included), each sample replacing the previous generation.
// Each benchmark gets a fresh, empty store in its setup (package-benchmark runs every
// benchmark in its own process) and disposes of it in its teardown; after the listing
// setup's 100,000 inserts the store is settled (`BenchmarkStore.Opened.settle`), so pages
// are measured in the state a store's own upkeep keeps it in.
import Benchmark
import Foundation
import LinearAlgebra
import Pipelines
import Tabular

/// A store under test: a name for the benchmarks' titles, and how a benchmark gets a fresh,
/// empty one.
public struct BenchmarkStore: Sendable {
    /// A store opened for one benchmark and what gets rid of it afterwards.
    public struct Opened: Sendable {
        /// The store.
        public let store: any PipelineStorage
        /// Brings the store to the state its own upkeep keeps it in, after a setup wrote a lot
        /// at once (PostgreSQL: what autovacuum does within a minute of the inserts).
        public let settle: @Sendable () async throws -> Void
        /// Closes the store and removes what it holds (its files, its schema).
        public let dispose: @Sendable () async throws -> Void

        /// A store, what settles it after a large setup (nothing by default) and what
        /// disposes of it.
        public init(
            store: any PipelineStorage, settle: @escaping @Sendable () async throws -> Void = {},
            dispose: @escaping @Sendable () async throws -> Void
        ) {
            self.store = store
            self.settle = settle
            self.dispose = dispose
        }
    }

    /// How the store is called in the benchmarks' titles ("SQLite", "PostgreSQL").
    public let name: String
    /// How many model records the listing setup inserts at once (1 for a store with one
    /// writer: more would only queue).
    public let insertConcurrency: Int
    /// A fresh, empty store for the benchmark called `label` (letters, digits and `_`).
    public let open: @Sendable (_ label: String) async throws -> Opened

    /// A store under test.
    public init(name: String, insertConcurrency: Int, open: @escaping @Sendable (_ label: String) async throws -> Opened) {
        self.name = name
        self.insertConcurrency = insertConcurrency
        self.open = open
    }
}

/// Why a benchmark's setup could not build what it measures.
public struct BenchmarkSetupFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

// MARK: Data

/// A seeded regression table: `rows` × `features` numeric features, a key and a label.
public func regressionTable(rows: Int, features: Int, seed: UInt64) throws -> Table {
    var random = RandomSource(seed: seed)
    var columns = [Column(name: "id", integer: Array(0..<rows))]
    var label = [Double](repeating: 0, count: rows)
    for j in 0..<features {
        let values = (0..<rows).map { _ in random.normal() }
        for i in 0..<rows { label[i] += Double(j + 1) * values[i] }
        columns.append(Column(name: "x\(j)", numeric: values))
    }
    columns.append(Column(name: "y", numeric: label))
    return try Table(columns)
}

/// One repository and one pipeline called `name` in `store`, through the store's protocol.
public func insertPipeline(_ name: String, into store: any PipelineStorage) async throws -> PipelineRecord {
    let repository = RepositoryRecord(name: "bench", createdAt: Date())
    try await store.insertRepository(repository)
    let pipeline = PipelineRecord(repositoryID: repository.id, name: name, createdAt: Date())
    try await store.insertPipeline(pipeline)
    return pipeline
}

/// A workspace on `store` with a LinearRegression pipeline on a seeded table, after one
/// dataset generation and one training run.
public func workspaceWithLinearPipeline(
    _ name: String, store: any PipelineStorage, rows: Int, features: Int, seed: UInt64
) async throws -> Pipeline {
    let workspace = Workspace(store: store)
    let pipeline = try await workspace.createRepository(named: "bench").createPipeline(named: name)
    let table = try regressionTable(rows: rows, features: features, seed: seed)
    try await pipeline.configure { config in
        config.dataset = DatasetStep(training: .table(table), split: RandomSplit(testFraction: 0.2, seed: 1), label: "y",
                                     features: .all(excluding: []), keys: ["id"])
        config.training = TrainingStep(estimator: "LinearRegression", validation: .none)
    }
    let run = try await pipeline.run(jobs: [.datasetGeneration, .training]).result()
    guard run.status == .succeeded else { throw BenchmarkSetupFailure("training failed: \(run.outcomes)") }
    return pipeline
}

/// `count` small saved models of `pipeline` (Ridge over 10 features, a 512-byte artifact),
/// created one second apart from `start`, inserted `concurrency` at a time through
/// `insertModel(_:artifact:)`.
public func insertModels(
    _ count: Int, of pipeline: PipelineRecord, into store: any PipelineStorage, concurrency: Int, start: Date = Date()
) async throws {
    let schema = FeatureSchema(features: (0..<10).map { Schema.Field(name: "x\($0)", type: .numeric) }, label: "y",
                               labelType: .numeric, classes: nil)
    let artifact = Data(repeating: 7, count: 512)
    func record(_ index: Int) -> ModelRecord {
        ModelRecord(
            origin: .pipeline(pipeline.id), repositoryID: pipeline.repositoryID, version: 1 + index / 100, estimator: "Ridge",
            task: .regression, hyperParameters: ["alpha": .double(Double(index % 7)), "fit_intercept": .bool(true)],
            status: .saved, validationScore: ScoreValue(name: "r2", value: 0.9), trainingSeconds: 0.01,
            meanPredictionSeconds: 1e-6, schema: schema,
            lineage: ModelLineage(datasetGeneration: 1, trainingRows: 800, validationRows: 200, testingRows: 200, configurationHash: "0"),
            createdAt: start.addingTimeInterval(Double(index)))
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        while next < min(max(concurrency, 1), count) {
            let model = record(next)
            group.addTask { try await store.insertModel(model, artifact: artifact) }
            next += 1
        }
        while try await group.next() != nil {
            guard next < count else { continue }
            let model = record(next)
            group.addTask { try await store.insertModel(model, artifact: artifact) }
            next += 1
        }
    }
}

// MARK: The benchmarks

/// What one benchmark's setup built, for its samples and its teardown.
final class StoreFixture: @unchecked Sendable {
    let kind: BenchmarkStore
    var opened: BenchmarkStore.Opened?
    var deployment: Deployment?
    /// The two models the switch alternates between; the first is deployed.
    var models: [ModelID] = []
    var workspace: Workspace?
    var pipeline: PipelineID?
    var datasets: MLDatasets?
    /// The generation of the snapshot stored last (0: none yet).
    var generation = 0

    init(_ kind: BenchmarkStore) { self.kind = kind }

    /// A fresh store for this benchmark.
    func open(_ label: String) async throws -> any PipelineStorage {
        let opened = try await kind.open(label)
        self.opened = opened
        return opened.store
    }

    /// Closes the store and removes what it holds.
    func dispose() async throws {
        deployment = nil
        workspace = nil
        datasets = nil
        let opened = self.opened
        self.opened = nil
        try await opened?.dispose()
    }

    /// Two deployable models of one pipeline (two training runs), the first deployed.
    func setUpSwitching() async throws {
        let store = try await open("switch")
        let pipeline = try await workspaceWithLinearPipeline("switch", store: store, rows: 500, features: 3, seed: 2)
        let again = try await pipeline.run(jobs: [.training]).result()
        guard again.status == .succeeded else { throw BenchmarkSetupFailure("training failed: \(again.outcomes)") }
        models = try await pipeline.models().map(\.id)
        guard models.count == 2 else { throw BenchmarkSetupFailure("expected two models, found \(models.count)") }
        try await pipeline.deployment.deploy(models[0], ifCurrent: nil)
        deployment = pipeline.deployment
    }

    /// 100,000 small models of one pipeline, behind a workspace's registry; checks the page
    /// at `offset` holds 100 of them.
    func setUpListing(_ label: String, offset: Int) async throws {
        let store = try await open(label)
        let pipeline = try await insertPipeline("list", into: store)
        try await insertModels(pageModelCount, of: pipeline, into: store, concurrency: kind.insertConcurrency)
        try await opened?.settle()
        let workspace = Workspace(store: store)
        let page = try await workspace.registry.models(offset: offset, limit: 100)
        guard page.total == pageModelCount, page.models.count == 100 else {
            throw BenchmarkSetupFailure("expected \(pageModelCount) models and a full page, found \(page.total) and \(page.models.count)")
        }
        self.workspace = workspace
    }

    /// A 200,000 × 50 training set (MLDatasets after one generation of 250,000 rows, 20% to
    /// testing: 200,000 training rows of 50 features, the key and the label) and a pipeline.
    func setUpStoring() async throws {
        let store = try await open("datasets")
        pipeline = try await insertPipeline("store", into: store).id
        var datasets = MLDatasets()
        let table = try regressionTable(rows: 250_000, features: 50, seed: 3)
        try datasets.generate(from: table, selection: FeatureSelection(label: "y", keys: ["id"]), testFraction: 0.2, seed: 1)
        guard datasets.training.rowCount == 200_000 else {
            throw BenchmarkSetupFailure("expected 200,000 training rows, found \(datasets.training.rowCount)")
        }
        self.datasets = datasets
        generation = 0
    }
}

/// How many models the listing benchmarks page through.
let pageModelCount = 100_000

/// Registers the store benchmarks on `kind`.
public func registerStoreBenchmarks(on kind: BenchmarkStore) {
    let switching = StoreFixture(kind)
    Benchmark("deployment switch (\(kind.name), Deployment.deploy(_:ifCurrent:))", configuration: .init(
        metrics: [.wallClock], timeUnits: .microseconds, warmupIterations: 2, maxDuration: .seconds(10), maxIterations: 500,
        setup: { try await switching.setUpSwitching() }, teardown: { try await switching.dispose() }
    )) { benchmark in
        guard let deployment = switching.deployment, switching.models.count == 2 else { return }
        for _ in benchmark.scaledIterations {
            // The fixture keeps the deployed model first.
            let (current, next) = (switching.models[0], switching.models[1])
            try await deployment.deploy(next, ifCurrent: current)
            switching.models = [next, current]
        }
    }

    // Each page twice: what a user waits for (the registry: the page, then the total) and the
    // store's page query alone (as the 10,000-model SQLite benchmark of issue 6 measures).
    for (title, offset) in [("middle", pageModelCount / 2), ("last", pageModelCount - 100)] {
        let listing = StoreFixture(kind)
        Benchmark("page of 100 out of 100,000 models, \(title) (\(kind.name), registry.models: page and total)", configuration: .init(
            metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 2, maxDuration: .seconds(10), maxIterations: 200,
            setup: { try await listing.setUpListing("registry_\(title)", offset: offset) }, teardown: { try await listing.dispose() }
        )) { benchmark in
            guard let registry = listing.workspace?.registry else { return }
            for _ in benchmark.scaledIterations {
                blackHole(try await registry.models(ModelFilter(), offset: offset, limit: 100))
            }
        }

        let query = StoreFixture(kind)
        Benchmark("page of 100 out of 100,000 models, \(title) (\(kind.name), models(matching:offset:limit:))", configuration: .init(
            metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 2, maxDuration: .seconds(10), maxIterations: 200,
            setup: { try await query.setUpListing("query_\(title)", offset: offset) }, teardown: { try await query.dispose() }
        )) { benchmark in
            guard let store = query.opened?.store else { return }
            for _ in benchmark.scaledIterations {
                blackHole(try await store.models(matching: ModelFilter(), offset: offset, limit: 100))
            }
        }
    }

    let storing = StoreFixture(kind)
    Benchmark("store a 200,000 x 50 training set (\(kind.name))", configuration: .init(
        metrics: [.wallClock, .peakMemoryResident], timeUnits: .milliseconds, warmupIterations: 1,
        maxDuration: .seconds(30), maxIterations: 5,
        setup: { try await storing.setUpStoring() }, teardown: { try await storing.dispose() }
    )) { benchmark in
        guard let store = storing.opened?.store, let pipeline = storing.pipeline, let datasets = storing.datasets else { return }
        for _ in benchmark.scaledIterations {
            // Encoding included: what the dataset generation job does after a run.
            let stored = storing.generation
            let snapshot = DatasetSnapshot(pipelineID: pipeline, generation: stored + 1, datasets: datasets, savedAt: Date())
            try await store.saveDatasets(snapshot, replacing: stored == 0 ? nil : stored)
            storing.generation = stored + 1
        }
    }
}
