import Foundation
@testable import Pipelines
import Synchronization
import Tabular
import Testing

/// An ``InMemoryStore`` that counts reads of deployments and tokens, and can hold them until
/// released: a slow store read, made deterministic.
struct GatedStore: ForwardingStore {
    private final class Gate: Sendable {
        let state = Mutex<(held: Bool, reads: Int, waiting: [CheckedContinuation<Void, Never>])>((false, 0, []))
    }

    let base: InMemoryStore
    private let gate = Gate()

    init(clock: ManualWallClock) { base = InMemoryStore(clock: clock) }

    /// Deployment and token reads so far.
    var reads: Int { gate.state.withLock { $0.reads } }
    /// Makes the next reads wait until ``release()``.
    func hold() { gate.state.withLock { $0.held = true } }
    /// Lets held reads go on.
    func release() {
        let waiting = gate.state.withLock { state in
            state.held = false
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    private func counted() async {
        await withCheckedContinuation { continuation in
            let wait = gate.state.withLock { state in
                state.reads += 1
                if state.held { state.waiting.append(continuation) }
                return state.held
            }
            if !wait { continuation.resume() }
        }
    }

    func deployment(in scope: DeploymentScope) async throws -> DeploymentRecord? {
        await counted()
        return await base.deployment(in: scope)
    }

    func token(_ id: TokenID) async throws -> TokenRecord? {
        await counted()
        return try await base.token(id)
    }
}

@Suite("Refreshing cached deployments and tokens: one caller re-reads, the others keep the value meanwhile")
struct RefreshGateTests {
    @Test("the gate: fresh within the interval; once expired one reader at a time, the rest stale for one more interval")
    func decisions() {
        var gate = RefreshGate<String>()
        let start = ContinuousClock.now
        let second = Duration.seconds(1)
        #expect(gate.decide("a", readAt: nil, now: start, refresh: second) == .read)
        #expect(gate.decide("a", readAt: nil, now: start, refresh: second) == .read, "nothing cached: every caller reads")
        #expect(gate.decide("a", readAt: start, now: start + .milliseconds(999), refresh: second) == .fresh)
        let expired = start + .milliseconds(1_200)
        #expect(gate.decide("a", readAt: start, now: expired, refresh: second) == .read)
        #expect(gate.decide("a", readAt: start, now: expired, refresh: second) == .stale)
        #expect(gate.decide("b", readAt: start, now: expired, refresh: second) == .read, "keys are independent")
        #expect(gate.decide("a", readAt: start, now: start + .seconds(2), refresh: second) == .read,
                "a read taking longer than a whole interval no longer holds the others back")
        gate.finished("a")
        #expect(gate.decide("a", readAt: start, now: expired, refresh: second) == .read, "after the read is over, the next expired caller reads")
    }

    /// A workspace over a gated store with a deployed linear model and a token for its endpoint.
    static func served() async throws -> (Workspace, GatedStore, Pipeline, String) {
        let clock = ManualWallClock(now: Fixtures.start)
        let store = GatedStore(clock: clock)
        // A long interval: once the test moves the refresh clock past it, the values stay
        // expired but within the stale allowance (younger than 120 s) however loaded the machine.
        let workspace = Workspace(store: store, clock: clock, baseDirectory: try Fixtures.directory, deploymentRefresh: .seconds(60))
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        try await pipeline.configure { $0.deployment.consumers = [.endpoint("line")] }
        let run = try await pipeline.run(jobs: [.datasetGeneration, .training]).result()
        try #require(run.status == .succeeded, "\(run.outcomes)")
        let model = try #require(try await pipeline.models().first)
        try await pipeline.deployment.deploy(model.id, ifCurrent: nil)
        let secret = try await workspace.endpoints.createToken(for: "line").secret
        return (workspace, store, pipeline, secret)
    }

    @Test("expired, with the store slow: one prediction and one authentication re-read it; six more answer at once from the cache")
    func oneReaderWhileExpired() async throws {
        let (workspace, store, pipeline, secret) = try await Self.served()
        let records: [[String: Value]] = [["x": .numeric(3)]]
        _ = try await pipeline.deployment.predict(records)
        #expect(try await workspace.endpoints.authorize(endpoint: "line", secret: secret) != nil)
        workspace.refreshClock.advance(by: .seconds(61))  // both cached values expire

        store.hold()
        let before = store.reads
        let reader = Task { try await pipeline.deployment.predict(records) }
        let authenticator = Task { try await workspace.endpoints.authorize(endpoint: "line", secret: secret) }
        while store.reads < before + 2 { try await Task.sleep(for: .milliseconds(1)) }

        // Both re-reads are held: everyone else answers from what is cached, without reading.
        let done = Mutex(false)
        let cached = Task {
            defer { done.withLock { $0 = true } }
            for _ in 0..<6 {
                let predictions = try await pipeline.deployment.predict(records)
                #expect(abs((predictions.values[0].doubleValue ?? 0) - 7) < 1e-9)
                #expect(try await workspace.endpoints.authorize(endpoint: "line", secret: secret) != nil)
            }
        }
        let deadline = ContinuousClock.now + .seconds(20)
        while !done.withLock({ $0 }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(done.withLock { $0 }, "the cached answers came while the re-reads were held")
        #expect(store.reads == before + 2, "only the two callers that found the values expired read the store")
        store.release()
        try await cached.value
        #expect(abs((try await reader.value.values[0].doubleValue ?? 0) - 7) < 1e-9)
        #expect(try await authenticator.value != nil)
        #expect(store.reads == before + 2)
    }
}
