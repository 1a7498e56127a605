public import Estimators
public import Scoring
public import Tabular

/// What validation knows about a source: its columns and row count.
public struct SourceSummary: Sendable, Hashable {
    /// The columns and their types.
    public var schema: Schema
    /// The number of rows.
    public var rowCount: Int

    /// A source summary.
    public init(schema: Schema, rowCount: Int) {
        self.schema = schema
        self.rowCount = rowCount
    }

    /// The summary of a table.
    public init(_ table: Table) {
        self.init(schema: table.schema, rowCount: table.rowCount)
    }
}

/// Finds **every** problem of a configuration at once, so a user fixes them in one go.
///
/// ```swift
/// let problems = ConfigurationValidator(estimators: .standard, scores: .standard)
///     .problems(in: config, training: summary, testing: nil)
/// ```
public struct ConfigurationValidator: Sendable {
    /// The estimators a configuration may name.
    public var estimators: EstimatorCatalog
    /// The scoring functions a configuration may name.
    public var scores: ScoringCatalog

    /// A validator over these catalogs.
    public init(estimators: EstimatorCatalog, scores: ScoringCatalog) {
        self.estimators = estimators
        self.scores = scores
    }

    /// Every problem of `configuration`.
    ///
    /// - Parameters:
    ///   - configuration: The configuration to check.
    ///   - training: The training source's summary, when it could be read (a read
    ///     failure is the caller's problem to report at `dataset.training`).
    ///   - testing: The testing source's summary, if separate and readable.
    /// - Returns: Invalid and incomplete problems, in step order.
    /// - Complexity: O(columns + scores + tuning values).
    public func problems(
        in configuration: PipelineConfiguration, training: SourceSummary?, testing: SourceSummary?
    ) -> [ConfigurationProblem] {
        problems(in: configuration, columns: training.map { .source($0) }, testing: testing)
    }

    /// Every problem of `configuration` for a run that reads no source (training, testing,
    /// deployment on the stored datasets): the dataset step's label, keys and features are
    /// checked against the datasets' schema instead of a source's columns (a column left
    /// out of the datasets by `features` cannot come back without a reset).
    ///
    /// - Parameters:
    ///   - configuration: The configuration to check.
    ///   - datasets: The datasets' schema; nil before the first dataset generation (then the
    ///     dataset step's columns are not checked).
    /// - Returns: Invalid and incomplete problems, in step order.
    /// - Complexity: O(columns + scores + tuning values).
    public func problems(in configuration: PipelineConfiguration, datasets: Schema?) -> [ConfigurationProblem] {
        problems(in: configuration, columns: datasets.map { .datasets($0) }, testing: nil)
    }

    /// Where the dataset step's columns are checked: a source, or the stored datasets.
    private enum Columns {
        case source(SourceSummary)
        case datasets(Schema)

        var schema: Schema {
            switch self {
            case .source(let summary): summary.schema
            case .datasets(let schema): schema
            }
        }
    }

    private func problems(
        in configuration: PipelineConfiguration, columns: Columns?, testing: SourceSummary?
    ) -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        let estimator = estimatorType(configuration.training, &problems)
        datasetProblems(configuration.dataset, columns: columns, testing: testing, task: estimator?.task, &problems)
        var rows: Int?
        if case .source(let training)? = columns { rows = trainingRows(configuration.dataset, training) }
        trainingProblems(configuration.training, task: estimator?.task, trainingRows: rows, &problems)
        tuningProblems(configuration.tuning, estimator: estimator, &problems)
        otherProblems(configuration, &problems)
        return problems
    }

    /// Rows that reach training: the training source, less the testing share of a split.
    private func trainingRows(_ dataset: DatasetStep, _ training: SourceSummary?) -> Int? {
        guard let training else { return nil }
        guard dataset.testing == nil else { return training.rowCount }
        let fraction = dataset.split.testFraction
        guard fraction > 0 && fraction < 1 else { return training.rowCount }
        return training.rowCount - Split.heldOutCount(of: training.rowCount, fraction: fraction)
    }

    private func estimatorType(_ training: TrainingStep, _ problems: inout [ConfigurationProblem]) -> (any Estimator.Type)? {
        guard let name = training.estimator else {
            problems.append(ConfigurationProblem("training.estimator", "no estimator is chosen", severity: .incomplete))
            return nil
        }
        do {
            return try estimators.estimatorType(named: name)
        } catch {
            problems.append(ConfigurationProblem("training.estimator", "\(error)"))
            return nil
        }
    }

    /// An image folder's rows have a fixed shape: a testing source must be an image folder
    /// with the same preprocessing, and the label and keys are the folder's.
    private func imageProblems(_ dataset: DatasetStep, _ problems: inout [ConfigurationProblem]) {
        let trainingImages: ImageFolderSource? = if case .images(let images)? = dataset.training { images } else { nil }
        let testingImages: ImageFolderSource? = if case .images(let images)? = dataset.testing { images } else { nil }
        if let testing = dataset.testing, (trainingImages == nil) != (testingImages == nil) {
            problems.append(ConfigurationProblem(
                "dataset.testing", "\(testing) does not go with \(dataset.training.map(\.description) ?? "no training source"): "
                    + "both or neither must be image folders"))
        }
        if let trainingImages, let testingImages, trainingImages.preprocessing != testingImages.preprocessing {
            problems.append(ConfigurationProblem(
                "dataset.testing", "the testing images are brought to another size or colour than the training images (\(testingImages) against \(trainingImages))"))
        }
        guard trainingImages != nil else { return }
        if dataset.label != ImageFolderSource.labelColumn {
            problems.append(ConfigurationProblem(
                "dataset.label", "an image folder's label is its class folder, column '\(ImageFolderSource.labelColumn)'"))
        }
        if dataset.keys != ImageFolderSource.keyColumns {
            problems.append(ConfigurationProblem(
                "dataset.keys", "an image folder's keys are \(ImageFolderSource.keyColumns.map { "'\($0)'" }.joined(separator: " and ")) (the image's path and the digest of its bytes)"))
        }
    }

    private func datasetProblems(
        _ dataset: DatasetStep, columns origin: Columns?, testing: SourceSummary?, task: PredictionTask?,
        _ problems: inout [ConfigurationProblem]
    ) {
        if dataset.training == nil {
            problems.append(ConfigurationProblem("dataset.training", "no data source is chosen", severity: .incomplete))
        }
        imageProblems(dataset, &problems)
        if dataset.testing == nil {
            let fraction = dataset.split.testFraction
            if !(fraction > 0 && fraction < 1) {
                problems.append(ConfigurationProblem("dataset.split.testFraction", "must be between 0 and 1 (exclusive), got \(fraction)"))
            }
        }
        guard let label = dataset.label else {
            problems.append(ConfigurationProblem("dataset.label", "no label column is chosen", severity: .incomplete))
            return
        }
        guard let schema = origin?.schema else { return }
        let columns = Set(schema.columns.map(\.name))
        let inDatasets = if case .datasets = origin { true } else { false }
        func check(_ name: String, at path: String, role: String) {
            guard !columns.contains(name) else { return }
            let listed = schema.columns.map(\.name).joined(separator: ", ")
            problems.append(ConfigurationProblem(path, inDatasets
                ? "\(role) '\(name)' is not a column of the datasets (columns: \(listed)); reset the datasets to change their columns"
                : "\(role) '\(name)' is not a column of the source (columns: \(listed))"))
        }
        check(label, at: "dataset.label", role: "label")
        for (i, key) in dataset.keys.enumerated() { check(key, at: "dataset.keys[\(i)]", role: "key") }
        var chosen: [String]
        switch dataset.features {
        case .columns(let names):
            var seen = Set<String>()
            for (i, name) in names.enumerated() {
                check(name, at: "dataset.features[\(i)]", role: "feature")
                if name == label { problems.append(ConfigurationProblem("dataset.features[\(i)]", "the label '\(label)' cannot also be a feature")) }
                if !seen.insert(name).inserted { problems.append(ConfigurationProblem("dataset.features[\(i)]", "feature '\(name)' is listed twice")) }
            }
            chosen = names
        case .all(let excluded):
            // The datasets keep only the selected columns: excluded ones are gone already.
            for (i, name) in excluded.enumerated() where !inDatasets { check(name, at: "dataset.exclude[\(i)]", role: "excluded column") }
            let left = Set([label] + dataset.keys + excluded)
            chosen = schema.columns.map(\.name).filter { !left.contains($0) }
        }
        if chosen.isEmpty { problems.append(ConfigurationProblem("dataset.features", "no feature columns are left")) }
        problems += dataset.missing.problems(features: chosen.filter(columns.contains), schema: schema)
        if task == .regression, let type = schema[label], type == .categorical {
            problems.append(ConfigurationProblem("dataset.label", "a regressor needs a numeric label; '\(label)' holds text"))
        }
        if let testing {
            let testingColumns = Set(testing.schema.columns.map(\.name))
            for name in [label] + dataset.keys + chosen where columns.contains(name) && !testingColumns.contains(name) {
                problems.append(ConfigurationProblem("dataset.testing", "column '\(name)' is missing from the testing source"))
            }
        }
    }

    private func trainingProblems(_ training: TrainingStep, task: PredictionTask?, trainingRows: Int?, _ problems: inout [ConfigurationProblem]) {
        switch training.validation {
        case .none: break
        case .holdout(let fraction, _):
            if !(fraction > 0 && fraction < 1) {
                problems.append(ConfigurationProblem("training.validation.fraction", "must be between 0 and 1 (exclusive), got \(fraction)"))
            }
        case .kFold(let folds, _):
            if folds < 2 {
                problems.append(ConfigurationProblem("training.validation.folds", "k-fold needs at least 2 folds, got \(folds)"))
            } else if let trainingRows, folds > trainingRows {
                problems.append(ConfigurationProblem("training.validation.folds", "\(folds) folds but only \(trainingRows) training rows"))
            }
        }
        var names = Set<String>()
        for (i, setting) in training.scores.enumerated() {
            let path = "training.scores[\(i)]"
            if !names.insert(setting.name).inserted { problems.append(ConfigurationProblem("\(path).name", "'\(setting.name)' is listed twice")) }
            let function: ScoringFunction
            do {
                function = try scores.function(named: setting.name)
            } catch {
                problems.append(ConfigurationProblem("\(path).name", "\(error)"))
                continue
            }
            if let task, function.task != task {
                problems.append(ConfigurationProblem("\(path).name", "'\(setting.name)' scores \(function.task), but the estimator does \(task)"))
            }
            if let threshold = setting.threshold, !function.range.contains(threshold) || !threshold.isFinite {
                problems.append(ConfigurationProblem(
                    "\(path).threshold", "\(threshold) is outside the range of \(setting.name) (\(function.range.lowerBound)...\(function.range.upperBound))"))
            }
        }
        if training.scores.filter(\.primary).count > 1 {
            problems.append(ConfigurationProblem("training.scores", "only one scoring function can be primary"))
        }
    }

    private func tuningProblems(_ tuning: TuningStep, estimator: (any Estimator.Type)?, _ problems: inout [ConfigurationProblem]) {
        let schema = estimator?.hyperParameters
        for name in tuning.values.keys.sorted() {
            guard let setting = tuning.values[name] else { continue }
            let path = "tuning.\(name)"
            if case .multiple(let values) = setting, values.isEmpty {
                problems.append(ConfigurationProblem(path, "a grid needs at least one value"))
            }
            guard let schema, let estimator else { continue }
            guard let spec = schema[name] else {
                problems.append(ConfigurationProblem(
                    path, "\(estimator.name) has no hyper-parameter '\(name)' (known: \(schema.parameters.map(\.name).joined(separator: ", ")))"))
                continue
            }
            for (i, value) in setting.values.enumerated() {
                if case .failure(let problem) = spec.check(value) {
                    let at = if case .multiple(_) = setting { "\(path)[\(i)]" } else { path }
                    problems.append(ConfigurationProblem(at, problem.message))
                }
            }
        }
    }

    private func otherProblems(_ configuration: PipelineConfiguration, _ problems: inout [ConfigurationProblem]) {
        if let window = configuration.selection.autoDeploy?.window, !(window > 0 && window.isFinite) {
            problems.append(ConfigurationProblem("selection.autoDeploy.window", "must be a positive number of seconds, got \(window)"))
        }
        var named: Set<String> = []
        for (index, consumer) in configuration.deployment.consumers.enumerated() {
            if let table = consumer.table {
                for (key, reason) in table.problems() {
                    problems.append(ConfigurationProblem("deployment.consumers[\(index)].table.\(key)", reason))
                }
            }
            if let folder = consumer.folder {
                for (key, reason) in folder.problems() {
                    problems.append(ConfigurationProblem("deployment.consumers[\(index)].folder.\(key)", reason))
                }
            }
            guard let name = consumer.endpointName else { continue }
            let path = "deployment.consumers[\(index)].endpoint"
            if let problem = EndpointName.problem(name) {
                problems.append(ConfigurationProblem(path, problem))
            } else if !named.insert(name).inserted {
                problems.append(ConfigurationProblem(path, "endpoint '\(name)' is listed twice"))
            }
        }
        for job in JobKind.allCases {
            if let timeout = configuration.preferences.timeouts[job], !(timeout > 0 && timeout.isFinite) {
                problems.append(ConfigurationProblem("preferences.timeouts.\(job.rawValue)", "must be a positive number of seconds, got \(timeout)"))
            }
            if let threads = configuration.preferences.threads[job], threads < 1 {
                problems.append(ConfigurationProblem("preferences.threads.\(job.rawValue)", "must be at least 1, got \(threads)"))
            }
        }
    }
}
