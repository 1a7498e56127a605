import Foundation
import Pipelines

// The run queue: runs waiting in the store for workers on any host.
extension StorageConformance {
    /// How long, in seconds, the checks' queue leases last.
    static let queueLeaseSeconds: TimeInterval = 30

    /// A queued run's identifier for the checks.
    static func queuedRunID(_ number: Int) -> QueuedRunID {
        let digits = String(number)
        return QueuedRunID("f0000000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits)
    }

    /// A hand-queued run of `pipeline`, queued at `epoch + seconds`.
    static func queued(_ number: Int, of pipeline: PipelineID, at seconds: TimeInterval, attempts maximum: Int = 2) -> QueuedRunRecord {
        QueuedRunRecord(id: queuedRunID(number), pipelineID: pipeline, jobs: [.training, .testing], configurationVersion: number == 1 ? 1 : nil,
                        enqueuedAt: Fixture.date(seconds), maximumAttempts: maximum)
    }

    /// Queued runs read back exactly and list oldest first (by `enqueuedAt`, not by
    /// insertion); a claim takes the oldest for the store's clock + duration and counts the
    /// attempt; `.only` takes that one; renewing extends the lease and records the run;
    /// only the holder renews or finishes; finishing records the run and the time; nothing
    /// is left to claim afterwards. An unknown pipeline and a taken identifier are refused.
    static func runQueueEnqueueClaimFinish(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let runs = [queued(1, of: pipeline.id, at: 300), queued(2, of: pipeline.id, at: 100), queued(3, of: pipeline.id, at: 200)]
        for run in runs {
            t.expectEqual(try await store.enqueueRun(run, claimingFiringAs: nil), .enqueued(run), "enqueueRun(\(run.id))")
        }
        t.expectEqual(try await store.queuedRuns(in: nil).map(\.id), [runs[1].id, runs[2].id, runs[0].id], "queuedRuns(nil): oldest first")
        t.expectEqual(try await store.queuedRun(runs[0].id), runs[0], "queuedRun(1) reads back exactly")
        await t.expectRefusal("enqueueRun(a taken identifier)", .duplicateID(id: runs[0].id.rawValue)) {
            try await store.enqueueRun(runs[0], claimingFiringAs: nil)
        }
        let stranger = QueuedRunRecord(pipelineID: Fixture.pipelineID(99), jobs: [.training], enqueuedAt: Fixture.date(1))
        await t.expectRefusal("enqueueRun(an unknown pipeline)", .notFound(id: Fixture.pipelineID(99).rawValue)) {
            try await store.enqueueRun(stranger, claimingFiringAs: nil)
        }

        let now = t.clock.now
        var first = runs[1]
        first.state = .claimed
        first.attempts = 1
        first.worker = "worker A"
        first.leaseExpiresAt = now.addingTimeInterval(queueLeaseSeconds)
        t.expectEqual(try await store.claimQueuedRun(worker: "worker A", for: queueLeaseSeconds, filter: .any), first,
                      "claimQueuedRun(A): the oldest, claimed until the store's clock + \(queueLeaseSeconds) s")
        let only = try await store.claimQueuedRun(worker: "worker B", for: queueLeaseSeconds, filter: .only(runs[0].id))
        t.expectEqual(only?.id, runs[0].id, "claimQueuedRun(B, only run 1)")
        t.expectEqual(try await store.queuedRuns(in: [.queued]).map(\.id), [runs[2].id], "queuedRuns([.queued]) after two claims")

        await t.expectRefusal("renewQueuedRun by B of A's run", .leaseNotHeld(name: "queued-run:\(first.id)", owner: "worker B", holder: "worker A")) {
            try await store.renewQueuedRun(first.id, worker: "worker B", for: queueLeaseSeconds, run: nil)
        }
        t.clock.advance(by: 10.25)
        var renewed = first
        renewed.leaseExpiresAt = t.clock.now.addingTimeInterval(queueLeaseSeconds)
        renewed.runs = [Fixture.runID(1)]
        t.expectEqual(try await store.renewQueuedRun(first.id, worker: "worker A", for: queueLeaseSeconds, run: Fixture.runID(1)), renewed,
                      "renewQueuedRun(A, run 1): extended from the store's clock, the run recorded")
        await t.expectRefusal("finishQueuedRun by B of A's run", .leaseNotHeld(name: "queued-run:\(first.id)", owner: "worker B", holder: "worker A")) {
            try await store.finishQueuedRun(first.id, worker: "worker B", run: nil, error: nil)
        }
        var finished = renewed
        finished.state = .finished
        finished.finishedAt = t.clock.now
        finished.leaseExpiresAt = nil
        t.expectEqual(try await store.finishQueuedRun(first.id, worker: "worker A", run: Fixture.runID(1), error: nil), finished,
                      "finishQueuedRun(A): finished now, the run recorded once")
        t.expectEqual(try await store.queuedRun(first.id), finished, "queuedRun after finishing")
        await t.expectRefusal("finishQueuedRun(A) again", .leaseNotHeld(name: "queued-run:\(first.id)", owner: "worker A", holder: nil)) {
            try await store.finishQueuedRun(first.id, worker: "worker A", run: nil, error: nil)
        }
        let third = try await store.claimQueuedRun(worker: "worker C", for: queueLeaseSeconds, filter: .any)
        t.expectEqual(third?.id, runs[2].id, "claimQueuedRun(C): the last one waiting")
        t.expectEqual(try await store.claimQueuedRun(worker: "worker D", for: queueLeaseSeconds, filter: .any), nil,
                      "claimQueuedRun(D) with every run claimed or finished: nothing")
        await t.expectRefusal("renewQueuedRun of an unknown run", .notFound(id: queuedRunID(42).rawValue)) {
            try await store.renewQueuedRun(queuedRunID(42), worker: "worker A", for: queueLeaseSeconds, run: nil)
        }
    }

    /// A claim whose lease expired (by the store's clock) is taken by the next worker as
    /// its second attempt, and the first worker can no longer renew or finish it; when
    /// that one expires too, no attempt is left and it is abandoned, not claimed. A run
    /// allowed one attempt is abandoned at its first expiry (by the claim that passes it).
    static func runQueueExpiredClaimRetriedOnce(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let twice = queued(1, of: pipeline.id, at: 100)
        let once = queued(2, of: pipeline.id, at: 200, attempts: 1)
        for run in [twice, once] { _ = try await t.must("enqueueRun(\(run.id))") { try await store.enqueueRun(run, claimingFiringAs: nil) } }
        _ = try await t.must("claimQueuedRun(A)") { try await store.claimQueuedRun(worker: "worker A", for: queueLeaseSeconds, filter: .any) }
        _ = try await t.must("claimQueuedRun(B)") { try await store.claimQueuedRun(worker: "worker B", for: queueLeaseSeconds, filter: .any) }
        t.clock.advance(by: queueLeaseSeconds - 1)
        t.expectEqual(try await store.claimQueuedRun(worker: "worker C", for: queueLeaseSeconds, filter: .any), nil,
                      "claimQueuedRun(C) one second before the leases expire: nothing")
        t.clock.advance(by: 1)
        let retried = try await store.claimQueuedRun(worker: "worker C", for: queueLeaseSeconds, filter: .any)
        t.expectEqual(retried?.id, twice.id, "claimQueuedRun(C) once A's lease expired: A's run")
        t.expectEqual(retried?.attempts, 2, "the retried run's attempts")
        t.expectEqual(retried?.worker, "worker C", "the retried run's worker")
        t.expectEqual(try await store.claimQueuedRun(worker: "worker D", for: queueLeaseSeconds, filter: .any), nil,
                      "claimQueuedRun(D): B's one-attempt run expired, so it is abandoned, not claimed")
        let abandoned = try await store.queuedRun(once.id)
        t.expectEqual(abandoned?.state, .abandoned, "the one-attempt run whose lease expired, after a claim passed it")
        t.expect(abandoned?.error?.isEmpty == false, "an abandoned run says why")
        t.expectEqual(abandoned?.finishedAt, t.clock.now, "an abandoned run's finishedAt: the store's clock")
        await t.expectRefusal("renewQueuedRun by A after C took it over", .leaseNotHeld(name: "queued-run:\(twice.id)", owner: "worker A", holder: "worker C")) {
            try await store.renewQueuedRun(twice.id, worker: "worker A", for: queueLeaseSeconds, run: nil)
        }
        t.clock.advance(by: queueLeaseSeconds)
        t.expectEqual(try await store.claimQueuedRun(worker: "worker D", for: queueLeaseSeconds, filter: .any), nil,
                      "claimQueuedRun(D) once C's lease expired too: no attempt left, nothing claimed")
        t.expectEqual(try await store.queuedRun(twice.id)?.state, .abandoned, "the run whose second worker was lost")
        t.expectEqual(try await store.queuedRuns(in: [.abandoned]).map(\.id), [twice.id, once.id], "queuedRuns([.abandoned])")
    }

    /// Queuing a trigger firing's run claims the firing in the same transaction: the
    /// second queuing of the same firing (or of an earlier one) adds nothing and names the
    /// claim that stands; a later firing is queued. `.triggerFirings` claims only those.
    static func runQueueFiringQueuedOnce(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let trigger = Fixture.intervalTrigger(1, of: pipeline.id, createdAt: Fixture.date(50))
        try await t.must("insertTrigger(trigger 1)") { try await store.insertTrigger(trigger) }
        let manual = queued(1, of: pipeline.id, at: 10)
        _ = try await t.must("enqueueRun(by hand)") { try await store.enqueueRun(manual, claimingFiringAs: "scheduler A") }
        func firing(_ number: Int, at seconds: TimeInterval) -> QueuedRunRecord {
            QueuedRunRecord(id: queuedRunID(number), pipelineID: pipeline.id, jobs: trigger.jobs,
                            origin: .trigger(trigger.id, scheduledAt: Fixture.date(seconds)), enqueuedAt: Fixture.date(seconds))
        }
        let first = firing(2, at: 3_600)
        t.expectEqual(try await store.enqueueRun(first, claimingFiringAs: "scheduler A"), .enqueued(first), "enqueueRun(firing at 3600, A)")
        let claim = FiringClaimRecord(triggerID: trigger.id, scheduledAt: Fixture.date(3_600), owner: "scheduler A", claimedAt: t.clock.now)
        t.expectEqual(try await store.enqueueRun(firing(3, at: 3_600), claimingFiringAs: "scheduler B"), .firingTaken(claim),
                      "enqueueRun(the same firing, B): taken by A, nothing queued")
        t.expectEqual(try await store.enqueueRun(firing(4, at: 1_800), claimingFiringAs: "scheduler B"), .firingTaken(claim),
                      "enqueueRun(an earlier firing, B): a later one is claimed, nothing queued")
        t.expectEqual(try await store.claimFiring(trigger: trigger.id, scheduledAt: Fixture.date(3_600), owner: "scheduler C"), .taken(claim),
                      "claimFiring(the queued firing, C): claimed by A's queuing")
        let later = firing(5, at: 7_200)
        t.expectEqual(try await store.enqueueRun(later, claimingFiringAs: "scheduler B"), .enqueued(later), "enqueueRun(a later firing, B)")
        t.expectEqual(try await store.queuedRuns(in: nil).map(\.id), [manual.id, first.id, later.id], "queuedRuns: one per firing, and the manual one")
        let taken = try await store.claimQueuedRun(worker: "scheduler C", for: queueLeaseSeconds, filter: .triggerFirings)
        t.expectEqual(taken?.id, first.id, "claimQueuedRun(.triggerFirings): the oldest firing, not the older manual run")
    }

    /// 8 workers racing for 3 queued runs: each run is claimed by exactly one of them, and
    /// the other 5 get nothing.
    static func runQueueClaimRace(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        for number in 1...3 {
            let run = queued(number, of: pipeline.id, at: Double(number))
            _ = try await t.must("enqueueRun(\(number))") { try await store.enqueueRun(run, claimingFiringAs: nil) }
        }
        let gate = StartingGate(count: racers)
        let results = await withTaskGroup(of: Result<QueuedRunRecord?, any Error>.self) { group in
            for racer in 0..<racers {
                group.addTask {
                    await gate.arrive()
                    do {
                        return .success(try await store.claimQueuedRun(worker: "worker \(racer)", for: queueLeaseSeconds, filter: .any))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var results: [Result<QueuedRunRecord?, any Error>] = []
            for await result in group { results.append(result) }
            return results
        }
        var claimed: [QueuedRunID] = []
        var empty = 0
        for result in results {
            switch result {
            case .success(let run?): claimed.append(run.id)
            case .success(nil): empty += 1
            case .failure(let error): t.fail("racing claimQueuedRun: expected success, got \(Difference.describe(error: error))")
            }
        }
        t.expectEqual(claimed.sorted(), (1...3).map(queuedRunID), "racing claimQueuedRun ×\(racers): the runs claimed, each once")
        t.expectEqual(empty, racers - 3, "racing claimQueuedRun ×\(racers): workers that got nothing")
        let stored = try await store.queuedRuns(in: nil)
        t.expect(stored.allSatisfy { $0.state == .claimed && $0.attempts == 1 }, "every raced run claimed once: \(stored.map { ($0.state, $0.attempts) })")
    }
}
