import ArgumentParser
import Foundation
import Pipelines
import PipelinesSpec

/// `mlpipe run --spec FILE [--jobs …] [--wait]`: creates or updates the repository and
/// pipeline from the spec (a changed spec is a new configuration version), then runs the
/// jobs. When another process is running the pipeline, it refuses (or, with `--wait`,
/// waits for that run); when another process saved a configuration meanwhile, it re-reads
/// and applies the spec once more before giving up.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Create or update a pipeline from a spec file, then run its jobs.")

    @OptionGroup var options: GlobalOptions

    @Option(help: "The pipeline spec (JSON or YAML).")
    var spec: String

    @Option(help: "Jobs to run, comma-separated: dataset,training,testing,deployment (all by default).")
    var jobs: String = "dataset,training,testing,deployment"

    @Flag(help: "When another process is running the pipeline, wait for it instead of refusing.")
    var wait = false

    @Option(help: "With --wait, the longest wait in seconds before giving up.")
    var waitTimeout: Double = 3_600

    @Flag(help: "Queue the run in the store for an `mlpipe worker` (on any host) instead of running it here.")
    var queue = false

    @Option(help: "With --queue, how many workers may try it: 2 tries it again once if its worker is lost, 1 marks it abandoned.")
    var attempts: Int = 2

    func validate() throws {
        _ = try parseJobs(jobs)
        guard waitTimeout.isFinite, waitTimeout >= 0 else { throw ValidationError("--wait-timeout must be a number of seconds ≥ 0") }
        guard attempts >= 1 else { throw ValidationError("--attempts must be at least 1") }
        if queue && wait { throw ValidationError("--wait and --queue cannot be used together (a worker waits for the pipeline)") }
    }

    func run() async throws {
        let specURL = URL(fileURLWithPath: spec)
        let parsed = try PipelineSpec.load(contentsOf: specURL)
        let requested = try parseJobs(jobs)
        let base = specURL.deletingLastPathComponent()
        // One cache for the check, the configuration and the run: this command parses each
        // data source at most once, and not at all when no dataset is generated and the
        // source still matches the fingerprint stored with the pipeline's configuration.
        let sources = SourceCache()
        let checker = Workspace(store: InMemoryStore(), logger: options.logger(), baseDirectory: base, sourceCache: sources)
        // A run without dataset generation reads no source: when the spec shows no problem
        // without its sources, its pipeline (looked up without writing) says whether the spec
        // changed — an unchanged one is checked by the run against the stored datasets — and
        // checks a changed one against its sources' stored fingerprints.
        var existing: Pipeline?
        var unchanged: ConfigurationRecord?
        let validator = ConfigurationValidator(estimators: checker.estimators, scores: checker.scores)
        if !requested.contains(.datasetGeneration), options.location.mayHoldData,
           validator.problems(in: parsed.configuration, training: nil, testing: nil).isEmpty
        {
            existing = try await existingPipeline(parsed, baseDirectory: base, sourceCache: sources)
            if let current = try await existing?.configuration(), current.version > 0, current.configuration == parsed.configuration {
                unchanged = current
            }
        }
        if unchanged == nil {
            try await check(parsed, checker: checker, existing: existing, sources: sources)
        }

        let workspace = try await options.workspace(baseDirectory: base, sourceCache: sources)
        // (Error patterns on typed throws are avoided here: `catch PipelineError.notFound(…)`
        // crashes the Swift 6.3.1 compiler in this function.)
        // Another process may create the same repository or pipeline at the same moment:
        // then it is found on a second look.
        let repository: Repository
        do {
            repository = try await workspace.repository(named: parsed.repository)
        } catch {
            guard case .notFound(.repositoryNamed) = error else { throw error }
            do {
                repository = try await workspace.createRepository(named: parsed.repository)
            } catch {
                guard case .store(.duplicateName) = error else { throw error }
                repository = try await workspace.repository(named: parsed.repository)
            }
        }
        let pipeline: Pipeline
        do {
            pipeline = try await repository.pipeline(named: parsed.pipeline)
        } catch {
            guard case .notFound(.pipelineNamed) = error else { throw error }
            do {
                pipeline = try await repository.createPipeline(named: parsed.pipeline)
            } catch {
                guard case .store(.duplicateName) = error else { throw error }
                pipeline = try await repository.pipeline(named: parsed.pipeline)
            }
        }
        let version: Int
        if let unchanged {
            version = unchanged.version
        } else {
            version = try await configure(pipeline, with: parsed).record.version
        }

        if queue {
            let queued = try await pipeline.enqueueRun(jobs: requested, configurationVersion: version, maximumAttempts: attempts)
            if options.json {
                try printJSON(["pipeline": parsed.pipeline, "version": version, "queued": queued.id.rawValue, "state": queued.state.rawValue])
            } else {
                print("pipeline \(parsed.pipeline) (repository \(parsed.repository)), configuration version \(version): "
                    + "queued as \(queued.id) for a worker (mlpipe worker)")
            }
            return
        }
        let run: PipelineRun
        do {
            // The version this command saved (or found equal): another process may save its own meanwhile.
            run = try await pipeline.run(
                jobs: requested, ifRunning: wait ? .wait(timeout: .seconds(waitTimeout)) : .refuse,
                configurationVersion: version)
        } catch {
            guard case .alreadyRunning = error else { throw error }
            let hint = wait ? "it was still running after \(waitTimeout) s" : "run again with --wait to wait for it"
            throw CommandFailure("\(error); \(hint)")
        }
        let progress = ProgressReporter(enabled: !options.json)
        for await event in run.events { progress.show(event) }
        let record = await run.result()
        progress.finish()
        if options.verbose { FileHandle.standardError.write(Data("mlpipe: data sources: \(sources.statistics)\n".utf8)) }

        let models = try await pipeline.models()
        let deployed = try await pipeline.deployment.current()?.id
        if options.json {
            try printJSON([
                "pipeline": parsed.pipeline,
                "version": version,
                "status": record.status.rawValue,
                "jobs": record.outcomes.map { outcome -> [String: Any] in
                    ["job": outcome.job.rawValue, "status": outcome.status.rawValue, "seconds": outcome.seconds,
                     "summary": outcome.summary, "error": outcome.error.map { $0 as Any } ?? NSNull(),
                     "phases": outcome.phases.map { ["phase": $0.name, "seconds": $0.seconds] as [String: Any] }]
                },
                "models": models.map { modelObject($0, deployed: $0.id == deployed, pipelineName: parsed.pipeline) },
                "deployed": deployed.map { $0.rawValue as Any } ?? NSNull(),
            ])
        } else {
            print("pipeline \(parsed.pipeline) (repository \(parsed.repository)), configuration version \(version)")
            for outcome in record.outcomes {
                let seconds = String(format: "%.2f", outcome.seconds)
                print("  \(outcome.job.rawValue): \(outcome.status.rawValue) in \(seconds) s\(outcome.summary.isEmpty ? "" : " — \(outcome.summary)")")
                if options.verbose && !outcome.phases.isEmpty {
                    print("    phases: " + outcome.phases.map { "\($0.name) \(String(format: "%.3f", $0.seconds)) s" }.joined(separator: ", "))
                }
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

extension RunCommand {
    /// Checks everything before the store is touched: a bad spec changes nothing. With the
    /// spec's `existing` pipeline, against its datasets' schema and its sources' stored
    /// fingerprints; else on the scratch `checker`. Problems of the dataset step's settings
    /// (not of reading its sources) may come from a column inferred as another type than the
    /// existing pipeline's datasets fixed (`abc` in a numeric column): then the spec is
    /// checked again, reading the store only, against that schema, which names the cell.
    /// (Saving and running check it in any case.)
    ///
    /// - Throws: ``CommandFailure`` listing every problem.
    func check(_ parsed: PipelineSpec, checker: Workspace, existing: Pipeline?, sources: SourceCache) async throws {
        var problems: [ConfigurationProblem]
        if let existing {
            problems = try await existing.problems(in: parsed.configuration)
        } else {
            problems = await checker.problems(in: parsed.configuration)
            let fromSettings = !problems.isEmpty && problems.allSatisfy {
                $0.path.hasPrefix("dataset.") && $0.path != "dataset.training" && $0.path != "dataset.testing"
            }
            if fromSettings, options.location.mayHoldData,
               let existing = try await existingPipeline(parsed, baseDirectory: checker.baseDirectory, sourceCache: sources)
            {
                problems = try await existing.problems(in: parsed.configuration)
            }
        }
        if !problems.isEmpty {
            throw CommandFailure("\(spec): the spec has \(problems.count) problem(s):\n" + problems.map { "  - \($0)" }.joined(separator: "\n"))
        }
    }

    /// The spec's pipeline when the store already holds it (looked up without writing).
    func existingPipeline(_ parsed: PipelineSpec, baseDirectory: URL, sourceCache: SourceCache) async throws -> Pipeline? {
        let workspace = try await options.workspace(baseDirectory: baseDirectory, sourceCache: sourceCache)
        do {
            return try await workspace.repository(named: parsed.repository).pipeline(named: parsed.pipeline)
        } catch {
            guard case .notFound = error else { throw error }
            return nil
        }
    }

    /// Applies the spec's configuration; when another process saved one meanwhile, re-reads
    /// it and applies the spec once more (an equal configuration saves nothing).
    func configure(_ pipeline: Pipeline, with parsed: PipelineSpec) async throws -> ConfigurationSave {
        do {
            return try await pipeline.configure { $0 = parsed.configuration }
        } catch {
            guard case .configurationConflict(let name, let version) = error else { throw error }
            FileHandle.standardError.write(Data(
                "mlpipe: pipeline \(name)'s configuration was changed by someone else (now at version \(version)); applying the spec again\n".utf8))
            return try await pipeline.configure { $0 = parsed.configuration }
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
