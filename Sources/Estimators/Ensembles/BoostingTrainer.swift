import Foundation
import LinearAlgebra

/// The settings of a gradient-boosting fit.
struct BoostingSettings: Sendable {
    var estimatorCount: Int
    var learningRate: Double
    var subsample: Double
    var limits: TreeLimits
    var seed: Int
    var threads: Int
    /// Checked before every stage.
    var cancellation: FitCancellation?
}

/// Fits boosting stages as scikit-learn's `BaseGradientBoosting._fit_stages`: each stage
/// grows regression trees (squared error) on the negative gradient of the loss at the
/// current raw predictions, replaces the leaf values by the loss's line-search step, and
/// adds `learning_rate ×` the tree to the raw predictions.
///
/// With `subsample < 1` each stage draws `max(1, ⌊subsample × rows⌋)` rows without
/// replacement from `RandomSource(seed:)`; tree `t` of the whole sequence draws its
/// feature order from `RandomSource(seed:).derived(stream: t)`.
enum BoostingTrainer {
    /// Squared-error boosting: starts at the mean; leaves keep the mean residual.
    ///
    /// - Complexity: O(stages × depth × rows × features).
    static func regression(
        _ x: Matrix, _ y: [Double], binned: BinnedFeatures, settings: BoostingSettings, estimator: String
    ) throws(EstimatorError) -> (initial: Double, trees: [DecisionTree]) {
        let initial = y.reduce(0, +) / Double(y.count)
        var raw = [Double](repeating: initial, count: y.count)
        var random = RandomSource(seed: settings.seed)
        var trees: [DecisionTree] = []
        let grower = stageGrower(binned, settings: settings, threads: settings.threads)
        for stage in 0..<settings.estimatorCount {
            if settings.cancellation?.isCancelled == true { throw .cancelled(estimator: estimator) }
            let weights = try inBagWeights(y.count, settings.subsample, random: &random, estimator: estimator)
            let residuals = zip(y, raw).map { $0 - $1 }
            var treeRandom = RandomSource(seed: settings.seed).derived(stream: UInt64(stage))
            let grown = grower.grow(weights: weights, targets: residuals, random: &treeRandom)
            add(grown.tree, grown, weights: weights, x, scale: settings.learningRate, to: &raw, stride: 1, offset: 0)
            trees.append(grown.tree)
        }
        return (initial, trees)
    }

    /// Log-loss boosting: starts at the log-odds of the class priors (two classes) or
    /// their centred logarithms (more classes, one tree per class and stage); each leaf
    /// takes one Newton step `Σ w·(y − p) / Σ w·p·(1 − p)`, scaled by `(K − 1)/K` for
    /// `K > 2` classes, or 0 when the denominator is below 1e-150 (as scikit-learn).
    ///
    /// - Complexity: O(stages × trees per stage × depth × rows × features); the trees of
    ///   a stage grow in parallel.
    static func classification(
        _ x: Matrix, _ classes: [Int], classCount: Int, binned: BinnedFeatures, settings: BoostingSettings, estimator: String
    ) throws(EstimatorError) -> (initial: [Double], trees: [DecisionTree]) {
        let rows = classes.count, perStage = classCount == 2 ? 1 : classCount
        var counts = [Double](repeating: 0, count: classCount)
        for c in classes { counts[c] += 1 }
        let priors = counts.map { min(max($0 / Double(rows), .ulpOfOne), 1 - .ulpOfOne) }
        let initial: [Double]
        if perStage == 1 {
            initial = [log(priors[1] / (1 - priors[1]))]
        } else {
            let logs = priors.map { log($0) }
            let mean = logs.reduce(0, +) / Double(classCount)
            initial = logs.map { $0 - mean }
        }
        var raw = [Double](repeating: 0, count: rows * perStage)
        for i in 0..<rows { for k in 0..<perStage { raw[i * perStage + k] = initial[k] } }
        var random = RandomSource(seed: settings.seed)
        var trees: [DecisionTree] = []
        // Two classes: one tree per stage, scanning features in parallel; more: one thread per tree.
        let growers = perStage == 1
            ? [stageGrower(binned, settings: settings, threads: settings.threads)]
            : (0..<min(max(1, settings.threads), perStage)).map { _ in stageGrower(binned, settings: settings, threads: 1) }
        for stage in 0..<settings.estimatorCount {
            if settings.cancellation?.isCancelled == true { throw .cancelled(estimator: estimator) }
            let weights = try inBagWeights(rows, settings.subsample, random: &random, estimator: estimator)
            let probabilities = stageProbabilities(raw, rows: rows, perStage: perStage)
            let stageTrees = ParallelWork.map(perStage, threads: settings.threads) { k, worker in
                var treeRandom = RandomSource(seed: settings.seed).derived(stream: UInt64(stage * perStage + k))
                return newtonTree(
                    growers[worker], classes: classes, positive: perStage == 1 ? 1 : k, probabilities: probabilities,
                    column: k, perStage: perStage, weights: weights, random: &treeRandom)
            }
            for (k, stageTree) in stageTrees.enumerated() {
                add(stageTree.tree, stageTree.grown, weights: weights, x, scale: settings.learningRate, to: &raw, stride: perStage, offset: k)
            }
            trees.append(contentsOf: stageTrees.map(\.tree))
        }
        return (initial, trees)
    }

    /// The probability of each stage column: the logistic of the log-odds, or the softmax
    /// (as ``LogLoss/softmax(_:)``, without its per-row arrays).
    ///
    /// - Complexity: O(rows × perStage).
    private static func stageProbabilities(_ raw: [Double], rows: Int, perStage: Int) -> [Double] {
        guard perStage > 1 else { return raw.map(LogLoss.sigmoid) }
        return [Double](unsafeUninitializedCapacity: raw.count) { probabilities, initialized in
            raw.withUnsafeBufferPointer { raw in
                for i in 0..<rows {
                    let scores = raw.baseAddress! + i * perStage, out = probabilities.baseAddress! + i * perStage
                    var largest = scores[0]
                    for k in 1..<perStage where scores[k] > largest { largest = scores[k] }
                    var total = 0.0
                    for k in 0..<perStage {
                        out[k] = exp(scores[k] - largest)
                        total += out[k]
                    }
                    for k in 0..<perStage { out[k] /= total }
                }
            }
            initialized = raw.count
        }
    }

    /// One stage tree for class `positive`, its leaves set by one Newton step.
    private static func newtonTree(
        _ grower: TreeGrower<UnitSquaredErrorCriterion>, classes: [Int], positive: Int, probabilities: [Double], column: Int,
        perStage: Int, weights: [Double], random: inout RandomSource
    ) -> (tree: DecisionTree, grown: GrownTree) {
        let rows = classes.count
        var residuals = [Double](repeating: 0, count: rows)
        for i in 0..<rows { residuals[i] = (classes[i] == positive ? 1 : 0) - probabilities[i * perStage + column] }
        let grown = grower.grow(weights: weights, targets: residuals, random: &random)
        var values = grown.tree.values
        let factor = perStage == 1 ? 1 : Double(perStage - 1) / Double(perStage)
        for leaf in grown.leaves {
            var numerator = 0.0, denominator = 0.0
            for position in leaf.start..<leaf.end {
                let row = Int(grown.samples[position])
                let p = probabilities[row * perStage + column]
                numerator += weights[row] * residuals[row]
                denominator += weights[row] * p * (1 - p)
            }
            values[leaf.node] = abs(denominator) < 1e-150 ? 0 : factor * numerator / denominator
        }
        return (grown.tree.replacingValues(values), grown)
    }

    /// The grower of every stage tree, made once per fit so that its buffers are reused.
    /// Stage weights are 0 or 1, so trees use ``UnitSquaredErrorCriterion`` (as
    /// ``TreeFitting/regressionTree(_:values:limits:weights:threads:random:)`` picks for them).
    private static func stageGrower(
        _ binned: BinnedFeatures, settings: BoostingSettings, threads: Int
    ) -> TreeGrower<UnitSquaredErrorCriterion> {
        TreeGrower(binned: binned, criterion: UnitSquaredErrorCriterion(), limits: settings.limits, threads: threads)
    }

    /// One weight per row: 1 for the rows of this stage's subsample, 0 for the others.
    private static func inBagWeights(
        _ rows: Int, _ subsample: Double, random: inout RandomSource, estimator: String
    ) throws(EstimatorError) -> [Double] {
        guard subsample < 1 else { return [Double](repeating: 1, count: rows) }
        var weights = [Double](repeating: 0, count: rows)
        do throws(LinearAlgebraError) {
            for row in try random.sample(max(1, Int(subsample * Double(rows))), from: rows, replacement: false) { weights[row] = 1 }
        } catch {
            throw .linearAlgebra(estimator: estimator, error)
        }
        return weights
    }

    /// Adds `scale ×` the tree's prediction of every row of `x` to `raw[row * stride + offset]`:
    /// the rows the tree was grown on through the leaf they ended in, the others (left out
    /// by subsampling) through the tree.
    private static func add(
        _ tree: DecisionTree, _ grown: GrownTree, weights: [Double], _ x: Matrix, scale: Double, to raw: inout [Double], stride: Int,
        offset: Int
    ) {
        raw.withUnsafeMutableBufferPointer { raw in
            for leaf in grown.leaves {
                let update = scale * tree.values[leaf.node]
                for position in leaf.start..<leaf.end { raw[Int(grown.samples[position]) * stride + offset] += update }
            }
            guard grown.samples.count < x.rows else { return }
            x.withUnsafeElements { elements in
                for i in 0..<x.rows where weights[i] == 0 {
                    tree.accumulate(elements.baseAddress! + i * x.columns, scale: scale, into: raw.baseAddress! + i * stride + offset)
                }
            }
        }
    }
}
