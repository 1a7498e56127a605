/// The checks every metric runs before its formula, shared by ``ScoringFunction`` (the
/// catalog) and the public metric functions, so both refuse the same input with the same
/// ``ScoringError``.
extension ScoringInput {
    /// Throws the first problem with the input of the metric called `name`: mismatched
    /// lengths, no values, NaN or infinity, class indices outside `0..<classCount`, and,
    /// when `needsProbabilities`, missing probabilities, a column count other than
    /// `classCount`, or a row that is negative or does not sum to 1 (within 1e-6).
    ///
    /// - Complexity: O(n), or O(n × classCount) with probabilities.
    func validate(score name: String, needsProbabilities: Bool) throws(ScoringError) {
        switch self {
        case let .regression(truth, predicted):
            guard truth.count == predicted.count else {
                throw .lengthMismatch(score: name, truth: truth.count, predicted: predicted.count)
            }
            guard !truth.isEmpty else { throw .empty(score: name) }
            if let index = truth.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(score: name, what: "true value", index: index) }
            if let index = predicted.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(score: name, what: "prediction", index: index) }
        case let .classification(truth, predicted, probabilities, classCount):
            guard !truth.isEmpty else { throw .empty(score: name) }
            if needsProbabilities {
                guard let probabilities else { throw .needsProbabilities(score: name) }
                guard probabilities.rows == truth.count else {
                    throw .lengthMismatch(score: name, truth: truth.count, predicted: probabilities.rows)
                }
                guard probabilities.columns == classCount else {
                    throw .undefined(score: name, reason: "\(probabilities.columns) probability columns for \(classCount) classes")
                }
                for row in 0..<probabilities.rows {
                    var sum = 0.0
                    for column in 0..<probabilities.columns {
                        let p = probabilities[row, column]
                        guard p.isFinite else { throw .nonFinite(score: name, what: "probability row", index: row) }
                        guard p >= 0 else { throw .invalidProbabilities(score: name, row: row) }
                        sum += p
                    }
                    guard abs(sum - 1) <= 1e-6 else { throw .invalidProbabilities(score: name, row: row) }
                }
            } else {
                guard truth.count == predicted.count else {
                    throw .lengthMismatch(score: name, truth: truth.count, predicted: predicted.count)
                }
                if let index = predicted.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
                    throw .invalidClass(score: name, index: index, value: predicted[index], classCount: classCount)
                }
            }
            if let index = truth.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
                throw .invalidClass(score: name, index: index, value: truth[index], classCount: classCount)
            }
        }
    }
}
