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
    ///   - context: The pipeline's settings (unused).
    /// - Returns: A ``LogisticModel``.
    /// - Throws: ``EstimatorError`` for invalid input (see ``InputValidation/checkFit(_:_:estimator:task:minimumRows:checkFeatures:)``),
    ///   or ``EstimatorError/fitFailed(estimator:reason:)`` when the optimizer produces
    ///   non-finite parameters.
    /// - Complexity: O(rows × features × classes) per loss-and-gradient evaluation (two
    ///   gemm or gemv), a few evaluations per iteration, at most `max_iter` iterations.
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        let (labels, classCount, _) = try InputValidation.checkFit(x, y, estimator: Self.name, task: Self.task)
        let present = Array(Set(labels)).sorted()
        var position = [Int](repeating: 0, count: classCount)
        for (k, label) in present.enumerated() { position[label] = k }
        let loss = LogisticLoss(
            x: x, labels: labels.map { position[$0] }, classes: present.count, fitIntercept: fitIntercept,
            l2: 1 / (c * Double(x.rows)))
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

/// scikit-learn's `LinearModelLoss` with the half binomial (two classes) or half
/// multinomial (more) loss and an L2 penalty on the coefficients only.
///
/// Parameters are packed as the coefficient rows (row-major, `rows × features`) followed
/// by the intercepts (`rows` of them, when fitted), with `rows = 1` for two classes.
struct LogisticLoss {
    let x: Matrix
    /// Class positions in `0..<classes`.
    let labels: [Int]
    let classes: Int
    let fitIntercept: Bool
    /// `1 / (C·n)`.
    let l2: Double

    var rows: Int { classes == 2 ? 1 : classes }
    var parameterCount: Int { rows * x.columns + (fitIntercept ? rows : 0) }

    /// The coefficients (row-major) and intercepts in `theta`.
    func split(_ theta: [Double]) -> (coefficients: [Double], intercepts: [Double]) {
        let count = rows * x.columns
        let intercepts = fitIntercept ? Array(theta[count...]) : [Double](repeating: 0, count: rows)
        return (Array(theta[..<count]), intercepts)
    }

    /// The objective and its gradient at `theta`.
    ///
    /// - Complexity: O(n × features × rows): two gemv (binary) or two gemm (multinomial).
    func valueAndGradient(_ theta: [Double]) throws(LinearAlgebraError) -> (value: Double, gradient: [Double]) {
        let n = x.rows, p = x.columns, count = rows * p
        let (coefficients, intercepts) = split(theta)
        let scale = 1 / Double(n)
        var gradient = [Double](repeating: 0, count: parameterCount)
        var value = 0.0

        if classes == 2 {
            // raw = X·w + b; loss = log(1 + e^raw) − y·raw; ∂/∂raw = σ(raw) − y.
            var raw = [Double](repeating: intercepts[0], count: n)
            try BLAS.gemv(x, coefficients, beta: 1, into: &raw)
            var residual = [Double](repeating: 0, count: n)
            for i in 0..<n {
                // One exponential serves the loss and the sigmoid: e^(−|t|) is e^(−t) for
                // t > 0 and e^t otherwise, the values both formulas use on each side.
                let t = raw[i], target = Double(labels[i]), e = exp(-abs(t))
                value += (t > 0 ? t + log1p(e) : log1p(e)) - target * t
                residual[i] = (t >= 0 ? 1 / (1 + e) : e / (1 + e)) - target
            }
            var gradW = coefficients
            try BLAS.gemv(x, residual, transpose: true, alpha: scale, beta: l2, into: &gradW)
            gradient.replaceSubrange(0..<p, with: gradW)
            if fitIntercept { gradient[p] = residual.reduce(0, +) * scale }
        } else {
            // raw = X·Wᵀ + b (n × K); loss = logΣexp(raw) − raw[y]; ∂/∂raw = softmax − onehot.
            let k = rows
            var raw = Matrix(rows: n, columns: k)
            raw.withUnsafeMutableElements { r in
                for i in 0..<n {
                    for j in 0..<k { r[i * k + j] = intercepts[j] }
                }
            }
            let w = try Matrix(rows: k, columns: p, elements: coefficients)
            try BLAS.gemm(x, w, transposeB: true, beta: 1, into: &raw)
            let labels = self.labels
            value = raw.withUnsafeMutableElements { r in
                var total = 0.0
                for i in 0..<n {
                    let row = i * k
                    var top = -Double.infinity
                    for j in 0..<k { top = Swift.max(top, r[row + j]) }
                    let target = labels[i]
                    let shiftedTarget = r[row + target] - top
                    var sum = 0.0
                    for j in 0..<k {
                        let e = exp(r[row + j] - top)
                        r[row + j] = e  // the raw score is no longer needed once exponentiated
                        sum += e
                    }
                    // −log softmax[y] = log Σ e^(raw − top) − (raw[y] − top)
                    total += log(sum) - shiftedTarget
                    for j in 0..<k { r[row + j] /= sum }
                    r[row + target] -= 1
                }
                return total
            }
            var gradW = w
            try BLAS.gemm(raw, x, transposeA: true, alpha: scale, beta: l2, into: &gradW)
            gradient.replaceSubrange(0..<count, with: gradW.elements)
            if fitIntercept {
                let columnSums = try BLAS.gemv(raw, [Double](repeating: scale, count: n), transpose: true)
                gradient.replaceSubrange(count..<(count + k), with: columnSums)
            }
        }
        value *= scale
        value += 0.5 * l2 * (try BLAS.dot(coefficients, coefficients))
        return (value, gradient)
    }
}
