public import Foundation

extension CSV {
    /// The table as CSV text: a header row, then one record per row, LF line ends.
    ///
    /// Numbers are written in their shortest round-tripping form (infinities as `inf` and
    /// `-inf`), booleans as `true`/`false`, missing values and NaN as empty fields. A field
    /// is quoted when it holds the delimiter, a quote, a line break, or leading or trailing
    /// spaces, or when it is an empty (non-missing) string or equal to one of the
    /// missing-value tokens (so the text `NA` stays text). Reading the text back with the
    /// same options and schema gives back an equal table, except that NaN reads back as
    /// missing and infinities need ``CSVOptions/allowsInfinity``; with inference, so does
    /// any table that inference produced.
    ///
    /// - Parameters:
    ///   - table: The table to write.
    ///   - options: The delimiter and the missing-value tokens to quote (`schema` and
    ///     `allowsInfinity` are not used for writing).
    ///   - header: Whether to start with the header row (false: records only, to append
    ///     to a file begun with one).
    /// - Throws: ``TabularError/csv(_:)`` for an invalid delimiter.
    /// - Complexity: O(rows × columns).
    public static func encode(_ table: Table, options: CSVOptions = CSVOptions(), header: Bool = true) throws(TabularError) -> [UInt8] {
        let delimiter = try options.delimiterByte(file: nil)
        let tokens = options.missingValues
        var out: [UInt8] = []
        out.reserveCapacity(table.rowCount * table.columns.count * 8 + 64)
        if header {
            for (index, name) in table.columnNames.enumerated() {
                if index > 0 { out.append(delimiter) }
                appendField(name, emptyIsText: true, delimiter: delimiter, to: &out)
            }
            out.append(10)
        }
        for row in 0..<table.rowCount {
            for (index, column) in table.columns.enumerated() {
                if index > 0 { out.append(delimiter) }
                if column.isMissing(row) { continue }
                switch column.values {
                case .numeric(let v): if !v[row].isNaN { out.append(contentsOf: v[row].description.utf8) }
                case .integer(let v): out.append(contentsOf: v[row].description.utf8)
                case .boolean(let v): out.append(contentsOf: (v[row] ? "true" : "false").utf8)
                case .categorical(let v):
                    appendField(v[row], emptyIsText: true, delimiter: delimiter, quoting: tokens.contains(v[row]), to: &out)
                }
            }
            out.append(10)
        }
        return out
    }

    /// Writes the table as CSV to a file, replacing it (see ``encode(_:options:)``).
    ///
    /// The file is written to a temporary name and renamed into place, so a failed write
    /// never leaves a half-written file.
    ///
    /// - Throws: ``TabularError/csv(_:)`` when the file cannot be written.
    public static func write(_ table: Table, to url: URL, options: CSVOptions = CSVOptions()) throws(TabularError) {
        let bytes = try encode(table, options: options)
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw .csv(CSVError(.unreadable("cannot write: \(error)"), file: url.path, line: 1, column: 1))
        }
    }

    private static func appendField(
        _ text: String, emptyIsText: Bool, delimiter: UInt8, quoting: Bool = false, to out: inout [UInt8]
    ) {
        let utf8 = text.utf8
        let needsQuotes = quoting || (utf8.isEmpty && emptyIsText) || utf8.first == 32 || utf8.last == 32
            || utf8.contains { $0 == delimiter || $0 == 34 || $0 == 10 || $0 == 13 }
        guard needsQuotes else {
            out.append(contentsOf: utf8)
            return
        }
        out.append(34)
        for byte in utf8 {
            if byte == 34 { out.append(34) }
            out.append(byte)
        }
        out.append(34)
    }
}
