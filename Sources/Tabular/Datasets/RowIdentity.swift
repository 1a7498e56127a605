import Dispatch

/// The identity of a dataset row: the first 128 bits of the SHA-256 of a canonical
/// encoding of the row's key values (or, with no key, of all the dataset's columns plus
/// the row's occurrence number).
///
/// The encoding sorts columns by name and includes their names, so column order does not
/// matter. Values are encoded by meaning, not storage: an integral number is the same
/// whether the column was read as integer or numeric (`5` and `5.0`), `-0.0` equals `0.0`,
/// every NaN is the same, and a boolean equals the text `true`/`false`. So a row keeps its
/// identity when a later input widens a column's type.
///
/// Without keys, identical rows are told apart by their occurrence number within their
/// source: the k-th row (k = 0, 1, …) with given content hashes the content followed by a
/// `0xFF` byte and k as a little-endian `u64`, except that the first one (k = 0) hashes the
/// content alone, exactly as identities did before occurrence numbers existed. The same
/// input therefore yields the same identities every time, a repeated row is kept as
/// another row, and a first occurrence keeps the identity stored by older versions.
public struct RowIdentity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// High and low 64 bits of the digest prefix.
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public static func < (a: RowIdentity, b: RowIdentity) -> Bool {
        (a.high, a.low) < (b.high, b.low)
    }

    /// 32 hexadecimal digits.
    public var description: String {
        func padded(_ word: UInt64) -> String {
            let digits = String(word, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return padded(high) + padded(low)
    }

    /// The identities of every row of `table` over `columns`.
    ///
    /// - Parameters:
    ///   - table: The rows.
    ///   - columns: The columns the identity is computed from (any order).
    ///   - numberingRepeats: `true` (rows without keys): a row equal to `k` earlier rows of
    ///     `table` gets occurrence number `k`, so every row has its own identity. `false`
    ///     (key columns): the content alone.
    /// - Returns: One identity per row, and how many rows had an equal earlier row
    ///   (occurrence number ≥ 1; always 0 when `numberingRepeats` is `false`).
    /// - Complexity: O(rows × columns) bytes hashed, plus one hash-table look-up per row
    ///   and a second digest per repeated row when numbering repeats. Rows are encoded
    ///   straight from the typed columns (no ``Value`` per cell) and hashed in row blocks
    ///   on up to two threads; the result does not depend on the threads.
    static func identities(
        of table: Table, columns names: [String], numberingRepeats: Bool
    ) throws(TabularError) -> (identities: [RowIdentity], repeated: Int) {
        let columns = try names.sorted(by: codePointOrder).map { (name) throws(TabularError) -> Column in try table.column(named: name) }
        let encoder = RowEncoder(columns: columns)
        let rows = table.rowCount
        var content = [RowIdentity](repeating: RowIdentity(high: 0, low: 0), count: rows)
        let blockSize = 2_048
        let blocks = (rows + blockSize - 1) / blockSize
        content.withUnsafeMutableBufferPointer { output in
            let target = UnsafeSendableBuffer(output)
            let work: @Sendable (Int, inout RowBlock) -> Void = { block, scratch in
                let range = (block * blockSize)..<min(rows, (block + 1) * blockSize)
                encoder.encode(rows: range, into: &scratch)
                for (index, row) in range.enumerated() { target.buffer[row] = scratch.digest(ofRow: index) }
            }
            let workers = min(blocks, 2)
            if workers > 1 {
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    var scratch = RowBlock()
                    for block in stride(from: worker, to: blocks, by: workers) { work(block, &scratch) }
                }
            } else if blocks == 1 {
                var scratch = RowBlock()
                work(0, &scratch)
            }
        }
        guard numberingRepeats else { return (content, 0) }
        let repeats = FirstOccurrences.repeats(in: content)
        guard !repeats.isEmpty else { return (content, 0) }
        var copies: [RowIdentity: UInt64] = [:]
        var scratch = RowBlock()
        for row in repeats {
            // A repeat: the k-th copy (k ≥ 1) hashes the content, then 0xFF and k.
            let occurrence = copies[content[row], default: 0] + 1
            copies[content[row]] = occurrence
            encoder.encode(rows: row..<(row + 1), into: &scratch)
            scratch.appendOccurrence(occurrence)
            content[row] = scratch.digest(ofRow: 0)
        }
        return (content, repeats.count)
    }
}

/// A mutable buffer shared by the workers of `concurrentPerform`, each writing its own
/// elements (never one another's).
struct UnsafeSendableBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}

/// Finds the rows whose identity equals an earlier row's, with an open-addressing table of
/// row numbers indexed by the identities' own bits (they are SHA-256 digests, uniformly
/// spread): no `Hasher` call and no per-row allocation.
enum FirstOccurrences {
    /// The rows (ascending) whose identity equals that of an earlier row of `identities`.
    ///
    /// - Complexity: O(n) expected.
    static func repeats(in identities: [RowIdentity]) -> [Int] {
        var capacity = 16
        while capacity < 2 * identities.count { capacity <<= 1 }
        let mask = capacity - 1
        // Row + 1 of the first occurrence in each slot; 0 when empty.
        var slots = [Int](repeating: 0, count: capacity)
        var repeats: [Int] = []
        identities.withUnsafeBufferPointer { rows in
            slots.withUnsafeMutableBufferPointer { slots in
                for row in rows.indices {
                    let identity = rows[row]
                    var slot = Int(truncatingIfNeeded: identity.low ^ identity.high) & mask
                    while true {
                        let occupant = slots[slot]
                        if occupant == 0 {
                            slots[slot] = row + 1
                            break
                        }
                        if rows[occupant - 1] == identity {
                            repeats.append(row)
                            break
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
        return repeats
    }
}
