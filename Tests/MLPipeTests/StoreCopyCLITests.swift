import Foundation
import Testing

@Suite("mlpipe store copy", .serialized)
struct StoreCopyCLITests {
    /// The store to copy into: a fresh PostgreSQL schema of the test server (its URL with a
    /// password that must never be printed; the test server trusts any), or a new SQLite
    /// file when there is no server.
    static func target(in directory: URL) throws -> (store: String, password: String?) {
        guard CLIStore.available.contains(.postgres) else {
            return (directory.appendingPathComponent("copy/store.sqlite").path, nil)
        }
        let arguments = try CLIStore.postgres.arguments()
        guard var components = URLComponents(string: arguments[1]) else { throw CLIStore.CLIStoreMissing() }
        components.password = "not-to-be-printed-5b1e"
        return (components.string ?? arguments[1], components.password)
    }

    @Test("the example's SQLite store copied into an empty store lists the same models, history, endpoints and tokens")
    func copyMatchesSource() async throws {
        try await withExample { directory in
            let run = try await mlpipe(["run", "--spec", "spec.json", "--json"], in: directory)
            #expect(run.status == 0, "\(run.stderr)")
            let object = try #require(try run.json() as? [String: Any])
            let deployed = try #require(object["deployed"] as? String)
            let modelCount = try #require(object["models"] as? [Any]).count
            for arguments in [["tokens", "create", "--endpoint", "breast-cancer", "--label", "billing"],
                              ["undeploy", "--pipeline", "breast-cancer"], ["deploy", "--pipeline", "breast-cancer", deployed]] {
                let step = try await mlpipe(arguments, in: directory)
                #expect(step.status == 0, "\(arguments): \(step.stderr)")
            }
            let (target, password) = try Self.target(in: directory)

            let copy = try await mlpipe(["store", "copy", "--from", ".mlpipe/store.sqlite", "--to", target, "--json"], in: directory)
            #expect(copy.status == 0, "\(copy.stderr)")
            let report = try #require(try copy.json() as? [String: Any])
            #expect(report["verified"] as? Bool == true)
            #expect(report["notCopied"] as? [String] == ["leases", "firingClaims"])
            let kinds = try #require(report["kinds"] as? [[String: Any]])
            var counts: [String: Int] = [:]
            for kind in kinds {
                let name = try #require(kind["kind"] as? String)
                counts[name] = kind["count"] as? Int
                #expect(kind["sourceChecksum"] as? String == kind["targetChecksum"] as? String, "\(name)")
            }
            #expect(counts == ["repositories": 1, "pipelines": 1, "configurations": 1, "datasets": 1, "models": modelCount,
                               "artifacts": modelCount, "deployments": 3, "runs": 1, "triggers": 0, "queuedRuns": 0, "endpoints": 1, "tokens": 1,
                               "folderFiles": 0])
            if let password {
                #expect(!copy.stdout.contains(password) && !copy.stderr.contains(password), "the password is never printed")
            }

            for command in [["models", "list", "--json"], ["history", "--pipeline", "breast-cancer", "--json"], ["endpoints", "list", "--json"],
                            ["tokens", "list", "--json"], ["pipelines", "list", "--json"]] {
                let fromSource = try await mlpipe(command, in: directory)
                let fromTarget = try await mlpipe(command + ["--store", target], in: directory)
                #expect(fromSource.status == 0 && fromTarget.status == 0, "\(command): \(fromSource.stderr) \(fromTarget.stderr)")
                #expect(fromTarget.stdout == fromSource.stdout, "\(command) on the target")
            }
            let history = try #require(try await mlpipe(["history", "--pipeline", "breast-cancer", "--json"], in: directory).json() as? [Any])
            #expect(history.count == 3, "deploy, undeploy, deploy again")

            // A second copy into the same store is refused, and changes nothing.
            let before = try await mlpipe(["models", "list", "--json", "--store", target], in: directory)
            let again = try await mlpipe(["store", "copy", "--from", ".mlpipe/store.sqlite", "--to", target], in: directory)
            #expect(again.status == 1)
            #expect(again.stderr.contains("the target store is not empty (it holds repositories: 1, pipelines: 1, models: \(modelCount), deployment records: 3"),
                    "\(again.stderr)")
            if let password { #expect(!again.stderr.contains(password), "the password is never printed") }
            #expect(try await mlpipe(["models", "list", "--json", "--store", target], in: directory).stdout == before.stdout)
        }
    }

    @Test("copying from a missing SQLite file, or into the same store, is refused")
    func refusals() async throws {
        try await withExample { directory in
            let missing = try await mlpipe(["store", "copy", "--from", "nowhere.sqlite", "--to", "copy.sqlite"], in: directory)
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("--from: no SQLite store at nowhere.sqlite"), "\(missing.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("nowhere.sqlite").path))
            let same = try await mlpipe(["store", "copy", "--from", "a.sqlite", "--to", "sqlite:a.sqlite"], in: directory)
            #expect(same.status == 2)
            #expect(same.stderr.contains("--from and --to name the same store"), "\(same.stderr)")
        }
    }

    @Test("the plain output lists every kind with its count and checksum, then says verified")
    func plainOutput() async throws {
        try await withExample { directory in
            let run = try await mlpipe(["run", "--spec", "spec.json", "--jobs", "dataset"], in: directory)
            #expect(run.status == 0, "\(run.stderr)")
            let copy = try await mlpipe(["store", "copy", "--from", ".mlpipe/store.sqlite", "--to", "copy/store.sqlite"], in: directory)
            #expect(copy.status == 0, "\(copy.stderr)")
            let lines = copy.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "copied .mlpipe/store.sqlite to copy/store.sqlite")
            #expect(lines.contains { $0.hasPrefix("datasets") && $0.contains(" 1 ") })
            #expect(lines.last?.hasPrefix("verified: every kind has the same count and SHA-256 in both stores") == true)
            #expect(copy.stderr.contains("copied 1 dataset snapshots\n"), "progress on stderr: \(copy.stderr)")
        }
    }
}
