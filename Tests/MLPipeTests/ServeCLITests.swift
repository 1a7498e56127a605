import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// One HTTP answer.
struct HTTPAnswer {
    var status: Int
    var body: [String: Any]
}

/// Sends one request with URLSession and reads the JSON answer.
func http(_ method: String, _ url: String, token: String? = nil, body: String? = nil) async throws -> HTTPAnswer {
    var request = URLRequest(url: try #require(URL(string: url)))
    request.httpMethod = method
    if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    if let body {
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    let (data, response) = try await URLSession.shared.data(for: request)
    let status = (response as? HTTPURLResponse)?.statusCode ?? 0
    return HTTPAnswer(status: status, body: (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
}

extension MLPipeTests {
    /// The first new patient as a prediction body, with `features` (the deployed model's).
    static func patientBody(features: [String], in directory: URL) throws -> String {
        let text = try String(contentsOf: directory.appendingPathComponent("data/new_patients.csv"), encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline)
        let header = lines[0].split(separator: ",").map(String.init)
        let values = lines[1].split(separator: ",").map(String.init)
        let fields = try features.map { feature in
            let column = try #require(header.firstIndex(of: feature), "no column \(feature)")
            return "\"\(feature)\": \(values[column])"
        }
        return "{\"records\": [{\(fields.joined(separator: ", "))}]}"
    }

    @Test("mlpipe serve: a curl-like prediction with a token, 401 without; another process's undeploy and deploy are served within a second; SIGTERM stops it cleanly")
    func serve() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlpipe-serve-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Examples/BreastCancer"), to: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.declareEndpoint("breast-cancer", in: directory)
        let run = try mlpipe(["run", "--spec", "spec.json", "--json"], in: directory)
        try #require(run.status == 0, "\(run.stderr)")
        let deployed = try #require((try run.json() as? [String: Any])?["deployed"] as? String)
        let created = try mlpipe(["tokens", "create", "--endpoint", "breast-cancer", "--json"], in: directory)
        let secret = try #require((try created.json() as? [String: Any])?["secret"] as? String)

        // Serve on any free port; the first line on stdout says where.
        let output = directory.appendingPathComponent("serve.out"), log = directory.appendingPathComponent("serve.log")
        for url in [output, log] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        let server = Process()
        server.executableURL = try mlpipeExecutable()
        server.arguments = ["serve", "--port", "0", "--json"]
        server.currentDirectoryURL = directory
        server.standardOutput = try FileHandle(forWritingTo: output)
        server.standardError = try FileHandle(forWritingTo: log)
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        var base: String?
        for _ in 0..<300 where base == nil {
            let line = (try? Data(contentsOf: output)).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
            base = line?["listening"] as? String
            if base == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let url = try #require(base, "mlpipe serve did not say where it listens: \(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))")

        let description = try await http("GET", url + "/v1/endpoints/breast-cancer", token: secret)
        #expect(description.status == 200)
        let model = try #require(description.body["model"] as? [String: Any])
        #expect(model["id"] as? String == deployed)
        let features = try #require((model["schema"] as? [String: Any])?["features"] as? [[String: Any]]).compactMap { $0["name"] as? String }
        let body = try Self.patientBody(features: features, in: directory)

        let answer = try await http("POST", url + "/v1/endpoints/breast-cancer/predictions", token: secret, body: body)
        #expect(answer.status == 200, "\(answer.body)")
        #expect((answer.body["model"] as? [String: Any])?["id"] as? String == deployed)
        let prediction = try #require((answer.body["predictions"] as? [[String: Any]])?.first)
        #expect(["malignant", "benign"].contains(prediction["label"] as? String), "\(prediction)")
        let wrong = try await http("POST", url + "/v1/endpoints/breast-cancer/predictions", token: "mlpt_wrong", body: body)
        #expect(wrong.status == 401 && (wrong.body["error"] as? [String: Any])?["code"] as? String == "unauthorized")

        // Another process undeploys, then deploys again: each is served within a second.
        func served(within seconds: Double, _ accept: (HTTPAnswer) -> Bool) async throws -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            repeat {
                if accept(try await http("POST", url + "/v1/endpoints/breast-cancer/predictions", token: secret, body: body)) { return true }
                try await Task.sleep(for: .milliseconds(20))
            } while Date() < deadline
            return false
        }
        #expect(try mlpipe(["undeploy", "--pipeline", "breast-cancer"], in: directory).status == 0)
        #expect(try await served(within: 1) { $0.status == 409 }, "the undeploy was not served within a second")
        #expect(try mlpipe(["deploy", "--pipeline", "breast-cancer", deployed], in: directory).status == 0)
        #expect(try await served(within: 1) { ($0.body["model"] as? [String: Any])?["id"] as? String == deployed },
                "the deploy was not served within a second")

        // SIGTERM: finishes and says so.
        server.terminate()
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        let logged = String(decoding: try Data(contentsOf: log), as: UTF8.self)
        #expect(logged.contains("POST /v1/endpoints/breast-cancer/predictions 200"), "the access log: \(logged.prefix(2000))")
        #expect(logged.contains("mlpipe serve: stopped"), "\(logged.suffix(500))")
        #expect(!logged.contains(secret), "the access log holds no secret")
    }
}
