import LinearAlgebra
import Tabular

/// Turns prediction records straight into the model's input rows, checking each value
/// against the feature schema (no intermediate table: one allocation for the matrix).
enum RecordInput {
    /// One row per record, encoded as the model's feature encoder does.
    ///
    /// - Throws: ``PipelineError/invalidInput(record:feature:reason:)`` for a missing,
    ///   unknown, null or wrongly typed feature, or an unknown category the encoder refuses.
    /// - Complexity: O(records × features).
    static func matrix(_ records: [[String: Value]], for model: LoadedModel) throws(PipelineError) -> Matrix {
        let encoder = model.bundle.featureEncoder
        let width = model.inputWidth
        var result = Matrix(rows: records.count, columns: width)
        var failure: PipelineError?
        result.withUnsafeMutableElements { out in
            for (index, record) in records.enumerated() {
                if record.count != encoder.features.count || record.keys.contains(where: { model.featureOffsets[$0] == nil }) {
                    if let unknown = record.keys.sorted().first(where: { model.featureOffsets[$0] == nil }) {
                        failure = .invalidInput(record: index, feature: unknown, reason: "not a feature of the model (features: \(encoder.features.map(\.name).joined(separator: ", ")))")
                        return
                    }
                }
                for feature in encoder.features {
                    guard let offset = model.featureOffsets[feature.name] else { continue }
                    guard let value = record[feature.name] else {
                        failure = .invalidInput(record: index, feature: feature.name, reason: "missing")
                        return
                    }
                    if let problem = write(value, of: feature, into: out, at: index * width + offset, unknown: encoder.unknownCategories) {
                        failure = .invalidInput(record: index, feature: feature.name, reason: problem)
                        return
                    }
                }
            }
        }
        if let failure { throw failure }
        return result
    }

    /// Writes one encoded value; returns what is wrong with it, if anything.
    private static func write(
        _ value: Value, of feature: FeatureEncoder.Feature, into out: UnsafeMutableBufferPointer<Double>, at position: Int,
        unknown: FeatureEncoder.UnknownCategoryPolicy
    ) -> String? {
        switch (feature.encoding, value) {
        case (_, .missing):
            return "null"
        case (.numeric, .numeric(let x)) where feature.type == .numeric || feature.type == .integer:
            guard x.isFinite else { return "not a finite number" }
            out[position] = x
        case (.numeric, .integer(let x)) where feature.type == .numeric || feature.type == .integer:
            out[position] = Double(x)
        case (.numeric, .boolean(let b)) where feature.type == .boolean:
            out[position] = b ? 1 : 0
        case (.oneHot(let categories, _), .categorical(let category)):
            if let slot = categories.firstIndex(of: category) {
                out[position + slot] = 1
            } else if unknown == .error {
                return "unknown category '\(category)'"
            }
        default:
            return "expected a \(feature.type.rawValue) value, got \(value)"
        }
        return nil
    }
}
