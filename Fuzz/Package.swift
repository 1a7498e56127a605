// swift-tools-version: 6.1
// libFuzzer harnesses for the CSV reader, the spec parser and the image decoders. A separate package so the
// SDK's own build never sees `-sanitize=fuzzer`. Build and run with `Scripts/fuzz.sh`.
import PackageDescription

let package = Package(
    name: "swift-ml-pipelines-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-ml-pipelines", path: "..")
    ],
    targets: [
        // `X_main` entry points that start libFuzzer (see FuzzerEntry.c).
        .target(name: "FuzzerEntry"),
        .executableTarget(
            name: "FuzzCSV",
            dependencies: ["FuzzerEntry", .product(name: "Tabular", package: "swift-ml-pipelines")]
        ),
        .executableTarget(
            name: "FuzzSpec",
            dependencies: ["FuzzerEntry", .product(name: "PipelinesSpec", package: "swift-ml-pipelines")]
        ),
        .executableTarget(
            name: "FuzzImages",
            dependencies: ["FuzzerEntry", .product(name: "ImageDecoding", package: "swift-ml-pipelines")]
        ),
    ]
)
