import ArgumentParser
import Foundation
import Logging
import Pipelines

/// `mlpipe deploy --pipeline NAME MODEL [--expect MODEL|none]`.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy", abstract: "Deploy a model of a pipeline.",
        discussion: """
            Without --expect the deployment is an atomic swap that succeeds whenever the model can \
            be deployed, whatever was deployed meanwhile (the history records the model really \
            replaced). With --expect it is a compare-and-swap: when another model is deployed, \
            nothing changes and the command exits 1 naming it. Deploying the deployed model \
            changes nothing.
            """)
    @OptionGroup var options: GlobalOptions
    @OptionGroup var target: PipelineOption
    @Argument(help: "The model id (or a unique prefix).") var model: String
    @Option(
        help: ArgumentHelp(
            "Deploy only if this model is deployed now (an id or unique prefix, or `none` for no deployed model).",
            valueName: "model"))
    var expect: String?

    func run() async throws {
        let workspace = try options.workspace()
        let pipeline = try await target.find(in: workspace)
        let name = try await pipeline.record().name
        let chosen = try await findModel(model, in: workspace).id
        let deployment = pipeline.deployment
        let record: DeploymentRecord
        let changed: Bool
        if let expect {
            let expected = expect.lowercased() == "none" ? nil : try await findModel(expect, in: workspace).id
            do {
                record = try await deployment.deploy(chosen, ifCurrent: expected)
            } catch {
                guard let found = conflictFound(error) else { throw error }
                throw CommandFailure("pipeline \(name): \(describeExpectation(expected, found: found)); nothing changed")
            }
            changed = expected != chosen
        } else {
            let outcome = try await deploy(chosen, on: deployment, logger: workspace.logger)
            record = outcome.record
            changed = outcome.changed
        }
        try report(record, changed: changed, options: options, pipeline: name, verb: "deployed")
    }
}

/// `--expect` lost: what it expected and what is deployed.
private func describeExpectation(_ expected: ModelID?, found: ModelID?) -> String {
    let wanted = expected.map { "expected model \($0) to be deployed" } ?? "expected no deployed model"
    return "\(wanted), but " + (found.map { "model \($0) is" } ?? "none is")
}

/// Deploys `model` whatever is deployed meanwhile, and says whether the deployment changed
/// (false when `model` was deployed already).
///
/// `Deployment.deploy(_:)` does not say whether it changed anything, so this reads the
/// deployed model, then compare-and-swaps from it: a swap that succeeds from the model read
/// tells exactly whether a record was appended. A lost race retries from the model the
/// conflict names (another deployment won, so every loss is progress); when every attempt
/// loses, the unconditional `Deployment.deploy(_:)` settles it (its `changed` then comes
/// from one more read, exact unless yet another deployment slips in between).
private func deploy(
    _ model: ModelID, on deployment: Deployment, logger: Logger
) async throws -> (record: DeploymentRecord, changed: Bool) {
    var current = try await deployment.current()?.id
    for _ in 0..<32 {
        do {
            return (try await deployment.deploy(model, ifCurrent: current), current != model)
        } catch {
            guard let found = conflictFound(error) else { throw error }
            logger.debug("\(deployment.scope): another deployment came first (\(found?.rawValue ?? "none") is deployed now); trying again")
            current = found
        }
    }
    logger.debug("\(deployment.scope): every compare-and-swap lost a race; deploying whatever is deployed")
    let before = try await deployment.current()?.id
    return (try await deployment.deploy(model), before != model)
}

/// The model a lost compare-and-swap found deployed (`.some(nil)`: none), or nil for
/// any other error.
private func conflictFound(_ error: PipelineError) -> ModelID?? {
    guard case .store(.deploymentConflict(_, _, let found)) = error else { return nil }
    return .some(found)
}

/// `mlpipe rollback --pipeline NAME [--to MODEL]`.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Deploy again the model deployed before the current one (or an earlier one with --to).",
        discussion: """
            Each rollback is a switch like any other, so two rollbacks in a row return to where you \
            started. --to deploys again any model deployed in the pipeline before.
            """)
    @OptionGroup var options: GlobalOptions
    @OptionGroup var target: PipelineOption
    @Option(
        help: ArgumentHelp("Deploy again this model (an id or unique prefix), deployed in the pipeline before.", valueName: "model"))
    var to: String?

    func run() async throws {
        let workspace = try options.workspace()
        let pipeline = try await target.find(in: workspace)
        let name = try await pipeline.record().name
        let deployment = pipeline.deployment
        let record: DeploymentRecord
        let changed: Bool
        if let to {
            let model = try await findModel(to, in: workspace).id
            let before = try await deployment.current()?.id
            do {
                record = try await deployment.rollback(to: model)
            } catch {
                throw rollbackFailure(error, pipeline: name, model: model)
            }
            changed = before != model
        } else {
            do {
                record = try await deployment.rollback()
            } catch {
                throw rollbackFailure(error, pipeline: name, model: nil)
            }
            changed = true
        }
        try report(record, changed: changed, options: options, pipeline: name, verb: "rolled back to")
    }
}

/// A rollback's failure said with the pipeline's name (the SDK names its id).
private func rollbackFailure(_ error: PipelineError, pipeline: String, model: ModelID?) -> any Error {
    switch error {
    case .nothingToRollBack:
        if let model { return CommandFailure("pipeline \(pipeline): model \(model) was never deployed in it; nothing to roll back to") }
        return CommandFailure("pipeline \(pipeline) has no earlier deployment to roll back to")
    case .store(.deploymentConflict(_, _, let found)):
        let now = found.map { "model \($0) is" } ?? "no model is"
        return CommandFailure("pipeline \(pipeline): the deployment changed meanwhile (\(now) deployed now); nothing changed: try again")
    default:
        return error
    }
}

/// `mlpipe undeploy --pipeline NAME`.
struct UndeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undeploy", abstract: "Undeploy the pipeline's model: afterwards none is deployed (predictions fail).")
    @OptionGroup var options: GlobalOptions
    @OptionGroup var target: PipelineOption

    func run() async throws {
        let workspace = try options.workspace()
        let pipeline = try await target.find(in: workspace)
        let name = try await pipeline.record().name
        let before = try await pipeline.deployment.current()?.id
        let record = try await pipeline.deployment.undeploy()
        let changed = before != nil
        if options.json {
            var object = record.map(deploymentObject) ?? ["model": NSNull(), "previous": NSNull(), "deployedAt": NSNull()]
            object["changed"] = changed
            try printJSON(object)
        } else if changed {
            print("pipeline \(name): undeployed \(before?.rawValue ?? "nothing")")
        } else {
            print("pipeline \(name): no model is deployed; nothing changed")
        }
    }
}

/// Prints a deployment switch, or that nothing changed.
private func report(_ record: DeploymentRecord, changed: Bool, options: GlobalOptions, pipeline: String, verb: String) throws {
    if options.json {
        var object = deploymentObject(record)
        object["changed"] = changed
        try printJSON(object)
    } else if changed {
        print("pipeline \(pipeline): \(verb) \(record.modelID?.rawValue ?? "nothing") (was \(record.previousModelID?.rawValue ?? "nothing"))")
    } else {
        print("pipeline \(pipeline): model \(record.modelID?.rawValue ?? "none") is deployed already; nothing changed")
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
        let pipeline = try await target.find(in: workspace)
        let history = try await pipeline.deployment.history()
        if options.json {
            try printJSON(history.map(deploymentObject))
        } else {
            print(renderTable(["deployed at", "model", "previous"], history.map {
                [ISO8601DateFormatter().string(from: $0.deployedAt), $0.modelID?.rawValue ?? "(none)", $0.previousModelID?.rawValue ?? "(none)"]
            }))
        }
    }
}
