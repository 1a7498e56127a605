import ArgumentParser
import Estimators
import Foundation
import Pipelines
import Tabular

/// Finds a model by its identifier or a unique prefix of it (tables show 8 characters).
func findModel(_ text: String, in workspace: Workspace) async throws -> ModelRecord {
    let registry = workspace.registry
    do {
        return try await registry.model(ModelID(text))
    } catch {
        guard case .notFound = error else { throw error }  // not a whole id: try it as a prefix
    }
    let all = try await registry.models(ModelFilter(), offset: 0, limit: Int.max).models
    let matches = all.filter { $0.id.rawValue.hasPrefix(text.lowercased()) }
    guard let first = matches.first else { throw CommandFailure("no model with id '\(text)'") }
    guard matches.count == 1 else { throw CommandFailure("'\(text)' matches \(matches.count) models: give more of the id") }
    return first
}

/// The name of each pipeline, and the deployed model of every scope.
func registryContext(_ workspace: Workspace) async throws -> (names: [PipelineID: String], deployed: Set<ModelID>) {
    var names: [PipelineID: String] = [:]
    for pipeline in try await workspace.pipelines() { names[pipeline.id] = try await pipeline.record().name }
    let deployed = try await workspace.registry.models(.deployedOnly, offset: 0, limit: Int.max).models.map(\.id)
    return (names, Set(deployed))
}

/// `mlpipe models list|show|test|export|import|erase`.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "The model registry: list, show, test, export, import, erase; a line's endpoints.",
        subcommands: [List.self, Show.self, Test.self, Export.self, Import.self, Erase.self, Endpoint.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List models, oldest first.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Only the models of this pipeline.") var pipeline: String?
        @Option(help: "The pipeline's repository, when several hold a pipeline of that name.") var repository: String?
        @Flag(help: "Only deployed models.") var deployed = false

        func run() async throws {
            let workspace = try await options.workspace()
            var pipelineID: PipelineID?
            if let pipeline { pipelineID = try await findPipeline(pipeline, repository: repository, in: workspace).id }
            let filter = ModelFilter(pipelineID: pipelineID, deployedOnly: deployed)
            let models = try await workspace.registry.models(filter, offset: 0, limit: Int.max).models
            let context = try await registryContext(workspace)
            if options.json {
                try printJSON(models.map {
                    modelObject($0, deployed: context.deployed.contains($0.id), pipelineName: $0.origin.pipelineID.flatMap { context.names[$0] })
                })
            } else {
                print(modelsTable(models, deployed: context.deployed, tuned: nil))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one model.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The model id (or a unique prefix).") var id: String

        func run() async throws {
            let workspace = try await options.workspace()
            let model = try await findModel(id, in: workspace)
            let context = try await registryContext(workspace)
            var object = modelObject(model, deployed: context.deployed.contains(model.id), pipelineName: model.origin.pipelineID.flatMap { context.names[$0] })
            object["features"] = model.schema.features.map { ["name": $0.name, "type": $0.type.rawValue] }
            object["label"] = model.schema.label
            object["classes"] = model.schema.classes.map { $0.map(\.description) } as Any? ?? NSNull()
            object["trainingSeconds"] = model.trainingSeconds
            object["meanPredictionSeconds"] = jsonNumber(model.meanPredictionSeconds)
            if let lineage = model.lineage {
                object["lineage"] = ["datasetGeneration": lineage.datasetGeneration, "trainingRows": lineage.trainingRows,
                                     "validationRows": lineage.validationRows, "testingRows": lineage.testingRows,
                                     "configurationHash": lineage.configurationHash]
            }
            try printJSON(object)
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Compute a pipeline model's testing scores now.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The model id (or a unique prefix).") var id: String

        func run() async throws {
            let workspace = try await options.workspace()
            let tested = try await workspace.registry.test(try await findModel(id, in: workspace).id)
            let context = try await registryContext(workspace)
            if options.json {
                try printJSON(modelObject(tested, deployed: context.deployed.contains(tested.id), pipelineName: tested.origin.pipelineID.flatMap { context.names[$0] }))
            } else {
                print(modelsTable([tested], deployed: context.deployed, tuned: nil))
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export a model to a portable file.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The model id (or a unique prefix).") var id: String
        @Option(help: "The file to write.") var output: String

        func run() async throws {
            let workspace = try await options.workspace()
            let model = try await findModel(id, in: workspace)
            do {
                try await workspace.registry.export(model.id, to: URL(fileURLWithPath: output))
            } catch {
                // The SDK reports the file it could not write as a storage failure: say it plainly.
                guard case .backend(let message) = error, message.hasPrefix("cannot write") else { throw error }
                throw CommandFailure(message)
            }
            if options.json { try printJSON(["exported": model.id.rawValue, "file": output]) } else { print("exported \(model.id) to \(output)") }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a model as a standalone model: an exported archive, or a model payload with its features and label.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "An archive from `models export`, or a model payload (JSON).") var file: String
        @Option(help: "The standalone model's name (an existing name gets a new version).") var name: String
        @Option(help: "The X variables: one name per line, or JSON {\"columns\": [...]} (payloads only).") var features: String?
        @Option(help: "The Y variable's name (payloads only).") var label: String?
        @Option(help: "A classifier's classes in class-index order, comma-separated (payloads only).") var classes: String?

        func run() async throws {
            let workspace = try await options.workspace()
            let url = URL(fileURLWithPath: file)
            let data: Data
            do { data = try Data(contentsOf: url) } catch {
                throw CommandFailure("cannot read \(file): \(error.localizedDescription)")
            }
            let record: ModelRecord
            if let payload = try? ModelPayload(decoding: data) {
                guard let features, let label else {
                    throw CommandFailure("\(file) is a model payload: --features FILE and --label NAME are required")
                }
                let text: String
                do { text = try String(contentsOfFile: features, encoding: .utf8) } catch {
                    throw CommandFailure("cannot read \(features): \(error.localizedDescription)")
                }
                let classValues = classes.map { $0.split(separator: ",").map { Value.categorical(String($0)) } }
                record = try await workspace.registry.importModel(
                    payload: payload, name: name, features: try FeatureList.parse(text), label: label, classes: classValues)
            } else {
                record = try await workspace.registry.importModel(archiveAt: url, name: name)
            }
            if options.json {
                try printJSON(modelObject(record, deployed: false, pipelineName: nil))
            } else {
                print("imported \(record.id) as version \(record.version) of '\(name)'")
            }
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Erase a model (refused while it is deployed).")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The model id (or a unique prefix).") var id: String

        func run() async throws {
            let workspace = try await options.workspace()
            let model = try await findModel(id, in: workspace)
            try await workspace.registry.erase(model.id)
            if options.json { try printJSON(["erased": model.id.rawValue]) } else { print("erased \(model.id)") }
        }
    }
}
