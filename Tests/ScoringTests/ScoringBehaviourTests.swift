import LinearAlgebra
import Scoring
import Testing

@Suite("Scoring behaviour")
struct ScoringBehaviourTests {
    let catalog = ScoringCatalog.standard

    @Test("directions: thresholds and comparisons go the right way")
    func directions() throws {
        let accuracy = try catalog.function(named: "accuracy")
        let mse = try catalog.function(named: "mean_squared_error")
        #expect(accuracy.direction == .greaterIsBetter && mse.direction == .lowerIsBetter)
        #expect(accuracy.passes(0.9, threshold: 0.8) && !accuracy.passes(0.7, threshold: 0.8))
        #expect(mse.passes(0.5, threshold: 1) && !mse.passes(2, threshold: 1))
        #expect(accuracy.isBetter(0.9, than: 0.8) && mse.isBetter(0.1, than: 0.2))
        for name in catalog.names {
            let function = try catalog.function(named: name)
            let lower = name.contains("error") || name == "log_loss"
            #expect(function.direction == (lower ? .lowerIsBetter : .greaterIsBetter), "\(name)")
        }
    }

    @Test("defaults and catalog listing by task")
    func defaults() {
        #expect(ScoringCatalog.defaultName(for: .classification) == "accuracy")
        #expect(ScoringCatalog.defaultName(for: .regression) == "r2")
        #expect(catalog.names(for: .regression).count == 8)
        #expect(catalog.names(for: .classification).count == 14)
    }

    @Test("custom scoring functions: registered, scored, and their failures reported")
    func custom() throws {
        struct Boom: Error {}
        var catalog = ScoringCatalog.standard
        try catalog.register(.custom(name: "bias", task: .regression, direction: .lowerIsBetter) { t, p in
            abs(zip(t, p).map { $1 - $0 }.reduce(0, +) / Double(t.count))
        })
        let bias = try catalog.function(named: "bias")
        #expect(try bias.score(truth: [1, 2, 3], predicted: [2, 3, 4]) == 1)
        #expect(throws: ScoringError.undefined(score: "bias", reason: "a scoring function with this name is already registered")) {
            try catalog.register(.custom(name: "bias", task: .regression, direction: .lowerIsBetter) { _, _ in 0 })
        }
        let failing = ScoringFunction.custom(name: "boom", task: .classification, direction: .greaterIsBetter) { _, _ in throw Boom() }
        #expect(throws: ScoringError.customFailed(score: "boom", message: "Boom()")) {
            _ = try failing.score(trueClasses: [0, 1], predictedClasses: [0, 1])
        }
    }

    @Test("bad input is a typed error")
    func badInput() throws {
        let r2 = try catalog.function(named: "r2")
        #expect(throws: ScoringError.lengthMismatch(score: "r2", truth: 2, predicted: 1)) { _ = try r2.score(truth: [1, 2], predicted: [1]) }
        #expect(throws: ScoringError.empty(score: "r2")) { _ = try r2.score(truth: [], predicted: []) }
        #expect(throws: ScoringError.nonFinite(score: "r2", what: "prediction", index: 1)) { _ = try r2.score(truth: [1, 2], predicted: [1, .nan]) }
        #expect(throws: ScoringError.wrongTask(score: "r2", expected: .regression)) { _ = try r2.score(trueClasses: [0, 1], predictedClasses: [0, 1]) }
        let auc = try catalog.function(named: "roc_auc")
        #expect(throws: ScoringError.needsProbabilities(score: "roc_auc")) { _ = try auc.score(trueClasses: [0, 1], predictedClasses: [0, 1], classCount: 2) }
        #expect(throws: ScoringError.undefined(score: "roc_auc", reason: "only one class is present in the true values")) {
            _ = try auc.score(trueClasses: [1, 1], predictedClasses: [1, 1], probabilities: try Matrix([[0.2, 0.8], [0.4, 0.6]]))
        }
        #expect(throws: ScoringError.invalidProbabilities(score: "roc_auc", row: 1)) {
            _ = try auc.score(trueClasses: [0, 1], predictedClasses: [0, 1], probabilities: try Matrix([[0.2, 0.8], [0.4, 0.7]]))
        }
        let f1 = try catalog.function(named: "f1")
        #expect(throws: ScoringError.notBinary(score: "f1", classCount: 3)) { _ = try f1.score(trueClasses: [0, 1, 2], predictedClasses: [0, 1, 2]) }
        #expect(throws: ScoringError.invalidClass(score: "f1", index: 0, value: 3, classCount: 2)) {
            _ = try f1.score(trueClasses: [0, 1], predictedClasses: [3, 1], classCount: 2)
        }
        #expect(throws: ScoringError.unknownScore("nope", available: catalog.names)) { _ = try catalog.function(named: "nope") }
    }

    @Test("ranges bound thresholds: 0...1 for class metrics, up to 1 for r2, from 0 for errors")
    func ranges() throws {
        let catalog = ScoringCatalog.standard
        #expect(try catalog.function(named: "accuracy").range == 0...1)
        #expect(try catalog.function(named: "roc_auc").range == 0...1)
        #expect(try catalog.function(named: "log_loss").range == 0...Double.infinity)
        #expect(try catalog.function(named: "r2").range == -Double.infinity...1)
        #expect(try catalog.function(named: "mean_absolute_error").range == 0...Double.infinity)
        let custom = ScoringFunction.custom(name: "c", task: .regression, direction: .lowerIsBetter) { _, _ in 0 }
        #expect(custom.range == -Double.infinity...Double.infinity)
    }
}
