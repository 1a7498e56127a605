import Foundation
import Scoring
import Testing

/// Bad input to the curve and confusion-matrix functions: each is a specific typed
/// ``ScoringError`` naming the function, never a trap.
@Suite("Curves and confusion matrices: bad input")
struct CurveErrorTests {
    @Test("different lengths: lengthMismatch")
    func lengthMismatch() {
        #expect(throws: ScoringError.lengthMismatch(score: "roc_curve", truth: 2, predicted: 3)) {
            _ = try rocCurve([0, 1], [0.1, 0.2, 0.3], positive: 1)
        }
        #expect(throws: ScoringError.lengthMismatch(score: "precision_recall_curve", truth: 3, predicted: 2)) {
            _ = try precisionRecallCurve(["a", "b", "a"], [0.1, 0.2], positive: "a")
        }
        #expect(throws: ScoringError.lengthMismatch(score: "average_precision", truth: 1, predicted: 2)) {
            _ = try averagePrecision([1], [0.1, 0.2], positive: 1)
        }
        #expect(throws: ScoringError.lengthMismatch(score: "confusion_matrix", truth: 2, predicted: 1)) {
            _ = try confusionMatrix(["a", "b"], ["a"])
        }
    }

    @Test("no values: empty")
    func empty() {
        #expect(throws: ScoringError.empty(score: "roc_curve")) { _ = try rocCurve([Int](), [], positive: 1) }
        #expect(throws: ScoringError.empty(score: "precision_recall_curve")) { _ = try precisionRecallCurve([String](), [], positive: "a") }
        #expect(throws: ScoringError.empty(score: "average_precision")) { _ = try averagePrecision([Int](), [], positive: 0) }
        #expect(throws: ScoringError.empty(score: "confusion_matrix")) { _ = try confusionMatrix([Int](), []) }
        #expect(throws: ScoringError.empty(score: "confusion_matrix")) { _ = try confusionMatrix([Int](), [], labels: [1, 2]) }
    }

    @Test("non-finite scores and NaN labels: nonFinite, naming what and where")
    func nonFinite() {
        #expect(throws: ScoringError.nonFinite(score: "roc_curve", what: "score", index: 2)) {
            _ = try rocCurve([0, 1, 1], [0.1, 0.2, .nan], positive: 1)
        }
        #expect(throws: ScoringError.nonFinite(score: "precision_recall_curve", what: "score", index: 0)) {
            _ = try precisionRecallCurve([0, 1], [.infinity, 0.2], positive: 1)
        }
        #expect(throws: ScoringError.nonFinite(score: "average_precision", what: "score", index: 1)) {
            _ = try averagePrecision([0, 1], [0.3, -.infinity], positive: 1)
        }
        #expect(throws: ScoringError.nonFinite(score: "roc_curve", what: "true value", index: 1)) {
            _ = try rocCurve([0.0, .nan], [0.1, 0.2], positive: 1)
        }
        #expect(throws: ScoringError.nonFinite(score: "roc_curve", what: "positive label", index: 0)) {
            _ = try rocCurve([0.0, 1], [0.1, 0.2], positive: .nan)
        }
        #expect(throws: ScoringError.nonFinite(score: "confusion_matrix", what: "prediction", index: 0)) {
            _ = try confusionMatrix([1.0, 2], [.nan, 2])
        }
        #expect(throws: ScoringError.nonFinite(score: "confusion_matrix", what: "label", index: 1)) {
            _ = try confusionMatrix([1.0, 2], [1, 2], labels: [1, .nan])
        }
    }

    @Test("a positive label absent from the truth: undefined, naming the label")
    func positiveAbsent() {
        #expect(throws: ScoringError.undefined(score: "roc_curve", reason: "the positive label 2 is not among the true values")) {
            _ = try rocCurve([0, 1, 1], [0.1, 0.2, 0.3], positive: 2)
        }
        #expect(throws: ScoringError.undefined(score: "precision_recall_curve", reason: "the positive label yes is not among the true values")) {
            _ = try precisionRecallCurve(["no", "no"], [0.1, 0.2], positive: "yes")
        }
        #expect(throws: ScoringError.undefined(score: "average_precision", reason: "the positive label 1 is not among the true values")) {
            _ = try averagePrecision([0, 0, 2], [0.1, 0.2, 0.3], positive: 1)
        }
    }

    @Test("one class only: the ROC curve is undefined; the precision-recall curve of positives only is not")
    func oneClass() throws {
        #expect(throws: ScoringError.undefined(score: "roc_curve", reason: "only one class is present in the true values")) {
            _ = try rocCurve(["a", "a"], [0.1, 0.2], positive: "a")
        }
        #expect(ScoringError.undefined(score: "roc_curve", reason: "only one class is present in the true values").description
            == "roc_curve is undefined: only one class is present in the true values")
        // rocAUC shares the rule (and keeps its error).
        #expect(throws: ScoringError.undefined(score: "roc_auc", reason: "only one class is present in the true values")) {
            _ = try rocAUC([1, 1], [0.1, 0.2])
        }
        let curve = try precisionRecallCurve(["a", "a", "a"], [0.3, 0.9, 0.3], positive: "a")
        #expect(curve.precisions == [1, 1, 1] && curve.recalls == [1, 1.0 / 3, 0] && abs(curve.averagePrecision - 1) < 1e-15)
    }

    @Test("bad confusion-matrix labels: undefined, saying what")
    func confusionLabels() {
        #expect(throws: ScoringError.undefined(score: "confusion_matrix", reason: "labels is empty; pass at least one label or nil")) {
            _ = try confusionMatrix([1, 2], [1, 2], labels: [])
        }
        #expect(throws: ScoringError.undefined(score: "confusion_matrix", reason: "labels repeat a label")) {
            _ = try confusionMatrix([1, 2], [1, 2], labels: [1, 2, 1])
        }
        #expect(throws: ScoringError.undefined(score: "confusion_matrix", reason: "none of the labels is among the true values")) {
            _ = try confusionMatrix(["a", "b"], ["c", "c"], labels: ["c", "d"])
        }
    }

    @Test("inconsistent confusion matrices are refused when made or decoded")
    func inconsistentMatrices() {
        #expect(throws: ScoringError.undefined(score: "confusion_matrix", reason: "the counts are not 2 × 2, one row and column per label")) {
            _ = try ConfusionMatrix(labels: ["a", "b"], counts: [[1, 0]])
        }
        #expect(throws: ScoringError.undefined(score: "confusion_matrix", reason: "a count is negative")) {
            _ = try ConfusionMatrix(labels: [1, 2], counts: [[1, 0], [-1, 2]])
        }
        #expect(throws: ScoringError.undefined(score: "confusion_matrix", reason: "the labels repeat a label")) {
            _ = try ConfusionMatrix(labels: [1, 1], counts: [[1, 0], [0, 2]])
        }
        let ragged = Data(#"{"labels": ["a", "b"], "counts": [[1, 2], [3]]}"#.utf8)
        #expect { _ = try JSONDecoder().decode(ConfusionMatrix<String>.self, from: ragged) } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.codingPath.last?.stringValue == "counts"
        }
        let threshold = Data(#"{"falsePositiveRates": [0, 1], "truePositiveRates": [0, 1], "thresholds": ["inf", 0.5], "area": 0.5}"#.utf8)
        #expect { _ = try JSONDecoder().decode(ROCCurve.self, from: threshold) } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.debugDescription.contains("threshold 'inf' is not a number or ±Infinity")
        }
    }
}
