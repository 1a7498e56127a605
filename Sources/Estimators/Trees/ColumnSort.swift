/// A training value and its row.
struct SortedValue: Equatable {
    var value: Double
    var row: Int32
}

/// Sorts one feature column for binning: its values with their rows, in increasing order
/// of value and, among equal values, of row.
///
/// A least-significant-digit radix sort of packed 64-bit words, each the top 32 bits of
/// the value's order-preserving bit pattern (sign, exponent and 20 mantissa bits) above
/// the row: three passes of 11 bits at most, one array moved. Values that share those
/// 32 bits (rare for continuous data: they agree to about 1e-6 relatively) are then put in
/// order by their full bit patterns, run by run.
enum ColumnSort {
    /// The column's values with their rows, ordered by value, then row.
    ///
    /// - Complexity: O(rows) for the radix passes (skipping those where every value has
    ///   the same digit), plus O(r log r) for each run of r values sharing their top 32 bits.
    static func sorted(_ column: UnsafeBufferPointer<Double>) -> [SortedValue] {
        let count = column.count
        guard count > 0 else { return [] }
        var words = [UInt64](unsafeUninitializedCapacity: count) { words, initialized in
            for row in 0..<count { words[row] = (orderKey(column[row]) & 0xFFFF_FFFF_0000_0000) | UInt64(row) }
            initialized = count
        }
        radixSortHighHalf(&words)
        var result = [SortedValue](unsafeUninitializedCapacity: count) { result, initialized in
            for i in 0..<count {
                let row = Int(truncatingIfNeeded: words[i] & 0xFFFF_FFFF)
                result[i] = SortedValue(value: column[row], row: Int32(truncatingIfNeeded: row))
            }
            initialized = count
        }
        // Runs of equal top halves: order them by the full key (then row, as they already are).
        var start = 0
        while start < count {
            var end = start + 1
            while end < count && words[end] >> 32 == words[start] >> 32 { end += 1 }
            if end - start > 1 { sortRun(&result, start..<end) }
            start = end
        }
        return result
    }

    /// The value's bits with negative values' bits flipped and positive values' sign bit
    /// set: unsigned order is then numeric order (−0 just before +0).
    static func orderKey(_ value: Double) -> UInt64 {
        let bits = value.bitPattern
        return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
    }

    /// Sorts `words` by their top 32 bits, stably, 11 bits a pass; one counting pass
    /// gives every pass's digit counts.
    ///
    /// - Complexity: O(count) per pass, at most 3 passes.
    private static func radixSortHighHalf(_ words: inout [UInt64]) {
        let count = words.count, digits = 2048, mask: UInt64 = 2047
        let shifts: [UInt64] = [32, 43, 54]
        var counts = [Int](repeating: 0, count: digits * shifts.count)
        var spare = [UInt64](repeating: 0, count: count)
        words.withUnsafeBufferPointer { words in
            counts.withUnsafeMutableBufferPointer { counts in
                for word in words {
                    counts[Int((word >> 32) & mask)] += 1
                    counts[digits + Int((word >> 43) & mask)] += 1
                    counts[2 * digits + Int(word >> 54)] += 1
                }
            }
        }
        for (pass, shift) in shifts.enumerated() {
            let skip = counts.withUnsafeMutableBufferPointer { counts -> Bool in
                let offsets = UnsafeMutableBufferPointer(rebasing: counts[(pass * digits)..<((pass + 1) * digits)])
                guard !offsets.contains(count) else { return true }
                var total = 0
                for digit in 0..<digits {
                    let size = offsets[digit]
                    offsets[digit] = total
                    total += size
                }
                return false
            }
            if skip { continue }
            words.withUnsafeBufferPointer { words in
                spare.withUnsafeMutableBufferPointer { spare in
                    counts.withUnsafeMutableBufferPointer { counts in
                        let offsets = counts.baseAddress! + pass * digits
                        for word in words {
                            let digit = Int((word >> shift) & mask)
                            spare[offsets[digit]] = word
                            offsets[digit] += 1
                        }
                    }
                }
            }
            swap(&words, &spare)
        }
    }

    /// Orders `values[range]` by full order key, then row: nothing to do for a run already
    /// in order (equal values, as in a 0/1 feature), insertion sort for short runs.
    private static func sortRun(_ values: inout [SortedValue], _ range: Range<Int>) {
        func before(_ a: SortedValue, _ b: SortedValue) -> Bool {
            let keyA = orderKey(a.value), keyB = orderKey(b.value)
            return keyA < keyB || (keyA == keyB && a.row < b.row)
        }
        if range.dropFirst().allSatisfy({ before(values[$0 - 1], values[$0]) }) { return }
        guard range.count > 16 else {
            for i in (range.lowerBound + 1)..<range.upperBound {
                let item = values[i]
                var j = i
                while j > range.lowerBound && before(item, values[j - 1]) {
                    values[j] = values[j - 1]
                    j -= 1
                }
                values[j] = item
            }
            return
        }
        values[range].sort(by: before)
    }
}
