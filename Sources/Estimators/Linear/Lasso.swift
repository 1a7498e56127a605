public import LinearAlgebra
public import Scoring

/// Linear regression with combined L1 and L2 penalties (scikit-learn's `ElasticNet`),
/// fitted by cyclic coordinate descent.
///
/// Minimizes
///
///     1/(2n)·‖y − Xw‖² + alpha·l1_ratio·‖w‖₁ + alpha·(1 − l1_ratio)/2·‖w‖²
///
/// on data centered first when fitting an intercept, with scikit-learn's stopping rule:
/// a sweep whose largest coefficient change is at most `tol` times the largest
/// coefficient triggers a duality-gap check, and the descent stops once the gap is at
/// most `tol·‖y − ȳ‖²`. Like scikit-learn, reaching `max_iter` sweeps without
/// convergence still returns the last coefficients (scikit-learn warns; this library has
/// no warning channel).
///
/// Hyper-parameters: `alpha` (default 1.0, ≥ 0), `l1_ratio` (default 0.5, in [0, 1]),
/// `fit_intercept` (default `True`), `max_iter` (default 1000, ≥ 1), `tol` (default 1e-4,
/// ≥ 0), `selection` (`'cyclic'` only).
public struct ElasticNet: Estimator {
    /// The catalog name (scikit-learn's class name).
    public static let name = "ElasticNet"
    /// The prediction task.
    public static let task = PredictionTask.regression
    /// The hyper-parameters: scikit-learn's names, defaults and ranges.
    public static let hyperParameters = HyperParameterSchema([
        .double("alpha", default: 1.0, min: 0, "Strength of the penalty (multiplies both terms)."),
        .double("l1_ratio", default: 0.5, min: 0, max: 1, "Share of the L1 term in the penalty (1 is the lasso, 0 ridge)."),
        .bool("fit_intercept", default: true, "Whether to fit an intercept (the data are centered first)."),
        .int("max_iter", default: 1000, min: 1, "Maximum number of coordinate-descent sweeps."),
        .double("tol", default: 1e-4, min: 0, "Tolerance of the duality-gap stopping rule."),
        .choice("selection", ["cyclic"], default: "cyclic", "Order of the coordinate updates (cyclic only)."),
    ])

    /// `alpha`.
    public let alpha: Double
    /// `l1_ratio`.
    public let l1Ratio: Double
    /// `fit_intercept`.
    public let fitIntercept: Bool
    /// `max_iter`.
    public let maxIterations: Int
    /// `tol`.
    public let tolerance: Double

    /// An elastic net configured with checked hyper-parameters.
    ///
    /// - Parameter parameters: Values resolved by ``hyperParameters``.
    public init(_ parameters: HyperParameters) {
        alpha = parameters.double("alpha") ?? 1
        l1Ratio = parameters.double("l1_ratio") ?? 0.5
        fitIntercept = parameters.bool("fit_intercept")
        maxIterations = parameters.int("max_iter") ?? 1000
        tolerance = parameters.double("tol") ?? 1e-4
    }

    /// Fits the coefficients by coordinate descent.
    ///
    /// - Parameters:
    ///   - x: One row per sample, one column per feature.
    ///   - y: ``Targets/values(_:)``.
    ///   - context: The pipeline's settings (unused).
    /// - Throws: ``EstimatorError`` for invalid input (see ``InputValidation/checkFit(_:_:estimator:task:minimumRows:checkFeatures:)``),
    ///   or ``EstimatorError/fitFailed(estimator:reason:)`` when the coefficients overflow.
    /// - Complexity: O(rows × features) per sweep, at most `max_iter` sweeps.
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        try fitElasticNet(x, y, estimator: Self.name, alpha: alpha, l1Ratio: l1Ratio, fitIntercept: fitIntercept,
                          maxIterations: maxIterations, tolerance: tolerance, context: context)
    }
}

/// Linear regression with an L1 penalty (scikit-learn's `Lasso`): ``ElasticNet`` with
/// `l1_ratio = 1`, minimizing `1/(2n)·‖y − Xw‖² + alpha·‖w‖₁` by coordinate descent.
///
/// Hyper-parameters: `alpha` (default 1.0, ≥ 0), `fit_intercept` (default `True`),
/// `max_iter` (default 1000, ≥ 1), `tol` (default 1e-4, ≥ 0), `selection`
/// (`'cyclic'` only).
public struct Lasso: Estimator {
    /// The catalog name (scikit-learn's class name).
    public static let name = "Lasso"
    /// The prediction task.
    public static let task = PredictionTask.regression
    /// The hyper-parameters: scikit-learn's names, defaults and ranges.
    public static let hyperParameters = HyperParameterSchema([
        .double("alpha", default: 1.0, min: 0, "Strength of the L1 penalty."),
        .bool("fit_intercept", default: true, "Whether to fit an intercept (the data are centered first)."),
        .int("max_iter", default: 1000, min: 1, "Maximum number of coordinate-descent sweeps."),
        .double("tol", default: 1e-4, min: 0, "Tolerance of the duality-gap stopping rule."),
        .choice("selection", ["cyclic"], default: "cyclic", "Order of the coordinate updates (cyclic only)."),
    ])

    /// `alpha`.
    public let alpha: Double
    /// `fit_intercept`.
    public let fitIntercept: Bool
    /// `max_iter`.
    public let maxIterations: Int
    /// `tol`.
    public let tolerance: Double

    /// A lasso configured with checked hyper-parameters.
    ///
    /// - Parameter parameters: Values resolved by ``hyperParameters``.
    public init(_ parameters: HyperParameters) {
        alpha = parameters.double("alpha") ?? 1
        fitIntercept = parameters.bool("fit_intercept")
        maxIterations = parameters.int("max_iter") ?? 1000
        tolerance = parameters.double("tol") ?? 1e-4
    }

    /// Fits the coefficients by coordinate descent.
    ///
    /// - Parameters:
    ///   - x: One row per sample, one column per feature.
    ///   - y: ``Targets/values(_:)``.
    ///   - context: The pipeline's settings (unused).
    /// - Throws: ``EstimatorError`` for invalid input (see ``InputValidation/checkFit(_:_:estimator:task:minimumRows:checkFeatures:)``),
    ///   or ``EstimatorError/fitFailed(estimator:reason:)`` when the coefficients overflow.
    /// - Complexity: O(rows × features) per sweep, at most `max_iter` sweeps.
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        try fitElasticNet(x, y, estimator: Self.name, alpha: alpha, l1Ratio: 1, fitIntercept: fitIntercept,
                          maxIterations: maxIterations, tolerance: tolerance, context: context)
    }
}

/// The shared fit of ``Lasso`` and ``ElasticNet``: validate, center, descend, un-center.
private func fitElasticNet(
    _ x: Matrix, _ y: Targets, estimator: String, alpha: Double, l1Ratio: Double, fitIntercept: Bool,
    maxIterations: Int, tolerance: Double, context: FitContext
) throws(EstimatorError) -> LinearModel {
    let (_, _, values) = try InputValidation.checkFit(x, y, estimator: estimator, task: .regression)
    let model: LinearModel
    var cancelled = false
    do throws(LinearAlgebraError) {
        let n = Double(x.rows)
        let xMean = fitIntercept
            ? try BLAS.gemv(x, [Double](repeating: 1 / n, count: x.rows), transpose: true)
            : [Double](repeating: 0, count: x.columns)
        let yMean = fitIntercept ? values.reduce(0, +) / n : 0
        let result = try CoordinateDescent.elasticNet(
            columns: CoordinateDescent.columns(of: x, subtracting: xMean), values.map { $0 - yMean },
            l1: alpha * l1Ratio * n, l2: alpha * (1 - l1Ratio) * n,
            maxIterations: maxIterations, tolerance: tolerance, isCancelled: { context.isCancelled })
        cancelled = result.cancelled
        let intercept = yMean - zip(xMean, result.coefficients).reduce(0) { $0 + $1.0 * $1.1 }
        model = LinearModel(estimatorName: estimator, coefficients: result.coefficients, intercept: intercept)
    } catch {
        throw .linearAlgebra(estimator: estimator, error)
    }
    if cancelled { throw .cancelled(estimator: estimator) }
    guard model.coefficients.allSatisfy(\.isFinite), model.intercept.isFinite else {
        throw .fitFailed(estimator: estimator, reason: "coordinate descent gave non-finite coefficients: the data may need scaling")
    }
    return model
}
