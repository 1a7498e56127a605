import Estimators
import Foundation
import Pipelines

/// Writes `value` as pretty JSON with sorted keys on stdout.
func printJSON(_ value: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

/// A hyper-parameter value as plain JSON.
func jsonValue(_ value: HyperParameterValue) -> Any {
    switch value {
    case .int(let v): return v
    case .double(let v): return v
    case .string(let v): return v
    case .bool(let v): return v
    case .none: return NSNull()
    }
}

/// A number for JSON (non-finite numbers become null).
func jsonNumber(_ value: Double?) -> Any {
    guard let value, value.isFinite else { return NSNull() }
    return value
}

/// The model object of `--json` outputs (the public contract in Documentation/CLI.md).
func modelObject(_ model: ModelRecord, deployed: Bool, pipelineName: String?) -> [String: Any] {
    let origin: String
    switch model.origin {
    case .pipeline: origin = "pipeline"
    case .orphaned: origin = "orphaned"
    case .imported: origin = "imported"
    }
    return [
        "id": model.id.rawValue,
        "version": model.version,
        "estimator": model.estimator,
        "hyperparameters": model.hyperParameters.mapValues(jsonValue),
        "validationScore": jsonNumber(model.validationScore?.value),
        "testingScores": testingScoresObject(model.testingScores),
        "status": model.status == .rejected ? "rejected" : "saved",
        "tested": model.status != .saved,
        "deployed": deployed,
        "pipeline": pipelineName.map { $0 as Any } ?? NSNull(),
        "origin": origin,
        "createdAt": ISO8601DateFormatter().string(from: model.createdAt),
    ]
}

/// Testing scores as a JSON object, name → value (JSON objects are unordered: the
/// configured order, primary first, is the order of the models table's columns).
func testingScoresObject(_ scores: [ScoreValue]) -> [String: Any] {
    var object: [String: Any] = [:]
    for score in scores where object[score.name] == nil { object[score.name] = jsonNumber(score.value) }
    return object
}

/// The testing score names of `models` in their configured order (primary first), each once.
func testingScoreNames(_ models: [ModelRecord]) -> [String] {
    var seen: Set<String> = []
    return models.flatMap { $0.testingScores.map(\.name) }.filter { seen.insert($0).inserted }
}

/// A plain-text table with aligned columns.
func renderTable(_ header: [String], _ rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for row in rows {
        for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
}

/// A score for a table cell.
func format(_ value: Double?) -> String {
    guard let value else { return "-" }
    return String(format: "%.4f", value)
}

/// Hyper-parameters for a table cell, the tuned ones first.
func describeParameters(_ parameters: [String: HyperParameterValue], only names: Set<String>? = nil) -> String {
    parameters.keys.sorted().filter { names?.contains($0) ?? true }.compactMap { key in
        parameters[key].map { "\(key)=\($0)" }
    }.joined(separator: " ")
}

/// The models table of `run` and `models list`.
func modelsTable(_ models: [ModelRecord], deployed: Set<ModelID>, tuned: Set<String>?) -> String {
    let scoreNames = testingScoreNames(models)
    let header = ["model", "version", "estimator", "parameters", "validation"] + scoreNames.map { "test \($0)" } + ["status", "deployed"]
    let rows = models.map { model -> [String] in
        [String(model.id.rawValue.prefix(8)), String(model.version), model.estimator,
         describeParameters(model.hyperParameters, only: tuned), format(model.validationScore?.value)]
            + scoreNames.map { format(model.testingScore(named: $0)) }
            + [model.status.rawValue, deployed.contains(model.id) ? "*" : ""]
    }
    return renderTable(header, rows)
}
