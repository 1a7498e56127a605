import Estimators
import LinearAlgebra
import Scoring
import Tabular

/// A pipeline's training rows prepared for fitting: the fitting rows (training minus
/// validation) and the holdout validation rows, each encoded straight from the stored
/// columns into its own matrix (no intermediate row tables, no row copies afterwards).
struct TrainingData: Sendable {
    /// The fitting rows, encoded (every training row without a holdout); empty after
    /// ``releaseMatrices()``.
    private(set) var fitting: Matrix
    /// The fitting rows' targets.
    let fittingTruth: Truth
    /// The holdout validation rows, encoded (nil without a holdout, or after
    /// ``releaseMatrices()``).
    private(set) var validation: Matrix?
    /// The validation rows' targets.
    let validationTruth: Truth?
    /// Fitted on the fitting rows; applied to every later input.
    let featureEncoder: FeatureEncoder
    /// Classifiers: the classes of training and testing.
    let labelEncoder: LabelEncoder?
    /// What the model reads and returns.
    let schema: FeatureSchema
    /// Up to 100 raw rows (validation rows when there are, else fitting rows), for timing
    /// predictions on real records.
    let timingRows: Table
    /// Rows in the testing set.
    let testingRows: Int

    /// The number of rows fitted on.
    let fittingRows: Int
    /// The number of holdout validation rows.
    let validationRows: Int

    /// Frees the design matrices (the counts and encoders stay): once the winning model
    /// is fitted, saving it needs neither, and its encoding should not add to them.
    mutating func releaseMatrices() {
        fitting = Matrix(rows: 0, columns: fitting.columns)
        validation = nil
    }

    /// Encodes the training rows for `task`, with the configuration's missing-value
    /// settings.
    ///
    /// - Parameters:
    ///   - training: The stored training rows (only the selected columns): decoded, or
    ///     their stored encoding read in place.
    ///   - validationIndices: The stored validation rows (indices into `training`).
    ///   - testingLabels: The testing rows' label column, for the classes of a classifier.
    ///   - testingRows: The number of testing rows.
    /// - Throws: ``PipelineError/data(_:)`` for unknown columns, missing or non-numeric
    ///   values; ``PipelineError/notReady(job:reason:)`` when there is nothing to train on.
    /// - Complexity: O(rows × features): one pass per matrix, in cache-sized row blocks.
    static func prepare(
        training: some TrainingRowsSource, validationIndices: [Int], testingLabels: Column?, testingRows: Int, selection: FeatureSelection,
        task: PredictionTask, validation: ValidationSetting, missing: MissingValues
    ) throws(PipelineError) -> TrainingData {
        guard training.rowCount > 0 else {
            throw .notReady(job: .training, reason: "the training set is empty: run dataset generation first")
        }
        var validationRows: [Int] = []
        if case .holdout = validation {
            validationRows = validationIndices
            guard !validationRows.isEmpty else {
                throw .notReady(job: .training, reason: "the datasets have no validation rows for the holdout: run dataset generation again")
            }
        }
        let fitRows: [Int]
        if validationRows.isEmpty {
            fitRows = Array(0..<training.rowCount)
        } else {
            var held = [Bool](repeating: false, count: training.rowCount)
            for row in validationRows { held[row] = true }
            fitRows = (0..<training.rowCount).filter { !held[$0] }
        }
        // The datasets keep only the selected columns: excluded ones are gone already.
        var stored = selection
        let present = Set(training.schema.columns.map(\.name))
        stored.excluded = selection.excluded.filter(present.contains)
        let resolved: FeatureSelection.Resolved
        do { resolved = try stored.resolve(against: training.schema) } catch { throw .data(error) }
        // Imputation is fitted on the fitting rows only, then applied to every row
        // (validation included), and stored with the model for testing and prediction.
        // A row's problem names the row by its key values, not by an index.
        let encoder: FeatureEncoder
        let fitting: Matrix
        var validationMatrix: Matrix?
        do throws(TabularError) {
            encoder = try FeatureEncoder.fit(columns: training, features: resolved.features, rows: fitRows, options: missing.encoderOptions)
            fitting = try encoder.transform(columns: training, rows: validationRows.isEmpty ? nil : fitRows)
            if !validationRows.isEmpty { validationMatrix = try encoder.transform(columns: training, rows: validationRows) }
        } catch {
            throw SourceRows.located(error, in: training, set: "training", keys: resolved.keys)
        }
        // The classes of training and testing (rows of both: an error names no row).
        var labelEncoder: LabelEncoder?
        if task == .classification {
            do {
                var all = try training.column(named: resolved.label)
                if let testingLabels, testingLabels.count > 0 { try all.append(contentsOf: testingLabels) }
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
            let timing = Array((validationRows.isEmpty ? fitRows : validationRows).prefix(100))
            return TrainingData(
                fitting: fitting, fittingTruth: validationRows.isEmpty ? truth : truth.selecting(fitRows),
                validation: validationMatrix, validationTruth: validationRows.isEmpty ? nil : truth.selecting(validationRows),
                featureEncoder: encoder, labelEncoder: labelEncoder, schema: schema,
                timingRows: try training.rows(at: timing), testingRows: testingRows,
                fittingRows: fitting.rows, validationRows: validationMatrix?.rows ?? 0)
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

/// Training rows as the training job reads them: a decoded ``Table`` (the rows dataset
/// generation left in the run), or the stored part read in place (``TableEncodingView``).
protocol TrainingRowsSource: FeatureColumns {
    /// The columns' names and types.
    var schema: Schema { get }
    /// The rows at `indices`, decoded.
    ///
    /// - Throws: ``TabularError/invalidArgument(_:)`` for an index out of range.
    func rows(at indices: [Int]) throws(TabularError) -> Table
}

extension Table: TrainingRowsSource {}
extension TableEncodingView: TrainingRowsSource {}
