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

/// A running `mlpipe serve --port 0 --json …` and where it listens.
struct ServeProcess {
    let process: Process
    /// `http://127.0.0.1:PORT`.
    let url: String
    /// Its stdout (the listening line first) and stderr, as files.
    let output: URL
    let log: URL

    /// Starts `mlpipe serve` on any free port in `directory` with `arguments` more, and waits
    /// for the first line on stdout, which says where it listens.
    static func start(_ arguments: [String], in directory: URL) async throws -> ServeProcess {
        let output = directory.appendingPathComponent("serve.out"), log = directory.appendingPathComponent("serve.log")
        for url in [output, log] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        let server = Process()
        server.executableURL = try mlpipeExecutable()
        server.arguments = ["serve", "--port", "0", "--json"] + arguments
        server.currentDirectoryURL = directory
        server.standardOutput = try FileHandle(forWritingTo: output)
        server.standardError = try FileHandle(forWritingTo: log)
        try server.run()
        var base: String?
        for _ in 0..<300 where base == nil {
            let first = (try? String(contentsOf: output, encoding: .utf8))?.split(separator: "\n").first
            base = first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }?["listening"] as? String
            if base == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard let base else {
            server.terminate()
            throw CommandNotReady(log: String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))
        }
        return ServeProcess(process: server, url: base, output: output, log: log)
    }

    struct CommandNotReady: Error, CustomStringConvertible {
        let log: String
        var description: String { "mlpipe serve did not say where it listens: \(log)" }
    }
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

    @Test("mlpipe serve: a curl-like prediction with a token, 401 without; another process's undeploy and deploy are served within a second; SIGTERM stops it cleanly",
          arguments: CLIStore.available)
    func serve(_ backend: CLIStore) async throws {
        let store = try backend.arguments()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlpipe-serve-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Examples/BreastCancer"), to: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.declareEndpoint("breast-cancer", in: directory)
        let run = try await mlpipe(["run", "--spec", "spec.json", "--json"] + store, in: directory)
        try #require(run.status == 0, "\(run.stderr)")
        let deployed = try #require((try run.json() as? [String: Any])?["deployed"] as? String)
        let created = try await mlpipe(["tokens", "create", "--endpoint", "breast-cancer", "--json"] + store, in: directory)
        let secret = try #require((try created.json() as? [String: Any])?["secret"] as? String)

        let serving = try await ServeProcess.start(store, in: directory)
        let server = serving.process, url = serving.url, log = serving.log
        defer { if server.isRunning { server.terminate() } }

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
        #expect(try await mlpipe(["undeploy", "--pipeline", "breast-cancer"] + store, in: directory).status == 0)
        #expect(try await served(within: 1) { $0.status == 409 }, "the undeploy was not served within a second")
        #expect(try await mlpipe(["deploy", "--pipeline", "breast-cancer", deployed] + store, in: directory).status == 0)
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

extension MLPipeTests {
    @Test("mlpipe predict: --map renames an input column onto a feature, --key and --pass-through are copied, bad rows go to the rejects file")
    func predictWithMappingAndRejects() async throws {
        try await withExample { directory in
            // The spec also declares a table consumer (paths relative to the spec file).
            let specURL = directory.appendingPathComponent("spec.json")
            var spec = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: specURL)) as? [String: Any])
            spec["deployment"] = ["consumers": ["inProcess", ["table": [
                "input": "renamed.csv", "output": "declared/out.csv", "columnMapping": ["radius": "mean_radius"], "passThrough": ["ward"],
            ]]]]
            try JSONSerialization.data(withJSONObject: spec, options: [.prettyPrinted, .sortedKeys]).write(to: specURL)
            // The new patients with `mean_radius` renamed `radius`, a `ward` column, and one bad row.
            let text = try String(contentsOf: directory.appendingPathComponent("data/new_patients.csv"), encoding: .utf8)
            var lines = text.split(whereSeparator: \.isNewline).map(String.init)
            lines[0] = lines[0].replacingOccurrences(of: "mean_radius", with: "radius") + ",ward"
            for index in 1..<lines.count { lines[index] += index == 3 ? ",\"ward, 3\"" : ",w\(index)" }
            var bad = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            bad[1] = "not-a-number"
            lines[2] = bad.joined(separator: ",")
            try (lines.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("renamed.csv"), atomically: true, encoding: .utf8)

            let run = try await mlpipe(["run", "--spec", "spec.json", "--json"], in: directory)
            try #require(run.status == 0, "\(run.stderr)")
            // The run's deployment job ran the declared consumer.
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("declared/out.csv").path))
            let jobs = try #require((try run.json() as? [String: Any])?["jobs"] as? [[String: Any]])
            let deploymentSummary = jobs.last.flatMap { $0["summary"] as? String } ?? ""
            #expect(deploymentSummary.contains("29 predicted, 1 rejected"), "\(deploymentSummary)")
            try FileManager.default.removeItem(at: directory.appendingPathComponent("declared"))

            let refused = try await mlpipe(["predict", "--pipeline", "breast-cancer", "--input", "renamed.csv", "--output", "out.csv"], in: directory)
            #expect(refused.status == 1 && refused.stderr.contains("no column 'mean_radius'"), "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out.csv").path))

            let predicted = try await mlpipe(["predict", "--pipeline", "breast-cancer", "--input", "renamed.csv", "--output", "out.csv",
                                        "--map", "radius=mean_radius", "--pass-through", "ward", "--json"], in: directory)
            #expect(predicted.status == 0, "\(predicted.stderr)")
            let summary = try #require(try predicted.json() as? [String: Any])
            #expect(summary["rows"] as? Int == 30 && summary["predicted"] as? Int == 29 && summary["rejected"] as? Int == 1, "\(summary)")
            let output = try CSVLines(directory.appendingPathComponent("out.csv"))
            #expect(output.header == ["id", "ward", "prediction", "probability_benign", "probability_malignant"])
            #expect(output.rows.count == 29)
            #expect(output.rows[1][1] == "ward, 3", "a quoted pass-through value is copied as it was")
            let rejects = try CSVLines(directory.appendingPathComponent("out.rejects.csv"))
            #expect(rejects.header == ["line", "reason", "id"])
            #expect(rejects.rows.count == 1 && rejects.rows[0][0] == "3" && rejects.rows[0][1].contains("not-a-number"), "\(rejects.rows)")

            // Without --input and --output: the declared table consumer runs.
            let declared = try await mlpipe(["predict", "--pipeline", "breast-cancer", "--json"], in: directory)
            #expect(declared.status == 0, "\(declared.stderr)")
            let batches = try #require(try declared.json() as? [[String: Any]])
            #expect(batches.count == 1 && batches.first?["predicted"] as? Int == 29 && batches.first?["rejected"] as? Int == 1, "\(batches)")
            let written = try CSVLines(directory.appendingPathComponent("declared/out.csv"))
            #expect(written.header == output.header && written.rows == output.rows, "the same batch as with the options given by hand")
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("declared/out.rejects.csv").path))
            let mixed = try await mlpipe(["predict", "--pipeline", "breast-cancer", "--map", "a=b"], in: directory)
            #expect(mixed.status == 2 && mixed.stderr.contains("go with --input"), "\(mixed.stderr)")
        }
    }
}

/// A small CSV read for assertions (quoted fields with commas; no line breaks in fields).
struct CSVLines {
    var header: [String]
    var rows: [[String]]

    init(_ url: URL) throws {
        let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        let parsed = lines.map(Self.fields)
        header = parsed.first ?? []
        rows = Array(parsed.dropFirst())
    }

    static func fields(_ line: String) -> [String] {
        var fields: [String] = [], current = "", quoted = false
        var characters = Array(line)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { current.append("\""); characters.removeFirst() } else { quoted = false }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
