import Foundation
import Hummingbird
import HummingbirdTesting
import Pipelines
import PipelinesServer
import Testing

@Suite("Serving: bad input gets a 4xx naming the record and the feature; the server keeps serving")
struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var status: HTTPResponse.Status
        var code: String
        var record: Int?
        var feature: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "malformed JSON", body: #"{"records": [{"x": 1,"#, status: .badRequest, code: "malformed_json"),
        Case(name: "not JSON at all", body: "x=1&color=red", status: .badRequest, code: "malformed_json"),
        Case(name: "empty body", body: "", status: .badRequest, code: "malformed_json"),
        Case(name: "a list, not an object", body: #"[{"x": 1}]"#, status: .badRequest, code: "invalid_request"),
        Case(name: "records not a list", body: #"{"records": {"x": 1}}"#, status: .badRequest, code: "invalid_request"),
        Case(name: "a record not an object", body: #"{"records": [{"x": 1, "color": "red"}, 7]}"#, status: .badRequest,
             code: "invalid_request", record: 1),
        Case(name: "no records", body: #"{"records": []}"#, status: .badRequest, code: "invalid_request"),
        Case(name: "neither key", body: #"{"rows": []}"#, status: .badRequest, code: "invalid_request"),
        Case(name: "both keys", body: #"{"records": [{"x": 1, "color": "red"}], "record": {"x": 1, "color": "red"}}"#,
             status: .badRequest, code: "invalid_request"),
        Case(name: "wrong type", body: #"{"records": [{"x": 1, "color": "red"}, {"x": "ten", "color": "red"}]}"#,
             status: .unprocessableContent, code: "invalid_input", record: 1, feature: "x"),
        Case(name: "boolean for a number", body: #"{"record": {"x": true, "color": "red"}}"#,
             status: .unprocessableContent, code: "invalid_input", record: 0, feature: "x"),
        Case(name: "number for a category", body: #"{"record": {"x": 1, "color": 3}}"#,
             status: .unprocessableContent, code: "invalid_input", record: 0, feature: "color"),
        Case(name: "missing feature", body: #"{"records": [{"x": 1, "color": "red"}, {"x": 1, "color": "red"}, {"x": 4}]}"#,
             status: .unprocessableContent, code: "invalid_input", record: 2, feature: "color"),
        Case(name: "unknown feature", body: #"{"record": {"x": 1, "color": "red", "colour": "red"}}"#,
             status: .unprocessableContent, code: "invalid_input", record: 0, feature: "colour"),
        Case(name: "null", body: #"{"record": {"x": null, "color": "red"}}"#,
             status: .unprocessableContent, code: "invalid_input", record: 0, feature: "x"),
        Case(name: "a list as a value", body: #"{"records": [{"x": 1, "color": "red"}, {"x": [1, 2], "color": "red"}]}"#,
             status: .unprocessableContent, code: "invalid_input", record: 1, feature: "x"),
        Case(name: "an object as a value", body: #"{"record": {"x": 1, "color": {"name": "red"}}}"#,
             status: .unprocessableContent, code: "invalid_input", record: 0, feature: "color"),
        Case(name: "a number out of range", body: #"{"record": {"x": 1e999, "color": "red"}}"#,
             status: .unprocessableContent, code: "invalid_input", record: 0, feature: "x"),
        Case(name: "over the batch limit", body: "{\"records\": [" + Array(repeating: #"{"x": 1, "color": "red"}"#, count: 6)
             .joined(separator: ",") + "]}", status: .contentTooLarge, code: "batch_too_large"),
        Case(name: "over the body limit", body: #"{"records": [{"x": 1, "color": ""# + String(repeating: "r", count: 3000) + #""}]}"#,
             status: .contentTooLarge, code: "body_too_large"),
    ]

    @Test("each bad request gets its status, code, record and feature, as the OpenAPI document says", arguments: cases)
    func badInput(_ bad: Case) async throws {
        let served = try await ServedStore(configuration: ServerConfiguration(bodyLimit: 2000, batchLimit: 5))
        let validator = try OpenAPIValidator()
        try await served.application().test(.router) { client in
            let answer = try await client.predict("churn", token: served.churnToken, body: bad.body)
            #expect(answer.status == bad.status, "\(answer.body)")
            #expect(answer.errorCode == bad.code, "\(answer.body)")
            #expect(answer.errorRecord == bad.record, "\(answer.body)")
            #expect(answer.errorFeature == bad.feature, "\(answer.body)")
            #expect(validator.problems(path: "/v1/endpoints/{name}/predictions", method: "POST", status: Int(answer.status.code),
                                       body: answer.body) == [])
            // Still serving.
            let fine = try await client.predict("churn", token: served.churnToken, body: #"{"record": {"x": 50, "color": "red"}}"#)
            #expect(fine.status == .ok, "\(fine.body)")
        }
    }

    @Test("finite input that overflows the model (a linear model on 1.8e308): 422 naming the record, not a 500")
    func overflowingPrediction() async throws {
        let served = try await ServedStore()
        let validator = try OpenAPIValidator()
        try await served.application().test(.router) { client in
            let body = #"{"records": [{"x": 3}, {"x": 1.7976931348623157e308}]}"#
            let answer = try await client.predict("price", token: served.priceToken, body: body)
            #expect(answer.status == .unprocessableContent, "\(answer.body)")
            #expect(answer.errorCode == "invalid_input")
            #expect(answer.errorRecord == 1)
            #expect(validator.problems(path: "/v1/endpoints/{name}/predictions", method: "POST", status: 422, body: answer.body) == [])
            #expect(try await client.predict("price", token: served.priceToken, body: #"{"record": {"x": 3}}"#).status == .ok)
        }
    }

    @Test("bad input is checked only after the token: without one, the same 401 whatever the body")
    func tokenFirst() async throws {
        let served = try await ServedStore(configuration: ServerConfiguration(bodyLimit: 2000, batchLimit: 5))
        try await served.application().test(.router) { client in
            let answers = try await [
                client.predict("churn", token: nil, body: #"{"records": ["#),
                client.predict("churn", token: nil, body: String(repeating: "x", count: 5000)),
                client.predict("churn", token: nil, body: #"{"record": {"x": "ten"}}"#),
            ]
            #expect(answers.allSatisfy { $0.status == .unauthorized && $0.body == answers[0].body })
        }
    }
}
