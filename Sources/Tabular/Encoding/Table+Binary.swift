/// The compact binary encoding of a ``Table`` (format "MLTB", version 1).
///
/// All integers are little-endian. Layout:
///
/// | field | bytes |
/// |---|---|
/// | magic `MLTB` | 4 |
/// | version (1) | u16 |
/// | column count | u32 |
/// | row count | u64 |
/// | per column: name | u32 length + UTF-8 |
/// | per column: type (0 numeric, 1 integer, 2 categorical, 3 boolean) | u8 |
/// | per column: missing flag (0 none, 1 bitmap follows) | u8 |
/// | per column: missing bitmap, bit `r % 64` of word `r / 64` set when row r is missing | u64 × ⌈rows/64⌉ |
/// | numeric values (IEEE 754 bit patterns) | f64 × rows |
/// | integer values | i64 × rows |
/// | boolean values, bit `r % 8` of byte `r / 8` | ⌈rows/8⌉ |
/// | categorical: level count, levels (u32 length + UTF-8), then one level index per row | u32, …, u32 × rows |
///
/// Missing rows hold placeholder values. Decoding checks every length against the bytes
/// that remain, so a truncated or altered encoding is a typed error, never a crash.
extension Table {
    static let binaryMagic: [UInt8] = Array("MLTB".utf8)
    static let binaryVersion: UInt16 = 1

    /// The table in the compact binary encoding described above.
    ///
    /// - Complexity: O(rows × columns); numeric and integer columns are copied in bulk,
    ///   straight into the array (see ``TableEncoder``).
    public func binaryEncoded() -> [UInt8] {
        TableEncoder(self).encoded()
    }

    /// Decodes a table from ``binaryEncoded()``'s output.
    ///
    /// - Throws: ``TabularError/corruptEncoding(_:)`` for a wrong magic, an unknown
    ///   version, a truncated or inconsistent encoding, or trailing bytes.
    /// - Complexity: O(encoded size); numeric, integer and code arrays are copied once.
    public init(binaryEncoded bytes: [UInt8]) throws(TabularError) {
        self = try decodingBytes(bytes, Table.decodeWhole)
    }

    /// Decodes a table from its encoding kept in chunks (a stored dataset part), reading
    /// across chunk boundaries; each column is copied once into its own storage.
    ///
    /// ```swift
    /// let testing = try Table(binaryEncoded: snapshot.testing)
    /// ```
    ///
    /// - Throws: ``TabularError/corruptEncoding(_:)`` for a wrong magic, an unknown
    ///   version, a truncated or inconsistent encoding, or trailing bytes.
    /// - Complexity: O(encoded size).
    public init(binaryEncoded bytes: ChunkedBytes) throws(TabularError) {
        self = try bytes.withSegments { (segments) throws(TabularError) -> Table in
            var reader = ByteReader(segments: segments)
            return try Table.decodeWhole(&reader)
        }
    }

    /// Decodes a table from borrowed bytes (a `Data`'s or a mapped file's), copying each
    /// column once into its own storage.
    ///
    /// - Throws: as ``init(binaryEncoded:)``.
    package init(borrowedEncoding bytes: UnsafeRawBufferPointer) throws(TabularError) {
        self = try decodingBytes(bytes, Table.decodeWhole)
    }

    private static func decodeWhole(_ reader: inout ByteReader) throws(TabularError) -> Table {
        let table = try Table.decode(from: &reader)
        guard reader.isAtEnd else { throw .corruptEncoding("\(reader.bytesLeft) unexpected bytes after the table") }
        return table
    }

    static func decode(from reader: inout ByteReader) throws(TabularError) -> Table {
        try TableEncodingView(reading: &reader).table()
    }

    static func columnType(_ code: UInt8) -> ColumnType? {
        switch code {
        case 0: return .numeric
        case 1: return .integer
        case 2: return .categorical
        case 3: return .boolean
        default: return nil
        }
    }
}

extension MissingMask {
    /// A mask from its words; bits past `count` must be clear.
    init(words: [UInt64], count: Int) throws(TabularError) {
        guard words.count == (count + 63) / 64 else { throw .corruptEncoding("missing bitmap has the wrong size") }
        if count % 64 != 0, let last = words.last, last >> UInt64(count % 64) != 0 {
            throw .corruptEncoding("missing bitmap has bits set past the last row")
        }
        self.init(count: 0)
        self.words = words
        self.count = count
        self.missingCount = words.reduce(0) { $0 + $1.nonzeroBitCount }
    }
}
