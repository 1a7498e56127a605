import Foundation

/// How a tree measures node impurity and scores candidate splits (scikit-learn's
/// `Criterion`), over per-bin statistics accumulated from weighted rows.
///
/// Statistics are `width` doubles; the last one always counts rows (unweighted, as
/// `min_samples_leaf` counts them). Rows carry a weight (1, a bootstrap count, a
/// subsample mask) and a target (a class index, a value or a residual).
protocol SplitCriterion: Sendable {
    /// Statistic slots per bin or node, the row count last.
    var width: Int { get }
    /// Values stored per tree node.
    var valueWidth: Int { get }

    /// Adds `count` rows to the histogram at their bins `codes[samples[p]]`, writing each
    /// bin that becomes non-empty to `touched`; returns how many did.
    func fill(
        _ histogram: UnsafeMutablePointer<Double>, codes: UnsafePointer<UInt16>, samples: UnsafePointer<Int32>,
        weights: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int, touched: UnsafeMutablePointer<UInt16>
    ) -> Int

    /// Whether every row the criterion is used on weighs 1, so that the grower need not
    /// move weights with their rows.
    var rowsWeighOne: Bool { get }

    /// Adds one row to `stats`.
    func add(weight: Double, target: Double, to stats: UnsafeMutablePointer<Double>)

    /// The total weight of `stats`.
    func weight(_ stats: UnsafePointer<Double>) -> Double

    /// A score that ranks splits as the impurity decrease does (larger is better).
    func proxy(left: UnsafePointer<Double>, right: UnsafePointer<Double>) -> Double

    /// ``proxy(left:right:)`` for the split whose left side is `left` in a node of
    /// statistics `node`, the right side being `node − left` (`scratch` holds `width`
    /// values to compute it in).
    func proxy(left: UnsafePointer<Double>, node: UnsafePointer<Double>, scratch: UnsafeMutablePointer<Double>) -> Double

    /// The node's impurity (0 for a pure node).
    func impurity(_ stats: UnsafePointer<Double>, weights: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int) -> Double

    /// Writes the node's `valueWidth` values.
    func value(_ stats: UnsafePointer<Double>, into values: inout [Double])
}

extension SplitCriterion {
    /// Rows carry their own weights.
    var rowsWeighOne: Bool { false }

    /// Writes `node − left` to `scratch` and scores it with ``proxy(left:right:)``.
    func proxy(left: UnsafePointer<Double>, node: UnsafePointer<Double>, scratch: UnsafeMutablePointer<Double>) -> Double {
        for k in 0..<width { scratch[k] = node[k] - left[k] }
        return proxy(left: left, right: scratch)
    }

    /// Node statistics of `count` rows.
    func accumulate(
        _ stats: UnsafeMutablePointer<Double>, weights: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int
    ) {
        stats.update(repeating: 0, count: width)
        for p in 0..<count { add(weight: weights[p], target: targets[p], to: stats) }
    }
}

/// Class-count statistics: one weight per class, then the row count.
///
/// A row's target carries its class index in its bit pattern (``classTarget(_:)``), so
/// reading it is a move rather than a checked conversion.
protocol ClassCountCriterion: SplitCriterion {
    var classCount: Int { get }
}

/// The target of a row of class `index` for a ``ClassCountCriterion``.
func classTarget(_ index: Int) -> Double { Double(bitPattern: UInt64(index)) }

extension ClassCountCriterion {
    var width: Int { classCount + 1 }
    var valueWidth: Int { classCount }

    func fill(
        _ histogram: UnsafeMutablePointer<Double>, codes: UnsafePointer<UInt16>, samples: UnsafePointer<Int32>,
        weights: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int, touched: UnsafeMutablePointer<UInt16>
    ) -> Int {
        let width = classCount + 1, rowSlot = classCount
        var touchedCount = 0
        for p in 0..<count {
            let code = codes[Int(samples[p])]
            let slot = histogram + Int(code) &* width
            if slot[rowSlot] == 0 {
                touched[touchedCount] = code
                touchedCount &+= 1
            }
            slot[Int(truncatingIfNeeded: targets[p].bitPattern)] += weights[p]
            slot[rowSlot] += 1
        }
        return touchedCount
    }

    func add(weight: Double, target: Double, to stats: UnsafeMutablePointer<Double>) {
        stats[Int(truncatingIfNeeded: target.bitPattern)] += weight
        stats[classCount] += 1
    }

    func weight(_ stats: UnsafePointer<Double>) -> Double {
        var total = 0.0
        for k in 0..<classCount { total += stats[k] }
        return total
    }

    func value(_ stats: UnsafePointer<Double>, into values: inout [Double]) {
        let total = weight(stats)
        for k in 0..<classCount { values.append(total > 0 ? stats[k] / total : 1 / Double(classCount)) }
    }
}

/// Gini impurity `1 − Σ pₖ²` (scikit-learn's `criterion='gini'`).
struct GiniCriterion: ClassCountCriterion {
    let classCount: Int

    func proxy(left: UnsafePointer<Double>, right: UnsafePointer<Double>) -> Double {
        var leftWeight = 0.0, leftSquares = 0.0, rightWeight = 0.0, rightSquares = 0.0
        for k in 0..<classCount {
            leftWeight += left[k]
            leftSquares += left[k] * left[k]
            rightWeight += right[k]
            rightSquares += right[k] * right[k]
        }
        return leftSquares / leftWeight + rightSquares / rightWeight
    }

    func impurity(_ stats: UnsafePointer<Double>, weights: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int) -> Double {
        let total = weight(stats)
        var squares = 0.0
        for k in 0..<classCount { squares += stats[k] * stats[k] }
        return 1 - squares / (total * total)
    }
}

/// Shannon entropy `−Σ pₖ log₂ pₖ` (scikit-learn's `'entropy'` and `'log_loss'`).
struct EntropyCriterion: ClassCountCriterion {
    let classCount: Int

    func proxy(left: UnsafePointer<Double>, right: UnsafePointer<Double>) -> Double {
        // −(wL·H(L) + wR·H(R)) in nats: Σ cₖ·log(cₖ / w) over both sides.
        let leftWeight = weight(left), rightWeight = weight(right)
        var score = 0.0
        for k in 0..<classCount {
            if left[k] > 0 { score += left[k] * log(left[k] / leftWeight) }
            if right[k] > 0 { score += right[k] * log(right[k] / rightWeight) }
        }
        return score
    }

    func impurity(_ stats: UnsafePointer<Double>, weights: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int) -> Double {
        let total = weight(stats)
        var entropy = 0.0
        for k in 0..<classCount where stats[k] > 0 {
            let p = stats[k] / total
            entropy -= p * log2(p)
        }
        return entropy
    }
}

/// Mean squared error around the node mean (scikit-learn's `'squared_error'`): statistics
/// are the weight, the weighted target sum and the row count.
struct SquaredErrorCriterion: SplitCriterion {
    var width: Int { 3 }
    var valueWidth: Int { 1 }

    func fill(
        _ histogram: UnsafeMutablePointer<Double>, codes: UnsafePointer<UInt16>, samples: UnsafePointer<Int32>,
        weights: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int, touched: UnsafeMutablePointer<UInt16>
    ) -> Int {
        var touchedCount = 0
        for p in 0..<count {
            let code = codes[Int(samples[p])]
            let slot = histogram + Int(code) &* 3
            if slot[2] == 0 {
                touched[touchedCount] = code
                touchedCount &+= 1
            }
            let w = weights[p]
            slot[0] += w
            slot[1] += w * targets[p]
            slot[2] += 1
        }
        return touchedCount
    }

    func add(weight: Double, target: Double, to stats: UnsafeMutablePointer<Double>) {
        stats[0] += weight
        stats[1] += weight * target
        stats[2] += 1
    }

    func weight(_ stats: UnsafePointer<Double>) -> Double { stats[0] }

    func proxy(left: UnsafePointer<Double>, right: UnsafePointer<Double>) -> Double {
        left[1] * left[1] / left[0] + right[1] * right[1] / right[0]
    }

    /// ``proxy(left:right:)`` with the right side in registers (the same arithmetic).
    func proxy(left: UnsafePointer<Double>, node: UnsafePointer<Double>, scratch: UnsafeMutablePointer<Double>) -> Double {
        let right0 = node[0] - left[0], right1 = node[1] - left[1]
        return left[1] * left[1] / left[0] + right1 * right1 / right0
    }

    func impurity(_ stats: UnsafePointer<Double>, weights: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int) -> Double {
        let mean = stats[1] / stats[0]
        var squares = 0.0
        for p in 0..<count {
            let d = targets[p] - mean
            squares += weights[p] * d * d
        }
        return squares / stats[0]
    }

    func value(_ stats: UnsafePointer<Double>, into values: inout [Double]) {
        values.append(stats[1] / stats[0])
    }
}

/// ``SquaredErrorCriterion`` for rows that all weigh 1 (a single tree, a boosting stage):
/// statistics are the target sum and the row count, which is also the weight.
struct UnitSquaredErrorCriterion: SplitCriterion {
    var width: Int { 2 }
    var valueWidth: Int { 1 }
    var rowsWeighOne: Bool { true }

    func fill(
        _ histogram: UnsafeMutablePointer<Double>, codes: UnsafePointer<UInt16>, samples: UnsafePointer<Int32>,
        weights: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int, touched: UnsafeMutablePointer<UInt16>
    ) -> Int {
        var touchedCount = 0
        for p in 0..<count {
            let code = codes[Int(samples[p])]
            let slot = histogram + Int(code) &* 2
            if slot[1] == 0 {
                touched[touchedCount] = code
                touchedCount &+= 1
            }
            slot[0] += targets[p]
            slot[1] += 1
        }
        return touchedCount
    }

    func add(weight: Double, target: Double, to stats: UnsafeMutablePointer<Double>) {
        stats[0] += target
        stats[1] += 1
    }

    func weight(_ stats: UnsafePointer<Double>) -> Double { stats[1] }

    func proxy(left: UnsafePointer<Double>, right: UnsafePointer<Double>) -> Double {
        left[0] * left[0] / left[1] + right[0] * right[0] / right[1]
    }

    /// ``proxy(left:right:)`` with the right side in registers (the same arithmetic).
    func proxy(left: UnsafePointer<Double>, node: UnsafePointer<Double>, scratch: UnsafeMutablePointer<Double>) -> Double {
        let right0 = node[0] - left[0], right1 = node[1] - left[1]
        return left[0] * left[0] / left[1] + right0 * right0 / right1
    }

    func impurity(_ stats: UnsafePointer<Double>, weights: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int) -> Double {
        let mean = stats[0] / stats[1]
        var squares = 0.0
        for p in 0..<count {
            let d = targets[p] - mean
            squares += d * d
        }
        return squares / stats[1]
    }

    func value(_ stats: UnsafePointer<Double>, into values: inout [Double]) {
        values.append(stats[0] / stats[1])
    }
}
