import LinearAlgebra

/// Seeded row splits: train/test, holdout validation, and (stratified) k-fold.
///
/// Every function returns row indices (ascending within each part) and depends only on
/// its arguments: the same seed and row count give the same rows on every machine (see
/// ``RandomSource``).
///
/// ```swift
/// let (train, test) = try Split.trainTest(count: table.rowCount, testFraction: 0.15, seed: 27062020)
/// let folds = try Split.stratifiedKFold(labels: y, folds: 5, seed: 1)
/// ```
public enum Split {
    /// Training and validation (or testing) rows of one fold or split.
    public struct Fold: Sendable, Hashable, Codable {
        /// Rows to fit on, ascending.
        public var training: [Int]
        /// Rows held out, ascending.
        public var validation: [Int]
    }

    /// The number of rows a fraction `f` of `n` puts on the held-out side: `⌈f·n⌉`, with a
    /// 1e-9 guard so that binary rounding (`0.15 × 20 = 3.0000000000000004`) does not add a
    /// row. Always within one row of `f·n`.
    public static func heldOutCount(of count: Int, fraction: Double) -> Int {
        min(count, max(0, Int((fraction * Double(count) - 1e-9).rounded(.up))))
    }

    /// A seeded random split into training and testing rows.
    ///
    /// - Parameters:
    ///   - count: The number of rows.
    ///   - testFraction: The share of rows for testing, in (0, 1).
    ///   - seed: The random seed.
    /// - Returns: Training and testing row indices, each ascending; the testing side has
    ///   ``heldOutCount(of:fraction:)`` rows.
    /// - Throws: ``TabularError/invalidSplit(_:)`` for a fraction outside (0, 1), or when
    ///   either side would be empty while `count ≥ 2`.
    /// - Complexity: O(count).
    public static func trainTest(count: Int, testFraction: Double, seed: UInt64) throws(TabularError) -> (training: [Int], testing: [Int]) {
        let fold = try holdout(count: count, fraction: testFraction, seed: seed, what: "test fraction")
        return (fold.training, fold.validation)
    }

    /// A seeded holdout: a share of the rows set aside for validation.
    ///
    /// - Throws: ``TabularError/invalidSplit(_:)`` as ``trainTest(count:testFraction:seed:)``.
    /// - Complexity: O(count).
    public static func holdout(count: Int, fraction: Double, seed: UInt64) throws(TabularError) -> Fold {
        try holdout(count: count, fraction: fraction, seed: seed, what: "validation fraction")
    }

    private static func holdout(count: Int, fraction: Double, seed: UInt64, what: String) throws(TabularError) -> Fold {
        guard fraction > 0 && fraction < 1 else {
            throw .invalidSplit("\(what) must be between 0 and 1 (exclusive), got \(fraction)")
        }
        guard count >= 0 else { throw .invalidSplit("row count must not be negative, got \(count)") }
        let heldOut = heldOutCount(of: count, fraction: fraction)
        if count >= 2 && (heldOut == 0 || heldOut == count) {
            throw .invalidSplit("\(what) \(fraction) of \(count) rows leaves one side empty")
        }
        let (kept, held) = split(count: count, heldOut: heldOut, seed: seed)
        return Fold(training: kept, validation: held)
    }

    /// Shuffles `0..<count` and returns (rest, first `heldOut`), both sorted.
    static func split(count: Int, heldOut: Int, seed: UInt64) -> ([Int], [Int]) {
        var random = RandomSource(seed: seed)
        var marks = [Bool](repeating: false, count: count)
        let order = random.permutation(count)
        for index in order.prefix(heldOut) { marks[index] = true }
        var kept: [Int] = [], held: [Int] = []
        kept.reserveCapacity(count - heldOut)
        held.reserveCapacity(heldOut)
        for index in 0..<count {
            if marks[index] { held.append(index) } else { kept.append(index) }
        }
        return (kept, held)
    }

    /// Seeded k-fold cross-validation: the rows are shuffled, then cut into `folds` parts
    /// whose sizes differ by at most one (the first `count % folds` parts are larger).
    ///
    /// - Throws: ``TabularError/invalidSplit(_:)`` when `folds < 2` or `folds > count`.
    /// - Complexity: O(count × folds).
    public static func kFold(count: Int, folds: Int, seed: UInt64) throws(TabularError) -> [Fold] {
        try checkFolds(count: count, folds: folds)
        var random = RandomSource(seed: seed)
        let order = random.permutation(count)
        var assignment = [Int](repeating: 0, count: count)
        var start = 0
        for fold in 0..<folds {
            let size = count / folds + (fold < count % folds ? 1 : 0)
            for index in order[start..<(start + size)] { assignment[index] = fold }
            start += size
        }
        return Split.folds(from: assignment, count: folds)
    }

    /// Seeded stratified k-fold: each class's rows are shuffled and dealt to the folds in
    /// turn (continuing from where the previous class stopped), so every fold holds each
    /// class in proportion (within one row) and fold sizes differ by at most one.
    ///
    /// - Parameters:
    ///   - labels: The class index of every row.
    ///   - folds: The number of folds.
    ///   - seed: The random seed.
    /// - Throws: ``TabularError/invalidSplit(_:)`` when `folds < 2` or `folds > count`.
    /// - Complexity: O(count × folds).
    public static func stratifiedKFold(labels: [Int], folds: Int, seed: UInt64) throws(TabularError) -> [Fold] {
        try checkFolds(count: labels.count, folds: folds)
        var random = RandomSource(seed: seed)
        var byClass: [Int: [Int]] = [:]
        for (row, label) in labels.enumerated() { byClass[label, default: []].append(row) }
        var assignment = [Int](repeating: 0, count: labels.count)
        var next = 0
        for label in byClass.keys.sorted() {
            guard let rows = byClass[label] else { continue }
            for row in random.shuffled(rows) {
                assignment[row] = next
                next = (next + 1) % folds
            }
        }
        return Split.folds(from: assignment, count: folds)
    }

    private static func checkFolds(count: Int, folds: Int) throws(TabularError) {
        guard folds >= 2 else { throw .invalidSplit("k-fold needs at least 2 folds, got \(folds)") }
        guard folds <= count else { throw .invalidSplit("\(folds) folds need at least \(folds) rows, got \(count)") }
    }

    private static func folds(from assignment: [Int], count: Int) -> [Fold] {
        (0..<count).map { fold in
            var training: [Int] = [], validation: [Int] = []
            for (row, assigned) in assignment.enumerated() {
                if assigned == fold { validation.append(row) } else { training.append(row) }
            }
            return Fold(training: training, validation: validation)
        }
    }
}
