import Estimators
import LinearAlgebra
import Scoring
import Tabular

/// A pipeline's training rows prepared for fitting: encoded features, targets, the rows
/// models are fitted on and the validation rows.
struct TrainingData: Sendable {
    /// Every training row, encoded.
    let x: Matrix
    /// Every training row's target.
    let truth: Truth
    /// Fitted on the fitting rows; applied to every later input.
    let featureEncoder: FeatureEncoder
    /// Classifiers: the classes of training and testing.
    let labelEncoder: LabelEncoder?
    /// What the model reads and returns.
    let schema: FeatureSchema
    /// Rows fitted on (training minus validation with a holdout).
    let fitRows: [Int]
    /// Holdout validation rows (empty otherwise).
    let validationRows: [Int]
    /// The training table (raw), for timing predictions on real records.
    let table: Table
    /// Rows in the testing set.
    let testingRows: Int

    /// Encodes `datasets` for `task`, with the configuration's missing-value settings.
    ///
    /// - Throws: ``PipelineError/data(_:)`` for unknown columns, missing or non-numeric
    ///   values; ``PipelineError/notReady(job:reason:)`` when there is nothing to train on.
    /// - Complexity: O(rows × features).
    static func prepare(
        _ datasets: MLDatasets, selection: FeatureSelection, task: PredictionTask, validation: ValidationSetting,
        missing: MissingValues
    ) throws(PipelineError) -> TrainingData {
        let training = datasets.training
        guard training.rowCount > 0 else {
            throw .notReady(job: .training, reason: "the training set is empty: run dataset generation first")
        }
        var validationRows: [Int] = []
        if case .holdout = validation {
            validationRows = datasets.validationIndices
            guard !validationRows.isEmpty else {
                throw .notReady(job: .training, reason: "the datasets have no validation rows for the holdout: run dataset generation again")
            }
        }
        let held = Set(validationRows)
        let fitRows = (0..<training.rowCount).filter { !held.contains($0) }
        // The datasets keep only the selected columns: excluded ones are gone already.
        var stored = selection
        let present = Set(training.schema.columns.map(\.name))
        stored.excluded = selection.excluded.filter(present.contains)
        let resolved: FeatureSelection.Resolved
        do { resolved = try stored.resolve(against: training.schema) } catch { throw .data(error) }
        // Imputation is fitted on the fitting rows only, then applied to every row
        // (validation included), and stored with the model for testing and prediction.
        // A row's problem names the row by its key values, not by an index.
        let fitting: Table
        do { fitting = try training.rows(at: fitRows) } catch { throw .data(error) }
        let encoder: FeatureEncoder
        do { encoder = try FeatureEncoder.fit(fitting, features: resolved.features, options: missing.encoderOptions) } catch {
            throw SourceRows.located(error, in: fitting, set: "training", keys: resolved.keys)
        }
        let x: Matrix
        do { x = try encoder.transform(training) } catch {
            throw SourceRows.located(error, in: training, set: "training", keys: resolved.keys)
        }
        // The classes of training and testing (rows of both: an error names no row).
        var labelEncoder: LabelEncoder?
        if task == .classification {
            do {
                var all = try training.column(named: resolved.label)
                if datasets.testing.rowCount > 0 { try all.append(contentsOf: try datasets.testing.column(named: resolved.label)) }
                labelEncoder = try LabelEncoder.fit(all)
            } catch {
                throw .data(error)
            }
        }
        do {
            let labelColumn = try training.column(named: resolved.label)
            let truth: Truth
            var classes: [Value]?
            switch (task, labelEncoder) {
            case (.classification, let encoder?):
                truth = .classes(try encoder.encode(labelColumn), count: encoder.classes.count)
                classes = encoder.classes
            default:
                truth = .values(try numericValues(labelColumn))
            }
            let fields = resolved.features.compactMap { name in training.schema[name].map { Schema.Field(name: name, type: $0) } }
            let schema = FeatureSchema(features: fields, label: resolved.label, labelType: labelColumn.type, classes: classes)
            return TrainingData(
                x: x, truth: truth, featureEncoder: encoder, labelEncoder: labelEncoder, schema: schema, fitRows: fitRows,
                validationRows: validationRows, table: training, testingRows: datasets.testing.rowCount)
        } catch {
            throw SourceRows.located(error, in: training, set: "training", keys: resolved.keys)
        }
    }

    /// A label column as numbers.
    ///
    /// - Throws: ``TabularError/missingValue(feature:row:)``, ``TabularError/notNumeric(feature:type:)``.
    static func numericValues(_ column: Column) throws(TabularError) -> [Double] {
        guard column.type != .categorical else { throw .notNumeric(feature: column.name, type: column.type) }
        var values: [Double] = []
        values.reserveCapacity(column.count)
        for row in 0..<column.count {
            guard let value = column[row].doubleValue else { throw .missingValue(feature: column.name, row: row) }
            values.append(value)
        }
        return values
    }
}
