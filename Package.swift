// swift-tools-version: 6.1
import PackageDescription

// MARK: - Targets

let package = Package(
    name: "swift-ml-pipelines",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LinearAlgebra", targets: ["LinearAlgebra"]),
        .library(name: "Tabular", targets: ["Tabular"]),
        .library(name: "Scoring", targets: ["Scoring"]),
        .library(name: "Estimators", targets: ["Estimators"]),
        .library(name: "Pipelines", targets: ["Pipelines"]),
        .library(name: "PipelinesTesting", targets: ["PipelinesTesting"]),
        .library(name: "PipelinesSQLite", targets: ["PipelinesSQLite"]),
        .library(name: "PipelinesPostgres", targets: ["PipelinesPostgres"]),
        .library(name: "PipelinesSpec", targets: ["PipelinesSpec"]),
        .library(name: "PipelinesServer", targets: ["PipelinesServer"]),
        .library(name: "PipelinesReports", targets: ["PipelinesReports"]),
        .library(name: "ImageDecoding", targets: ["ImageDecoding"]),
        .library(name: "ImageDatasets", targets: ["ImageDatasets"]),
        .executable(name: "mlpipe", targets: ["mlpipe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/JohnSundell/Plot", from: "0.14.0"),
    ],
    targets: [
        // MARK: System libraries
        .systemLibrary(
            name: "CLinearAlgebra",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        .systemLibrary(
            name: "CJPEG",
            pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg62-turbo-dev"])]
        ),
        // The setjmp-guarded C wrappers around libpng and libjpeg (their errors longjmp,
        // which Swift cannot do); ImageDecoding is their only client.
        .target(
            name: "CImageCodecs",
            dependencies: ["CPNG", "CJPEG"]
        ),

        // MARK: SDK modules
        .target(
            name: "LinearAlgebra",
            dependencies: ["CLinearAlgebra"]
        ),

        .target(
            name: "Tabular",
            dependencies: [
                "LinearAlgebra",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        .target(
            name: "Scoring",
            dependencies: ["LinearAlgebra"]
        ),

        .target(
            name: "ImageDecoding",
            dependencies: ["CImageCodecs"]
        ),

        // Image folders (one folder per class) read into tables, and the preprocessing a
        // model keeps to turn new images into the same features.
        .target(
            name: "ImageDatasets",
            dependencies: [
                "ImageDecoding", "Tabular",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        .target(
            name: "Estimators",
            dependencies: ["LinearAlgebra", "Scoring"]
        ),

        .target(
            name: "Pipelines",
            dependencies: [
                "LinearAlgebra", "Tabular", "Scoring", "Estimators", "ImageDatasets",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .target(
            name: "PipelinesSQLite",
            dependencies: ["Pipelines", "Tabular", .product(name: "GRDB", package: "GRDB.swift")]
        ),

        // The shared store on a PostgreSQL server: its own target, so that SDK users who
        // import only Pipelines (or PipelinesSQLite) never pull in postgres-nio.
        .target(
            name: "PipelinesPostgres",
            dependencies: [
                "Pipelines", "Tabular",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .target(
            name: "PipelinesSpec",
            dependencies: ["Pipelines", "Estimators", "Tabular", "ImageDatasets", .product(name: "Yams", package: "Yams")]
        ),

        // Reports of pipelines and of the registry, as self-contained HTML with SVG charts:
        // its own target, so that SDK users who import only Pipelines never pull in Plot.
        .target(
            name: "PipelinesReports",
            dependencies: [
                "Pipelines", "Scoring", "Estimators", "Tabular", "LinearAlgebra", .product(name: "Plot", package: "Plot"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // The HTTP consumer of deployments: its own target, so that SDK users who import
        // only Pipelines never pull in Hummingbird.
        .target(
            name: "PipelinesServer",
            dependencies: [
                "Pipelines", "PipelinesReports", "Tabular", "LinearAlgebra",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        .executableTarget(
            name: "mlpipe",
            dependencies: [
                "Pipelines", "PipelinesSQLite", "PipelinesPostgres", "PipelinesSpec", "PipelinesServer", "PipelinesReports", "Estimators", "Tabular", "Scoring",
                "LinearAlgebra",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        .target(
            name: "PipelinesTesting",
            dependencies: ["Pipelines", "Tabular", "Estimators"]
        ),

        // MARK: Examples
        .executableTarget(
            name: "LeastSquaresExample",
            dependencies: ["LinearAlgebra"],
            path: "Examples/LeastSquaresExample"
        ),

        // MARK: Tests
        // The child process the crash test kills with SIGKILL while it saves and deploys.
        .executableTarget(
            name: "StoreCrashChild",
            dependencies: ["Pipelines", "PipelinesSQLite", "PipelinesPostgres", "Tabular", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/StoreCrashChild"
        ),
        .testTarget(
            name: "LinearAlgebraTests",
            dependencies: ["LinearAlgebra"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "TabularTests",
            dependencies: ["Tabular"]
        ),
        .testTarget(
            name: "EstimatorsTests",
            dependencies: ["Estimators", "Tabular"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "PipelinesTests",
            dependencies: [
                "Pipelines", "PipelinesSQLite", "PipelinesPostgres", "PipelinesSpec", "PipelinesTesting", "Tabular", "Estimators", "Scoring",
                "LinearAlgebra", "ImageDatasets", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "PipelinesSpecTests",
            dependencies: ["PipelinesSpec", "Pipelines", "Estimators"],
            resources: [.copy("Fixtures")]
        ),
        // Imports the public products only (no @testable): the API as a host program sees it.
        .testTarget(
            name: "PipelinesAPITests",
            dependencies: ["Pipelines", "PipelinesSQLite", "Tabular"]
        ),
        // The store modules only to read what the processes left in it (and to hold a lease).
        .testTarget(
            name: "MLPipeTests",
            dependencies: ["mlpipe", "Pipelines", "PipelinesSQLite", "PipelinesPostgres", "LinearAlgebra"]
        ),
        .testTarget(
            name: "PipelinesServerTests",
            dependencies: [
                "PipelinesServer", "PipelinesReports", "Pipelines", "Tabular",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "ImageDecodingTests",
            dependencies: ["ImageDecoding"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "ImageDatasetsTests",
            dependencies: [
                "ImageDatasets", "ImageDecoding", "Tabular",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "PipelinesReportsTests",
            dependencies: ["PipelinesReports", "Pipelines", "Scoring", "Estimators", "Tabular"]
        ),
        .testTarget(
            name: "ScoringTests",
            dependencies: ["Scoring"],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// MARK: - Settings shared by every Swift target

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
