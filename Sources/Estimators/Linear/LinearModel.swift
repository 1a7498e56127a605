public import LinearAlgebra
public import Scoring

/// A fitted linear regressor: `ŷ = X·coefficients + intercept` (LinearRegression, Ridge,
/// Lasso, ElasticNet).
public struct LinearModel: PersistableModel, Hashable {
    public static let payloadKind = "LinearModel"

    public let estimatorName: String
    /// One coefficient per feature (scikit-learn's `coef_`).
    public let coefficients: [Double]
    /// scikit-learn's `intercept_` (0 without an intercept).
    public let intercept: Double

    public var featureCount: Int { coefficients.count }
    public var task: PredictionTask { .regression }

    public init(estimatorName: String, coefficients: [Double], intercept: Double) {
        self.estimatorName = estimatorName
        self.coefficients = coefficients
        self.intercept = intercept
    }

    /// - Complexity: O(rows × features), one gemv.
    public func predict(_ x: Matrix) throws(EstimatorError) -> [Double] {
        try InputValidation.checkPredict(x, featureCount: featureCount, estimator: estimatorName)
        do throws(LinearAlgebraError) {
            var y = [Double](repeating: intercept, count: x.rows)
            try BLAS.gemv(x, coefficients, beta: 1, into: &y)
            return y
        } catch {
            throw .linearAlgebra(estimator: estimatorName, error)
        }
    }

    public func validate() throws(EstimatorError) {
        guard !coefficients.isEmpty, coefficients.allSatisfy(\.isFinite), intercept.isFinite else {
            throw .invalidPayload("LinearModel needs at least one coefficient and finite values")
        }
    }

    /// The coefficients as one row (scikit-learn's `coef_` of LinearRegression, Ridge,
    /// Lasso and ElasticNet).
    public var featureImportances: FeatureImportances? { .coefficients([coefficients]) }
}

/// Column means and centered copies, as scikit-learn's linear models preprocess data
/// when `fit_intercept=True`.
struct CenteredData {
    var x: Matrix
    var y: [Double]
    var xMean: [Double]
    var yMean: Double

    /// Centers `x` and `y` (or keeps them, with zero means, when `center` is false).
    ///
    /// - Complexity: O(rows × features): one gemv for the means, one pass to subtract.
    init(_ x: Matrix, _ y: [Double], center: Bool) throws(LinearAlgebraError) {
        guard center else {
            self.x = x
            self.y = y
            self.xMean = [Double](repeating: 0, count: x.columns)
            self.yMean = 0
            return
        }
        let rows = x.rows, columns = x.columns
        let ones = [Double](repeating: 1 / Double(rows), count: rows)
        let means = try BLAS.gemv(x, ones, transpose: true)
        var centered = x
        centered.withUnsafeMutableElements { elements in
            for i in 0..<rows {
                let base = i * columns
                for j in 0..<columns { elements[base + j] -= means[j] }
            }
        }
        let yMean = y.reduce(0, +) / Double(rows)
        self.x = centered
        self.y = y.map { $0 - yMean }
        self.xMean = means
        self.yMean = yMean
    }

    /// The intercept that goes with `coefficients` fitted on the centered data.
    func intercept(for coefficients: [Double]) -> Double {
        yMean - zip(xMean, coefficients).reduce(0) { $0 + $1.0 * $1.1 }
    }
}
