// The regression metrics as public functions, like `sklearn.metrics`. The formulas are
// `RegressionMetrics`', which the catalog's functions of the same names use too; the
// input checks are the catalog's.
//
// Every example below scores `truth = [3, -0.5, 2, 7]` against `predicted = [2.5, 0, 2, 8]`
// (scikit-learn's documentation example).

/// The coefficient of determination, `1 − SS_res / SS_tot`: scikit-learn's `r2_score`.
///
/// A constant truth scores 1 when predicted exactly, else 0 (scikit-learn's
/// `force_finite=True`).
///
/// ```swift
/// let score = try r2([3, -0.5, 2, 7], [2.5, 0, 2, 8])   // 0.948…
/// ```
///
/// - Parameters:
///   - truth: The true values.
///   - predicted: The predictions, one per true value.
/// - Returns: A value `≤ 1`; greater is better.
/// - Throws: ``ScoringError`` naming `r2`: ``ScoringError/lengthMismatch(score:truth:predicted:)``,
///   ``ScoringError/empty(score:)`` or ``ScoringError/nonFinite(score:what:index:)``.
/// - Complexity: O(n).
public func r2(_ truth: [Double], _ predicted: [Double]) throws(ScoringError) -> Double {
    try regressionScore("r2", truth, predicted, RegressionMetrics.r2)
}

/// The share of the truth's variance the errors do not have: scikit-learn's
/// `explained_variance_score` (`force_finite=True`, like ``r2(_:_:)``).
///
/// ```swift
/// let score = try explainedVariance([3, -0.5, 2, 7], [2.5, 0, 2, 8])   // 0.957…
/// ```
///
/// - Parameters:
///   - truth: The true values.
///   - predicted: The predictions, one per true value.
/// - Returns: A value `≤ 1`; greater is better.
/// - Throws: ``ScoringError`` naming `explained_variance`, as ``r2(_:_:)``.
/// - Complexity: O(n).
public func explainedVariance(_ truth: [Double], _ predicted: [Double]) throws(ScoringError) -> Double {
    try regressionScore("explained_variance", truth, predicted, RegressionMetrics.explainedVariance)
}

/// The mean squared error: scikit-learn's `mean_squared_error`.
///
/// ```swift
/// let error = try meanSquaredError([3, -0.5, 2, 7], [2.5, 0, 2, 8])   // 0.375
/// ```
///
/// - Parameters:
///   - truth: The true values.
///   - predicted: The predictions, one per true value.
/// - Returns: A value `≥ 0`; lower is better.
/// - Throws: ``ScoringError`` naming `mean_squared_error`, as ``r2(_:_:)``.
/// - Complexity: O(n).
public func meanSquaredError(_ truth: [Double], _ predicted: [Double]) throws(ScoringError) -> Double {
    try regressionScore("mean_squared_error", truth, predicted, RegressionMetrics.meanSquaredError)
}

/// The square root of the mean squared error: scikit-learn's `root_mean_squared_error`.
///
/// ```swift
/// let error = try rootMeanSquaredError([3, -0.5, 2, 7], [2.5, 0, 2, 8])   // 0.612…
/// ```
///
/// - Parameters:
///   - truth: The true values.
///   - predicted: The predictions, one per true value.
/// - Returns: A value `≥ 0`, in the truth's unit; lower is better.
/// - Throws: ``ScoringError`` naming `root_mean_squared_error`, as ``r2(_:_:)``.
/// - Complexity: O(n).
public func rootMeanSquaredError(_ truth: [Double], _ predicted: [Double]) throws(ScoringError) -> Double {
    try regressionScore("root_mean_squared_error", truth, predicted, RegressionMetrics.rootMeanSquaredError)
}

/// The mean absolute error: scikit-learn's `mean_absolute_error`.
///
/// ```swift
/// let error = try meanAbsoluteError([3, -0.5, 2, 7], [2.5, 0, 2, 8])   // 0.5
/// ```
///
/// - Parameters:
///   - truth: The true values.
///   - predicted: The predictions, one per true value.
/// - Returns: A value `≥ 0`; lower is better.
/// - Throws: ``ScoringError`` naming `mean_absolute_error`, as ``r2(_:_:)``.
/// - Complexity: O(n).
public func meanAbsoluteError(_ truth: [Double], _ predicted: [Double]) throws(ScoringError) -> Double {
    try regressionScore("mean_absolute_error", truth, predicted, RegressionMetrics.meanAbsoluteError)
}

/// The mean of `|truth − predicted| / max(|truth|, ε)` (ε = `Double.ulpOfOne`):
/// scikit-learn's `mean_absolute_percentage_error`, as a fraction (0.1 is 10 %).
///
/// ```swift
/// let error = try meanAbsolutePercentageError([3, -0.5, 2, 7], [2.5, 0, 2, 8])   // 0.327…
/// ```
///
/// - Parameters:
///   - truth: The true values; a zero gives a huge error unless predicted exactly.
///   - predicted: The predictions, one per true value.
/// - Returns: A value `≥ 0`; lower is better.
/// - Throws: ``ScoringError`` naming `mean_absolute_percentage_error`, as ``r2(_:_:)``.
/// - Complexity: O(n).
public func meanAbsolutePercentageError(_ truth: [Double], _ predicted: [Double]) throws(ScoringError) -> Double {
    try regressionScore("mean_absolute_percentage_error", truth, predicted, RegressionMetrics.meanAbsolutePercentageError)
}

/// The median absolute error: scikit-learn's `median_absolute_error`.
///
/// ```swift
/// let error = try medianAbsoluteError([3, -0.5, 2, 7], [2.5, 0, 2, 8])   // 0.5
/// ```
///
/// - Parameters:
///   - truth: The true values.
///   - predicted: The predictions, one per true value.
/// - Returns: A value `≥ 0`; lower is better.
/// - Throws: ``ScoringError`` naming `median_absolute_error`, as ``r2(_:_:)``.
/// - Complexity: O(n log n).
public func medianAbsoluteError(_ truth: [Double], _ predicted: [Double]) throws(ScoringError) -> Double {
    try regressionScore("median_absolute_error", truth, predicted, RegressionMetrics.medianAbsoluteError)
}

/// The largest absolute error: scikit-learn's `max_error`.
///
/// ```swift
/// let error = try maxError([3, -0.5, 2, 7], [2.5, 0, 2, 8])   // 1
/// ```
///
/// - Parameters:
///   - truth: The true values.
///   - predicted: The predictions, one per true value.
/// - Returns: A value `≥ 0`; lower is better.
/// - Throws: ``ScoringError`` naming `max_error`, as ``r2(_:_:)``.
/// - Complexity: O(n).
public func maxError(_ truth: [Double], _ predicted: [Double]) throws(ScoringError) -> Double {
    try regressionScore("max_error", truth, predicted, RegressionMetrics.maxError)
}

/// `metric` of checked regression input, checked as the catalog checks it.
private func regressionScore(
    _ name: String, _ truth: [Double], _ predicted: [Double], _ metric: ([Double], [Double]) -> Double
) throws(ScoringError) -> Double {
    try ScoringInput.regression(truth: truth, predicted: predicted).validate(score: name, needsProbabilities: false)
    return metric(truth, predicted)
}
