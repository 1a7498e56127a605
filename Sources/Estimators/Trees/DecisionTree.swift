/// One fitted decision tree stored as flat arrays, as scikit-learn's `tree_` object:
/// node `i` tests `x[feature[i]] <= threshold[i]` and continues at `left[i]` (true) or
/// `right[i]` (false); a leaf has `feature[i] == -1` and no children.
///
/// Every node (not only the leaves) holds `valueWidth` values at
/// `values[i * valueWidth ..< (i + 1) * valueWidth]`: class probabilities for a
/// classification tree, the mean target for a regression tree (or a boosting stage's
/// leaf update). Nodes are numbered depth first, so a child's index is always greater
/// than its parent's, which ``validate(featureCount:valueWidth:)`` checks after decoding.
///
/// Trees grown by this version also keep every node's impurity and weighted sample count
/// (scikit-learn's `impurity` and `weighted_n_node_samples`), from which
/// ``impurityImportances(featureCount:normalize:)`` follows; trees decoded from payloads
/// written before have neither (`nil`).
public struct DecisionTree: Sendable, Hashable, Codable {
    /// The tested feature per node, `-1` for a leaf.
    public let feature: [Int32]
    /// The threshold per node (`0` for a leaf): `x[feature] <= threshold` goes left.
    public let threshold: [Double]
    /// The left child per node, `-1` for a leaf.
    public let left: [Int32]
    /// The right child per node, `-1` for a leaf.
    public let right: [Int32]
    /// `valueWidth` values per node, node after node.
    public let values: [Double]
    /// The number of values per node.
    public let valueWidth: Int
    /// The impurity per node as the tree's criterion measures it on the node's training
    /// rows (Gini, entropy in bits, or the mean squared error around the node's mean), or
    /// `nil` for a tree decoded from a payload written before impurities were stored.
    public let impurity: [Double]?
    /// The total weight of the training rows per node (their count, or for a forest's tree
    /// their bootstrap draws), or `nil` as ``impurity``.
    public let weightedSampleCounts: [Double]?

    /// Creates a tree from its flat arrays (checked by
    /// ``validate(featureCount:valueWidth:)``, not here).
    ///
    /// - Parameters:
    ///   - feature: The tested feature per node, `-1` for a leaf.
    ///   - threshold: The threshold per node.
    ///   - left: The left child per node, `-1` for a leaf.
    ///   - right: The right child per node, `-1` for a leaf.
    ///   - values: `valueWidth` values per node.
    ///   - valueWidth: The number of values per node.
    ///   - impurity: The impurity per node, or `nil` when unknown.
    ///   - weightedSampleCounts: The training weight per node, or `nil` when unknown (both
    ///     or neither).
    public init(
        feature: [Int32], threshold: [Double], left: [Int32], right: [Int32], values: [Double], valueWidth: Int,
        impurity: [Double]? = nil, weightedSampleCounts: [Double]? = nil
    ) {
        self.feature = feature
        self.threshold = threshold
        self.left = left
        self.right = right
        self.values = values
        self.valueWidth = valueWidth
        self.impurity = impurity
        self.weightedSampleCounts = weightedSampleCounts
    }

    /// The same tree with other node values (a boosting stage's leaf updates).
    func replacingValues(_ newValues: [Double]) -> DecisionTree {
        DecisionTree(
            feature: feature, threshold: threshold, left: left, right: right, values: newValues, valueWidth: valueWidth,
            impurity: impurity, weightedSampleCounts: weightedSampleCounts)
    }

    /// The number of nodes.
    public var nodeCount: Int { feature.count }

    /// The number of leaves.
    public var leafCount: Int { feature.reduce(0) { $0 + ($1 < 0 ? 1 : 0) } }

    /// The length of the longest root-to-leaf path (0 for a single leaf).
    ///
    /// - Complexity: O(nodes).
    public var depth: Int {
        var depths = [Int](repeating: 0, count: nodeCount)
        var deepest = 0
        for i in 0..<nodeCount where feature[i] >= 0 {
            for child in [Int(left[i]), Int(right[i])] {
                depths[child] = depths[i] + 1
                deepest = max(deepest, depths[child])
            }
        }
        return deepest
    }

    /// The leaf reached by the row starting at `row` (its `featureCount` values).
    ///
    /// - Complexity: O(depth).
    func leaf(for row: UnsafePointer<Double>) -> Int {
        feature.withUnsafeBufferPointer { feature in
            threshold.withUnsafeBufferPointer { threshold in
                left.withUnsafeBufferPointer { left in
                    right.withUnsafeBufferPointer { right in
                        var node = 0
                        while true {
                            let f = Int(feature[node])
                            if f < 0 { return node }
                            node = Int(row[f] <= threshold[node] ? left[node] : right[node])
                        }
                    }
                }
            }
        }
    }

    /// Adds `scale ×` the values of the leaf reached by `row` to `sums[0..<valueWidth]`.
    ///
    /// - Complexity: O(depth + valueWidth).
    func accumulate(_ row: UnsafePointer<Double>, scale: Double, into sums: UnsafeMutablePointer<Double>) {
        let base = leaf(for: row) * valueWidth
        values.withUnsafeBufferPointer { values in
            for k in 0..<valueWidth { sums[k] += scale * values[base + k] }
        }
    }

    /// Checks the structure after decoding: equal array lengths, in-range features,
    /// finite thresholds and values, children after their parent and in range, every
    /// node but the root reached exactly once (so no cycles and no shared subtrees), and
    /// the node statistics when present (both, one of each per node, not negative).
    ///
    /// - Parameters:
    ///   - featureCount: The model's number of features.
    ///   - valueWidth: The expected number of values per node.
    /// - Throws: ``EstimatorError/invalidPayload(_:)`` naming the first problem.
    /// - Complexity: O(nodes × valueWidth).
    public func validate(featureCount: Int, valueWidth expectedWidth: Int) throws(EstimatorError) {
        let count = feature.count
        guard count > 0, threshold.count == count, left.count == count, right.count == count else {
            throw .invalidPayload("a decision tree needs at least one node and equal-length node arrays")
        }
        guard valueWidth == expectedWidth, values.count == count * valueWidth else {
            throw .invalidPayload("a decision tree needs \(expectedWidth) values per node")
        }
        guard values.allSatisfy(\.isFinite) else { throw .invalidPayload("a decision tree has a non-finite node value") }
        try validateNodeStatistics()
        var parents = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            let f = Int(feature[i]), l = Int(left[i]), r = Int(right[i])
            if f < 0 {
                guard f == -1, l == -1, r == -1 else { throw .invalidPayload("tree leaf \(i) has children or a bad feature") }
                continue
            }
            guard f < featureCount else { throw .invalidPayload("tree node \(i) tests feature \(f) of \(featureCount)") }
            guard threshold[i].isFinite else { throw .invalidPayload("tree node \(i) has a non-finite threshold") }
            guard l > i, l < count, r > i, r < count, l != r else {
                throw .invalidPayload("tree node \(i) has children \(l), \(r) outside \(i + 1)..<\(count)")
            }
            parents[l] += 1
            parents[r] += 1
            guard parents[l] == 1, parents[r] == 1 else { throw .invalidPayload("tree node \(i) shares a child") }
        }
        guard let orphan = parents.indices.dropFirst().first(where: { parents[$0] == 0 }) else { return }
        throw .invalidPayload("tree node \(orphan) is unreachable")
    }

    /// Checks the optional node statistics: both or neither, one per node, impurities
    /// non-negative (`+infinity` when squared targets overflow), weights finite and
    /// non-negative.
    private func validateNodeStatistics() throws(EstimatorError) {
        switch (impurity, weightedSampleCounts) {
        case (nil, nil):
            return
        case let (impurity?, weights?):
            guard impurity.count == feature.count, weights.count == feature.count else {
                throw .invalidPayload("a decision tree needs one impurity and one weighted sample count per node")
            }
            guard impurity.allSatisfy({ $0 >= 0 }), weights.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw .invalidPayload("a decision tree has a negative or NaN node impurity or weighted sample count")
            }
        default:
            throw .invalidPayload("a decision tree stores node impurities without weighted sample counts, or the reverse")
        }
    }
}
