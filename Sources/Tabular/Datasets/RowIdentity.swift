import Crypto

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
    ///   and a second digest per repeated row when numbering repeats.
    static func identities(
        of table: Table, columns names: [String], numberingRepeats: Bool
    ) throws(TabularError) -> (identities: [RowIdentity], repeated: Int) {
        let columns = try names.sorted(by: codePointOrder).map { (name) throws(TabularError) -> Column in try table.column(named: name) }
        var buffer: [UInt8] = []
        var result: [RowIdentity] = []
        result.reserveCapacity(table.rowCount)
        var occurrences: [RowIdentity: UInt64] = [:]
        var repeated = 0
        for row in 0..<table.rowCount {
            buffer.removeAll(keepingCapacity: true)
            for column in columns {
                appendLength(column.name.utf8.count, to: &buffer)
                buffer.append(contentsOf: column.name.utf8)
                appendCanonical(column[row], to: &buffer)
            }
            let content = digest(of: buffer)
            guard numberingRepeats else {
                result.append(content)
                continue
            }
            let occurrence = occurrences[content, default: 0]
            occurrences[content] = occurrence + 1
            if occurrence == 0 {
                result.append(content)
            } else {
                repeated += 1
                appendOccurrence(occurrence, to: &buffer)
                result.append(digest(of: buffer))
            }
        }
        return (result, repeated)
    }

    /// The first 128 bits of the SHA-256 of `bytes`.
    private static func digest(of bytes: [UInt8]) -> RowIdentity {
        SHA256.hash(data: bytes).withUnsafeBytes { raw in
            RowIdentity(
                high: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self).bigEndian,
                low: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self).bigEndian
            )
        }
    }

    /// The occurrence suffix: a `0xFF` byte, then `k` as a little-endian `u64`. Every
    /// column's encoding is self-delimiting and the columns are the same for all rows, so
    /// a suffixed encoding is never another row's plain or suffixed encoding.
    private static func appendOccurrence(_ occurrence: UInt64, to buffer: inout [UInt8]) {
        buffer.append(0xFF)
        withUnsafeBytes(of: occurrence.littleEndian) { buffer.append(contentsOf: $0) }
    }

    private static func appendLength(_ length: Int, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: length).littleEndian) { buffer.append(contentsOf: $0) }
    }

    private static func appendInteger(_ value: Int64, to buffer: inout [UInt8]) {
        buffer.append(1)
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    private static func appendText(_ text: String, to buffer: inout [UInt8]) {
        buffer.append(3)
        appendLength(text.utf8.count, to: &buffer)
        buffer.append(contentsOf: text.utf8)
    }

    private static func appendCanonical(_ value: Value, to buffer: inout [UInt8]) {
        switch value {
        case .missing: buffer.append(0)
        case .integer(let i): appendInteger(Int64(i), to: &buffer)
        case .numeric(let x):
            if x.isNaN {
                buffer.append(2)
                withUnsafeBytes(of: Double.nan.bitPattern.littleEndian) { buffer.append(contentsOf: $0) }
            } else if x == x.rounded(), abs(x) < 0x1p63 {
                appendInteger(Int64(x), to: &buffer)
            } else {
                buffer.append(2)
                withUnsafeBytes(of: x.bitPattern.littleEndian) { buffer.append(contentsOf: $0) }
            }
        case .boolean(let b): appendText(b ? "true" : "false", to: &buffer)
        case .categorical(let s): appendText(s, to: &buffer)
        }
    }
}
