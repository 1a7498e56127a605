import ArgumentParser
import Foundation
import Pipelines
import PipelinesSpec

/// `mlpipe run --spec FILE [--jobs …]`: creates or updates the repository and pipeline from
/// the spec (a changed spec is a new configuration version), then runs the jobs.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Create or update a pipeline from a spec file, then run its jobs.")

    @OptionGroup var options: GlobalOptions

    @Option(help: "The pipeline spec (JSON or YAML).")
    var spec: String

    @Option(help: "Jobs to run, comma-separated: dataset,training,testing,deployment (all by default).")
    var jobs: String = "dataset,training,testing,deployment"

    func validate() throws {
        _ = try parseJobs(jobs)
    }

    func run() async throws {
        let specURL = URL(fileURLWithPath: spec)
        let parsed = try PipelineSpec.load(contentsOf: specURL)
        let requested = try parseJobs(jobs)
        // Check everything before the store is touched: a bad spec changes nothing.
        let checker = Workspace(store: InMemoryStore(), baseDirectory: specURL.deletingLastPathComponent())
        let problems = await checker.problems(in: parsed.configuration)
        if !problems.isEmpty {
            throw CommandFailure("\(spec): the spec has \(problems.count) problem(s):\n" + problems.map { "  - \($0)" }.joined(separator: "\n"))
        }

        let workspace = try options.workspace(baseDirectory: specURL.deletingLastPathComponent())
        let repository: RepositoryRecord
        if let existing = try await workspace.repositories().first(where: { $0.name == parsed.repository }) {
            repository = existing
        } else {
            repository = try await workspace.createRepository(named: parsed.repository)
        }
        let pipeline: PipelineRecord
        if let existing = try await workspace.pipelines(in: repository.id).first(where: { $0.name == parsed.pipeline }) {
            pipeline = existing
        } else {
            pipeline = try await workspace.createPipeline(named: parsed.pipeline, in: repository.id)
        }
        let save = try await workspace.configure(pipeline.id) { $0 = parsed.configuration }

        let run = try await workspace.run(pipeline.id, jobs: requested)
        let progress = ProgressReporter(enabled: !options.json)
        for await event in run.events { progress.show(event) }
        let record = await run.result()
        progress.finish()

        let models = try await workspace.models(of: pipeline.id)
        let deployed = try await workspace.deployedModelID(of: pipeline.id)
        if options.json {
            try printJSON([
                "pipeline": pipeline.name,
                "version": save.record.version,
                "status": record.status.rawValue,
                "jobs": record.outcomes.map { outcome -> [String: Any] in
                    ["job": outcome.job.rawValue, "status": outcome.status.rawValue, "seconds": outcome.seconds,
                     "summary": outcome.summary, "error": outcome.error.map { $0 as Any } ?? NSNull()]
                },
                "models": models.map { modelObject($0, deployed: $0.id == deployed, pipelineName: pipeline.name) },
                "deployed": deployed.map { $0.rawValue as Any } ?? NSNull(),
            ])
        } else {
            print("pipeline \(pipeline.name) (repository \(repository.name)), configuration version \(save.record.version)")
            for outcome in record.outcomes {
                let seconds = String(format: "%.2f", outcome.seconds)
                print("  \(outcome.job.rawValue): \(outcome.status.rawValue) in \(seconds) s\(outcome.summary.isEmpty ? "" : " — \(outcome.summary)")")
            }
            print("")
            print(modelsTable(models, deployed: Set([deployed].compactMap { $0 }), tuned: Set(parsed.configuration.tuning.values.keys)))
            print("")
            print("deployed: \(deployed?.rawValue ?? "none")")
        }
        if record.status != .succeeded {
            throw CommandFailure("the run \(record.status.rawValue): \(record.error ?? "see the jobs above")")
        }
    }
}

/// `dataset,training,…` as jobs.
func parseJobs(_ text: String) throws -> [JobKind] {
    let names: [String: JobKind] = [
        "dataset": .datasetGeneration, "datasetgeneration": .datasetGeneration, "training": .training,
        "testing": .testing, "deployment": .deployment,
    ]
    return try text.split(separator: ",").map { part in
        let name = part.trimmingCharacters(in: .whitespaces).lowercased()
        guard let job = names[name] else {
            throw ValidationError("unknown job '\(part)' (jobs: dataset, training, testing, deployment)")
        }
        return job
    }
}
