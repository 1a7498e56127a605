import Foundation
import Hummingbird
import HummingbirdTesting
import Pipelines
import PipelinesServer
import Synchronization
import Testing

@Suite("Serving: live deployment changes while requests are in flight")
struct LiveDeploymentTests {
    /// One deploy: the model, when the call started and returned, and whether it came from
    /// the second workspace (another process: the server may keep answering with the model
    /// before it for up to its refresh interval).
    struct Deploy: Sendable {
        var model: ModelID
        var started: ContinuousClock.Instant
        var finished: ContinuousClock.Instant
        var elsewhere: Bool
    }

    /// One answer: the model it named and when its request was sent and answered.
    struct Served: Sendable {
        var model: String
        var version: Int
        var sent: ContinuousClock.Instant
        var answered: ContinuousClock.Instant
    }

    @Test("every answer names a model deployed at some moment during its request; every deploy is served within the refresh interval (< 1 s)")
    func concurrentRequestsAcrossDeploys() async throws {
        let served = try await ServedStore(classifierModels: 4)
        let models = served.classifierModels
        var versions: [String: Int] = [:]
        for model in models { versions[model.rawValue] = try await served.workspace.registry.model(model).version }
        // Another process: a second workspace over the same store object.
        let other = Workspace(store: served.store)
        let otherDeployment = try await other.pipeline(served.classifier.id).deployment

        let answers = Shared<[Served]>([])
        let stop = StopFlag()
        let body = #"{"records": [{"x": 12, "color": "red"}, {"x": 44, "color": "blue"}]}"#
        let deployed = Shared([Deploy(model: models[0], started: .now - .seconds(3600), finished: .now, elsewhere: false)])

        try await served.application().test(.router) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        while !stop.isSet {
                            let sent = ContinuousClock.now
                            let answer = try await client.predict("churn", token: served.churnToken, body: body)
                            let answered = ContinuousClock.now
                            guard answer.status == .ok, case .string(let model)? = try JSON.parse(answer.body)["model"]?["id"],
                                  case .number(let version)? = try JSON.parse(answer.body)["model"]?["version"]
                            else {
                                Issue.record("unexpected answer \(answer.status): \(answer.body)")
                                return
                            }
                            answers.withLock { $0.append(Served(model: model, version: Int(version), sent: sent, answered: answered)) }
                        }
                    }
                }
                // Deploy a series of models, alternating this workspace and the other one,
                // each time waiting (with a deadline) until the server answers with it.
                let series = [models[1], models[2], models[3], models[0], models[2], models[1]]
                for (index, model) in series.enumerated() {
                    let elsewhere = index % 2 == 1
                    let started = ContinuousClock.now
                    if elsewhere {
                        try await otherDeployment.deploy(model)
                    } else {
                        try await served.classifier.deployment.deploy(model)
                    }
                    let finished = ContinuousClock.now
                    deployed.withLock { $0.append(Deploy(model: model, started: started, finished: finished, elsewhere: elsewhere)) }
                    // Wait until an answer names it (the deadline only bounds a broken server:
                    // the timing guarantee is checked on the answers below, whatever the load).
                    let deadline = finished + .seconds(30)
                    var seen = false
                    while ContinuousClock.now < deadline {
                        if answers.withLock({ list in list.contains { $0.model == model.rawValue && $0.sent >= finished } }) {
                            seen = true
                            break
                        }
                        await Task.yield()
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    #expect(seen, "deploy \(index) of \(model) (elsewhere: \(elsewhere)) was never served")
                }
                stop.set()
                try await group.waitForAll()
            }
        }

        let all = answers.withLock { $0 }
        let deploys = deployed.withLock { $0 }
        #expect(all.count > deploys.count)
        for answer in all {
            #expect(versions[answer.model] == answer.version, "model \(answer.model) answered with version \(answer.version)")
            // Model i was deployed from when its deploy started until the next deploy
            // returned — plus the refresh interval when the next came from elsewhere.
            let possible = deploys.indices.contains { index in
                guard deploys[index].model.rawValue == answer.model else { return false }
                let from = deploys[index].started
                var until = ContinuousClock.Instant.now + .seconds(3600)
                if index + 1 < deploys.count {
                    let next = deploys[index + 1]
                    until = next.finished + (next.elsewhere ? ServedStore.refresh : .zero)
                }
                return from <= answer.answered && answer.sent <= until
            }
            #expect(possible, "an answer named \(answer.model), not deployed during its request")
        }
        // Served within the refresh interval (under 1 s): a request sent once the deploy had
        // returned (plus the refresh, for another process's deploy) and answered before the
        // next deploy started is answered with that model.
        #expect(ServedStore.refresh < .seconds(1))
        for (index, deploy) in deploys.enumerated().dropFirst() {
            let from = deploy.finished + (deploy.elsewhere ? ServedStore.refresh : .zero)
            let until = index + 1 < deploys.count ? deploys[index + 1].started : ContinuousClock.Instant.now + .seconds(3600)
            for answer in all where answer.sent >= from && answer.answered <= until {
                #expect(answer.model == deploy.model.rawValue, "deploy \(index) (elsewhere: \(deploy.elsewhere)): a request sent after it was served answered \(answer.model)")
            }
        }
    }
}

/// A flag several tasks read and one sets.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}

/// A value several tasks share, behind a lock.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout sending Value) -> R) -> R { value.withLock { body(&$0) } }
}
