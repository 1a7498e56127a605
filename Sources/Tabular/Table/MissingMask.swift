/// Which rows of a column are missing: one bit per row.
public struct MissingMask: Sendable, Hashable {
    @usableFromInline var words: [UInt64]
    /// The number of rows the mask covers.
    public internal(set) var count: Int
    /// The number of missing rows.
    public internal(set) var missingCount: Int

    /// A mask of `count` rows, none missing.
    public init(count: Int = 0) {
        self.words = [UInt64](repeating: 0, count: (count + 63) / 64)
        self.count = count
        self.missingCount = 0
    }

    /// `true` when row `index` is missing.
    @inlinable
    public func isMissing(_ index: Int) -> Bool {
        words[index >> 6] & (1 << UInt64(index & 63)) != 0
    }

    /// `true` when no row is missing.
    public var isEmpty: Bool { missingCount == 0 }

    /// Adds one row at the end.
    public mutating func append(missing: Bool) {
        if count & 63 == 0 { words.append(0) }
        if missing {
            words[count >> 6] |= 1 << UInt64(count & 63)
            missingCount += 1
        }
        count += 1
    }

    /// Adds the rows of `other` at the end.
    public mutating func append(contentsOf other: MissingMask) {
        if other.missingCount == 0 {
            let newCount = count + other.count
            words.append(contentsOf: repeatElement(0, count: (newCount + 63) / 64 - words.count))
            count = newCount
            return
        }
        for i in 0..<other.count { append(missing: other.isMissing(i)) }
    }

    /// Marks row `index` missing or present.
    public mutating func set(_ index: Int, missing: Bool) {
        let bit: UInt64 = 1 << UInt64(index & 63)
        let was = words[index >> 6] & bit != 0
        if was == missing { return }
        if missing { words[index >> 6] |= bit; missingCount += 1 } else { words[index >> 6] &= ~bit; missingCount -= 1 }
    }

    /// The mask of the rows at `indices`, in that order.
    public func selecting(_ indices: some Collection<Int>) -> MissingMask {
        if missingCount == 0 { return MissingMask(count: indices.count) }
        var result = MissingMask()
        result.words.reserveCapacity((indices.count + 63) / 64)
        for i in indices { result.append(missing: isMissing(i)) }
        return result
    }

    /// The indices of the missing rows, ascending.
    public var missingIndices: [Int] {
        guard missingCount > 0 else { return [] }
        return (0..<count).filter(isMissing)
    }
}
