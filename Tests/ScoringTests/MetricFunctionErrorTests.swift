import Scoring
import Testing

/// Bad input to the public metric functions: each case is a typed ``ScoringError`` naming
/// the metric (by its catalog name), never a trap.
@Suite("Public metric functions: bad input")
struct MetricFunctionErrorTests {
    @Test("different lengths: lengthMismatch")
    func lengthMismatch() {
        #expect(throws: ScoringError.lengthMismatch(score: "accuracy", truth: 2, predicted: 1)) { _ = try accuracy([1, 2], [1]) }
        #expect(throws: ScoringError.lengthMismatch(score: "precision_macro", truth: 1, predicted: 2)) {
            _ = try precision(["a"], ["a", "b"], average: .macro)
        }
        #expect(throws: ScoringError.lengthMismatch(score: "f1", truth: 1, predicted: 2)) { _ = try f1(["a"], ["a", "b"]) }
        #expect(throws: ScoringError.lengthMismatch(score: "log_loss", truth: 2, predicted: 1)) { _ = try logLoss([0, 1], [[0.5, 0.5]]) }
        #expect(throws: ScoringError.lengthMismatch(score: "roc_auc", truth: 2, predicted: 3)) { _ = try rocAUC([0, 1], [0.1, 0.2, 0.3]) }
        #expect(throws: ScoringError.lengthMismatch(score: "r2", truth: 2, predicted: 1)) { _ = try r2([1, 2], [1]) }
    }

    @Test("no values: empty")
    func empty() {
        #expect(throws: ScoringError.empty(score: "balanced_accuracy")) { _ = try balancedAccuracy([String](), []) }
        #expect(throws: ScoringError.empty(score: "recall")) { _ = try recall([Int](), []) }
        #expect(throws: ScoringError.empty(score: "roc_auc_ovr")) { _ = try rocAUCOneVsRest([Int](), []) }
        #expect(throws: ScoringError.empty(score: "roc_auc")) { _ = try rocAUC([Int](), []) }
        #expect(throws: ScoringError.empty(score: "median_absolute_error")) { _ = try medianAbsoluteError([], []) }
    }

    @Test("NaN labels, values, scores and probabilities: nonFinite")
    func nonFinite() {
        #expect(throws: ScoringError.nonFinite(score: "accuracy", what: "true value", index: 1)) { _ = try accuracy([1.0, .nan], [1, 1]) }
        #expect(throws: ScoringError.nonFinite(score: "f1_weighted", what: "prediction", index: 0)) {
            _ = try f1([1.0, 2], [.nan, 2], average: .weighted)
        }
        #expect(throws: ScoringError.nonFinite(score: "precision", what: "positive label", index: 0)) {
            _ = try precision([1.0, 2], [1, 2], positive: .nan)
        }
        #expect(throws: ScoringError.nonFinite(score: "mean_squared_error", what: "prediction", index: 1)) {
            _ = try meanSquaredError([1, 2], [1, .nan])
        }
        #expect(throws: ScoringError.nonFinite(score: "max_error", what: "true value", index: 0)) { _ = try maxError([.infinity], [1]) }
        #expect(throws: ScoringError.nonFinite(score: "roc_auc", what: "score", index: 2)) { _ = try rocAUC([0, 1, 1], [0.1, 0.2, .nan]) }
        #expect(throws: ScoringError.nonFinite(score: "log_loss", what: "probability row", index: 1)) {
            _ = try logLoss([0, 1], [[0.5, 0.5], [.nan, 1]])
        }
        #expect(throws: ScoringError.nonFinite(score: "log_loss", what: "label", index: 1)) {
            _ = try logLoss([0.0, 1], [[0.5, 0.5], [0, 1]], labels: [0, .nan, 1])
        }
    }

    @Test("a probability row of the wrong width: undefined, naming the row")
    func probabilityWidth() {
        #expect(throws: ScoringError.undefined(score: "log_loss", reason: "row 0 has 3 probability columns for 2 classes")) {
            _ = try logLoss(["a", "b"], [[0.2, 0.3, 0.5], [0.5, 0.5]])
        }
        #expect(throws: ScoringError.undefined(score: "roc_auc_ovr", reason: "row 1 has 2 probability columns for 3 classes")) {
            _ = try rocAUCOneVsRest(["a", "b", "c"], [[0.2, 0.3, 0.5], [0.5, 0.5], [0.2, 0.3, 0.5]])
        }
    }

    @Test("negative probabilities or rows not summing to 1: invalidProbabilities")
    func invalidProbabilities() {
        #expect(throws: ScoringError.invalidProbabilities(score: "log_loss", row: 0)) { _ = try logLoss(["a", "b"], [[0.5, 0.6], [0, 1]]) }
        #expect(throws: ScoringError.invalidProbabilities(score: "roc_auc_ovr", row: 1)) {
            _ = try rocAUCOneVsRest(["a", "b"], [[0.5, 0.5], [-0.5, 1.5]])
        }
    }

    @Test("more than two labels for a binary average or binary ROC AUC: notBinary")
    func notBinary() {
        #expect(throws: ScoringError.notBinary(score: "precision", classCount: 3)) { _ = try precision(["a", "b", "c"], ["a", "b", "c"]) }
        #expect(throws: ScoringError.notBinary(score: "f1", classCount: 3)) { _ = try f1(["a", "a"], ["a", "b"], positive: "c") }
        #expect(throws: ScoringError.notBinary(score: "roc_auc", classCount: 3)) { _ = try rocAUC([0, 1, 2], [0.1, 0.2, 0.3]) }
    }

    @Test("one label and no positive class for a binary average: undefined")
    func ambiguousPositive() throws {
        #expect(throws: ScoringError.undefined(score: "recall", reason: "only one label is present, so the positive class is ambiguous; pass positive:")) {
            _ = try recall(["a", "a"], ["a", "a"])
        }
        #expect(try recall(["a", "a"], ["a", "a"], positive: "a") == 1)
        #expect(try recall(["a", "a"], ["a", "a"], positive: "b") == 0)
    }

    @Test("a class missing from the truth of ROC AUC or log loss: undefined")
    func singleClass() {
        #expect(throws: ScoringError.undefined(score: "roc_auc", reason: "only one class is present in the true values")) {
            _ = try rocAUC([1, 1], [0.2, 0.3])
        }
        #expect(throws: ScoringError.undefined(score: "log_loss", reason: "only one class is present in the true values; pass every class as labels")) {
            _ = try logLoss(["a", "a"], [[1], [1]])
        }
        #expect(throws: ScoringError.undefined(score: "log_loss", reason: "labels name fewer than two classes")) {
            _ = try logLoss(["a", "a"], [[1], [1]], labels: ["a"])
        }
        #expect(throws: ScoringError.undefined(score: "roc_auc_ovr", reason: "only one class is present in the true values")) {
            _ = try rocAUCOneVsRest(["a", "b", "a"], [[0.5, 0.3, 0.2], [0.2, 0.6, 0.2], [0.3, 0.3, 0.4]], labels: ["a", "b", "c"])
        }
    }

    @Test("a true label that is not among the given labels: undefined, naming the index")
    func unknownLabel() {
        #expect(throws: ScoringError.undefined(score: "log_loss", reason: "the true value at index 1 is not among the labels")) {
            _ = try logLoss(["a", "d"], [[0.5, 0.5], [0.5, 0.5]], labels: ["a", "b"])
        }
    }
}
