import LinearAlgebra

/// The rows `early_stopping` keeps aside, drawn as scikit-learn's `train_test_split` draws
/// them inside `MLPClassifier` and `MLPRegressor`: `⌈validation_fraction × rows⌉`
/// validation rows, stratified by class for two classes (`StratifiedShuffleSplit`, with
/// its "approximate mode" allocation of rows to classes), plain for regressors and for more
/// classes (`ShuffleSplit`: scikit-learn stratifies only when the binarized target has one
/// column, `n_outputs_ == 1`). The random draws come from the fit's ``RandomSource``, so the rows
/// differ from scikit-learn's; the sizes and the per-class counts are the same.
enum MLPValidationSplit {
    /// Training and validation row indices, each in random order.
    ///
    /// - Parameters:
    ///   - rows: The number of rows.
    ///   - fraction: `validation_fraction`, in `(0, 1)`.
    ///   - labels: Class positions to stratify by (two classes), or `nil`.
    ///   - classCount: The number of class positions.
    ///   - random: The fit's generator.
    ///   - estimator: The estimator named in errors.
    /// - Throws: ``EstimatorError/tooFewSamples(estimator:needed:got:reason:)`` when the
    ///   training or validation part would be empty or smaller than scikit-learn allows
    ///   (two validation rows; when stratifying, two rows per class and at least one
    ///   training and one validation row per class).
    /// - Complexity: O(rows).
    static func split(
        rows: Int, fraction: Double, labels: [Int]?, classCount: Int, random: inout RandomSource, estimator: String
    ) throws(EstimatorError) -> (train: [Int], validation: [Int]) {
        let validationCount = Int((fraction * Double(rows)).rounded(.up))
        let trainCount = rows - validationCount
        guard trainCount >= 1 else {
            throw .tooFewSamples(estimator: estimator, needed: validationCount + 1, got: rows,
                                 reason: "training rows left after the early-stopping validation rows")
        }
        guard validationCount >= 2 else {
            throw .tooFewSamples(estimator: estimator, needed: 2, got: validationCount,
                                 reason: "early-stopping validation rows (validation_fraction × rows)")
        }
        guard let labels else {
            let order = random.permutation(rows)
            return (Array(order[validationCount...]), Array(order[..<validationCount]))
        }
        var members = [[Int]](repeating: [], count: classCount)
        for (row, label) in labels.enumerated() { members[label].append(row) }
        let present = members.indices.filter { !members[$0].isEmpty }
        let counts = present.map { members[$0].count }
        if let smallest = counts.min(), smallest < 2 {
            throw .tooFewSamples(estimator: estimator, needed: 2, got: smallest,
                                 reason: "rows of every class for the stratified early-stopping split")
        }
        guard trainCount >= present.count, validationCount >= present.count else {
            throw .tooFewSamples(estimator: estimator, needed: present.count, got: Swift.min(trainCount, validationCount),
                                 reason: "training and validation rows: one per class for the stratified early-stopping split")
        }
        let trainPerClass = approximateMode(counts, draws: trainCount, random: &random)
        let remaining = zip(counts, trainPerClass).map { $0 - $1 }
        let validationPerClass = approximateMode(remaining, draws: validationCount, random: &random)
        var train: [Int] = [], validation: [Int] = []
        for (k, label) in present.enumerated() {
            let shuffled = random.shuffled(members[label])
            train += shuffled[..<trainPerClass[k]]
            validation += shuffled[trainPerClass[k]..<(trainPerClass[k] + validationPerClass[k])]
        }
        return (random.shuffled(train), random.shuffled(validation))
    }

    /// scikit-learn's `_approximate_mode`: `draws` shared among classes in proportion to
    /// `counts`, rounded down, and the rest given one each to the classes with the largest
    /// remainders (ties broken at random).
    ///
    /// - Complexity: O(classes²) at worst.
    static func approximateMode(_ counts: [Int], draws: Int, random: inout RandomSource) -> [Int] {
        let total = Double(counts.reduce(0, +))
        let continuous = counts.map { Double($0) / total * Double(draws) }
        var floored = continuous.map { $0.rounded(.down) }
        var needed = draws - Int(floored.reduce(0, +))
        if needed > 0 {
            let remainders = zip(continuous, floored).map { $0 - $1 }
            for value in Set(remainders).sorted(by: >) {
                let tied = remainders.indices.filter { remainders[$0] == value }
                let adding = Swift.min(tied.count, needed)
                // `sample` only fails for impossible counts; `adding ≤ tied.count` here.
                let chosen = (try? random.sample(adding, from: tied.count, replacement: false)) ?? Array(0..<adding)
                for position in chosen { floored[tied[position]] += 1 }
                needed -= adding
                if needed == 0 { break }
            }
        }
        return floored.map { Int($0) }
    }
}
