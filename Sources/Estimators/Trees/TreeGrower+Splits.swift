import LinearAlgebra

/// Split search: drawing features, filling histograms and scoring bin boundaries.
extension TreeGrower {
    /// The best split of the node's rows, drawing features as scikit-learn's `BestSplitter`
    /// and filling one feature's histogram at a time.
    func bestSplit(start: Int, rows: Int, codes: UnsafePointer<UInt16>, random: inout RandomSource) -> Split? {
        let featureCount = features.count
        if threads > 1, limits.maxFeatures >= featureCount, rows * featureCount >= parallelWork {
            // Every feature is drawn: draw the whole order, then scan in parallel.
            let order = drawAllFeatures(&random)
            let candidates = ParallelWork.map(featureCount, threads: threads) { position, worker in
                self.binned.codes.withUnsafeBufferPointer { codes in
                    self.scan(feature: order[position], start: start, rows: rows, codes: codes.baseAddress!, workspace: self.workspaces[worker]).split
                }
            }
            return candidates.reduce(nil) { best, candidate in Self.better(candidate, than: best) }
        }
        var best: Split?
        var drawn = 0, nonConstant = 0
        while drawn < featureCount && (drawn < limits.maxFeatures || nonConstant == 0) {
            let pick = drawn + random.nextInt(below: featureCount - drawn)
            features.swapAt(drawn, pick)
            let result = scan(feature: features[drawn], start: start, rows: rows, codes: codes, workspace: workspaces[0])
            drawn += 1
            if result.nonConstant { nonConstant += 1 }
            best = Self.better(result.split, than: best)
        }
        return best
    }

    /// The best split from a node's histogram set (every feature is drawn).
    func bestSplit(in set: HistogramSet, rows: Int, random: inout RandomSource) -> Split? {
        let order = drawAllFeatures(&random)
        let candidates = ParallelWork.map(order.count, threads: threads) { position, worker in
            let feature = order[position]
            return self.sweep(
                feature: feature, histogram: set.statistics + self.setOffsets[feature], bins: nil, count: self.binned.binCount(feature),
                rows: rows, workspace: self.workspaces[worker])
        }
        return candidates.reduce(nil) { best, candidate in Self.better(candidate, than: best) }
    }

    /// Draws every feature in random order, consuming the generator as the one-by-one
    /// draw does.
    private func drawAllFeatures(_ random: inout RandomSource) -> [Int] {
        let featureCount = features.count
        for drawn in 0..<featureCount { features.swapAt(drawn, drawn + random.nextInt(below: featureCount - drawn)) }
        return features
    }

    /// A zeroed histogram set filled with the rows `samples[start..<start + rows]`: the
    /// features are cut into two pieces per thread, each filled four features at a time
    /// (``SplitCriterion/fillBlock(_:columns:samples:weights:targets:count:)``).
    ///
    /// - Complexity: O(rows × features), divided among the threads.
    func filledSet(start: Int, rows: Int, codes: UnsafePointer<UInt16>) -> HistogramSet {
        let set = freeSets.popLast() ?? HistogramSet(count: setSize)
        set.statistics.update(repeating: 0, count: setSize)
        let featureCount = binned.featureCount
        let featureThreads = rows * featureCount >= parallelWork ? threads : 1
        let pieces = min(featureCount, featureThreads == 1 ? 1 : 2 * featureThreads)
        _ = ParallelWork.map(pieces, threads: featureThreads) { piece in
            let first = piece * featureCount / pieces, end = (piece + 1) * featureCount / pieces
            self.binned.codes.withUnsafeBufferPointer { codes in
                for block in stride(from: first, to: end, by: 4) {
                    let features = block..<min(block + 4, end)
                    self.criterion.fillBlock(
                        FeatureBlock(features.map { set.statistics + self.setOffsets[$0] }),
                        columns: FeatureBlock(features.map { codes.baseAddress! + $0 * self.binned.rows }),
                        samples: self.samples + start, weights: self.weights + start, targets: self.targets + start, count: rows)
                }
            }
        }
        return set
    }

    /// `candidate` when it scores strictly higher than `best` (earlier splits win ties).
    static func better(_ candidate: Split?, than best: Split?) -> Split? {
        guard let candidate else { return best }
        guard let best else { return candidate }
        return candidate.score > best.score ? candidate : best
    }

    /// The best split of one feature, filling its histogram in `workspace`, and whether
    /// the feature varies in the node.
    private func scan(feature: Int, start: Int, rows: Int, codes allCodes: UnsafePointer<UInt16>, workspace: ScanWorkspace)
        -> (nonConstant: Bool, split: Split?)
    {
        let histogram = workspace.histogram, touched = workspace.touched
        let touchedCount = criterion.fill(
            histogram, codes: allCodes + feature * binned.rows, samples: samples + start, weights: weights + start,
            targets: targets + start, count: rows, touched: touched)
        defer {
            for i in 0..<touchedCount { (histogram + Int(touched[i]) * width).update(repeating: 0, count: width) }
        }
        guard touchedCount > 1 else { return (false, nil) }
        // Order the non-empty bins: sort the few touched ones, or sweep their range.
        var low = Int.max, high = 0
        for i in 0..<touchedCount {
            low = min(low, Int(touched[i]))
            high = max(high, Int(touched[i]))
        }
        let logCount = Int.bitWidth - touchedCount.leadingZeroBitCount
        if touchedCount * logCount < high - low {
            var sorted = UnsafeMutableBufferPointer(start: touched, count: touchedCount)
            sorted.sort()
        } else {
            var count = 0
            for bin in low...high where histogram[bin * width + width - 1] > 0 {
                touched[count] = UInt16(bin)
                count += 1
            }
        }
        return (true, sweep(feature: feature, histogram: histogram, bins: touched, count: touchedCount, rows: rows, workspace: workspace))
    }

    /// Scores the boundaries between consecutive non-empty bins that leave
    /// `minSamplesLeaf` rows on both sides; the first best one. The bins are `bins[0..<count]`
    /// (in increasing order), or `0..<count` when `bins` is `nil`; empty ones are skipped.
    private func sweep(
        feature: Int, histogram: UnsafePointer<Double>, bins: UnsafePointer<UInt16>?, count: Int, rows: Int, workspace: ScanWorkspace
    ) -> Split? {
        // `criterion.width` rather than the stored `width`: a constant once specialized, so
        // the per-bin loops unroll and the statistics stay out of store-to-load stalls.
        let node = UnsafePointer(nodeStats), leftStats = workspace.left, rightStats = workspace.right
        let width = criterion.width, rowSlot = width - 1, minimumLeaf = Double(limits.minSamplesLeaf), nodeRows = Double(rows)
        leftStats.update(repeating: 0, count: width)
        var best: Split?
        var bestScore = -Double.infinity
        var previous = -1
        for i in 0..<count {
            let bin = bins.map { Int($0[i]) } ?? i
            let slot = histogram + bin * width
            if slot[rowSlot] == 0 { continue }
            if previous >= 0 {
                let leftRows = leftStats[rowSlot]
                if nodeRows - leftRows < minimumLeaf { break }
                if leftRows >= minimumLeaf {
                    let score = criterion.proxy(left: leftStats, node: node, scratch: rightStats)
                    if score > bestScore {
                        best = Split(feature: feature, leftBin: previous, rightBin: bin, score: score)
                        bestScore = score
                    }
                }
            }
            for k in 0..<width { leftStats[k] += slot[k] }
            previous = bin
        }
        return best
    }
}

/// One thread's scratch memory for scanning a feature: a zeroed histogram of
/// `maxBins × width` statistics, a list of bins, and left/right statistics.
///
/// Unchecked `Sendable`: ``ParallelWork`` gives each thread its own workspace.
final class ScanWorkspace: @unchecked Sendable {
    let histogram: UnsafeMutablePointer<Double>
    let touched: UnsafeMutablePointer<UInt16>
    let left: UnsafeMutablePointer<Double>
    let right: UnsafeMutablePointer<Double>

    init(width: Int) {
        histogram = .allocate(capacity: BinnedFeatures.maxBins * width)
        histogram.initialize(repeating: 0, count: BinnedFeatures.maxBins * width)
        touched = .allocate(capacity: BinnedFeatures.maxBins)
        touched.initialize(repeating: 0, count: BinnedFeatures.maxBins)
        left = .allocate(capacity: width)
        left.initialize(repeating: 0, count: width)
        right = .allocate(capacity: width)
        right.initialize(repeating: 0, count: width)
    }

    deinit {
        histogram.deallocate()
        touched.deallocate()
        left.deallocate()
        right.deallocate()
    }
}

/// The histograms of every feature of one node, feature after feature.
///
/// Unchecked `Sendable`: parallel fills write disjoint features' statistics.
final class HistogramSet: @unchecked Sendable {
    let statistics: UnsafeMutablePointer<Double>
    let count: Int

    init(count: Int) {
        self.count = count
        statistics = .allocate(capacity: max(1, count))
        statistics.initialize(repeating: 0, count: max(1, count))
    }

    deinit { statistics.deallocate() }

    /// Subtracts a child's histograms, leaving its sibling's.
    func subtract(_ other: HistogramSet) {
        for i in 0..<count { statistics[i] -= other.statistics[i] }
    }
}
