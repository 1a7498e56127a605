public import LinearAlgebra
public import Scoring

/// A random forest classifier (scikit-learn's `RandomForestClassifier`).
///
/// Grows `n_estimators` trees as ``DecisionTreeClassifier`` does, each on a bootstrap
/// sample of the rows (when `bootstrap`) and drawing `max_features` features at every
/// split; the class probabilities are the mean of the trees'. Trees are grown on
/// `context.threads` threads; tree `t` draws from
/// `RandomSource(seed: random_state).derived(stream: t)`, so the forest does not depend
/// on the thread count or scheduling.
///
/// Hyper-parameters: `n_estimators` (100), `criterion` ('gini'), `max_depth` (None),
/// `min_samples_split` (2), `min_samples_leaf` (1), `max_features` ('sqrt'; 'log2', or
/// None for all features), `bootstrap` (True), `random_state` (None = seed 0).
public struct RandomForestClassifier: Estimator {
    public static let name = "RandomForestClassifier"
    public static let task = PredictionTask.classification
    public static let hyperParameters = HyperParameterSchema([
        ForestParameters.estimators,
        TreeParameters.classificationCriterion,
        TreeParameters.maxDepth(default: nil),
        TreeParameters.minSamplesSplit,
        TreeParameters.minSamplesLeaf,
        TreeParameters.forestMaxFeatures(default: "sqrt"),
        ForestParameters.bootstrap,
        TreeParameters.randomState,
    ])

    /// `n_estimators`: the number of trees.
    public let estimatorCount: Int
    /// 'gini', 'entropy' or 'log_loss'.
    public let criterion: String
    /// Whether each tree sees a bootstrap sample.
    public let bootstrap: Bool
    /// The seed (`random_state`, 0 for None).
    public let seed: Int
    let settings: TreeSettings

    /// Reads hyper-parameters checked against ``hyperParameters``.
    public init(_ parameters: HyperParameters) {
        estimatorCount = parameters.int("n_estimators") ?? 100
        criterion = parameters.string("criterion") ?? "gini"
        bootstrap = parameters.bool("bootstrap")
        seed = TreeParameters.seed(parameters)
        settings = TreeSettings(parameters)
    }

    /// Grows the forest.
    ///
    /// - Parameters:
    ///   - x: Training features, finite.
    ///   - y: ``Targets/classes(_:classCount:)`` with at least two classes.
    ///   - context: `threads` grows trees in parallel.
    /// - Throws: ``EstimatorError`` for mismatched shapes, non-finite values or bad or
    ///   single classes.
    /// - Complexity: O(features × rows) to bin (a radix sort per feature), then
    ///   O(trees × depth × rows × max_features) divided among the threads.
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        let (classes, classCount, _) = try InputValidation.checkFit(x, y, estimator: Self.name, task: Self.task)
        let limits = try settings.limits(featureCount: x.columns, estimator: Self.name)
        let binned = BinnedFeatures(x, threads: context.threads)
        let criterion = ClassificationCriterion(criterion), bootstrap = bootstrap, seed = seed
        let cancellation = context.cancellation
        let grown = ParallelWork.map(estimatorCount, threads: context.threads) { index -> DecisionTree? in
            if cancellation?.isCancelled == true { return nil }
            var random = RandomSource(seed: seed).derived(stream: UInt64(index))
            let weights = ForestParameters.rowWeights(x.rows, bootstrap: bootstrap, random: &random)
            return TreeFitting.classificationTree(
                binned, classes: classes, classCount: classCount, criterion: criterion, limits: limits, weights: weights,
                random: &random)
        }
        try context.checkCancellation(Self.name)
        let trees = grown.compactMap { $0 }
        return try TreeFitting.model(Self.name) { () throws(EstimatorError) in
            try TreeClassifierModel(estimatorName: Self.name, featureCount: x.columns, classCount: classCount, trees: trees)
        }
    }
}

/// A random forest regressor (scikit-learn's `RandomForestRegressor`).
///
/// Grows `n_estimators` trees as ``DecisionTreeRegressor`` does, each on a bootstrap
/// sample (when `bootstrap`), in parallel and seeded per tree as
/// ``RandomForestClassifier``; predicts the mean of the trees.
///
/// Hyper-parameters: `n_estimators` (100), `criterion` ('squared_error'), `max_depth`
/// (None), `min_samples_split` (2), `min_samples_leaf` (1), `max_features` (None = all
/// features, scikit-learn's default 1.0; or 'sqrt', 'log2'), `bootstrap` (True),
/// `random_state` (None = seed 0).
public struct RandomForestRegressor: Estimator {
    public static let name = "RandomForestRegressor"
    public static let task = PredictionTask.regression
    public static let hyperParameters = HyperParameterSchema([
        ForestParameters.estimators,
        TreeParameters.regressionCriterion,
        TreeParameters.maxDepth(default: nil),
        TreeParameters.minSamplesSplit,
        TreeParameters.minSamplesLeaf,
        TreeParameters.forestMaxFeatures(default: nil),
        ForestParameters.bootstrap,
        TreeParameters.randomState,
    ])

    /// `n_estimators`: the number of trees.
    public let estimatorCount: Int
    /// Whether each tree sees a bootstrap sample.
    public let bootstrap: Bool
    /// The seed (`random_state`, 0 for None).
    public let seed: Int
    let settings: TreeSettings

    /// Reads hyper-parameters checked against ``hyperParameters``.
    public init(_ parameters: HyperParameters) {
        estimatorCount = parameters.int("n_estimators") ?? 100
        bootstrap = parameters.bool("bootstrap")
        seed = TreeParameters.seed(parameters)
        settings = TreeSettings(parameters)
    }

    /// Grows the forest.
    ///
    /// - Parameters:
    ///   - x: Training features, finite.
    ///   - y: ``Targets/values(_:)``, finite.
    ///   - context: `threads` grows trees in parallel.
    /// - Throws: ``EstimatorError`` for mismatched shapes or non-finite values;
    ///   ``EstimatorError/fitFailed(estimator:reason:)`` when targets near the largest
    ///   double overflow the leaf values.
    /// - Complexity: O(features × rows) to bin (a radix sort per feature), then
    ///   O(trees × depth × rows × max_features) divided among the threads.
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        let (_, _, values) = try InputValidation.checkFit(x, y, estimator: Self.name, task: Self.task)
        let limits = try settings.limits(featureCount: x.columns, estimator: Self.name)
        let binned = BinnedFeatures(x, threads: context.threads)
        let bootstrap = bootstrap, seed = seed
        let cancellation = context.cancellation
        let grown = ParallelWork.map(estimatorCount, threads: context.threads) { index -> DecisionTree? in
            if cancellation?.isCancelled == true { return nil }
            var random = RandomSource(seed: seed).derived(stream: UInt64(index))
            let weights = ForestParameters.rowWeights(x.rows, bootstrap: bootstrap, random: &random)
            return TreeFitting.regressionTree(binned, values: values, limits: limits, weights: weights, random: &random).tree
        }
        try context.checkCancellation(Self.name)
        let trees = grown.compactMap { $0 }
        return try TreeFitting.model(Self.name) { () throws(EstimatorError) in
            try TreeRegressorModel(estimatorName: Self.name, featureCount: x.columns, trees: trees)
        }
    }
}

/// The hyper-parameters and sampling only forests have.
enum ForestParameters {
    static let estimators = HyperParameterSpec.int("n_estimators", default: 100, min: 1, "The number of trees.")
    static let bootstrap = HyperParameterSpec.bool(
        "bootstrap", default: true, "Whether each tree sees a bootstrap sample (rows drawn with replacement) instead of every row.")

    /// How often each row is drawn: a bootstrap sample of `rows` draws, or all ones.
    ///
    /// - Complexity: O(rows).
    static func rowWeights(_ rows: Int, bootstrap: Bool, random: inout RandomSource) -> [Double] {
        guard bootstrap else { return [Double](repeating: 1, count: rows) }
        var weights = [Double](repeating: 0, count: rows)
        for _ in 0..<rows { weights[random.nextInt(below: rows)] += 1 }
        return weights
    }
}
