import Foundation
import Pipelines
import Synchronization
import Tabular
import Testing

/// A store with every kind of record, written through the store protocols with a manual
/// clock: what `StoreCopy` must carry over exactly.
struct CopyWorkload {
    static let start = Date(timeIntervalSinceReferenceDate: 788_918_400.123_456_7)
    static let inbox = "/data/inbox"
    static let leaseName = "pipeline-run:p1"

    static func date(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }

    static func configuration(_ pipeline: PipelineID, version: Int, savedAt: TimeInterval) -> ConfigurationRecord {
        var configuration = PipelineConfiguration(
            dataset: DatasetStep(training: .csv(path: "train-v\(version).csv"), label: "y"),
            training: TrainingStep(estimator: "LinearRegression", scores: [ScoreSetting("r2", threshold: nil, primary: true)]))
        configuration.preferences.description = "version \(version) — «été»"
        return ConfigurationRecord(pipelineID: pipeline, version: version, configuration: configuration,
                                   hash: String(repeating: "\(version)", count: 64), savedAt: date(savedAt + 0.000_123))
    }

    static func model(_ id: String, origin: ModelOrigin, repository: RepositoryID?, version: Int, status: ModelStatus = .tested,
                      line: String? = nil) -> ModelRecord {
        ModelRecord(
            id: ModelID(id), origin: origin, repositoryID: repository, version: version, estimator: "LinearRegression",
            task: .regression, hyperParameters: ["alpha": .double(1.0), "n": .int(3), "solver": .string("auto"), "none": .none],
            status: status, validationScore: ScoreValue(name: "r2", value: 0.1 + 0.2),
            testingScores: status == .saved ? [] : [ScoreValue(name: "r2", value: -.infinity), ScoreValue(name: "mae", value: 0.5)],
            trainingSeconds: 0.25, meanPredictionSeconds: 0.000_012_3,
            schema: FeatureSchema(features: [Schema.Field(name: "x", type: .numeric)], label: "y", labelType: .numeric, classes: nil),
            lineage: nil, createdAt: date(Double(version) / 7 + Double(id.count)), lineID: line.map(ModelID.init))
    }

    static func bytes(_ label: String) -> Data { Data(Array(label.utf8) + (0...255).map { UInt8($0) }) }

    /// Fills `store`: 2 repositories; pipelines churn (3 configuration versions, renamed
    /// after the last), fraud (1), an unconfigured one and a deleted one (doomed); datasets;
    /// 7 models (a rejected one without artifact, an imported line of 2, doomed's orphan);
    /// deployment histories with an undeploy in 5 scopes; 3 runs; 2 triggers with a claimed
    /// firing; a lease; 3 endpoints and 3 tokens (one revoked); 2 ledger entries.
    static func fill(_ store: any PipelineStorage, clock: ManualWallClock) async throws {
        let (r1, r2) = (RepositoryRecord(id: RepositoryID("r1"), name: "Default", createdAt: start),
                        RepositoryRecord(id: RepositoryID("r2"), name: "other — «été»", description: "d", createdAt: date(1), updatedAt: date(2)))
        try await store.insertRepository(r1)
        try await store.insertRepository(r2)
        let churn = PipelineID("p1"), fraud = PipelineID("p2"), doomed = PipelineID("p4")
        for (id, repository, name) in [(churn, r1.id, "churn"), (fraud, r2.id, "fraud"), (PipelineID("p3"), r1.id, "unconfigured"),
                                       (doomed, r1.id, "doomed")] {
            try await store.insertPipeline(PipelineRecord(id: id, repositoryID: repository, name: name, createdAt: date(10)))
        }
        for version in 1...3 { try await store.appendConfiguration(configuration(churn, version: version, savedAt: 20 + Double(version))) }
        _ = try await store.renamePipeline(churn, to: "attrition", at: date(30.5))
        try await store.appendConfiguration(configuration(fraud, version: 1, savedAt: 25))
        try await store.appendConfiguration(configuration(doomed, version: 1, savedAt: 26))
        for generation in 1...2 {
            try await store.saveDatasets(
                DatasetSnapshot(pipelineID: churn, generation: generation, ledger: bytes("MLDL \(generation)"), training: bytes("MLTB"),
                                testing: Data(), savedAt: date(40 + Double(generation))),
                replacing: generation == 1 ? nil : 1)
        }
        try await store.saveDatasets(DatasetSnapshot(pipelineID: fraud, generation: 1, ledger: bytes("L"), training: bytes("T"),
                                                     testing: bytes("E"), savedAt: date(43)), replacing: nil)
        let models: [(ModelRecord, Data?)] = [
            (model("m1", origin: .pipeline(churn), repository: r1.id, version: 1), bytes("m1")),
            (model("m2", origin: .pipeline(churn), repository: r1.id, version: 2), Data()),
            (model("m3", origin: .pipeline(churn), repository: r1.id, version: 3, status: .rejected), nil),
            (model("m4", origin: .pipeline(fraud), repository: r2.id, version: 1, status: .saved), bytes("m4")),
            (model("i1", origin: .imported(name: "legacy"), repository: nil, version: 1, line: "i1"), bytes("i1")),
            (model("i2", origin: .imported(name: "legacy"), repository: nil, version: 2, line: "i1"), bytes("i2")),
            (model("m6", origin: .pipeline(doomed), repository: r1.id, version: 1), bytes("m6")),
        ]
        for (model, artifact) in models { try await store.insertModel(model, artifact: artifact) }
        let steps: [(TimeInterval, DeploymentScope, String?)] = [
            (0, .pipeline(churn), "m1"), (1.25, .pipeline(churn), "m2"), (60.5, .pipeline(churn), nil), (0.000_25, .pipeline(churn), "m1"),
            (1, .pipeline(fraud), "m4"), (1, .standalone(ModelID("i1")), "i1"), (1, .standalone(ModelID("i1")), "i2"),
            (1, .pipeline(doomed), "m6"),
        ]
        for (advance, scope, model) in steps {
            clock.advance(by: advance)
            _ = try await store.swapDeployment(in: scope, to: model.map(ModelID.init), expecting: .anyModel)
        }
        clock.advance(by: 2)
        try await store.deletePipeline(doomed, orphaning: { model, pipeline in
            var orphan = model
            orphan.origin = .orphaned(formerPipeline: pipeline.id, name: pipeline.name)
            orphan.repositoryID = nil
            orphan.lineID = model.id
            return orphan
        })
        _ = try await store.swapDeployment(in: .standalone(ModelID("m6")), to: ModelID("m6"), expecting: .current(nil))
        var run = RunRecord(id: RunID("run1"), pipelineID: churn, configurationVersion: 3, origin: .manual, jobs: JobKind.allCases,
                            status: .running, startedAt: date(50))
        try await store.insertRun(run)
        run.status = .succeeded
        run.finishedAt = date(111.000_001)
        try await store.updateRun(run)
        try await store.insertRun(RunRecord(id: RunID("run2"), pipelineID: churn, configurationVersion: 3, origin: .manual,
                                            jobs: [.training], status: .running, startedAt: date(120)))
        try await store.insertRun(RunRecord(id: RunID("run3"), pipelineID: fraud, configurationVersion: 1, origin: .manual,
                                            jobs: [.datasetGeneration], status: .failed, startedAt: date(121), error: "no data"))
        try await store.insertTrigger(TriggerRecord(id: TriggerID("t1"), pipelineID: churn,
                                                    schedule: .everyDays(1, startingAt: Date(timeIntervalSince1970: 1_767_225_600)),
                                                    createdAt: date(130)))
        try await store.insertTrigger(TriggerRecord(
            id: TriggerID("t2"), pipelineID: fraud,
            schedule: .cron(try CronExpression("0 3 * * MON-FRI"), timeZone: TimeZone(identifier: "Europe/Paris") ?? .gmt),
            jobs: [.training, .testing], createdAt: date(131)))
        _ = try await store.claimFiring(trigger: TriggerID("t1"), scheduledAt: date(200), owner: "scheduler 1")
        let waiting = QueuedRunRecord(id: QueuedRunID("q1"), pipelineID: churn, jobs: [.training], configurationVersion: 3, enqueuedAt: date(132))
        _ = try await store.enqueueRun(waiting, claimingFiringAs: nil)
        _ = try await store.enqueueRun(
            QueuedRunRecord(id: QueuedRunID("q2"), pipelineID: fraud, jobs: [.training, .testing],
                            origin: .trigger(TriggerID("t2"), scheduledAt: date(133)), enqueuedAt: date(133.5), maximumAttempts: 1),
            claimingFiringAs: nil)
        _ = try await store.claimQueuedRun(worker: "worker 1", for: 30, filter: .only(QueuedRunID("q2")))
        _ = try await store.acquireLease(leaseName, owner: "run 1", for: 3_600)
        try await store.setEndpoints(["churn-api"], of: .pipeline(churn), at: date(140.5))
        try await store.setEndpoints(["churn-api", "churn-v2"], of: .pipeline(churn), at: date(141.25))
        try await store.setEndpoints(["legacy"], of: .standalone(ModelID("i1")), at: date(142))
        let tokens = [("k1", "churn-api", nil as Date?), ("k2", "churn-v2", date(10_000)), ("k3", "legacy", nil)]
        for (index, (id, endpoint, expiry)) in tokens.enumerated() {
            try await store.insertToken(TokenRecord(id: TokenID(id), endpoint: endpoint, label: "caller \(index)", salt: bytes("salt \(id)"),
                                                    digest: bytes("digest \(id)"), createdAt: date(150 + Double(index)), expiresAt: expiry))
        }
        try await store.revokeToken(TokenID("k1"), at: date(160.75))
        var archived = FolderFileRecord(folder: inbox, name: "a.csv", size: 120, sha256: String(repeating: "a", count: 64), state: .taken,
                                        owner: "watcher 1", takenAt: date(170))
        _ = try await store.takeFolderFile(archived)
        archived.state = .archived
        archived.updatedAt = date(171.5)
        archived.model = ModelID("m1")
        archived.modelVersion = 1
        archived.rowsRead = 10
        archived.archivedAs = inbox + "/processed/a.csv"
        try await store.updateFolderFile(archived)
        _ = try await store.takeFolderFile(FolderFileRecord(folder: inbox, name: "b.csv", size: 7, sha256: String(repeating: "b", count: 64),
                                                            state: .taken, owner: "watcher 2", takenAt: date(172)))
    }

    /// The counts `fill` leaves, per kind.
    static let counts: [StoreCopyKind: Int] = [
        .repositories: 2, .pipelines: 3, .configurations: 4, .datasets: 2, .models: 7, .artifacts: 6,
        .deployments: 4 + 1 + 2 + 2 + 1, .runs: 3, .triggers: 2, .queuedRuns: 2, .endpoints: 3, .tokens: 3, .folderFiles: 2,
    ]
}

/// Everything `CopyWorkload.fill` leaves in a store, read through the protocols by the
/// identifiers the workload used (not by `StoreCopy`'s own listing).
struct CopiedContents: Equatable {
    var repositories: [RepositoryRecord] = []
    var pipelines: [PipelineRecord] = []
    var configurations: [[ConfigurationRecord]] = []
    var datasets: [DatasetSnapshot?] = []
    var models: [ModelRecord] = []
    var artifacts: [Data?] = []
    var histories: [[DeploymentRecord]] = []
    var deployed: [DeploymentRecord?] = []
    var runs: [[RunRecord]] = []
    var triggers: [TriggerRecord] = []
    var queued: [QueuedRunRecord] = []
    var endpoints: [EndpointRecord] = []
    var tokens: [TokenRecord] = []
    var ledger: [FolderFileRecord] = []

    static let pipelineIDs = ["p1", "p2", "p3", "p4"].map(PipelineID.init)
    static let scopes: [DeploymentScope] = pipelineIDs.map { .pipeline($0) } + ["i1", "m6", "i2", "m1"].map { .standalone(ModelID($0)) }

    init(_ store: any PipelineStorage) async throws {
        repositories = try await store.repositories()
        pipelines = try await store.pipelines(in: nil)
        for pipeline in Self.pipelineIDs {
            configurations.append(try await store.configurations(of: pipeline))
            datasets.append(try await store.datasets(of: pipeline))
            runs.append(try await store.runs(of: pipeline))
        }
        models = try await store.models(matching: ModelFilter())
        for model in models { artifacts.append(try await store.artifact(of: model.id)) }
        for scope in Self.scopes {
            histories.append(try await store.deploymentHistory(in: scope))
            deployed.append(try await store.deployment(in: scope))
        }
        triggers = try await store.triggers(of: nil)
        queued = try await store.queuedRuns(in: nil)
        endpoints = try await store.endpoints()
        tokens = try await store.tokens(of: nil)
        ledger = try await store.folderFiles(in: CopyWorkload.inbox, unfinishedOnly: false)
    }
}

@Suite("Store copy")
struct StoreCopyTests {
    @Test("every record is copied exactly, and the copy is verified", arguments: StorageBackend.available, StorageBackend.available)
    func copiesEverything(from sourceBackend: StorageBackend, to targetBackend: StorageBackend) async throws {
        let directory = try TemporaryDirectory("copy")
        defer { directory.remove() }
        let clock = ManualWallClock(now: CopyWorkload.start)
        let source = try await sourceBackend.makeStore(clock: clock, in: directory)
        try await CopyWorkload.fill(source, clock: clock)
        let targetClock = ManualWallClock(now: CopyWorkload.date(10_000))
        let target = try await targetBackend.makeStore(clock: targetClock, in: directory)

        let steps = StepLog()
        let report = try await StoreCopy.copy(from: source, to: target, ledgerFolders: [CopyWorkload.inbox, CopyWorkload.inbox]) {
            steps.append($0)
        }

        let (expected, actual) = (try await CopiedContents(source), try await CopiedContents(target))
        #expect(actual.repositories == expected.repositories)
        #expect(actual.pipelines == expected.pipelines)
        #expect(actual.configurations == expected.configurations)
        #expect(actual.datasets == expected.datasets)
        #expect(actual.models == expected.models)
        #expect(actual.artifacts == expected.artifacts)
        #expect(actual.histories == expected.histories)
        #expect(actual.deployed == expected.deployed)
        #expect(actual.runs == expected.runs)
        #expect(actual.triggers == expected.triggers)
        #expect(actual.endpoints == expected.endpoints)
        #expect(actual.tokens == expected.tokens)
        #expect(actual.ledger == expected.ledger)
        #expect(actual == expected)
        #expect(expected.pipelines.first { $0.id == PipelineID("p1") }?.name == "attrition", "the rename after the last configuration")
        #expect(expected.histories[3].count == 2, "the deleted pipeline's history, ending with the deletion's undeploy")

        #expect(report.kinds.map(\.kind) == StoreCopyKind.allCases)
        for kind in report.kinds {
            #expect(kind.count == CopyWorkload.counts[kind.kind], "\(kind.kind)")
            #expect(kind.sourceChecksum == kind.targetChecksum && kind.sourceChecksum.count == 64, "\(kind.kind)")
        }
        #expect(steps.values == StoreCopyKind.allCases.map { StoreCopyProgress.copied($0, count: CopyWorkload.counts[$0] ?? -1) }
            + StoreCopyKind.allCases.map { StoreCopyProgress.verified($0, count: CopyWorkload.counts[$0] ?? -1) })

        // Leases and firing claims are not copied: the target's are free.
        #expect(try await target.lease(CopyWorkload.leaseName) == nil)
        let claim = try await target.claimFiring(trigger: TriggerID("t1"), scheduledAt: CopyWorkload.date(200), owner: "scheduler 2")
        #expect(claim == .claimed(FiringClaimRecord(triggerID: TriggerID("t1"), scheduledAt: CopyWorkload.date(200), owner: "scheduler 2",
                                                    claimedAt: targetClock.now)))
        // The copy goes on as a store: the next swap replaces the restored deployment, on the target's clock.
        let swap = try await target.swapDeployment(in: .pipeline(PipelineID("p1")), to: ModelID("m2"), expecting: .current(ModelID("m1")))
        #expect(swap.record == DeploymentRecord(scope: .pipeline(PipelineID("p1")), modelID: ModelID("m2"), previousModelID: ModelID("m1"),
                                                deployedAt: targetClock.now))
    }

    @Test("a target that holds anything is refused before anything is written", arguments: StorageBackend.available)
    func nonEmptyTargetRefused(_ backend: StorageBackend) async throws {
        let directory = try TemporaryDirectory("copy-refused")
        defer { directory.remove() }
        let clock = ManualWallClock(now: CopyWorkload.start)
        let source = InMemoryStore(clock: clock)
        try await CopyWorkload.fill(source, clock: clock)
        let stray = DeploymentRecord(scope: .standalone(ModelID("i1")), modelID: ModelID("gone"), previousModelID: nil,
                                     deployedAt: CopyWorkload.date(1))
        let undeploy = DeploymentRecord(scope: .standalone(ModelID("i1")), modelID: nil, previousModelID: ModelID("gone"),
                                        deployedAt: CopyWorkload.date(2))
        let holdings: [(String, @Sendable (any PipelineStorage) async throws -> Void, [StoreCopyKind: Int])] = [
            ("a repository", { try await $0.insertRepository(RepositoryRecord(id: RepositoryID("x"), name: "x", createdAt: CopyWorkload.start)) },
             [.repositories: 1]),
            ("an imported model", { try await $0.insertModel(CopyWorkload.model("x", origin: .imported(name: "x"), repository: nil, version: 1,
                                                                                 line: "x"), artifact: Data([1])) },
             [.models: 1]),
            ("the history of a line the source has, and nothing else", { try await $0.restoreDeploymentHistory([stray, undeploy], in: stray.scope) },
             [.deployments: 2]),
            ("a ledger entry of a folder copied", { _ = try await $0.takeFolderFile(FolderFileRecord(
                folder: CopyWorkload.inbox, name: "z.csv", size: 1, sha256: String(repeating: "z", count: 64), state: .taken, owner: "w",
                takenAt: CopyWorkload.start)) },
             [.folderFiles: 1]),
        ]
        for (label, hold, counts) in holdings {
            let target = try await backend.makeStore(clock: ManualWallClock(now: CopyWorkload.start), in: directory)
            try await hold(target)
            let before = try await CopiedContents(target)
            await #expect(throws: StoreCopyError.targetNotEmpty(counts), "\(label)") {
                try await StoreCopy.copy(from: source, to: target, ledgerFolders: [CopyWorkload.inbox])
            }
            #expect(try await CopiedContents(target) == before, "\(label): the target is unchanged")
        }
        let message = StoreCopyError.targetNotEmpty([.models: 1, .repositories: 2]).description
        #expect(message == "the target store is not empty (it holds repositories: 2, models: 1): nothing was copied; copy into an empty store")
    }

    @Test("a target that reads back other bytes fails the verification, naming the kind")
    func mismatchIsCaught() async throws {
        let clock = ManualWallClock(now: CopyWorkload.start)
        let source = InMemoryStore(clock: clock)
        try await CopyWorkload.fill(source, clock: clock)
        let target = CorruptingStore(base: InMemoryStore(clock: clock))
        let error = await #expect(throws: StoreCopyError.self) { try await StoreCopy.copy(from: source, to: target) }
        guard case let .verificationFailed(kind, sourceCount, targetCount, sourceChecksum, targetChecksum) = error else {
            Issue.record("expected verificationFailed, got \(String(describing: error))")
            return
        }
        #expect(kind == .artifacts && sourceCount == 6 && targetCount == 6 && sourceChecksum != targetChecksum)
        #expect(error?.description.hasPrefix("verification failed for artifacts: the source holds 6 (SHA-256 ") == true)
    }

    @Test("an empty store copies to an empty store, every kind at 0")
    func emptyCopy() async throws {
        let report = try await StoreCopy.copy(from: InMemoryStore(), to: InMemoryStore())
        #expect(report.kinds.allSatisfy { $0.count == 0 && $0.sourceChecksum == $0.targetChecksum })
    }

    @Test("the ledger folders of the pipelines' folder consumers, resolved as a watcher resolves them")
    func declaredLedgerFolders() async throws {
        let store = InMemoryStore()
        try await store.insertRepository(RepositoryRecord(id: RepositoryID("r"), name: "r", createdAt: CopyWorkload.start))
        try await store.insertPipeline(PipelineRecord(id: PipelineID("p"), repositoryID: RepositoryID("r"), name: "p", createdAt: CopyWorkload.start))
        var record = CopyWorkload.configuration(PipelineID("p"), version: 1, savedAt: 1)
        record.configuration.deployment.consumers = [
            .inProcess, .folder(FolderConsumer(input: "inbox", output: "out")), .folder(FolderConsumer(input: "/abs/in/", output: "/abs/out")),
        ]
        try await store.appendConfiguration(record)
        let folders = try await StoreCopy.ledgerFolders(of: store, relativeTo: URL(fileURLWithPath: "/srv/ml"))
        #expect(folders == ["/abs/in", "/srv/ml/inbox"])
    }
}

/// Collects progress steps (called from the copying task).
final class StepLog: Sendable {
    private let storage = Mutex<[StoreCopyProgress]>([])
    func append(_ step: StoreCopyProgress) { storage.withLock { $0.append(step) } }
    var values: [StoreCopyProgress] { storage.withLock { $0 } }
}

/// An in-memory store whose artifacts read back with their first byte flipped: damage the
/// verification must catch.
struct CorruptingStore: ForwardingStore {
    let base: InMemoryStore

    func artifact(of model: ModelID) async throws -> Data? {
        guard var bytes = await base.artifact(of: model), !bytes.isEmpty else { return await base.artifact(of: model) }
        bytes[bytes.startIndex] ^= 0xFF
        return bytes
    }
}
