import Foundation
public import LinearAlgebra

/// A fitted logistic-regression classifier (scikit-learn's `LogisticRegression` after
/// fitting): a linear decision function per class turned into probabilities by the
/// logistic sigmoid (two classes) or the softmax (three or more).
///
/// As in scikit-learn, two classes are modelled by one row of coefficients, the decision
/// function of the second class (`P(second) = σ(x·w + b)`), and more classes by one row
/// per class (`P = softmax(X·Wᵀ + b)`). Only the classes present in the training data are
/// modelled (they are ``classes``); any other class of `0..<classCount` has probability 0.
public struct LogisticModel: PersistableModel, TrainedClassifier, Hashable {
    /// The kind written into payloads.
    public static let payloadKind = "LogisticModel"

    /// The estimator that produced the model.
    public let estimatorName: String
    /// The number of features the model was fitted on.
    public let featureCount: Int
    /// The number of classes of the task.
    public let classCount: Int
    /// The class indices seen in training, ascending (scikit-learn's `classes_`).
    public let classes: [Int]
    /// scikit-learn's `coef_`, row-major: one row of ``featureCount`` values for two
    /// classes, else one row per entry of ``classes``.
    public let coefficients: [Double]
    /// scikit-learn's `intercept_`: one value per coefficient row (zeros without an intercept).
    public let intercepts: [Double]

    /// The number of coefficient rows: 1 for two classes, else the number of classes.
    public var coefficientRows: Int { classes.count == 2 ? 1 : classes.count }

    /// ``coefficients`` as a ``coefficientRows``×``featureCount`` matrix.
    public var coefficientMatrix: Matrix {
        // validate() and the initializer guarantee the element count.
        (try? Matrix(rows: coefficientRows, columns: featureCount, elements: coefficients))
            ?? Matrix(rows: coefficientRows, columns: featureCount)
    }

    /// A model from its parameters (normally made by ``LogisticRegression``).
    ///
    /// - Parameters:
    ///   - estimatorName: The estimator that produced it.
    ///   - featureCount: The number of features.
    ///   - classCount: The number of classes of the task.
    ///   - classes: The classes seen in training, ascending, at least two.
    ///   - coefficients: Row-major coefficients (see ``coefficients``).
    ///   - intercepts: One intercept per coefficient row.
    /// - Throws: ``EstimatorError/invalidPayload(_:)`` when the parameters are inconsistent
    ///   (see ``validate()``).
    public init(
        estimatorName: String, featureCount: Int, classCount: Int, classes: [Int], coefficients: [Double], intercepts: [Double]
    ) throws(EstimatorError) {
        self.estimatorName = estimatorName
        self.featureCount = featureCount
        self.classCount = classCount
        self.classes = classes
        self.coefficients = coefficients
        self.intercepts = intercepts
        try validate()
    }

    /// The decision function `X·coef_ᵀ + intercept_`, one column per coefficient row
    /// (scikit-learn's `decision_function`).
    ///
    /// - Parameter x: One row per sample.
    /// - Throws: as ``TrainedModel/predict(_:)``.
    /// - Complexity: O(rows × features × coefficientRows), one gemm.
    public func decisionFunction(_ x: Matrix) throws(EstimatorError) -> Matrix {
        try InputValidation.checkPredict(x, featureCount: featureCount, estimator: estimatorName)
        do throws(LinearAlgebraError) {
            var scores = Matrix(rows: x.rows, columns: coefficientRows)
            let intercepts = self.intercepts, width = coefficientRows
            scores.withUnsafeMutableElements { elements in
                for i in 0..<x.rows {
                    for k in 0..<width { elements[i * width + k] = intercepts[k] }
                }
            }
            try BLAS.gemm(x, coefficientMatrix, transposeB: true, beta: 1, into: &scores)
            return scores
        } catch {
            throw .linearAlgebra(estimator: estimatorName, error)
        }
    }

    /// Class probabilities: the sigmoid of the decision function for two classes, its
    /// softmax (shifted by the row maximum, so it never overflows) for more.
    ///
    /// - Parameter x: One row per sample.
    /// - Returns: One row per sample, one column per class of `0..<classCount`.
    /// - Throws: as ``TrainedModel/predict(_:)``.
    /// - Complexity: O(rows × features × coefficientRows), one gemm.
    public func predictProbabilities(_ x: Matrix) throws(EstimatorError) -> Matrix {
        let scores = try decisionFunction(x)
        var probabilities = Matrix(rows: x.rows, columns: classCount)
        let classes = self.classes, width = scores.columns, classCount = self.classCount
        scores.withUnsafeElements { s in
            probabilities.withUnsafeMutableElements { p in
                for i in 0..<x.rows {
                    let out = i * classCount
                    if classes.count == 2 {
                        let positive = sigmoid(s[i])
                        p[out + classes[0]] = 1 - positive
                        p[out + classes[1]] = positive
                    } else {
                        let row = i * width
                        var top = -Double.infinity
                        for k in 0..<width { top = Swift.max(top, s[row + k]) }
                        var sum = 0.0
                        for k in 0..<width {
                            let e = exp(s[row + k] - top)
                            p[out + classes[k]] = e
                            sum += e
                        }
                        for k in 0..<width { p[out + classes[k]] /= sum }
                    }
                }
            }
        }
        return probabilities
    }

    /// The class with the largest decision value (the first on ties; for two classes the
    /// second class when the decision value is positive), as scikit-learn predicts.
    ///
    /// - Parameter x: One row per sample.
    /// - Returns: Class indices as `Double`.
    /// - Throws: ``EstimatorError/featureCountMismatch(estimator:expected:actual:)`` or
    ///   ``EstimatorError/nonFiniteFeature(estimator:row:column:)``.
    /// - Complexity: O(rows × features × coefficientRows), one gemm.
    public func predict(_ x: Matrix) throws(EstimatorError) -> [Double] {
        let scores = try decisionFunction(x)
        let width = scores.columns
        return scores.withUnsafeElements { s in
            (0..<x.rows).map { i -> Double in
                if classes.count == 2 { return Double(s[i] > 0 ? classes[1] : classes[0]) }
                var best = 0
                for k in 1..<width where s[i * width + k] > s[i * width + best] { best = k }
                return Double(classes[best])
            }
        }
    }

    /// Checks the parameters after decoding: at least two ascending classes within
    /// `0..<classCount`, one row of ``featureCount`` coefficients per class (one for two
    /// classes), one intercept per row, every value finite.
    ///
    /// - Throws: ``EstimatorError/invalidPayload(_:)``.
    public func validate() throws(EstimatorError) {
        guard featureCount >= 1 else { throw .invalidPayload("LogisticModel needs at least one feature") }
        guard classCount >= 2, classes.count >= 2, classes.count <= classCount,
              zip(classes, classes.dropFirst()).allSatisfy({ $0 < $1 }),
              let first = classes.first, let last = classes.last, first >= 0, last < classCount
        else {
            throw .invalidPayload("LogisticModel classes must be at least two ascending indices in 0..<\(classCount)")
        }
        let (rows, product) = coefficientRows.multipliedReportingOverflow(by: featureCount)
        guard !product, coefficients.count == rows, intercepts.count == coefficientRows else {
            throw .invalidPayload("LogisticModel needs \(coefficientRows)×\(featureCount) coefficients and \(coefficientRows) intercepts")
        }
        guard coefficients.allSatisfy(\.isFinite), intercepts.allSatisfy(\.isFinite) else {
            throw .invalidPayload("LogisticModel parameters must be finite")
        }
    }

    /// The coefficients as scikit-learn's `coef_`: one row for two classes (the second
    /// class's decision function), one per class of ``classes`` otherwise; `nil` only for
    /// a model whose coefficient count does not match (which ``validate()`` refuses).
    ///
    /// - Complexity: O(classes × features).
    public var featureImportances: FeatureImportances? {
        let width = featureCount, rows = coefficientRows
        guard width > 0, coefficients.count == rows * width else { return nil }
        return .coefficients((0..<rows).map { row in Array(coefficients[(row * width)..<((row + 1) * width)]) })
    }
}

/// The logistic sigmoid `1 / (1 + e^(−t))`, computed without overflow.
func sigmoid(_ t: Double) -> Double {
    if t >= 0 { return 1 / (1 + exp(-t)) }
    let e = exp(t)
    return e / (1 + e)
}
