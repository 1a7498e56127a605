import Foundation
import Pipelines
import PipelinesSQLite
import Tabular
import Testing

/// A store written before schema v2 (made by `Scripts/fixtures/make_v1_store.sh` with the
/// code of commit 2653ad4) opens, migrates and keeps every record.
@Suite("SQLite store: migration from schema v1")
struct SQLiteMigrationTests {
    @Test("a v1 store migrates to v2, v3 and v4 with every record intact, and the new rules apply to it")
    func migratesVersion1() async throws {
        let directory = try TemporaryDirectory("migration")
        defer { directory.remove() }
        let fixture = try Fixtures.directory.appendingPathComponent("v1-store.sqlite")
        let path = directory.newPath("store")
        try FileManager.default.copyItem(at: fixture, to: URL(fileURLWithPath: path))

        let store = try SQLiteStore(path: path)
        #expect(try store.appliedMigrations() == ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"])
        #expect(try store.integrityCheck() == [])
        let workspace = Workspace(store: store)

        // The pipeline, its two configuration versions (1 was the old empty one), its models.
        let pipeline = try await workspace.pipeline(named: "line", in: "Default")
        #expect(try await pipeline.record().configurationVersion == 2)
        #expect(try await pipeline.configurationHistory().map(\.version) == [1, 2])
        let models = try await pipeline.models()
        #expect(models.count == 2)
        #expect(models.allSatisfy { $0.status == .tested && $0.version == 2 })
        // Testing scores stored as a dictionary read back as a list.
        #expect(models.allSatisfy { Set($0.testingScores.map(\.name)) == ["r2", "mean_absolute_error"] })
        #expect(models.allSatisfy { ($0.testingScore(named: "r2") ?? 0) > 0.9 })

        // The datasets (schema v4: in parts): 40 rows, a quarter to testing, a fifth of
        // training for validation; a training run reads them.
        let datasets = try #require(try await store.datasets(of: pipeline.id)).decodedDatasets()
        #expect(datasets.testing.rowCount == 10 && datasets.training.rowCount == 30 && datasets.validationIndices.count == 6)
        let retrained = await (try pipeline.run(jobs: [.training])).result()
        #expect(retrained.status == .succeeded, "\(retrained.error ?? "")")
        try await workspace.registry.erase(try #require(retrained.savedModels.first))

        // The deployment and its history, and predictions from the deployed model.
        #expect(try await pipeline.deployment.current()?.id == models[1].id)
        let history = try await pipeline.deployment.history()
        #expect(history.map(\.modelID) == [models[0].id, models[1].id])
        #expect(history[1].previousModelID == models[0].id)
        let predicted = try await pipeline.deployment.predict([["x": 2.0]])
        let value = try #require(predicted.values.first)
        guard case .numeric(let y) = value else {
            Issue.record("a regression predicted \(value)")
            return
        }
        #expect(abs(y - 7) < 0.5, "y ≈ 3x + 1 at x = 2, got \(y)")

        // The orphan of the deleted pipeline, in the old shape: its name, no identifier.
        let standalone = try await workspace.registry.models(.standalone).models
        let orphans = standalone.filter { $0.origin == .orphaned(formerPipeline: nil, name: "gone") }
        #expect(orphans.count == 1)

        // The imported line keeps its versions; the next import is version 3, and the
        // migrated unique index refuses a taken version.
        let line = try await workspace.registry.line(named: "copy")
        #expect(try await workspace.registry.models(.line(line.id)).models.map(\.version) == [1, 2])
        let archive = try await workspace.registry.export(models[0].id)
        #expect(try await workspace.registry.importModel(archive: archive, name: "copy").version == 3)
        var duplicate = try #require(try await workspace.registry.models(.line(line.id)).models.first)
        duplicate.id = ModelID()
        await #expect(throws: StoreError.duplicateVersion(line: "copy", version: 1)) {
            try await store.insertModel(duplicate, artifact: Data([1]))
        }

        // New pipelines in the migrated file start unconfigured (the relaxed CHECK).
        let fresh = try await workspace.repository(named: "Default").createPipeline(named: "fresh")
        #expect(try await fresh.record().configurationVersion == 0)

        // The v3 tables: leases and firing claims work on the migrated file.
        let lease = try await store.acquireLease("pipeline-run:\(pipeline.id)", owner: "test", for: 30)
        #expect(lease.lease.owner == "test")
        #expect(try await store.releaseLease("pipeline-run:\(pipeline.id)", owner: "test"))
        let trigger = try await fresh.addTrigger(schedule: try TriggerSchedule(parsing: "@daily", now: Date()))
        let firing = Date(timeIntervalSinceReferenceDate: 800_000_000)
        guard case .claimed = try await store.claimFiring(trigger: trigger.id, scheduledAt: firing, owner: "a") else {
            Issue.record("the first claim of a firing in the migrated file was refused")
            return
        }
        guard case .taken = try await store.claimFiring(trigger: trigger.id, scheduledAt: firing, owner: "b") else {
            Issue.record("a firing in the migrated file was claimed twice")
            return
        }
        #expect(try store.integrityCheck() == [])
    }
}
