// The ROC and precision-recall curves of a binary score, like scikit-learn's `roc_curve`,
// `precision_recall_curve` and `average_precision_score`. All three, and ``rocAUC(_:_:)``,
// count true and false positives per distinct score in one place (`ThresholdCounts`).

/// A receiver operating characteristic curve: scikit-learn's `roc_curve` with
/// `drop_intermediate=True`, and the area under it.
///
/// Point `i` is the false and true positive rates when every sample scoring at least
/// `thresholds[i]` is predicted positive. The first point is `(0, 0)` at threshold
/// `+infinity` (nothing is predicted positive); the thresholds then decrease through the
/// distinct scores to the lowest, where the curve reaches `(1, 1)`.
///
/// It encodes the leading infinite threshold as the string `"Infinity"` (JSON has no
/// infinity), so a default `JSONEncoder` can store the curve.
public struct ROCCurve: Sendable, Hashable, Codable {
    /// The false positive rate at each threshold, increasing from 0 to 1.
    public var falsePositiveRates: [Double]
    /// The true positive rate at each threshold, increasing from 0 to 1.
    public var truePositiveRates: [Double]
    /// The decreasing thresholds, `+infinity` first.
    public var thresholds: [Double]
    /// The trapezoidal area under the curve: scikit-learn's `auc(fpr, tpr)`, which equals
    /// `roc_auc_score` (and ``rocAUC(_:_:)``).
    public var area: Double

    /// A curve from its points (``rocCurve(_:_:positive:)`` computes one).
    ///
    /// - Parameters:
    ///   - falsePositiveRates: The x coordinates.
    ///   - truePositiveRates: The y coordinates.
    ///   - thresholds: The threshold of each point.
    ///   - area: The area under the curve.
    public init(falsePositiveRates: [Double], truePositiveRates: [Double], thresholds: [Double], area: Double) {
        self.falsePositiveRates = falsePositiveRates
        self.truePositiveRates = truePositiveRates
        self.thresholds = thresholds
        self.area = area
    }

    private enum CodingKeys: String, CodingKey { case falsePositiveRates, truePositiveRates, thresholds, area }

    /// Decodes a curve written by ``encode(to:)``.
    ///
    /// - Throws: `DecodingError` for a threshold that is neither a number nor one of the
    ///   strings `"Infinity"` and `"-Infinity"`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        falsePositiveRates = try container.decode([Double].self, forKey: .falsePositiveRates)
        truePositiveRates = try container.decode([Double].self, forKey: .truePositiveRates)
        area = try container.decode(Double.self, forKey: .area)
        var list = try container.nestedUnkeyedContainer(forKey: .thresholds)
        var thresholds: [Double] = []
        while !list.isAtEnd {
            if let value = try? list.decode(Double.self) {
                thresholds.append(value)
                continue
            }
            switch try list.decode(String.self) {
            case "Infinity": thresholds.append(.infinity)
            case "-Infinity": thresholds.append(-.infinity)
            case let other:
                throw DecodingError.dataCorruptedError(in: list, debugDescription: "threshold '\(other)' is not a number or ±Infinity")
            }
        }
        self.thresholds = thresholds
    }

    /// Encodes the curve, infinite thresholds as the strings `"Infinity"` and `"-Infinity"`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(falsePositiveRates, forKey: .falsePositiveRates)
        try container.encode(truePositiveRates, forKey: .truePositiveRates)
        try container.encode(area, forKey: .area)
        var list = container.nestedUnkeyedContainer(forKey: .thresholds)
        for threshold in thresholds {
            if threshold == .infinity {
                try list.encode("Infinity")
            } else if threshold == -.infinity {
                try list.encode("-Infinity")
            } else {
                try list.encode(threshold)
            }
        }
    }
}

/// A precision-recall curve: scikit-learn's `precision_recall_curve` (every distinct score
/// a threshold, `drop_intermediate=False`), and its average precision.
///
/// In scikit-learn's order: point `i < thresholds.count` is the precision and recall when
/// every sample scoring at least `thresholds[i]` is predicted positive, the thresholds
/// increasing (so recall decreases); a last point, precision 1 at recall 0, has no
/// threshold.
public struct PrecisionRecallCurve: Sendable, Hashable, Codable {
    /// The precision at each threshold, then 1.
    public var precisions: [Double]
    /// The recall at each threshold (decreasing), then 0.
    public var recalls: [Double]
    /// The distinct scores, increasing: one fewer than the points.
    public var thresholds: [Double]
    /// The step-wise area under the curve: scikit-learn's `average_precision_score`.
    public var averagePrecision: Double

    /// A curve from its points (``precisionRecallCurve(_:_:positive:)`` computes one).
    ///
    /// - Parameters:
    ///   - precisions: The y coordinates.
    ///   - recalls: The x coordinates.
    ///   - thresholds: The threshold of each point but the last.
    ///   - averagePrecision: The average precision.
    public init(precisions: [Double], recalls: [Double], thresholds: [Double], averagePrecision: Double) {
        self.precisions = precisions
        self.recalls = recalls
        self.thresholds = thresholds
        self.averagePrecision = averagePrecision
    }
}

/// The ROC curve of a binary score: scikit-learn's `roc_curve(truth, scores, pos_label:
/// positive)` (with `drop_intermediate=True`), and its area.
///
/// Samples whose label is `positive` are positive, all others negative, so with more than
/// two classes this is the curve of one class against the rest. Tied scores are one
/// threshold; points on a straight segment between two others are dropped, as scikit-learn
/// does (the area does not change).
///
/// ```swift
/// let curve = try rocCurve(["no", "no", "yes", "yes"], [0.1, 0.4, 0.35, 0.8], positive: "yes")
/// curve.falsePositiveRates   // [0, 0, 0.5, 0.5, 1]
/// curve.truePositiveRates    // [0, 0.5, 0.5, 1, 1]
/// curve.thresholds           // [+infinity, 0.8, 0.4, 0.35, 0.1]
/// curve.area                 // 0.75
/// ```
///
/// - Parameters:
///   - truth: The true labels; `positive` and at least one other label must occur.
///   - scores: One finite score per true label, higher meaning more likely positive: the
///     positive class's probability, or any decision value.
///   - positive: The positive class (scikit-learn's `pos_label`).
/// - Returns: The curve, `+infinity` its first threshold.
/// - Throws: ``ScoringError`` naming `roc_curve`: ``ScoringError/lengthMismatch(score:truth:predicted:)``,
///   ``ScoringError/empty(score:)``, ``ScoringError/nonFinite(score:what:index:)`` (a NaN
///   label or `positive`, a non-finite score), or ``ScoringError/undefined(score:reason:)``
///   when `positive` is not among the true labels or is the only one (the false positive
///   rate is then undefined, and so is the curve).
/// - Complexity: O(n log n) for n samples.
public func rocCurve<Label: Hashable & Comparable>(
    _ truth: [Label], _ scores: [Double], positive: Label
) throws(ScoringError) -> ROCCurve {
    let name = "roc_curve"
    let isPositive = try CurveChecks.positives(truth, scores, positive: positive, score: name)
    return try ThresholdCounts(positive: isPositive, scores: scores).rocCurve(name: name)
}

/// The precision-recall curve of a binary score: scikit-learn's
/// `precision_recall_curve(truth, scores, pos_label: positive)`, and its average precision.
///
/// Samples whose label is `positive` are positive, all others negative. Every distinct
/// score is a threshold.
///
/// ```swift
/// let curve = try precisionRecallCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], positive: 1)
/// curve.precisions         // [0.5, 2 / 3, 0.5, 1, 1]
/// curve.recalls            // [1, 1, 0.5, 0.5, 0]
/// curve.thresholds         // [0.1, 0.35, 0.4, 0.8]
/// curve.averagePrecision   // 0.833…
/// ```
///
/// - Parameters:
///   - truth: The true labels; `positive` must occur (a truth of positives only is fine:
///     precision is then 1 throughout).
///   - scores: One finite score per true label, higher meaning more likely positive.
///   - positive: The positive class (scikit-learn's `pos_label`).
/// - Returns: The curve in scikit-learn's order (recall decreasing, then the point
///   `(recall 0, precision 1)`).
/// - Throws: ``ScoringError`` naming `precision_recall_curve`: as
///   ``rocCurve(_:_:positive:)``, except that a truth of positives only is not an error.
/// - Complexity: O(n log n) for n samples.
public func precisionRecallCurve<Label: Hashable & Comparable>(
    _ truth: [Label], _ scores: [Double], positive: Label
) throws(ScoringError) -> PrecisionRecallCurve {
    let isPositive = try CurveChecks.positives(truth, scores, positive: positive, score: "precision_recall_curve")
    return ThresholdCounts(positive: isPositive, scores: scores).precisionRecallCurve()
}

/// The average precision of a binary score: scikit-learn's `average_precision_score` of
/// `truth == positive`, `Σ (Rᵢ − Rᵢ₋₁) Pᵢ` over the thresholds of
/// ``precisionRecallCurve(_:_:positive:)`` (no interpolation).
///
/// ```swift
/// let ap = try averagePrecision(["b", "a", "b", "a"], [0.9, 0.8, 0.3, 0.1], positive: "b")   // (1 + 2 / 3) / 2 = 0.833…
/// ```
///
/// - Parameters:
///   - truth: The true labels; `positive` must occur.
///   - scores: One finite score per true label, higher meaning more likely positive.
///   - positive: The positive class (scikit-learn's `pos_label`).
/// - Returns: A value in `0...1`; greater is better.
/// - Throws: ``ScoringError`` naming `average_precision`, as
///   ``precisionRecallCurve(_:_:positive:)``.
/// - Complexity: O(n log n) for n samples.
public func averagePrecision<Label: Hashable & Comparable>(
    _ truth: [Label], _ scores: [Double], positive: Label
) throws(ScoringError) -> Double {
    let isPositive = try CurveChecks.positives(truth, scores, positive: positive, score: "average_precision")
    return ThresholdCounts(positive: isPositive, scores: scores).precisionRecallCurve().averagePrecision
}

/// Input checks of the curve functions.
enum CurveChecks {
    /// Whether each true label is `positive`, after checking lengths, emptiness, NaN
    /// labels, finite scores and that `positive` occurs.
    static func positives<Label: Hashable & Comparable>(
        _ truth: [Label], _ scores: [Double], positive: Label, score name: String
    ) throws(ScoringError) -> [Bool] {
        guard truth.count == scores.count else { throw .lengthMismatch(score: name, truth: truth.count, predicted: scores.count) }
        guard !truth.isEmpty else { throw .empty(score: name) }
        try LabelChecks.requireOrderable(truth, what: "true value", score: name)
        try LabelChecks.requireOrderable([positive], what: "positive label", score: name)
        if let index = scores.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(score: name, what: "score", index: index) }
        let isPositive = truth.map { $0 == positive }
        guard isPositive.contains(true) else {
            throw .undefined(score: name, reason: "the positive label \(positive) is not among the true values")
        }
        return isPositive
    }
}

/// The true and false positives at every distinct score, highest first: what scikit-learn's
/// `confusion_matrix_at_thresholds` computes (without sample weights), from which the ROC
/// and precision-recall curves and ROC AUC follow.
struct ThresholdCounts {
    /// The distinct scores, decreasing.
    let thresholds: [Double]
    /// The positive samples scoring at least each threshold (increasing).
    let truePositives: [Double]
    /// The negative samples scoring at least each threshold (increasing).
    let falsePositives: [Double]

    /// Sorts the samples by decreasing score and counts at the end of each run of equal
    /// scores. `scores` are finite and as many as `positive`, which is not empty.
    ///
    /// - Complexity: O(n log n).
    init(positive: [Bool], scores: [Double]) {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var thresholds: [Double] = [], truePositives: [Double] = [], falsePositives: [Double] = []
        var tp = 0.0, fp = 0.0
        for (rank, index) in order.enumerated() {
            if positive[index] { tp += 1 } else { fp += 1 }
            if rank + 1 == order.count || scores[order[rank + 1]] != scores[index] {
                thresholds.append(scores[index])
                truePositives.append(tp)
                falsePositives.append(fp)
            }
        }
        self.thresholds = thresholds
        self.truePositives = truePositives
        self.falsePositives = falsePositives
    }

    /// The ROC curve: points in between two others on a straight line are dropped (a
    /// non-zero second difference of the false or the true positives keeps a point), then
    /// `(0, 0)` at `+infinity` is put first.
    ///
    /// - Throws: ``ScoringError/undefined(score:reason:)`` when there are no positive or
    ///   no negative samples.
    func rocCurve(name: String) throws(ScoringError) -> ROCCurve {
        let count = thresholds.count
        guard let positives = truePositives.last, let negatives = falsePositives.last, positives > 0, negatives > 0 else {
            throw .undefined(score: name, reason: "only one class is present in the true values")
        }
        var kept: [Double] = [.infinity], fprs: [Double] = [0], tprs: [Double] = [0]
        for i in 0..<count {
            if count > 2 && i > 0 && i < count - 1 {
                let fpCorner = falsePositives[i + 1] - 2 * falsePositives[i] + falsePositives[i - 1]
                let tpCorner = truePositives[i + 1] - 2 * truePositives[i] + truePositives[i - 1]
                if fpCorner == 0 && tpCorner == 0 { continue }
            }
            kept.append(thresholds[i])
            fprs.append(falsePositives[i] / negatives)
            tprs.append(truePositives[i] / positives)
        }
        return ROCCurve(falsePositiveRates: fprs, truePositiveRates: tprs, thresholds: kept, area: Self.trapezoid(x: fprs, y: tprs))
    }

    /// The precision-recall curve in scikit-learn's order and its average precision.
    /// There is at least one positive sample.
    func precisionRecallCurve() -> PrecisionRecallCurve {
        let positives = truePositives.last ?? 0
        var precisions: [Double] = [], recalls: [Double] = []
        for i in thresholds.indices.reversed() {
            let predicted = truePositives[i] + falsePositives[i]
            precisions.append(predicted != 0 ? truePositives[i] / predicted : 0)
            recalls.append(truePositives[i] / positives)
        }
        precisions.append(1)
        recalls.append(0)
        var area = 0.0
        for i in 0..<(recalls.count - 1) { area += (recalls[i + 1] - recalls[i]) * precisions[i] }
        return PrecisionRecallCurve(
            precisions: precisions, recalls: recalls, thresholds: thresholds.reversed(), averagePrecision: max(0, -area))
    }

    /// The trapezoidal area under `y(x)` for increasing `x`, as NumPy's `trapezoid`.
    static func trapezoid(x: [Double], y: [Double]) -> Double {
        var area = 0.0
        for i in 1..<max(1, x.count) { area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2 }
        return area
    }
}
