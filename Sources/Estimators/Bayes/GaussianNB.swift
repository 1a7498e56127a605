import Foundation
public import LinearAlgebra
public import Scoring

/// Gaussian naive Bayes (scikit-learn's `GaussianNB`): each feature is normally
/// distributed within each class, independently of the others.
///
/// Fitting computes, per class present in `y`, the prior (its share of the rows), and per
/// feature the mean and the variance (the mean squared deviation). Every variance is then
/// increased by `var_smoothing` times the largest variance of any feature over all rows,
/// for numerical stability. The class probabilities of a row are the normalized joint
/// likelihoods, computed as log-probabilities and normalized with log-sum-exp.
///
/// Hyper-parameters: `var_smoothing` (default 1e-9, ≥ 0).
public struct GaussianNB: Estimator {
    /// The catalog name (scikit-learn's class name).
    public static let name = "GaussianNB"
    /// The prediction task.
    public static let task = PredictionTask.classification
    /// The hyper-parameters: scikit-learn's names, defaults and ranges.
    public static let hyperParameters = HyperParameterSchema([
        .double("var_smoothing", default: 1e-9, min: 0,
                "Share of the largest feature variance added to every variance for stability."),
    ])

    /// `var_smoothing`.
    public let varSmoothing: Double

    /// A Gaussian naive Bayes configured with checked hyper-parameters.
    ///
    /// - Parameter parameters: Values resolved by ``hyperParameters``.
    public init(_ parameters: HyperParameters) {
        varSmoothing = parameters.double("var_smoothing") ?? 1e-9
    }

    /// Computes the class priors and the per-class feature means and variances.
    ///
    /// - Parameters:
    ///   - x: One row per sample, one column per feature.
    ///   - y: ``Targets/classes(_:classCount:)`` with at least two distinct classes.
    ///   - context: The pipeline's settings (unused).
    /// - Returns: A ``GaussianNBModel``.
    /// - Throws: ``EstimatorError`` for invalid input (see ``InputValidation/checkFit(_:_:estimator:task:minimumRows:checkFeatures:)``),
    ///   or ``EstimatorError/fitFailed(estimator:reason:)`` when a smoothed variance is
    ///   still 0 (every feature constant, or `var_smoothing = 0` and a feature constant
    ///   within a class) or a statistic overflows.
    /// - Complexity: O(rows × features), two passes.
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        let (labels, classCount, _) = try InputValidation.checkFit(x, y, estimator: Self.name, task: Self.task)
        let n = x.rows, p = x.columns
        let present = Array(Set(labels)).sorted()
        var position = [Int](repeating: -1, count: classCount)
        for (k, label) in present.enumerated() { position[label] = k }
        let k = present.count

        var counts = [Int](repeating: 0, count: k)
        var means = [Double](repeating: 0, count: k * p)
        var variances = [Double](repeating: 0, count: k * p)
        var overallMean = [Double](repeating: 0, count: p)
        var overallVariance = [Double](repeating: 0, count: p)
        x.withUnsafeElements { e in
            for i in 0..<n {
                let c = position[labels[i]]
                counts[c] += 1
                for j in 0..<p {
                    means[c * p + j] += e[i * p + j]
                    overallMean[j] += e[i * p + j]
                }
            }
            for c in 0..<k {
                for j in 0..<p { means[c * p + j] /= Double(counts[c]) }
            }
            for j in 0..<p { overallMean[j] /= Double(n) }
            for i in 0..<n {
                let c = position[labels[i]]
                for j in 0..<p {
                    let d = e[i * p + j] - means[c * p + j]
                    variances[c * p + j] += d * d
                    let o = e[i * p + j] - overallMean[j]
                    overallVariance[j] += o * o
                }
            }
        }
        let epsilon = varSmoothing * (overallVariance.map { $0 / Double(n) }.max() ?? 0)
        for c in 0..<k {
            for j in 0..<p { variances[c * p + j] = variances[c * p + j] / Double(counts[c]) + epsilon }
        }
        guard variances.allSatisfy({ $0 > 0 && $0.isFinite }), means.allSatisfy(\.isFinite) else {
            throw .fitFailed(estimator: Self.name, reason: "a smoothed feature variance is zero or not finite: "
                + "every feature is constant, or var_smoothing is 0 and a feature is constant within a class")
        }
        let priors = counts.map { Double($0) / Double(n) }
        do {
            return try GaussianNBModel(estimatorName: Self.name, featureCount: p, classCount: classCount, classes: present,
                                       priors: priors, means: means, variances: variances)
        } catch {
            throw .fitFailed(estimator: Self.name, reason: "inconsistent statistics: \(error)")
        }
    }
}

/// A fitted ``GaussianNB``: per-class priors, feature means and (smoothed) variances.
public struct GaussianNBModel: PersistableModel, TrainedClassifier, Hashable {
    /// The kind written into payloads.
    public static let payloadKind = "GaussianNBModel"

    /// The estimator that produced the model.
    public let estimatorName: String
    /// The number of features the model was fitted on.
    public let featureCount: Int
    /// The number of classes of the task.
    public let classCount: Int
    /// The class indices seen in training, ascending (scikit-learn's `classes_`); any other
    /// class of `0..<classCount` has probability 0.
    public let classes: [Int]
    /// One prior per entry of ``classes`` (scikit-learn's `class_prior_`).
    public let priors: [Double]
    /// Row-major `classes.count × featureCount` means (scikit-learn's `theta_`).
    public let means: [Double]
    /// Row-major `classes.count × featureCount` smoothed variances (scikit-learn's `var_`).
    public let variances: [Double]

    /// A model from its parameters (normally made by ``GaussianNB``).
    ///
    /// - Parameters:
    ///   - estimatorName: The estimator that produced it.
    ///   - featureCount: The number of features.
    ///   - classCount: The number of classes of the task.
    ///   - classes: The classes seen in training, ascending, at least two.
    ///   - priors: One positive prior per class in `classes`.
    ///   - means: Row-major per-class feature means.
    ///   - variances: Row-major per-class feature variances, all positive.
    /// - Throws: ``EstimatorError/invalidPayload(_:)`` when the parameters are inconsistent
    ///   (see ``validate()``).
    public init(estimatorName: String, featureCount: Int, classCount: Int, classes: [Int], priors: [Double],
                means: [Double], variances: [Double]) throws(EstimatorError) {
        self.estimatorName = estimatorName
        self.featureCount = featureCount
        self.classCount = classCount
        self.classes = classes
        self.priors = priors
        self.means = means
        self.variances = variances
        try validate()
    }

    /// The joint log-likelihood `log P(c) + Σⱼ log N(xⱼ; θ_cj, σ²_cj)` of every row and
    /// modelled class (scikit-learn's `_joint_log_likelihood`).
    ///
    /// - Complexity: O(rows × classes × features).
    private func jointLogLikelihood(_ x: Matrix) throws(EstimatorError) -> Matrix {
        try InputValidation.checkPredict(x, featureCount: featureCount, estimator: estimatorName)
        let k = classes.count, p = featureCount
        var constants = [Double](repeating: 0, count: k)
        for c in 0..<k {
            var sum = 0.0
            for j in 0..<p { sum += log(2 * Double.pi * variances[c * p + j]) }
            constants[c] = log(priors[c]) - 0.5 * sum
        }
        var jll = Matrix(rows: x.rows, columns: k)
        let means = self.means, variances = self.variances
        x.withUnsafeElements { e in
            jll.withUnsafeMutableElements { out in
                for i in 0..<x.rows {
                    for c in 0..<k {
                        var sum = 0.0
                        for j in 0..<p {
                            let d = e[i * p + j] - means[c * p + j]
                            sum += d * d / variances[c * p + j]
                        }
                        out[i * k + c] = constants[c] - 0.5 * sum
                    }
                }
            }
        }
        return jll
    }

    /// The posterior class probabilities `exp(jll − logΣexp(jll))`.
    ///
    /// - Parameter x: One row per sample.
    /// - Returns: One row per sample, one column per class of `0..<classCount`.
    /// - Throws: as ``predict(_:)``.
    /// - Complexity: O(rows × classes × features).
    public func predictProbabilities(_ x: Matrix) throws(EstimatorError) -> Matrix {
        let jll = try jointLogLikelihood(x)
        let k = classes.count, classCount = self.classCount, classes = self.classes
        var probabilities = Matrix(rows: x.rows, columns: classCount)
        jll.withUnsafeElements { l in
            probabilities.withUnsafeMutableElements { out in
                for i in 0..<x.rows {
                    var top = -Double.infinity
                    for c in 0..<k { top = Swift.max(top, l[i * k + c]) }
                    var sum = 0.0
                    for c in 0..<k { sum += exp(l[i * k + c] - top) }
                    let logNormalizer = top + log(sum)
                    for c in 0..<k { out[i * classCount + classes[c]] = exp(l[i * k + c] - logNormalizer) }
                }
            }
        }
        return probabilities
    }

    /// The class of largest joint log-likelihood (the lowest class index on ties).
    ///
    /// - Parameter x: One row per sample.
    /// - Returns: Class indices as `Double`.
    /// - Throws: ``EstimatorError/featureCountMismatch(estimator:expected:actual:)`` or
    ///   ``EstimatorError/nonFiniteFeature(estimator:row:column:)``.
    /// - Complexity: O(rows × classes × features).
    public func predict(_ x: Matrix) throws(EstimatorError) -> [Double] {
        let jll = try jointLogLikelihood(x)
        let k = classes.count
        return jll.withUnsafeElements { l in
            (0..<x.rows).map { i in
                var best = 0
                for c in 1..<k where l[i * k + c] > l[i * k + best] { best = c }
                return Double(classes[best])
            }
        }
    }

    /// Checks the parameters after decoding: at least one feature, at least two ascending
    /// classes within `0..<classCount`, matching array lengths, priors in (0, 1] summing to
    /// 1, finite means and positive finite variances.
    ///
    /// - Throws: ``EstimatorError/invalidPayload(_:)``.
    public func validate() throws(EstimatorError) {
        guard featureCount >= 1 else { throw .invalidPayload("GaussianNBModel needs at least one feature") }
        guard classCount >= 2, classes.count >= 2, classes.count <= classCount,
              zip(classes, classes.dropFirst()).allSatisfy({ $0 < $1 }),
              let first = classes.first, let last = classes.last, first >= 0, last < classCount
        else {
            throw .invalidPayload("GaussianNBModel classes must be at least two ascending indices in 0..<\(classCount)")
        }
        let (cells, overflow) = classes.count.multipliedReportingOverflow(by: featureCount)
        guard !overflow, priors.count == classes.count, means.count == cells, variances.count == cells else {
            throw .invalidPayload("GaussianNBModel needs \(classes.count) priors and \(classes.count)×\(featureCount) means and variances")
        }
        guard priors.allSatisfy({ $0 > 0 && $0 <= 1 }), abs(priors.reduce(0, +) - 1) <= 1e-9,
              means.allSatisfy(\.isFinite), variances.allSatisfy({ $0 > 0 && $0.isFinite })
        else {
            throw .invalidPayload("GaussianNBModel priors must be in (0, 1] and sum to 1, means finite, variances positive and finite")
        }
    }
}
