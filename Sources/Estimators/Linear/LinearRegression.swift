public import LinearAlgebra
public import Scoring

/// Ordinary least squares (scikit-learn's `LinearRegression`).
///
/// Centers the data when fitting an intercept, then solves the least-squares problem with
/// ``LeastSquares/Method/automatic``: syrk + Cholesky when `XᵀX` is well conditioned, the
/// SVD (dgelsd, minimum-norm) otherwise — the same solution scikit-learn's `lstsq` gives.
///
/// Hyper-parameters: `fit_intercept` (default `True`).
public struct LinearRegression: Estimator {
    public static let name = "LinearRegression"
    public static let task = PredictionTask.regression
    public static let hyperParameters = HyperParameterSchema([
        .bool("fit_intercept", default: true, "Whether to fit an intercept (the data are centered first)."),
    ])

    public let fitIntercept: Bool

    public init(_ parameters: HyperParameters) {
        fitIntercept = parameters.bool("fit_intercept")
    }

    /// - Complexity: O(rows × features²) for the Gram matrix (one syrk), plus O(features³).
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        let (_, _, values) = try InputValidation.checkFit(x, y, estimator: Self.name, task: Self.task, checkFeatures: false)
        // Normal equations from the blocked centered Gram matrix when well conditioned
        // (as LeastSquares' automatic method decides); otherwise the SVD on a centered
        // copy, which is rank-safe and gives the minimum-norm solution like lstsq.
        let normal = try CenteredGram.checked(x, values, center: fitIntercept, estimator: Self.name)
        do throws(LinearAlgebraError) {
            if let factor = try? CholeskyFactorization(normal.gram),
               factor.reciprocalCondition() >= LeastSquares.automaticConditionLimit {
                let coefficients = try factor.solve(normal.rhs)
                return LinearModel(estimatorName: Self.name, coefficients: coefficients, intercept: normal.intercept(for: coefficients))
            }
            let data = try CenteredData(x, values, center: fitIntercept)
            let coefficients = try LeastSquares.solve(data.x, data.y, method: .svd).coefficients
            return LinearModel(estimatorName: Self.name, coefficients: coefficients, intercept: data.intercept(for: coefficients))
        } catch {
            throw .linearAlgebra(estimator: Self.name, error)
        }
    }
}

/// Least squares with an L2 penalty `alpha·‖w‖²` (scikit-learn's `Ridge`, Cholesky solver).
///
/// Solves `(XᵀX + alpha·I)·w = Xᵀy` on centered data by syrk + Cholesky; with
/// `alpha = 0` it is ``LinearRegression``.
///
/// Hyper-parameters: `alpha` (default 1.0, ≥ 0), `fit_intercept` (default `True`).
public struct Ridge: Estimator {
    public static let name = "Ridge"
    public static let task = PredictionTask.regression
    public static let hyperParameters = HyperParameterSchema([
        .double("alpha", default: 1.0, min: 0, "Strength of the L2 penalty."),
        .bool("fit_intercept", default: true, "Whether to fit an intercept (the data are centered first)."),
    ])

    public let alpha: Double
    public let fitIntercept: Bool

    public init(_ parameters: HyperParameters) {
        alpha = parameters.double("alpha") ?? 1
        fitIntercept = parameters.bool("fit_intercept")
    }

    /// - Complexity: O(rows × features²) (one syrk) plus O(features³).
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        let (_, _, values) = try InputValidation.checkFit(x, y, estimator: Self.name, task: Self.task, checkFeatures: false)
        if alpha == 0 {
            let parameters = try LinearRegression.hyperParameters.resolve(["fit_intercept": .bool(fitIntercept)], estimator: Self.name)
            guard let fitted = try LinearRegression(parameters).fit(x, y, context: context) as? LinearModel else {
                throw .fitFailed(estimator: Self.name, reason: "unexpected model type")
            }
            return LinearModel(estimatorName: Self.name, coefficients: fitted.coefficients, intercept: fitted.intercept)
        }
        let normal = try CenteredGram.checked(x, values, center: fitIntercept, estimator: Self.name)
        do throws(LinearAlgebraError) {
            var gram = normal.gram
            for j in 0..<gram.rows { gram[j, j] += alpha }
            let coefficients = try CholeskyFactorization(gram).solve(normal.rhs)
            return LinearModel(estimatorName: Self.name, coefficients: coefficients, intercept: normal.intercept(for: coefficients))
        } catch {
            throw .linearAlgebra(estimator: Self.name, error)
        }
    }
}
