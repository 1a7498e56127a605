import Crypto
import Foundation
import LinearAlgebra
import Pipelines
import PipelinesPostgres
import PipelinesSQLite
import Tabular
import Testing

/// The backends the reliability tests run on (PostgreSQL with a test server).
enum ReliabilityBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inMemory, sqlite, postgres
    var testDescription: String { rawValue }

    static var available: [ReliabilityBackend] { allCases.filter { $0 != .postgres || PostgresTestServer.available } }

    func makeStore(in directory: URL) async throws -> any PipelineStorage {
        switch self {
        case .inMemory: return InMemoryStore()
        case .sqlite: return try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path)
        case .postgres: return try await PostgresTestServer.freshStore(pool: 10)
        }
    }
}

/// A new temporary directory, removed when `body` ends.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlpipe-reliability-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// The 4 KiB artifact the crash child writes for a model id (see Tests/StoreCrashChild).
func crashChildArtifact(for id: ModelID) -> Data {
    var bytes = Data()
    var block = Data(SHA256.hash(data: Data(id.rawValue.utf8)))
    while bytes.count < 4_096 {
        bytes.append(block)
        block = Data(SHA256.hash(data: block))
    }
    return bytes
}

@Suite("Reliability: the one-deployed invariant under concurrency, and crashes at random moments")
struct ReliabilityTests {
    static let schema = FeatureSchema(features: [Schema.Field(name: "x", type: .numeric)], label: "y", labelType: .numeric, classes: nil)

    /// The invariant: the current deployment names nothing or a stored, deployable model,
    /// and the history chains (each record's previous model is the record before it).
    ///
    /// The reads are separate calls, so a deployment by another task between them would
    /// make a consistent store look broken: the check is repeated until no deployment
    /// happened while it read (the history did not grow), and only then judged.
    static func checkInvariant(_ store: any PipelineStorage, _ scope: DeploymentScope) async throws -> String? {
        var verdict: String?
        for _ in 0..<100 {
            let before = try await store.deploymentHistory(in: scope).count
            verdict = try await checkOnce(store, scope)
            if try await store.deploymentHistory(in: scope).count == before { return verdict }
        }
        return verdict
    }

    private static func checkOnce(_ store: any PipelineStorage, _ scope: DeploymentScope) async throws -> String? {
        let history = try await store.deploymentHistory(in: scope)
        for (index, record) in history.enumerated().dropFirst() where record.previousModelID != history[index - 1].modelID {
            return "history record \(index) follows \(history[index - 1].modelID?.rawValue ?? "none") but says \(record.previousModelID?.rawValue ?? "none")"
        }
        if let first = history.first, first.previousModelID != nil { return "the first history record says it replaced a model" }
        if let index = history.firstIndex(where: { $0.modelID == $0.previousModelID }) {
            return "history record \(index) replaces \(history[index].modelID?.rawValue ?? "none") by itself"
        }
        guard let current = try await store.deployment(in: scope)?.modelID else { return nil }
        guard let model = try await store.model(current) else { return "deployed model \(current) does not exist" }
        if model.status == .rejected { return "deployed model \(current) is rejected" }
        if try await store.artifact(of: current) == nil { return "deployed model \(current) has no artifact" }
        return nil
    }

    @Test("8 tasks × 125 random train/swap/erase operations: exactly one model deployed after every step",
          arguments: ReliabilityBackend.available)
    func concurrentOperations(_ backend: ReliabilityBackend) async throws {
        try await withTemporaryDirectory { directory in
            let store = try await backend.makeStore(in: directory)
            let repository = RepositoryRecord(name: "R", createdAt: Date())
            try await store.insertRepository(repository)
            let pipeline = PipelineRecord(repositoryID: repository.id, name: "P", createdAt: Date())
            try await store.insertPipeline(pipeline)
            let scope = DeploymentScope.pipeline(pipeline.id)
            let violations = try await withThrowingTaskGroup(of: [String].self) { group in
                for task in 0..<8 {
                    group.addTask {
                        var random = RandomSource(seed: UInt64(task + 1))
                        var mine: [ModelID] = []
                        var problems: [String] = []
                        for step in 0..<125 {
                            switch random.nextInt(below: 3) {
                            case 0:  // train: a new model with its artifact, in one transaction
                                let record = ModelRecord(
                                    origin: .pipeline(pipeline.id), repositoryID: repository.id, version: 1, estimator: "Ridge",
                                    task: .regression, hyperParameters: [:], status: .saved, validationScore: nil,
                                    trainingSeconds: 0, meanPredictionSeconds: nil, schema: Self.schema, lineage: nil,
                                    createdAt: Date())
                                try await store.insertModel(record, artifact: Data([UInt8(task), UInt8(step)]))
                                mine.append(record.id)
                            case 1:  // deploy one of mine: a compare-and-swap from what we read, or a plain swap
                                guard let candidate = mine.last else { continue }
                                let current = try await store.deployment(in: scope)?.modelID
                                let expectation = random.nextInt(below: 2) == 0 ? DeploymentExpectation.current(current) : .anyModel
                                do {
                                    let swap = try await store.swapDeployment(in: scope, to: candidate, expecting: expectation)
                                    if swap.record?.modelID != candidate {
                                        problems.append("task \(task), step \(step): a swap to \(candidate) answered \(String(describing: swap.record))")
                                    }
                                } catch StoreError.deploymentConflict where expectation != .anyModel {
                                }
                            default:  // erase one of mine (refused while deployed)
                                guard !mine.isEmpty else { continue }
                                let victim = mine.remove(at: random.nextInt(below: mine.count))
                                do {
                                    try await store.deleteModel(victim)
                                } catch StoreError.modelDeployed {
                                    mine.append(victim)
                                }
                            }
                            if let problem = try await Self.checkInvariant(store, scope) {
                                problems.append("task \(task), step \(step): \(problem)")
                            }
                        }
                        return problems
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(violations.isEmpty, "\(violations.prefix(5))")
            #expect(try await Self.checkInvariant(store, scope) == nil)
            if let sqlite = store as? SQLiteStore { #expect(try sqlite.integrityCheck().isEmpty) }
        }
    }

    /// The crash child's executable, built next to the test bundle.
    static var childExecutable: URL {
        get throws {
            let buildDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            for candidate in [buildDirectory, buildDirectory.deletingLastPathComponent()] {
                let url = candidate.appendingPathComponent("StoreCrashChild")
                if FileManager.default.isExecutableFile(atPath: url.path) { return url }
            }
            throw ChildMissing(directory: buildDirectory.path)
        }
    }

    struct ChildMissing: Error, CustomStringConvertible {
        let directory: String
        var description: String { "StoreCrashChild not found near \(directory): build everything first (swift build --build-tests)" }
    }

    @Test("a child killed with SIGKILL at random moments 50 times: the store reopens consistent, committed models intact",
          arguments: ReliabilityBackend.available.filter { $0 != .inMemory })
    func killedWhileSaving(_ backend: ReliabilityBackend) async throws {
        let executable = try Self.childExecutable
        try await withTemporaryDirectory { directory in
            // Where the child writes: the SQLite file, or a fresh schema of the test server.
            let setup = try await backend.makeStore(in: directory)
            let location: String
            if let postgres = setup as? PostgresStore {
                location = try #require(PostgresTestServer.url(of: postgres))
            } else {
                location = directory.appendingPathComponent("store.sqlite").path
            }
            func reopen() async throws -> any PipelineStorage {
                backend == .postgres ? try await PostgresStore(url: location) : try SQLiteStore(path: location)
            }
            let repository = RepositoryRecord(name: "R", createdAt: Date())
            try await setup.insertRepository(repository)
            let pipeline = PipelineRecord(repositoryID: repository.id, name: "P", createdAt: Date())
            try await setup.insertPipeline(pipeline)
            var random = RandomSource(seed: 42)
            var committed = Set<ModelID>()
            for round in 0..<50 {
                let output = Pipe()
                let child = Process()
                child.executableURL = executable
                child.arguments = [location, pipeline.id.rawValue, String(round + 1)]
                child.standardOutput = output
                child.standardError = FileHandle.nullDevice
                try child.run()
                // A PostgreSQL child connects (TCP, login, schema check) before its first save: kill it later.
                let earliest = backend == .postgres ? 150 : 20
                try await Task.sleep(for: .milliseconds(earliest + random.nextInt(below: backend == .postgres ? 350 : 180)))
                kill(child.processIdentifier, SIGKILL)
                child.waitUntilExit()
                #expect(child.terminationReason == .uncaughtSignal, "round \(round): the child ended before it was killed")
                let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                for line in text.split(separator: "\n") where line.hasPrefix("committed ") {
                    committed.insert(ModelID(String(line.dropFirst("committed ".count))))
                }
                // Reopen as a new process would, and check everything.
                let reopened = try await reopen()
                if let sqlite = reopened as? SQLiteStore {
                    let problems = try sqlite.integrityCheck()
                    #expect(problems.isEmpty, "round \(round): \(problems)")
                }
                for id in committed {
                    let artifact = try await reopened.artifact(of: id)
                    #expect(artifact == crashChildArtifact(for: id), "round \(round): model \(id) is missing or damaged")
                }
                #expect(try await Self.checkInvariant(reopened, .pipeline(pipeline.id)) == nil, "round \(round)")
            }
            #expect(committed.count >= 50)
        }
    }
}
