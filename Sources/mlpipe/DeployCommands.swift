import ArgumentParser
import Foundation
import Pipelines

/// `mlpipe deploy --pipeline NAME MODEL_ID`.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deploy", abstract: "Deploy a model of a pipeline.")
    @OptionGroup var options: GlobalOptions
    @OptionGroup var target: PipelineOption
    @Argument(help: "The model id (or a unique prefix).") var model: String

    func run() async throws {
        let workspace = try options.workspace()
        let target = try await self.target.find(in: workspace)
        let chosen = try await findModel(model, in: workspace)
        let current = try await workspace.deployedModelID(of: target.id)
        let record = try await workspace.deploy(chosen.id, in: target.id, expecting: current)
        try report(record, options: options, pipeline: target.name)
    }
}

/// `mlpipe rollback --pipeline NAME`.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Deploy again the model deployed before the current one.")
    @OptionGroup var options: GlobalOptions
    @OptionGroup var target: PipelineOption

    func run() async throws {
        let workspace = try options.workspace()
        let target = try await self.target.find(in: workspace)
        let record = try await workspace.rollback(.pipeline(target.id))
        try report(record, options: options, pipeline: target.name)
    }
}

/// Prints a deployment switch.
private func report(_ record: DeploymentRecord, options: GlobalOptions, pipeline: String) throws {
    if options.json {
        try printJSON(deploymentObject(record))
    } else {
        print("pipeline \(pipeline): deployed \(record.modelID?.rawValue ?? "nothing") (was \(record.previousModelID?.rawValue ?? "nothing"))")
    }
}

private func deploymentObject(_ record: DeploymentRecord) -> [String: Any] {
    ["model": record.modelID.map { $0.rawValue as Any } ?? NSNull(),
     "previous": record.previousModelID.map { $0.rawValue as Any } ?? NSNull(),
     "deployedAt": ISO8601DateFormatter().string(from: record.deployedAt)]
}

/// `mlpipe history --pipeline NAME`.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "The pipeline's deployment history, oldest first.")
    @OptionGroup var options: GlobalOptions
    @OptionGroup var target: PipelineOption

    func run() async throws {
        let workspace = try options.workspace()
        let target = try await self.target.find(in: workspace)
        let history = try await workspace.deploymentHistory(of: target.id)
        if options.json {
            try printJSON(history.map(deploymentObject))
        } else {
            print(renderTable(["deployed at", "model", "previous"], history.map {
                [ISO8601DateFormatter().string(from: $0.deployedAt), $0.modelID?.rawValue ?? "(none)", $0.previousModelID?.rawValue ?? "(none)"]
            }))
        }
    }
}
