import Foundation
import Hummingbird
import Pipelines
import PipelinesReports

/// The reports, served read-only to holders of a viewer token (`mlpipe tokens create
/// --viewer`): `GET /` (the registry), `GET /pipelines/{name}` (a pipeline; `?repository=`
/// when several repositories hold that name), and `GET /events/reports` (a server-sent
/// event each time what a page shows changes — or has changed since the page was drawn,
/// `since=STAMP` — so an open page reloads itself).
///
/// A program sends the token as `Authorization: Bearer <secret>`; a browser signs in once
/// through the form at `GET /login`, which keeps the secret in an HTTP-only, same-site
/// cookie.
extension PredictionServer {
    /// The cookie a signed-in browser sends.
    static let viewerCookie = "mlpipe_viewer"

    func addReportRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/") { request, context in
            await answer { try await registryPage(request) }.response(from: request, context: context)
        }
        router.get("/pipelines/{name}") { request, context in
            let name = context.parameters.get("name") ?? ""
            return await answer { try await pipelinePage(request, name: name) }.response(from: request, context: context)
        }
        router.get("/events/reports") { request, context in
            await answer { try await reportEvents(request) }.response(from: request, context: context)
        }
        router.get("/login") { _, _ in
            Self.html(LoginPage.html(failed: false))
        }
        router.post("/login") { request, context in
            await answer { try await login(request, context: context) }.response(from: request, context: context)
        }
    }

    // MARK: Pages

    private func registryPage(_ request: Request) async throws -> Response {
        try await authorizeViewer(request)
        let report = try await reading { () async throws(PipelineError) in try await ReportBuilder(workspace: workspace).registryReport() }
        // The stamp of what the page shows: a change since makes the page reload.
        let events = "/events/reports?" + Self.query(pipeline: nil, repository: nil, since: ReportBuilder.stamp(of: report))
        return Self.html(ReportPage.html(report, options: ReportPage.Options(liveEvents: events, pipelineLink: Self.pipelineLink)))
    }

    private func pipelinePage(_ request: Request, name: String) async throws -> Response {
        try await authorizeViewer(request)
        let repository = request.uri.queryParameters["repository"].map(String.init)
        let pipeline = try await findPipeline(name, repository: repository)
        let report = try await reading { () async throws(PipelineError) in try await ReportBuilder(workspace: workspace).report(of: pipeline) }
        let events = "/events/reports?" + Self.query(pipeline: name, repository: repository, since: ReportBuilder.stamp(of: report))
        return Self.html(ReportPage.html(report, options: ReportPage.Options(liveEvents: events, pipelineLink: Self.pipelineLink)))
    }

    /// `text/event-stream`: a comment at once, then `data: changed` each time the page's
    /// stamp changes (polled every ``ServerConfiguration/reportRefresh``) — at once when it
    /// differs from `since`, the stamp the page was drawn at — a keep-alive
    /// comment every 15 s; the stream ends after ``ServerConfiguration/reportStreamLimit``
    /// (browsers reconnect on their own), so that no stream holds a shutdown back for long.
    private func reportEvents(_ request: Request) async throws -> Response {
        try await authorizeViewer(request)
        let builder = ReportBuilder(workspace: workspace)
        let stamp: @Sendable () async throws -> String
        if let name = request.uri.queryParameters["pipeline"].map(String.init) {
            let pipeline = try await findPipeline(name, repository: request.uri.queryParameters["repository"].map(String.init))
            stamp = { try await builder.stamp(of: pipeline) }
        } else {
            stamp = { try await builder.registryStamp() }
        }
        let initial: String
        do {
            initial = try await stamp()
        } catch {
            throw ServerError.storeUnavailable()
        }
        let since = request.uri.queryParameters["since"].map(String.init)
        let refresh = configuration.reportRefresh
        let limit = configuration.reportStreamLimit
        let body = ResponseBody { writer in
            var last = initial
            try await writer.write(ByteBuffer(string: ": watching for changes\n\n"))
            if let since, since != initial {
                try await writer.write(ByteBuffer(string: "data: changed\n\n"))  // changed since the page was drawn
            }
            let end = ContinuousClock.now + limit
            var quiet = Duration.zero
            while ContinuousClock.now < end {
                try await Task.sleep(for: refresh)
                let now = try await stamp()
                if now != last {
                    last = now
                    quiet = .zero
                    try await writer.write(ByteBuffer(string: "data: changed\n\n"))
                } else {
                    quiet += refresh
                    if quiet >= .seconds(15) {
                        quiet = .zero
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    }
                }
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"], body: body)
    }

    /// `POST /login` with the form's `token`: a valid viewer token sets the cookie and goes
    /// to `/`; anything else shows the form again, saying the token was refused (401).
    private func login(_ request: Request, context: some RequestContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        let form = String(decoding: body.readableBytesView, as: UTF8.self)
        let secret = Self.formValue("token", in: form) ?? ""
        guard try await isViewer(secret) else {
            var refused = Self.html(LoginPage.html(failed: true))
            refused.status = .unauthorized
            return refused
        }
        var response = Response(status: .seeOther, headers: [.location: "/"])
        response.setCookie(Cookie(name: Self.viewerCookie, value: secret, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }

    // MARK: Helpers

    /// Passes when the request carries a valid viewer token (header or cookie); else 401.
    private func authorizeViewer(_ request: Request) async throws {
        let secret = Self.bearerToken(request) ?? request.cookies[Self.viewerCookie]?.value
        guard let secret, try await isViewer(secret) else { throw ServerError.unauthorized }
    }

    private func isViewer(_ secret: String) async throws -> Bool {
        do {
            return try await workspace.endpoints.authorizeViewer(secret: secret)
        } catch {
            throw ServerError.storeUnavailable()
        }
    }

    private func findPipeline(_ name: String, repository: String?) async throws -> Pipeline {
        do {
            return try await workspace.pipeline(named: name, in: repository)
        } catch .notFound, .ambiguousName {
            throw ServerError(status: .notFound, code: "unknown_pipeline", message: "no pipeline of that name (add ?repository= when several share it)")
        } catch {
            throw ServerError.storeUnavailable()
        }
    }

    /// Runs a report read, answering 503 when the store fails and 500 otherwise.
    private func reading<T>(_ work: () async throws(PipelineError) -> T) async throws -> T {
        do {
            return try await work()
        } catch .store, .backend {
            throw ServerError.storeUnavailable()
        } catch {
            throw ServerError(status: .internalServerError, code: "report_failed", message: "the report could not be made: \(error)")
        }
    }

    @Sendable static func pipelineLink(repository: String, pipeline: String) -> String? {
        "/pipelines/" + (pipeline.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? pipeline)
            + "?" + query(pipeline: nil, repository: repository, since: nil)
    }

    static func query(pipeline: String?, repository: String?, since: String?) -> String {
        var items: [URLQueryItem] = []
        if let pipeline { items.append(URLQueryItem(name: "pipeline", value: pipeline)) }
        if let repository { items.append(URLQueryItem(name: "repository", value: repository)) }
        if let since { items.append(URLQueryItem(name: "since", value: since)) }
        var components = URLComponents()
        components.queryItems = items
        return components.percentEncodedQuery ?? ""
    }

    /// The value of `name` in an `application/x-www-form-urlencoded` body (Foundation's
    /// query parsing; a form writes spaces as `+`); nil for a body that is not one
    /// (`URLComponents(string:)` refuses it rather than trapping, as its setter would).
    static func formValue(_ name: String, in form: String) -> String? {
        let components = URLComponents(string: "?" + form.replacingOccurrences(of: "+", with: "%20"))
        return components?.queryItems?.first { $0.name == name }.map { $0.value ?? "" }
    }

    static func html(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
