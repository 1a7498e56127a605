import Foundation
import Pipelines
import PipelinesSQLite
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Crash tests of the SQLite store: a child test process writing until it is killed.
extension SQLiteStoreTests {
    // MARK: Crashes

    /// Set to a database path, it makes ``crashChildWorkload()`` run (in a child process).
    static let crashChildVariable = "PIPELINES_SQLITE_CRASH_CHILD"

    /// The artifact of a crash-test model: its identifier's bytes repeated over 64 KiB.
    static func crashArtifact(_ id: ModelID) -> Data {
        let unit = Array(id.rawValue.utf8)
        return Data((0..<65_536).map { unit[$0 % unit.count] })
    }

    /// The dataset snapshot of a crash-test generation: 256 KiB of one byte.
    static func crashSnapshot(_ generation: Int) -> Data {
        Data(repeating: UInt8(truncatingIfNeeded: generation), count: 262_144)
    }

    @Test("a process killed (SIGKILL) at random instants while writing leaves a consistent store that lost no commit")
    func killedWriterLeavesConsistentStore() async throws {
        let directory = try TemporaryDirectory("crash")
        defer { directory.remove() }
        let path = directory.newPath()
        let observer = try SQLiteStore(path: path)
        let workload = Workload()
        try await observer.insertRepository(workload.repository)
        try await observer.insertPipeline(workload.pipeline)
        let executable = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).standardizedFileURL
        var generation = 0
        for round in 0..<4 {
            let child = Process()
            child.executableURL = executable
            child.arguments = ["--testing-library", "swift-testing", "--filter", "crashChildWorkload"]
            child.environment = ProcessInfo.processInfo.environment.merging([Self.crashChildVariable: path]) { $1 }
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            // A failed expectation must not leave the writer running after the test.
            defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }
            let deadline = Date().addingTimeInterval(60)
            while try await observer.datasets(of: workload.pipeline.id)?.generation ?? 0 < generation + 3, Date() < deadline,
                  child.isRunning {
                try await Task.sleep(for: .milliseconds(10))
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...150)))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            #expect(child.terminationReason == .uncaughtSignal, "round \(round): the child was killed, not finished")

            let problems = try observer.integrityCheck()
            #expect(problems == [], "round \(round)")
            let snapshot = try #require(try await observer.datasets(of: workload.pipeline.id), "round \(round)")
            #expect(snapshot.generation >= generation + 3, "round \(round): the child's commits are kept")
            #expect(snapshot.training?.data == Self.crashSnapshot(snapshot.generation), "round \(round): a whole snapshot")
            #expect(snapshot.ledger.data == Data("ledger \(snapshot.generation)".utf8), "round \(round): the ledger of the same snapshot")
            generation = snapshot.generation
            let models = try await observer.models(matching: ModelFilter())
            for model in models {
                #expect(try await observer.artifact(of: model.id) == Self.crashArtifact(model.id),
                        "round \(round): a model with its artifact")
            }
            let deployed = try #require(try await observer.deployment(in: .pipeline(workload.pipeline.id))?.modelID)
            #expect(models.map(\.id).contains(deployed), "round \(round): the deployed model exists")
        }
    }

    /// The child of ``killedWriterLeavesConsistentStore()``: saves a dataset generation,
    /// inserts a model with its artifact, deploys it and deletes the one it replaced, over
    /// and over, until killed. Runs only when ``crashChildVariable`` names the file.
    @Test("crash-test child: writes until killed (only in the child process)",
          .enabled(if: ProcessInfo.processInfo.environment[SQLiteStoreTests.crashChildVariable] != nil))
    func crashChildWorkload() async throws {
        let store = try SQLiteStore(path: try #require(ProcessInfo.processInfo.environment[Self.crashChildVariable]))
        let pipeline = Workload().pipeline
        var generation = try await store.datasets(of: pipeline.id)?.generation ?? 0
        while true {
            generation += 1
            try await store.saveDatasets(DatasetSnapshot(pipelineID: pipeline.id, generation: generation,
                                                         ledger: Data("ledger \(generation)".utf8), training: Self.crashSnapshot(generation),
                                                         testing: Data("testing \(generation)".utf8), savedAt: Date()),
                                         replacing: generation == 1 ? nil : generation - 1)
            var model = Workload().model(generation, of: pipeline)
            model.id = ModelID()
            try await store.insertModel(model, artifact: Self.crashArtifact(model.id))
            let current = try await store.deployment(in: .pipeline(pipeline.id))?.modelID
            _ = try await store.swapDeployment(in: .pipeline(pipeline.id), to: model.id, expecting: .current(current))
            if let current { try await store.deleteModel(current) }
        }
    }
}
