import LinearAlgebra

/// The training features mapped once per fit to small integer codes, so that trees find
/// splits with histograms instead of sorting at every node.
///
/// Per feature, the sorted training values are grouped into runs whose consecutive
/// values differ by at most ``tieTolerance`` (scikit-learn's `FEATURE_THRESHOLD`: it
/// never splits such values apart either). With at most ``maxBins`` groups each group is
/// a bin of its own, so the candidate splits are exactly scikit-learn's; beyond that,
/// neighbouring groups are merged into ``maxBins`` bins of about equal row counts and
/// splits are only tried between bins. Either way a split between bins `a < b` puts its
/// threshold midway between the largest training value of `a` and the smallest of `b`:
/// two consecutive distinct values, as scikit-learn does.
struct BinnedFeatures: Sendable {
    /// The most bins per feature.
    static let maxBins = 1024
    /// Values this close to their predecessor fall in the same bin.
    static let tieTolerance = 1e-7

    /// The number of training rows.
    let rows: Int
    /// The number of features.
    let featureCount: Int
    /// The bin of every value, feature after feature: `codes[feature * rows + row]`.
    let codes: [UInt16]
    /// The smallest training value in each bin, per feature.
    let lower: [[Double]]
    /// The largest training value in each bin, per feature.
    let upper: [[Double]]

    /// Bins every column of `x`.
    ///
    /// - Parameters:
    ///   - x: The training features (finite values).
    ///   - threads: Threads to bin features on.
    /// - Complexity: O(features × rows), divided among the threads.
    init(_ x: Matrix, threads: Int) {
        let rows = x.rows, columns = x.columns
        let transposed = x.transposed()  // one contiguous column per row
        let binned = ParallelWork.map(columns, threads: threads) { feature in
            transposed.withUnsafeElements { Self.bin(UnsafeBufferPointer(rebasing: $0[(feature * rows)..<((feature + 1) * rows)])) }
        }
        var codes = [UInt16]()
        codes.reserveCapacity(rows * columns)
        for column in binned { codes.append(contentsOf: column.codes) }
        self.rows = rows
        self.featureCount = columns
        self.codes = codes
        self.lower = binned.map(\.lower)
        self.upper = binned.map(\.upper)
    }

    /// The number of bins of `feature`.
    func binCount(_ feature: Int) -> Int { upper[feature].count }

    /// The threshold between bins `leftBin < rightBin` of `feature`: the midpoint of the
    /// largest value of `leftBin` and the smallest of `rightBin`, or the former when the
    /// midpoint rounds up to the latter (as scikit-learn).
    func threshold(feature: Int, leftBin: Int, rightBin: Int) -> Double {
        let below = upper[feature][leftBin], above = lower[feature][rightBin]
        let middle = below / 2 + above / 2
        return middle == above || !middle.isFinite ? below : middle
    }

    /// The codes and bin bounds of one column.
    ///
    /// Two passes over the sorted values: one counts the groups (runs within
    /// ``tieTolerance``); the other assigns every row its bin, closing a bin after each
    /// group when there are at most ``maxBins`` groups, else once the bin reaches the next of
    /// `maxBins` equal-count quantiles.
    ///
    /// - Complexity: O(rows): a radix sort of (value, row) pairs (``ColumnSort``), then
    ///   linear passes.
    private static func bin(_ column: UnsafeBufferPointer<Double>) -> (codes: [UInt16], lower: [Double], upper: [Double]) {
        let entries = ColumnSort.sorted(column)
        let count = entries.count
        var lower: [Double] = [], upper: [Double] = []
        let codes = [UInt16](unsafeUninitializedCapacity: count) { codes, initialized in
            entries.withUnsafeBufferPointer { entries in
                guard let first = entries.first?.value else { return }
                var groups = 1, previous = first
                for index in 1..<count {
                    let value = entries[index].value
                    if value > previous + tieTolerance { groups += 1 }
                    previous = value
                }
                // Each group its own bin (a bin closes after every group), or equal-count bins.
                let perBin = groups <= maxBins ? 0 : Double(count) / Double(maxBins)
                lower.reserveCapacity(min(groups, maxBins))
                upper.reserveCapacity(min(groups, maxBins))
                var bin = -1, open = false, groupUpper = first
                for index in 0..<count {
                    let value = entries[index].value
                    if index == 0 || value > groupUpper + tieTolerance {
                        if index > 0 {
                            // The group before this value ends here.
                            upper[bin] = groupUpper
                            if Double(index) >= Double(bin + 1) * perBin { open = false }
                        }
                        if !open {
                            bin += 1
                            lower.append(value)
                            upper.append(value)
                            open = true
                        }
                    }
                    groupUpper = value
                    codes[Int(entries[index].row)] = UInt16(truncatingIfNeeded: bin)
                }
                upper[bin] = groupUpper
            }
            initialized = count
        }
        return (codes, lower, upper)
    }
}
