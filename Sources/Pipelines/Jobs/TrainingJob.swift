import Estimators
import Foundation
import ImageDatasets
import LinearAlgebra
import Scoring
import Tabular

/// Job 2: fits every tuning combination on training minus validation, scores it with the
/// primary score on validation (k-fold: averaged over folds), and saves only the best
/// combination's model — and only if it passes the primary threshold. Every
/// combination's scores are returned for the tuning view.
enum TrainingJob {
    struct Outcome: Sendable {
        var summary: String
        var combinations: [CombinationScore]
        var savedModel: ModelID?
        /// Set when every combination failed (their errors are in ``combinations``).
        var failure: PipelineError?
    }

    /// The best combination so far and its model.
    private struct Best: Sendable {
        var index: Int
        var score: Double
        var model: (any TrainedModel)?
        var hyperParameters: [String: HyperParameterValue]
        var seconds: Double
    }

    static func run(_ context: JobContext) async throws(PipelineError) -> Outcome {
        let configuration = context.configuration.configuration
        guard let estimatorName = configuration.training.estimator, let selection = configuration.dataset.selection else {
            throw .notReady(job: .training, reason: "the configuration has no estimator or no label")
        }
        let estimatorType: any Estimator.Type
        do { estimatorType = try context.estimators.estimatorType(named: estimatorName) } catch { throw .estimator(error) }
        let settings = effectiveScores(configuration.training, task: estimatorType.task)
        guard let primarySetting = settings.first(where: \.primary) else {
            throw .notReady(job: .training, reason: "no primary scoring function")
        }
        let primary: ScoringFunction
        do { primary = try context.scores.function(named: primarySetting.name) } catch { throw .scoring(error) }
        let validation = configuration.training.validation
        var (data, generation) = try await prepared(
            context, task: estimatorType.task, selection: selection, validation: validation, missing: configuration.dataset.missing)

        let combinations = configuration.tuning.combinations
        var scores: [CombinationScore] = []
        var best: Best?
        for (index, combination) in combinations.enumerated() {
            try context.checkCancellation(.training)
            context.emit(.combination(index: index + 1, of: combinations.count, hyperParameters: describe(combination)))
            do throws(PipelineError) {
                let estimator: any Estimator
                do { estimator = try context.estimators.makeEstimator(named: estimatorName, hyperParameters: combination) } catch {
                    throw .estimator(error)
                }
                let (foldScores, model, seconds) = try await evaluate(
                    estimator, data: data, validation: validation, primary: primary, context: context)
                let mean = foldScores.reduce(0, +) / Double(foldScores.count)
                scores.append(CombinationScore(hyperParameters: combination, score: mean, foldScores: foldScores))
                context.logger.debug("combination \(index + 1)/\(combinations.count) \(describe(combination)): \(primary.name) \(mean)")
                if best == nil || primary.isBetter(mean, than: best?.score ?? mean) {
                    best = Best(index: index, score: mean, model: model, hyperParameters: combination, seconds: seconds)
                }
            } catch {
                if case .cancelled = error { throw error }
                if case .estimator(.cancelled) = error { throw .cancelled(job: .training) }
                scores.append(CombinationScore(hyperParameters: combination, score: nil, foldScores: [], error: error.description))
                context.logger.warning("combination \(index + 1)/\(combinations.count) \(describe(combination)) failed: \(error)")
            }
        }
        guard var winner = best else {
            let reason = "every combination failed; first: \(scores.first?.error ?? "no combination")"
            return Outcome(summary: reason, combinations: scores, savedModel: nil, failure: .notReady(job: .training, reason: reason))
        }
        if let threshold = primarySetting.threshold, !primary.passes(winner.score, threshold: threshold) {
            return Outcome(
                summary: "best \(primary.name) \(winner.score) (\(describe(winner.hyperParameters))) does not pass the threshold \(threshold): no model saved",
                combinations: scores, savedModel: nil)
        }
        if winner.model == nil {
            // k-fold: refit the best combination on all training rows.
            try context.checkCancellation(.training)
            let estimator: any Estimator
            do { estimator = try context.estimators.makeEstimator(named: estimatorName, hyperParameters: winner.hyperParameters) } catch {
                throw .estimator(error)
            }
            let (model, seconds) = try await fit(
                estimator, x: data.fitting, truth: data.fittingTruth, context: context, primary: primary.name)
            winner.model = model
            winner.seconds = seconds
        }
        guard let model = winner.model else { throw .notReady(job: .training, reason: "no model was fitted") }
        // The matrices are not needed any more: freed before the model's artifact is
        // encoded, so the two never add up in the run's peak memory.
        data.releaseMatrices()
        let id = try await save(model, winner: winner, estimatorType: estimatorType, data: data, primary: primary,
                                generation: generation, context: context)
        return Outcome(
            summary: "\(combinations.count) combination(s); saved model \(id) (\(describe(winner.hyperParameters))) with \(primary.name) \(winner.score)",
            combinations: scores, savedModel: id)
    }

    /// The design matrices of the run's datasets (phases `load` and `encode`) and their
    /// generation. One snapshot per run: the datasets dataset generation left in this run's
    /// memory, or the training (and, for classes, testing) rows read once from the store.
    /// The raw training rows are released when this returns (here and in the run's
    /// memory): fitting holds the matrices only.
    private static func prepared(
        _ context: JobContext, task: PredictionTask, selection: FeatureSelection, validation: ValidationSetting,
        missing: MissingValues
    ) async throws(PipelineError) -> (TrainingData, generation: Int) {
        let loaded = try await context.phases.time("load") { () throws(PipelineError) in
            try await context.trainingDatasets(withTesting: task == .classification)
        }
        guard let loaded, loaded.datasets.training != nil || loaded.storedTraining != nil else {
            throw .notReady(job: .training, reason: "no datasets yet: run dataset generation first")
        }
        let testingLabels = loaded.datasets.testing.flatMap { $0[selection.label] }
        let ledger = loaded.datasets.ledger
        let data = try await context.phases.time("encode") { () async throws(PipelineError) -> TrainingData in
            try await offload { () throws(PipelineError) -> TrainingData in
                func prepare(_ training: some TrainingRowsSource) throws(PipelineError) -> TrainingData {
                    try TrainingData.prepare(
                        training: training, validationIndices: ledger.validationIndices, testingLabels: testingLabels,
                        testingRows: ledger.testingRows, selection: selection, task: task, validation: validation, missing: missing)
                }
                if let training = loaded.datasets.training { return try prepare(training) }
                // The stored part, encoded in place: no decoded copy of the training rows.
                guard let stored = loaded.storedTraining else { throw .notReady(job: .training, reason: "no training rows") }
                return try stored.withTableView { (view) throws(PipelineError) in try prepare(view) }
            }
        }
        context.memory.dropTrainingRows()
        return (data, loaded.datasets.generation)
    }

    /// The pipeline's scoring functions: the configured ones with exactly one primary, or
    /// the task's default.
    static func effectiveScores(_ training: TrainingStep, task: PredictionTask) -> [ScoreSetting] {
        guard !training.scores.isEmpty else { return [ScoreSetting(ScoringCatalog.defaultName(for: task), primary: true)] }
        let primaryName = training.primaryScore?.name
        return training.scores.map { setting in
            var setting = setting
            setting.primary = setting.name == primaryName
            return setting
        }
    }

    /// Validation scores of one combination (one per fold), and the model fitted on the
    /// fitting rows when it can be kept (holdout and none; nil with k-fold).
    private static func evaluate(
        _ estimator: any Estimator, data: TrainingData, validation: ValidationSetting, primary: ScoringFunction, context: JobContext
    ) async throws(PipelineError) -> ([Double], (any TrainedModel)?, Double) {
        switch validation {
        case .none:
            let (model, seconds) = try await fit(estimator, x: data.fitting, truth: data.fittingTruth, context: context, primary: primary.name)
            let score = try await validate(model, x: data.fitting, truth: data.fittingTruth, primary: primary, context: context)
            return ([score], model, seconds)
        case .holdout:
            guard let x = data.validation, let truth = data.validationTruth else {
                throw .notReady(job: .training, reason: "the datasets have no validation rows for the holdout: run dataset generation again")
            }
            let (model, seconds) = try await fit(estimator, x: data.fitting, truth: data.fittingTruth, context: context, primary: primary.name)
            let score = try await validate(model, x: x, truth: truth, primary: primary, context: context)
            return ([score], model, seconds)
        case let .kFold(folds, seed):
            let splits: [Split.Fold]
            do {
                if case .classes(let classes, _) = data.fittingTruth {
                    splits = try Split.stratifiedKFold(labels: classes, folds: folds, seed: seed)
                } else {
                    splits = try Split.kFold(count: data.fitting.rows, folds: folds, seed: seed)
                }
            } catch {
                throw .data(error)
            }
            var scores: [Double] = []
            for (j, fold) in splits.enumerated() {
                try context.checkCancellation(.training)
                context.emit(.fold(index: j + 1, of: splits.count))
                let x = try await offload { () throws(PipelineError) -> Matrix in try matrix(data.fitting, rows: fold.training) }
                let (model, _) = try await fit(
                    estimator, x: x, truth: data.fittingTruth.selecting(fold.training), context: context, primary: primary.name)
                let held = try await offload { () throws(PipelineError) -> Matrix in try matrix(data.fitting, rows: fold.validation) }
                scores.append(try await validate(
                    model, x: held, truth: data.fittingTruth.selecting(fold.validation), primary: primary, context: context))
            }
            return (scores, nil, 0)
        }
    }

    /// The primary score of `model` on `x` (phase `validate`).
    private static func validate(
        _ model: any TrainedModel, x: Matrix, truth: Truth, primary: ScoringFunction, context: JobContext
    ) async throws(PipelineError) -> Double {
        try await context.phases.time("validate") { () async throws(PipelineError) -> Double in
            try await offload { () throws(PipelineError) -> Double in try Evaluation.score([primary], of: model, x: x, truth: truth)[0] }
        }
    }

    /// Fits `estimator` on `x`, off the cooperative pool (phase `fit`); returns the model
    /// and the fit's wall-clock seconds.
    private static func fit(
        _ estimator: any Estimator, x: Matrix, truth: Truth, context: JobContext, primary: String
    ) async throws(PipelineError) -> (any TrainedModel, Double) {
        let fitContext = context.fitContext(primaryScore: primary)
        let result = try await context.phases.time("fit") { () async throws(PipelineError) -> FittedModel in
            try await offload { () throws(PipelineError) -> FittedModel in
                let start = ContinuousClock.now
                do throws(EstimatorError) {
                    let model = try estimator.fit(x, truth.targets, context: fitContext)
                    return FittedModel(model: model, seconds: PhaseClock.seconds(since: start))
                } catch {
                    throw .estimator(error)
                }
            }
        }
        return (result.model, result.seconds)
    }

    private struct FittedModel: Sendable {
        var model: any TrainedModel
        var seconds: Double
    }

    /// The rows of `x` at `rows` (all of `x` without copying when they are all rows in order).
    static func matrix(_ x: Matrix, rows: [Int]) throws(PipelineError) -> Matrix {
        if rows.count == x.rows && rows.first == 0 && rows.last == x.rows - 1 { return x }
        do { return try x.selectingRows(rows) } catch { throw .estimator(.linearAlgebra(estimator: "selecting rows", error)) }
    }

    /// The image preprocessing a model trained on `dataset`'s image folder keeps (nil for
    /// a table source); refused when the datasets' features are not its pixels (the
    /// preprocessing changed since the datasets were generated).
    ///
    /// - Throws: ``PipelineError/notReady(job:reason:)``.
    private static func imagePreprocessing(_ dataset: DatasetStep, schema: FeatureSchema) throws(PipelineError) -> ImagePreprocessing? {
        guard let images = dataset.imagePreprocessing else { return nil }
        guard schema.features.map(\.name) == images.featureNames else {
            throw .notReady(
                job: .training,
                reason: "the datasets' features are not the pixels of \(images.width)×\(images.height) \(images.color.rawValue) images "
                    + "(the image preprocessing changed since they were generated): run dataset generation first")
        }
        return images
    }

    /// Stores the winning model with its artifact, lineage and timing (phase `save`), and
    /// hands the decoded model to the rest of the run.
    private static func save(
        _ model: any TrainedModel, winner: Best, estimatorType: any Estimator.Type, data: TrainingData,
        primary: ScoringFunction, generation: Int, context: JobContext
    ) async throws(PipelineError) -> ModelID {
        let id = ModelID()
        let resolved: HyperParameters
        do { resolved = try estimatorType.hyperParameters.resolve(winner.hyperParameters, estimator: estimatorType.name) } catch {
            throw .estimator(error)
        }
        let images = try imagePreprocessing(context.configuration.configuration.dataset, schema: data.schema)
        let bundle: ModelBundle
        do { bundle = ModelBundle(payload: try model.payload(), featureEncoder: data.featureEncoder, labelEncoder: data.labelEncoder,
                                  schema: data.schema, images: images) } catch { throw .estimator(error) }
        let loaded = LoadedModel(id: id, bundle: bundle, model: model)
        let meanPrediction = try await context.phases.time("validate") { () async throws(PipelineError) -> Double in
            try await offload { () throws(PipelineError) -> Double in
                try PredictionTiming.meanSeconds(loaded, table: data.timingRows)
            }
        }
        let validationRows: Int
        switch context.configuration.configuration.training.validation {
        case .none: validationRows = 0
        case .holdout: validationRows = data.validationRows
        case .kFold(let folds, _): validationRows = data.fittingRows / max(folds, 1)
        }
        let record = ModelRecord(
            id: id, origin: .pipeline(context.pipeline.id), repositoryID: context.pipeline.repositoryID,
            version: context.configuration.version, estimator: estimatorType.name, task: estimatorType.task,
            hyperParameters: resolved.values, status: .saved, validationScore: ScoreValue(name: primary.name, value: winner.score),
            trainingSeconds: winner.seconds, meanPredictionSeconds: meanPrediction, schema: data.schema,
            lineage: ModelLineage(
                datasetGeneration: generation, trainingRows: data.fittingRows, validationRows: validationRows,
                testingRows: data.testingRows, configurationHash: context.configuration.hash),
            createdAt: context.clock.now)
        try await context.phases.time("save") { () async throws(PipelineError) in
            let artifact = try await offload { () throws(PipelineError) -> Data in try bundle.encoded(model: id) }
            try await storage { try await context.store.insertModel(record, artifact: artifact) }
        }
        context.memory.remember(loaded)
        context.publish(.saved(record))
        return id
    }
}

/// Measures a model's mean prediction time on real records, encoding included.
enum PredictionTiming {
    /// The mean seconds to predict one record of `table`, one record at a time.
    ///
    /// - Throws: what prediction throws.
    static func meanSeconds(_ model: LoadedModel, table: Table) throws(PipelineError) -> Double {
        guard table.rowCount > 0 else { return 0 }
        var singles: [Table] = []
        for row in 0..<table.rowCount {
            do { singles.append(try table.rows(at: [row])) } catch { throw .data(error) }
        }
        let start = ContinuousClock.now
        for single in singles { _ = try model.predict(single) }
        return PhaseClock.seconds(since: start) / Double(table.rowCount)
    }
}
