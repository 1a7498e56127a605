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
    /// - Complexity: O(rows): a radix sort of (value, row) pairs, then linear passes.
    private static func bin(_ column: UnsafeBufferPointer<Double>) -> (codes: [UInt16], lower: [Double], upper: [Double]) {
        let entries = sortedEntries(column)
        // Runs of values within the tolerance of their predecessor, and where each ends.
        var groupLower: [Double] = [], groupUpper: [Double] = [], groupEnd: [Int] = []
        for (index, entry) in entries.enumerated() {
            if let last = groupUpper.last, entry.value <= last + tieTolerance {
                groupUpper[groupUpper.count - 1] = entry.value
                groupEnd[groupEnd.count - 1] = index + 1
            } else {
                groupLower.append(entry.value)
                groupUpper.append(entry.value)
                groupEnd.append(index + 1)
            }
        }
        var lower: [Double] = [], upper: [Double] = []
        var binOfGroup = [UInt16](repeating: 0, count: groupEnd.count)
        if groupLower.count <= maxBins {
            lower = groupLower
            upper = groupUpper
            for group in binOfGroup.indices { binOfGroup[group] = UInt16(group) }
        } else {
            // Close a bin once it reaches the next of `maxBins` equal-count quantiles.
            let perBin = Double(entries.count) / Double(maxBins)
            var open = false
            for group in groupLower.indices {
                if !open {
                    lower.append(groupLower[group])
                    upper.append(groupUpper[group])
                    open = true
                }
                upper[upper.count - 1] = groupUpper[group]
                binOfGroup[group] = UInt16(upper.count - 1)
                if Double(groupEnd[group]) >= Double(upper.count) * perBin { open = false }
            }
        }
        var codes = [UInt16](repeating: 0, count: entries.count)
        var group = 0
        for (index, entry) in entries.enumerated() {
            if index == groupEnd[group] { group += 1 }
            codes[Int(entry.row)] = binOfGroup[group]
        }
        return (codes, lower, upper)
    }

    /// A training value and its row.
    private struct Entry {
        var value: Double
        var row: Int32
    }

    /// The column's values with their rows, in increasing order: a least-significant-digit
    /// radix sort of the values' order-preserving bit patterns, 11 bits a pass, skipping
    /// the passes where every value has the same digit.
    ///
    /// - Complexity: O(rows) per pass, at most 6 passes.
    private static func sortedEntries(_ column: UnsafeBufferPointer<Double>) -> [Entry] {
        let count = column.count
        // Flip negative values' bits and positive values' sign bit: unsigned order is then numeric order.
        var keys = column.map { value -> UInt64 in
            let bits = value.bitPattern
            return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
        }
        var rows = (0..<count).map { Int32($0) }
        var spareKeys = [UInt64](repeating: 0, count: count), spareRows = [Int32](repeating: 0, count: count)
        let digits = 2048, mask: UInt64 = 2047
        var offsets = [Int](repeating: 0, count: digits)
        for shift in stride(from: UInt64(0), to: 64, by: 11) {
            offsets.withUnsafeMutableBufferPointer { offsets in
                offsets.update(repeating: 0)
                for key in keys { offsets[Int((key >> shift) & mask)] += 1 }
                guard !offsets.contains(count) else { return }
                var total = 0
                for digit in 0..<digits {
                    let size = offsets[digit]
                    offsets[digit] = total
                    total += size
                }
                keys.withUnsafeBufferPointer { keys in
                    rows.withUnsafeBufferPointer { rows in
                        spareKeys.withUnsafeMutableBufferPointer { spareKeys in
                            spareRows.withUnsafeMutableBufferPointer { spareRows in
                                for i in 0..<count {
                                    let digit = Int((keys[i] >> shift) & mask)
                                    spareKeys[offsets[digit]] = keys[i]
                                    spareRows[offsets[digit]] = rows[i]
                                    offsets[digit] += 1
                                }
                            }
                        }
                    }
                }
                swap(&keys, &spareKeys)
                swap(&rows, &spareRows)
            }
        }
        return (0..<count).map { i in
            let key = keys[i]
            return Entry(value: Double(bitPattern: key >> 63 == 1 ? key & ~(1 << 63) : ~key), row: rows[i])
        }
    }
}
