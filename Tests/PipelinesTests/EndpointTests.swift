import Estimators
import Foundation
import LinearAlgebra
import Pipelines
import Tabular
import Testing

@Suite("Endpoints: names claimed by the deployment step, tokens")
struct EndpointTests {
    /// A workspace on a manual clock, its store, and a configured regression pipeline `line`.
    struct Setup {
        let workspace: Workspace
        let store: InMemoryStore
        let clock: ManualWallClock
        let pipeline: Pipeline

        init() async throws {
            clock = ManualWallClock(now: Fixtures.start)
            let made = try Fixtures.workspaceAndStore(clock: clock)
            workspace = made.workspace
            store = made.store
            pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        }
    }

    @Test("configuring an endpoint consumer claims the name; a second pipeline cannot take it, and nothing is saved")
    func nameClaimedAndUnique() async throws {
        let setup = try await Setup()
        try await setup.pipeline.configure { config in config.deployment.consumers = [.inProcess, .endpoint("churn")] }
        let endpoint = try await setup.workspace.endpoints.endpoint(named: "churn")
        #expect(endpoint.record.scope == .pipeline(setup.pipeline.id))
        #expect(endpoint.record.createdAt == Fixtures.start)
        #expect(try await setup.workspace.endpoints.list().map(\.name) == ["churn"])

        let other = try await setup.workspace.repository(named: "R").createPipeline(named: "other")
        let before = try await other.configuration()
        await #expect(throws: PipelineError.invalidConfiguration(pipeline: "other", problems: [
            ConfigurationProblem("deployment.consumers[0].endpoint", "the endpoint name 'churn' is taken by pipeline 'line' in repository 'R'"),
        ])) {
            try await other.configure { config in config.deployment.consumers = [.endpoint("churn"), .endpoint("spare")] }
        }
        #expect(try await other.configuration() == before)
        #expect(try await other.configurationHistory().isEmpty)
        #expect(try await setup.workspace.endpoints.list().map(\.name) == ["churn"])
        #expect(await setup.store.endpoint(named: "spare") == nil)
    }

    @Test("changing the consumers frees the old name and its tokens; deleting the pipeline frees the rest")
    func changingConsumersFreesNames() async throws {
        let setup = try await Setup()
        let endpoints = setup.workspace.endpoints
        try await setup.pipeline.configure { config in config.deployment.consumers = [.endpoint("churn"), .endpoint("churn-eu")] }
        let token = try await endpoints.createToken(for: "churn", label: "billing")
        _ = try await endpoints.createToken(for: "churn-eu")
        #expect(try await endpoints.authorize(endpoint: "churn", secret: token.secret) != nil)  // now cached
        setup.clock.advance(by: 10)
        try await setup.pipeline.configure { config in config.deployment.consumers = [.inProcess, .endpoint("churn-eu"), .endpoint("attrition")] }
        #expect(try await endpoints.list().map(\.name) == ["attrition", "churn-eu"])
        #expect(try await endpoints.tokens(for: "churn").isEmpty)
        #expect(try await endpoints.tokens().map(\.endpoint) == ["churn-eu"])
        #expect(try await endpoints.authorize(endpoint: "churn", secret: token.secret) == nil)
        await #expect(throws: PipelineError.notFound(.endpoint("churn"))) { _ = try await endpoints.endpoint(named: "churn") }

        // Another pipeline can take the freed name.
        let other = try await setup.workspace.repository(named: "R").createPipeline(named: "other")
        try await other.configure { config in config.deployment.consumers = [.endpoint("churn")] }
        #expect(try await endpoints.endpoint(named: "churn").record.scope == .pipeline(other.id))

        try await setup.pipeline.delete()
        #expect(try await endpoints.list().map(\.name) == ["churn"])
        #expect(try await endpoints.tokens().isEmpty)
        try await other.configure { config in config.deployment.consumers = [.endpoint("churn"), .endpoint("attrition")] }
        #expect(try await endpoints.list().map(\.name) == ["attrition", "churn"])
    }

    @Test("a version that cannot be saved gives back the names it claimed and keeps the ones it dropped, tokens and all")
    func failedSaveLosesNoToken() async throws {
        let clock = ManualWallClock(now: Fixtures.start)
        let store = InterposedStore(clock: clock)
        let workspace = Workspace(store: store, clock: clock, baseDirectory: try Fixtures.directory)
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        try await pipeline.configure { $0.deployment.consumers = [.endpoint("churn")] }
        let token = try await workspace.endpoints.createToken(for: "churn")
        let id = pipeline.id
        store.beforeNextConfigurationSave { base in  // someone else saves a version meanwhile
            guard var theirs = await base.configuration(of: id, version: nil) else { throw SharedStoreTests.HookFailure() }
            theirs.version += 1
            theirs.configuration.preferences.description = "someone else's"
            try await base.appendConfiguration(theirs)
        }
        await #expect(throws: PipelineError.configurationConflict(pipeline: "line", version: 3)) {
            try await pipeline.configure { $0.deployment.consumers = [.endpoint("attrition")] }
        }
        #expect(try await workspace.endpoints.list().map(\.name) == ["churn"], "attrition given back, churn still held")
        #expect(try await workspace.endpoints.tokens(for: "churn").map(\.id) == [token.record.id], "churn's token kept")
        #expect(try await workspace.endpoints.authorize(endpoint: "churn", secret: token.secret) != nil)

        // Saved this time: churn is freed with its token, attrition claimed.
        try await pipeline.configure { $0.deployment.consumers = [.endpoint("attrition")] }
        #expect(try await workspace.endpoints.list().map(\.name) == ["attrition"])
        #expect(try await workspace.endpoints.tokens().isEmpty)
        #expect(try await workspace.endpoints.authorize(endpoint: "churn", secret: token.secret) == nil)
    }

    @Test("bad and repeated endpoint names are configuration problems at their consumer", arguments: [
        ("Churn", "deployment.consumers[1].endpoint"),
        ("-x", "deployment.consumers[1].endpoint"),
        (String(repeating: "a", count: 64), "deployment.consumers[1].endpoint"),
        ("", "deployment.consumers[1].endpoint"),
        ("churn", "deployment.consumers[2].endpoint"),
    ])
    func badNames(name: String, path: String) async throws {
        let setup = try await Setup()
        await expectPipelineError({
            try await setup.pipeline.configure { config in config.deployment.consumers = [.endpoint("churn"), .endpoint(name), .endpoint("churn")] }
        }, "\(name)") { error in
            guard case .invalidConfiguration(_, let problems) = error else { return false }
            return problems.contains { $0.path == path } && problems.allSatisfy { $0.path.hasPrefix("deployment.consumers[") }
        }
        #expect(try await setup.workspace.endpoints.list().isEmpty)
        #expect(EndpointName.problem(String(repeating: "a", count: 63)) == nil)
        #expect(EndpointName.problem("9-lives") == nil)
    }

    @Test("a token's secret authorizes its endpoint only; wrong, foreign, revoked and expired secrets do not")
    func tokensAuthorize() async throws {
        let setup = try await Setup()
        let endpoints = setup.workspace.endpoints
        try await setup.pipeline.configure { config in config.deployment.consumers = [.endpoint("churn"), .endpoint("fraud")] }
        let token = try await endpoints.createToken(for: "churn", label: "billing service")
        #expect(token.record.endpoint == "churn")
        #expect(token.record.label == "billing service")
        #expect(token.record.createdAt == Fixtures.start)
        #expect(token.secret.hasPrefix("mlpt_\(token.record.id.rawValue)_"))

        let authorized = try #require(try await endpoints.authorize(endpoint: "churn", secret: token.secret))
        #expect(authorized.name == "churn")
        #expect(authorized.deployment.scope == .pipeline(setup.pipeline.id))

        var wrong = token.secret
        wrong.removeLast()
        wrong.append(token.secret.last == "A" ? "B" : "A")
        #expect(try await endpoints.authorize(endpoint: "churn", secret: wrong) == nil)
        #expect(try await endpoints.authorize(endpoint: "churn", secret: "") == nil)
        #expect(try await endpoints.authorize(endpoint: "churn", secret: "Bearer \(token.secret)") == nil)
        #expect(try await endpoints.authorize(endpoint: "fraud", secret: token.secret) == nil)
        #expect(try await endpoints.authorize(endpoint: "nowhere", secret: token.secret) == nil)
        // Every secret works, whatever its random part holds ("_" and "-" included).
        for number in 0..<24 {
            let issued = try await endpoints.createToken(for: "fraud", label: "batch \(number)")
            #expect(try await endpoints.authorize(endpoint: "fraud", secret: issued.secret)?.name == "fraud", "\(issued.secret)")
        }
        let fraud = try await endpoints.createToken(for: "fraud")
        #expect(try await endpoints.authorize(endpoint: "churn", secret: fraud.secret) == nil)

        let revoked = try await endpoints.revokeToken(token.record.id)
        #expect(revoked.revokedAt == Fixtures.start)
        #expect(try await endpoints.authorize(endpoint: "churn", secret: token.secret) == nil)
        #expect(try await endpoints.authorize(endpoint: "fraud", secret: fraud.secret) != nil)

        let expiring = try await endpoints.createToken(for: "churn", expiresAt: Fixtures.start.addingTimeInterval(60))
        #expect(try await endpoints.authorize(endpoint: "churn", secret: expiring.secret) != nil)
        setup.clock.advance(by: 60)
        #expect(try await endpoints.authorize(endpoint: "churn", secret: expiring.secret) == nil)

        await #expect(throws: PipelineError.notFound(.endpoint("nowhere"))) {
            _ = try await endpoints.createToken(for: "nowhere")
        }
        await #expect(throws: PipelineError.notFound(.token(TokenID("nope")))) {
            _ = try await endpoints.revokeToken(TokenID("nope"))
        }
    }

    @Test("the secret is not stored: only a salt and a digest that differs from it")
    func secretNotStored() async throws {
        let setup = try await Setup()
        try await setup.pipeline.configure { config in config.deployment.consumers = [.endpoint("churn")] }
        let first = try await setup.workspace.endpoints.createToken(for: "churn")
        let second = try await setup.workspace.endpoints.createToken(for: "churn")
        #expect(first.secret != second.secret)
        let stored = await setup.store.tokens(of: "churn")
        #expect(stored == [first.record, second.record].sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) })
        for (token, record) in [(first, first.record), (second, second.record)] {
            let secretBytes = Data(token.secret.utf8)
            #expect(record.digest != secretBytes)
            #expect(record.digest.count == 32)
            #expect(record.salt.count == 16)
            #expect(record.digest.range(of: secretBytes) == nil)
            #expect(!String(describing: record).contains(token.secret))
            let encoded = try JSONEncoder().encode(record)
            #expect(encoded.range(of: secretBytes) == nil)
            let secretPart = Data(token.secret.dropFirst("mlpt_\(record.id.rawValue)_".count).utf8)
            #expect(secretPart.count == 43)
            #expect(encoded.range(of: secretPart) == nil)
        }
        #expect(first.record.salt != second.record.salt)
    }

    @Test("a standalone model line gets endpoints through setEndpoints; names stay unique against pipelines")
    func standaloneLineEndpoints() async throws {
        let setup = try await Setup()
        let line = try await Self.importedLine(setup.workspace)
        try await line.setEndpoints(["gate"])
        #expect(try await line.endpoints().map(\.name) == ["gate"])
        #expect(try await setup.workspace.endpoints.endpoint(named: "gate").record.scope == .standalone(line.id))

        await expectPipelineError({
            try await setup.pipeline.configure { config in config.deployment.consumers = [.endpoint("gate")] }
        }) { error in
            guard case .invalidConfiguration(_, let problems) = error else { return false }
            return problems.map(\.path) == ["deployment.consumers[0].endpoint"] && problems[0].message.contains("'gate' is taken")
        }
        try await setup.pipeline.configure { config in config.deployment.consumers = [.endpoint("churn")] }
        await #expect(throws: PipelineError.store(.endpointTaken(name: "churn", holder: .pipeline(setup.pipeline.id)))) {
            try await line.setEndpoints(["gate", "churn"])
        }
        #expect(try await line.endpoints().map(\.name) == ["gate"])
        await expectPipelineError({ try await line.setEndpoints(["Gate"]) }) { error in
            if case .invalidName(kind: "endpoint", name: "Gate", _) = error { return true }
            return false
        }

        let token = try await setup.workspace.endpoints.createToken(for: "gate")
        try await line.deployment.deploy(line.id, ifCurrent: nil)
        let endpoint = try #require(try await setup.workspace.endpoints.authorize(endpoint: "gate", secret: token.secret))
        let predictions = try await endpoint.deployment.predict([["level": 9.0, "batch": 1.0]])
        #expect(predictions.values == ["open"])

        try await line.setEndpoints([])
        #expect(try await line.endpoints().isEmpty)
        #expect(try await setup.workspace.endpoints.tokens().isEmpty)
        #expect(try await setup.workspace.endpoints.list().map(\.name) == ["churn"])
    }

    /// A logistic regression imported as the standalone line `gate` (features `level`,
    /// `batch`; classes closed/open).
    static func importedLine(_ workspace: Workspace) async throws -> ModelLine {
        var rows: [[Double]] = []
        var classes: [Int] = []
        for i in 0..<40 {
            rows.append([Double(i % 10), Double(i / 10)])
            classes.append(i % 10 >= 5 ? 1 : 0)
        }
        let fitted = try EstimatorCatalog.standard.makeEstimator(named: "LogisticRegression")
            .fit(try Matrix(rows), .classes(classes, classCount: 2), context: FitContext())
        let record = try await workspace.registry.importModel(
            payload: try fitted.payload(), name: "gate", features: try FeatureList.parse(#"{"columns": ["level", "batch"]}"#),
            label: "open", classes: ["closed", "open"])
        return try await workspace.registry.line(of: record.id)
    }
}
