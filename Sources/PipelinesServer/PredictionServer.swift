import Foundation
public import Hummingbird
public import Pipelines
import Synchronization
import Tabular

/// Serves a store's API endpoints over HTTP: predictions with the deployed model of each
/// endpoint, to holders of its tokens (`Authorization: Bearer <secret>`).
///
/// Mount the routes into your own Hummingbird application, or run the server standalone:
///
/// ```swift
/// let workspace = Workspace(store: try SQLiteStore(path: "store.sqlite"), deploymentRefresh: .milliseconds(500))
/// let server = PredictionServer(workspace: workspace)
///
/// let router = Router()                  // your application's router
/// server.addRoutes(to: router)
///
/// try await server.run(host: "127.0.0.1", port: 8080)   // or: standalone, until SIGINT/SIGTERM
/// ```
///
/// Routes (the OpenAPI document, ``openAPIDocument``, is served at `GET /openapi.json`):
/// - `POST /v1/endpoints/{name}/predictions` — `{"records": [{feature: value}, …]}` or
///   `{"record": {…}}` → `{"predictions": [{"label", "probabilities"} or {"value"}], "model": {"id", "version"}, "endpoint"}`
/// - `GET /v1/endpoints` — the endpoint the token opens; `GET /v1/endpoints/{name}` — its
///   deployed model, version, feature schema and when it was deployed
/// - `GET /health` (the process answers), `GET /ready` (the store answers)
/// - `GET /metrics` with ``ServerMetricsBackend/prometheus(_:)``
/// - `GET /` and `GET /pipelines/{name}` — the registry's and a pipeline's reports, for
///   holders of a viewer token (see ``Endpoints/createViewerToken(label:expiresAt:)``), a
///   browser signing in at `GET /login`; `GET /events/reports` tells open pages to reload
///
/// Each prediction request takes the endpoint's loaded model once and answers with it, so a
/// deploy or rollback never mixes models within a request; deployments made by other
/// processes sharing the store are served within the workspace's
/// ``Workspace/deploymentRefresh`` (keep it at 0.5 s or less to serve them within a second).
public struct PredictionServer: Sendable {
    /// The workspace whose endpoints are served.
    public let workspace: Workspace
    /// Limits and metrics.
    public let configuration: ServerConfiguration
    private let versions = ModelVersions()
    private let metrics: RequestMetrics

    /// A server of `workspace`'s endpoints.
    ///
    /// - Parameters:
    ///   - workspace: Its store holds the endpoints, tokens and models.
    ///   - configuration: Body and batch limits, where metrics go.
    public init(workspace: Workspace, configuration: ServerConfiguration = ServerConfiguration()) {
        self.workspace = workspace
        self.configuration = configuration
        self.metrics = RequestMetrics(configuration.metrics)
    }

    /// The committed OpenAPI 3 document of the routes, as served at `GET /openapi.json`.
    public static var openAPIDocument: String { OpenAPIDocument.json }

    /// Adds the routes to `router` (a host application's, or the standalone one).
    ///
    /// - Parameter router: Any Hummingbird router; its request context needs nothing special.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.post("/v1/endpoints/{name}/predictions") { request, context in
            await timed(endpointOf: context) { endpoint in try await predict(request, context: context, endpoint: endpoint) }
                .response(from: request, context: context)
        }
        router.get("/v1/endpoints/{name}") { request, context in
            await timed(endpointOf: context) { endpoint in try await describe(request, endpoint: endpoint) }
                .response(from: request, context: context)
        }
        router.get("/v1/endpoints") { request, context in
            await answer { try await list(request) }.response(from: request, context: context)
        }
        router.get("/health") { request, context in
            try json(StatusBody(status: "ok")).response(from: request, context: context)
        }
        router.get("/ready") { request, context in
            await answer {
                do {
                    _ = try await workspace.endpoints.list()
                } catch {
                    throw ServerError.storeUnavailable()
                }
                return try json(StatusBody(status: "ready"))
            }.response(from: request, context: context)
        }
        router.get("/openapi.json") { _, _ in
            jsonResponse(ByteBuffer(string: OpenAPIDocument.json))
        }
        addReportRoutes(to: router)
        if case .prometheus(let registry) = configuration.metrics {
            router.get("/metrics") { _, _ in
                Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                         body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
            }
        }
    }

    // MARK: Handlers

    /// Authorizes, reads, predicts with the model loaded once, answers.
    private func predict(_ request: Request, context: some RequestContext, endpoint name: String) async throws -> (Response, String) {
        let endpoint = try await authorize(request, endpoint: name)
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: configuration.bodyLimit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw ServerError.bodyTooLarge(limit: configuration.bodyLimit)
        } catch {
            throw ServerError.invalidRequest("the body could not be read")
        }
        let records = try decodeRecords(body)
        guard records.count <= configuration.batchLimit else {
            throw ServerError.batchTooLarge(count: records.count, limit: configuration.batchLimit)
        }
        let predictions: Predictions
        do {
            predictions = try await endpoint.deployment.predict(records)
        } catch {
            if case .invalidInput = error {} else if case .nothingDeployed = error {} else {
                context.logger.error("endpoint '\(name)': prediction failed: \(error)")
            }
            throw ServerError.from(error, endpoint: name)
        }
        // Finite inputs can still overflow a model (a linear model on 1e308): no number to
        // answer with, so the record is refused by name rather than failing the encoding.
        if let record = predictions.values.firstIndex(where: { $0.doubleValue.map { !$0.isFinite } ?? false })
            ?? predictions.probabilities.flatMap({ matrix in (0..<matrix.rows).first { row in (0..<matrix.columns).contains { !matrix[row, $0].isFinite } } }) {
            throw ServerError(
                status: .unprocessableContent, code: "invalid_input",
                message: "record \(record): the prediction is not a finite number (feature values too large for the model)", record: record)
        }
        let version = try await versions.version(of: predictions.modelID, in: workspace)
        let answer = PredictionResponse(predictions, version: version, endpoint: name).json()
        return (jsonResponse(ByteBuffer(bytes: answer)), name)
    }

    /// `GET /v1/endpoints/{name}`.
    private func describe(_ request: Request, endpoint name: String) async throws -> (Response, String) {
        _ = try await authorize(request, endpoint: name)
        return (try json(try await description(of: name)), name)
    }

    /// The endpoint the request's token opens: 401 without a valid token, 404 (one body)
    /// when the token opens another endpoint than `name` — whether `name` exists or not.
    private func authorize(_ request: Request, endpoint name: String) async throws -> Endpoint {
        let endpoint = try await authenticate(request)
        guard endpoint.name == name else { throw ServerError.unknownEndpoint }
        return endpoint
    }

    /// The endpoint the request's token opens, or 401.
    private func authenticate(_ request: Request) async throws -> Endpoint {
        guard let secret = Self.bearerToken(request) else { throw ServerError.unauthorized }
        let endpoint: Endpoint?
        do {
            endpoint = try await workspace.endpoints.authenticate(secret: secret)
        } catch {
            throw ServerError.storeUnavailable()
        }
        guard let endpoint else { throw ServerError.unauthorized }
        return endpoint
    }

    /// `GET /v1/endpoints`: the endpoint the presented token opens (tokens are per endpoint),
    /// never any other.
    private func list(_ request: Request) async throws -> Response {
        let endpoint = try await authenticate(request)
        return try json(EndpointList(endpoints: [try await description(of: endpoint.name)]))
    }

    /// The endpoint and its deployed model (read from the store: not a hot path).
    private func description(of name: String) async throws -> EndpointDescription {
        do {
            let endpoint = try await workspace.endpoints.endpoint(named: name)
            var model: EndpointDescription.DeployedModel?
            if let latest = try await endpoint.deployment.history().last, let id = latest.modelID {
                let record = try await workspace.registry.model(id)
                model = .init(
                    id: id.rawValue, version: record.version, deployedAt: Timestamp.string(latest.deployedAt),
                    schema: .init(record.schema))
            }
            return EndpointDescription(name: name, createdAt: Timestamp.string(endpoint.record.createdAt), model: model)
        } catch .notFound {
            throw ServerError.unknownEndpoint  // freed since the token was checked
        } catch {
            throw ServerError.storeUnavailable()
        }
    }

    // MARK: Helpers

    /// The secret of `Authorization: Bearer <secret>` (the scheme in any case; spaces and
    /// tabs around the secret ignored).
    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let bytes = header.utf8
        guard let gap = bytes.firstIndex(where: isBlank),
              bytes[..<gap].elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 })
        else { return nil }
        guard let first = bytes[gap...].firstIndex(where: { !isBlank($0) }),
              let last = bytes[first...].lastIndex(where: { !isBlank($0) })
        else { return nil }
        return String(header[first...last])
    }

    /// The records of a body, or the error naming what is wrong.
    private func decodeRecords(_ body: ByteBuffer) throws(ServerError) -> [[String: Value]] {
        try body.withUnsafeReadableBytes { bytes throws(ServerError) in try PredictionRequest.records(in: bytes) }
    }

    /// Runs an endpoint route's work, turning errors into their answers, and records the
    /// request's count and latency under the endpoint (under `-` unless the token was valid).
    private func timed(
        endpointOf context: some RequestContext, _ work: (String) async throws -> (Response, String)
    ) async -> Response {
        let start = ContinuousClock.now
        let name = context.parameters.get("name") ?? ""
        var served = RequestMetrics.unauthorizedEndpoint
        let response: Response
        do {
            let (answer, endpoint) = try await work(name)
            response = answer
            served = endpoint
        } catch {
            let failure = error as? ServerError ?? ServerError(status: .internalServerError, code: "internal", message: "the request failed")
            response = failure.plainResponse()
            // A name the token does not open is not recorded: guesses must not become metrics.
            if failure.status != .unauthorized && failure.code != ServerError.unknownEndpoint.code { served = name }
        }
        let elapsed = ContinuousClock.now - start
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        metrics.record(endpoint: served, status: Int(response.status.code), nanoseconds: nanoseconds)
        return response
    }

    /// Runs a route's work, turning errors into their answers.
    func answer(_ work: () async throws -> Response) async -> Response {
        do {
            return try await work()
        } catch {
            return (error as? ServerError ?? ServerError(status: .internalServerError, code: "internal", message: "the request failed"))
                .plainResponse()
        }
    }
}

extension ServerError {
    /// The error's response (its body does not depend on the request).
    func plainResponse() -> Response {
        var response = jsonResponse(ByteBuffer(bytes: jsonBody()), status: status)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }
}

/// A JSON answer with status 200.
func json(_ value: some Encodable) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data: Data
    do {
        data = try encoder.encode(value)
    } catch {
        throw ServerError(status: .internalServerError, code: "internal", message: "the answer could not be encoded")
    }
    return jsonResponse(ByteBuffer(bytes: data))
}

/// A response carrying JSON text.
func jsonResponse(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: ResponseBody(byteBuffer: body))
}

/// Model versions by id (a model's version never changes), read once each.
final class ModelVersions: Sendable {
    private let known = Mutex<[ModelID: Int]>([:])

    func version(of id: ModelID, in workspace: Workspace) async throws -> Int {
        if let version = known.withLock({ $0[id] }) { return version }
        let version: Int
        do {
            version = try await workspace.registry.model(id).version
        } catch {
            throw ServerError.storeUnavailable()
        }
        known.withLock { $0[id] = version }
        return version
    }
}
