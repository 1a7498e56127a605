import Foundation
import Pipelines
import Tabular
@testable import PipelinesSQLite
import Testing

/// Large dataset parts live in files beside the database (`<file>-parts/`): written whole
/// before the row refers to them, removed when replaced or deleted, swept when left by a
/// killed process, and checked by `integrityCheck()`.
@Suite("SQLite store: dataset parts in files")
struct SQLitePartFileTests {
    static let large = 200 * 1_024

    /// A snapshot whose training and testing parts are large (files), its ledger small (row).
    static func snapshot(_ pipeline: PipelineID, generation: Int) -> DatasetSnapshot {
        DatasetSnapshot(
            pipelineID: pipeline, generation: generation, ledger: Data("ledger \(generation)".utf8),
            training: Data(repeating: UInt8(generation), count: large), testing: Data(repeating: UInt8(100 + generation), count: large + 1),
            savedAt: SQLiteStoreTests.start)
    }

    static func store() async throws -> (TemporaryDirectory, SQLiteStore, String) {
        let directory = try TemporaryDirectory("parts")
        let path = directory.newPath("store")
        let store = try SQLiteStore(path: path)
        let workload = SQLiteStoreTests.Workload()
        try await store.insertRepository(workload.repository)
        try await store.insertPipeline(workload.pipeline)
        try await store.insertPipeline(workload.doomed)
        return (directory, store, path)
    }

    @Test("large parts are files (small ones stay in the row); replaced files retire for readers, and go at the next save")
    func partsInFiles() async throws {
        let (directory, store, path) = try await Self.store()
        defer { directory.remove() }
        let pipeline = SQLiteStoreTests.Workload().pipeline.id
        let first = Self.snapshot(pipeline, generation: 1)
        try await store.saveDatasets(first, replacing: nil)
        #expect(store.partFiles.present().count == 2, "training and testing in files, the ledger in the row")
        #expect(try await store.datasets(of: pipeline) == first)
        let firstFiles = store.partFiles.present()

        let second = Self.snapshot(pipeline, generation: 2)
        try await store.saveDatasets(second, replacing: 1)
        let secondFiles = store.partFiles.present().subtracting(firstFiles)
        #expect(secondFiles.count == 2 && store.partFiles.present().isSuperset(of: firstFiles), "the replaced files retire, kept for readers")
        #expect(try await store.datasets(of: pipeline, rows: .testing) == {
            var expected = second
            expected.training = nil
            return expected
        }())
        // A refused save leaves no file behind.
        await #expect(throws: StoreError.datasetConflict(pipeline: pipeline, expected: 1, found: 2)) {
            try await store.saveDatasets(Self.snapshot(pipeline, generation: 3), replacing: 1)
        }
        #expect(store.partFiles.present() == firstFiles.union(secondFiles))
        let third = Self.snapshot(pipeline, generation: 3)
        try await store.saveDatasets(third, replacing: 2)
        #expect(store.partFiles.present().isDisjoint(with: firstFiles), "the files retired by the save before are removed")
        #expect(store.partFiles.present().isSuperset(of: secondFiles) && store.partFiles.present().count == 4)
        #expect(try store.integrityCheck() == [])
        #expect(try await SQLiteStore(path: path).datasets(of: pipeline) == third, "another connection reads the same")
    }

    @Test("deleting the pipeline or its repository removes its part files")
    func deletionRemovesFiles() async throws {
        let (directory, store, _) = try await Self.store()
        defer { directory.remove() }
        let workload = SQLiteStoreTests.Workload()
        try await store.saveDatasets(Self.snapshot(workload.pipeline.id, generation: 1), replacing: nil)
        try await store.saveDatasets(Self.snapshot(workload.doomed.id, generation: 1), replacing: nil)
        try await store.saveDatasets(Self.snapshot(workload.doomed.id, generation: 2), replacing: 1)
        #expect(store.partFiles.present().count == 6, "the doomed pipeline's current and retired files")
        let keep: ModelOrphaning = { model, _ in model }
        try await store.deletePipeline(workload.doomed.id, orphaning: keep)
        #expect(store.partFiles.present().count == 2)
        try await store.deleteRepository(workload.repository.id, includingPipelines: true, orphaning: keep)
        #expect(store.partFiles.present().isEmpty)
    }

    @Test("opening a store sweeps old unreferenced part files, keeps young ones and referenced ones; a missing part is an integrity problem")
    func sweepAndIntegrity() async throws {
        let (directory, store, path) = try await Self.store()
        defer { directory.remove() }
        let pipeline = SQLiteStoreTests.Workload().pipeline.id
        try await store.saveDatasets(Self.snapshot(pipeline, generation: 1), replacing: nil)
        let referenced = store.partFiles.present()
        let old = try store.partFiles.write(ChunkedBytes(Data(repeating: 1, count: 10)))
        let young = try store.partFiles.write(ChunkedBytes(Data(repeating: 2, count: 10)))
        let stale = Date().addingTimeInterval(-DatasetPartFiles.sweepAge - 60)
        for name in referenced.union([old]) {
            try FileManager.default.setAttributes([.modificationDate: stale], ofItemAtPath: store.partFiles.directory.appendingPathComponent(name).path)
        }
        let reopened = try SQLiteStore(path: path)
        #expect(reopened.partFiles.present() == referenced.union([young]))
        #expect(try reopened.integrityCheck() == [])

        let gone = try #require(referenced.first)
        try FileManager.default.removeItem(at: reopened.partFiles.directory.appendingPathComponent(gone))
        let problems = try reopened.integrityCheck()
        #expect(problems.count == 1 && problems[0].contains("missing") && problems[0].contains(gone), "\(problems)")
    }
}
