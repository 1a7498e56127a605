// Run suite (issue 13, "runs that cost little more than the fit"): whole jobs, end to end,
// through the public API only — `pipeline.run(jobs:)` and `await run.result()` on a
// Workspace over a SQLiteStore in a temporary directory, the pipeline configured from code
// on CSV sources written in each benchmark's setup. From Benchmarks/:
//   swift package --disable-sandbox benchmark --target RunBenchmarks
//
// Data: a seeded linear regression (`id`, features `x0…`, label `y`; standard normal
// features, y = Σ (j+1)/p · x_j + noise, written with 6 decimals). Every pipeline here
// has the same configuration: `training.csv` with ROWS × FEATURES (all of it training
// data, so the fit is over exactly ROWS rows), a separate `testing.csv` of 20 other rows
// (ids after the training ones), key `id`, LinearRegression, validation `.none`, 2 training
// threads. The three benchmarks of a shape:
//   - dataset generation: the first generation of the datasets (reads both CSV files,
//     stores the snapshot);
//   - training job: one LinearRegression fit over the stored datasets, saved as a model;
//   - testing job: scores one untested model on the 20 testing rows.
// Each sample is one job (scalingFactor .one); 1 warm-up, at most 5 samples or 10 s. Wall
// clock, peak resident memory (sampled by package-benchmark between the start and the end
// of the measurement, so it includes what the process already held when the measurement
// began: for the testing job, what the unmeasured training run before it left resident)
// and mallocs. package-benchmark runs each benchmark in its own process.
import Benchmark
import Foundation
import LinearAlgebra
import Pipelines
import PipelinesSQLite
import Tabular

// MARK: Data

/// Buffered CSV output with fixed-point number formatting (Double's `description` would
/// make writing 10–20 million values the slowest part of the setup).
struct CSVWriter {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw BenchmarkSetupFailure("cannot create \(path)")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        buffer.reserveCapacity(1 << 20)
    }

    mutating func text(_ string: String) { buffer.append(contentsOf: string.utf8) }
    mutating func byte(_ value: UInt8) { buffer.append(value) }

    mutating func integer(_ value: Int) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        let start = buffer.count
        var rest = value.magnitude
        repeat {
            buffer.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        buffer[start...].reverse()
    }

    /// `value` rounded to 6 decimals, always with 6 digits after the point.
    mutating func number(_ value: Double) {
        let scaled = Int((value * 1e6).rounded())
        if scaled < 0 { buffer.append(UInt8(ascii: "-")) }
        let magnitude = scaled.magnitude
        integer(Int(magnitude / 1_000_000))
        buffer.append(UInt8(ascii: "."))
        var fraction = magnitude % 1_000_000
        let start = buffer.count
        for _ in 0..<6 {
            buffer.append(UInt8(ascii: "0") + UInt8(fraction % 10))
            fraction /= 10
        }
        buffer[start...].reverse()
    }

    mutating func flushIfLarge() throws {
        if buffer.count >= 1 << 20 { try flush() }
    }

    mutating func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func close() throws {
        try flush()
        try handle.close()
    }
}

/// Writes `rows` rows of the seeded regression (`id` from `firstID`, `x0…x{features-1}`, `y`).
func writeRegressionCSV(path: String, rows: Int, features: Int, firstID: Int, seed: UInt64) throws {
    var random = RandomSource(seed: seed)  // the SDK's one seeded source
    var writer = try CSVWriter(path: path)
    writer.text((["id"] + (0..<features).map { "x\($0)" } + ["y"]).joined(separator: ","))
    writer.byte(UInt8(ascii: "\n"))
    var row = [Double](repeating: 0, count: features)
    for index in 0..<rows {
        var label = 0.0
        for j in 0..<features {
            row[j] = random.normal()
            label += Double(j + 1) / Double(features) * row[j]
        }
        label += 0.1 * random.normal()
        writer.integer(firstID + index)
        for value in row {
            writer.byte(UInt8(ascii: ","))
            writer.number(value)
        }
        writer.byte(UInt8(ascii: ","))
        writer.number(label)
        writer.byte(UInt8(ascii: "\n"))
        try writer.flushIfLarge()
    }
    try writer.close()
}

// MARK: Fixtures

struct BenchmarkSetupFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The size of the training source.
struct Shape: Sendable {
    let rows: Int
    let features: Int
    var label: String { "\(rows)x\(features)" }
}

/// One benchmark's pipeline and the temporary directory holding its CSV files and store.
/// Set in the benchmark's setup, cleared in its teardown.
final class RunFixture: @unchecked Sendable {
    var directory: URL?
    var pipeline: Pipeline?

    /// Writes the data, opens a workspace over a new SQLite store and configures the
    /// pipeline; with `generate`, also runs one dataset generation.
    func setUp(_ shape: Shape, name: String, generate: Bool) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlpipe-runbench-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        try writeRegressionCSV(path: directory.appendingPathComponent("training.csv").path, rows: shape.rows,
                               features: shape.features, firstID: 0, seed: 13)
        try writeRegressionCSV(path: directory.appendingPathComponent("testing.csv").path, rows: 20,
                               features: shape.features, firstID: shape.rows, seed: 14)

        let store = try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path)
        let workspace = Workspace(store: store, baseDirectory: directory)
        let pipeline = try await workspace.createRepository(named: "bench").createPipeline(named: name)
        try await pipeline.configure { config in
            config.dataset = DatasetStep(training: .csv(path: "training.csv"), testing: .csv(path: "testing.csv"),
                                         label: "y", features: .all(excluding: []), keys: ["id"])
            config.training = TrainingStep(estimator: "LinearRegression", validation: .none)
            config.preferences.threads[.training] = 2
        }
        if generate {
            try await runJobs(pipeline, [.datasetGeneration])
        }
        self.pipeline = pipeline
    }

    func tearDown() throws {
        pipeline = nil
        if let directory {
            try FileManager.default.removeItem(at: directory)
        }
        directory = nil
    }

    /// The pipeline; the setup sets it before any sample runs.
    func configuredPipeline() -> Pipeline {
        guard let pipeline else { fatalError("the benchmark's setup did not configure a pipeline") }
        return pipeline
    }
}

/// Runs `jobs` to the end; a run that did not succeed stops the benchmark with its error.
func runJobs(_ pipeline: Pipeline, _ jobs: [JobKind]) async throws {
    let record = try await pipeline.run(jobs: jobs).result()
    guard record.status == .succeeded else {
        let failures = record.outcomes.compactMap { outcome in outcome.error.map { "\(outcome.job): \($0)" } }
        fatalError("run of \(jobs) \(record.status): \(record.error ?? "no error recorded") \(failures)")
    }
}

func configuration(_ fixture: RunFixture, _ shape: Shape, name: String, generate: Bool) -> Benchmark.Configuration {
    .init(
        metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal], timeUnits: .milliseconds, warmupIterations: 1,
        maxDuration: .seconds(10), maxIterations: 5,
        setup: { try await fixture.setUp(shape, name: name, generate: generate) },
        teardown: { try fixture.tearDown() }
    )
}

// MARK: Benchmarks

let shapes = [Shape(rows: 200_000, features: 50), Shape(rows: 1_000_000, features: 20)]

let benchmarks: @Sendable () -> Void = {
    for shape in shapes {
        let generation = RunFixture()
        Benchmark("dataset generation \(shape.label)",
                  configuration: configuration(generation, shape, name: "generation-\(shape.label)", generate: false)) { benchmark in
            let pipeline = generation.configuredPipeline()
            // Not measured: each sample starts from empty datasets (`resetDatasets()` on the
            // same pipeline rather than a fresh pipeline, whose configure would read both
            // sources once more), so every sample is a first generation: all rows new. (If the
            // workspace keeps what a check read for the next run, only the warm-up sample,
            // which is not recorded, can take what the setup's configure read.)
            try await pipeline.resetDatasets()
            benchmark.startMeasurement()
            try await runJobs(pipeline, [.datasetGeneration])
            benchmark.stopMeasurement()
        }

        let training = RunFixture()
        Benchmark("training job LinearRegression \(shape.label)",
                  configuration: configuration(training, shape, name: "training-\(shape.label)", generate: true)) { _ in
            // The datasets were generated once in the setup; each sample saves one more model.
            try await runJobs(training.configuredPipeline(), [.training])
        }

        let testing = RunFixture()
        Benchmark("testing job 20 rows next to \(shape.label)",
                  configuration: configuration(testing, shape, name: "testing-\(shape.label)", generate: true)) { benchmark in
            let pipeline = testing.configuredPipeline()
            // Not measured: a training run, so the testing job finds exactly one untested model.
            try await runJobs(pipeline, [.training])
            benchmark.startMeasurement()
            try await runJobs(pipeline, [.testing])
            benchmark.stopMeasurement()
        }
    }
}
