/// How often each true class was predicted as each class: scikit-learn's
/// `confusion_matrix`, with its labels.
///
/// `counts[t][p]` is the number of samples whose true label is `labels[t]` and whose
/// predicted label is `labels[p]`: rows are the truth, columns the predictions.
///
/// ```swift
/// let matrix = try confusionMatrix(["cat", "dog", "dog", "cat"], ["cat", "dog", "cat", "cat"])
/// matrix.labels                                 // ["cat", "dog"]
/// matrix.counts                                 // [[2, 0], [1, 1]]
/// matrix.count(truth: "dog", predicted: "cat")  // 1
/// ```
public struct ConfusionMatrix<Label: Hashable & Comparable>: Hashable {
    /// The labels of the rows and columns: sorted, or in the order they were given.
    public var labels: [Label]
    /// `counts[t][p]`: samples of true label `labels[t]` predicted as `labels[p]`.
    public var counts: [[Int]]

    /// A matrix from its parts (``confusionMatrix(_:_:labels:)`` computes one).
    ///
    /// - Parameters:
    ///   - labels: Distinct labels, in row (and column) order.
    ///   - counts: One row of `labels.count` non-negative counts per label.
    /// - Throws: ``ScoringError/undefined(score:reason:)`` (naming `confusion_matrix`) for
    ///   repeated labels, a row or column count other than `labels.count`, or a negative
    ///   count.
    public init(labels: [Label], counts: [[Int]]) throws(ScoringError) {
        if let problem = Self.problem(labels: labels, counts: counts) { throw .undefined(score: "confusion_matrix", reason: problem) }
        self.labels = labels
        self.counts = counts
    }

    /// The number of samples counted (those whose true and predicted labels are both
    /// among ``labels``).
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    /// The number of samples counted as predicted correctly: the diagonal's sum.
    public var correct: Int { counts.indices.reduce(0) { $0 + counts[$1][$1] } }

    /// The samples of true label `truth` predicted as `predicted`, or `nil` when either is
    /// not among ``labels``.
    ///
    /// - Complexity: O(k) for k labels.
    public func count(truth: Label, predicted: Label) -> Int? {
        guard let row = labels.firstIndex(of: truth), let column = labels.firstIndex(of: predicted) else { return nil }
        return counts[row][column]
    }

    /// What is wrong with a matrix's parts, or `nil`.
    static func problem(labels: [Label], counts: [[Int]]) -> String? {
        guard Set(labels).count == labels.count else { return "the labels repeat a label" }
        guard counts.count == labels.count, counts.allSatisfy({ $0.count == labels.count }) else {
            return "the counts are not \(labels.count) × \(labels.count), one row and column per label"
        }
        guard counts.allSatisfy({ $0.allSatisfy { $0 >= 0 } }) else { return "a count is negative" }
        return nil
    }
}

extension ConfusionMatrix: Sendable where Label: Sendable {}

extension ConfusionMatrix: Codable where Label: Codable {
    private enum CodingKeys: String, CodingKey { case labels, counts }

    /// Decodes and checks a matrix (see ``init(labels:counts:)``).
    ///
    /// - Throws: `DecodingError`, also for inconsistent parts.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let labels = try container.decode([Label].self, forKey: .labels)
        let counts = try container.decode([[Int]].self, forKey: .counts)
        if let problem = Self.problem(labels: labels, counts: counts) {
            throw DecodingError.dataCorruptedError(forKey: .counts, in: container, debugDescription: problem)
        }
        self.labels = labels
        self.counts = counts
    }

    /// Encodes the labels and the counts.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(labels, forKey: .labels)
        try container.encode(counts, forKey: .counts)
    }
}

/// The confusion matrix of predicted labels: scikit-learn's `confusion_matrix(truth,
/// predicted, labels=labels)`.
///
/// Without `labels`, the rows and columns are the sorted distinct labels of `truth` and
/// `predicted`. With `labels`, they are those labels in the given order, and a sample whose
/// true or predicted label is not among them is not counted (as in scikit-learn); at least
/// one of them must be a true label.
///
/// ```swift
/// let matrix = try confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])
/// matrix.counts   // [[2, 0, 0], [0, 0, 1], [1, 0, 2]]
/// let some = try confusionMatrix(["a", "b", "c"], ["a", "c", "c"], labels: ["c", "a"])
/// some.counts     // [[1, 0], [0, 1]]: the "b" sample is left out
/// ```
///
/// - Parameters:
///   - truth: The true labels.
///   - predicted: The predicted labels, one per true label.
///   - labels: The rows' and columns' labels, in order: distinct, at least one of them in
///     `truth`. By default every label of `truth` and `predicted`, sorted.
/// - Returns: The matrix, rows the truth and columns the predictions.
/// - Throws: ``ScoringError`` naming `confusion_matrix`:
///   ``ScoringError/lengthMismatch(score:truth:predicted:)``, ``ScoringError/empty(score:)``
///   (no samples, also with `labels`), ``ScoringError/nonFinite(score:what:index:)`` for a
///   NaN label, or ``ScoringError/undefined(score:reason:)`` for `labels` that are empty,
///   repeat a label, or include no true label.
/// - Complexity: O(n + k log k) time and O(k²) memory for n samples and k labels.
public func confusionMatrix<Label: Hashable & Comparable>(
    _ truth: [Label], _ predicted: [Label], labels: [Label]? = nil
) throws(ScoringError) -> ConfusionMatrix<Label> {
    let name = "confusion_matrix"
    try LabelChecks.requirePair(truth, predicted, score: name)
    let order: [Label]
    if let labels {
        guard !labels.isEmpty else { throw .undefined(score: name, reason: "labels is empty; pass at least one label or nil") }
        try LabelChecks.requireOrderable(labels, what: "label", score: name)
        guard Set(labels).count == labels.count else { throw .undefined(score: name, reason: "labels repeat a label") }
        let truthLabels = Set(truth)
        guard labels.contains(where: { truthLabels.contains($0) }) else {
            throw .undefined(score: name, reason: "none of the labels is among the true values")
        }
        order = labels
    } else {
        order = ClassLabels(truth + predicted).classes
    }
    let index = Dictionary(zip(order, order.indices), uniquingKeysWith: { first, _ in first })
    var counts = [[Int]](repeating: [Int](repeating: 0, count: order.count), count: order.count)
    for (t, p) in zip(truth, predicted) {
        guard let row = index[t], let column = index[p] else { continue }
        counts[row][column] += 1
    }
    return try ConfusionMatrix(labels: order, counts: counts)
}
