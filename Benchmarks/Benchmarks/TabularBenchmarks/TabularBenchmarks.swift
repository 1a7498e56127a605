// Tabular suite: CSV reading of the issue 3 fixtures, and a large seeded train/test split.
//
// The CSV files are generated, not committed. From the repository root, once:
//   python3 Benchmarks/Scripts/generate_csv_fixtures.py        # writes Benchmarks/.data/
// then from Benchmarks/:
//   swift package --disable-sandbox benchmark --target TabularBenchmarks
// A missing fixture fails that benchmark's setup: package-benchmark prints the message
// (which names the generator) and skips that benchmark; the others still run.
// Scripts/compare_csv_pandas.py puts the reader side by side with pandas.read_csv.
import Benchmark
import Foundation
import Tabular

/// Benchmarks/.data/, found from this file's location (Benchmarks/Benchmarks/TabularBenchmarks/).
let dataFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent(".data", isDirectory: true)

/// A fixture that has not been generated yet.
struct MissingFixture: Error, CustomStringConvertible {
    let path: String
    var description: String {
        """
        CSV fixture not found: \(path)
        Generate the fixtures first, from the repository root:
            python3 Benchmarks/Scripts/generate_csv_fixtures.py
        """
    }
}

/// A setup hook that throws ``MissingFixture`` when `url` is not there.
func requireFixture(_ url: URL) -> Benchmark.BenchmarkSetupHook {
    return {
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw MissingFixture(path: url.path)
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(20),
        maxIterations: 10
    )

    // MARK: CSV reading (~131 MB numeric, ~14 MB mixed types)
    let numeric = dataFolder.appendingPathComponent("numeric_200000x51.csv")
    Benchmark("csv read numeric 200000x51", configuration: .init(setup: requireFixture(numeric))) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try CSV.read(contentsOf: numeric))
        }
    }

    let mixed = dataFolder.appendingPathComponent("mixed_200000.csv")
    Benchmark("csv read mixed 200000", configuration: .init(setup: requireFixture(mixed))) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try CSV.read(contentsOf: mixed))
        }
    }

    // MARK: Splits
    Benchmark("train/test split 1000000 rows") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Split.trainTest(count: 1_000_000, testFraction: 0.2, seed: 27_062_020))
        }
    }
}
