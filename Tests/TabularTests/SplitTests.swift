import Tabular
import Testing

@Suite("Splits")
struct SplitTests {
    @Test("train/test: same seed and count give the same rows; sizes are exact")
    func reproducible() throws {
        let a = try Split.trainTest(count: 1_000, testFraction: 0.15, seed: 27062020)
        let b = try Split.trainTest(count: 1_000, testFraction: 0.15, seed: 27062020)
        let c = try Split.trainTest(count: 1_000, testFraction: 0.15, seed: 27062021)
        #expect(a.training == b.training && a.testing == b.testing)
        #expect(a.testing != c.testing)
        #expect(a.testing.count == 150 && a.training.count == 850)
        #expect(Set(a.training).isDisjoint(with: a.testing))
        #expect((a.training + a.testing).sorted() == Array(0..<1_000))
        #expect(a.testing == a.testing.sorted())
    }

    @Test("held-out size is ⌈f·n⌉ without binary rounding surprises, within one row of f·n")
    func heldOutSizes() {
        #expect(Split.heldOutCount(of: 20, fraction: 0.15) == 3)
        #expect(Split.heldOutCount(of: 21, fraction: 0.15) == 4)
        #expect(Split.heldOutCount(of: 1, fraction: 0.15) == 1)
        for n in 0..<500 {
            for f in [0.1, 0.15, 0.2, 0.25, 1.0 / 3, 0.5, 0.9] {
                #expect(abs(Double(Split.heldOutCount(of: n, fraction: f)) - f * Double(n)) < 1)
            }
        }
    }

    @Test("fractions outside (0, 1) and empty sides are typed errors")
    func invalid() {
        #expect(tabularError { _ = try Split.trainTest(count: 10, testFraction: 0, seed: 1) }
            == .invalidSplit("test fraction must be between 0 and 1 (exclusive), got 0.0"))
        #expect(tabularError { _ = try Split.holdout(count: 10, fraction: 1.5, seed: 1) }
            == .invalidSplit("validation fraction must be between 0 and 1 (exclusive), got 1.5"))
        #expect(tabularError { _ = try Split.trainTest(count: 2, testFraction: 0.99, seed: 1) }
            == .invalidSplit("test fraction 0.99 of 2 rows leaves one side empty"))
    }

    @Test("k-fold: a seeded partition into folds whose sizes differ by at most one")
    func kFold() throws {
        let folds = try Split.kFold(count: 103, folds: 5, seed: 9)
        #expect(folds.map(\.validation.count) == [21, 21, 21, 20, 20])
        #expect(folds.flatMap(\.validation).sorted() == Array(0..<103))
        for fold in folds {
            #expect(Set(fold.training).isDisjoint(with: fold.validation))
            #expect(fold.training.count + fold.validation.count == 103)
        }
        #expect(try Split.kFold(count: 103, folds: 5, seed: 9) == folds)
        #expect(tabularError { _ = try Split.kFold(count: 10, folds: 1, seed: 1) } == .invalidSplit("k-fold needs at least 2 folds, got 1"))
        #expect(tabularError { _ = try Split.kFold(count: 3, folds: 4, seed: 1) } == .invalidSplit("4 folds need at least 4 rows, got 3"))
    }

    @Test("stratified k-fold keeps class proportions within one row per fold")
    func stratified() throws {
        let labels = Array(repeating: 0, count: 60) + Array(repeating: 1, count: 30) + Array(repeating: 2, count: 13)
        let folds = try Split.stratifiedKFold(labels: labels, folds: 4, seed: 5)
        #expect(folds.flatMap(\.validation).sorted() == Array(0..<labels.count))
        let sizes = folds.map(\.validation.count)
        #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1)
        for label in 0..<3 {
            let total = labels.filter { $0 == label }.count
            for fold in folds {
                let inFold = fold.validation.filter { labels[$0] == label }.count
                #expect(abs(Double(inFold) - Double(total) / 4) <= 1, "class \(label)")
            }
        }
        #expect(try Split.stratifiedKFold(labels: labels, folds: 4, seed: 5) == folds)
    }
}
