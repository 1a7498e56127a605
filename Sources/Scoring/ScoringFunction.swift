public import LinearAlgebra

/// Whether a model predicts classes or numbers.
public enum PredictionTask: String, Sendable, Hashable, Codable, CaseIterable {
    case classification
    case regression
}

/// Which way a score improves.
public enum ScoreDirection: String, Sendable, Hashable, Codable {
    /// Larger is better (accuracy, r2).
    case greaterIsBetter
    /// Smaller is better (errors, losses).
    case lowerIsBetter
}

/// What a scoring function is given.
public enum ScoringInput: Sendable {
    /// Class indices in `0..<classCount`, and optionally one row of class probabilities per
    /// sample (columns in class-index order).
    case classification(truth: [Int], predicted: [Int], probabilities: Matrix?, classCount: Int)
    /// True and predicted numbers.
    case regression(truth: [Double], predicted: [Double])
}

/// A named scoring function with its task and direction, so that thresholds and
/// "best model" comparisons go the right way.
///
/// ```swift
/// let r2 = try ScoringCatalog.standard.function(named: "r2")
/// let score = try r2.score(truth: [1, 2, 3], predicted: [1.1, 1.9, 3.2])
/// r2.passes(score, threshold: 0.9)   // true: greater is better
///
/// let within = ScoringFunction.custom(name: "within_10_percent", task: .regression,
///                                     direction: .greaterIsBetter) { truth, predicted in
///     Double(zip(truth, predicted).filter { abs($0 - $1) <= 0.1 * abs($0) }.count) / Double(truth.count)
/// }
/// ```
public struct ScoringFunction: Sendable {
    /// The name (scikit-learn's metric name for standard functions).
    public let name: String
    /// The task the function scores.
    public let task: PredictionTask
    /// Which way the score improves.
    public let direction: ScoreDirection
    /// Whether the function reads class probabilities instead of predicted classes.
    public let needsProbabilities: Bool
    /// The values the score can take, which bound a meaningful threshold: `0...1` for
    /// accuracy, precision, recall, F1 and ROC AUC; `-∞...1` for r2 and explained
    /// variance; `0...∞` for losses and errors.
    public let range: ClosedRange<Double>
    private let body: @Sendable (ScoringInput) throws(ScoringError) -> Double

    init(
        name: String, task: PredictionTask, direction: ScoreDirection, needsProbabilities: Bool = false,
        range: ClosedRange<Double>, body: @escaping @Sendable (ScoringInput) throws(ScoringError) -> Double
    ) {
        self.name = name
        self.task = task
        self.direction = direction
        self.needsProbabilities = needsProbabilities
        self.range = range
        self.body = body
    }

    /// A host-defined scoring function of (true values, predictions).
    ///
    /// For classification the values are class indices as `Double`s.
    ///
    /// - Parameters:
    ///   - name: A name unique among the pipeline's scoring functions.
    ///   - task: The task it scores.
    ///   - direction: Which way it improves.
    ///   - range: The values the score can take (bounds thresholds); any finite value by
    ///     default.
    ///   - body: The function; what it throws is reported as
    ///     ``ScoringError/customFailed(score:message:)``.
    public static func custom(
        name: String, task: PredictionTask, direction: ScoreDirection,
        range: ClosedRange<Double> = -Double.infinity...Double.infinity,
        _ body: @escaping @Sendable (_ truth: [Double], _ predicted: [Double]) throws -> Double
    ) -> ScoringFunction {
        ScoringFunction(name: name, task: task, direction: direction, range: range) { (input) throws(ScoringError) -> Double in
            let (truth, predicted): ([Double], [Double])
            switch input {
            case let .regression(t, p): (truth, predicted) = (t, p)
            case let .classification(t, p, _, _): (truth, predicted) = (t.map(Double.init), p.map(Double.init))
            }
            do {
                return try body(truth, predicted)
            } catch {
                throw .customFailed(score: name, message: "\(error)")
            }
        }
    }

    /// Scores predictions.
    ///
    /// - Throws: ``ScoringError`` for mismatched lengths, empty input, non-finite values,
    ///   class indices out of range, missing or invalid probabilities, the wrong task, or
    ///   a score that is undefined for this input.
    /// - Complexity: O(n) for most functions, O(n log n) for ROC AUC and median error.
    public func score(_ input: ScoringInput) throws(ScoringError) -> Double {
        switch (input, task) {
        case (.classification, .regression), (.regression, .classification):
            throw .wrongTask(score: name, expected: task)
        default: break
        }
        try input.validate(score: name, needsProbabilities: needsProbabilities)
        return try body(input)
    }

    /// Scores regression predictions.
    ///
    /// - Throws: as ``score(_:)``.
    public func score(truth: [Double], predicted: [Double]) throws(ScoringError) -> Double {
        try score(.regression(truth: truth, predicted: predicted))
    }

    /// Scores classification predictions given as class indices.
    ///
    /// - Parameters:
    ///   - trueClasses: True class indices.
    ///   - predictedClasses: Predicted class indices.
    ///   - probabilities: One row per sample, one column per class (for ROC AUC and log loss).
    ///   - classCount: The number of classes; by default the probabilities' column count,
    ///     else one more than the largest index seen.
    /// - Throws: as ``score(_:)``.
    public func score(
        trueClasses: [Int], predictedClasses: [Int], probabilities: Matrix? = nil, classCount: Int? = nil
    ) throws(ScoringError) -> Double {
        let count = classCount ?? probabilities?.columns ?? ((trueClasses + predictedClasses).max().map { $0 + 1 } ?? 0)
        return try score(.classification(truth: trueClasses, predicted: predictedClasses, probabilities: probabilities, classCount: count))
    }

    /// Whether `score` passes `threshold`: `score ≥ threshold` when greater is better,
    /// `score ≤ threshold` when lower is better.
    public func passes(_ score: Double, threshold: Double) -> Bool {
        direction == .greaterIsBetter ? score >= threshold : score <= threshold
    }

    /// Whether `a` is a better score than `b`.
    public func isBetter(_ a: Double, than b: Double) -> Bool {
        direction == .greaterIsBetter ? a > b : a < b
    }
}
