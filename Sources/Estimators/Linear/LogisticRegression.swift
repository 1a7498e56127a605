import Foundation
public import LinearAlgebra
public import Scoring

/// L2-penalised logistic regression (scikit-learn's `LogisticRegression` with its default
/// `solver="lbfgs"`), fitted by this library's L-BFGS.
///
/// Minimizes scikit-learn's objective
///
///     1/n · Σᵢ −log P(yᵢ | xᵢ) + 1/(2·C·n) · ‖W‖²
///
/// where `P` is the sigmoid of one decision function for two classes (binomial loss) and
/// the softmax of one decision function per class for more (multinomial loss). The
/// intercepts are not penalised. Iteration stops when `max|∇| ≤ tol`, when the relative
/// decrease of the objective falls to 64·ε, or after `max_iter` iterations (scikit-learn
/// then warns; the last iterate is returned). Only the classes present in `y` are
/// modelled, as scikit-learn's `classes_`.
///
/// Hyper-parameters: `C` (default 1.0, > 0), `fit_intercept` (default `True`), `max_iter`
/// (default 100, ≥ 0), `tol` (default 1e-4, ≥ 0), `solver` (`'lbfgs'` only).
public struct LogisticRegression: Estimator {
    /// The catalog name (scikit-learn's class name).
    public static let name = "LogisticRegression"
    /// The prediction task.
    public static let task = PredictionTask.classification
    /// The hyper-parameters: scikit-learn's names, defaults and ranges.
    public static let hyperParameters = HyperParameterSchema([
        .double("C", default: 1.0, min: 0, minInclusive: false, "Inverse strength of the L2 penalty."),
        .bool("fit_intercept", default: true, "Whether to fit an (unpenalised) intercept per decision function."),
        .int("max_iter", default: 100, min: 0, "Maximum number of L-BFGS iterations."),
        .double("tol", default: 1e-4, min: 0, "Stop when the largest absolute gradient entry is at most this."),
        .choice("solver", ["lbfgs"], default: "lbfgs", "The optimizer (L-BFGS only)."),
    ])

    /// `C`.
    public let c: Double
    /// `fit_intercept`.
    public let fitIntercept: Bool
    /// `max_iter`.
    public let maxIterations: Int
    /// `tol`.
    public let tolerance: Double

    /// A logistic regression configured with checked hyper-parameters.
    ///
    /// - Parameter parameters: Values resolved by ``hyperParameters``.
    public init(_ parameters: HyperParameters) {
        c = parameters.double("C") ?? 1
        fitIntercept = parameters.bool("fit_intercept")
        maxIterations = parameters.int("max_iter") ?? 100
        tolerance = parameters.double("tol") ?? 1e-4
    }

    /// Fits the coefficients and intercepts by L-BFGS from zero.
    ///
    /// - Parameters:
    ///   - x: One row per sample, one column per feature.
    ///   - y: ``Targets/classes(_:classCount:)`` with at least two distinct classes.
    ///   - context: The pipeline's settings: `threads` for the binary loss's row blocks
    ///     (the fitted model does not depend on it), and cancellation.
    /// - Returns: A ``LogisticModel``.
    /// - Throws: ``EstimatorError`` for invalid input (see ``InputValidation/checkFit(_:_:estimator:task:minimumRows:checkFeatures:)``),
    ///   or ``EstimatorError/fitFailed(estimator:reason:)`` when the optimizer produces
    ///   non-finite parameters.
    /// - Complexity: O(rows × features × classes) per loss-and-gradient evaluation (one
    ///   blocked pass over `x` for two classes, two gemm for more), about one evaluation
    ///   per iteration, at most `max_iter` iterations.
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        let (labels, classCount, _) = try InputValidation.checkFit(x, y, estimator: Self.name, task: Self.task)
        let present = Array(Set(labels)).sorted()
        var position = [Int](repeating: 0, count: classCount)
        for (k, label) in present.enumerated() { position[label] = k }
        let loss = LogisticLoss(
            x: x, labels: labels.map { position[$0] }, classes: present.count, fitIntercept: fitIntercept,
            l2: 1 / (c * Double(x.rows)), threads: context.threads)
        var solver = LBFGS(maxIterations: maxIterations, gradientTolerance: tolerance)
        solver.isCancelled = { context.isCancelled }
        let result: LBFGS.Result
        do throws(LinearAlgebraError) {
            result = try solver.minimize(from: [Double](repeating: 0, count: loss.parameterCount)) {
                (theta) throws(LinearAlgebraError) in try loss.valueAndGradient(theta)
            }
        } catch {
            throw .linearAlgebra(estimator: Self.name, error)
        }
        if result.status == .cancelled { throw .cancelled(estimator: Self.name) }
        let (coefficients, intercepts) = loss.split(result.x)
        do {
            return try LogisticModel(estimatorName: Self.name, featureCount: x.columns, classCount: classCount,
                                     classes: present, coefficients: coefficients, intercepts: intercepts)
        } catch {
            throw .fitFailed(estimator: Self.name, reason: "L-BFGS gave non-finite parameters: the data may need scaling")
        }
    }
}
