/// A table encoding (format "MLTB", see ``Table/binaryEncoded()``) read in place: its
/// header and every column located and bounds-checked, no value copied until a column is
/// asked for. ``Table``'s decoding is built on it, so the layout has one reader.
///
/// A training job encodes its design matrix straight from the numbers of a stored part
/// (``FeatureEncoder/transform(_:rows:)`` over ``storedDoubles(named:)``) instead of
/// copying every column into a ``Table`` first.
///
/// Like ``ByteReader`` it borrows its bytes: use it inside the owner's `withUnsafeBytes`
/// (or ``ChunkedBytes/withSegments(_:)``) and never keep it past that scope. Over chunked
/// bytes, a column whose values cross chunks is gathered into storage of its own (one
/// column's size, never the table's).
package struct TableEncodingView: FeatureColumns {
    /// Where one column's parts are in the bytes.
    struct ColumnLayout {
        var name: String
        var type: ColumnType
        var missing: MissingMask
        /// Numeric and integer: 8 bytes per row; boolean: ⌈rows/8⌉ bytes of bits;
        /// categorical: a u32 level index per row.
        var values: UnsafeRawBufferPointer
        /// The levels of a categorical column.
        var levels: [String]
        /// The storage ``values`` were gathered into, when they crossed chunks.
        var owner: ByteChunk?
    }

    /// The number of rows.
    package let rowCount: Int
    /// The columns, in order.
    let columns: [ColumnLayout]
    private let positions: [String: Int]

    /// Reads a whole encoding (nothing may follow the table).
    ///
    /// - Throws: ``TabularError/corruptEncoding(_:)`` for a truncated or altered encoding.
    package init(bytes: UnsafeRawBufferPointer) throws(TabularError) {
        try self.init(segments: [bytes])
    }

    /// Reads a whole encoding kept in segments, one after another (the chunks of
    /// ``ChunkedBytes``, see ``ChunkedBytes/withSegments(_:)``).
    ///
    /// - Throws: ``TabularError/corruptEncoding(_:)`` for a truncated or altered encoding.
    package init(segments: [UnsafeRawBufferPointer]) throws(TabularError) {
        var reader = ByteReader(segments: segments)
        try self.init(reading: &reader)
        guard reader.isAtEnd else { throw .corruptEncoding("\(reader.bytesLeft) unexpected bytes after the table") }
    }

    /// Reads a table's layout at the reader's position and moves past it.
    ///
    /// - Throws: ``TabularError/corruptEncoding(_:)`` for a truncated or altered encoding.
    init(reading reader: inout ByteReader) throws(TabularError) {
        let magic = try reader.readRaw(4, "magic")
        guard magic == Table.binaryMagic else { throw .corruptEncoding("not a table encoding (magic \(magic))") }
        let version = try reader.read(UInt16.self, "version")
        guard version == Table.binaryVersion else {
            throw .corruptEncoding("unknown table encoding version \(version) (this library reads version \(Table.binaryVersion))")
        }
        let columnCount = Int(try reader.read(UInt32.self, "column count"))
        let rawRows = try reader.read(UInt64.self, "row count")
        // Every column stores at least one bit per row: a larger count cannot be genuine.
        guard columnCount == 0 || rawRows <= UInt64(reader.bytesLeft + 1) * 8 else {
            throw .corruptEncoding("row count \(rawRows) exceeds the data left")
        }
        let rows = columnCount == 0 ? 0 : Int(rawRows)
        var columns: [ColumnLayout] = []
        var positions: [String: Int] = [:]
        for index in 0..<columnCount {
            let name = try reader.readString("name of column \(index)")
            let code = try reader.read(UInt8.self, "type of column '\(name)'")
            guard let type = Table.columnType(code) else { throw .corruptEncoding("column '\(name)' has unknown type code \(code)") }
            let missingFlag = try reader.read(UInt8.self, "missing flag of column '\(name)'")
            var mask = MissingMask(count: rows)
            switch missingFlag {
            case 0: break
            case 1:
                let words = try reader.readArray(UInt64.self, count: (rows + 63) / 64, "missing bitmap of '\(name)'")
                mask = try MissingMask(words: words, count: rows)
            default: throw .corruptEncoding("column '\(name)' has invalid missing flag \(missingFlag)")
            }
            var levels: [String] = []
            let values: ReadBytes
            switch type {
            case .numeric, .integer:
                let (bytes, overflow) = rows.multipliedReportingOverflow(by: 8)
                guard !overflow else { throw .corruptEncoding("values of '\(name)': \(rows) values exceed the data left") }
                values = try reader.readBytes(bytes, "values of '\(name)'")
            case .boolean:
                values = try reader.readBytes((rows + 7) / 8, "values of '\(name)'")
            case .categorical:
                let levelCount = Int(try reader.read(UInt32.self, "level count of '\(name)'"))
                for level in 0..<levelCount { levels.append(try reader.readString("level \(level) of '\(name)'")) }
                let (bytes, overflow) = rows.multipliedReportingOverflow(by: 4)
                guard !overflow else { throw .corruptEncoding("codes of '\(name)': \(rows) values exceed the data left") }
                values = try reader.readBytes(bytes, "codes of '\(name)'")
            }
            guard positions.updateValue(columns.count, forKey: name) == nil else {
                throw .corruptEncoding("inconsistent table: \(TabularError.duplicateColumn(name))")
            }
            columns.append(ColumnLayout(name: name, type: type, missing: mask, values: values.bytes, levels: levels, owner: values.owner))
        }
        self.rowCount = rows
        self.columns = columns
        self.positions = positions
    }

    /// The columns' names and types.
    package var schema: Schema { Schema(columns.map { Schema.Field(name: $0.name, type: $0.type) }) }

    /// The whole table, every column decoded.
    ///
    /// - Throws: ``TabularError/corruptEncoding(_:)`` for a categorical level index out of range.
    /// - Complexity: O(rows × columns); numeric and integer columns are copied in bulk.
    package func table() throws(TabularError) -> Table {
        var decoded: [Column] = []
        decoded.reserveCapacity(columns.count)
        for layout in columns { decoded.append(try Self.decode(layout, rows: nil, rowCount: rowCount)) }
        do {
            return try Table(decoded)
        } catch {
            throw .corruptEncoding("inconsistent table: \(error)")
        }
    }

    /// The rows at `indices`, every column decoded for those rows only.
    ///
    /// - Throws: ``TabularError/invalidArgument(_:)`` for an index out of range,
    ///   ``TabularError/corruptEncoding(_:)`` for a categorical level index out of range.
    /// - Complexity: O(indices × columns).
    package func rows(at indices: [Int]) throws(TabularError) -> Table {
        if let bad = indices.firstIndex(where: { $0 < 0 || $0 >= rowCount }) {
            throw .invalidArgument("row index \(indices[bad]) at position \(bad) is outside 0..<\(rowCount)")
        }
        var decoded: [Column] = []
        for layout in columns { decoded.append(try Self.decode(layout, rows: indices, rowCount: rowCount)) }
        do {
            return try Table(decoded)
        } catch {
            throw .corruptEncoding("inconsistent table: \(error)")
        }
    }

    // MARK: FeatureColumns

    /// The type of column `name`.
    ///
    /// - Throws: ``TabularError/unknownColumn(_:available:)``.
    package func columnType(named name: String) throws(TabularError) -> ColumnType {
        try layout(named: name).type
    }

    /// Column `name`, decoded.
    ///
    /// - Throws: ``TabularError/unknownColumn(_:available:)``, or
    ///   ``TabularError/corruptEncoding(_:)`` for a level index out of range.
    package func column(named name: String) throws(TabularError) -> Column {
        try Self.decode(try layout(named: name), rows: nil, rowCount: rowCount)
    }

    /// The stored little-endian doubles of numeric column `name` when it has no missing
    /// values (nil otherwise, or on a big-endian machine).
    package func storedDoubles(named name: String) -> UnsafeRawBufferPointer? {
        #if _endian(little)
        guard let position = positions[name], columns[position].type == .numeric, columns[position].missing.isEmpty else { return nil }
        return columns[position].values
        #else
        return nil
        #endif
    }

    private func layout(named name: String) throws(TabularError) -> ColumnLayout {
        guard let position = positions[name] else { throw .unknownColumn(name, available: columns.map(\.name)) }
        return columns[position]
    }

    /// One column decoded: every row (`rows` nil, in bulk) or the rows at `rows`.
    private static func decode(_ layout: ColumnLayout, rows: [Int]?, rowCount: Int) throws(TabularError) -> Column {
        let raw = layout.values
        let count = rows?.count ?? rowCount
        let mask = rows.map { layout.missing.selecting($0) } ?? layout.missing
        func word64(_ row: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: row * 8, as: UInt64.self)) }
        let values: ColumnValues
        switch layout.type {
        case .numeric:
            #if _endian(little)
            if rows == nil {
                values = .numeric([Double](unsafeUninitializedCapacity: count) { target, initialized in
                    if count > 0, let base = raw.baseAddress, let destination = target.baseAddress {
                        UnsafeMutableRawPointer(destination).copyMemory(from: base, byteCount: count * 8)
                    }
                    initialized = count
                })
                break
            }
            #endif
            values = .numeric((0..<count).map { Double(bitPattern: word64(rows?[$0] ?? $0)) })
        case .integer:
            values = .integer((0..<count).map { Int(truncatingIfNeeded: Int64(bitPattern: word64(rows?[$0] ?? $0))) })
        case .boolean:
            values = .boolean((0..<count).map { position in
                let row = rows?[position] ?? position
                return raw[row >> 3] & (1 << UInt8(row & 7)) != 0
            })
        case .categorical:
            var strings: [String] = []
            strings.reserveCapacity(count)
            for position in 0..<count {
                let code = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: (rows?[position] ?? position) * 4, as: UInt32.self)))
                guard code < layout.levels.count else {
                    throw .corruptEncoding("column '\(layout.name)' refers to level \(code) of \(layout.levels.count)")
                }
                strings.append(layout.levels[code])
            }
            values = .categorical(strings)
        }
        return Column(unchecked: layout.name, values: values, missing: mask)
    }
}
