import LinearAlgebra

/// The resolved limits a tree grows under.
struct TreeLimits: Sendable, Hashable {
    /// The deepest a leaf may be (`Int.max` for scikit-learn's `None`).
    var maxDepth: Int
    /// A node with fewer rows is a leaf.
    var minSamplesSplit: Int
    /// Every leaf keeps at least this many rows.
    var minSamplesLeaf: Int
    /// Features drawn per node (1…feature count).
    var maxFeatures: Int
}

/// A grown tree and, for gradient boosting, where its training rows ended up.
struct GrownTree {
    var tree: DecisionTree
    /// The rows with positive weight, grouped by leaf.
    var samples: [Int32]
    /// Each leaf's node index and its rows `samples[start..<end]`.
    var leaves: [(node: Int, start: Int, end: Int)]
}

/// Grows one tree depth first, as scikit-learn's `DepthFirstTreeBuilder` with the `best`
/// splitter, on binned features (see ``BinnedFeatures``).
///
/// At each node the features are drawn in random order until `maxFeatures` have been
/// looked at and at least one was not constant; each drawn feature's rows are added to a
/// histogram of its bins, and every boundary between two consecutive non-empty bins that
/// leaves `minSamplesLeaf` rows on both sides is scored. The first best-scoring split (in
/// draw order, then bin order) wins. A node is a leaf at `maxDepth`, below
/// `minSamplesSplit` rows, below `2 × minSamplesLeaf` rows, when pure, or when no split
/// exists.
///
/// When every feature is drawn, a large node keeps the histograms of all its features
/// (a ``HistogramSet``): its smaller child fills its own and the larger child's are the
/// difference, so only the smaller child's rows are read again. A large node's features
/// are filled and scanned on `threads` threads, each with its own scratch memory; the
/// result does not depend on the thread count.
///
/// Unchecked `Sendable`: one thread calls ``grow(weights:targets:random:)``; the parallel
/// scans only read the grower's rows and write their own ``ScanWorkspace`` or their own
/// feature's part of a ``HistogramSet``.
final class TreeGrower<Criterion: SplitCriterion>: @unchecked Sendable {
    /// Below this many row × feature visits a node's features are scanned on one thread.
    let parallelWork: Int
    /// Nodes with fewer rows do not keep histogram sets.
    let histogramSetRows: Int

    let binned: BinnedFeatures
    let criterion: Criterion
    let limits: TreeLimits
    let width: Int
    let threads: Int

    /// One scan workspace per thread.
    let workspaces: [ScanWorkspace]
    /// The current node's statistics.
    let nodeStats: UnsafeMutablePointer<Double>
    let samples: UnsafeMutablePointer<Int32>
    let weights: UnsafeMutablePointer<Double>
    let targets: UnsafeMutablePointer<Double>
    /// Room for the right child's rows while partitioning.
    private let spareSamples: UnsafeMutablePointer<Int32>
    private let spareWeights: UnsafeMutablePointer<Double>
    private let spareTargets: UnsafeMutablePointer<Double>
    var features: [Int]
    /// Where each feature's statistics start in a histogram set, and the set's size.
    let setOffsets: [Int]
    let setSize: Int
    /// Histogram sets to reuse.
    var freeSets: [HistogramSet] = []

    /// A grower for `binned` rows.
    ///
    /// - Parameters:
    ///   - threads: Threads that fill and scan a large node's features.
    ///   - parallelWork: The fewest row × feature visits worth spreading over threads.
    ///   - histogramSetRows: The fewest rows for which a node keeps a histogram set.
    init(
        binned: BinnedFeatures, criterion: Criterion, limits: TreeLimits, threads: Int = 1, parallelWork: Int = 1 << 17,
        histogramSetRows: Int = 4096
    ) {
        self.parallelWork = parallelWork
        self.histogramSetRows = histogramSetRows
        self.binned = binned
        self.criterion = criterion
        self.limits = limits
        width = criterion.width
        self.threads = max(1, threads)
        workspaces = (0..<max(1, threads)).map { _ in ScanWorkspace(width: criterion.width) }
        nodeStats = .allocate(capacity: width)
        nodeStats.initialize(repeating: 0, count: width)
        samples = .allocate(capacity: max(1, binned.rows))
        weights = .allocate(capacity: max(1, binned.rows))
        targets = .allocate(capacity: max(1, binned.rows))
        spareSamples = .allocate(capacity: max(1, binned.rows))
        spareWeights = .allocate(capacity: max(1, binned.rows))
        spareTargets = .allocate(capacity: max(1, binned.rows))
        features = Array(0..<binned.featureCount)
        var offsets: [Int] = [], total = 0
        for feature in 0..<binned.featureCount {
            offsets.append(total)
            total += binned.binCount(feature) * criterion.width
        }
        setOffsets = offsets
        setSize = total
    }

    deinit {
        nodeStats.deallocate()
        samples.deallocate()
        weights.deallocate()
        targets.deallocate()
        spareSamples.deallocate()
        spareWeights.deallocate()
        spareTargets.deallocate()
    }

    /// A node waiting on the stack, with its histogram set when it has one.
    private struct Pending {
        var start: Int, end: Int, depth: Int, parent: Int, isLeft: Bool
        var histograms: HistogramSet?
    }

    /// The best split found at a node.
    struct Split {
        var feature: Int, leftBin: Int, rightBin: Int, score: Double
    }

    /// Grows a tree on the rows with positive weight. A grower can grow any number of
    /// trees, one after the other; each is the same as a new grower's.
    ///
    /// - Parameters:
    ///   - rowWeights: One weight per training row (0 leaves the row out).
    ///   - rowTargets: One target per training row (class index or value).
    ///   - random: Draws the feature order at every node.
    /// - Complexity: O(depth × rows × drawn features) for the histograms, plus
    ///   O(nodes × drawn features × bins) to scan them.
    func grow(weights rowWeights: [Double], targets rowTargets: [Double], random: inout RandomSource) -> GrownTree {
        // A grower is reused across trees (boosting stages): every tree starts from the same draw order.
        for i in features.indices { features[i] = i }
        var count = 0
        for row in 0..<binned.rows where rowWeights[row] > 0 {
            samples[count] = Int32(row)
            weights[count] = rowWeights[row]
            targets[count] = rowTargets[row]
            count += 1
        }
        var feature: [Int32] = [], threshold: [Double] = [], left: [Int32] = [], right: [Int32] = [], values: [Double] = []
        var impurities: [Double] = [], nodeWeights: [Double] = []
        var leaves: [(node: Int, start: Int, end: Int)] = []
        var stack = [Pending(start: 0, end: count, depth: 0, parent: -1, isLeft: false)]
        let node = nodeStats
        binned.codes.withUnsafeBufferPointer { codes in
            let codes = codes.baseAddress!
            while let pending = stack.popLast() {
                let id = feature.count
                if pending.parent >= 0 {
                    if pending.isLeft { left[pending.parent] = Int32(id) } else { right[pending.parent] = Int32(id) }
                }
                let start = pending.start, rows = pending.end - pending.start
                criterion.accumulate(node, weights: weights + start, targets: targets + start, count: rows)
                // Every node's impurity and weight are kept for the feature importances.
                let impurity = criterion.impurity(node, weights: weights + start, targets: targets + start, count: rows)
                impurities.append(impurity)
                nodeWeights.append(criterion.weight(node))
                let isLeaf = !canSplit(rows: rows, depth: pending.depth) || impurity <= .ulpOfOne
                var set = pending.histograms
                var split: Split?
                if !isLeaf {
                    if set == nil && keepsHistograms(rows: rows) { set = filledSet(start: start, rows: rows, codes: codes) }
                    if let set {
                        split = bestSplit(in: set, rows: rows, random: &random)
                    } else {
                        split = bestSplit(start: start, rows: rows, codes: codes, random: &random)
                    }
                }
                criterion.value(node, into: &values)
                left.append(-1)
                right.append(-1)
                guard let split else {
                    if let set { freeSets.append(set) }
                    feature.append(-1)
                    threshold.append(0)
                    leaves.append((id, start, pending.end))
                    continue
                }
                feature.append(Int32(split.feature))
                threshold.append(binned.threshold(feature: split.feature, leftBin: split.leftBin, rightBin: split.rightBin))
                let middle = partition(start: start, end: pending.end, codes: codes + split.feature * binned.rows, leftBin: split.leftBin)
                let (leftSet, rightSet) = set.map {
                    childSets(parent: $0, start: start, middle: middle, end: pending.end, depth: pending.depth + 1, codes: codes)
                } ?? (nil, nil)
                stack.append(Pending(start: middle, end: pending.end, depth: pending.depth + 1, parent: id, isLeft: false, histograms: rightSet))
                stack.append(Pending(start: start, end: middle, depth: pending.depth + 1, parent: id, isLeft: true, histograms: leftSet))
            }
        }
        let tree = DecisionTree(
            feature: feature, threshold: threshold, left: left, right: right, values: values, valueWidth: criterion.valueWidth,
            impurity: impurities, weightedSampleCounts: nodeWeights)
        return GrownTree(tree: tree, samples: Array(UnsafeBufferPointer(start: samples, count: count)), leaves: leaves)
    }

    /// Whether the limits let a node with `rows` rows at `depth` split.
    private func canSplit(rows: Int, depth: Int) -> Bool {
        depth < limits.maxDepth && rows >= limits.minSamplesSplit && rows >= 2 * limits.minSamplesLeaf
    }

    /// Whether a node scans from a histogram set: every feature is drawn, the node is
    /// large, and a set takes at most 16 MB (it does not with thousands of classes).
    private func keepsHistograms(rows: Int) -> Bool {
        limits.maxFeatures >= binned.featureCount && rows >= histogramSetRows && setSize <= 1 << 21
    }

    /// The children's histogram sets after a split: the smaller child's filled from its
    /// rows, the larger child's the parent's minus it; `nil` for a child that will not use
    /// one (too small, or unable to split).
    private func childSets(parent: HistogramSet, start: Int, middle: Int, end: Int, depth: Int, codes: UnsafePointer<UInt16>)
        -> (left: HistogramSet?, right: HistogramSet?)
    {
        let leftRows = middle - start, rightRows = end - middle
        let wantsLeft = canSplit(rows: leftRows, depth: depth) && keepsHistograms(rows: leftRows)
        let wantsRight = canSplit(rows: rightRows, depth: depth) && keepsHistograms(rows: rightRows)
        guard wantsLeft || wantsRight else {
            freeSets.append(parent)
            return (nil, nil)
        }
        let leftIsSmaller = leftRows <= rightRows
        let smaller = filledSet(start: leftIsSmaller ? start : middle, rows: min(leftRows, rightRows), codes: codes)
        parent.subtract(smaller)
        let (leftSet, rightSet) = leftIsSmaller ? (smaller, parent) : (parent, smaller)
        if !wantsLeft { freeSets.append(leftSet) }
        if !wantsRight { freeSets.append(rightSet) }
        return (wantsLeft ? leftSet : nil, wantsRight ? rightSet : nil)
    }

    /// Moves the node's rows with `code <= leftBin` before the others, keeping both groups
    /// in row order (so histogram fills read each feature column forwards); returns where
    /// the right child's rows start.
    ///
    /// Branch-free: every row is written to both sides and only the side it belongs to
    /// advances (writing at `kept ≤ p` never overwrites a row not yet read). Rows keep
    /// their weights only when the criterion weighs them (``SplitCriterion/rowsWeighOne``).
    ///
    /// - Complexity: O(end − start).
    private func partition(start: Int, end: Int, codes: UnsafePointer<UInt16>, leftBin: Int) -> Int {
        var kept = start, moved = 0
        let movesWeights = !criterion.rowsWeighOne
        for p in start..<end {
            let sample = samples[p], target = targets[p]
            let goesLeft = Int(codes[Int(sample)]) <= leftBin
            samples[kept] = sample
            targets[kept] = target
            spareSamples[moved] = sample
            spareTargets[moved] = target
            if movesWeights {
                let weight = weights[p]
                weights[kept] = weight
                spareWeights[moved] = weight
            }
            let step = goesLeft ? 1 : 0
            kept &+= step
            moved &+= 1 &- step
        }
        (samples + kept).update(from: spareSamples, count: moved)
        if movesWeights { (weights + kept).update(from: spareWeights, count: moved) }
        (targets + kept).update(from: spareTargets, count: moved)
        return kept
    }
}
