import Foundation
import Pipelines
import Tabular
import Testing

/// Datasets larger than a chunk go to every store and come back in chunks: no buffer of a
/// whole part is allocated on the way (the PostgreSQL store's rows are its chunks).
@Suite("Datasets saved and read in chunks")
struct ChunkedDatasetTests {
    /// Datasets whose training part is about 2 MiB: numbers, a categorical column and
    /// missing values.
    static func datasets() throws -> MLDatasets {
        let rows = 90_000
        let table = try Table([
            Column(name: "x", numeric: (0..<rows).map { Double($0) * 0.125 }),
            Column(name: "z", numeric: (0..<rows).map { $0 % 11 == 0 ? nil : Double($0 % 97) }),
            Column(name: "k", categorical: (0..<rows).map { "level \($0 % 17)" }),
            Column(name: "y", numeric: (0..<rows).map { Double($0 % 2) }),
        ])
        var datasets = MLDatasets()
        try datasets.generate(from: table, selection: FeatureSelection(label: "y", features: ["x", "z", "k"]), testFraction: 0.2, seed: 9,
                              validation: .holdout(fraction: 0.1, seed: 3))
        return datasets
    }

    @Test("datasets of several MiB round-trip through the store; PostgreSQL returns each part in chunks of at most 1 MiB",
          arguments: StorageBackend.available)
    func roundTripInChunks(_ backend: StorageBackend) async throws {
        let directory = try TemporaryDirectory("chunked-\(backend.rawValue)")
        defer { directory.remove() }
        let clock = ManualWallClock(now: SQLiteStoreTests.start)
        let store = try await backend.makeStore(clock: clock, in: directory)
        let workload = SQLiteStoreTests.Workload()
        try await store.insertRepository(workload.repository)
        try await store.insertPipeline(workload.pipeline)
        let datasets = try Self.datasets()
        let snapshot = DatasetSnapshot(pipelineID: workload.pipeline.id, generation: 1, datasets: datasets, savedAt: SQLiteStoreTests.start)
        let training = try #require(snapshot.training)
        #expect(training.count > ChunkedBytes.defaultChunkSize, "the training part spans several chunks")
        training.forEachChunk { #expect($0.count <= ChunkedBytes.defaultChunkSize, "encoded chunks are at most 1 MiB") }

        try await store.saveDatasets(snapshot, replacing: nil)
        let read = try #require(try await store.datasets(of: workload.pipeline.id))
        #expect(read == snapshot)
        #expect(try read.decodedDatasets() == datasets)
        if backend == .postgres {
            for part in [read.ledger, try #require(read.training), try #require(read.testing)] {
                #expect(part.chunkCount == max(1, (part.count + ChunkedBytes.defaultChunkSize - 1) / ChunkedBytes.defaultChunkSize))
                part.forEachChunk { #expect($0.count <= ChunkedBytes.defaultChunkSize, "a part read from PostgreSQL comes in its 1 MiB rows") }
            }
        }
    }
}
