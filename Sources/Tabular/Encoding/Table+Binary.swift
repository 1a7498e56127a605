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
    /// - Complexity: O(rows × columns); numeric and integer columns are copied in bulk.
    public func binaryEncoded() -> [UInt8] {
        var writer = ByteWriter(capacity: rowCount * columns.count * 8 + 256)
        encode(into: &writer)
        return writer.bytes
    }

    func encode(into writer: inout ByteWriter) {
        writer.writeRaw(Self.binaryMagic)
        writer.write(Self.binaryVersion)
        writer.write(UInt32(columns.count))
        writer.write(UInt64(rowCount))
        for column in columns {
            writer.write(column.name)
            writer.write(UInt8(typeCode(column.type)))
            if column.missing.isEmpty {
                writer.write(UInt8(0))
            } else {
                writer.write(UInt8(1))
                writer.writeArray(column.missing.words)
            }
            switch column.values {
            case .numeric(let v): writer.writeArray(v)
            case .integer(let v):
                #if arch(x86_64) || arch(arm64)
                writer.writeArray(v)  // Int is Int64 here
                #else
                writer.writeArray(v.map(Int64.init))
                #endif
            case .boolean(let v):
                var packed = [UInt8](repeating: 0, count: (v.count + 7) / 8)
                for (row, flag) in v.enumerated() where flag { packed[row >> 3] |= 1 << UInt8(row & 7) }
                writer.writeRaw(packed)
            case .categorical(let v):
                var levels: [String: UInt32] = [:]
                var ordered: [String] = []
                let codes = v.map { value -> UInt32 in
                    if let code = levels[value] { return code }
                    let code = UInt32(ordered.count)
                    levels[value] = code
                    ordered.append(value)
                    return code
                }
                writer.write(UInt32(ordered.count))
                for level in ordered { writer.write(level) }
                writer.writeArray(codes)
            }
        }
    }

    /// Decodes a table from ``binaryEncoded()``'s output.
    ///
    /// - Throws: ``TabularError/corruptEncoding(_:)`` for a wrong magic, an unknown
    ///   version, a truncated or inconsistent encoding, or trailing bytes.
    /// - Complexity: O(encoded size); numeric, integer and code arrays are copied once.
    public init(binaryEncoded bytes: [UInt8]) throws(TabularError) {
        self = try decodingBytes(bytes, Table.decodeWhole)
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
        let magic = try reader.readRaw(4, "magic")
        guard magic == binaryMagic else { throw .corruptEncoding("not a table encoding (magic \(magic))") }
        let version = try reader.read(UInt16.self, "version")
        guard version == binaryVersion else {
            throw .corruptEncoding("unknown table encoding version \(version) (this library reads version \(binaryVersion))")
        }
        let columnCount = Int(try reader.read(UInt32.self, "column count"))
        let rawRows = try reader.read(UInt64.self, "row count")
        // Every column stores at least one bit per row: a larger count cannot be genuine.
        guard columnCount == 0 || rawRows <= UInt64(reader.bytesLeft + 1) * 8 else {
            throw .corruptEncoding("row count \(rawRows) exceeds the data left")
        }
        let rows = columnCount == 0 ? 0 : Int(rawRows)
        var columns: [Column] = []
        for index in 0..<columnCount {
            let name = try reader.readString("name of column \(index)")
            let code = try reader.read(UInt8.self, "type of column '\(name)'")
            guard let type = columnType(code) else { throw .corruptEncoding("column '\(name)' has unknown type code \(code)") }
            let missingFlag = try reader.read(UInt8.self, "missing flag of column '\(name)'")
            var mask = MissingMask(count: rows)
            switch missingFlag {
            case 0: break
            case 1:
                let words = try reader.readArray(UInt64.self, count: (rows + 63) / 64, "missing bitmap of '\(name)'")
                mask = try MissingMask(words: words, count: rows)
            default: throw .corruptEncoding("column '\(name)' has invalid missing flag \(missingFlag)")
            }
            let values: ColumnValues
            switch type {
            case .numeric: values = .numeric(try reader.readDoubles(count: rows, "values of '\(name)'"))
            case .integer:
                #if arch(x86_64) || arch(arm64)
                values = .integer(try reader.readArray(Int.self, count: rows, "values of '\(name)'"))  // Int is Int64 here
                #else
                values = .integer(try reader.readArray(Int64.self, count: rows, "values of '\(name)'").map { Int($0) })
                #endif
            case .boolean:
                let packed = try reader.readBorrowed((rows + 7) / 8, "values of '\(name)'")
                values = .boolean((0..<rows).map { packed[$0 >> 3] & (1 << UInt8($0 & 7)) != 0 })
            case .categorical:
                let levelCount = Int(try reader.read(UInt32.self, "level count of '\(name)'"))
                var levels: [String] = []
                for level in 0..<levelCount { levels.append(try reader.readString("level \(level) of '\(name)'")) }
                let codes = try reader.readArray(UInt32.self, count: rows, "codes of '\(name)'")
                if let bad = codes.first(where: { Int($0) >= levelCount }) {
                    throw .corruptEncoding("column '\(name)' refers to level \(bad) of \(levelCount)")
                }
                values = .categorical(codes.map { levels[Int($0)] })
            }
            columns.append(Column(unchecked: name, values: values, missing: mask))
        }
        do {
            return try Table(columns)
        } catch {
            throw .corruptEncoding("inconsistent table: \(error)")
        }
    }

    private func typeCode(_ type: ColumnType) -> Int {
        switch type {
        case .numeric: return 0
        case .integer: return 1
        case .categorical: return 2
        case .boolean: return 3
        }
    }

    private static func columnType(_ code: UInt8) -> ColumnType? {
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
