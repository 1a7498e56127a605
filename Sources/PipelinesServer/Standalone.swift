public import Hummingbird
public import Logging
import NIOCore
public import ServiceLifecycle

extension PredictionServer {
    /// A Hummingbird application serving only this server's routes, with an access log and
    /// JSON bodies for unknown routes; run it with `runService()` (stops gracefully on
    /// SIGINT and SIGTERM) or inside your own `ServiceGroup`.
    ///
    /// - Parameters:
    ///   - host: The address to listen on (`127.0.0.1`: this machine only).
    ///   - port: The port (0: any free port; `onListening` hears which).
    ///   - services: More services to run beside the server and stop with it (the trigger
    ///     scheduler, say).
    ///   - logger: Receives the access log (`info`, one line per request) and the server's messages.
    ///   - onListening: Called once the server listens, with the port it listens on.
    public func makeApplication(
        host: String = "127.0.0.1", port: Int = 8080, services: [any Service] = [], logger: Logger = Logger(label: "PipelinesServer"),
        onListening: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) -> Application<RouterResponder<BasicRequestContext>> {
        let router = Router()
        router.middlewares.add(AccessLogMiddleware())
        router.middlewares.add(JSONErrorMiddleware())
        addRoutes(to: router)
        return Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "mlpipe"),
            services: services, onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) }, logger: logger)
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight and returns.
    ///
    /// - Parameters: See ``makeApplication(host:port:services:logger:onListening:)``.
    public func run(
        host: String = "127.0.0.1", port: Int = 8080, services: [any Service] = [], logger: Logger = Logger(label: "PipelinesServer"),
        onListening: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) async throws {
        try await makeApplication(host: host, port: port, services: services, logger: logger, onListening: onListening).runService()
    }
}

/// Logs one `info` line per request once it is answered: method, path, status, duration
/// (never headers, so tokens stay out of logs).
public struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The middleware.
    public init() {}

    /// Logs the request after `next` answers (or throws).
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let method = request.method.rawValue
        let path = request.uri.path
        do {
            let response = try await next(request, context)
            log(context, method, path, Int(response.status.code), start)
            return response
        } catch {
            log(context, method, path, Int((error as? any HTTPResponseError)?.status.code ?? 500), start)
            throw error
        }
    }

    private func log(_ context: Context, _ method: String, _ path: String, _ status: Int, _ start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info(
            "\(method) \(path) \(status)",
            metadata: ["status": "\(status)", "duration_ms": "\((milliseconds * 1000).rounded() / 1000)"])
    }
}

/// Turns the router's own errors (unknown route, method not allowed) into the JSON error body
/// the other answers use.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServerError {
            return error.plainResponse()
        } catch let error as any HTTPResponseError {
            let status = error.status
            let code = status == .notFound ? "not_found" : status == .methodNotAllowed ? "method_not_allowed" : "http_\(status.code)"
            return ServerError(status: status, code: code, message: status.reasonPhrase.lowercased()).plainResponse()
        } catch {
            return ServerError(status: .internalServerError, code: "internal", message: "the request failed").plainResponse()
        }
    }
}
