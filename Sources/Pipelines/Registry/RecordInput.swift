import LinearAlgebra
import Tabular

/// Turns prediction records into the model's input rows through the model's feature
/// encoder — the same rule tables go through (``FeatureEncoder/transform(records:)``) — and
/// says what is wrong in the terms of a record.
enum RecordInput {
    /// One row per record, encoded as the model's feature encoder encodes a table.
    ///
    /// - Throws: ``PipelineError/invalidInput(record:feature:reason:)`` for a missing value
    ///   without imputation, an unknown feature, a value of the wrong type, NaN or infinity,
    ///   or an unknown category the encoder refuses.
    /// - Complexity: O(records × features).
    static func matrix(_ records: [[String: Value]], for model: LoadedModel) throws(PipelineError) -> Matrix {
        do {
            return try model.bundle.featureEncoder.transform(records: records)
        } catch {
            throw invalidInput(error)
        }
    }

    /// The record-level error for an encoder error.
    private static func invalidInput(_ error: TabularError) -> PipelineError {
        switch error {
        case let .missingValue(feature, row):
            return .invalidInput(record: row, feature: feature, reason: "missing (null or absent) and the model does not impute it")
        case let .unknownFeature(name, row, features):
            return .invalidInput(record: row, feature: name, reason: "not a feature of the model (features: \(features.joined(separator: ", ")))")
        case let .invalidValue(feature, row, value, expected):
            if case .numeric(let x) = value, !x.isFinite {
                return .invalidInput(record: row, feature: feature, reason: "not a finite number (\(x))")
            }
            return .invalidInput(record: row, feature: feature, reason: "expected a \(expected.rawValue) value, got \(value)")
        case let .unknownCategory(feature, category, row):
            return .invalidInput(record: row, feature: feature, reason: "unknown category '\(category)'")
        default:
            return .data(error)
        }
    }
}
