/// An error raised while scoring predictions; each case names the scoring function and,
/// where it applies, the offending position.
public enum ScoringError: Error, Equatable, Sendable {
    /// Truth and predictions (or probabilities) have different lengths.
    case lengthMismatch(score: String, truth: Int, predicted: Int)
    /// There is nothing to score.
    case empty(score: String)
    /// A value is NaN or infinite.
    case nonFinite(score: String, what: String, index: Int)
    /// The function needs class probabilities and none were given.
    case needsProbabilities(score: String)
    /// A class index lies outside `0..<classCount`.
    case invalidClass(score: String, index: Int, value: Int, classCount: Int)
    /// A probability row is negative or does not sum to 1 (within 1e-6).
    case invalidProbabilities(score: String, row: Int)
    /// The score is undefined for this truth, e.g. ROC AUC with one class present.
    case undefined(score: String, reason: String)
    /// A binary score was asked of more than two classes.
    case notBinary(score: String, classCount: Int)
    /// The function is for the other kind of task.
    case wrongTask(score: String, expected: PredictionTask)
    /// No scoring function has this name.
    case unknownScore(String, available: [String])
    /// A custom scoring function threw.
    case customFailed(score: String, message: String)
}

extension ScoringError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .lengthMismatch(score, truth, predicted):
            return "\(score): \(truth) true values but \(predicted) predictions"
        case .empty(let score): return "\(score): no values to score"
        case let .nonFinite(score, what, index): return "\(score): \(what) at index \(index) is NaN or infinite"
        case .needsProbabilities(let score): return "\(score): needs class probabilities"
        case let .invalidClass(score, index, value, classCount):
            return "\(score): class \(value) at index \(index) is outside 0..<\(classCount)"
        case let .invalidProbabilities(score, row):
            return "\(score): probabilities in row \(row) are negative or do not sum to 1"
        case let .undefined(score, reason): return "\(score) is undefined: \(reason)"
        case let .notBinary(score, classCount): return "\(score) is for two classes, got \(classCount)"
        case let .wrongTask(score, expected): return "\(score) scores \(expected) only"
        case let .unknownScore(name, available):
            return "no scoring function '\(name)' (available: \(available.joined(separator: ", ")))"
        case let .customFailed(score, message): return "\(score) failed: \(message)"
        }
    }
}
