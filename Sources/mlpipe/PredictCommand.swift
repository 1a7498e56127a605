import ArgumentParser
import Foundation
import Pipelines
import Tabular

/// `mlpipe predict --pipeline NAME --input CSV --output CSV`: batch predictions of the
/// deployed model, next to the key columns of the pipeline (all input columns without keys).
struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Predict a CSV file with the pipeline's deployed model.")
    @OptionGroup var options: GlobalOptions
    @OptionGroup var target: PipelineOption
    @Option(help: "The input CSV (a header row with the model's features).") var input: String
    @Option(help: "The output CSV: the key columns and a `prediction` column.") var output: String

    func run() async throws {
        let workspace = try options.workspace()
        let pipeline = try await target.find(in: workspace)
        let table = try CSV.read(contentsOf: URL(fileURLWithPath: input))
        let predictions: Predictions
        do {
            predictions = try await pipeline.deployment.predict(table)
        } catch {
            // The SDK names the pipeline by its id.
            guard case .nothingDeployed = error else { throw error }
            throw CommandFailure("pipeline \(try await pipeline.record().name) has no deployed model")
        }
        let keys = try await pipeline.configuration().configuration.dataset.keys
        var result = keys.isEmpty ? table : try table.selecting(columns: keys)
        if result[PredictionColumn.name] != nil {
            throw CommandFailure("\(input) already has a column named '\(PredictionColumn.name)'")
        }
        try result.setColumn(try PredictionColumn.make(predictions.values))
        try CSV.write(result, to: URL(fileURLWithPath: output))
        if options.json {
            try printJSON(["rows": table.rowCount, "output": output, "model": predictions.modelID.rawValue])
        } else {
            print("predicted \(table.rowCount) rows with model \(predictions.modelID) into \(output)")
        }
    }
}

/// The `prediction` column of batch outputs.
enum PredictionColumn {
    static let name = "prediction"

    /// A column holding `values` in their type (labels keep their original form).
    static func make(_ values: [Value]) throws -> Column {
        let present = values.first { !$0.isMissing }
        switch present {
        case .integer?: return Column(name: name, integer: values.map { if case .integer(let v) = $0 { v } else { nil } })
        case .categorical?: return Column(name: name, categorical: values.map { if case .categorical(let v) = $0 { v } else { nil } })
        case .boolean?: return Column(name: name, boolean: values.map { if case .boolean(let v) = $0 { v } else { nil } })
        default: return Column(name: name, numeric: values.map(\.doubleValue))
        }
    }
}
