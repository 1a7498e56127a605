import Foundation
import Pipelines

// Concurrent deployment swaps: the one-deployed invariant under contention.
extension StorageConformance {
    /// How many tasks race.
    static let racers = 8
    /// How many read-then-swap rounds each task of the chain check runs.
    static let roundsPerRacer = 50

    /// Three races of 8 tasks swapping by `.current(x)` from the same `x` (nil, then the
    /// first winner — deploying, then undeploying): each time exactly one wins (`changed`,
    /// its record replacing `x`), the others get `deploymentConflict` naming the winner's
    /// model as found, and the history grows by exactly one record.
    static func deploymentRaceOneWinner(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let scope = DeploymentScope.pipeline(pipeline.id)
        for number in 1...(2 * racers) {
            try await addModel(t, Fixture.model(number, of: pipeline), artifact: Fixture.artifact(number))
        }
        let rounds: [(label: String, candidates: [ModelID?])] = [
            ("models 1…\(racers), expecting: .current(nil)", (1...racers).map { Fixture.modelID($0) }),
            ("models \(racers + 1)…\(2 * racers), expecting: .current(the first winner)",
             ((racers + 1)...(2 * racers)).map { Fixture.modelID($0) }),
            ("nil ×\(racers), expecting: .current(the second winner)", Array(repeating: nil, count: racers)),
        ]
        for (index, round) in rounds.enumerated() {
            let expected = try await store.deployment(in: scope)?.modelID
            let results = await race(store, scope: scope, candidates: round.candidates, expecting: expected)
            let swaps = results.compactMap { try? $0.result.get() }
            guard swaps.count == 1, let swap = swaps.first else {
                t.fail("racing swapDeployment(\(round.label)): expected exactly 1 winner, got \(swaps.count) "
                    + "(\(swaps.map { Difference.render($0.record?.modelID) }.joined(separator: ", ")))")
                throw CheckAborted()
            }
            let winner = try t.require(swap.record, "racing swapDeployment(\(round.label)): the winner's record")
            t.expect(swap.changed && round.candidates.contains(winner.modelID) && winner.previousModelID == expected,
                     "racing swapDeployment(\(round.label)): the winner's swap \(Difference.render(swap)) should replace "
                        + "\(Difference.render(expected)) by one of the candidates")
            for (candidate, result) in results {
                guard case .failure(let error) = result else { continue }
                let conflict = ExpectedRefusal.deploymentConflict(scope: scope, expected: expected, found: winner.modelID)
                if let storeError = error as? StoreError, conflict.matches(storeError) { continue }
                t.fail("racing swapDeployment(\(round.label)): the loser deploying \(Difference.render(candidate)) expected \(conflict), "
                    + "got \(Difference.describe(error: error))")
            }
            let history = try await store.deploymentHistory(in: scope)
            t.expectEqual(history.count, index + 1, "deploymentHistory(in:) count after racing swapDeployment(\(round.label))")
            t.expectEqual(history.last, winner, "deploymentHistory(in:) last record after racing swapDeployment(\(round.label))")
            t.expectEqual(try await store.deployment(in: scope), winner,
                          "deployment(in:) after racing swapDeployment(\(round.label))")
        }
    }

    /// 8 tasks each run 50 rounds of "read the current model, swap it for one of mine by
    /// `.current(what I read)`":
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
        let seed = try await deploy(t, Fixture.modelID(1), in: scope, expecting: .current(nil), "to: model 1, expecting: .current(nil)")
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
        expectChained(history, holding: successes, what: "successful swaps", t)
        t.expectEqual(try await store.deployment(in: scope), history.last, "deployment(in:): the latest history record")
    }

    /// How many `.anyModel` swaps each task of the unconditional race makes.
    static let anyModelRounds = 10

    /// 8 tasks each make 10 `.anyModel` swaps, alternating between their own two models,
    /// while another task keeps reading: every swap succeeds and changes the scope (its
    /// record names its model and, as previous, the model really replaced — never nil nor
    /// the model itself), the history gains exactly one record per swap, chained (each
    /// `previousModelID` is the prior record's `modelID`) and holding exactly the records
    /// returned; every read during the race finds exactly one model deployed
    /// (`deployment(in:)` names one; `countModels` and `models(matching:)` with
    /// `deployedOnly` find one), and so does a read afterwards: the last record's model.
    static func deploymentRaceAnyModel(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let scope = DeploymentScope.pipeline(pipeline.id)
        for number in 1...(2 * racers + 1) {
            try await addModel(t, Fixture.model(number, of: pipeline), artifact: Fixture.artifact(number))
        }
        let seed = try await deploy(t, Fixture.modelID(2 * racers + 1), in: scope, expecting: .anyModel, "the seed model")
        let progress = RaceProgress()
        async let watched = watchDeployment(store, scope: scope, pipeline: pipeline.id, until: racers, progress)
        let tallies = await withTaskGroup(of: SwapTally.self) { group in
            for racer in 0..<racers {
                let mine = (Fixture.modelID(2 * racer + 1), Fixture.modelID(2 * racer + 2))
                group.addTask {
                    let tally = await anyModelSwaps(store, scope: scope, mine: mine)
                    await progress.finish()
                    return tally
                }
            }
            var tallies: [SwapTally] = []
            for await tally in group { tallies.append(tally) }
            return tallies
        }
        let (reads, readProblems) = await watched
        let problems = tallies.flatMap(\.problems) + readProblems
        for problem in problems.prefix(5) { t.fail(problem) }
        if problems.count > 5 { t.fail("… and \(problems.count - 5) more such problem(s) during the .anyModel race") }
        t.expect(reads > 0, "reads during the .anyModel race: expected at least one, got none")
        let successes = tallies.flatMap(\.successes)
        t.expectEqual(successes.count, racers * anyModelRounds, "successful .anyModel swaps (every one must succeed)")

        let history = try await store.deploymentHistory(in: scope)
        t.expectEqual(history.count, 1 + racers * anyModelRounds, "deploymentHistory(in:) count (the seed + one record per swap)")
        t.expectEqual(history.first, seed, "deploymentHistory(in:) first record (the seed)")
        expectChained(history, holding: successes, what: ".anyModel swaps", t)
        t.expectEqual(try await store.deployment(in: scope), history.last, "deployment(in:): the latest history record")
        let deployedOnly = ModelFilter(pipelineID: pipeline.id, deployedOnly: true)
        t.expectEqual(try await store.models(matching: deployedOnly).map(\.id), history.last?.modelID.map { [$0] } ?? [],
                      "models(matching: pipeline, deployedOnly) after the .anyModel race")
    }

    /// One racer of the `.anyModel` race: swaps to its two models in turn, so each swap
    /// replaces a model other than its target.
    private static func anyModelSwaps(_ store: any PipelineStorage, scope: DeploymentScope,
                                      mine: (ModelID, ModelID)) async -> SwapTally {
        var tally = SwapTally()
        for round in 0..<anyModelRounds {
            let next = round.isMultiple(of: 2) ? mine.0 : mine.1
            do {
                let swap = try await store.swapDeployment(in: scope, to: next, expecting: .anyModel)
                guard let record = swap.record, swap.changed, record.modelID == next,
                      let previous = record.previousModelID, previous != next else {
                    tally.problems.append("swapDeployment(to: \(next), expecting: .anyModel) during the race returned "
                        + "\(Difference.render(swap)): expected a change, recording the model replaced")
                    continue
                }
                tally.successes.append(record)
            } catch {
                tally.problems.append("swapDeployment(to: \(next), expecting: .anyModel) during the race: expected success, "
                    + "got \(Difference.describe(error: error))")
            }
            await Task.yield()
        }
        return tally
    }

    /// Reads the scope's deployment until `racers` racers have finished (and once more):
    /// returns how many rounds of reads it made and what was wrong.
    private static func watchDeployment(_ store: any PipelineStorage, scope: DeploymentScope, pipeline: PipelineID,
                                        until racers: Int, _ progress: RaceProgress) async -> (Int, [String]) {
        let deployedOnly = ModelFilter(pipelineID: pipeline, deployedOnly: true)
        var (reads, problems) = (0, [String]())
        var last = false
        while !last {
            last = await progress.finished >= racers
            do {
                let current = try await store.deployment(in: scope)?.modelID
                let counted = try await store.countModels(matching: deployedOnly)
                let listed = try await store.models(matching: deployedOnly)
                if current == nil || counted != 1 || listed.count != 1 {
                    problems.append("a read during the .anyModel race found deployment(in:) \(Difference.render(current)), "
                        + "countModels(deployedOnly) \(counted), models(deployedOnly) \(listed.map(\.id)): "
                        + "expected exactly one model deployed at every read")
                }
            } catch {
                problems.append("a read during the .anyModel race: expected success, got \(Difference.describe(error: error))")
            }
            reads += 1
            await Task.yield()
        }
        return (reads, problems)
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
                let swap = try await store.swapDeployment(in: scope, to: next, expecting: .current(current))
                guard let record = swap.record, swap.changed, record.modelID == next, record.previousModelID == current else {
                    tally.problems.append("swapDeployment(to: \(next), expecting: .current(\(Difference.render(current)))) succeeded "
                        + "but returned \(Difference.render(swap)): a successful swap must append a record replacing exactly "
                        + "the expected model")
                    continue
                }
                tally.successes.append(record)
            } catch let error as StoreError {
                if case .deploymentConflict(_, let expected, let found) = error, expected == current, found != current {
                    tally.conflicts += 1
                } else {
                    tally.problems.append("swapDeployment(to: \(next), expecting: .current(\(Difference.render(current)))) "
                        + "during the concurrent swaps: "
                        + "expected success or a deploymentConflict with found ≠ expected, got \(Difference.describe(error: error))")
                }
            } catch {
                tally.problems.append("swapDeployment during the concurrent swaps: expected success or a deploymentConflict, "
                    + "got \(Difference.describe(error: error))")
            }
            await Task.yield()
        }
        return tally
    }

    /// Starts one task per candidate, released together, each swapping to its candidate by
    /// `.current(expected)`; returns each candidate with its result.
    private static func race(_ store: any PipelineStorage, scope: DeploymentScope, candidates: [ModelID?],
                             expecting expected: ModelID?) async -> [(candidate: ModelID?, result: Result<DeploymentSwap, any Error>)] {
        let gate = StartingGate(count: candidates.count)
        return await withTaskGroup(of: (ModelID?, Result<DeploymentSwap, any Error>).self) { group in
            for candidate in candidates {
                group.addTask {
                    await gate.arrive()
                    do {
                        return (candidate, .success(try await store.swapDeployment(in: scope, to: candidate,
                                                                                     expecting: .current(expected))))
                    } catch {
                        return (candidate, .failure(error))
                    }
                }
            }
            var results: [(candidate: ModelID?, result: Result<DeploymentSwap, any Error>)] = []
            for await (candidate, result) in group { results.append((candidate, result)) }
            return results
        }
    }
}

/// Counts the racers that have finished.
private actor RaceProgress {
    private(set) var finished = 0

    func finish() { finished += 1 }
}

/// Holds tasks until `count` have arrived, then releases them all at once.
actor StartingGate {
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

/// Checks that every record after the seed replaces the model of the record before it,
/// and that the records after the seed are exactly the ones the swaps returned.
private func expectChained(
    _ history: [DeploymentRecord], holding successes: [DeploymentRecord], what: String, _ t: CheckContext
) {
    let broken = history.indices.dropFirst().filter { history[$0].previousModelID != history[$0 - 1].modelID }
    if let index = broken.first {
        t.fail("deploymentHistory(in:): \(broken.count) record(s) break the chain; the first, record \(index), has "
            + "previousModelID \(Difference.render(history[index].previousModelID)) but the prior record deployed "
            + "\(Difference.render(history[index - 1].modelID))")
    }
    let recorded = Dictionary(history.dropFirst().map { ($0, 1) }, uniquingKeysWith: +)
    let returned = Dictionary(successes.map { ($0, 1) }, uniquingKeysWith: +)
    t.expect(recorded == returned, "deploymentHistory(in:) after the seed should hold exactly the records the "
        + "\(what) returned: \(history.count - 1) recorded, \(successes.count) returned")
}
