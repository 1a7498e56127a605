import Foundation
import Pipelines
import Synchronization
import Tabular
import Testing

/// An ``InMemoryStore`` that counts the dataset parts and artifacts it hands out.
struct CountingStore: ForwardingStore {
    struct Reads: Equatable {
        var trainingParts = 0
        var testingParts = 0
        var artifacts = 0
    }

    private final class Counter: Sendable {
        let reads = Mutex(Reads())
    }

    let base: InMemoryStore
    private let counter = Counter()

    init(clock: ManualWallClock) { base = InMemoryStore(clock: clock) }

    /// What was handed out so far.
    var reads: Reads { counter.reads.withLock { $0 } }

    /// Starts counting afresh.
    func reset() { counter.reads.withLock { $0 = Reads() } }

    func datasets(of pipeline: PipelineID, rows: DatasetRows) async throws -> DatasetSnapshot? {
        let snapshot = await base.datasets(of: pipeline, rows: rows)
        counter.reads.withLock { reads in
            if snapshot?.training != nil { reads.trainingParts += 1 }
            if snapshot?.testing != nil { reads.testingParts += 1 }
        }
        return snapshot
    }

    func artifact(of model: ModelID) async throws -> Data? {
        counter.reads.withLock { $0.artifacts += 1 }
        return await base.artifact(of: model)
    }
}

@Suite("One snapshot per run: jobs share loaded datasets and trained models; phases are recorded")
struct RunSnapshotTests {
    static func workspace() throws -> (Workspace, CountingStore) {
        let clock = ManualWallClock(now: Fixtures.start)
        let store = CountingStore(clock: clock)
        return (Workspace(store: store, clock: clock, baseDirectory: try Fixtures.directory), store)
    }

    static func configure(_ pipeline: Pipeline) async throws {
        try await pipeline.configure { config in
            config.training.validation = .holdout(fraction: 0.2, seed: 3)
            config.selection.autoDeploy = .bestTestingScore(window: 3_600)
        }
    }

    @Test("a run of all four jobs reads no stored dataset part and no artifact: generation hands its datasets on, training its model")
    func wholeRunReadsNothingTwice() async throws {
        let (workspace, store) = try Self.workspace()
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        try await Self.configure(pipeline)
        let run = try await pipeline.run().result()
        try #require(run.status == .succeeded, "\(run.outcomes)")
        #expect(store.reads == CountingStore.Reads(), "training and testing used the generation's datasets, testing the trained model")
        let model = try #require(run.savedModels.first)
        #expect(try await pipeline.deployment.current()?.id == model)
        let predicted = try await pipeline.deployment.predict([["x": 3.0]])
        #expect(predicted.values.count == 1)
        #expect(store.reads.artifacts == 0, "the deployed model came to the prediction cache from the run, not from its artifact")
    }

    @Test("without generation, a run reads each part it needs once; testing alone reads only the testing rows")
    func partsReadOncePerRun() async throws {
        let (workspace, store) = try Self.workspace()
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        try await Self.configure(pipeline)
        try #require(try await pipeline.run(jobs: [.datasetGeneration]).result().status == .succeeded)

        store.reset()
        let trained = try await pipeline.run(jobs: [.training, .testing]).result()
        try #require(trained.status == .succeeded, "\(trained.outcomes)")
        #expect(store.reads == CountingStore.Reads(trainingParts: 1, testingParts: 1, artifacts: 0))

        try #require(try await pipeline.run(jobs: [.training]).result().status == .succeeded)
        store.reset()
        let tested = try await pipeline.run(jobs: [.testing]).result()
        try #require(tested.status == .succeeded, "\(tested.outcomes)")
        #expect(store.reads == CountingStore.Reads(trainingParts: 0, testingParts: 1, artifacts: 1),
                "testing read its rows and the untested model's artifact, never the training rows")
    }

    @Test("each job records its phases in order, stored with the run")
    func phasesRecorded() async throws {
        let (workspace, _) = try Self.workspace()
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace, estimator: "Ridge")
        try await pipeline.configure { config in
            config.training.validation = .holdout(fraction: 0.2, seed: 3)
            config.tuning["alpha"] = .multiple([.double(0.1), .double(1)])
        }
        let run = try await pipeline.run(jobs: [.datasetGeneration, .training, .testing]).result()
        try #require(run.status == .succeeded, "\(run.outcomes)")
        let phases = Dictionary(uniqueKeysWithValues: run.outcomes.map { ($0.job, $0.phases.map(\.name)) })
        #expect(phases[.datasetGeneration] == ["load", "generate", "encode", "save"])
        #expect(phases[.training] == ["load", "encode", "fit", "validate", "save"], "two combinations: one fit entry")
        #expect(phases[.testing] == ["load", "score", "save"])
        #expect(run.outcomes.allSatisfy { $0.phases.allSatisfy { $0.seconds >= 0 } })
        #expect(run.combinations.count == 2)
        let stored = try #require(try await pipeline.runs().first)
        #expect(stored.outcomes.map(\.phases) == run.outcomes.map(\.phases), "phases are stored with the run")
    }

    @Test("a run record stored before phases existed decodes with none")
    func oldOutcomesDecode() throws {
        let json = #"{"job":"training","status":"succeeded","summary":"fitted","startedAt":0,"finishedAt":1}"#
        let outcome = try JSONDecoder().decode(JobOutcome.self, from: Data(json.utf8))
        #expect(outcome.phases.isEmpty && outcome.summary == "fitted")
        let again = try JSONDecoder().decode(JobOutcome.self, from: try JSONEncoder().encode(
            JobOutcome(job: .testing, status: .succeeded, startedAt: nil, finishedAt: nil, phases: [JobPhase(name: "score", seconds: 0.5)])))
        #expect(again.phases == [JobPhase(name: "score", seconds: 0.5)])
    }
}
