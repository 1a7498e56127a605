import Foundation
import Pipelines
import PipelinesSQLite
import Testing

/// A started `mlpipe` process whose output goes to files, read when it has exited.
final class RunningMLPipe: @unchecked Sendable {
    let process = Process()
    private let outputURL: URL
    private let errorURL: URL
    private let handles: [FileHandle]

    /// Starts `mlpipe arguments` in `directory`, with `environment` added to this process's.
    init(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws {
        let scratch = directory.appendingPathComponent("process-\(UUID().uuidString)")
        outputURL = scratch.appendingPathExtension("out")
        errorURL = scratch.appendingPathExtension("err")
        for url in [outputURL, errorURL] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        process.executableURL = try mlpipeExecutable()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        handles = [try FileHandle(forWritingTo: outputURL), try FileHandle(forWritingTo: errorURL)]
        process.standardOutput = handles[0]
        process.standardError = handles[1]
        try process.run()
    }

    /// Waits for it to exit (off the cooperative pool) and returns what it did.
    func finish() async throws -> Invocation {
        let process = self.process
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
        for handle in handles { try handle.close() }
        return Invocation(
            status: process.terminationStatus, stdout: String(decoding: try Data(contentsOf: outputURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self))
    }
}

/// The numbers a dataset generation's summary reports.
struct GenerationSummary: Equatable, CustomStringConvertible {
    var generation: Int
    var addedToTesting: Int
    var testingRows: Int

    /// A summary that does not read as expected.
    struct Unreadable: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads "generation N: … K added to testing; … testing T rows" from a `mlpipe run --json` output.
    init(runOutput invocation: Invocation) throws {
        let jobs = (try invocation.json() as? [String: Any])?["jobs"] as? [[String: Any]]
        guard let summary = jobs?.first(where: { $0["job"] as? String == "datasetGeneration" })?["summary"] as? String else {
            throw Unreadable(description: "no dataset generation summary in \(invocation.stdout)")
        }
        generation = try Self.number(in: summary, after: "generation ", before: ":")
        addedToTesting = try Self.number(in: summary, after: " ", before: " added to testing")
        testingRows = try Self.number(in: summary, after: "testing ", before: " rows")
    }

    var description: String { "generation \(generation): +\(addedToTesting) testing, \(testingRows) in all" }

    /// The integer between `after` and `before` in `text`.
    private static func number(in text: String, after: String, before: String) throws -> Int {
        let regex = try NSRegularExpression(
            pattern: NSRegularExpression.escapedPattern(for: after) + "([0-9]+)" + NSRegularExpression.escapedPattern(for: before))
        guard let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text), let value = Int(text[range]) else {
            throw Unreadable(description: "no number between '\(after)' and '\(before)' in '\(text)'")
        }
        return value
    }
}

/// Writes the example's rows split into `parts` files (`part-0.csv`, …: every `parts`-th
/// row from the i-th, so their ids are disjoint) and a spec reading each.
func splitExample(in directory: URL, parts: Int) throws -> [String] {
    let csv = try String(contentsOf: directory.appendingPathComponent("data/breast_cancer.csv"), encoding: .utf8)
    let lines = csv.split(separator: "\n", omittingEmptySubsequences: true)
    let header = try #require(lines.first)
    let spec = try String(contentsOf: directory.appendingPathComponent("spec.json"), encoding: .utf8)
    return try (0..<parts).map { part in
        let rows = lines.dropFirst().enumerated().filter { $0.offset % parts == part }.map(\.element)
        try ([header] + rows).joined(separator: "\n").appending("\n")
            .write(to: directory.appendingPathComponent("data/part-\(part).csv"), atomically: true, encoding: .utf8)
        let specName = "spec-\(part).json"
        try spec.replacingOccurrences(of: "data/breast_cancer.csv", with: "data/part-\(part).csv")
            .write(to: directory.appendingPathComponent(specName), atomically: true, encoding: .utf8)
        return specName
    }
}

extension MLPipeTests {
    @Test("two `mlpipe run --wait` processes racing generations with different inputs: serialized, every testing row kept")
    func racingGenerationsKeepEveryRow() async throws {
        try await withExampleAsync { directory in try await raceGenerations(in: directory) }
    }

    /// Five rounds, each on a fresh store, of two `mlpipe run --wait` processes started at
    /// once with disjoint halves of the example as their inputs.
    private func raceGenerations(in directory: URL) async throws {
        let specs = try splitExample(in: directory, parts: 2)
        for round in 0..<5 {
            let processes = try specs.map { spec in
                try RunningMLPipe(["run", "--spec", spec, "--jobs", "dataset", "--wait", "--json", "--store", "race-\(round).sqlite"],
                                  in: directory)
            }
            var summaries: [GenerationSummary] = []
            for process in processes {
                let invocation = try await process.finish()
                try #require(invocation.status == 0, "round \(round): \(invocation.stderr)")
                summaries.append(try GenerationSummary(runOutput: invocation))
            }
            summaries.sort { $0.generation < $1.generation }
            #expect(summaries.map(\.generation) == [1, 2], "round \(round): one generation after the other, never both 'generation 1'")
            #expect(summaries.allSatisfy { $0.addedToTesting > 0 })
            #expect(summaries.last?.testingRows == summaries.reduce(0) { $0 + $1.addedToTesting },
                    "round \(round): the testing set holds every row either generation added: \(summaries)")
        }
    }

    @Test("`mlpipe run` refuses a pipeline another process runs (saying --wait), and --wait runs it once the lease is freed")
    func runRefusesOrWaits() async throws {
        try await withExampleAsync { directory in
            #expect(try await mlpipe(["run", "--spec", "spec.json", "--jobs", "dataset"], in: directory).status == 0)
            let listed = try #require(try await mlpipe(["pipelines", "list", "--json"], in: directory).json() as? [[String: Any]])
            let pipeline = try #require(listed.first?["id"] as? String)
            // Another process's run: its lease on the pipeline, held from here.
            let store = try SQLiteStore(path: directory.appendingPathComponent(".mlpipe/store.sqlite").path)
            let lease = "pipeline-run:\(pipeline)"
            let held = try await store.acquireLease(lease, owner: "another host pid 1 run 0000", for: 60)
            guard case .acquired = held else { throw CancellationError() }

            let refused = try await mlpipe(["run", "--spec", "spec.json", "--jobs", "dataset"], in: directory)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("pipeline 'breast-cancer' is already running"), "\(refused.stderr)")
            #expect(refused.stderr.contains("run again with --wait"), "\(refused.stderr)")
            let timedOut = try await mlpipe(["run", "--spec", "spec.json", "--jobs", "dataset", "--wait", "--wait-timeout", "0.5"], in: directory)
            #expect(timedOut.status == 1)
            #expect(timedOut.stderr.contains("still running after 0.5 s"), "\(timedOut.stderr)")

            let waiting = try RunningMLPipe(["run", "--spec", "spec.json", "--jobs", "dataset", "--wait", "--json"], in: directory)
            try await Task.sleep(for: .milliseconds(500))
            #expect(waiting.process.isRunning, "it waits while the lease is held")
            #expect(try await store.releaseLease(lease, owner: "another host pid 1 run 0000"))
            let waited = try await waiting.finish()
            #expect(waited.status == 0, "\(waited.stderr)")
            #expect(try GenerationSummary(runOutput: waited).generation == 2)
        }
    }

    @Test("three `mlpipe scheduler` processes on one store run every firing of a `* * * * *` trigger exactly once",
          arguments: CLIStore.available)
    func threeSchedulersFireOnce(_ backend: CLIStore) async throws {
        let arguments = try backend.arguments()
        try await withExampleAsync { directory in
            #expect(try await mlpipe(["run", "--spec", "spec.json", "--jobs", "dataset"] + arguments, in: directory).status == 0)
            let added = try await mlpipe(
                ["triggers", "add", "--pipeline", "breast-cancer", "--schedule", "* * * * *", "--jobs", "dataset", "--json"] + arguments,
                in: directory)
            try #require(added.status == 0, "\(added.stderr)")
            let trigger = try #require((try added.json() as? [String: Any])?["id"] as? String)

            // 30× time: a minute every 2 s; the three processes agree on the origin.
            let environment = ["MLPIPE_CLOCK_RATE": "30", "MLPIPE_CLOCK_ORIGIN": String(Date().timeIntervalSince1970)]
            let schedulers = try (0..<3).map { _ in try RunningMLPipe(["scheduler", "--json"] + arguments, in: directory, environment: environment) }
            try await Task.sleep(for: .seconds(9))
            for scheduler in schedulers { scheduler.process.terminate() }  // SIGTERM: a clean stop
            var lines: [[String: Any]] = []
            for scheduler in schedulers {
                let invocation = try await scheduler.finish()
                #expect(invocation.status == 0, "\(invocation.stderr)")
                lines += try invocation.stdout.split(separator: "\n").map { line in
                    try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
                }
            }

            let byFiring = Dictionary(grouping: lines) { $0["scheduledAt"] as? String ?? "?" }
            #expect(byFiring.count >= 3, "firings seen: \(byFiring.keys.sorted())")
            // The firing due as the SIGTERMs arrive may be left unclaimed ("stopped"), or
            // claimed and its run cancelled by the stop; every earlier one ran once and succeeded.
            let last = byFiring.keys.max()
            for (scheduledAt, reports) in byFiring {
                let ran = reports.filter { $0["outcome"] as? String == "ran" }
                let status = ran.first?["status"] as? String
                if scheduledAt == last {
                    #expect(ran.count <= 1, "\(scheduledAt): \(reports)")
                    #expect(status == nil || status == "succeeded" || status == "cancelled", "\(scheduledAt): \(reports)")
                } else {
                    #expect(ran.count == 1, "\(scheduledAt): \(reports)")
                    #expect(status == "succeeded", "\(scheduledAt): \(reports)")
                }
                #expect(reports.allSatisfy { $0["outcome"] as? String != "failed" && $0["trigger"] as? String == trigger },
                        "no firing failed, a stop is not a failure: \(scheduledAt): \(reports)")
            }
            #expect(lines.contains { $0["outcome"] as? String == "claimedElsewhere" }, "the other schedulers saw the claims")

            // The store holds exactly one run per firing.
            let store = try await CLIStore.open(arguments, in: directory)
            let pipeline = try #require(try await store.pipelines(in: nil).first)
            let fired = try await store.runs(of: pipeline.id).compactMap { run -> Date? in
                if case .trigger(_, let scheduledAt) = run.origin { return scheduledAt } else { return nil }
            }
            #expect(fired.count == Set(fired).count, "no firing ran twice: \(fired.sorted())")
            // Every firing reported as run has its run stored. (A firing claimed just before
            // the stop may have a run but no line.)
            let stored = Set(fired.map { ISO8601DateFormatter().string(from: $0) })
            let reportedRun = byFiring.filter { $0.value.contains { $0["outcome"] as? String == "ran" } }.keys
            #expect(Set(reportedRun).isSubset(of: stored), "runs stored for \(stored.sorted()), reported for \(reportedRun.sorted())")
            print("mlpipe schedulers (\(backend.testDescription)): \(byFiring.count) firings, \(lines.count) lines from 3 processes")
        }
    }
}

/// ``withExample(_:)`` for async bodies.
func withExampleAsync(_ body: (URL) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlpipe-e2e-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Examples/BreastCancer"), to: directory)
    defer { try? FileManager.default.removeItem(at: directory) }
    try await body(directory)
}
