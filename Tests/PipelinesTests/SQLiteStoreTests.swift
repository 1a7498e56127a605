import Foundation
import Pipelines
@testable import PipelinesSQLite
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under the system's temporary directory, for database files.
final class TemporaryDirectory: Sendable {
    let url: URL

    /// Creates `…/pipelines-<label>-<uuid>`.
    init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("pipelines-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A new file path in the directory (the file does not exist yet).
    func newPath(_ name: String = UUID().uuidString) -> String {
        url.appendingPathComponent("\(name).sqlite").path
    }

    /// Deletes the directory and everything in it.
    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

@Suite("SQLite store")
struct SQLiteStoreTests {
    static let start = Date(timeIntervalSinceReferenceDate: 788_918_400.123_456_7)

    // MARK: A workload

    /// Records of a small workspace, with every kind of record.
    struct Workload {
        let repository = RepositoryRecord(id: RepositoryID("r1"), name: "churn — «été»", description: "d",
                                          createdAt: SQLiteStoreTests.start)
        var pipeline: PipelineRecord {
            PipelineRecord(id: PipelineID("p1"), repositoryID: repository.id, name: "churn", createdAt: SQLiteStoreTests.start)
        }
        var doomed: PipelineRecord {
            PipelineRecord(id: PipelineID("p2"), repositoryID: repository.id, name: "doomed", createdAt: SQLiteStoreTests.start)
        }

        func configuration(_ pipeline: PipelineID, version: Int) -> ConfigurationRecord {
            var configuration = PipelineConfiguration(
                dataset: DatasetStep(training: .csv(path: "train.csv"), label: "y"),
                training: TrainingStep(estimator: "LinearRegression", scores: [ScoreSetting("r2", threshold: nil, primary: true)]))
            configuration.preferences.description = "version \(version)"
            return ConfigurationRecord(pipelineID: pipeline, version: version, configuration: configuration,
                                       hash: String(repeating: "\(version)", count: 64),
                                       savedAt: SQLiteStoreTests.start.addingTimeInterval(Double(version) + 0.000_123))
        }

        func model(_ number: Int, of pipeline: PipelineRecord?, line: Int? = nil) -> ModelRecord {
            ModelRecord(
                id: ModelID("m\(number)"), origin: pipeline.map { .pipeline($0.id) } ?? .imported(name: "imported \(number)"),
                repositoryID: pipeline?.repositoryID, version: number, estimator: "LinearRegression", task: .regression,
                hyperParameters: ["alpha": .double(1.0), "fit_intercept": .bool(true), "n": .int(3), "solver": .string("auto"),
                                  "none": .none],
                status: .tested, validationScore: ScoreValue(name: "r2", value: 0.1 + 0.2),
                testingScores: [ScoreValue(name: "r2", value: -.infinity), ScoreValue(name: "mae", value: 0.5)],
                trainingSeconds: 0.25, meanPredictionSeconds: .infinity,
                schema: FeatureSchema(features: [], label: "y", labelType: .numeric, classes: nil), lineage: nil,
                createdAt: SQLiteStoreTests.start.addingTimeInterval(Double(number) / 7),
                lineID: pipeline == nil ? ModelID("m\(line ?? number)") : nil)
        }

        /// Fills `store`: two pipelines (one deleted at the end, orphaning its deployed
        /// model), configurations, datasets, models with artifacts (one empty), deployments
        /// in a pipeline and a line, runs and a trigger.
        func run(on store: some PipelineStorage, clock: ManualWallClock) async throws {
            try await store.insertRepository(repository)
            for pipeline in [pipeline, doomed] {
                try await store.insertPipeline(pipeline)
                try await store.appendConfiguration(configuration(pipeline.id, version: 1))
            }
            try await store.appendConfiguration(configuration(pipeline.id, version: 2))
            try await store.saveDatasets(DatasetSnapshot(pipelineID: pipeline.id, generation: 1, ledger: Data([0, 1, 2, 255]),
                                                         training: Data([7]), testing: Data(), savedAt: SQLiteStoreTests.start),
                                         replacing: nil)
            try await store.saveDatasets(DatasetSnapshot(pipelineID: doomed.id, generation: 1, ledger: Data(), training: Data(),
                                                         testing: Data(), savedAt: SQLiteStoreTests.start), replacing: nil)
            try await store.insertModel(model(1, of: pipeline), artifact: Data([1, 2, 3]))
            try await store.insertModel(model(2, of: pipeline), artifact: Data())
            try await store.insertModel(model(3, of: doomed), artifact: Data([3]))
            try await store.insertModel(model(4, of: nil), artifact: Data([4]))
            try await store.insertModel(model(5, of: nil, line: 4), artifact: nil)
            _ = try await store.swapDeployment(in: .pipeline(pipeline.id), to: ModelID("m1"), expecting: .current(nil))
            clock.advance(by: 0.000_5)
            _ = try await store.swapDeployment(in: .pipeline(pipeline.id), to: ModelID("m2"), expecting: .current(ModelID("m1")))
            _ = try await store.swapDeployment(in: .pipeline(doomed.id), to: ModelID("m3"), expecting: .anyModel)
            _ = try await store.swapDeployment(in: .standalone(ModelID("m4")), to: ModelID("m4"), expecting: .current(nil))
            var run = RunRecord(id: RunID("run1"), pipelineID: pipeline.id, configurationVersion: 2, origin: .manual,
                                jobs: JobKind.allCases, status: .running, startedAt: SQLiteStoreTests.start)
            try await store.insertRun(run)
            run.status = .succeeded
            run.finishedAt = SQLiteStoreTests.start.addingTimeInterval(61.000_001)
            try await store.updateRun(run)
            try await store.insertRun(RunRecord(id: RunID("run2"), pipelineID: doomed.id, configurationVersion: 1, origin: .manual,
                                                jobs: [.training], status: .running, startedAt: SQLiteStoreTests.start))
            try await store.insertTrigger(TriggerRecord(id: TriggerID("t1"), pipelineID: pipeline.id,
                                                        schedule: .everyDays(1, startingAt: Date(timeIntervalSince1970: 1_767_225_600)),
                                                        createdAt: SQLiteStoreTests.start))
            clock.advance(by: 1)
            try await store.deletePipeline(doomed.id, orphaning: StoreFixtures.orphan)
        }
    }

    /// Everything a store holds for the workload, to compare two stores.
    struct Contents: Equatable {
        var repositories: [RepositoryRecord]
        var pipelines: [PipelineRecord]
        var configurations: [ConfigurationRecord]
        var datasets: [DatasetSnapshot?]
        var models: [ModelRecord]
        var artifacts: [Data?]
        var deployments: [[DeploymentRecord]]
        var runs: [RunRecord]
        var triggers: [TriggerRecord]

        init(_ store: some PipelineStorage) async throws {
            let pipelineIDs = [PipelineID("p1"), PipelineID("p2")]
            repositories = try await store.repositories()
            pipelines = try await store.pipelines(in: nil)
            configurations = try await store.configurations(of: PipelineID("p1"))
            datasets = [try await store.datasets(of: pipelineIDs[0]), try await store.datasets(of: pipelineIDs[1])]
            models = try await store.models(matching: ModelFilter())
            var artifacts: [Data?] = []
            for model in models { artifacts.append(try await store.artifact(of: model.id)) }
            self.artifacts = artifacts
            let scopes: [DeploymentScope] = pipelineIDs.map { .pipeline($0) } + [.standalone(ModelID("m4"))]
            var deployments: [[DeploymentRecord]] = []
            for scope in scopes { deployments.append(try await store.deploymentHistory(in: scope)) }
            self.deployments = deployments
            runs = try await store.runs(of: pipelineIDs[0]) + store.runs(of: pipelineIDs[1])
            triggers = try await store.triggers(of: nil)
        }
    }

    @Test("the workload gives the same contents as the in-memory store")
    func sameAsInMemory() async throws {
        let directory = try TemporaryDirectory("same")
        defer { directory.remove() }
        let clock = ManualWallClock(now: Self.start)
        let store = try SQLiteStore(path: directory.newPath(), clock: clock)
        try await Workload().run(on: store, clock: clock)
        let referenceClock = ManualWallClock(now: Self.start)
        let memory = InMemoryStore(clock: referenceClock)
        try await Workload().run(on: memory, clock: referenceClock)
        let contents = try await Contents(store)
        #expect(contents == (try await Contents(memory)))
        #expect(contents.artifacts.contains(Data()), "an empty artifact reads back empty, not missing")
        #expect(contents.datasets[0]?.ledger.data == Data([0, 1, 2, 255]))
        #expect(contents.datasets[0]?.training?.data == Data([7]))
        #expect(contents.datasets[0]?.testing?.data == Data(), "an empty part reads back empty, not missing")
        let orphan = try #require(try await store.model(ModelID("m3")))
        #expect(orphan.lineID == ModelID("m3"), "orphaned: its own line")
        #expect(orphan.origin == .orphaned(formerPipeline: PipelineID("p2"), name: "doomed"))
        #expect(try await store.models(matching: .formerPipeline(PipelineID("p2"))).map(\.id) == [ModelID("m3")])
        let scored = try #require(try await store.model(ModelID("m1")))
        #expect(scored.testingScores.map(\.name) == ["r2", "mae"], "testing scores keep their order")
        #expect(scored.testingScore(named: "mae") == 0.5)
        var unscored = Workload().model(9, of: nil)
        unscored.validationScore = ScoreValue(name: "r2", value: .nan)
        try await store.insertModel(unscored, artifact: nil)
        #expect(try await store.model(unscored.id)?.validationScore?.value.isNaN == true, "NaN survives the JSON")
        #expect(try store.integrityCheck() == [])
    }

    @Test("reopening the file keeps everything, and the store goes on from there")
    func reopenKeepsEverything() async throws {
        let directory = try TemporaryDirectory("reopen")
        defer { directory.remove() }
        let path = directory.newPath()
        let clock = ManualWallClock(now: Self.start)
        var before: Contents
        do {
            let store = try SQLiteStore(path: path, clock: clock)
            try await Workload().run(on: store, clock: clock)
            before = try await Contents(store)
        }  // the store is released here: its connections close
        let reopened = try SQLiteStore(path: path, clock: clock)
        #expect(try await Contents(reopened) == before)
        #expect(try reopened.appliedMigrations() == ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"])
        await #expect(throws: StoreError.deploymentConflict(scope: .pipeline(PipelineID("p1")), expected: ModelID("m1"),
                                                           found: ModelID("m2"))) {
            _ = try await reopened.swapDeployment(in: .pipeline(PipelineID("p1")), to: ModelID("m1"), expecting: .current(ModelID("m1")))
        }
        _ = try await reopened.swapDeployment(in: .pipeline(PipelineID("p1")), to: ModelID("m1"), expecting: .current(ModelID("m2")))
        before.deployments[0].append(DeploymentRecord(scope: .pipeline(PipelineID("p1")), modelID: ModelID("m1"),
                                                      previousModelID: ModelID("m2"), deployedAt: clock.now))
        #expect(try await Contents(reopened) == before)
        #expect(try reopened.integrityCheck() == [])
    }

    @Test("a new file gets its directory, WAL mode, foreign keys and the v1 to v5 migrations")
    func newFileSettings() async throws {
        let directory = try TemporaryDirectory("settings")
        defer { directory.remove() }
        let path = directory.url.appendingPathComponent("nested/deeper/store.sqlite").path
        let store = try SQLiteStore(path: path)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try store.appliedMigrations() == ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"])
        #expect(try store.pragma("journal_mode") == "wal")
        #expect(try store.pragma("foreign_keys") == "1")
        #expect(try store.pragma("synchronous") == "1", "NORMAL")
        #expect(try Int(store.pragma("busy_timeout") ?? "") == Int(SQLiteStore.busyTimeout * 1_000))
        try await store.insertRepository(RepositoryRecord(name: "a", createdAt: Self.start))
        let header = try FileHandle(forReadingFrom: URL(fileURLWithPath: path)).read(upToCount: 20) ?? Data()
        #expect(header.count == 20 && header[18] == 2 && header[19] == 2, "the file header says WAL (format versions 2)")
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(try store.integrityCheck() == [])
    }

    @Test("a file migrated by a newer version, or not a database, is refused with a backend error")
    func refusesUnknownFiles() async throws {
        let directory = try TemporaryDirectory("refuse")
        defer { directory.remove() }
        let path = directory.newPath()
        do {
            let store = try SQLiteStore(path: path)
            try store.executeUnchecked("INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
        }
        #expect {
            try SQLiteStore(path: path)
        } throws: { error in
            guard case .backend(let message) = error as? StoreError else { return false }
            return message.contains("newer version")
        }
        let garbage = directory.newPath("garbage")
        try Data(repeating: 0x41, count: 4_096).write(to: URL(fileURLWithPath: garbage))
        #expect {
            try SQLiteStore(path: garbage)
        } throws: { error in
            guard case .backend(let message) = error as? StoreError else { return false }
            return message.contains(garbage)
        }
    }

    @Test("integrityCheck reports damage: a deployment of a missing model, a stray artifact, a record out of step")
    func integrityCheckFindsDamage() async throws {
        let directory = try TemporaryDirectory("damage")
        defer { directory.remove() }
        let clock = ManualWallClock(now: Self.start)
        let store = try SQLiteStore(path: directory.newPath(), clock: clock)
        try await Workload().run(on: store, clock: clock)
        #expect(try store.integrityCheck() == [])
        try store.executeUnchecked("DELETE FROM models WHERE id = 'm2'")  // deployed in p1; its artifact stays
        try store.executeUnchecked("UPDATE models SET status = 'rejected' WHERE id = 'm1'")
        try store.executeUnchecked("UPDATE pipelines SET configuration_version = 3 WHERE id = 'p1'")
        let problems = try store.integrityCheck()
        #expect(problems.contains { $0.hasPrefix("foreign_key_check") })
        #expect(problems.contains { $0.contains("deploys model m2, which does not exist") })
        #expect(problems.contains { $0.contains("the artifact of model m2 belongs to no model") })
        #expect(problems.contains { $0.contains("models m1: column status holds") })
        #expect(problems.contains { $0.contains("pipeline p1 is at version 3") })
        do {
            try store.executeUnchecked("DELETE FROM deployment_history")
            Issue.record("the history was deleted")
        } catch {
            #expect("\(error)".contains("deployment_history is append-only"), "\(error)")
        }
        #expect(try await store.deploymentHistory(in: .pipeline(PipelineID("p1"))).count == 2, "the history is append-only")
    }

    @Test("two stores on one file (two connections, as two processes): exactly one racing deploy wins each round")
    func twoStoresRaceDeploy() async throws {
        let directory = try TemporaryDirectory("race")
        defer { directory.remove() }
        let path = directory.newPath()
        let clock = ManualWallClock(now: Self.start)
        let first = try SQLiteStore(path: path, clock: clock)
        let workload = Workload()
        try await first.insertRepository(workload.repository)
        try await first.insertPipeline(workload.pipeline)
        let racers = 8
        for number in 1...(racers * 4) {
            try await first.insertModel(workload.model(number, of: workload.pipeline), artifact: Data([UInt8(number)]))
        }
        let second = try SQLiteStore(path: path, clock: clock)
        let stores = [first, second]
        let scope = DeploymentScope.pipeline(workload.pipeline.id)
        #expect(try await second.model(ModelID("m1")) == workload.model(1, of: workload.pipeline),
                "the second store sees the first's writes")

        var expected: ModelID? = nil
        for round in 0..<4 {
            let current = expected
            let results = await withTaskGroup(of: Result<DeploymentSwap, any Error>.self) { group in
                for racer in 0..<racers {
                    let store = stores[racer % 2]
                    let candidate = ModelID("m\(round * racers + racer + 1)")
                    group.addTask {
                        do {
                            return .success(try await store.swapDeployment(in: scope, to: candidate, expecting: .current(current)))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                var results: [Result<DeploymentSwap, any Error>] = []
                for await result in group { results.append(result) }
                return results
            }
            let winners = results.compactMap { result -> DeploymentSwap? in
                if case .success(let swap) = result { return swap }
                return nil
            }
            try #require(winners.count == 1, "round \(round): \(winners.count) winners")
            #expect(winners[0].changed)
            let winner = try #require(winners[0].record)
            for case .failure(let error) in results {
                #expect(error as? StoreError == .deploymentConflict(scope: scope, expected: expected, found: winner.modelID))
            }
            #expect(winner.previousModelID == expected)
            for store in stores { #expect(try await store.deployment(in: scope) == winner) }
            expected = winner.modelID
        }
        #expect(try await first.deploymentHistory(in: scope).count == 4)
        #expect(try await second.deploymentHistory(in: scope) == (try await first.deploymentHistory(in: scope)))
        #expect(try first.integrityCheck() == [])
    }

    @Test("an 80 MB dataset snapshot (200,000 rows × 50 doubles of training rows) saves and reads back equal, in parts")
    func largeDatasetSnapshot() async throws {
        let directory = try TemporaryDirectory("large")
        defer { directory.remove() }
        let path = directory.newPath()
        let store = try SQLiteStore(path: path)
        let workload = Workload()
        try await store.insertRepository(workload.repository)
        try await store.insertPipeline(workload.pipeline)
        var bytes = [UInt8](repeating: 0, count: 200_000 * 50 * 8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for index in stride(from: 0, to: bytes.count, by: 8) {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            withUnsafeBytes(of: state.littleEndian) { bytes.replaceSubrange(index..<index + 8, with: $0) }
        }
        let snapshot = DatasetSnapshot(pipelineID: workload.pipeline.id, generation: 1, ledger: Data("ledger".utf8), training: Data(bytes),
                                       testing: Data(bytes.prefix(160)), savedAt: Self.start)
        bytes = []
        try await store.saveDatasets(snapshot, replacing: nil)
        #expect(try await store.datasets(of: workload.pipeline.id) == snapshot)
        let testingOnly = try #require(try await store.datasets(of: workload.pipeline.id, rows: .testing))
        #expect(testingOnly.training == nil && testingOnly.testing == snapshot.testing && testingOnly.ledger == snapshot.ledger)
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.datasets(of: workload.pipeline.id) == snapshot)
    }
}
