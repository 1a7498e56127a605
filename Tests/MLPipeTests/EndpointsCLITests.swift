import Foundation
import Testing

extension MLPipeTests {
    /// Adds `deployment: {consumers: [inProcess, {endpoint: NAME}]}` to the example's spec.json.
    static func declareEndpoint(_ name: String, in directory: URL) throws {
        let url = directory.appendingPathComponent("spec.json")
        var spec = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        spec["deployment"] = ["consumers": ["inProcess", ["endpoint": name]]]
        try JSONSerialization.data(withJSONObject: spec, options: [.prettyPrinted, .sortedKeys]).write(to: url)
    }

    @Test("endpoints list; tokens create, list and revoke (the secret printed once, never stored); a line's endpoints")
    func endpointsAndTokens() async throws {
        try await withExample { directory in
            try Self.declareEndpoint("breast-cancer", in: directory)
            let run = try await mlpipe(["run", "--spec", "spec.json", "--json"], in: directory)
            #expect(run.status == 0, "\(run.stderr)")
            let deployed = try #require((try run.json() as? [String: Any])?["deployed"] as? String)

            func objects(_ arguments: [String]) async throws -> [[String: Any]] {
                let invocation = try await mlpipe(arguments + ["--json"], in: directory)
                #expect(invocation.status == 0, "\(arguments): \(invocation.stderr)")
                return try #require(try invocation.json() as? [[String: Any]])
            }
            func object(_ arguments: [String]) async throws -> [String: Any] {
                let invocation = try await mlpipe(arguments + ["--json"], in: directory)
                #expect(invocation.status == 0, "\(arguments): \(invocation.stderr)")
                return try #require(try invocation.json() as? [String: Any])
            }

            let endpoints = try await objects(["endpoints", "list"])
            #expect(endpoints.count == 1)
            let endpoint = try #require(endpoints.first)
            #expect(endpoint["name"] as? String == "breast-cancer")
            #expect(endpoint["model"] as? String == deployed)
            #expect(endpoint["version"] as? Int == 1)
            #expect(endpoint["activeTokens"] as? Int == 0)
            let owner = try #require(endpoint["owner"] as? [String: Any])
            #expect(owner["kind"] as? String == "pipeline" && owner["name"] as? String == "breast-cancer")
            #expect(owner["repository"] as? String == "Default")
            let table = try await mlpipe(["endpoints", "list"], in: directory)
            #expect(table.stdout.contains("breast-cancer  pipeline breast-cancer  \(deployed.prefix(8))"), "\(table.stdout)")

            // Create: the secret once on stdout, a warning on stderr.
            let created = try await mlpipe(["tokens", "create", "--endpoint", "breast-cancer", "--label", "ci", "--expires-in", "30d", "--json"],
                                     in: directory)
            #expect(created.status == 0, "\(created.stderr)")
            #expect(created.stderr.contains("not stored"), "\(created.stderr)")
            let token = try #require(try created.json() as? [String: Any])
            let secret = try #require(token["secret"] as? String)
            let id = try #require(token["id"] as? String)
            #expect(secret.hasPrefix("mlpt_\(id)_"))
            #expect(token["label"] as? String == "ci" && token["status"] as? String == "active")
            #expect(token["expiresAt"] is String)
            let plain = try await mlpipe(["tokens", "create", "--endpoint", "breast-cancer"], in: directory)
            #expect(plain.status == 0 && plain.stdout.contains("secret: mlpt_") && plain.stdout.contains("never expires"), "\(plain.stdout)")

            let unknown = try await mlpipe(["tokens", "create", "--endpoint", "nowhere"], in: directory)
            #expect(unknown.status == 1 && unknown.stderr.contains("no endpoint named 'nowhere'"), "\(unknown.stderr)")
            let badExpiry = try await mlpipe(["tokens", "create", "--endpoint", "breast-cancer", "--expires-in", "2 weeks"], in: directory)
            #expect(badExpiry.status == 2 && badExpiry.stderr.contains("bad duration '2 weeks'"), "\(badExpiry.stderr)")

            // List: never a secret; the store holds no secret either.
            let listed = try await mlpipe(["tokens", "list", "--endpoint", "breast-cancer", "--json"], in: directory)
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(!listed.stdout.contains(secret))
            let tokens = try #require(try listed.json() as? [[String: Any]])
            #expect(tokens.count == 2 && tokens.first?["id"] as? String == id && tokens.allSatisfy { $0["secret"] == nil })
            let secretPart = String(secret.dropFirst("mlpt_\(id)_".count))
            #expect(secretPart.count == 43)
            for file in [".mlpipe/store.sqlite", ".mlpipe/store.sqlite-wal"] {
                let bytes = (try? Data(contentsOf: directory.appendingPathComponent(file))) ?? Data()
                #expect(bytes.range(of: Data(secretPart.utf8)) == nil, "\(file) holds the secret")
            }
            let noEndpoint = try await mlpipe(["tokens", "list", "--endpoint", "nowhere"], in: directory)
            #expect(noEndpoint.status == 1 && noEndpoint.stderr.contains("no endpoint named 'nowhere'"), "\(noEndpoint.stderr)")
            #expect(try await objects(["endpoints", "list"]).first?["activeTokens"] as? Int == 2)

            // Revoke by a prefix; again is harmless and says so.
            let revoked = try await object(["tokens", "revoke", String(id.prefix(8))])
            #expect(revoked["id"] as? String == id && revoked["status"] as? String == "revoked")
            let again = try await mlpipe(["tokens", "revoke", id], in: directory)
            #expect(again.status == 0 && again.stdout.contains("revoked already"), "\(again.stdout)\(again.stderr)")
            #expect(try await objects(["tokens", "list"]).map { $0["status"] as? String } == ["revoked", "active"])
            let missing = try await mlpipe(["tokens", "revoke", "ffffffff"], in: directory)
            #expect(missing.status == 1 && missing.stderr.contains("no token with id 'ffffffff'"), "\(missing.stderr)")

            // A standalone line: export the model, import it as `gate`, give it an endpoint.
            #expect(try await mlpipe(["models", "export", deployed, "--output", "model.mlmodel"], in: directory).status == 0)
            #expect(try await mlpipe(["models", "import", "model.mlmodel", "--name", "gate"], in: directory).status == 0)
            let set = try await object(["models", "endpoint", "gate", "--set", "gate", "--set", "gate-v2"])
            #expect(set["endpoints"] as? [String] == ["gate", "gate-v2"])
            let taken = try await mlpipe(["models", "endpoint", "gate", "--set", "breast-cancer"], in: directory)
            #expect(taken.status == 1 && taken.stderr.contains("'breast-cancer' is taken"), "\(taken.stderr)")
            let badName = try await mlpipe(["models", "endpoint", "gate", "--set", "Gate"], in: directory)
            #expect(badName.status == 1 && badName.stderr.contains("lowercase"), "\(badName.stderr)")
            let both = try await mlpipe(["models", "endpoint", "gate", "--set", "gate", "--clear"], in: directory)
            #expect(both.status == 2)
            let all = try await objects(["endpoints", "list"])
            #expect(all.map { $0["name"] as? String } == ["breast-cancer", "gate", "gate-v2"])
            #expect((all[1]["owner"] as? [String: Any])?["kind"] as? String == "line")
            #expect((all[1]["owner"] as? [String: Any])?["name"] as? String == "gate")
            #expect(all[1]["model"] is NSNull)
            // The line's model is deployed with `deploy --line`: its endpoints now serve it.
            let lineModel = try await #require(try objects(["models", "list"]).last?["id"] as? String)
            let lineDeploy = try await mlpipe(["deploy", "--line", "gate", lineModel], in: directory)
            #expect(lineDeploy.status == 0 && lineDeploy.stdout.contains("model line gate: deployed"), "\(lineDeploy.stdout)\(lineDeploy.stderr)")
            #expect(try await objects(["endpoints", "list"])[1]["model"] as? String == lineModel)
            #expect(try await objects(["history", "--line", "gate"]).map { $0["model"] as? String } == [lineModel])
            #expect(try await mlpipe(["deploy", "--line", "gate", "--pipeline", "breast-cancer", lineModel], in: directory).status == 2)
            #expect(try await mlpipe(["undeploy", "--line", "gate", "--repository", "Default"], in: directory).status == 2)
            #expect(try await mlpipe(["undeploy", "--line", "gate"], in: directory).status == 0)
            let shown = try await mlpipe(["models", "endpoint", "gate"], in: directory)
            #expect(shown.stdout.contains("serves endpoints gate, gate-v2"), "\(shown.stdout)")
            let cleared = try await object(["models", "endpoint", "gate", "--clear"])
            #expect(cleared["endpoints"] as? [String] == [])
            #expect(try await objects(["endpoints", "list"]).map { $0["name"] as? String } == ["breast-cancer"])
        }
    }
}
