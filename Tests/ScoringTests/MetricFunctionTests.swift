import Foundation
import Scoring
import Testing

/// The public metric function for a catalog name, on labels of any type; `nil` for a
/// name without one (which fails the test that asks).
private func classificationMetric<Label: Hashable & Comparable>(
    _ name: String, _ truth: [Label], _ predicted: [Label], probabilities: [[Double]], positive: Label, classes: [Label]
) throws -> [Double]? {
    let bothPresent = Set(truth + predicted).count == 2
    switch name {
    case "accuracy": return [try accuracy(truth, predicted)]
    case "balanced_accuracy": return [try balancedAccuracy(truth, predicted)]
    case "precision", "recall", "f1":
        func binary(_ positive: Label?) throws -> Double {
            switch name {
            case "precision": return try precision(truth, predicted, positive: positive)
            case "recall": return try recall(truth, predicted, positive: positive)
            default: return try f1(truth, predicted, positive: positive)
            }
        }
        // scikit-learn's pos_label=1; also the default positive (the larger label) when both labels occur.
        return bothPresent ? [try binary(positive), try binary(nil)] : [try binary(positive)]
    case "precision_macro": return [try precision(truth, predicted, average: .macro)]
    case "precision_weighted": return [try precision(truth, predicted, average: .weighted)]
    case "recall_macro": return [try recall(truth, predicted, average: .macro)]
    case "recall_weighted": return [try recall(truth, predicted, average: .weighted)]
    case "f1_macro": return [try f1(truth, predicted, average: .macro)]
    case "f1_weighted": return [try f1(truth, predicted, average: .weighted)]
    case "roc_auc": return [try rocAUC(truth, probabilities.map { $0.count == 2 ? $0[1] : .nan })]
    case "roc_auc_ovr":
        return [try rocAUCOneVsRest(truth, probabilities), try rocAUCOneVsRest(truth, probabilities, labels: classes.reversed())]
    case "log_loss": return [try logLoss(truth, probabilities), try logLoss(truth, probabilities, labels: classes)]
    default: return nil
    }
}

private func regressionMetric(_ name: String, _ truth: [Double], _ predicted: [Double]) throws -> Double? {
    switch name {
    case "r2": return try r2(truth, predicted)
    case "explained_variance": return try explainedVariance(truth, predicted)
    case "mean_squared_error": return try meanSquaredError(truth, predicted)
    case "root_mean_squared_error": return try rootMeanSquaredError(truth, predicted)
    case "mean_absolute_error": return try meanAbsoluteError(truth, predicted)
    case "mean_absolute_percentage_error": return try meanAbsolutePercentageError(truth, predicted)
    case "median_absolute_error": return try medianAbsoluteError(truth, predicted)
    case "max_error": return try maxError(truth, predicted)
    default: return nil
    }
}

@Suite("Public metric functions")
struct MetricFunctionTests {
    @Test("every public function equals scikit-learn's within 1e-12 on the reference vectors, for Int and String labels")
    func parity() throws {
        let reference = try ScoringReference.load()
        var compared: [String: Int] = [:]
        for (index, item) in reference.cases.enumerated() {
            for (name, expected) in item.values.sorted(by: { $0.key < $1.key }) {
                var values: [Double] = []
                if item.task == "classification" {
                    let classCount = try #require(item.classCount, "case \(index) has no classCount")
                    try #require(classCount <= 10, "String labels c0…c9 sort like their indices only up to 10 classes")
                    let probabilities = item.probabilities ?? []
                    let truth = item.truth.map { Int($0) }, predicted = item.predicted.map { Int($0) }
                    let ints = try classificationMetric(
                        name, truth, predicted, probabilities: probabilities, positive: 1, classes: Array(0..<classCount))
                    let strings = try classificationMetric(
                        name, truth.map { "c\($0)" }, predicted.map { "c\($0)" }, probabilities: probabilities,
                        positive: "c1", classes: (0..<classCount).map { "c\($0)" })
                    values = (ints ?? []) + (strings ?? [])
                } else if let value = try regressionMetric(name, item.truth, item.predicted) {
                    values = [value]
                }
                #expect(!values.isEmpty, "no public function for \(name)")
                for value in values {
                    #expect(matchesReference(value, expected), "case \(index) \(name): \(value) vs scikit-learn \(expected)")
                }
                compared[name, default: 0] += values.count
            }
        }
        #expect(Set(compared.keys) == Set(ScoringCatalog.standard.names), "every catalog name has a public function with reference values")
        #expect(compared.values.reduce(0, +) > 4_000)
    }

    @Test("the doc comments' examples give the values they state")
    func docExamples() throws {
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 }
        #expect(try accuracy(["cat", "dog", "dog", "cat"], ["cat", "dog", "cat", "cat"]) == 0.75)
        #expect(try balancedAccuracy(["a", "a", "b", "b"], ["a", "b", "b", "b"]) == 0.75)
        let truth = ["spam", "ham", "spam", "ham"], predicted = ["spam", "spam", "spam", "ham"]
        #expect(close(try precision(truth, predicted), 2.0 / 3))
        #expect(try precision(truth, predicted, positive: "ham") == 1)
        #expect(close(try precision(truth, predicted, average: .macro), (2.0 / 3 + 1) / 2))
        #expect(try recall(truth, predicted) == 1)
        #expect(try recall(truth, predicted, average: .macro) == 0.75)
        #expect(close(try f1(truth, predicted), 0.8))
        #expect(close(try f1(truth, predicted, average: .weighted), (0.8 * 2 + 2.0 / 3 * 2) / 4))
        #expect(close(try logLoss(["no", "yes"], [[0.9, 0.1], [0.2, 0.8]]), -(log(0.9) + log(0.8)) / 2))
        #expect(close(try logLoss(["no", "no"], [[0.9, 0.1], [0.6, 0.4]], labels: ["no", "yes"]), -(log(0.9) + log(0.6)) / 2))
        #expect(try rocAUC([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75)
        #expect(try rocAUCOneVsRest(["a", "b", "c"], [[0.8, 0.1, 0.1], [0.2, 0.6, 0.2], [0.1, 0.2, 0.7]]) == 1)
        let t: [Double] = [3, -0.5, 2, 7], p: [Double] = [2.5, 0, 2, 8]
        #expect(close(try r2(t, p), 0.9486081370449679))
        #expect(close(try explainedVariance(t, p), 0.9571734475374732))
        #expect(try meanSquaredError(t, p) == 0.375)
        #expect(close(try rootMeanSquaredError(t, p), 0.375.squareRoot()))
        #expect(try meanAbsoluteError(t, p) == 0.5)
        #expect(close(try meanAbsolutePercentageError(t, p), (0.5 / 3 + 1 + 0 + 1.0 / 7) / 4))
        #expect(try medianAbsoluteError(t, p) == 0.5)
        #expect(try maxError(t, p) == 1)
    }

    @Test("classes are the sorted labels: the positive class is the larger label, and label order does not change scores")
    func labelOrder() throws {
        // 9 is positive: one of two 9-predictions is right.
        #expect(try precision([5, 9, 5, 9], [9, 9, 5, 5]) == 0.5)
        #expect(try precision([5, 9, 5, 5], [9, 9, 5, 5], positive: 5) == 1)
        // Descending strings give the same macro scores as the indices they stand for.
        let truth = [0, 1, 2, 2, 1, 0], predicted = [0, 2, 2, 1, 1, 0]
        let names = ["zebra", "yak", "ant"]
        let byName = try f1(truth.map { names[$0] }, predicted.map { names[$0] }, average: .macro)
        #expect(try f1(truth, predicted, average: .macro) == byName)
        // Probability columns follow the sorted labels, not the order of appearance.
        #expect(try rocAUC(["yes", "no", "yes", "no"], [0.9, 0.1, 0.8, 0.3]) == 1)
        #expect(try logLoss(["b", "a"], [[0.2, 0.8], [0.6, 0.4]]) == (try logLoss([1, 0], [[0.2, 0.8], [0.6, 0.4]])))
    }

    @Test("Documentation/Scoring.md lists every scoring name with its task and direction")
    func namesDocumented() throws {
        let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let page = try String(contentsOf: root.appendingPathComponent("Documentation/Scoring.md"), encoding: .utf8)
        // Table rows: | `name` | task | better | scikit-learn | public function |
        var documented: [String: (task: String, better: String)] = [:]
        for line in page.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 5 else { continue }
            documented[cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = (cells[1], cells[2])
        }
        #expect(Set(documented.keys) == Set(ScoringCatalog.standard.names))
        for name in ScoringCatalog.standard.names {
            let function = try ScoringCatalog.standard.function(named: name)
            guard let row = documented[name] else { continue }
            #expect(row.task.hasPrefix(function.task.rawValue), "\(name): task \(row.task)")
            #expect(row.better == (function.direction == .greaterIsBetter ? "higher" : "lower"), "\(name): \(row.better) is better")
        }
    }

    @Test("public functions and the catalog share their formulas: equal values on the same input")
    func sameAsCatalog() throws {
        let truth = [0, 1, 2, 2, 1, 0, 1], predicted = [0, 2, 2, 1, 1, 0, 1]
        let catalog = ScoringCatalog.standard
        for (name, value) in [("accuracy", try accuracy(truth, predicted)), ("balanced_accuracy", try balancedAccuracy(truth, predicted)),
                              ("f1_weighted", try f1(truth, predicted, average: .weighted)),
                              ("recall_macro", try recall(truth, predicted, average: .macro))] {
            #expect(try catalog.function(named: name).score(trueClasses: truth, predictedClasses: predicted) == value, "\(name)")
        }
        let t: [Double] = [1, 2, 4, 8], p: [Double] = [1.5, 2, 3, 9]
        #expect(try catalog.function(named: "root_mean_squared_error").score(truth: t, predicted: p) == (try rootMeanSquaredError(t, p)))
    }
}
