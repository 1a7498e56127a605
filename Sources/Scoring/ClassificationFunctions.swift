// The classification metrics as public functions, like `sklearn.metrics`. Labels of any
// `Hashable & Comparable` type become class indices (the sorted distinct labels of truth
// and predictions, as scikit-learn orders classes); the formulas are
// `ClassificationMetrics`', which the catalog's functions of the same names use too.

/// How ``precision(_:_:average:positive:)``, ``recall(_:_:average:positive:)`` and
/// ``f1(_:_:average:positive:)`` combine per-class values: scikit-learn's `average`.
///
/// A class counts when it is present in the truth or the predictions.
public enum MetricAverage: Sendable, Hashable, CaseIterable {
    /// The positive class only (`average="binary"`): at most two labels.
    case binary
    /// The unweighted mean over the classes (`average="macro"`).
    case macro
    /// The mean over the classes weighted by their number of true samples
    /// (`average="weighted"`).
    case weighted
}

/// The share of predictions equal to the truth: scikit-learn's `accuracy_score`.
///
/// ```swift
/// let score = try accuracy(["cat", "dog", "dog", "cat"], ["cat", "dog", "cat", "cat"])   // 0.75
/// ```
///
/// The metrics are free functions rather than members of a namespace because the call then
/// reads like scikit-learn's `accuracy_score(y_true, y_pred)`; when a local name shadows one,
/// the module name qualifies it: `Scoring.accuracy(truth, predicted)`. Each computes what
/// the ``ScoringCatalog/standard`` function of the same scoring name computes.
///
/// - Parameters:
///   - truth: The true labels.
///   - predicted: The predicted labels, one per true label.
/// - Returns: A value in `0...1`; greater is better.
/// - Throws: ``ScoringError`` naming `accuracy`: ``ScoringError/lengthMismatch(score:truth:predicted:)``,
///   ``ScoringError/empty(score:)``, or ``ScoringError/nonFinite(score:what:index:)`` for a
///   NaN label.
/// - Complexity: O(n + k log k) for n samples and k distinct labels.
public func accuracy<Label: Hashable & Comparable>(_ truth: [Label], _ predicted: [Label]) throws(ScoringError) -> Double {
    let (t, p, _) = try LabelChecks.classes(truth, predicted, score: "accuracy")
    return ClassificationMetrics.accuracy(t, p)
}

/// The mean recall over the classes present in the truth: scikit-learn's
/// `balanced_accuracy_score`.
///
/// ```swift
/// let score = try balancedAccuracy(["a", "a", "b", "b"], ["a", "b", "b", "b"])   // (0.5 + 1) / 2 = 0.75
/// ```
///
/// - Parameters:
///   - truth: The true labels.
///   - predicted: The predicted labels, one per true label.
/// - Returns: A value in `0...1`; greater is better.
/// - Throws: ``ScoringError`` naming `balanced_accuracy`, as ``accuracy(_:_:)``.
/// - Complexity: O(n + k log k) for n samples and k distinct labels.
public func balancedAccuracy<Label: Hashable & Comparable>(_ truth: [Label], _ predicted: [Label]) throws(ScoringError) -> Double {
    let (t, p, k) = try LabelChecks.classes(truth, predicted, score: "balanced_accuracy")
    return ClassificationMetrics.balancedAccuracy(t, p, classCount: k)
}

/// The share of predictions of a class that are right, `tp / (tp + fp)`: scikit-learn's
/// `precision_score` with `zero_division=0`.
///
/// ```swift
/// let truth = ["spam", "ham", "spam", "ham"], predicted = ["spam", "spam", "spam", "ham"]
/// try precision(truth, predicted)                      // "spam" (the larger label): 2 / 3
/// try precision(truth, predicted, positive: "ham")     // 1
/// try precision(truth, predicted, average: .macro)     // (2 / 3 + 1) / 2
/// ```
///
/// - Parameters:
///   - truth: The true labels.
///   - predicted: The predicted labels, one per true label.
///   - average: How classes combine; ``MetricAverage/binary`` (the default, as in
///     scikit-learn) scores the positive class of at most two labels.
///   - positive: The positive class of a binary average (scikit-learn's `pos_label`); by
///     default the larger of the two labels. Ignored by the other averages.
/// - Returns: A value in `0...1`; greater is better. A class never predicted scores 0.
/// - Throws: ``ScoringError`` naming `precision`, `precision_macro` or
///   `precision_weighted`: as ``accuracy(_:_:)``, plus for a binary average
///   ``ScoringError/notBinary(score:classCount:)`` for more than two labels and
///   ``ScoringError/undefined(score:reason:)`` for one label and no `positive`.
/// - Complexity: O(n + k log k) for n samples and k distinct labels.
public func precision<Label: Hashable & Comparable>(
    _ truth: [Label], _ predicted: [Label], average: MetricAverage = .binary, positive: Label? = nil
) throws(ScoringError) -> Double {
    try averagedScore(.precision, truth, predicted, average: average, positive: positive)
}

/// The share of a class's samples predicted as that class, `tp / (tp + fn)`:
/// scikit-learn's `recall_score` with `zero_division=0`.
///
/// ```swift
/// let truth = ["spam", "ham", "spam", "ham"], predicted = ["spam", "spam", "spam", "ham"]
/// try recall(truth, predicted)                         // "spam": 1
/// try recall(truth, predicted, average: .macro)        // (1 + 0.5) / 2 = 0.75
/// ```
///
/// - Parameters:
///   - truth: The true labels.
///   - predicted: The predicted labels, one per true label.
///   - average: How classes combine, as for ``precision(_:_:average:positive:)``.
///   - positive: The positive class of a binary average; by default the larger label.
/// - Returns: A value in `0...1`; greater is better.
/// - Throws: ``ScoringError`` naming `recall`, `recall_macro` or `recall_weighted`, as
///   ``precision(_:_:average:positive:)``.
/// - Complexity: O(n + k log k) for n samples and k distinct labels.
public func recall<Label: Hashable & Comparable>(
    _ truth: [Label], _ predicted: [Label], average: MetricAverage = .binary, positive: Label? = nil
) throws(ScoringError) -> Double {
    try averagedScore(.recall, truth, predicted, average: average, positive: positive)
}

/// The harmonic mean of precision and recall, `2tp / (2tp + fp + fn)`: scikit-learn's
/// `f1_score` with `zero_division=0`.
///
/// ```swift
/// let truth = ["spam", "ham", "spam", "ham"], predicted = ["spam", "spam", "spam", "ham"]
/// try f1(truth, predicted)                             // "spam": 0.8
/// try f1(truth, predicted, average: .weighted)         // (0.8 · 2 + 2 / 3 · 2) / 4 = 0.733…
/// ```
///
/// - Parameters:
///   - truth: The true labels.
///   - predicted: The predicted labels, one per true label.
///   - average: How classes combine, as for ``precision(_:_:average:positive:)``.
///   - positive: The positive class of a binary average; by default the larger label.
/// - Returns: A value in `0...1`; greater is better.
/// - Throws: ``ScoringError`` naming `f1`, `f1_macro` or `f1_weighted`, as
///   ``precision(_:_:average:positive:)``.
/// - Complexity: O(n + k log k) for n samples and k distinct labels.
public func f1<Label: Hashable & Comparable>(
    _ truth: [Label], _ predicted: [Label], average: MetricAverage = .binary, positive: Label? = nil
) throws(ScoringError) -> Double {
    try averagedScore(.f1, truth, predicted, average: average, positive: positive)
}

/// Precision, recall or F1 of labels, under the catalog's name for the quantity and average.
private func averagedScore<Label: Hashable & Comparable>(
    _ quantity: ClassificationMetrics.Quantity, _ truth: [Label], _ predicted: [Label],
    average: MetricAverage, positive: Label?
) throws(ScoringError) -> Double {
    let name = ClassificationMetrics.name(quantity, average)
    if average == .binary {
        let (t, p) = try LabelChecks.binaryClasses(truth, predicted, positive: positive, score: name)
        return try ClassificationMetrics.score(quantity, t, p, classCount: 2, average: .binary, name: name)
    }
    let (t, p, k) = try LabelChecks.classes(truth, predicted, score: name)
    return try ClassificationMetrics.score(quantity, t, p, classCount: k, average: average, name: name)
}
