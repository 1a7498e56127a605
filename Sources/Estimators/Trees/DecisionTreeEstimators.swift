public import LinearAlgebra
public import Scoring

/// A decision tree classifier (scikit-learn's `DecisionTreeClassifier`, `splitter='best'`).
///
/// Grows one tree depth first. Each split is the best boundary between consecutive
/// distinct training values of the features drawn at that node, scored by Gini impurity
/// or entropy; its threshold is their midpoint. Features with more than
/// 1024 distinct training values only split between 1024
/// equal-count bins. Leaves store class probabilities.
///
/// Hyper-parameters: `criterion` ('gini'), `max_depth` (None), `min_samples_split` (2),
/// `min_samples_leaf` (1), `max_features` (None = all, or a count), `random_state`
/// (None = seed 0: the feature order is always seeded).
public struct DecisionTreeClassifier: Estimator {
    public static let name = "DecisionTreeClassifier"
    public static let task = PredictionTask.classification
    public static let hyperParameters = HyperParameterSchema([
        TreeParameters.classificationCriterion,
        TreeParameters.maxDepth(default: nil),
        TreeParameters.minSamplesSplit,
        TreeParameters.minSamplesLeaf,
        TreeParameters.treeMaxFeatures,
        TreeParameters.randomState,
    ])

    /// 'gini', 'entropy' or 'log_loss'.
    public let criterion: String
    /// The tree's size limits and feature sampling, as read from the hyper-parameters.
    let settings: TreeSettings
    /// `max_depth`, `nil` for None.
    public var maxDepth: Int? { settings.maxDepth }
    /// `min_samples_split`.
    public var minSamplesSplit: Int { settings.minSamplesSplit }
    /// `min_samples_leaf`.
    public var minSamplesLeaf: Int { settings.minSamplesLeaf }
    /// `max_features`, `nil` for all features.
    public var maxFeatures: Int? {
        if case .count(let count) = settings.maxFeatures { return count }
        return nil
    }
    /// The seed (`random_state`, 0 for None).
    public let seed: Int

    /// Reads hyper-parameters checked against ``hyperParameters``.
    public init(_ parameters: HyperParameters) {
        criterion = parameters.string("criterion") ?? "gini"
        settings = TreeSettings(parameters)
        seed = TreeParameters.seed(parameters)
    }

    /// Grows the tree.
    ///
    /// - Parameters:
    ///   - x: Training features, finite.
    ///   - y: ``Targets/classes(_:classCount:)`` with at least two classes.
    ///   - context: `threads` bins the features and scans large nodes' features in parallel.
    /// - Throws: ``EstimatorError`` for mismatched shapes, non-finite values, bad or single
    ///   classes, or `max_features` above the feature count.
    /// - Complexity: O(features × rows) to bin (a radix sort per feature), then
    ///   O(depth × rows × features).
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        let (classes, classCount, _) = try InputValidation.checkFit(x, y, estimator: Self.name, task: Self.task)
        let limits = try settings.limits(featureCount: x.columns, estimator: Self.name)
        let binned = BinnedFeatures(x, threads: context.threads)
        var random = RandomSource(seed: seed)
        let tree = TreeFitting.classificationTree(
            binned, classes: classes, classCount: classCount, criterion: ClassificationCriterion(criterion),
            limits: limits, weights: [Double](repeating: 1, count: x.rows), threads: context.threads, random: &random)
        return try TreeFitting.model(Self.name) { () throws(EstimatorError) in
            try TreeClassifierModel(estimatorName: Self.name, featureCount: x.columns, classCount: classCount, trees: [tree])
        }
    }
}

/// A decision tree regressor (scikit-learn's `DecisionTreeRegressor`, `splitter='best'`,
/// `criterion='squared_error'`).
///
/// Grows one tree depth first as ``DecisionTreeClassifier`` does, choosing splits that
/// most reduce the squared error; leaves store the mean target.
///
/// Hyper-parameters: `criterion` ('squared_error'), `max_depth` (None),
/// `min_samples_split` (2), `min_samples_leaf` (1), `max_features` (None = all, or a
/// count), `random_state` (None = seed 0).
public struct DecisionTreeRegressor: Estimator {
    public static let name = "DecisionTreeRegressor"
    public static let task = PredictionTask.regression
    public static let hyperParameters = HyperParameterSchema([
        TreeParameters.regressionCriterion,
        TreeParameters.maxDepth(default: nil),
        TreeParameters.minSamplesSplit,
        TreeParameters.minSamplesLeaf,
        TreeParameters.treeMaxFeatures,
        TreeParameters.randomState,
    ])

    /// The tree's size limits and feature sampling, as read from the hyper-parameters.
    let settings: TreeSettings
    /// `max_depth`, `nil` for None.
    public var maxDepth: Int? { settings.maxDepth }
    /// `min_samples_split`.
    public var minSamplesSplit: Int { settings.minSamplesSplit }
    /// `min_samples_leaf`.
    public var minSamplesLeaf: Int { settings.minSamplesLeaf }
    /// `max_features`, `nil` for all features.
    public var maxFeatures: Int? {
        if case .count(let count) = settings.maxFeatures { return count }
        return nil
    }
    /// The seed (`random_state`, 0 for None).
    public let seed: Int

    /// Reads hyper-parameters checked against ``hyperParameters``.
    public init(_ parameters: HyperParameters) {
        settings = TreeSettings(parameters)
        seed = TreeParameters.seed(parameters)
    }

    /// Grows the tree.
    ///
    /// - Parameters:
    ///   - x: Training features, finite.
    ///   - y: ``Targets/values(_:)``, finite.
    ///   - context: `threads` bins the features and scans large nodes' features in parallel.
    /// - Throws: ``EstimatorError`` for mismatched shapes, non-finite values or
    ///   `max_features` above the feature count;
    ///   ``EstimatorError/fitFailed(estimator:reason:)`` when targets near the largest
    ///   double overflow the leaf values.
    /// - Complexity: O(features × rows) to bin (a radix sort per feature), then
    ///   O(depth × rows × features).
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        let (_, _, values) = try InputValidation.checkFit(x, y, estimator: Self.name, task: Self.task)
        let limits = try settings.limits(featureCount: x.columns, estimator: Self.name)
        let binned = BinnedFeatures(x, threads: context.threads)
        var random = RandomSource(seed: seed)
        let tree = TreeFitting.regressionTree(
            binned, values: values, limits: limits, weights: [Double](repeating: 1, count: x.rows), threads: context.threads,
            random: &random)
        return try TreeFitting.model(Self.name) { () throws(EstimatorError) in
            try TreeRegressorModel(estimatorName: Self.name, featureCount: x.columns, trees: [tree.tree])
        }
    }
}
