import ArgumentParser
import Foundation
import Logging
import Pipelines

/// `mlpipe deploy (--pipeline NAME | --line NAME) MODEL [--expect MODEL|none]`.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy", abstract: "Deploy a model of a pipeline (or of a standalone model line, with --line).",
        discussion: """
            Without --expect the deployment is an atomic swap that succeeds whenever the model can \
            be deployed, whatever was deployed meanwhile (the history records the model really \
            replaced). With --expect it is a compare-and-swap: when another model is deployed, \
            nothing changes and the command exits 1 naming it. Deploying the deployed model \
            changes nothing.
            """)
    @OptionGroup var options: GlobalOptions
    @OptionGroup var target: DeploymentTarget
    @Argument(help: "The model id (or a unique prefix).") var model: String
    @Option(
        help: ArgumentHelp(
            "Deploy only if this model is deployed now (an id or unique prefix, or `none` for no deployed model).",
            valueName: "model"))
    var expect: String?

    func run() async throws {
        let workspace = try await options.workspace()
        let (deployment, name) = try await target.find(in: workspace)
        let chosen = try await findModel(model, in: workspace).id
        let change: DeploymentChange
        if let expect {
            let expected = expect.lowercased() == "none" ? nil : try await findModel(expect, in: workspace).id
            do {
                change = try await deployment.deploy(chosen, ifCurrent: expected)
            } catch {
                guard let found = conflictFound(error) else { throw error }
                throw CommandFailure("\(name): \(describeExpectation(expected, found: found)); nothing changed")
            }
        } else {
            change = try await deployment.deploy(chosen)
        }
        try report(change, options: options, target: name, verb: "deployed")
    }
}

/// `--expect` lost: what it expected and what is deployed.
private func describeExpectation(_ expected: ModelID?, found: ModelID?) -> String {
    let wanted = expected.map { "expected model \($0) to be deployed" } ?? "expected no deployed model"
    return "\(wanted), but " + (found.map { "model \($0) is" } ?? "none is")
}

/// The model a lost compare-and-swap found deployed (`.some(nil)`: none), or nil for
/// any other error.
private func conflictFound(_ error: any Error) -> ModelID?? {
    guard case PipelineError.store(.deploymentConflict(_, _, let found))? = error as? PipelineError else { return nil }
    return .some(found)
}

/// `mlpipe rollback (--pipeline NAME | --line NAME) [--to MODEL]`.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Deploy again the model deployed before the current one (or an earlier one with --to).",
        discussion: """
            Each rollback is a switch like any other, so two rollbacks in a row return to where you \
            started. --to deploys again any model deployed in the pipeline before.
            """)
    @OptionGroup var options: GlobalOptions
    @OptionGroup var target: DeploymentTarget
    @Option(
        help: ArgumentHelp("Deploy again this model (an id or unique prefix), deployed in the pipeline before.", valueName: "model"))
    var to: String?

    func run() async throws {
        let workspace = try await options.workspace()
        let (deployment, name) = try await target.find(in: workspace)
        let change: DeploymentChange
        do {
            if let to {
                change = try await deployment.rollback(to: try await findModel(to, in: workspace).id)
            } else {
                change = try await deployment.rollback()
            }
        } catch let error as PipelineError {
            throw rollbackFailure(error, target: name, model: to)
        }
        try report(change, options: options, target: name, verb: "rolled back to")
    }
}

/// A rollback's failure said with the pipeline's (or line's) name (the SDK names its id).
private func rollbackFailure(_ error: PipelineError, target: String, model: String?) -> any Error {
    switch error {
    case .nothingToRollBack:
        if let model { return CommandFailure("\(target): model \(model) was never deployed in it; nothing to roll back to") }
        return CommandFailure("\(target) has no earlier deployment to roll back to")
    case .store(.deploymentConflict(_, _, let found)):
        let now = found.map { "model \($0) is" } ?? "no model is"
        return CommandFailure("\(target): the deployment changed meanwhile (\(now) deployed now); nothing changed: try again")
    default:
        return error
    }
}

/// `mlpipe undeploy (--pipeline NAME | --line NAME)`.
struct UndeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undeploy", abstract: "Undeploy the pipeline's model: afterwards none is deployed (predictions fail).")
    @OptionGroup var options: GlobalOptions
    @OptionGroup var target: DeploymentTarget

    func run() async throws {
        let workspace = try await options.workspace()
        let (deployment, name) = try await target.find(in: workspace)
        let change = try await deployment.undeploy()
        let changed = change?.changed ?? false
        if options.json {
            var object = change.map { deploymentObject($0.record) } ?? ["model": NSNull(), "previous": NSNull(), "deployedAt": NSNull()]
            object["changed"] = changed
            try printJSON(object)
        } else if let change, changed {
            print("\(name): undeployed \(change.previousModelID?.rawValue ?? "nothing")")
        } else {
            print("\(name): no model is deployed; nothing changed")
        }
    }
}

/// Prints a deployment switch, or that nothing changed.
private func report(_ change: DeploymentChange, options: GlobalOptions, target: String, verb: String) throws {
    let record = change.record
    if options.json {
        var object = deploymentObject(record)
        object["changed"] = change.changed
        try printJSON(object)
    } else if change.changed {
        print("\(target): \(verb) \(record.modelID?.rawValue ?? "nothing") (was \(record.previousModelID?.rawValue ?? "nothing"))")
    } else {
        print("\(target): model \(record.modelID?.rawValue ?? "none") is deployed already; nothing changed")
    }
}

private func deploymentObject(_ record: DeploymentRecord) -> [String: Any] {
    ["model": record.modelID.map { $0.rawValue as Any } ?? NSNull(),
     "previous": record.previousModelID.map { $0.rawValue as Any } ?? NSNull(),
     "deployedAt": ISO8601DateFormatter().string(from: record.deployedAt)]
}

/// `mlpipe history (--pipeline NAME | --line NAME)`.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "The deployment history of a pipeline (or of a standalone model line, with --line), oldest first.")
    @OptionGroup var options: GlobalOptions
    @OptionGroup var target: DeploymentTarget

    func run() async throws {
        let workspace = try await options.workspace()
        let history = try await target.find(in: workspace).deployment.history()
        if options.json {
            try printJSON(history.map(deploymentObject))
        } else {
            print(renderTable(["deployed at", "model", "previous"], history.map {
                [ISO8601DateFormatter().string(from: $0.deployedAt), $0.modelID?.rawValue ?? "(none)", $0.previousModelID?.rawValue ?? "(none)"]
            }))
        }
    }
}
