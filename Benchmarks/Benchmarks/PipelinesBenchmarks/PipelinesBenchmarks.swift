// Pipelines suite (issue 6 targets): a one-record prediction through the deployed linear
// model in-process (p50 ≤ 5 µs), a page of 100 out of 10,000 models on SQLite (≤ 50 ms),
// a deployment switch on SQLite (≤ 10 ms), and storing a 200,000 × 50 training set on
// SQLite (≤ 1 s). Everything is generated in the setup; nothing to download. From Benchmarks/:
//   swift package --disable-sandbox benchmark --target PipelinesBenchmarks
import Benchmark
import Estimators
import Foundation
import LinearAlgebra
import Pipelines
import PipelinesSQLite
import Tabular

/// A fresh SQLite file in a new temporary directory.
func temporaryStorePath(_ name: String) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlpipe-bench-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent("store.sqlite").path
}

/// A seeded regression table: `rows` × `features` numeric features, a key and a label.
func regressionTable(rows: Int, features: Int, seed: UInt64) throws -> Table {
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

/// A SQLite store holding one repository and one pipeline called `name`.
func storeWithPipeline(_ name: String) async throws -> (SQLiteStore, PipelineRecord) {
    let store = try SQLiteStore(path: try temporaryStorePath(name))
    let repository = RepositoryRecord(name: "bench", createdAt: Date())
    try await store.insertRepository(repository)
    let pipeline = PipelineRecord(repositoryID: repository.id, name: name, createdAt: Date())
    try await store.insertPipeline(pipeline)
    return (store, pipeline)
}

/// A workspace on SQLite with a LinearRegression pipeline on a seeded table, after one
/// dataset generation and one training run.
func workspaceWithLinearPipeline(_ name: String, rows: Int, features: Int, seed: UInt64) async throws -> Pipeline {
    let workspace = Workspace(store: try SQLiteStore(path: try temporaryStorePath(name)))
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

/// Shared state built once per benchmark in its setup.
final class Fixture: @unchecked Sendable {
    var deployment: Deployment?
    var pipeline: PipelineID?
    var store: SQLiteStore?
    var models: [ModelID] = []
    var datasets: MLDatasets?
    /// The generation of the snapshot stored last (0: none yet).
    var generation = 0
}

let prediction = Fixture()
let listing = Fixture()
let switching = Fixture()
let storing = Fixture()

/// A workspace on SQLite with a deployed LinearRegression over 5 features.
func setUpPrediction() async throws {
    let pipeline = try await workspaceWithLinearPipeline("predict", rows: 2_000, features: 5, seed: 1)
    guard let model = try await pipeline.models().first else { throw BenchmarkSetupFailure("no model") }
    try await pipeline.deployment.deploy(model.id, ifCurrent: nil)
    prediction.deployment = pipeline.deployment
    prediction.pipeline = pipeline.id
}

/// A SQLite store holding 10,000 small models of one pipeline.
func setUpListing() async throws {
    let (store, pipeline) = try await storeWithPipeline("list")
    let schema = FeatureSchema(features: (0..<10).map { Schema.Field(name: "x\($0)", type: .numeric) }, label: "y",
                               labelType: .numeric, classes: nil)
    let start = Date()
    for index in 0..<10_000 {
        let record = ModelRecord(
            origin: .pipeline(pipeline.id), repositoryID: pipeline.repositoryID, version: 1 + index / 100, estimator: "Ridge",
            task: .regression, hyperParameters: ["alpha": .double(Double(index % 7)), "fit_intercept": .bool(true)],
            status: .saved, validationScore: ScoreValue(name: "r2", value: 0.9), trainingSeconds: 0.01,
            meanPredictionSeconds: 1e-6, schema: schema,
            lineage: ModelLineage(datasetGeneration: 1, trainingRows: 800, validationRows: 200, testingRows: 200, configurationHash: "0"),
            createdAt: start.addingTimeInterval(Double(index)))
        try await store.insertModel(record, artifact: Data(repeating: 7, count: 512))
    }
    listing.store = store
}

/// A SQLite store with two deployable models of one pipeline.
func setUpSwitching() async throws {
    let pipeline = try await workspaceWithLinearPipeline("switch", rows: 500, features: 3, seed: 2)
    let again = try await pipeline.run(jobs: [.training]).result()
    guard again.status == .succeeded else { throw BenchmarkSetupFailure("training failed: \(again.outcomes)") }
    switching.models = try await pipeline.models().map(\.id)
    guard switching.models.count == 2 else { throw BenchmarkSetupFailure("expected two models") }
    try await pipeline.deployment.deploy(switching.models[0], ifCurrent: nil)
    switching.deployment = pipeline.deployment
    switching.pipeline = pipeline.id
}

/// A 200,000 × 50 training set (MLDatasets after one generation run of 250,000 rows, 20% to
/// testing: 200,000 training rows of 50 features, the key and the label) and a store.
func setUpStoring() async throws {
    let (store, pipeline) = try await storeWithPipeline("store")
    var datasets = MLDatasets()
    let table = try regressionTable(rows: 250_000, features: 50, seed: 3)
    try datasets.generate(from: table, selection: FeatureSelection(label: "y", keys: ["id"]), testFraction: 0.2, seed: 1)
    storing.store = store
    storing.pipeline = pipeline.id
    storing.datasets = datasets
    storing.generation = 0
}

struct BenchmarkSetupFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark("predict one record, deployed LinearRegression (in-process)", configuration: .init(
        metrics: [.wallClock, .mallocCountTotal], timeUnits: .microseconds, warmupIterations: 10,
        // 1,000 predictions per sample: the harness starts a task and wakes a thread for
        // every sample, which at one prediction per sample measured the harness, not us.
        scalingFactor: .kilo, maxDuration: .seconds(10), maxIterations: 2_000, setup: setUpPrediction
    )) { benchmark in
        guard let deployment = prediction.deployment else { return }
        let record: [String: Value] = ["x0": 0.1, "x1": -0.2, "x2": 0.3, "x3": 1.5, "x4": -0.7]
        for _ in benchmark.scaledIterations {
            blackHole(try await deployment.predict([record]))
        }
    }

    Benchmark("list a page of 100 out of 10,000 models (SQLite)", configuration: .init(
        metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 2, maxDuration: .seconds(10), maxIterations: 200,
        setup: setUpListing
    )) { benchmark in
        guard let store = listing.store else { return }
        var offset = 0
        for _ in benchmark.scaledIterations {
            blackHole(try await store.models(matching: ModelFilter(), offset: offset, limit: 100))
            offset = (offset + 3_700) % 9_900
        }
    }

    Benchmark("deployment switch (SQLite compare-and-swap)", configuration: .init(
        metrics: [.wallClock], timeUnits: .microseconds, warmupIterations: 2, maxDuration: .seconds(10), maxIterations: 500,
        setup: setUpSwitching
    )) { benchmark in
        guard let deployment = switching.deployment else { return }
        var current = switching.models[0]
        for _ in benchmark.scaledIterations {
            let next = current == switching.models[0] ? switching.models[1] : switching.models[0]
            try await deployment.deploy(next, ifCurrent: current)
            current = next
        }
        switching.models = current == switching.models[0] ? switching.models : switching.models.reversed()
    }

    Benchmark("store a 200,000 x 50 training set (SQLite)", configuration: .init(
        metrics: [.wallClock, .peakMemoryResident], timeUnits: .milliseconds, warmupIterations: 1,
        maxDuration: .seconds(30), maxIterations: 5, setup: setUpStoring
    )) { benchmark in
        guard let store = storing.store, let pipeline = storing.pipeline, let datasets = storing.datasets else { return }
        for _ in benchmark.scaledIterations {
            // Encoding included: what the dataset generation job does after a run.
            let stored = storing.generation
            let snapshot = DatasetSnapshot(
                pipelineID: pipeline, generation: stored + 1, encoded: Data(datasets.binaryEncoded()), savedAt: Date())
            try await store.saveDatasets(snapshot, replacing: stored == 0 ? nil : stored)
            storing.generation = stored + 1
        }
    }
}
