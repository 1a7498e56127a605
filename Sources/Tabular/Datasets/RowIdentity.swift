import Crypto
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
        var seen = Set<RowIdentity>(minimumCapacity: rows)
        var copies: [RowIdentity: UInt64] = [:]
        var repeated = 0
        var scratch = RowBlock()
        for row in 0..<rows where !seen.insert(content[row]).inserted {
            // A repeat: the k-th copy (k ≥ 1) hashes the content, then 0xFF and k.
            let occurrence = copies[content[row], default: 0] + 1
            copies[content[row]] = occurrence
            repeated += 1
            encoder.encode(rows: row..<(row + 1), into: &scratch)
            scratch.appendOccurrence(occurrence)
            content[row] = scratch.digest(ofRow: 0)
        }
        return (content, repeated)
    }
}

/// A mutable buffer shared by the workers of `concurrentPerform`, each writing its own
/// elements (never one another's).
struct UnsafeSendableBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}

/// The canonical encoding of rows, written straight from the typed columns.
///
/// Per column (sorted by name): its name (`u32` byte length + UTF-8), then the value:
/// `0` missing; `1` + `i64` an integer or an integral number below 2⁶³ in magnitude; `2` +
/// IEEE 754 bits another number (every NaN the same); `3` + `u32` length + UTF-8 a category
/// or `true`/`false`. All little-endian.
///
/// A block of rows is written column by column (one type dispatch per column and block,
/// a tight loop over the column's own array), each row into its own slot of the block.
private struct RowEncoder: Sendable {
    let columns: [Column]
    let prefixes: [[UInt8]]

    init(columns: [Column]) {
        self.columns = columns
        prefixes = columns.map { column in
            var bytes: [UInt8] = []
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: column.name.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: column.name.utf8)
            return bytes
        }
    }

    /// The encoded length of each value of `column` in `range` (its name excluded).
    private func addLengths(of column: Column, rows range: Range<Int>, to lengths: inout [Int]) {
        let missing = column.missing
        let anyMissing = !missing.isEmpty
        switch column.values {
        case .numeric, .integer:
            for index in range.indices { lengths[index - range.lowerBound] += anyMissing && missing.isMissing(index) ? 1 : 9 }
        case .boolean(let values):
            for index in range.indices {
                lengths[index - range.lowerBound] += anyMissing && missing.isMissing(index) ? 1 : (values[index] ? 9 : 10)
            }
        case .categorical(let values):
            for index in range.indices {
                lengths[index - range.lowerBound] += anyMissing && missing.isMissing(index) ? 1 : 5 + values[index].utf8.count
            }
        }
    }

    /// Encodes the rows in `range` into `block` (row `i` of the block is row `range.lowerBound + i`).
    func encode(rows range: Range<Int>, into block: inout RowBlock) {
        let count = range.count
        var lengths = [Int](repeating: prefixes.reduce(0) { $0 + $1.count }, count: count)
        for column in columns { addLengths(of: column, rows: range, to: &lengths) }
        block.reset(lengths: lengths)
        var cursors = Array(block.offsets.prefix(count))
        block.bytes.withUnsafeMutableBytes { out in
            cursors.withUnsafeMutableBufferPointer { cursor in
                for (column, prefix) in zip(columns, prefixes) {
                    prefix.withUnsafeBytes { name in
                        write(column, name: name, rows: range, into: out, cursors: cursor)
                    }
                }
            }
        }
    }

    private func write(
        _ column: Column, name: UnsafeRawBufferPointer, rows range: Range<Int>, into out: UnsafeMutableRawBufferPointer,
        cursors: UnsafeMutableBufferPointer<Int>
    ) {
        let missing = column.missing
        let anyMissing = !missing.isEmpty
        func start(_ index: Int) -> Int? {
            let at = cursors[index - range.lowerBound]
            UnsafeMutableRawBufferPointer(rebasing: out[at..<(at + name.count)]).copyMemory(from: name)
            if anyMissing && missing.isMissing(index) {
                out[at + name.count] = 0
                cursors[index - range.lowerBound] = at + name.count + 1
                return nil
            }
            return at + name.count
        }
        func integer(_ value: Int64, at: Int, _ index: Int) {
            out[at] = 1
            out.storeBytes(of: UInt64(bitPattern: value).littleEndian, toByteOffset: at + 1, as: UInt64.self)
            cursors[index - range.lowerBound] = at + 9
        }
        func text(_ utf8: UnsafeBufferPointer<UInt8>, at: Int, _ index: Int) {
            out[at] = 3
            out.storeBytes(of: UInt32(truncatingIfNeeded: utf8.count).littleEndian, toByteOffset: at + 1, as: UInt32.self)
            if let source = utf8.baseAddress, let target = out.baseAddress, utf8.count > 0 {
                (target + at + 5).copyMemory(from: source, byteCount: utf8.count)
            }
            cursors[index - range.lowerBound] = at + 5 + utf8.count
        }
        switch column.values {
        case .integer(let values):
            values.withUnsafeBufferPointer { v in
                for index in range { if let at = start(index) { integer(Int64(v[index]), at: at, index) } }
            }
        case .numeric(let values):
            values.withUnsafeBufferPointer { v in
                for index in range {
                    guard let at = start(index) else { continue }
                    let x = v[index]
                    // Integral and below 2⁶³ in magnitude (truncation instead of a libm call).
                    if abs(x) < 0x1p63, Double(Int64(x)) == x {
                        integer(Int64(x), at: at, index)
                    } else {
                        out[at] = 2
                        out.storeBytes(of: (x.isNaN ? Double.nan : x).bitPattern.littleEndian, toByteOffset: at + 1, as: UInt64.self)
                        cursors[index - range.lowerBound] = at + 9
                    }
                }
            }
        case .boolean(let values):
            for index in range {
                guard let at = start(index) else { continue }
                var word = values[index] ? "true" : "false"
                word.withUTF8 { text($0, at: at, index) }
            }
        case .categorical(let values):
            for index in range {
                guard let at = start(index) else { continue }
                var category = values[index]
                category.withUTF8 { text($0, at: at, index) }
            }
        }
    }
}

/// The encodings of a block of rows, one slot per row, and their digests.
private struct RowBlock {
    var bytes: [UInt8] = []
    /// Where each row's encoding starts; the last entry is where the block ends.
    private(set) var offsets: [Int] = [0]

    /// Room for rows of these encoded lengths.
    mutating func reset(lengths: [Int]) {
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
        for length in lengths { offsets.append(offsets[offsets.count - 1] + length) }
        let total = offsets[offsets.count - 1]
        if bytes.count < total { bytes = [UInt8](repeating: 0, count: total) }
    }

    /// Appends the occurrence suffix to the only row of the block: a `0xFF` byte, then `k`
    /// as a little-endian `u64`. Every column's encoding is self-delimiting and the columns
    /// are the same for all rows, so a suffixed encoding is never another row's plain or
    /// suffixed encoding.
    mutating func appendOccurrence(_ occurrence: UInt64) {
        let end = offsets[1]
        if bytes.count < end + 9 { bytes += [UInt8](repeating: 0, count: end + 9 - bytes.count) }
        bytes[end] = 0xFF
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: occurrence.littleEndian, toByteOffset: end + 1, as: UInt64.self) }
        offsets[1] = end + 9
    }

    /// The first 128 bits of the SHA-256 of row `index`'s encoding.
    func digest(ofRow index: Int) -> RowIdentity {
        bytes.withUnsafeBytes { raw in
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: raw[offsets[index]..<offsets[index + 1]]))
            return hasher.finalize().withUnsafeBytes { digest in
                RowIdentity(
                    high: digest.loadUnaligned(fromByteOffset: 0, as: UInt64.self).bigEndian,
                    low: digest.loadUnaligned(fromByteOffset: 8, as: UInt64.self).bigEndian)
            }
        }
    }
}
