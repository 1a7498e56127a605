import Foundation
import Testing

/// What one `mlpipe` invocation did.
struct Invocation {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Standard output parsed as JSON.
    func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(stdout.utf8)) }
}

/// The built `mlpipe`, next to the test bundle.
func mlpipeExecutable() throws -> URL {
    let buildDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var executable: URL?
    for candidate in [buildDirectory, buildDirectory.deletingLastPathComponent()] {
        let url = candidate.appendingPathComponent("mlpipe")
        if FileManager.default.isExecutableFile(atPath: url.path) { executable = url }
    }
    guard let executable else { throw MLPipeMissing(directory: buildDirectory.path) }
    return executable
}

/// Runs the built `mlpipe` with `arguments` and waits for it on a thread of its own, not on
/// the cooperative pool (nor a Dispatch worker, which the pool shares on Linux): a pool
/// thread blocked for the seconds a command takes would starve other tests' timers on a
/// 2-core machine.
func mlpipe(_ arguments: [String], in directory: URL) async throws -> Invocation {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try mlpipeBlocking(arguments, in: directory) }) }.start()
    }
}

/// Runs the built `mlpipe` with `arguments` and waits for it, blocking the calling thread
/// (for threads of a test's own). Its output goes to temporary files read after it exits,
/// so this needs no other thread (safe to call from several threads at once) and no pipe
/// can fill up.
func mlpipeBlocking(_ arguments: [String], in directory: URL) throws -> Invocation {
    let executable = try mlpipeExecutable()
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mlpipe-output-\(UUID().uuidString)")
    let outputURL = scratch.appendingPathExtension("out"), errorURL = scratch.appendingPathExtension("err")
    defer {
        try? FileManager.default.removeItem(at: outputURL)
        try? FileManager.default.removeItem(at: errorURL)
    }
    for url in [outputURL, errorURL] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
    let output = try FileHandle(forWritingTo: outputURL), errors = try FileHandle(forWritingTo: errorURL)
    defer {
        try? output.close()
        try? errors.close()
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    process.waitUntilExit()
    return Invocation(
        status: process.terminationStatus, stdout: String(decoding: try Data(contentsOf: outputURL), as: UTF8.self),
        stderr: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self))
}

struct MLPipeMissing: Error, CustomStringConvertible {
    let directory: String
    var description: String { "mlpipe not found near \(directory): build everything first (swift build --build-tests)" }
}

/// The repository root, from this file's location (Tests/MLPipeTests/).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A temporary directory holding a copy of Examples/BreastCancer, removed afterwards.
func withExample(_ body: (URL) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlpipe-e2e-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Examples/BreastCancer"), to: directory)
    defer { try? FileManager.default.removeItem(at: directory) }
    try await body(directory)
}

/// A file's bytes, or nil when it does not exist (to prove a store unchanged).
func fingerprint(_ url: URL) -> Data? {
    try? Data(contentsOf: url)
}

@Suite("mlpipe end to end", .serialized)
struct MLPipeTests {
    @Test("the quickstart spec: run --json, predict, models list, history, deploy, rollback")
    func quickstart() async throws {
        try await withExample { directory in
            let run = try await mlpipe(["run", "--spec", "spec.json", "--json"], in: directory)
            #expect(run.status == 0, "\(run.stderr)")
            let object = try #require(try run.json() as? [String: Any])
            #expect(object["pipeline"] as? String == "breast-cancer")
            #expect(object["version"] as? Int == 1)
            let jobs = try #require(object["jobs"] as? [[String: Any]])
            #expect(jobs.map { $0["job"] as? String } == ["datasetGeneration", "training", "testing", "deployment"])
            #expect(jobs.allSatisfy { $0["status"] as? String == "succeeded" && $0["seconds"] is Double })
            let models = try #require(object["models"] as? [[String: Any]])
            #expect(models.count == 1)
            let model = try #require(models.first)
            for key in ["id", "version", "estimator", "hyperparameters", "validationScore", "testingScores", "status", "deployed"] {
                #expect(model[key] != nil, "model object lacks \(key)")
            }
            #expect(model["status"] as? String == "saved")
            #expect(model["deployed"] as? Bool == true)
            let testing = try #require(model["testingScores"] as? [String: Double])
            #expect(Set(testing.keys) == ["accuracy", "f1", "roc_auc"])
            #expect((testing["accuracy"] ?? 0) > 0.9)
            let parameters = try #require(model["hyperparameters"] as? [String: Any])
            #expect([5, 7, 9].contains(parameters["max_depth"] as? Int ?? -1))
            #expect(object["deployed"] as? String == model["id"] as? String)

            // Batch predictions: the key column and a prediction column, one row per input row.
            let predict = try await mlpipe(
                ["predict", "--pipeline", "breast-cancer", "--input", "data/new_patients.csv", "--output", "out.csv"], in: directory)
            #expect(predict.status == 0, "\(predict.stderr)")
            let lines = try String(contentsOf: directory.appendingPathComponent("out.csv"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            #expect(lines.first == "id,prediction,probability_benign,probability_malignant")
            #expect(lines.count == 31)
            #expect(lines.dropFirst().allSatisfy { line in
                let fields = line.split(separator: ",").map(String.init)
                let probabilities = fields.dropFirst(2).compactMap(Double.init)
                return fields.count == 4 && ["benign", "malignant"].contains(fields[1]) && probabilities.count == 2
                    && abs(probabilities.reduce(0, +) - 1) < 1e-9
            })
            #expect(try String(contentsOf: directory.appendingPathComponent("out.rejects.csv"), encoding: .utf8) == "line,reason,id\n",
                    "no rejects: the header alone (an earlier run's rejects never linger)")

            let list = try await mlpipe(["models", "list", "--json"], in: directory)
            let listed = try #require(try list.json() as? [[String: Any]])
            #expect(listed.count == 1)
            #expect(listed.first?["pipeline"] as? String == "breast-cancer")
            #expect(listed.first?["origin"] as? String == "pipeline")

            // A second run of the same spec: same version, a second model; then deploy, rollback, history.
            let second = try await mlpipe(["run", "--spec", "spec.json", "--json", "--jobs", "training,testing"], in: directory)
            #expect(second.status == 0, "\(second.stderr)")
            let secondObject = try #require(try second.json() as? [String: Any])
            #expect(secondObject["version"] as? Int == 1)
            let ids = try #require((secondObject["models"] as? [[String: Any]])?.compactMap { $0["id"] as? String })
            #expect(ids.count == 2)
            let deploy = try await mlpipe(["deploy", "--pipeline", "breast-cancer", ids[1], "--json"], in: directory)
            #expect(deploy.status == 0, "\(deploy.stderr)")
            let deployed = try #require(try deploy.json() as? [String: Any])
            #expect(deployed["model"] as? String == ids[1])
            #expect(deployed["previous"] as? String == ids[0])
            #expect(deployed["changed"] as? Bool == true)
            // Deploying the deployed model changes nothing, and says so.
            let again = try await mlpipe(["deploy", "--pipeline", "breast-cancer", String(ids[1].prefix(8))], in: directory)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("nothing changed"), "\(again.stdout)")
            let againJSON = try await mlpipe(["deploy", "--pipeline", "breast-cancer", ids[1], "--json"], in: directory)
            #expect((try againJSON.json() as? [String: Any])?["changed"] as? Bool == false)
            let rollback = try await mlpipe(["rollback", "--pipeline", "breast-cancer", "--json"], in: directory)
            #expect(rollback.status == 0, "\(rollback.stderr)")
            #expect((try rollback.json() as? [String: Any])?["model"] as? String == ids[0])
            #expect((try rollback.json() as? [String: Any])?["changed"] as? Bool == true)
            let history = try await mlpipe(["history", "--pipeline", "breast-cancer", "--json"], in: directory)
            #expect((try history.json() as? [[String: Any]])?.compactMap { $0["model"] as? String } == [ids[0], ids[1], ids[0]])
        }
    }

    @Test("deploy --expect is a compare-and-swap; undeploy; rollback --to")
    func deploymentSwitches() async throws {
        try await withExample { directory in
            let first = try await mlpipe(["run", "--spec", "spec.json", "--json"], in: directory)
            #expect(first.status == 0, "\(first.stderr)")
            let second = try await mlpipe(["run", "--spec", "spec.json", "--json", "--jobs", "training,testing"], in: directory)
            #expect(second.status == 0, "\(second.stderr)")
            let ids = try #require(((try second.json() as? [String: Any])?["models"] as? [[String: Any]])?.compactMap { $0["id"] as? String })
            try #require(ids.count == 2)
            let (a, b) = (ids[0], ids[1])  // the first run deployed a
            func history() async throws -> String { try await mlpipe(["history", "--pipeline", "breast-cancer", "--json"], in: directory).stdout }
            func deployedModels() async throws -> [String] {
                let listed = try await mlpipe(["models", "list", "--pipeline", "breast-cancer", "--deployed", "--json"], in: directory)
                return try #require(try listed.json() as? [[String: Any]]).compactMap { $0["id"] as? String }
            }
            func object(_ invocation: Invocation) throws -> [String: Any] {
                #expect(invocation.status == 0, "\(invocation.stderr)")
                return try #require(try invocation.json() as? [String: Any])
            }
            #expect(try await deployedModels() == [a])

            // A compare-and-swap that loses exits 1, names the model it found, and changes nothing.
            let before = try await history()
            for expected in [String(b.prefix(8)), "none"] {
                let lost = try await mlpipe(["deploy", "--pipeline", "breast-cancer", b, "--expect", expected], in: directory)
                #expect(lost.status == 1, "--expect \(expected): exit \(lost.status)")
                #expect(lost.stderr.contains("but model \(a) is"), "\(lost.stderr)")
                #expect(lost.stderr.contains("nothing changed"), "\(lost.stderr)")
                #expect(try await history() == before)
                #expect(try await deployedModels() == [a])
            }

            // One that wins swaps; expecting the deployed model while deploying it changes nothing.
            let won = try object(try await mlpipe(
                ["deploy", "--pipeline", "breast-cancer", b, "--expect", String(a.prefix(8)), "--json"], in: directory))
            #expect(won["model"] as? String == b && won["previous"] as? String == a && won["changed"] as? Bool == true)
            let same = try object(try await mlpipe(["deploy", "--pipeline", "breast-cancer", b, "--expect", b, "--json"], in: directory))
            #expect(same["model"] as? String == b && same["changed"] as? Bool == false)
            #expect(try await deployedModels() == [b])

            // Undeploy: nothing deployed afterwards, predictions refused; a second one changes nothing.
            let undeployed = try object(try await mlpipe(["undeploy", "--pipeline", "breast-cancer", "--json"], in: directory))
            #expect(undeployed["model"] is NSNull && undeployed["previous"] as? String == b && undeployed["changed"] as? Bool == true)
            #expect(try await deployedModels().isEmpty)
            let predict = try await mlpipe(
                ["predict", "--pipeline", "breast-cancer", "--input", "data/new_patients.csv", "--output", "out.csv"], in: directory)
            #expect(predict.status == 1)
            #expect(predict.stderr.contains("pipeline breast-cancer has no deployed model"), "\(predict.stderr)")
            let again = try await mlpipe(["undeploy", "--pipeline", "breast-cancer"], in: directory)
            #expect(again.status == 0 && again.stdout.contains("nothing changed"), "\(again.stdout)\(again.stderr)")
            let fromNone = try object(try await mlpipe(["deploy", "--pipeline", "breast-cancer", a, "--expect", "none", "--json"], in: directory))
            #expect(fromNone["model"] as? String == a && fromNone["previous"] is NSNull && fromNone["changed"] as? Bool == true)

            // Rollback --to a model deployed before; to one never deployed here, refused.
            let back = try object(try await mlpipe(["rollback", "--pipeline", "breast-cancer", "--to", String(b.prefix(8)), "--json"], in: directory))
            #expect(back["model"] as? String == b && back["previous"] as? String == a && back["changed"] as? Bool == true)
            let noop = try await mlpipe(["rollback", "--pipeline", "breast-cancer", "--to", b], in: directory)
            #expect(noop.status == 0 && noop.stdout.contains("nothing changed"), "\(noop.stdout)\(noop.stderr)")
            #expect(try await mlpipe(["models", "export", a, "--output", "a.mlpm"], in: directory).status == 0)
            let copy = try object(try await mlpipe(["models", "import", "a.mlpm", "--name", "copy", "--json"], in: directory))
            let copyID = try #require(copy["id"] as? String)
            let never = try await mlpipe(["rollback", "--pipeline", "breast-cancer", "--to", copyID], in: directory)
            #expect(never.status == 1)
            #expect(never.stderr.contains("was never deployed"), "\(never.stderr)")

            let records = try await #require(try JSONSerialization.jsonObject(with: Data(try history().utf8)) as? [[String: Any]])
            #expect(records.map { $0["model"] as? String } == [a, b, nil, a, b])
            #expect(records.map { $0["previous"] as? String } == [nil, a, b, nil, a])
            #expect(try await deployedModels() == [b])
        }
    }

    /// Specs with one mistake each, the key path the error must name, and what else it says.
    static let badSpecs: [(name: String, edit: @Sendable (inout [String: Any]) -> Void, expected: String)] = [
        ("unknown key", { $0["trainnig"] = ["estimator": "Ridge"] }, "trainnig"),
        ("wrong type", { spec in
            var dataset = spec["dataset"] as? [String: Any] ?? [:]
            dataset["label"] = 5
            spec["dataset"] = dataset
        }, "dataset.label"),
        ("missing file", { spec in
            var dataset = spec["dataset"] as? [String: Any] ?? [:]
            dataset["training"] = "data/missing.csv"
            spec["dataset"] = dataset
        }, "dataset.training"),
        ("unknown estimator", { spec in
            var training = spec["training"] as? [String: Any] ?? [:]
            training["estimator"] = "RandomJungleClassifier"
            spec["training"] = training
        }, "training.estimator"),
        ("unknown score", { spec in
            var training = spec["training"] as? [String: Any] ?? [:]
            training["scores"] = [["name": "accuracy", "primary": true], ["name": "precisionn"]]
            spec["training"] = training
        }, "training.scores[1].name"),
    ]

    @Test("every spec error exits 1, names the key path, and leaves the store unchanged",
          arguments: Array(MLPipeTests.badSpecs.indices))
    func badSpec(_ index: Int) async throws {
        let (name, edit, expected) = Self.badSpecs[index]
        try await withExample { directory in
            // A store that already holds a pipeline.
            let first = try await mlpipe(["run", "--spec", "spec.json", "--jobs", "dataset"], in: directory)
            #expect(first.status == 0, "\(first.stderr)")
            let store = directory.appendingPathComponent(".mlpipe/store.sqlite")
            let wal = directory.appendingPathComponent(".mlpipe/store.sqlite-wal")
            let listBefore = try await mlpipe(["pipelines", "list", "--json"], in: directory).stdout
            let before = (fingerprint(store), fingerprint(wal))

            var spec = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("spec.json"))) as? [String: Any])
            edit(&spec)
            try JSONSerialization.data(withJSONObject: spec).write(to: directory.appendingPathComponent("bad.json"))
            let bad = try await mlpipe(["run", "--spec", "bad.json"], in: directory)
            #expect(bad.status == 1, "\(name): exit \(bad.status)")
            #expect(bad.stderr.contains(expected), "\(name): \(bad.stderr)")
            #expect(fingerprint(store) == before.0 && fingerprint(wal) == before.1, "\(name): the store's files changed")
            #expect(try await mlpipe(["pipelines", "list", "--json"], in: directory).stdout == listBefore)
        }
    }

    @Test("usage errors exit 2; unknown pipelines and models exit 1 with a message")
    func exitCodes() async throws {
        try await withExample { directory in
            #expect(try await mlpipe(["run"], in: directory).status == 2)
            #expect(try await mlpipe(["frobnicate"], in: directory).status == 2)
            #expect(try await mlpipe(["run", "--spec", "spec.json", "--jobs", "cooking"], in: directory).status == 2)
            #expect(try await mlpipe(["--help"], in: directory).status == 0)
            let missing = try await mlpipe(["deploy", "--pipeline", "nope", "abc"], in: directory)
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("no pipeline named 'nope'"))
            #expect(try await mlpipe(["undeploy"], in: directory).status == 2)

            // Two repositories holding a pipeline of one name: --repository says which.
            var spec = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("spec.json"))) as? [String: Any])
            #expect(try await mlpipe(["run", "--spec", "spec.json", "--jobs", "dataset"], in: directory).status == 0)
            spec["repository"] = "Other"
            spec["deployment"] = nil  // the endpoint name `breast-cancer` is the first pipeline's: names are unique
            try JSONSerialization.data(withJSONObject: spec).write(to: directory.appendingPathComponent("other.json"))
            #expect(try await mlpipe(["run", "--spec", "other.json", "--jobs", "dataset"], in: directory).status == 0)
            let ambiguous = try await mlpipe(["pipelines", "show", "breast-cancer"], in: directory)
            #expect(ambiguous.status == 1)
            #expect(ambiguous.stderr.contains("2 pipelines are named 'breast-cancer': say which with --repository"), "\(ambiguous.stderr)")
            let chosen = try await mlpipe(["pipelines", "show", "breast-cancer", "--repository", "Other", "--json"], in: directory)
            #expect(chosen.status == 0, "\(chosen.stderr)")
            #expect((try chosen.json() as? [String: Any])?["version"] as? Int == 1)
            let wrongRepository = try await mlpipe(["undeploy", "--pipeline", "breast-cancer", "--repository", "Nowhere"], in: directory)
            #expect(wrongRepository.status == 1)
            #expect(wrongRepository.stderr.contains("no repository named 'Nowhere'"), "\(wrongRepository.stderr)")
        }
    }

    @Test("triggers add, list and remove; export and import a model")
    func triggersAndTransfer() async throws {
        try await withExample { directory in
            #expect(try await mlpipe(["run", "--spec", "spec.json", "--jobs", "dataset,training"], in: directory).status == 0)
            let added = try await mlpipe(["triggers", "add", "--pipeline", "breast-cancer", "--schedule", "@daily", "--json"], in: directory)
            #expect(added.status == 0, "\(added.stderr)")
            let trigger = try #require(try added.json() as? [String: Any])
            let id = try #require(trigger["id"] as? String)
            #expect(trigger["schedule"] as? String != nil)
            let listed = try #require(try await mlpipe(["triggers", "list", "--json"], in: directory).json() as? [[String: Any]])
            #expect(listed.compactMap { $0["id"] as? String } == [id])
            let bad = try await mlpipe(["triggers", "add", "--pipeline", "breast-cancer", "--schedule", "0 25 * * *"], in: directory)
            #expect(bad.status == 1)
            #expect(bad.stderr.contains("hour"))
            #expect(try await mlpipe(["triggers", "remove", id], in: directory).status == 0)
            #expect((try await mlpipe(["triggers", "list", "--json"], in: directory).json() as? [Any])?.isEmpty == true)

            let models = try #require(try await mlpipe(["models", "list", "--json"], in: directory).json() as? [[String: Any]])
            let model = try #require(models.first?["id"] as? String)
            #expect(try await mlpipe(["models", "export", String(model.prefix(8)), "--output", "model.mlpm"], in: directory).status == 0)
            let imported = try await mlpipe(["models", "import", "model.mlpm", "--name", "copy", "--json"], in: directory)
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect((try imported.json() as? [String: Any])?["origin"] as? String == "imported")
            var damaged = try Data(contentsOf: directory.appendingPathComponent("model.mlpm"))
            damaged.removeLast(10)
            try damaged.write(to: directory.appendingPathComponent("damaged.mlpm"))
            let refused = try await mlpipe(["models", "import", "damaged.mlpm", "--name", "broken"], in: directory)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("invalid model archive"))
        }
    }
}

