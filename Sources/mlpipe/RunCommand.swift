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
        // (Error patterns on typed throws are avoided here: `catch PipelineError.notFound(…)`
        // crashes the Swift 6.3.1 compiler in this function.)
        let repository: Repository
        do {
            repository = try await workspace.repository(named: parsed.repository)
        } catch {
            guard case .notFound(.repositoryNamed) = error else { throw error }
            repository = try await workspace.createRepository(named: parsed.repository)
        }
        let pipeline: Pipeline
        do {
            pipeline = try await repository.pipeline(named: parsed.pipeline)
        } catch {
            guard case .notFound(.pipelineNamed) = error else { throw error }
            pipeline = try await repository.createPipeline(named: parsed.pipeline)
        }
        let save = try await pipeline.configure { $0 = parsed.configuration }

        let run = try await pipeline.run(jobs: requested)
        let progress = ProgressReporter(enabled: !options.json)
        for await event in run.events { progress.show(event) }
        let record = await run.result()
        progress.finish()

        let models = try await pipeline.models()
        let deployed = try await pipeline.deployment.current()?.id
        if options.json {
            try printJSON([
                "pipeline": parsed.pipeline,
                "version": save.record.version,
                "status": record.status.rawValue,
                "jobs": record.outcomes.map { outcome -> [String: Any] in
                    ["job": outcome.job.rawValue, "status": outcome.status.rawValue, "seconds": outcome.seconds,
                     "summary": outcome.summary, "error": outcome.error.map { $0 as Any } ?? NSNull()]
                },
                "models": models.map { modelObject($0, deployed: $0.id == deployed, pipelineName: parsed.pipeline) },
                "deployed": deployed.map { $0.rawValue as Any } ?? NSNull(),
            ])
        } else {
            print("pipeline \(parsed.pipeline) (repository \(parsed.repository)), configuration version \(save.record.version)")
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
