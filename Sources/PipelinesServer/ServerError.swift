public import Hummingbird
import Pipelines

/// An error answer of the server: an HTTP status and the JSON body
/// `{"error": {"code", "message", "record"?, "feature"?}}`.
///
/// Codes: `unauthorized` (401), `malformed_json` and `invalid_request` (400),
/// `nothing_deployed` (409), `body_too_large` and `batch_too_large` (413),
/// `invalid_input` (422: names the record and the feature), `store_unavailable` (503),
/// `internal` (500).
public struct ServerError: HTTPResponseError, Sendable, Hashable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable, machine-readable code (`invalid_input`, `unauthorized`, …).
    public var code: String
    /// What went wrong, for people.
    public var message: String
    /// The 0-based index of the record at fault, when one is.
    public var record: Int?
    /// The feature at fault, when one is.
    public var feature: String?

    /// An error answer.
    public init(status: HTTPResponse.Status, code: String, message: String, record: Int? = nil, feature: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.record = record
        self.feature = feature
    }

    /// The one answer to every request without a valid token — missing, malformed, wrong,
    /// expired or revoked: always the same body, so it tells nothing about which.
    public static let unauthorized = ServerError(
        status: .unauthorized, code: "unauthorized", message: "a valid bearer token is required")

    /// The one answer to a valid token used on an endpoint it does not open — one that does
    /// not exist, or another endpoint: the same body for both, so a token holder learns
    /// nothing about other endpoints.
    public static let unknownEndpoint = ServerError(
        status: .notFound, code: "unknown_endpoint", message: "this token opens no endpoint of that name")

    /// The JSON body.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        plainResponse()
    }

    /// `{"error": {"code", "feature"?, "message", "record"?}}` as bytes (keys sorted, as
    /// every answer's).
    func jsonBody() -> [UInt8] {
        var writer = JSONWriter()
        writer.raw(#"{"error":{"code":"#)
        writer.string(code)
        if let feature {
            writer.raw(#","feature":"#)
            writer.string(feature)
        }
        writer.raw(#","message":"#)
        writer.string(message)
        if let record {
            writer.raw(#","record":"#)
            writer.integer(record)
        }
        writer.raw("}}")
        return writer.bytes
    }
}

extension ServerError {
    static func malformedJSON(_ detail: String) -> ServerError {
        ServerError(status: .badRequest, code: "malformed_json", message: "the body is not valid JSON: \(detail)")
    }

    static func invalidRequest(_ message: String, record: Int? = nil, feature: String? = nil) -> ServerError {
        ServerError(status: .badRequest, code: "invalid_request", message: message, record: record, feature: feature)
    }

    static func bodyTooLarge(limit: Int) -> ServerError {
        ServerError(status: .contentTooLarge, code: "body_too_large", message: "the body exceeds the limit of \(limit) bytes")
    }

    static func batchTooLarge(count: Int, limit: Int) -> ServerError {
        ServerError(status: .contentTooLarge, code: "batch_too_large", message: "\(count) records exceed the limit of \(limit) per request")
    }

    static func storeUnavailable() -> ServerError {
        ServerError(status: .serviceUnavailable, code: "store_unavailable", message: "the store cannot be reached; try again")
    }

    static func notFound() -> ServerError {
        ServerError(status: .notFound, code: "not_found", message: "no such route")
    }

    /// The answer for an error of the SDK while serving an authorized request.
    static func from(_ error: PipelineError, endpoint: String) -> ServerError {
        switch error {
        case let .invalidInput(record, feature, reason):
            return ServerError(
                status: .unprocessableContent, code: "invalid_input", message: "record \(record), feature '\(feature)': \(reason)",
                record: record, feature: feature)
        case .nothingDeployed:
            return ServerError(status: .conflict, code: "nothing_deployed", message: "endpoint '\(endpoint)' has no deployed model")
        case .store:
            return storeUnavailable()
        default:
            return ServerError(status: .internalServerError, code: "internal", message: "the prediction failed; the server log says why")
        }
    }
}
