import Foundation
import Testing

/// `mlpipe run` parses each data source at most once (the spec's check, the configuration
/// and the dataset generation share one read), and not at all without dataset generation.
@Suite("mlpipe run: source reads")
struct SourceReadCLITests {
    /// The `data sources: …` line `--verbose` prints on stderr.
    static func sourcesLine(_ invocation: Invocation) -> String {
        invocation.stderr.split(separator: "\n").last { $0.hasPrefix("mlpipe: data sources:") }.map(String.init) ?? "(none)"
    }

    @Test("a run with dataset generation parses the source once; without it, not at all")
    func readsPerRun() async throws {
        try await withExample { directory in
            let first = try await mlpipe(["run", "--spec", "spec.json", "--jobs", "dataset", "--verbose"], in: directory)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(Self.sourcesLine(first).hasPrefix("mlpipe: data sources: 1 read,"), "\(Self.sourcesLine(first))")

            // The same spec, training and testing only: no source is read (nor hashed).
            let training = try await mlpipe(["run", "--spec", "spec.json", "--jobs", "training,testing", "--verbose"], in: directory)
            #expect(training.status == 0, "\(training.stderr)")
            #expect(Self.sourcesLine(training) == "mlpipe: data sources: 0 reads, 0 hashes, 0 reuses")

            // A changed spec is checked against the fingerprint stored with the configuration: no parse.
            var spec = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("spec.json"))) as? [String: Any])
            var preferences = spec["preferences"] as? [String: Any] ?? [:]
            preferences["description"] = "changed"
            spec["preferences"] = preferences
            try JSONSerialization.data(withJSONObject: spec).write(to: directory.appendingPathComponent("changed.json"))
            let changed = try await mlpipe(["run", "--spec", "changed.json", "--jobs", "deployment", "--verbose"], in: directory)
            #expect(changed.status == 0, "\(changed.stderr)")
            #expect(Self.sourcesLine(changed).hasPrefix("mlpipe: data sources: 0 reads,"), "\(Self.sourcesLine(changed))")

            // Every job: the check, the configuration and the generation share one read.
            let all = try await mlpipe(["run", "--spec", "spec.json", "--verbose"], in: directory)
            #expect(all.status == 0, "\(all.stderr)")
            #expect(Self.sourcesLine(all).hasPrefix("mlpipe: data sources: 1 read,"), "\(Self.sourcesLine(all))")

            // A file changed meanwhile is read again, and its problem reported.
            let csv = directory.appendingPathComponent("data/breast_cancer.csv")
            var lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let header = lines[0].split(separator: ",").map(String.init)
            let label = try #require(header.firstIndex(of: "diagnosis"))
            var cells = lines[5].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            cells[label] = ""
            lines[5] = cells.joined(separator: ",")
            try lines.joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
            let refused = try await mlpipe(["run", "--spec", "changed.json", "--jobs", "training", "--verbose"], in: directory)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("dataset.training") && refused.stderr.contains("breast_cancer.csv:6"), "\(refused.stderr)")
        }
    }
}
