import ArgumentParser
import Foundation
import Pipelines

/// `mlpipe pipelines list|show|delete|reset-datasets`.
struct PipelinesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipelines", abstract: "List, show, delete pipelines, or reset their datasets.",
        subcommands: [List.self, Show.self, Delete.self, ResetDatasets.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every pipeline.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let workspace = try await options.workspace()
            var repositories: [RepositoryID: String] = [:]
            for repository in try await workspace.repositories() { repositories[repository.id] = try await repository.record().name }
            var pipelines: [PipelineRecord] = []
            for pipeline in try await workspace.pipelines() { pipelines.append(try await pipeline.record()) }
            if options.json {
                try printJSON(pipelines.map { pipeline -> [String: Any] in
                    ["id": pipeline.id.rawValue, "name": pipeline.name, "repository": repositories[pipeline.repositoryID] ?? "",
                     "version": pipeline.configurationVersion]
                })
            } else {
                print(renderTable(["pipeline", "repository", "version", "id"], pipelines.map {
                    [$0.name, repositories[$0.repositoryID] ?? "", String($0.configurationVersion), $0.id.rawValue]
                }))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a pipeline: configuration, runs, models.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var selected: PipelineArgument

        func run() async throws {
            let workspace = try await options.workspace()
            let handle = try await selected.find(in: workspace)
            let pipeline = try await handle.record()
            let configuration = try await handle.configuration()
            let runs = try await handle.runs()
            let models = try await handle.models()
            let deployed = try await handle.deployment.current()?.id
            let schema = try await handle.datasetSchema()
            if options.json {
                let configurationJSON = try JSONSerialization.jsonObject(with: try configuration.configuration.canonicalJSON())
                try printJSON([
                    "id": pipeline.id.rawValue, "name": pipeline.name, "version": configuration.version,
                    "configuration": configurationJSON,
                    "runs": runs.map { ["id": $0.id.rawValue, "status": $0.status.rawValue, "jobs": $0.jobs.map(\.rawValue),
                                        "startedAt": ISO8601DateFormatter().string(from: $0.startedAt)] },
                    "models": models.map { modelObject($0, deployed: $0.id == deployed, pipelineName: pipeline.name) },
                    "deployed": deployed.map { $0.rawValue as Any } ?? NSNull(),
                    "schema": schema.map { $0.columns.map { ["name": $0.name, "type": $0.type.rawValue] } as Any } ?? NSNull(),
                ])
            } else {
                if configuration.version == 0 {
                    print("pipeline \(pipeline.name), not configured yet")
                } else {
                    print("pipeline \(pipeline.name), configuration version \(configuration.version) (\(configuration.hash.prefix(12)))")
                }
                print(String(decoding: try configuration.configuration.canonicalJSON(pretty: true), as: UTF8.self))
                if let schema {
                    let columns = schema.columns.map { "\($0.name) (\($0.type.rawValue))" }.joined(separator: ", ")
                    print("\ndataset schema (fixed until reset-datasets): \(columns)")
                } else {
                    print("\ndataset schema: none yet (fixed by the first dataset generation)")
                }
                print("\n\(runs.count) run(s); latest: \(runs.first.map { "\($0.status.rawValue) at \($0.startedAt)" } ?? "none")\n")
                print(modelsTable(models, deployed: Set([deployed].compactMap { $0 }), tuned: Set(configuration.configuration.tuning.values.keys)))
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a pipeline (its models stay as standalone models).")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var selected: PipelineArgument

        func run() async throws {
            let workspace = try await options.workspace()
            let handle = try await selected.find(in: workspace)
            let pipeline = try await handle.record()
            try await handle.delete()
            if options.json { try printJSON(["deleted": pipeline.id.rawValue]) } else { print("deleted pipeline \(pipeline.name)") }
        }
    }

    struct ResetDatasets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-datasets", abstract: "Empty a pipeline's training, validation and testing sets.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var selected: PipelineArgument

        func run() async throws {
            let workspace = try await options.workspace()
            let handle = try await selected.find(in: workspace)
            let pipeline = try await handle.record()
            try await handle.resetDatasets()
            if options.json { try printJSON(["reset": pipeline.id.rawValue]) } else { print("reset the datasets of \(pipeline.name)") }
        }
    }
}
