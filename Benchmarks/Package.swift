// swift-tools-version: 6.1
import Foundation
import PackageDescription

// The benchmarks live in their own package so that SDK users never resolve
// package-benchmark. The SDK is referenced by path; SwiftPM names a path dependency after
// its folder, which differs between clones, so read that name off this file's location.
let sdkFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "swift-ml-pipelines-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // PostgresBenchmarks drops each benchmark's schema over a connection of its own (the
        // SDK depends on it already, at this version).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // MARK: Direct CBLAS access, the baseline our wrappers are measured against
        .systemLibrary(
            name: "CBenchmarkBLAS",
            path: "Sources/CBenchmarkBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),

        // MARK: Suites
        .executableTarget(
            name: "LinearAlgebraBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "LinearAlgebra", package: sdkFolder),
                "CBenchmarkBLAS",
            ],
            path: "Benchmarks/LinearAlgebraBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "TabularBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Tabular", package: sdkFolder),
            ],
            path: "Benchmarks/TabularBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        .executableTarget(
            name: "PipelinesBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Pipelines", package: sdkFolder),
                .product(name: "PipelinesSQLite", package: sdkFolder),
                .product(name: "Estimators", package: sdkFolder),
                .product(name: "Tabular", package: sdkFolder),
                .product(name: "LinearAlgebra", package: sdkFolder),
                "StoreBenchmarks",
            ],
            path: "Benchmarks/PipelinesBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The PostgreSQL store's targets: the shared store benchmarks on a server named by
        // MLPIPE_BENCH_POSTGRES_URL (none registered without it).
        .executableTarget(
            name: "PostgresBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Pipelines", package: sdkFolder),
                .product(name: "PipelinesPostgres", package: sdkFolder),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                "StoreBenchmarks",
            ],
            path: "Benchmarks/PostgresBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Whole jobs end to end (issue 13): dataset generation, training and testing runs on
        // SQLite, through the SDK's public API only.
        .executableTarget(
            name: "RunBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Pipelines", package: sdkFolder),
                .product(name: "PipelinesSQLite", package: sdkFolder),
                .product(name: "Tabular", package: sdkFolder),
                .product(name: "LinearAlgebra", package: sdkFolder),
            ],
            path: "Benchmarks/RunBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        // The store benchmarks every store runs alike (deployment switch, pages of 100 out of
        // 100,000 models, storing a 200,000 × 50 training set), registered by the Pipelines
        // suite on SQLite and the PostgreSQL suite on PostgreSQL.
        .target(
            name: "StoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Pipelines", package: sdkFolder),
                .product(name: "Tabular", package: sdkFolder),
                .product(name: "LinearAlgebra", package: sdkFolder),
            ],
            path: "Sources/StoreBenchmarks"
        ),

        // MARK: Tools
        .target(name: "TimerSupport", path: "Sources/TimerSupport"),
        // Fits one estimator on a CSV file and times fit and single-row predict
        // (used by Scripts/compare_estimators_sklearn.py).
        .executableTarget(
            name: "estimator-timer",
            dependencies: [
                .product(name: "Estimators", package: sdkFolder),
                .product(name: "Tabular", package: sdkFolder),
                .product(name: "Scoring", package: sdkFolder),
                .product(name: "LinearAlgebra", package: sdkFolder),
                "TimerSupport",
            ],
            path: "Sources/EstimatorTimer"
        ),
        // Times one CSV.read of a file given as argument (used by Scripts/compare_csv_pandas.py).
        .executableTarget(
            name: "csv-read-timer",
            dependencies: [.product(name: "Tabular", package: sdkFolder), "TimerSupport"],
            path: "Sources/CSVReadTimer"
        ),
        // Times ImageFolder.read on a folder given as argument (used by Scripts/image_folder_speed.sh).
        .executableTarget(
            name: "image-folder-timer",
            dependencies: [.product(name: "ImageDatasets", package: sdkFolder), "TimerSupport"],
            path: "Sources/ImageFolderTimer"
        ),
    ],
    swiftLanguageModes: [.v6]
)
