import Foundation
import Pipelines
import PipelinesSQLite
import Tabular
import Testing

/// A store written before dataset snapshots were stored in parts (made by
/// `Scripts/fixtures/make_v3_store.sh` with the code of commit 8b4e25f: schema v3, datasets
/// in the single "MLDS" version 3 encoding) opens, migrates to v4, and keeps its datasets —
/// rows, validation rows, identities and schema — so the next generation finds every row
/// where it was.
@Suite("SQLite store: migration of dataset snapshots to parts (schema v4)")
struct SQLiteDatasetMigrationTests {
    /// Copies the fixture store and its source into a fresh directory.
    static func migratedCopy() throws -> (TemporaryDirectory, SQLiteStore) {
        let directory = try TemporaryDirectory("dataset-migration")
        let path = directory.newPath("store")
        try FileManager.default.copyItem(
            at: try Fixtures.directory.appendingPathComponent("v3-store.sqlite"), to: URL(fileURLWithPath: path))
        try FileManager.default.copyItem(
            at: try Fixtures.directory.appendingPathComponent("v3-store-source.csv"),
            to: directory.url.appendingPathComponent("second.csv"))
        return (directory, try SQLiteStore(path: path))
    }

    @Test("a v3 store's datasets migrate into parts that decode to the same datasets")
    func datasetsMigrate() async throws {
        let (directory, store) = try Self.migratedCopy()
        defer { directory.remove() }
        #expect(try store.appliedMigrations() == ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"])
        #expect(try store.integrityCheck() == [])
        let pipeline = try await Workspace(store: store, baseDirectory: directory.url).pipeline(named: "mixed", in: "Default")

        // The counts the old code reported when it wrote the fixture (see the script).
        let snapshot = try #require(try await store.datasets(of: pipeline.id))
        #expect(snapshot.generation == 2)
        let datasets = try snapshot.decodedDatasets()
        #expect(datasets.training.rowCount == 75)
        #expect(datasets.validationIndices.count == 15)
        #expect(datasets.testing.rowCount == 26)
        #expect(datasets.generations == 2)
        #expect(datasets.schema == Schema([
            .init(name: "size", type: .numeric), .init(name: "count", type: .integer), .init(name: "colour", type: .categorical),
            .init(name: "flag", type: .boolean), .init(name: "label", type: .categorical),
        ]))
        let missingSizes = (datasets.testing["size"]?.missing.missingCount ?? 0) + (datasets.training["size"]?.missing.missingCount ?? 0)
        #expect(missingSizes > 0, "missing values stay missing")
        #expect(try await pipeline.datasetSchema() == datasets.schema)

        // The testing rows read alone are the same rows.
        let testingOnly = try #require(try await store.datasets(of: pipeline.id, rows: .testing))
        #expect(testingOnly.training == nil)
        #expect(try Table(binaryEncoded: try #require(testingOnly.testing)) == datasets.testing)
    }

    @Test("after the migration, training reads the migrated rows and generating from the same file adds no row")
    func migratedDatasetsKeepTheirIdentities() async throws {
        let (directory, store) = try Self.migratedCopy()
        defer { directory.remove() }
        let pipeline = try await Workspace(store: store, baseDirectory: directory.url).pipeline(named: "mixed", in: "Default")
        let before = try #require(try await store.datasets(of: pipeline.id)).decodedDatasets()

        let training = await (try pipeline.run(jobs: [.training, .testing])).result()
        #expect(training.status == .succeeded, "\(training.error ?? "")")
        let model = try #require(try await pipeline.models().last)
        #expect(model.lineage?.datasetGeneration == 2)
        #expect(model.lineage?.trainingRows == 60)
        #expect(model.lineage?.validationRows == 15)
        #expect(model.lineage?.testingRows == 26)

        // The fixture's spec named its source by an absolute path of the machine that wrote it.
        try await pipeline.configure { $0.dataset.training = .csv(path: "second.csv") }
        let generation = await (try pipeline.run(jobs: [.datasetGeneration])).result()
        #expect(generation.status == .succeeded, "\(generation.error ?? "")")
        let summary = generation.outcomes.first?.summary ?? ""
        #expect(summary.contains("0 new of 101 input rows"), "every row was found where it was: \(summary)")
        let after = try #require(try await store.datasets(of: pipeline.id)).decodedDatasets()
        #expect(after.testing == before.testing, "testing is unchanged")
        #expect(after.training.rowCount == before.training.rowCount)
        #expect(after.trainingLedger == before.trainingLedger && after.testingIdentities == before.testingIdentities)
    }
}
