import Foundation
import Hummingbird
import HummingbirdTesting
import Pipelines
import PipelinesReports
import PipelinesServer
import Testing

@Suite("Serving reports: a viewer token opens the pages, nothing else does; open pages hear of changes")
struct ReportServingTests {
    @Test("/ and /pipelines/{name}: 401 without a token and with an endpoint token; 200 HTML with a viewer token; 404 for an unknown pipeline; a viewer token predicts nothing")
    func viewerOnly() async throws {
        let served = try await ServedStore()
        let viewer = try await served.workspace.endpoints.createViewerToken(label: "dashboard")
        let revoked = try await served.workspace.endpoints.createViewerToken(label: "gone")
        try await served.workspace.endpoints.revokeToken(revoked.record.id)

        try await served.application().test(.router) { client in
            for token in [nil, served.churnToken, revoked.secret, "hello"] {
                #expect(try await client.send(.get, "/", token: token).status == .unauthorized)
                #expect(try await client.send(.get, "/pipelines/churn-model", token: token).status == .unauthorized)
                #expect(try await client.send(.get, "/events/reports", token: token).status == .unauthorized)
            }
            let registry = try await client.send(.get, "/", token: viewer.secret)
            #expect(registry.status == .ok)
            #expect(registry.headers[.contentType] == "text/html; charset=utf-8")
            #expect(registry.body.contains("data-model-count=\"2\""), "the churn and price models")
            #expect(registry.body.contains("/pipelines/churn-model?repository=Served"), "a link to each pipeline's page")
            #expect(registry.body.contains("EventSource"), "a served page listens for changes")

            let page = try await client.send(.get, "/pipelines/churn-model", token: viewer.secret)
            #expect(page.status == .ok)
            #expect(page.body.contains("churn-model") && page.body.contains("data-chart=\"confusion-matrix\""))
            #expect(page.body.contains("/events/reports?pipeline=churn-model"))
            let unknown = try await client.send(.get, "/pipelines/nope", token: viewer.secret)
            #expect(unknown.status == .notFound && unknown.errorCode == "unknown_pipeline")

            let prediction = try await client.predict("churn", token: viewer.secret, body: #"{"records": [{"x": 40, "color": "red"}]}"#)
            #expect(prediction.status == .unauthorized, "a viewer token opens no endpoint")
        }
    }

    @Test("a browser signs in through the form: a viewer token sets an HTTP-only same-site cookie that opens the pages; any other token shows the form again with 401")
    func browserLogin() async throws {
        let served = try await ServedStore()
        let viewer = try await served.workspace.endpoints.createViewerToken()
        try await served.application().test(.router) { client in
            let form = try await client.send(.get, "/login")
            #expect(form.status == .ok && form.body.contains("type=\"password\""))

            var headers = HTTPFields()
            headers[.contentType] = "application/x-www-form-urlencoded"
            let refused = try await client.executeRequest(
                uri: "/login", method: .post, headers: headers, body: ByteBuffer(string: "token=" + served.churnToken))
            #expect(refused.status == .unauthorized && refused.headers[.setCookie] == nil)
            #expect(String(buffer: refused.body).contains("refused"))
            let garbled = try await client.executeRequest(uri: "/login", method: .post, headers: headers, body: ByteBuffer(string: "token=%zz&%"))
            #expect(garbled.status == .unauthorized, "a body that is not a form is refused, not a crash")

            let encoded = viewer.secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? viewer.secret
            let accepted = try await client.executeRequest(uri: "/login", method: .post, headers: headers, body: ByteBuffer(string: "token=" + encoded))
            #expect(accepted.status == .seeOther && accepted.headers[.location] == "/")
            let cookie = try #require(accepted.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            let pair = try #require(cookie.split(separator: ";").first.map(String.init))
            var withCookie = HTTPFields()
            withCookie[.cookie] = pair
            let page = try await client.executeRequest(uri: "/pipelines/price-model", method: .get, headers: withCookie, body: nil)
            #expect(page.status == .ok && String(buffer: page.body).contains("price-model"))
        }
    }

    @Test("the event stream says `changed` at once when the page's stamp (`since`) is out of date, not when it is current; the page carries its stamp; streams end after their limit")
    func eventsOnChange() async throws {
        var configuration = ServerConfiguration()
        configuration.reportRefresh = .milliseconds(50)
        configuration.reportStreamLimit = .milliseconds(600)
        let served = try await ServedStore(configuration: configuration)
        let viewer = try await served.workspace.endpoints.createViewerToken()
        let builder = ReportBuilder(workspace: served.workspace)
        let drawn = try await builder.stamp(of: served.classifier)
        #expect(drawn.count == 64 && drawn.allSatisfy(\.isHexDigit), "a SHA-256 in hex")
        try await served.application().test(.router) { client in
            let page = try await client.send(.get, "/pipelines/churn-model", token: viewer.secret)
            #expect(page.body.contains("/events/reports?pipeline=churn-model&amp;since=\(drawn)"), "the page asks for changes since it was drawn")

            let current = try await client.send(.get, "/events/reports?pipeline=churn-model&since=\(drawn)", token: viewer.secret)
            #expect(current.status == .ok && current.headers[.contentType] == "text/event-stream; charset=utf-8")
            #expect(current.body == ": watching for changes\n\n", "nothing changed: no event, and the stream ended")

            try await served.classifier.deployment.undeploy()
            let changed = try await builder.stamp(of: served.classifier)
            #expect(changed != drawn)
            let stale = try await client.send(.get, "/events/reports?pipeline=churn-model&since=\(drawn)", token: viewer.secret)
            #expect(stale.body == ": watching for changes\n\ndata: changed\n\n", "changed since the page was drawn: said at once, once")

            let registry = try await builder.registryStamp()
            let registryPage = try await client.send(.get, "/", token: viewer.secret)
            #expect(registryPage.body.contains("/events/reports?since=\(registry)"), "the registry page's stamp is the store's")
            let quiet = try await client.send(.get, "/events/reports?since=\(registry)", token: viewer.secret)
            #expect(quiet.status == .ok && !quiet.body.contains("data: changed"))
        }
    }
}
