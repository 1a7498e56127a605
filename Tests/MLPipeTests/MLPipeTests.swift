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

/// Runs the built `mlpipe` (next to the test bundle) with `arguments`.
func mlpipe(_ arguments: [String], in directory: URL) throws -> Invocation {
    let buildDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var executable: URL?
    for candidate in [buildDirectory, buildDirectory.deletingLastPathComponent()] {
        let url = candidate.appendingPathComponent("mlpipe")
        if FileManager.default.isExecutableFile(atPath: url.path) { executable = url }
    }
    guard let executable else { throw MLPipeMissing(directory: buildDirectory.path) }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // Read both pipes to the end concurrently so neither fills up.
    let errorData = Task.detached { errors.fileHandleForReading.readDataToEndOfFile() }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errorText = String(decoding: try awaitDetached(errorData), as: UTF8.self)
    return Invocation(status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self), stderr: errorText)
}

/// Blocks until a detached task's value is ready (the test helper is synchronous).
func awaitDetached(_ task: Task<Data, Never>) throws -> Data {
    let semaphore = DispatchSemaphore(value: 0)
    let box = DataBox()
    Task {
        box.data = await task.value
        semaphore.signal()
    }
    semaphore.wait()
    return box.data
}

final class DataBox: @unchecked Sendable {
    var data = Data()
}

struct MLPipeMissing: Error, CustomStringConvertible {
    let directory: String
    var description: String { "mlpipe not found near \(directory): build everything first (swift build --build-tests)" }
}

/// The repository root, from this file's location (Tests/MLPipeTests/).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A temporary directory holding a copy of Examples/BreastCancer, removed afterwards.
func withExample(_ body: (URL) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlpipe-e2e-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Examples/BreastCancer"), to: directory)
    defer { try? FileManager.default.removeItem(at: directory) }
    try body(directory)
}

/// A file's bytes, or nil when it does not exist (to prove a store unchanged).
func fingerprint(_ url: URL) -> Data? {
    try? Data(contentsOf: url)
}

@Suite("mlpipe end to end", .serialized)
struct MLPipeTests {
    @Test("the quickstart spec: run --json, predict, models list, history, deploy, rollback")
    func quickstart() throws {
        try withExample { directory in
            let run = try mlpipe(["run", "--spec", "spec.json", "--json"], in: directory)
            #expect(run.status == 0, "\(run.stderr)")
            let object = try #require(try run.json() as? [String: Any])
            #expect(object["pipeline"] as? String == "breast-cancer")
            #expect(object["version"] as? Int == 2)
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
            let predict = try mlpipe(
                ["predict", "--pipeline", "breast-cancer", "--input", "data/new_patients.csv", "--output", "out.csv"], in: directory)
            #expect(predict.status == 0, "\(predict.stderr)")
            let lines = try String(contentsOf: directory.appendingPathComponent("out.csv"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            #expect(lines.first == "id,prediction")
            #expect(lines.count == 31)
            #expect(lines.dropFirst().allSatisfy { $0.hasSuffix(",benign") || $0.hasSuffix(",malignant") })

            let list = try mlpipe(["models", "list", "--json"], in: directory)
            let listed = try #require(try list.json() as? [[String: Any]])
            #expect(listed.count == 1)
            #expect(listed.first?["pipeline"] as? String == "breast-cancer")
            #expect(listed.first?["origin"] as? String == "pipeline")

            // A second run of the same spec: same version, a second model; then deploy, rollback, history.
            let second = try mlpipe(["run", "--spec", "spec.json", "--json", "--jobs", "training,testing"], in: directory)
            #expect(second.status == 0, "\(second.stderr)")
            let secondObject = try #require(try second.json() as? [String: Any])
            #expect(secondObject["version"] as? Int == 2)
            let ids = try #require((secondObject["models"] as? [[String: Any]])?.compactMap { $0["id"] as? String })
            #expect(ids.count == 2)
            let deploy = try mlpipe(["deploy", "--pipeline", "breast-cancer", ids[1], "--json"], in: directory)
            #expect(deploy.status == 0, "\(deploy.stderr)")
            #expect((try deploy.json() as? [String: Any])?["model"] as? String == ids[1])
            let rollback = try mlpipe(["rollback", "--pipeline", "breast-cancer", "--json"], in: directory)
            #expect((try rollback.json() as? [String: Any])?["model"] as? String == ids[0])
            let history = try mlpipe(["history", "--pipeline", "breast-cancer", "--json"], in: directory)
            #expect((try history.json() as? [[String: Any]])?.compactMap { $0["model"] as? String } == [ids[0], ids[1], ids[0]])
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
    func badSpec(_ index: Int) throws {
        let (name, edit, expected) = Self.badSpecs[index]
        try withExample { directory in
            // A store that already holds a pipeline.
            let first = try mlpipe(["run", "--spec", "spec.json", "--jobs", "dataset"], in: directory)
            #expect(first.status == 0, "\(first.stderr)")
            let store = directory.appendingPathComponent(".mlpipe/store.sqlite")
            let wal = directory.appendingPathComponent(".mlpipe/store.sqlite-wal")
            let listBefore = try mlpipe(["pipelines", "list", "--json"], in: directory).stdout
            let before = (fingerprint(store), fingerprint(wal))

            var spec = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("spec.json"))) as? [String: Any])
            edit(&spec)
            try JSONSerialization.data(withJSONObject: spec).write(to: directory.appendingPathComponent("bad.json"))
            let bad = try mlpipe(["run", "--spec", "bad.json"], in: directory)
            #expect(bad.status == 1, "\(name): exit \(bad.status)")
            #expect(bad.stderr.contains(expected), "\(name): \(bad.stderr)")
            #expect(fingerprint(store) == before.0 && fingerprint(wal) == before.1, "\(name): the store's files changed")
            #expect(try mlpipe(["pipelines", "list", "--json"], in: directory).stdout == listBefore)
        }
    }

    @Test("usage errors exit 2; unknown pipelines and models exit 1 with a message")
    func exitCodes() throws {
        try withExample { directory in
            #expect(try mlpipe(["run"], in: directory).status == 2)
            #expect(try mlpipe(["frobnicate"], in: directory).status == 2)
            #expect(try mlpipe(["run", "--spec", "spec.json", "--jobs", "cooking"], in: directory).status == 2)
            #expect(try mlpipe(["--help"], in: directory).status == 0)
            let missing = try mlpipe(["deploy", "--pipeline", "nope", "abc"], in: directory)
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("no pipeline named 'nope'"))
        }
    }

    @Test("triggers add, list and remove; export and import a model")
    func triggersAndTransfer() throws {
        try withExample { directory in
            #expect(try mlpipe(["run", "--spec", "spec.json", "--jobs", "dataset,training"], in: directory).status == 0)
            let added = try mlpipe(["triggers", "add", "--pipeline", "breast-cancer", "--schedule", "@daily", "--json"], in: directory)
            #expect(added.status == 0, "\(added.stderr)")
            let trigger = try #require(try added.json() as? [String: Any])
            let id = try #require(trigger["id"] as? String)
            #expect(trigger["schedule"] as? String != nil)
            let listed = try #require(try mlpipe(["triggers", "list", "--json"], in: directory).json() as? [[String: Any]])
            #expect(listed.compactMap { $0["id"] as? String } == [id])
            let bad = try mlpipe(["triggers", "add", "--pipeline", "breast-cancer", "--schedule", "0 25 * * *"], in: directory)
            #expect(bad.status == 1)
            #expect(bad.stderr.contains("hour"))
            #expect(try mlpipe(["triggers", "remove", id], in: directory).status == 0)
            #expect((try mlpipe(["triggers", "list", "--json"], in: directory).json() as? [Any])?.isEmpty == true)

            let models = try #require(try mlpipe(["models", "list", "--json"], in: directory).json() as? [[String: Any]])
            let model = try #require(models.first?["id"] as? String)
            #expect(try mlpipe(["models", "export", String(model.prefix(8)), "--output", "model.mlpm"], in: directory).status == 0)
            let imported = try mlpipe(["models", "import", "model.mlpm", "--name", "copy", "--json"], in: directory)
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect((try imported.json() as? [String: Any])?["origin"] as? String == "imported")
            var damaged = try Data(contentsOf: directory.appendingPathComponent("model.mlpm"))
            damaged.removeLast(10)
            try damaged.write(to: directory.appendingPathComponent("damaged.mlpm"))
            let refused = try mlpipe(["models", "import", "damaged.mlpm", "--name", "broken"], in: directory)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("invalid model archive"))
        }
    }
}
