import Foundation
import Pipelines
import Synchronization
import Testing

/// An ``InMemoryStore`` that, like GRDB and PostgresNIO, refuses a call made from a
/// cancelled task, and that runs a hook right after a queued run is claimed.
private struct CancellationCheckingStore: ForwardingStore {
    /// The pending hook (a class: a struct cannot hold a `Mutex`).
    private final class Hook: Sendable {
        let pending = Mutex<(@Sendable () -> Void)?>(nil)
    }

    let base: InMemoryStore
    private let hook = Hook()

    init(clock: ManualWallClock) { base = InMemoryStore(clock: clock) }

    /// Runs `hook` once, right after the next `claimQueuedRun` claims a run.
    func afterNextClaim(_ run: @escaping @Sendable () -> Void) { hook.pending.withLock { $0 = run } }

    func claimQueuedRun(worker: String, for duration: TimeInterval, filter: QueuedRunFilter) async throws -> QueuedRunRecord? {
        try Task.checkCancellation()
        let claimed = await base.claimQueuedRun(worker: worker, for: duration, filter: filter)
        if claimed != nil { hook.pending.withLock { pending in defer { pending = nil }; return pending }?() }
        return claimed
    }
    func enqueueRun(_ run: QueuedRunRecord, claimingFiringAs owner: String?) async throws -> RunEnqueueing {
        try Task.checkCancellation()
        return try await base.enqueueRun(run, claimingFiringAs: owner)
    }
    func pipeline(_ id: PipelineID) async throws -> PipelineRecord? {
        try Task.checkCancellation()
        return await base.pipeline(id)
    }
    func insertRun(_ run: RunRecord) async throws {
        try Task.checkCancellation()
        try await base.insertRun(run)
    }
    func acquireLease(_ name: String, owner: String, for duration: TimeInterval) async throws -> LeaseAcquisition {
        try Task.checkCancellation()
        return await base.acquireLease(name, owner: owner, for: duration)
    }
}

@Suite("A scheduler told to stop: no firing it claimed is lost, none it did not claim is taken")
struct StoppingSchedulerTests {
    /// A workspace on a ``CancellationCheckingStore`` with a pipeline and its daily trigger
    /// running dataset generation.
    private static func dailyTrigger() async throws
        -> (store: CancellationCheckingStore, workspace: Workspace, pipeline: Pipeline, target: TriggerTarget)
    {
        let clock = ManualWallClock(now: Fixtures.start)
        let store = CancellationCheckingStore(clock: clock)
        let workspace = Workspace(store: store, clock: clock, baseDirectory: try Fixtures.directory)
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        let trigger = try await pipeline.addTrigger(
            schedule: try TriggerSchedule(parsing: "@daily", now: clock.now), jobs: [.datasetGeneration])
        return (store, workspace, pipeline, TriggerTarget(triggerID: trigger.id, pipelineID: pipeline.id, jobs: trigger.jobs))
    }

    @Test("a firing that comes due as the scheduler stops is left unclaimed (.stopped); another scheduler then runs it")
    func firingAtStopLeftToOthers() async throws {
        let (_, workspace, pipeline, target) = try await Self.dailyTrigger()
        let due = Fixtures.start.addingTimeInterval(86_400)

        let stopping = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await workspace.fireTrigger(target, scheduledAt: due)
        }
        #expect(await stopping.value.outcome == .stopped)
        #expect(try await workspace.queuedRuns().isEmpty, "nothing queued")
        #expect(try await pipeline.runs().isEmpty, "nothing recorded")

        let other = await workspace.fireTrigger(target, scheduledAt: due)
        guard case .ran(let run) = other.outcome else {
            Issue.record("the firing was not run by the scheduler still going: \(other.outcome)")
            return
        }
        #expect(run.status == .succeeded && run.origin == .trigger(target.triggerID, scheduledAt: due))
    }

    @Test("a firing claimed just before the stop is recorded as a cancelled run saying so, and its queued run is finished")
    func claimedFiringRecordedCancelled() async throws {
        let (store, workspace, pipeline, target) = try await Self.dailyTrigger()
        let due = Fixtures.start.addingTimeInterval(86_400)

        // The stop arrives between the claim and the start of the run.
        let (go, release) = AsyncStream<Void>.makeStream()
        let firing = Task {
            for await _ in go { break }
            return await workspace.fireTrigger(target, scheduledAt: due)
        }
        store.afterNextClaim { firing.cancel() }
        release.yield()
        release.finish()
        let report = await firing.value
        guard case .ran(let run) = report.outcome else {
            Issue.record("the claimed firing has no run: \(report.outcome)")
            return
        }
        #expect(run.status == .cancelled, "\(run)")
        #expect(run.error?.contains("stopped before the run started") == true, "\(run.error ?? "")")
        #expect(try await pipeline.runs().map(\.id) == [run.id], "the one run of the firing is stored")
        let queued = try await workspace.queuedRuns()
        #expect(queued.map(\.state) == [.finished] && queued.first?.runs == [run.id], "\(queued)")
    }
}
