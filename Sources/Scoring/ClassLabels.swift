/// Labels of any type as the class indices the metric implementations read, ordered the way
/// scikit-learn orders classes: class `i` is the `i`-th smallest distinct label.
struct ClassLabels<Label: Hashable & Comparable> {
    /// The distinct labels, sorted.
    let classes: [Label]
    private let positions: [Label: Int]

    /// The classes of `labels`: their distinct values, sorted.
    init(_ labels: some Sequence<Label>) {
        classes = Set(labels).sorted()
        positions = Dictionary(zip(classes, classes.indices), uniquingKeysWith: { first, _ in first })
    }

    /// The number of classes.
    var count: Int { classes.count }

    /// Whether `label` is one of the classes.
    func contains(_ label: Label) -> Bool { positions[label] != nil }

    /// The class index of every label; -1 (which validation refuses) for a label that is not
    /// a class.
    func indices(_ labels: [Label]) -> [Int] { labels.map { positions[$0] ?? -1 } }
}

/// Input checks of the label-based metric functions, before labels become class indices.
enum LabelChecks {
    /// Refuses labels that do not equal themselves (NaN), which cannot be ordered or counted.
    ///
    /// - Throws: ``ScoringError/nonFinite(score:what:index:)``.
    static func requireOrderable<Label: Equatable>(_ labels: [Label], what: String, score: String) throws(ScoringError) {
        if let index = labels.firstIndex(where: { $0 != $0 }) { throw .nonFinite(score: score, what: what, index: index) }
    }

    /// Checks a pair of label arrays: equal lengths, not empty, every label orderable.
    ///
    /// - Throws: ``ScoringError/lengthMismatch(score:truth:predicted:)``,
    ///   ``ScoringError/empty(score:)`` or ``ScoringError/nonFinite(score:what:index:)``.
    static func requirePair<Label: Equatable>(_ truth: [Label], _ predicted: [Label], score: String) throws(ScoringError) {
        guard truth.count == predicted.count else {
            throw .lengthMismatch(score: score, truth: truth.count, predicted: predicted.count)
        }
        guard !truth.isEmpty else { throw .empty(score: score) }
        try requireOrderable(truth, what: "true value", score: score)
        try requireOrderable(predicted, what: "prediction", score: score)
    }

    /// Checked class indices of `truth` and `predicted` over the sorted union of their labels.
    static func classes<Label: Hashable & Comparable>(
        _ truth: [Label], _ predicted: [Label], score: String
    ) throws(ScoringError) -> (truth: [Int], predicted: [Int], classCount: Int) {
        try requirePair(truth, predicted, score: score)
        let classes = ClassLabels(truth + predicted)
        let encoded = (truth: classes.indices(truth), predicted: classes.indices(predicted), classCount: classes.count)
        try ScoringInput.classification(truth: encoded.truth, predicted: encoded.predicted, probabilities: nil, classCount: encoded.classCount)
            .validate(score: score, needsProbabilities: false)
        return encoded
    }

    /// Checked class indices for a binary average: the positive class (`positive`, else the
    /// larger of the two labels present) is 1, the other 0.
    ///
    /// - Throws: as ``requirePair(_:_:score:)``; ``ScoringError/notBinary(score:classCount:)``
    ///   for more than two labels (counting `positive`); ``ScoringError/undefined(score:reason:)``
    ///   when one label is present and `positive` is `nil`, so no class is known to be positive.
    static func binaryClasses<Label: Hashable & Comparable>(
        _ truth: [Label], _ predicted: [Label], positive: Label?, score: String
    ) throws(ScoringError) -> (truth: [Int], predicted: [Int]) {
        try requirePair(truth, predicted, score: score)
        if let positive { try requireOrderable([positive], what: "positive label", score: score) }
        let classes = ClassLabels(truth + predicted + (positive.map { [$0] } ?? []))
        guard classes.count <= 2 else { throw .notBinary(score: score, classCount: classes.count) }
        guard let positiveLabel = positive ?? (classes.count == 2 ? classes.classes.last : nil) else {
            throw .undefined(score: score, reason: "only one label is present, so the positive class is ambiguous; pass positive:")
        }
        return (truth.map { $0 == positiveLabel ? 1 : 0 }, predicted.map { $0 == positiveLabel ? 1 : 0 })
    }
}
