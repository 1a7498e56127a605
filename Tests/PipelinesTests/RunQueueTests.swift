import Foundation
import Pipelines
import Testing

@Suite("Queued runs through the SDK: enqueue, claim, run, finish")
struct RunQueueTests {
    @Test("runNextQueued runs queued runs oldest first, each once, and records each run on its queued run; nothing left gives nil")
    func queuedRunsRunOnce() async throws {
        let clock = ManualWallClock(now: Fixtures.start)
        let workspace = try Fixtures.workspace(clock: clock)
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        let first = try await pipeline.enqueueRun(jobs: [.datasetGeneration])
        clock.advance(by: 1)  // (runs queued at one instant go by identifier)
        let queued = [
            first, try await pipeline.enqueueRun(jobs: [.training, .datasetGeneration], configurationVersion: 1, maximumAttempts: 1),
        ]
        #expect(queued[1].jobs == [.datasetGeneration, .training], "jobs in their fixed order")
        #expect(try await workspace.queuedRuns(in: [.queued]).map(\.id) == queued.map(\.id))
        var outcomes: [QueuedRunOutcome] = []
        while let outcome = try await workspace.runNextQueued(worker: "test worker") { outcomes.append(outcome) }
        #expect(outcomes.map(\.queued.id) == queued.map(\.id), "oldest first")
        for outcome in outcomes {
            #expect(outcome.queued.state == .finished && outcome.queued.attempts == 1 && outcome.queued.worker == "test worker")
            #expect(outcome.run?.status == .succeeded, "\(outcome.run?.error ?? "")")
            #expect(outcome.queued.runs == outcome.run.map { [$0.id] }, "the run is recorded on the queued run")
        }
        #expect(try await pipeline.runs().count == 2)
        #expect(try await workspace.runNextQueued() == nil)
    }

    @Test("enqueueRun refuses an unknown configuration version, queuing nothing")
    func unknownVersionRefused() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        await expectPipelineError({ _ = try await pipeline.enqueueRun(configurationVersion: 9) }) { error in
            if case .notFound(.other("configuration version", "9 of pipeline 'line'")) = error { return true }
            return false
        }
        #expect(try await workspace.queuedRuns().isEmpty)
    }

    @Test("a queued run that cannot start is finished with a failed run saying why")
    func unstartableRunRecordedFailed() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        // Training before any dataset generation: refused by the run's check.
        _ = try await pipeline.enqueueRun(jobs: [.training])
        let outcome = try #require(try await workspace.runNextQueued())
        #expect(outcome.queued.state == .finished)
        #expect(outcome.run?.status == .failed && outcome.run?.error?.isEmpty == false, "\(String(describing: outcome.run))")
    }
}
