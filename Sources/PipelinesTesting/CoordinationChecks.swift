import Foundation
import Pipelines

// Leases and firing claims: what several processes sharing a store coordinate through.
extension StorageConformance {
    /// The lease the checks take.
    static let leaseName = "pipeline-run:churn"
    /// How long, in seconds, the checks' leases last.
    static let leaseSeconds: TimeInterval = 30

    /// A free lease is acquired for the store's clock + duration and reads back; another
    /// owner is then told who holds it (nothing changed); the owner acquiring it again
    /// extends it, keeping when it was first acquired; leases of other names are
    /// independent; release frees it, once.
    static func leasesAcquireRenewRelease(_ t: CheckContext) async throws {
        let store = t.store
        t.expectEqual(try await store.lease(leaseName), nil, "lease(\(leaseName)) before any acquisition")
        let start = t.clock.now
        let mine = LeaseRecord(name: leaseName, owner: "A", acquiredAt: start, expiresAt: start.addingTimeInterval(leaseSeconds))
        t.expectEqual(try await store.acquireLease(leaseName, owner: "A", for: leaseSeconds), .acquired(mine),
                      "acquireLease(A) of a free lease: acquired until the store's clock + \(leaseSeconds) s")
        t.expectEqual(try await store.lease(leaseName), mine, "lease(\(leaseName)) after A acquired it")
        t.expectEqual(try await store.acquireLease(leaseName, owner: "B", for: leaseSeconds), .held(mine),
                      "acquireLease(B) while A holds it: held, naming A's lease")
        t.clock.advance(by: 10.000_25)
        var extended = mine
        extended.expiresAt = t.clock.now.addingTimeInterval(leaseSeconds)
        t.expectEqual(try await store.acquireLease(leaseName, owner: "A", for: leaseSeconds), .acquired(extended),
                      "acquireLease(A) again: extended from the store's clock, acquiredAt kept")
        let other = try await t.must("acquireLease(other name, B)") { try await store.acquireLease("export", owner: "B", for: 5) }
        t.expectEqual(other.lease.owner, "B", "acquireLease(another name, B): an independent lease")
        t.expectEqual(try await store.lease(leaseName), extended, "lease(\(leaseName)) after B took another lease")
        t.expectEqual(try await store.releaseLease(leaseName, owner: "A"), true, "releaseLease(A) of A's lease")
        t.expectEqual(try await store.lease(leaseName), nil, "lease(\(leaseName)) after A released it")
        t.expectEqual(try await store.releaseLease(leaseName, owner: "A"), false, "releaseLease(A) again: nothing to release")
        t.expectEqual(try await store.lease("export"), other.lease, "lease(export) after the release of another lease")
    }

    /// 8 owners racing for a free lease: exactly one acquires it, every other is told it
    /// is held by the winner. Once it expired (the store's clock past `expiresAt`), 8 new
    /// owners race again: exactly one takes it over.
    static func leasesExclusiveUnderRace(_ t: CheckContext) async throws {
        let store = t.store
        for round in ["a free lease", "an expired lease"] {
            let owners = (0..<racers).map { "\(round == "a free lease" ? "first" : "second")-\($0)" }
            let results = await raceForLease(store, owners: owners)
            let winners = results.compactMap { if case .success(.acquired(let lease)) = $0.result { return lease } else { return nil } }
            guard winners.count == 1, let winner = winners.first else {
                t.fail("racing acquireLease for \(round) ×\(racers): expected exactly 1 winner, got \(winners.count) "
                    + "(\(winners.map(\.owner).joined(separator: ", ")))")
                throw CheckAborted()
            }
            for (owner, result) in results where owner != winner.owner {
                switch result {
                case .success(.held(let held)) where held == winner: continue
                case .success(let other):
                    t.fail("racing acquireLease for \(round): \(owner) got \(Difference.render(other)), expected .held(the winner's lease)")
                case .failure(let error):
                    t.fail("racing acquireLease for \(round): \(owner) expected success, got \(Difference.describe(error: error))")
                }
            }
            t.expectEqual(try await store.lease(leaseName), winner, "lease(\(leaseName)) after racing for \(round)")
            t.clock.advance(by: leaseSeconds)
        }
    }

    /// A lease is held until the store's clock reaches its `expiresAt` — a millisecond
    /// before, another owner is refused — and from then on another owner takes it over;
    /// the former owner then can neither renew it (`leaseNotHeld` naming the new holder)
    /// nor release it (false), and the new holder's lease is untouched.
    static func leasesExpiryTakeover(_ t: CheckContext) async throws {
        let store = t.store
        let first = try await t.must("acquireLease(A)") { try await store.acquireLease(leaseName, owner: "A", for: leaseSeconds) }
        t.clock.advance(by: leaseSeconds - 0.001)
        t.expectEqual(try await store.acquireLease(leaseName, owner: "B", for: leaseSeconds), .held(first.lease),
                      "acquireLease(B) a millisecond before A's lease expires")
        t.clock.advance(to: first.lease.expiresAt)
        let now = t.clock.now
        let taken = LeaseRecord(name: leaseName, owner: "B", acquiredAt: now, expiresAt: now.addingTimeInterval(leaseSeconds))
        t.expectEqual(try await store.acquireLease(leaseName, owner: "B", for: leaseSeconds), .acquired(taken),
                      "acquireLease(B) once A's lease expired: taken over, acquired now")
        await t.expectRefusal("renewLease(A) after B took the lease over", .leaseNotHeld(name: leaseName, owner: "A", holder: "B")) {
            try await store.renewLease(leaseName, owner: "A", for: leaseSeconds)
        }
        t.expectEqual(try await store.releaseLease(leaseName, owner: "A"), false, "releaseLease(A) after B took the lease over")
        t.expectEqual(try await store.lease(leaseName), taken, "lease(\(leaseName)) after A's renewal and release were refused")
    }

    /// Only the owner renews: another owner is refused with `leaseNotHeld` naming the
    /// holder (nothing changed), a lease nobody holds with `leaseNotHeld` and no holder.
    /// The owner's renewal extends from the store's clock and keeps `acquiredAt` — also
    /// after the lease expired, as long as nobody took it over.
    static func leasesRenewByOwnerOnly(_ t: CheckContext) async throws {
        let store = t.store
        await t.expectRefusal("renewLease(A) of a lease nobody holds", .leaseNotHeld(name: leaseName, owner: "A", holder: nil)) {
            try await store.renewLease(leaseName, owner: "A", for: leaseSeconds)
        }
        t.expectEqual(try await store.lease(leaseName), nil, "lease(\(leaseName)) after the refused renewal")
        let first = try await t.must("acquireLease(A)") { try await store.acquireLease(leaseName, owner: "A", for: leaseSeconds) }
        t.clock.advance(by: 20)
        await t.expectRefusal("renewLease(B) of A's lease", .leaseNotHeld(name: leaseName, owner: "B", holder: "A")) {
            try await store.renewLease(leaseName, owner: "B", for: leaseSeconds)
        }
        t.expectEqual(try await store.lease(leaseName), first.lease, "lease(\(leaseName)) after B's refused renewal")
        for (label, step) in [("while it runs", 0.0), ("after it expired, nobody having taken it", 45.5)] {
            t.clock.advance(by: step)
            var renewed = first.lease
            renewed.expiresAt = t.clock.now.addingTimeInterval(leaseSeconds)
            t.expectEqual(try await store.renewLease(leaseName, owner: "A", for: leaseSeconds), renewed,
                          "renewLease(A) \(label): extended from the store's clock, acquiredAt kept")
            t.expectEqual(try await store.lease(leaseName), renewed, "lease(\(leaseName)) after A renewed it \(label)")
        }
    }

    /// Only the owner releases: another owner's release returns false and leaves the lease
    /// as it was (expired or not); the owner's release frees it for anyone at once.
    static func leasesReleaseByOwnerOnly(_ t: CheckContext) async throws {
        let store = t.store
        let first = try await t.must("acquireLease(A)") { try await store.acquireLease(leaseName, owner: "A", for: leaseSeconds) }
        t.expectEqual(try await store.releaseLease(leaseName, owner: "B"), false, "releaseLease(B) of A's lease")
        t.expectEqual(try await store.lease(leaseName), first.lease, "lease(\(leaseName)) after B's release of A's lease")
        t.clock.advance(by: leaseSeconds + 1)
        t.expectEqual(try await store.releaseLease(leaseName, owner: "B"), false, "releaseLease(B) of A's expired lease")
        t.expectEqual(try await store.lease(leaseName), first.lease, "lease(\(leaseName)) after B's release of A's expired lease")
        t.expectEqual(try await store.releaseLease(leaseName, owner: "A"), true, "releaseLease(A)")
        let now = t.clock.now
        t.expectEqual(try await store.acquireLease(leaseName, owner: "B", for: leaseSeconds),
                      .acquired(LeaseRecord(name: leaseName, owner: "B", acquiredAt: now, expiresAt: now.addingTimeInterval(leaseSeconds))),
                      "acquireLease(B) right after A released it")
    }

    /// A firing is claimed once: the first claim of (trigger, instant) wins, stamped with
    /// the store's clock; a second claim of it, or of an earlier instant, is `taken` with
    /// the standing claim; a later instant is claimed again; triggers are independent; an
    /// unknown trigger is refused with `notFound`; a deleted trigger's claim goes with it.
    static func firingClaimsOnce(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let trigger = Fixture.intervalTrigger(1, of: pipeline.id, createdAt: Fixture.date(800))
        let other = Fixture.intervalTrigger(2, of: pipeline.id, createdAt: Fixture.date(801))
        for record in [trigger, other] { try await t.must("insertTrigger(\(record.id))") { try await store.insertTrigger(record) } }
        let instant = Fixture.date(3_600.000_5)
        let claim = FiringClaimRecord(triggerID: trigger.id, scheduledAt: instant, owner: "A", claimedAt: t.clock.now)
        t.expectEqual(try await store.claimFiring(trigger: trigger.id, scheduledAt: instant, owner: "A"), .claimed(claim),
                      "claimFiring(trigger 1 at T, A): claimed, stamped with the store's clock")
        t.clock.advance(by: 1)
        t.expectEqual(try await store.claimFiring(trigger: trigger.id, scheduledAt: instant, owner: "B"), .taken(claim),
                      "claimFiring(trigger 1 at T, B) after A claimed it: taken, naming A's claim")
        t.expectEqual(try await store.claimFiring(trigger: trigger.id, scheduledAt: instant.addingTimeInterval(-60), owner: "B"),
                      .taken(claim), "claimFiring(trigger 1 at T − 60 s, B): an earlier firing is taken too")
        t.expectEqual(try await store.claimFiring(trigger: other.id, scheduledAt: instant, owner: "B"),
                      .claimed(FiringClaimRecord(triggerID: other.id, scheduledAt: instant, owner: "B", claimedAt: t.clock.now)),
                      "claimFiring(trigger 2 at T, B): another trigger's firing is its own")
        let later = FiringClaimRecord(triggerID: trigger.id, scheduledAt: instant.addingTimeInterval(60), owner: "B",
                                      claimedAt: t.clock.now)
        t.expectEqual(try await store.claimFiring(trigger: trigger.id, scheduledAt: later.scheduledAt, owner: "B"), .claimed(later),
                      "claimFiring(trigger 1 at T + 60 s, B): the next firing is claimed")
        let unknown = Fixture.triggerID(99)
        await t.expectRefusal("claimFiring(an unknown trigger)", .notFound(id: unknown.rawValue)) {
            try await store.claimFiring(trigger: unknown, scheduledAt: instant, owner: "A")
        }
        try await t.must("deleteTrigger(trigger 1)") { try await store.deleteTrigger(trigger.id) }
        try await t.must("insertTrigger(trigger 1 again)") { try await store.insertTrigger(trigger) }
        t.expectEqual(try await store.claimFiring(trigger: trigger.id, scheduledAt: instant, owner: "C"),
                      .claimed(FiringClaimRecord(triggerID: trigger.id, scheduledAt: instant, owner: "C", claimedAt: t.clock.now)),
                      "claimFiring(trigger 1 at T, C) after the trigger was deleted and inserted again: its claims went with it")
    }

    /// How many successive firings the claim race covers.
    static let racedFirings = 5

    /// 8 schedulers racing to claim each of 5 successive firings of one trigger: each
    /// firing is claimed exactly once, and every loser is told the firing is taken.
    static func firingClaimsRace(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let trigger = Fixture.intervalTrigger(1, of: pipeline.id, createdAt: Fixture.date(800))
        try await t.must("insertTrigger(trigger 1)") { try await store.insertTrigger(trigger) }
        for firing in 0..<racedFirings {
            let instant = Fixture.date(3_600 + 60 * Double(firing))
            let gate = StartingGate(count: racers)
            let results = await withTaskGroup(of: Result<FiringClaim, any Error>.self) { group in
                for racer in 0..<racers {
                    group.addTask {
                        await gate.arrive()
                        do {
                            return .success(try await store.claimFiring(trigger: trigger.id, scheduledAt: instant, owner: "scheduler \(racer)"))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                var results: [Result<FiringClaim, any Error>] = []
                for await result in group { results.append(result) }
                return results
            }
            var claimed = 0
            for result in results {
                switch result {
                case .success(.claimed(let claim)) where claim.scheduledAt == instant: claimed += 1
                case .success(.taken(let claim)) where claim.scheduledAt == instant: continue
                case .success(let other):
                    t.fail("racing claimFiring(firing \(firing)): got \(Difference.render(other)), expected a claim of this firing")
                case .failure(let error):
                    t.fail("racing claimFiring(firing \(firing)): expected success, got \(Difference.describe(error: error))")
                }
            }
            t.expectEqual(claimed, 1, "racing claimFiring(firing \(firing)) ×\(racers): schedulers that claimed it")
        }
    }

    /// Starts one task per owner, released together, each acquiring the checks' lease.
    private static func raceForLease(
        _ store: any PipelineStorage, owners: [String]
    ) async -> [(owner: String, result: Result<LeaseAcquisition, any Error>)] {
        let gate = StartingGate(count: owners.count)
        return await withTaskGroup(of: (String, Result<LeaseAcquisition, any Error>).self) { group in
            for owner in owners {
                group.addTask {
                    await gate.arrive()
                    do {
                        return (owner, .success(try await store.acquireLease(leaseName, owner: owner, for: leaseSeconds)))
                    } catch {
                        return (owner, .failure(error))
                    }
                }
            }
            var results: [(owner: String, result: Result<LeaseAcquisition, any Error>)] = []
            for await (owner, result) in group { results.append((owner, result)) }
            return results
        }
    }
}
