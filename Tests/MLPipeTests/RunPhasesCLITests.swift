import Foundation
import Testing

/// `mlpipe run` shows where each job's time went: `phases` in `--json`, a `phases:` line
/// under each job with `--verbose`.
@Suite("mlpipe run: job phases")
struct RunPhasesCLITests {
    @Test("--json gives each job's phases in order; --verbose prints them under each job")
    func phasesShown() async throws {
        try await withExample { directory in
            let run = try await mlpipe(["run", "--spec", "spec.json", "--json", "--jobs", "dataset,training,testing"], in: directory)
            try #require(run.status == 0, "\(run.stderr)")
            let jobs = try #require((try run.json() as? [String: Any])?["jobs"] as? [[String: Any]])
            var names: [String: [String]] = [:]
            for job in jobs {
                let phases = try #require(job["phases"] as? [[String: Any]], "\(job)")
                names[job["job"] as? String ?? "?"] = phases.compactMap { $0["phase"] as? String }
                #expect(phases.allSatisfy { ($0["seconds"] as? Double).map { $0 >= 0 } ?? false }, "\(phases)")
            }
            #expect(names["datasetGeneration"] == ["read", "load", "generate", "encode", "save"])
            #expect(names["training"] == ["load", "encode", "fit", "validate", "save"])
            #expect(names["testing"] == ["load", "score", "save"])

            let verbose = try await mlpipe(["run", "--spec", "spec.json", "--jobs", "training", "--verbose"], in: directory)
            try #require(verbose.status == 0, "\(verbose.stderr)")
            let line = verbose.stdout.split(separator: "\n").first { $0.contains("phases:") }.map(String.init) ?? ""
            #expect(line.hasPrefix("    phases: load ") && line.contains(", fit ") && line.hasSuffix(" s"), "\(verbose.stdout)")
        }
    }
}
