import Foundation
import LinearAlgebra

/// Metrics on class probabilities: ROC AUC and log loss.
enum ProbabilisticMetrics {
    /// Area under the ROC curve of `scores` for the samples where `positive` is true: the
    /// trapezoidal area under scikit-learn's ROC curve (``rocCurve(_:_:positive:)``'s
    /// area, computed by the same code), tied scores making one diagonal step.
    ///
    /// - Throws: ``ScoringError/undefined(score:reason:)`` when only one class is present (or
    ///   there are no samples).
    /// - Complexity: O(n log n).
    static func rocAUC(positive: [Bool], scores: [Double], name: String) throws(ScoringError) -> Double {
        return try ThresholdCounts(positive: positive, scores: scores).rocCurve(name: name).area
    }

    /// Binary ROC AUC from the probability of class 1.
    static func binaryAUC(_ truth: [Int], _ probabilities: Matrix, name: String) throws(ScoringError) -> Double {
        guard probabilities.columns == 2 else { throw .notBinary(score: name, classCount: probabilities.columns) }
        return try rocAUC(positive: truth.map { $0 == 1 }, scores: probabilities.column(1), name: name)
    }

    /// One-vs-rest ROC AUC averaged over classes (scikit-learn's `multi_class="ovr"`,
    /// `average="macro"`); every class must be present in the truth.
    static func oneVsRestAUC(_ truth: [Int], _ probabilities: Matrix, name: String) throws(ScoringError) -> Double {
        if probabilities.columns == 2 { return try binaryAUC(truth, probabilities, name: name) }
        var total = 0.0
        for c in 0..<probabilities.columns {
            total += try rocAUC(positive: truth.map { $0 == c }, scores: probabilities.column(c), name: name)
        }
        return total / Double(probabilities.columns)
    }

    /// The mean negative log-probability of the true class, probabilities clipped to
    /// `[ε, 1 − ε]` (ε = `Double.ulpOfOne`) as scikit-learn does.
    static func logLoss(_ truth: [Int], _ probabilities: Matrix) -> Double {
        let epsilon = Double.ulpOfOne
        var total = 0.0
        for (row, t) in truth.enumerated() {
            let p = min(max(probabilities[row, t], epsilon), 1 - epsilon)
            total -= log(p)
        }
        return total / Double(truth.count)
    }
}
