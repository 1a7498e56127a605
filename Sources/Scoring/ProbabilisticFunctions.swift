import LinearAlgebra

// The metrics on scores and class probabilities as public functions, like
// `sklearn.metrics`. The formulas are `ProbabilisticMetrics`', which the catalog's
// `roc_auc`, `roc_auc_ovr` and `log_loss` use too.

/// The mean negative log-probability of the true class: scikit-learn's `log_loss`.
///
/// Column `j` of `probabilities` is the `j`-th smallest class: of `labels` when given, else
/// of the labels in `truth` (as scikit-learn's `LabelBinarizer` orders them). Probabilities
/// are clipped to `[ε, 1 − ε]` (ε = `Double.ulpOfOne`) as scikit-learn does.
///
/// ```swift
/// let loss = try logLoss(["no", "yes"], [[0.9, 0.1], [0.2, 0.8]])   // −(ln 0.9 + ln 0.8) / 2 = 0.164…
/// let batch = try logLoss(["no", "no"], [[0.9, 0.1], [0.6, 0.4]], labels: ["no", "yes"])
/// ```
///
/// - Parameters:
///   - truth: The true labels.
///   - probabilities: One row per true label, one column per class, each row non-negative
///     and summing to 1 (within 1e-6).
///   - labels: Every class, when `truth` may lack some (a small batch); its order does not
///     matter.
/// - Returns: A value `≥ 0`; lower is better.
/// - Throws: ``ScoringError`` naming `log_loss`: ``ScoringError/lengthMismatch(score:truth:predicted:)``
///   (rows ≠ labels), ``ScoringError/empty(score:)``, ``ScoringError/nonFinite(score:what:index:)``
///   (a NaN label or probability), ``ScoringError/undefined(score:reason:)`` (fewer than two
///   classes, a row of the wrong width, a true label missing from `labels`), or
///   ``ScoringError/invalidProbabilities(score:row:)``.
/// - Complexity: O(n·k + k log k) for n samples and k classes.
public func logLoss<Label: Hashable & Comparable>(
    _ truth: [Label], _ probabilities: [[Double]], labels: [Label]? = nil
) throws(ScoringError) -> Double {
    let (t, p) = try ProbabilityChecks.classes(truth, probabilities, labels: labels, score: "log_loss")
    return ProbabilisticMetrics.logLoss(t, p)
}

/// The area under the ROC curve of a binary classifier's scores: scikit-learn's
/// `roc_auc_score` with one score per sample.
///
/// The positive class is the larger of the two labels in `truth`, as in scikit-learn.
///
/// ```swift
/// let auc = try rocAUC([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])   // 0.75
/// ```
///
/// - Parameters:
///   - truth: The true labels: exactly two distinct values.
///   - scores: One score per true label, higher meaning more likely positive: the positive
///     class's probability, or any decision value.
/// - Returns: A value in `0...1`; greater is better.
/// - Throws: ``ScoringError`` naming `roc_auc`: ``ScoringError/lengthMismatch(score:truth:predicted:)``,
///   ``ScoringError/empty(score:)``, ``ScoringError/nonFinite(score:what:index:)`` (a NaN
///   label, a non-finite score), ``ScoringError/notBinary(score:classCount:)`` for more than
///   two labels, or ``ScoringError/undefined(score:reason:)`` for only one.
/// - Complexity: O(n log n).
public func rocAUC<Label: Hashable & Comparable>(_ truth: [Label], _ scores: [Double]) throws(ScoringError) -> Double {
    let name = "roc_auc"
    guard truth.count == scores.count else { throw .lengthMismatch(score: name, truth: truth.count, predicted: scores.count) }
    guard !truth.isEmpty else { throw .empty(score: name) }
    try LabelChecks.requireOrderable(truth, what: "true value", score: name)
    if let index = scores.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(score: name, what: "score", index: index) }
    let classes = ClassLabels(truth)
    guard classes.count <= 2 else { throw .notBinary(score: name, classCount: classes.count) }
    guard let positive = classes.classes.last else { throw .empty(score: name) }
    return try ProbabilisticMetrics.rocAUC(positive: truth.map { $0 == positive }, scores: scores, name: name)
}

/// The mean over classes of each class's ROC AUC against the rest: scikit-learn's
/// `roc_auc_score(multi_class="ovr", average="macro")`.
///
/// Columns are ordered as for ``logLoss(_:_:labels:)``. With two classes this is the
/// binary ROC AUC of the second column.
///
/// ```swift
/// let auc = try rocAUCOneVsRest(["a", "b", "c"], [[0.8, 0.1, 0.1], [0.2, 0.6, 0.2], [0.1, 0.2, 0.7]])   // 1
/// ```
///
/// - Parameters:
///   - truth: The true labels; every class must occur.
///   - probabilities: One row per true label, one column per class, each row non-negative
///     and summing to 1 (within 1e-6).
///   - labels: Every class, in any order; by default the labels in `truth`.
/// - Returns: A value in `0...1`; greater is better.
/// - Throws: ``ScoringError`` naming `roc_auc_ovr`, as ``logLoss(_:_:labels:)``, and
///   ``ScoringError/undefined(score:reason:)`` when a class is absent from `truth`.
/// - Complexity: O(k · n log n) for n samples and k classes.
public func rocAUCOneVsRest<Label: Hashable & Comparable>(
    _ truth: [Label], _ probabilities: [[Double]], labels: [Label]? = nil
) throws(ScoringError) -> Double {
    let name = "roc_auc_ovr"
    let (t, p) = try ProbabilityChecks.classes(truth, probabilities, labels: labels, score: name)
    return try ProbabilisticMetrics.oneVsRestAUC(t, p, name: name)
}

/// Input checks of the probability metric functions.
enum ProbabilityChecks {
    /// Checked class indices of `truth` (over `labels`, else over `truth`'s own labels) and
    /// the probability rows as a matrix, validated as the catalog validates them.
    static func classes<Label: Hashable & Comparable>(
        _ truth: [Label], _ rows: [[Double]], labels: [Label]?, score name: String
    ) throws(ScoringError) -> (truth: [Int], probabilities: Matrix) {
        guard truth.count == rows.count else { throw .lengthMismatch(score: name, truth: truth.count, predicted: rows.count) }
        guard !truth.isEmpty else { throw .empty(score: name) }
        try LabelChecks.requireOrderable(truth, what: "true value", score: name)
        if let labels { try LabelChecks.requireOrderable(labels, what: "label", score: name) }
        let classes = ClassLabels(labels ?? truth)
        if labels != nil, let index = truth.firstIndex(where: { !classes.contains($0) }) {
            throw .undefined(score: name, reason: "the true value at index \(index) is not among the labels")
        }
        guard classes.count >= 2 else {
            throw .undefined(score: name, reason: labels == nil
                ? "only one class is present in the true values; pass every class as labels"
                : "labels name fewer than two classes")
        }
        let k = classes.count
        if let row = rows.firstIndex(where: { $0.count != k }) {
            throw .undefined(score: name, reason: "row \(row) has \(rows[row].count) probability columns for \(k) classes")
        }
        let matrix = Matrix(rows: rows.count, columns: k) { row, column in rows[row][column] }
        let indices = classes.indices(truth)
        try ScoringInput.classification(truth: indices, predicted: indices, probabilities: matrix, classCount: k)
            .validate(score: name, needsProbabilities: true)
        return (indices, matrix)
    }
}
