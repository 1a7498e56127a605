import Foundation
import Hummingbird
import HummingbirdTesting
import Pipelines
import PipelinesServer
import Prometheus
import Testing

@Suite("Serving: predictions, endpoint descriptions, health, the OpenAPI document")
struct PredictionTests {
    @Test("a classifier answers labels in their original form with probabilities by class, and names its model")
    func classifier() async throws {
        let served = try await ServedStore()
        let validator = try OpenAPIValidator()
        let model = try await served.workspace.registry.model(served.classifierModels[0])
        try await served.application().test(.router) { client in
            let answer = try await client.predict(
                "churn", token: served.churnToken,
                body: #"{"records": [{"x": 2, "color": "red"}, {"x": 55.5, "color": "blue"}, {"x": 31, "color": "green"}]}"#)
            #expect(answer.status == .ok, "\(answer.body)")
            #expect(validator.problems(path: "/v1/endpoints/{name}/predictions", method: "POST", status: 200, body: answer.body) == [])
            let body = try JSON.parse(answer.body)
            #expect(body["endpoint"] == .string("churn"))
            #expect(body["model"]?["id"] == .string(model.id.rawValue))
            #expect(body["model"]?["version"] == .number(Double(model.version)))
            guard case .array(let predictions)? = body["predictions"] else { Issue.record("no predictions"); return }
            #expect(predictions.map { $0["label"] } == [.string("no"), .string("yes"), .string("yes")])
            for prediction in predictions {
                guard case .object(let probabilities)? = prediction["probabilities"] else { Issue.record("no probabilities"); continue }
                #expect(Set(probabilities.keys) == ["no", "yes"])
                let total = probabilities.values.reduce(0.0) { sum, value in if case .number(let p) = value { sum + p } else { sum } }
                #expect(abs(total - 1) < 1e-9)
            }
            // One record without the batch wrapper.
            let single = try await client.predict("churn", token: served.churnToken, body: #"{"record": {"x": 45, "color": "red"}}"#)
            #expect(single.status == .ok, "\(single.body)")
            #expect(try JSON.parse(single.body)["predictions"] == .array([
                try #require(try JSON.parse(answer.body)["predictions"].flatMap { if case .array(let p) = $0 { p[1] } else { nil } })
            ]))
        }
    }

    @Test("a regressor answers values; equal to the SDK's in-process predictions")
    func regressor() async throws {
        let served = try await ServedStore()
        let validator = try OpenAPIValidator()
        let expected = try await served.regressor.deployment.predict([["x": 3], ["x": 10.5]])
        try await served.application().test(.router) { client in
            let answer = try await client.predict("price", token: served.priceToken, body: #"{"records": [{"x": 3}, {"x": 10.5}]}"#)
            #expect(answer.status == .ok, "\(answer.body)")
            #expect(validator.problems(path: "/v1/endpoints/{name}/predictions", method: "POST", status: 200, body: answer.body) == [])
            guard case .array(let predictions)? = try JSON.parse(answer.body)["predictions"] else { Issue.record("no predictions"); return }
            #expect(predictions.map { $0["value"] } == expected.values.map { .number($0.doubleValue ?? .nan) })
            #expect(predictions.allSatisfy { $0["label"] == nil && $0["probabilities"] == nil })
            if case .number(let seven)? = predictions.first?["value"] { #expect(abs(seven - 7) < 1e-6) }
        }
    }

    @Test("a batch of 2,000 records answers 2,000 predictions in order")
    func batch() async throws {
        let served = try await ServedStore()
        let records = (0..<2000).map { #"{"x": \#($0 % 60), "color": "red"}"# }.joined(separator: ",")
        try await served.application().test(.router) { client in
            let answer = try await client.predict("churn", token: served.churnToken, body: #"{"records": [\#(records)]}"#)
            #expect(answer.status == .ok)
            guard case .array(let predictions)? = try JSON.parse(answer.body)["predictions"] else { Issue.record("no predictions"); return }
            #expect(predictions.count == 2000)
            #expect(predictions.enumerated().allSatisfy { index, prediction in
                prediction["label"] == .string(index % 60 >= 30 ? "yes" : "no")
            })
        }
    }

    @Test("GET /v1/endpoints/{name}: the deployed model's id, version, schema and deployment time")
    func description() async throws {
        let served = try await ServedStore()
        let validator = try OpenAPIValidator()
        let deployed = try #require(try await served.classifier.deployment.history().last)
        try await served.application().test(.router) { client in
            let answer = try await client.send(.get, "/v1/endpoints/churn", token: served.churnToken)
            #expect(answer.status == .ok, "\(answer.body)")
            #expect(validator.problems(path: "/v1/endpoints/{name}", method: "GET", status: 200, body: answer.body) == [])
            let body = try JSON.parse(answer.body)
            #expect(body["name"] == .string("churn"))
            #expect(body["model"]?["id"] == .string(deployed.modelID?.rawValue ?? ""))
            #expect(body["model"]?["schema"]?["label"] == .string("label"))
            #expect(body["model"]?["schema"]?["features"] == .array([
                .object(["name": .string("x"), "type": .string("numeric")]),
                .object(["name": .string("color"), "type": .string("categorical")]),
            ]))
            #expect(body["model"]?["schema"]?["classes"] == .array([.string("no"), .string("yes")]))
            guard case .string(let since)? = body["model"]?["deployedAt"] else { Issue.record("no deployedAt"); return }
            let parsed = try Date(since, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            #expect(abs(parsed.timeIntervalSince(deployed.deployedAt)) < 0.001)
        }
    }

    @Test("health, readiness, the OpenAPI document, unknown routes as JSON, Prometheus metrics per endpoint")
    func operations() async throws {
        let registry = PrometheusCollectorRegistry()
        let served = try await ServedStore(configuration: ServerConfiguration(metrics: .prometheus(registry)))
        let validator = try OpenAPIValidator()
        try await served.application().test(.router) { client in
            let health = try await client.send(.get, "/health")
            #expect(health.status == .ok)
            #expect(validator.problems(path: "/health", method: "GET", status: 200, body: health.body) == [])
            let ready = try await client.send(.get, "/ready")
            #expect(ready.status == .ok)
            #expect(validator.problems(path: "/ready", method: "GET", status: 200, body: ready.body) == [])
            let document = try await client.send(.get, "/openapi.json")
            #expect(document.status == .ok)
            #expect(try JSON.parse(document.body) == validator.document)
            #expect(validator.document["openapi"] == .string("3.0.3"))
            let unknown = try await client.send(.get, "/v2/nothing")
            #expect(unknown.status == .notFound)
            #expect(unknown.errorCode == "not_found")

            _ = try await client.predict("churn", token: served.churnToken, body: #"{"record": {"x": 1, "color": "red"}}"#)
            _ = try await client.predict("churn", token: nil, body: #"{"record": {"x": 1, "color": "red"}}"#)
            _ = try await client.predict("guessed", token: nil, body: "{}")
            let metrics = try await client.send(.get, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.body.contains(#"mlpipe_requests_total{endpoint="churn",status="200"} 1"#), "\(metrics.body)")
            #expect(metrics.body.contains(#"mlpipe_requests_total{endpoint="-",status="401"} 2"#), "\(metrics.body)")
            #expect(metrics.body.contains("mlpipe_request_duration_seconds"))
            #expect(!metrics.body.contains("guessed"))
        }
    }

    @Test("every documented operation has a route, and the document's schemas use only what the validator checks")
    func documentCoverage() async throws {
        let validator = try OpenAPIValidator()
        guard case .object(let schemas)? = validator.document["components"]?["schemas"] else { Issue.record("no schemas"); return }
        for (name, schema) in schemas {
            #expect(validator.unsupportedKeywords(in: schema, at: name) == [])
        }
        guard case .object(let paths)? = validator.document["paths"] else { Issue.record("no paths"); return }
        #expect(Set(paths.keys) == ["/v1/endpoints/{name}/predictions", "/v1/endpoints", "/v1/endpoints/{name}", "/health", "/ready", "/openapi.json"])
    }
}
