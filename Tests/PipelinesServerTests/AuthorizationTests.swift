import Foundation
import Hummingbird
import HummingbirdTesting
import Pipelines
import PipelinesServer
import Testing

@Suite("Serving: tokens — 401 without a valid token, one 404 for any endpoint the token does not open")
struct AuthorizationTests {
    static let record = #"{"records": [{"x": 40, "color": "red"}]}"#

    @Test("no token, malformed, wrong, revoked, expired: identical 401s; a valid token on another or an unknown endpoint: identical 404s")
    func unauthorizedMatrix() async throws {
        let served = try await ServedStore()
        let endpoints = served.workspace.endpoints
        let revoked = try await endpoints.createToken(for: "churn", label: "revoked")
        try await endpoints.revokeToken(revoked.record.id)
        let expired = try await endpoints.createToken(for: "churn", label: "expired", expiresAt: Date().addingTimeInterval(-1))
        let valid = served.churnToken
        let tampered = String(valid.dropLast()) + (valid.hasSuffix("A") ? "B" : "A")
        let validator = try OpenAPIValidator()

        try await served.application().test(.router) { client in
            var unauthorized: [(String, Answer)] = []
            unauthorized.append(("no token", try await client.predict("churn", token: nil, body: Self.record)))
            unauthorized.append(("empty bearer", try await client.predict("churn", token: "", body: Self.record)))
            unauthorized.append(("not a token", try await client.predict("churn", token: "hello", body: Self.record)))
            unauthorized.append(("wrong secret", try await client.predict("churn", token: tampered, body: Self.record)))
            unauthorized.append(("revoked", try await client.predict("churn", token: revoked.secret, body: Self.record)))
            unauthorized.append(("expired", try await client.predict("churn", token: expired.secret, body: Self.record)))
            unauthorized.append(("unknown endpoint, no token", try await client.predict("nope", token: nil, body: Self.record)))
            unauthorized.append(("unknown endpoint, wrong secret", try await client.predict("nope", token: tampered, body: Self.record)))
            unauthorized.append(("list, no token", try await client.send(.get, "/v1/endpoints")))
            unauthorized.append(("list, revoked", try await client.send(.get, "/v1/endpoints", token: revoked.secret)))
            let first = try #require(unauthorized.first?.1)
            #expect(first.errorCode == "unauthorized")
            #expect(first.headers[.wwwAuthenticate] == "Bearer")
            #expect(validator.problems(path: "/v1/endpoints/{name}/predictions", method: "POST", status: 401, body: first.body) == [])
            for (name, answer) in unauthorized {
                #expect(answer.status == .unauthorized, "\(name)")
                #expect(answer.body == first.body, "\(name): \(answer.body)")
            }

            // A valid token learns nothing about other endpoints: existing or not, one 404.
            var unknown: [(String, Answer)] = []
            unknown.append(("another endpoint's", try await client.predict("churn", token: served.priceToken, body: Self.record)))
            unknown.append(("unknown endpoint", try await client.predict("nope", token: valid, body: Self.record)))
            unknown.append(("bad name", try await client.predict("NOT_A-name", token: valid, body: Self.record)))
            unknown.append(("describe, another endpoint's", try await client.send(.get, "/v1/endpoints/churn", token: served.priceToken)))
            unknown.append(("describe, unknown", try await client.send(.get, "/v1/endpoints/nope", token: valid)))
            let notFound = try #require(unknown.first?.1)
            #expect(notFound.errorCode == "unknown_endpoint")
            #expect(validator.problems(path: "/v1/endpoints/{name}/predictions", method: "POST", status: 404, body: notFound.body) == [])
            #expect(validator.problems(path: "/v1/endpoints/{name}", method: "GET", status: 404, body: notFound.body) == [])
            for (name, answer) in unknown {
                #expect(answer.status == .notFound, "\(name)")
                #expect(answer.body == notFound.body, "\(name): \(answer.body)")
            }
            // The valid token still works after all that.
            let ok = try await client.predict("churn", token: valid, body: Self.record)
            #expect(ok.status == .ok, "\(ok.body)")
        }
    }

    @Test("a token revoked while the server runs stops working at once; GET /v1/endpoints lists only the token's endpoint")
    func revocationAndListing() async throws {
        let served = try await ServedStore()
        let token = try await served.workspace.endpoints.createToken(for: "churn", label: "soon revoked")
        let validator = try OpenAPIValidator()
        try await served.application().test(.router) { client in
            let listed = try await client.send(.get, "/v1/endpoints", token: token.secret)
            #expect(listed.status == .ok, "\(listed.body)")
            #expect(validator.problems(path: "/v1/endpoints", method: "GET", status: 200, body: listed.body) == [])
            let names = (listed.object["endpoints"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect(names == ["churn"])
            #expect(try await client.predict("churn", token: token.secret, body: Self.record).status == .ok)
            try await served.workspace.endpoints.revokeToken(token.record.id)
            #expect(try await client.predict("churn", token: token.secret, body: Self.record).status == .unauthorized)
            #expect(try await client.send(.get, "/v1/endpoints", token: token.secret).status == .unauthorized)
        }
    }

    @Test("a valid token for an endpoint with nothing deployed: 409 nothing_deployed; its description has no model")
    func nothingDeployed() async throws {
        let served = try await ServedStore()
        let validator = try OpenAPIValidator()
        try await served.application().test(.router) { client in
            let answer = try await client.predict("empty", token: served.emptyToken, body: #"{"record": {"x": 1}}"#)
            #expect(answer.status == .conflict)
            #expect(answer.errorCode == "nothing_deployed")
            #expect(validator.problems(path: "/v1/endpoints/{name}/predictions", method: "POST", status: 409, body: answer.body) == [])
            let described = try await client.send(.get, "/v1/endpoints/empty", token: served.emptyToken)
            #expect(described.status == .ok)
            #expect(described.object["model"] == nil)
            #expect(validator.problems(path: "/v1/endpoints/{name}", method: "GET", status: 200, body: described.body) == [])
        }
    }
}
