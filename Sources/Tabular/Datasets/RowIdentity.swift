import Crypto

/// The identity of a dataset row: the first 128 bits of the SHA-256 of a canonical
/// encoding of the row's key values (or, with no key, of all the dataset's columns).
///
/// The encoding sorts columns by name and includes their names, so column order does not
/// matter. Values are encoded by meaning, not storage: an integral number is the same
/// whether the column was read as integer or numeric (`5` and `5.0`), `-0.0` equals `0.0`,
/// every NaN is the same, and a boolean equals the text `true`/`false`. So a row keeps its
/// identity when a later input widens a column's type.
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
    /// - Complexity: O(rows × columns) bytes hashed.
    static func identities(of table: Table, columns names: [String]) throws(TabularError) -> [RowIdentity] {
        let columns = try names.sorted(by: codePointOrder).map { (name) throws(TabularError) -> Column in try table.column(named: name) }
        var buffer: [UInt8] = []
        var result: [RowIdentity] = []
        result.reserveCapacity(table.rowCount)
        for row in 0..<table.rowCount {
            buffer.removeAll(keepingCapacity: true)
            for column in columns {
                appendLength(column.name.utf8.count, to: &buffer)
                buffer.append(contentsOf: column.name.utf8)
                appendCanonical(column[row], to: &buffer)
            }
            let digest = SHA256.hash(data: buffer)
            result.append(digest.withUnsafeBytes { raw in
                RowIdentity(
                    high: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self).bigEndian,
                    low: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self).bigEndian
                )
            })
        }
        return result
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
