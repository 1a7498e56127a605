public import LinearAlgebra
public import Scoring

/// The hyper-parameters shared by the two k-nearest-neighbours estimators.
private let neighborParameters: [HyperParameterSpec] = [
    .int("n_neighbors", default: 5, min: 1, "Number of neighbours consulted for each prediction."),
    .choice("weights", ["uniform", "distance"], default: "uniform",
            "'uniform': every neighbour counts the same; 'distance': by the inverse of its distance."),
    .double("p", default: 2, min: 2, max: 2, "Minkowski power: only 2 (the Euclidean distance) is implemented."),
]

/// Checks the fitting data of a neighbours estimator: ``InputValidation/checkFit(_:_:estimator:task:minimumRows:checkFeatures:)``
/// and at least `n_neighbors` training rows.
private func checkNeighborFit(
    _ x: Matrix, _ y: Targets, estimator: String, task: PredictionTask, neighbors: Int
) throws(EstimatorError) -> (classes: [Int], classCount: Int, values: [Double]) {
    let checked = try InputValidation.checkFit(x, y, estimator: estimator, task: task)
    guard x.rows >= neighbors else {
        throw .tooFewSamples(estimator: estimator, needed: neighbors, got: x.rows, reason: "n_neighbors = \(neighbors)")
    }
    return checked
}

/// Regression by the mean of the k nearest training targets (scikit-learn's
/// `KNeighborsRegressor` with the brute-force Euclidean search).
///
/// Fitting stores the training rows; predicting finds each row's `n_neighbors` nearest
/// training rows (ties broken by the lower training index) and averages their targets,
/// uniformly or weighted by inverse distance.
///
/// Hyper-parameters: `n_neighbors` (default 5, ≥ 1), `weights` (`'uniform'` or
/// `'distance'`), `p` (2 only).
public struct KNeighborsRegressor: Estimator {
    /// The catalog name (scikit-learn's class name).
    public static let name = "KNeighborsRegressor"
    /// The prediction task.
    public static let task = PredictionTask.regression
    /// The hyper-parameters: scikit-learn's names, defaults and ranges.
    public static let hyperParameters = HyperParameterSchema(neighborParameters)

    /// `n_neighbors`.
    public let neighborCount: Int
    /// `weights`.
    public let weights: NeighborWeights

    /// A regressor configured with checked hyper-parameters.
    ///
    /// - Parameter parameters: Values resolved by ``hyperParameters``.
    public init(_ parameters: HyperParameters) {
        neighborCount = parameters.int("n_neighbors") ?? 5
        weights = NeighborWeights(rawValue: parameters.string("weights") ?? "uniform") ?? .uniform
    }

    /// Stores the training rows and targets.
    ///
    /// - Parameters:
    ///   - x: One row per sample, one column per feature.
    ///   - y: ``Targets/values(_:)``.
    ///   - context: The pipeline's settings (unused).
    /// - Returns: A ``KNeighborsRegressorModel``.
    /// - Throws: ``EstimatorError`` for invalid input (see ``InputValidation/checkFit(_:_:estimator:task:minimumRows:checkFeatures:)``),
    ///   ``EstimatorError/tooFewSamples(estimator:needed:got:reason:)`` with fewer rows than `n_neighbors`.
    /// - Complexity: O(rows × features) (validation and a copy).
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        let (_, _, values) = try checkNeighborFit(x, y, estimator: Self.name, task: Self.task, neighbors: neighborCount)
        return try KNeighborsRegressorModel(estimatorName: Self.name, featureCount: x.columns, neighborCount: neighborCount,
                                        weights: weights, trainingRows: x.elements, targets: values)
    }
}

/// Classification by the vote of the k nearest training rows (scikit-learn's
/// `KNeighborsClassifier` with the brute-force Euclidean search).
///
/// Fitting stores the training rows; the class probabilities of a row are the (weighted)
/// vote shares of its `n_neighbors` nearest training rows (ties in distance broken by the
/// lower training index) and the predicted class the most voted one (the lowest class
/// index on ties).
///
/// Hyper-parameters: `n_neighbors` (default 5, ≥ 1), `weights` (`'uniform'` or
/// `'distance'`), `p` (2 only).
public struct KNeighborsClassifier: Estimator {
    /// The catalog name (scikit-learn's class name).
    public static let name = "KNeighborsClassifier"
    /// The prediction task.
    public static let task = PredictionTask.classification
    /// The hyper-parameters: scikit-learn's names, defaults and ranges.
    public static let hyperParameters = HyperParameterSchema(neighborParameters)

    /// `n_neighbors`.
    public let neighborCount: Int
    /// `weights`.
    public let weights: NeighborWeights

    /// A classifier configured with checked hyper-parameters.
    ///
    /// - Parameter parameters: Values resolved by ``hyperParameters``.
    public init(_ parameters: HyperParameters) {
        neighborCount = parameters.int("n_neighbors") ?? 5
        weights = NeighborWeights(rawValue: parameters.string("weights") ?? "uniform") ?? .uniform
    }

    /// Stores the training rows and classes.
    ///
    /// - Parameters:
    ///   - x: One row per sample, one column per feature.
    ///   - y: ``Targets/classes(_:classCount:)`` with at least two distinct classes.
    ///   - context: The pipeline's settings (unused).
    /// - Returns: A ``KNeighborsClassifierModel``.
    /// - Throws: ``EstimatorError`` for invalid input (see ``InputValidation/checkFit(_:_:estimator:task:minimumRows:checkFeatures:)``),
    ///   ``EstimatorError/tooFewSamples(estimator:needed:got:reason:)`` with fewer rows than `n_neighbors`.
    /// - Complexity: O(rows × features) (validation and a copy).
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        let (classes, classCount, _) = try checkNeighborFit(x, y, estimator: Self.name, task: Self.task, neighbors: neighborCount)
        return try KNeighborsClassifierModel(estimatorName: Self.name, featureCount: x.columns, classCount: classCount,
                                         neighborCount: neighborCount, weights: weights, trainingRows: x.elements, labels: classes)
    }
}
