// Pipelines suite (issue 6 targets): a one-record prediction through the deployed linear
// model in-process (p50 ≤ 5 µs), a page of 100 out of 10,000 models on SQLite (≤ 50 ms),
// a deployment switch on SQLite (≤ 10 ms), and storing a 200,000 × 50 training set on
// SQLite (≤ 1 s); with the store benchmarks PostgresBenchmarks runs on PostgreSQL (a page
// of 100 out of 100,000 models, Sources/StoreBenchmarks), for the stores side by side.
// Everything is generated in the setup; nothing to download. From Benchmarks/:
//   swift package --disable-sandbox benchmark --target PipelinesBenchmarks
import Benchmark
import Estimators
import Foundation
import LinearAlgebra
import Pipelines
import PipelinesSQLite
import StoreBenchmarks
import Tabular

/// A new temporary directory for one benchmark's SQLite store.
func temporaryStoreDirectory(_ name: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlpipe-bench-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// SQLite stores for the shared store benchmarks: a file in a new temporary directory,
/// removed with it afterwards.
let sqlite = BenchmarkStore(name: "SQLite", insertConcurrency: 1) { label in
    let directory = try temporaryStoreDirectory(label)
    let store = try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path)
    return BenchmarkStore.Opened(store: store) { try FileManager.default.removeItem(at: directory) }
}

/// Shared state built once per benchmark in its setup.
final class Fixture: @unchecked Sendable {
    var deployment: Deployment?
    var store: SQLiteStore?
    var directory: URL?
}

let prediction = Fixture()
let listing = Fixture()

/// A workspace on SQLite with a deployed LinearRegression over 5 features.
func setUpPrediction() async throws {
    let directory = try temporaryStoreDirectory("predict")
    prediction.directory = directory
    let store = try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path)
    let pipeline = try await workspaceWithLinearPipeline("predict", store: store, rows: 2_000, features: 5, seed: 1)
    guard let model = try await pipeline.models().first else { throw BenchmarkSetupFailure("no model") }
    try await pipeline.deployment.deploy(model.id, ifCurrent: nil)
    prediction.deployment = pipeline.deployment
}

/// A SQLite store holding 10,000 small models of one pipeline.
func setUpListing() async throws {
    let directory = try temporaryStoreDirectory("list")
    listing.directory = directory
    let store = try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path)
    let pipeline = try await insertPipeline("list", into: store)
    try await insertModels(10_000, of: pipeline, into: store, concurrency: 1)
    listing.store = store
}

/// Removes the fixture's temporary directory.
func tearDown(_ fixture: Fixture) throws {
    fixture.deployment = nil
    fixture.store = nil
    if let directory = fixture.directory { try FileManager.default.removeItem(at: directory) }
    fixture.directory = nil
}

let benchmarks: @Sendable () -> Void = {
    Benchmark("predict one record, deployed LinearRegression (in-process)", configuration: .init(
        metrics: [.wallClock, .mallocCountTotal], timeUnits: .microseconds, warmupIterations: 10,
        // 1,000 predictions per sample: the harness starts a task and wakes a thread for
        // every sample, which at one prediction per sample measured the harness, not us.
        scalingFactor: .kilo, maxDuration: .seconds(10), maxIterations: 2_000, setup: setUpPrediction,
        teardown: { try tearDown(prediction) }
    )) { benchmark in
        guard let deployment = prediction.deployment else { return }
        let record: [String: Value] = ["x0": 0.1, "x1": -0.2, "x2": 0.3, "x3": 1.5, "x4": -0.7]
        for _ in benchmark.scaledIterations {
            blackHole(try await deployment.predict([record]))
        }
    }

    Benchmark("list a page of 100 out of 10,000 models (SQLite)", configuration: .init(
        metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 2, maxDuration: .seconds(10), maxIterations: 200,
        setup: setUpListing, teardown: { try tearDown(listing) }
    )) { benchmark in
        guard let store = listing.store else { return }
        var offset = 0
        for _ in benchmark.scaledIterations {
            blackHole(try await store.models(matching: ModelFilter(), offset: offset, limit: 100))
            offset = (offset + 3_700) % 9_900
        }
    }

    // The deployment switch, pages of 100 out of 100,000 models and storing the
    // 200,000 × 50 training set, as PostgresBenchmarks runs them.
    registerStoreBenchmarks(on: sqlite)
}
