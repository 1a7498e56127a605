import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Pipelines
import PipelinesServer
import Tabular
import Testing

/// A workspace on an in-memory store with three endpoints: `churn` (a classifier, label
/// `yes`/`no` from `x` and `color`), `price` (a regressor, y = 2·x + 1) and `empty` (a
/// pipeline with nothing deployed), a token for each, and a server over it.
struct ServedStore {
    let store: InMemoryStore
    let workspace: Workspace
    let classifier: Pipeline
    let regressor: Pipeline
    let empty: Pipeline
    /// The classifier's models (the first is deployed).
    let classifierModels: [ModelID]
    let churnToken: String
    let priceToken: String
    let emptyToken: String
    let server: PredictionServer

    /// How long the server's workspace trusts a deployment it read.
    static let refresh = Duration.milliseconds(200)

    init(classifierModels count: Int = 1, configuration: ServerConfiguration = ServerConfiguration()) async throws {
        store = InMemoryStore()
        workspace = Workspace(store: store, deploymentRefresh: Self.refresh)
        let repository = try await workspace.createRepository(named: "Served")

        classifier = try await repository.createPipeline(named: "churn-model")
        let classes = try Self.classifierTable()
        try await classifier.configure { config in
            config.dataset = DatasetStep(
                training: .table(classes), split: RandomSplit(testFraction: 0.25, seed: 3), label: "label",
                features: .columns(["x", "color"]), keys: ["id"])
            config.training = TrainingStep(estimator: "DecisionTreeClassifier", validation: .none)
            config.deployment = DeploymentStep(consumers: [.inProcess, .endpoint("churn")])
        }
        var models: [ModelID] = []
        for index in 0..<count {
            let run = try await classifier.run(jobs: index == 0 ? [.datasetGeneration, .training] : [.training]).result()
            try #require(run.status == .succeeded, "\(run.outcomes)")
            models.append(try #require(run.savedModels.first))
        }
        classifierModels = models
        try await classifier.deployment.deploy(models[0])

        regressor = try await repository.createPipeline(named: "price-model")
        let line = try Self.regressionTable()
        try await regressor.configure { config in
            config.dataset = DatasetStep(
                training: .table(line), split: RandomSplit(testFraction: 0.25, seed: 1), label: "y", features: .columns(["x"]),
                keys: ["id"])
            config.training = TrainingStep(estimator: "LinearRegression", validation: .none)
            config.deployment = DeploymentStep(consumers: [.endpoint("price")])
        }
        let fitted = try await regressor.run(jobs: [.datasetGeneration, .training]).result()
        try #require(fitted.status == .succeeded, "\(fitted.outcomes)")
        try await regressor.deployment.deploy(try #require(fitted.savedModels.first))

        empty = try await repository.createPipeline(named: "empty-model")
        try await empty.configure { config in
            config.dataset = DatasetStep(
                training: .table(line), split: RandomSplit(testFraction: 0.25, seed: 1), label: "y", features: .columns(["x"]),
                keys: ["id"])
            config.training = TrainingStep(estimator: "LinearRegression", validation: .none)
            config.deployment = DeploymentStep(consumers: [.endpoint("empty")])
        }

        churnToken = try await workspace.endpoints.createToken(for: "churn", label: "tests").secret
        priceToken = try await workspace.endpoints.createToken(for: "price", label: "tests").secret
        emptyToken = try await workspace.endpoints.createToken(for: "empty", label: "tests").secret
        server = PredictionServer(workspace: workspace, configuration: configuration)
    }

    /// 60 rows: `label` is `yes` when x ≥ 30 (whatever `color`).
    static func classifierTable(rows: Int = 60) throws -> Table {
        try Table([
            Column(name: "id", integer: (0..<rows).map { $0 }),
            Column(name: "x", numeric: (0..<rows).map { Double($0) }),
            Column(name: "color", categorical: (0..<rows).map { ["red", "green", "blue"][$0 % 3] }),
            Column(name: "label", categorical: (0..<rows).map { $0 >= 30 ? "yes" : "no" }),
        ])
    }

    /// 40 rows of y = 2·x + 1.
    static func regressionTable(rows: Int = 40) throws -> Table {
        let x = (0..<rows).map { Double($0) }
        return try Table([
            Column(name: "id", integer: (0..<rows).map { $0 }),
            Column(name: "x", numeric: x),
            Column(name: "y", numeric: x.map { 2 * $0 + 1 }),
        ])
    }

    /// The standalone application (access log, JSON errors for unknown routes); the access
    /// log is kept quiet unless `MLPIPE_TEST_ACCESS_LOG` is set.
    func application() -> some ApplicationProtocol {
        var logger = Logger(label: "PipelinesServerTests")
        logger.logLevel = ProcessInfo.processInfo.environment["MLPIPE_TEST_ACCESS_LOG"] == nil ? .warning : .info
        return server.makeApplication(host: "127.0.0.1", port: 0, logger: logger)
    }
}

/// A response's status and its body parsed as JSON.
struct Answer: Sendable {
    let status: HTTPResponse.Status
    let body: String
    let headers: HTTPFields

    /// The body as a JSON object (empty when it is not one).
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    /// `error.code`, `error.record`, `error.feature` of an error body.
    var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }
    var errorRecord: Int? { (object["error"] as? [String: Any])?["record"] as? Int }
    var errorFeature: String? { (object["error"] as? [String: Any])?["feature"] as? String }
}

extension TestClientProtocol {
    /// Sends a request with an optional bearer token and JSON body.
    func send(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, body: String? = nil) async throws -> Answer {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await executeRequest(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return Answer(status: response.status, body: String(buffer: response.body), headers: response.headers)
    }

    /// `POST /v1/endpoints/{endpoint}/predictions`.
    func predict(_ endpoint: String, token: String?, body: String) async throws -> Answer {
        try await send(.post, "/v1/endpoints/\(endpoint)/predictions", token: token, body: body)
    }
}
