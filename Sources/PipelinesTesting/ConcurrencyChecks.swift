import Foundation
import Pipelines

// Concurrent compare-and-swaps: the one-deployed invariant under contention.
extension StorageConformance {
    /// How many tasks race.
    static let racers = 8
    /// How many read-then-swap rounds each task of the chain check runs.
    static let roundsPerRacer = 50

    /// Three races of 8 tasks swapping from the same `expected` (nil, then the first
    /// winner — deploying, then undeploying): each time exactly one wins, the others get
    /// `deploymentConflict` naming the winner's model as found, and the history grows
    /// by exactly one record.
    static func deploymentRaceOneWinner(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let scope = DeploymentScope.pipeline(pipeline.id)
        for number in 1...(2 * racers) {
            try await addModel(t, Fixture.model(number, of: pipeline), artifact: Fixture.artifact(number))
        }
        let rounds: [(label: String, candidates: [ModelID?])] = [
            ("models 1…\(racers), expecting: nil", (1...racers).map { Fixture.modelID($0) }),
            ("models \(racers + 1)…\(2 * racers), expecting: the first winner",
             ((racers + 1)...(2 * racers)).map { Fixture.modelID($0) }),
            ("nil ×\(racers), expecting: the second winner", Array(repeating: nil, count: racers)),
        ]
        for (index, round) in rounds.enumerated() {
            let expected = try await store.deployment(in: scope)?.modelID
            let results = await race(store, scope: scope, candidates: round.candidates, expecting: expected)
            let winners = results.compactMap { try? $0.result.get() }
            guard winners.count == 1, let winner = winners.first else {
                t.fail("racing deploy(\(round.label)): expected exactly 1 winner, got \(winners.count) "
                    + "(\(winners.map { Difference.render($0.modelID) }.joined(separator: ", ")))")
                throw CheckAborted()
            }
            t.expect(round.candidates.contains(winner.modelID) && winner.previousModelID == expected,
                     "racing deploy(\(round.label)): the winner's record \(Difference.render(winner)) should replace "
                        + "\(Difference.render(expected)) by one of the candidates")
            for (candidate, result) in results {
                guard case .failure(let error) = result else { continue }
                let conflict = ExpectedRefusal.deploymentConflict(scope: scope, expected: expected, found: winner.modelID)
                if let storeError = error as? StoreError, conflict.matches(storeError) { continue }
                t.fail("racing deploy(\(round.label)): the loser deploying \(Difference.render(candidate)) expected \(conflict), "
                    + "got \(Difference.describe(error: error))")
            }
            let history = try await store.deploymentHistory(in: scope)
            t.expectEqual(history.count, index + 1, "deploymentHistory(in:) count after racing deploy(\(round.label))")
            t.expectEqual(history.last, winner, "deploymentHistory(in:) last record after racing deploy(\(round.label))")
            t.expectEqual(try await store.deployment(in: scope), winner, "deployment(in:) after racing deploy(\(round.label))")
        }
    }

    /// 8 tasks each run 50 rounds of "read the current model, swap it for one of mine":
    /// every swap either succeeds — its record replacing exactly the model it read — or
    /// is refused with `deploymentConflict`; the history gains one record per success,
    /// each record's `previousModelID` is the prior record's `modelID`, and the latest
    /// record is the scope's deployment.
    static func deploymentConcurrentSwapChain(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let scope = DeploymentScope.pipeline(pipeline.id)
        for number in 1...(2 * racers) {
            try await addModel(t, Fixture.model(number, of: pipeline), artifact: Fixture.artifact(number))
        }
        let seed = try await t.must("deploy(model 1, expecting: nil)") {
            try await store.deploy(Fixture.modelID(1), in: scope, expecting: nil)
        }
        let tallies = await withTaskGroup(of: SwapTally.self) { group in
            for racer in 0..<racers {
                let mine = (Fixture.modelID(2 * racer + 1), Fixture.modelID(2 * racer + 2))
                group.addTask { await swapRounds(store, scope: scope, mine: mine) }
            }
            var tallies: [SwapTally] = []
            for await tally in group { tallies.append(tally) }
            return tallies
        }
        let successes = tallies.flatMap(\.successes)
        let conflicts = tallies.reduce(0) { $0 + $1.conflicts }
        let problems = tallies.flatMap(\.problems)
        for problem in problems.prefix(5) { t.fail(problem) }
        if problems.count > 5 { t.fail("… and \(problems.count - 5) more such problem(s) during the concurrent swaps") }
        t.expectEqual(successes.count + conflicts, racers * roundsPerRacer, "successful plus conflicting swaps")
        t.expect(!successes.isEmpty, "concurrent swaps: expected at least one success, got none")

        let history = try await store.deploymentHistory(in: scope)
        t.expectEqual(history.count, 1 + successes.count, "deploymentHistory(in:) count (1 + one record per successful swap)")
        t.expectEqual(history.first, seed, "deploymentHistory(in:) first record (the initial deployment)")
        let broken = history.indices.dropFirst().filter { history[$0].previousModelID != history[$0 - 1].modelID }
        if let index = broken.first {
            t.fail("deploymentHistory(in:): \(broken.count) record(s) break the chain; the first, record \(index), has "
                + "previousModelID \(Difference.render(history[index].previousModelID)) but the prior record deployed "
                + "\(Difference.render(history[index - 1].modelID))")
        }
        let recorded = Dictionary(history.dropFirst().map { ($0, 1) }, uniquingKeysWith: +)
        let returned = Dictionary(successes.map { ($0, 1) }, uniquingKeysWith: +)
        t.expect(recorded == returned, "deploymentHistory(in:) after the seed should hold exactly the records the "
            + "successful swaps returned: \(history.count - 1) recorded, \(successes.count) returned")
        t.expectEqual(try await store.deployment(in: scope), history.last, "deployment(in:): the latest history record")
    }

    /// What one task of the chain check saw.
    struct SwapTally: Sendable {
        var successes: [DeploymentRecord] = []
        var conflicts = 0
        var problems: [String] = []
    }

    /// One racer of the chain check: reads the current model, then swaps it for one of
    /// its own two (the one not deployed), `roundsPerRacer` times.
    private static func swapRounds(_ store: any PipelineStorage, scope: DeploymentScope,
                                   mine: (ModelID, ModelID)) async -> SwapTally {
        var tally = SwapTally()
        for _ in 0..<roundsPerRacer {
            let current: ModelID?
            do {
                current = try await store.deployment(in: scope)?.modelID
            } catch {
                tally.problems.append("deployment(in:) during the concurrent swaps: expected success, "
                    + "got \(Difference.describe(error: error))")
                continue
            }
            let next = current == mine.0 ? mine.1 : mine.0
            do {
                let record = try await store.deploy(next, in: scope, expecting: current)
                tally.successes.append(record)
                if record.modelID != next || record.previousModelID != current {
                    tally.problems.append("deploy(\(next), expecting: \(Difference.render(current))) succeeded but returned "
                        + "\(Difference.render(record)): a successful swap must replace exactly the expected model")
                }
            } catch let error as StoreError {
                if case .deploymentConflict(_, let expected, let found) = error, expected == current, found != current {
                    tally.conflicts += 1
                } else {
                    tally.problems.append("deploy(\(next), expecting: \(Difference.render(current))) during the concurrent swaps: "
                        + "expected success or a deploymentConflict with found ≠ expected, got \(Difference.describe(error: error))")
                }
            } catch {
                tally.problems.append("deploy during the concurrent swaps: expected success or a deploymentConflict, "
                    + "got \(Difference.describe(error: error))")
            }
            await Task.yield()
        }
        return tally
    }

    /// Starts one task per candidate, released together, each deploying its candidate
    /// expecting `expected`; returns each candidate with its result.
    private static func race(_ store: any PipelineStorage, scope: DeploymentScope, candidates: [ModelID?],
                             expecting expected: ModelID?) async -> [(candidate: ModelID?, result: Result<DeploymentRecord, any Error>)] {
        let gate = StartingGate(count: candidates.count)
        return await withTaskGroup(of: (ModelID?, Result<DeploymentRecord, any Error>).self) { group in
            for candidate in candidates {
                group.addTask {
                    await gate.arrive()
                    do {
                        return (candidate, .success(try await store.deploy(candidate, in: scope, expecting: expected)))
                    } catch {
                        return (candidate, .failure(error))
                    }
                }
            }
            var results: [(candidate: ModelID?, result: Result<DeploymentRecord, any Error>)] = []
            for await (candidate, result) in group { results.append((candidate, result)) }
            return results
        }
    }
}

/// Holds tasks until `count` have arrived, then releases them all at once.
private actor StartingGate {
    private let count: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { self.count = count }

    func arrive() async {
        if waiting.count + 1 >= count {
            for waiter in waiting { waiter.resume() }
            waiting = []
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}
