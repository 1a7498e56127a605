/// The standard scoring functions, by scikit-learn's metric names, plus any custom ones a
/// host registers.
///
/// | name | task | direction |
/// |---|---|---|
/// | `accuracy`, `balanced_accuracy` | classification | greater is better |
/// | `precision`, `recall`, `f1` (binary: class 1 positive) | classification | greater is better |
/// | `precision_macro`, `recall_macro`, `f1_macro` | classification | greater is better |
/// | `precision_weighted`, `recall_weighted`, `f1_weighted` | classification | greater is better |
/// | `roc_auc` (binary), `roc_auc_ovr` (one-vs-rest, macro) | classification, probabilities | greater is better |
/// | `log_loss` | classification, probabilities | lower is better |
/// | `r2`, `explained_variance` | regression | greater is better |
/// | `mean_squared_error`, `root_mean_squared_error`, `mean_absolute_error` | regression | lower is better |
/// | `mean_absolute_percentage_error`, `median_absolute_error`, `max_error` | regression | lower is better |
///
/// ```swift
/// var catalog = ScoringCatalog.standard
/// try catalog.register(.custom(name: "bias", task: .regression, direction: .lowerIsBetter) { t, p in
///     abs(zip(t, p).map { $1 - $0 }.reduce(0, +) / Double(t.count))
/// })
/// let f1 = try catalog.function(named: "f1_macro")
/// ```
public struct ScoringCatalog: Sendable {
    private var functions: [String: ScoringFunction]

    /// The catalog of standard functions.
    public static let standard = ScoringCatalog(functions: standardFunctions())

    private init(functions: [ScoringFunction]) {
        self.functions = Dictionary(uniqueKeysWithValues: functions.map { ($0.name, $0) })
    }

    /// The names of every function, sorted.
    public var names: [String] { functions.keys.sorted() }

    /// The names of the functions for `task`, sorted.
    public func names(for task: PredictionTask) -> [String] {
        functions.values.filter { $0.task == task }.map(\.name).sorted()
    }

    /// The function called `name`.
    ///
    /// - Throws: ``ScoringError/unknownScore(_:available:)``.
    public func function(named name: String) throws(ScoringError) -> ScoringFunction {
        guard let function = functions[name] else { throw .unknownScore(name, available: names) }
        return function
    }

    /// Adds a (custom) function.
    ///
    /// - Throws: ``ScoringError/undefined(score:reason:)`` when the name is taken.
    public mutating func register(_ function: ScoringFunction) throws(ScoringError) {
        guard functions[function.name] == nil else {
            throw .undefined(score: function.name, reason: "a scoring function with this name is already registered")
        }
        functions[function.name] = function
    }

    /// The default function of a task: `accuracy` for classification, `r2` for regression.
    public static func defaultName(for task: PredictionTask) -> String {
        task == .classification ? "accuracy" : "r2"
    }

    private static func standardFunctions() -> [ScoringFunction] {
        typealias M = ClassificationMetrics
        func labels(_ name: String, _ metric: @escaping @Sendable ([Int], [Int], Int) throws(ScoringError) -> Double) -> ScoringFunction {
            ScoringFunction(name: name, task: .classification, direction: .greaterIsBetter, range: 0...1) { (input) throws(ScoringError) -> Double in
                guard case let .classification(truth, predicted, _, classCount) = input else { throw .wrongTask(score: name, expected: .classification) }
                return try metric(truth, predicted, classCount)
            }
        }
        func averaged(_ quantity: M.Quantity) -> [ScoringFunction] {
            MetricAverage.allCases.map { average in
                let name = M.name(quantity, average)
                return labels(name) { (t, p, k) throws(ScoringError) -> Double in
                    try M.score(quantity, t, p, classCount: k, average: average, name: name)
                }
            }
        }
        func probabilities(
            _ name: String, _ direction: ScoreDirection,
            _ metric: @escaping @Sendable ([Int], LinearAlgebra.Matrix) throws(ScoringError) -> Double
        ) -> ScoringFunction {
            ScoringFunction(
                name: name, task: .classification, direction: direction, needsProbabilities: true,
                range: direction == .greaterIsBetter ? 0...1 : 0...Double.infinity
            ) { (input) throws(ScoringError) -> Double in
                guard case let .classification(truth, _, probabilities?, _) = input else { throw .needsProbabilities(score: name) }
                return try metric(truth, probabilities)
            }
        }
        func regression(_ name: String, _ direction: ScoreDirection, _ metric: @escaping @Sendable ([Double], [Double]) -> Double) -> ScoringFunction {
            ScoringFunction(
                name: name, task: .regression, direction: direction,
                range: direction == .greaterIsBetter ? -Double.infinity...1 : 0...Double.infinity
            ) { (input) throws(ScoringError) -> Double in
                guard case let .regression(truth, predicted) = input else { throw .wrongTask(score: name, expected: .regression) }
                return metric(truth, predicted)
            }
        }
        typealias R = RegressionMetrics
        return [
            labels("accuracy") { t, p, _ in M.accuracy(t, p) },
            labels("balanced_accuracy") { t, p, k in M.balancedAccuracy(t, p, classCount: k) },
        ] + averaged(.precision) + averaged(.recall) + averaged(.f1) + [
            probabilities("roc_auc", .greaterIsBetter) { (t, p) throws(ScoringError) in try ProbabilisticMetrics.binaryAUC(t, p, name: "roc_auc") },
            probabilities("roc_auc_ovr", .greaterIsBetter) { (t, p) throws(ScoringError) in try ProbabilisticMetrics.oneVsRestAUC(t, p, name: "roc_auc_ovr") },
            probabilities("log_loss", .lowerIsBetter) { t, p in ProbabilisticMetrics.logLoss(t, p) },
            regression("r2", .greaterIsBetter, R.r2),
            regression("explained_variance", .greaterIsBetter, R.explainedVariance),
            regression("mean_squared_error", .lowerIsBetter, R.meanSquaredError),
            regression("root_mean_squared_error", .lowerIsBetter, R.rootMeanSquaredError),
            regression("mean_absolute_error", .lowerIsBetter, R.meanAbsoluteError),
            regression("mean_absolute_percentage_error", .lowerIsBetter, R.meanAbsolutePercentageError),
            regression("median_absolute_error", .lowerIsBetter, R.medianAbsoluteError),
            regression("max_error", .lowerIsBetter, R.maxError),
        ]
    }
}

import LinearAlgebra
