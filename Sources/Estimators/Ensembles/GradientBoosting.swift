public import LinearAlgebra
public import Scoring

/// Gradient boosting for regression (scikit-learn's `GradientBoostingRegressor` with
/// `loss='squared_error'`).
///
/// Starts from the training mean and adds `n_estimators` regression trees, each fitted to
/// the current residuals (on a `subsample` of the rows when below 1) and shrunk by
/// `learning_rate`. Splits are found on binned features as ``DecisionTreeRegressor``'s.
///
/// Hyper-parameters: `loss` ('squared_error'), `learning_rate` (0.1, ≥ 0),
/// `n_estimators` (100), `subsample` (1.0, in (0, 1]), `min_samples_split` (2),
/// `min_samples_leaf` (1), `max_depth` (3), `random_state` (None = seed 0).
public struct GradientBoostingRegressor: Estimator {
    public static let name = "GradientBoostingRegressor"
    public static let task = PredictionTask.regression
    public static let hyperParameters = HyperParameterSchema([
        .choice("loss", ["squared_error"], default: "squared_error", "The loss to minimize: the squared error."),
    ] + BoostingParameters.shared)

    let boosting: BoostingParameters

    /// `learning_rate`: the shrinkage of every tree.
    public var learningRate: Double { boosting.learningRate }
    /// `n_estimators`: the number of boosting stages.
    public var estimatorCount: Int { boosting.estimatorCount }
    /// The fraction of rows each stage is fitted on.
    public var subsample: Double { boosting.subsample }
    /// The seed (`random_state`, 0 for None).
    public var seed: Int { boosting.seed }

    /// Reads hyper-parameters checked against ``hyperParameters``.
    public init(_ parameters: HyperParameters) {
        boosting = BoostingParameters(parameters)
    }

    /// Fits the boosting stages.
    ///
    /// - Parameters:
    ///   - x: Training features, finite.
    ///   - y: ``Targets/values(_:)``, finite.
    ///   - context: `threads` bins the features and scans large nodes' features in parallel.
    /// - Throws: ``EstimatorError`` for mismatched shapes or non-finite values;
    ///   ``EstimatorError/fitFailed(estimator:reason:)`` when targets near the largest
    ///   double overflow the leaf values.
    /// - Complexity: O(features × rows) to bin (a radix sort per feature), then
    ///   O(n_estimators × max_depth × rows × features).
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        let (_, _, values) = try InputValidation.checkFit(x, y, estimator: Self.name, task: Self.task)
        let binned = BinnedFeatures(x, threads: context.threads)
        let settings = try boosting.settings(featureCount: x.columns, context: context, estimator: Self.name)
        let (initial, trees) = try BoostingTrainer.regression(x, values, binned: binned, settings: settings, estimator: Self.name)
        return try TreeFitting.model(Self.name) { () throws(EstimatorError) in
            try BoostingRegressorModel(
                estimatorName: Self.name, featureCount: x.columns, learningRate: learningRate, initialPrediction: initial, trees: trees)
        }
    }
}

/// Gradient boosting for classification (scikit-learn's `GradientBoostingClassifier` with
/// `loss='log_loss'`).
///
/// Two classes: one tree per stage on the log-odds of class 1, starting from the prior
/// log-odds. More classes: one tree per class and stage on softmax scores, starting from
/// the centred log priors. Leaf values are one Newton step of the log loss, as
/// scikit-learn's.
///
/// Hyper-parameters: `loss` ('log_loss'), `learning_rate` (0.1, ≥ 0), `n_estimators`
/// (100), `subsample` (1.0, in (0, 1]), `min_samples_split` (2), `min_samples_leaf` (1),
/// `max_depth` (3), `random_state` (None = seed 0).
public struct GradientBoostingClassifier: Estimator {
    public static let name = "GradientBoostingClassifier"
    public static let task = PredictionTask.classification
    public static let hyperParameters = HyperParameterSchema([
        .choice("loss", ["log_loss"], default: "log_loss", "The loss to minimize: the log loss (binomial or multinomial deviance)."),
    ] + BoostingParameters.shared)

    let boosting: BoostingParameters

    /// `learning_rate`: the shrinkage of every tree.
    public var learningRate: Double { boosting.learningRate }
    /// `n_estimators`: the number of boosting stages.
    public var estimatorCount: Int { boosting.estimatorCount }
    /// The fraction of rows each stage is fitted on.
    public var subsample: Double { boosting.subsample }
    /// The seed (`random_state`, 0 for None).
    public var seed: Int { boosting.seed }

    /// Reads hyper-parameters checked against ``hyperParameters``.
    public init(_ parameters: HyperParameters) {
        boosting = BoostingParameters(parameters)
    }

    /// Fits the boosting stages.
    ///
    /// - Parameters:
    ///   - x: Training features, finite.
    ///   - y: ``Targets/classes(_:classCount:)`` with at least two classes.
    ///   - context: `threads` bins the features, then scans large nodes' features (two
    ///     classes) or grows a stage's per-class trees (more classes) in parallel.
    /// - Throws: ``EstimatorError`` for mismatched shapes, non-finite values or bad or
    ///   single classes.
    /// - Complexity: O(features × rows) to bin (a radix sort per feature), then
    ///   O(n_estimators × trees per stage × max_depth × rows × features).
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        let (classes, classCount, _) = try InputValidation.checkFit(x, y, estimator: Self.name, task: Self.task)
        let binned = BinnedFeatures(x, threads: context.threads)
        let settings = try boosting.settings(featureCount: x.columns, context: context, estimator: Self.name)
        let (initial, trees) = try BoostingTrainer.classification(
            x, classes, classCount: classCount, binned: binned, settings: settings, estimator: Self.name)
        return try TreeFitting.model(Self.name) { () throws(EstimatorError) in
            try BoostingClassifierModel(
                estimatorName: Self.name, featureCount: x.columns, classCount: classCount, learningRate: learningRate,
                initialScores: initial, trees: trees)
        }
    }
}

/// The hyper-parameters both gradient-boosting estimators share.
struct BoostingParameters: Sendable {
    static let shared: [HyperParameterSpec] = [
        .double("learning_rate", default: 0.1, min: 0, "Shrinks the contribution of each tree."),
        .int("n_estimators", default: 100, min: 1, "The number of boosting stages."),
        .double("subsample", default: 1.0, min: 0, minInclusive: false, max: 1, "The fraction of rows each stage is fitted on."),
        TreeParameters.minSamplesSplit,
        TreeParameters.minSamplesLeaf,
        TreeParameters.maxDepth(default: 3),
        TreeParameters.randomState,
    ]

    let learningRate: Double
    let estimatorCount: Int
    let subsample: Double
    let seed: Int
    let trees: TreeSettings

    /// The values of ``shared`` (checked by the schema).
    init(_ parameters: HyperParameters) {
        learningRate = parameters.double("learning_rate") ?? 0.1
        estimatorCount = parameters.int("n_estimators") ?? 100
        subsample = parameters.double("subsample") ?? 1
        seed = TreeParameters.seed(parameters)
        trees = TreeSettings(parameters)
    }

    /// The trainer's settings for one fit.
    ///
    /// - Throws: as ``TreeSettings/limits(featureCount:estimator:)``.
    func settings(featureCount: Int, context: FitContext, estimator: String) throws(EstimatorError) -> BoostingSettings {
        BoostingSettings(
            estimatorCount: estimatorCount, learningRate: learningRate, subsample: subsample,
            limits: try trees.limits(featureCount: featureCount, estimator: estimator), seed: seed, threads: context.threads,
            cancellation: context.cancellation)
    }
}
