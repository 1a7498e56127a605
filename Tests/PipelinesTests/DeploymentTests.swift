import Foundation
import Pipelines
import Tabular
import Testing

@Suite("Deployment: history and rollback, model events, concurrent deployers and predictions")
struct DeploymentTests {
    @Test("deployment history answers which model was deployed at a time, and rollback undoes a switch")
    func historyAndRollback() async throws {
        let setup = try await PopulatedWorkspace()
        let clock = setup.clock
        clock.advance(by: 60)
        let again = try await setup.first.run(jobs: [.training]).result()
        try #require(again.status == .succeeded, "\(again.outcomes)")
        let models = try await setup.first.models()
        try #require(models.count == 2)
        let (a, b) = (models[0].id, models[1].id)
        let deployment = setup.first.deployment
        let t0 = clock.now
        try await deployment.deploy(a, ifCurrent: nil)
        clock.advance(by: 100)
        let t1 = clock.now
        try await deployment.deploy(b, ifCurrent: a)
        clock.advance(by: 100)
        #expect(try await deployment.model(at: t0.addingTimeInterval(-1)) == nil)
        #expect(try await deployment.model(at: t0.addingTimeInterval(50)) == a)
        #expect(try await deployment.model(at: t1.addingTimeInterval(50)) == b)
        let rolled = try await deployment.rollback()
        #expect(rolled.modelID == a)
        #expect(rolled.previousModelID == b)
        #expect(try await deployment.current()?.id == a)
        #expect(try await deployment.history().map(\.modelID) == [a, b, a])
        let empty = try await setup.first.repository().createPipeline(named: "empty")
        await #expect(throws: PipelineError.nothingToRollBack(.pipeline(empty.id))) { try await empty.deployment.rollback() }
    }

    @Test("events: saved, scored, deployed, erased")
    func events() async throws {
        let setup = try await PopulatedWorkspace()
        let stream = setup.workspace.registry.events()
        let collector = Task {
            await withDeadline(seconds: 10) {
                var seen: [String] = []
                for await event in stream {
                    switch event {
                    case .saved: seen.append("saved")
                    case .scored: seen.append("scored")
                    case .rejected: seen.append("rejected")
                    case .deployed: seen.append("deployed")
                    case .erased: seen.append("erased")
                    }
                    if seen.count == 5 { break }
                }
                return seen
            }
        }
        let run = try await setup.first.run(jobs: [.training, .testing]).result()
        #expect(run.status == .succeeded, "\(run.outcomes)")
        let newest = try #require(try await setup.first.models().last)
        try await setup.first.deployment.deploy(newest.id, ifCurrent: nil)
        let oldest = try #require(try await setup.first.models().first)
        try await setup.workspace.registry.erase(oldest.id)
        let seen = await collector.value
        #expect(seen != nil, "the five events did not all arrive within 10 s")
        #expect(seen == ["saved", "scored", "scored", "deployed", "erased"])
    }

    /// `history` chains: each record replaced the model of the record before it, and no
    /// record "replaces" a model by itself.
    static func chainProblems(_ history: [DeploymentRecord]) -> [String] {
        var problems: [String] = []
        for (index, record) in history.enumerated() {
            let before = index == 0 ? nil : history[index - 1].modelID
            if record.previousModelID != before {
                problems.append("record \(index) says it replaced \(record.previousModelID?.rawValue ?? "none"), "
                    + "but \(before?.rawValue ?? "none") was deployed")
            }
            if record.modelID == record.previousModelID { problems.append("record \(index) replaced a model by itself") }
        }
        return problems
    }

    @Test("concurrent deployers: one compare-and-swap wins, swaps all succeed and chain, predictions always come from one whole model")
    func concurrentDeployAndPredict() async throws {
        let setup = try await PopulatedWorkspace()
        // A second model that predicts differently from the first: a heavily regularised Ridge.
        try await setup.first.configure { $0.tuning["alpha"] = .single(1_000.0) }
        setup.clock.advance(by: 60)
        let again = try await setup.first.run(jobs: [.training]).result()
        try #require(again.status == .succeeded, "\(again.outcomes)")
        let ids = try await setup.first.models().map(\.id)
        try #require(ids.count == 2)
        let deployment = setup.first.deployment
        let scope = deployment.scope

        // Each model's own answer on the probe, read from the model itself.
        let probe: [[String: Value]] = [["x": 1.0], ["x": 17.0]]
        let probeTable = try Table([Column(name: "x", numeric: [1, 17])])
        var answers: [ModelID: [Value]] = [:]
        for id in ids { answers[id] = try await setup.workspace.registry.loadedModel(id).predict(probeTable).values }
        let reference = answers
        try #require(reference[ids[0]] != reference[ids[1]], "the two models must be told apart by their predictions")

        // 1. Eight compare-and-swaps from "nothing deployed": exactly one wins, the others conflict.
        let racers = await withTaskGroup(of: Result<DeploymentRecord, PipelineError>.self) { group in
            for index in 0..<8 {
                let candidate = ids[index % 2]
                group.addTask {
                    do throws(PipelineError) {
                        return .success(try await deployment.deploy(candidate, ifCurrent: nil).record)
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: [Result<DeploymentRecord, PipelineError>]()) { $0.append($1) }
        }
        let winners = racers.compactMap { result -> DeploymentRecord? in
            if case .success(let record) = result { return record }
            return nil
        }
        try #require(winners.count == 1, "\(winners.count) compare-and-swaps from nothing won")
        let winner = winners[0]
        #expect(winner.previousModelID == nil)
        for case .failure(let error) in racers {
            #expect(error == .store(.deploymentConflict(scope: scope, expected: nil, found: winner.modelID)))
        }
        #expect(try await deployment.history() == [winner])

        // 2. Eight plain swaps: every one succeeds, and the history chains.
        let swaps = await withTaskGroup(of: String?.self) { group in
            for index in 0..<8 {
                let candidate = ids[index % 2]
                group.addTask {
                    do {
                        let record = try await deployment.deploy(candidate)
                        return record.modelID == candidate ? nil : "a swap to \(candidate) answered \(record)"
                    } catch {
                        return "a swap to \(candidate) failed: \(error)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { if let problem = $1 { $0.append(problem) } }
        }
        #expect(swaps.isEmpty, "\(swaps)")
        let afterSwaps = try await deployment.history()
        #expect(Self.chainProblems(afterSwaps).isEmpty, "\(Self.chainProblems(afterSwaps))")
        #expect((1...9).contains(afterSwaps.count))
        #expect(try await deployment.current()?.id == afterSwaps.last?.modelID)

        // 3. One task redeploys 50 times while four predict: every prediction is one model's own.
        let problems = await withTaskGroup(of: [String].self) { group in
            group.addTask {
                var problems: [String] = []
                for round in 0..<50 {
                    do {
                        let current = try await deployment.current()?.id
                        let next = current == ids[0] ? ids[1] : ids[0]
                        try await deployment.deploy(next, ifCurrent: current)
                    } catch {
                        problems.append("redeploy \(round) failed: \(error)")
                    }
                }
                return problems
            }
            for predictor in 0..<4 {
                group.addTask {
                    var problems: [String] = []
                    for call in 0..<100 {
                        do {
                            let predictions = try await deployment.predict(probe)
                            guard let expected = reference[predictions.modelID] else {
                                problems.append("predictor \(predictor), call \(call): model \(predictions.modelID) was never deployed")
                                continue
                            }
                            if predictions.values != expected {
                                problems.append("predictor \(predictor), call \(call): \(predictions.values) is not what "
                                    + "\(predictions.modelID) predicts (\(expected))")
                            }
                        } catch {
                            problems.append("predictor \(predictor), call \(call) failed: \(error)")
                        }
                    }
                    return problems
                }
            }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        let final = try await deployment.history()
        #expect(final.count == afterSwaps.count + 50)
        #expect(Self.chainProblems(final).isEmpty, "\(Self.chainProblems(final))")
    }
}
