public import struct Foundation.URL

/// Reads a CSV file a chunk of records at a time (memory-mapped; pages already read are
/// released), for inputs larger than memory.
///
/// ```swift
/// let reader = try CSVChunkReader(contentsOf: URL(fileURLWithPath: "big.csv"))
/// while let chunk = try reader.next(maxRows: 10_000) {
///     let (price, problems) = chunk.column(2, as: .numeric)
///     // predict, write chunk.text(row:column:) through, report problems by line…
/// }
/// ```
///
/// Records are split as ``CSV/read(contentsOf:options:)`` splits them: RFC 4180 quoting
/// (delimiters and line breaks inside quotes, doubled quotes), CRLF/LF/CR line ends, a
/// UTF-8 byte-order mark, blank lines skipped, ``CSVOptions/delimiter``. The header obeys
/// the same rules, and a column asked of a chunk with a type is parsed as `CSV.read` parses
/// a column whose type ``CSVOptions/schema`` fixes. Types are not inferred (a chunk is too
/// small a sample): ask for the types the model was fitted on.
///
/// Bad data does not stop the reading: a record with another number of fields than the
/// header (``CSVChunk/fieldCountProblems``) or a field that does not parse as the asked
/// type (the `problems` of ``CSVChunk/column(_:as:named:)``) is reported with its line and
/// column and read as missing. Only a structural error (an unterminated quote, a character
/// after a closing quote) throws, and then every later ``next(maxRows:)`` throws it too.
///
/// Memory: the file is memory-mapped; a chunk holds the byte spans of its fields, not
/// copies, and the pages before the chunk being returned are dropped from the resident set
/// every 8 MB, so the memory used follows the chunk size, not the file size. A chunk keeps
/// the mapping alive; reading an older chunk again faults its pages back in from the file.
public final class CSVChunkReader {
    /// The column names, as ``CSV/read(contentsOf:options:)`` names them (a header field
    /// empty or repeated is an error at ``init(contentsOf:options:)``).
    public let header: [String]
    /// The size of the file in bytes.
    public let byteCount: Int
    /// The bytes consumed so far: the header, then every record returned (and the blank
    /// lines after it). Reaches ``byteCount`` with the last chunk.
    public var bytesRead: Int { scanner.position }

    private let mapped: CSVMappedFile
    private var scanner: CSVScanner
    private let missingTokens: MissingTokens
    private let allowsInfinity: Bool
    /// Pages are next released once a chunk starts at or after this offset.
    private var nextRelease: Int
    /// The fields of the record being read (kept for its capacity).
    private var record: [FieldSpan] = []
    /// The structural error met, thrown again by every later call.
    private var failure: TabularError?

    /// Opens `url` and reads its header.
    ///
    /// - Parameters:
    ///   - url: A file URL.
    ///   - options: The delimiter, the missing-value tokens and whether infinities are
    ///     values. Names in ``CSVOptions/schema`` must be columns of the header, as for
    ///     `CSV.read`; the types themselves are given to ``CSVChunk/column(_:as:named:)``.
    /// - Throws: ``TabularError/csv(_:)`` as ``CSV/read(contentsOf:options:)`` would for
    ///   the file's header: ``CSVError/Kind/emptyFile`` for a file without a header row,
    ///   ``CSVError/Kind/unreadable(_:)``, an empty or duplicate header name, an invalid
    ///   delimiter, an unknown schema column.
    /// - Complexity: O(header length).
    public init(contentsOf url: URL, options: CSVOptions = CSVOptions()) throws(TabularError) {
        let mapped = try CSVMappedFile(path: url.path)
        let opening = try CSVTableReader.start(bytes: mapped.bytes, file: mapped.path, options: options)
        self.mapped = mapped
        self.header = opening.header
        self.byteCount = mapped.bytes.count
        self.scanner = opening.scanner
        self.missingTokens = MissingTokens(options.missingValues)
        self.allowsInfinity = options.allowsInfinity
        self.nextRelease = opening.scanner.position + CSVTableReader.releaseInterval
    }

    /// The next up to `maxRows` records, or `nil` at the end of the file.
    ///
    /// - Parameters:
    ///   - maxRows: The most records the chunk holds; at least 1. Fewer only at the end of
    ///     the file.
    /// - Throws: ``TabularError/invalidArgument(_:)`` when `maxRows` is less than 1;
    ///   ``TabularError/csv(_:)`` with the line and column of an unterminated quote or of a
    ///   character after a closing quote (the records before it in this chunk are lost,
    ///   and every later call throws the same error).
    /// - Complexity: O(bytes of the records read); the chunk takes O(`maxRows` × columns)
    ///   memory, 32 bytes a field.
    public func next(maxRows: Int) throws(TabularError) -> CSVChunk? {
        guard maxRows >= 1 else { throw .invalidArgument("maxRows must be at least 1, got \(maxRows)") }
        if let failure { throw failure }
        guard scanner.skipBlankLines() else { return nil }
        let chunkStart = scanner.position
        if chunkStart >= nextRelease {
            // Earlier chunks are behind the caller: only this one's pages must stay.
            mapped.release(upTo: chunkStart)
            nextRelease = chunkStart + CSVTableReader.releaseInterval
        }
        let columnCount = header.count
        var spans: [FieldSpan] = []
        var lines: [Int] = []
        var fieldCountProblems: [Int: CSVError] = [:]
        do throws(TabularError) {
            repeat {
                let line = scanner.line
                guard try scanner.nextRecord(into: &record) else { break }
                let found = record.count
                if found == columnCount {
                    spans.append(contentsOf: record)
                } else {
                    fieldCountProblems[lines.count] = CSVError(
                        .raggedRow(expected: columnCount, found: found), file: mapped.path, line: line,
                        column: min(found, columnCount) + 1)
                    // One span per column all the same: the fields there are, then empty ones.
                    spans.append(contentsOf: record.prefix(columnCount))
                    if found < columnCount {
                        let empty = FieldSpan(start: scanner.position, end: scanner.position, line: line, quoted: false, escaped: false)
                        spans.append(contentsOf: repeatElement(empty, count: columnCount - found))
                    }
                }
                lines.append(line)
            } while lines.count < maxRows && scanner.skipBlankLines()
        } catch {
            failure = error
            throw error
        }
        _ = scanner.skipBlankLines()  // so that bytesRead reaches byteCount with the last chunk
        return CSVChunk(
            rowCount: lines.count, lines: lines, fieldCountProblems: fieldCountProblems, header: header, spans: spans,
            source: mapped, missingTokens: missingTokens, allowsInfinity: allowsInfinity)
    }
}

/// Records of one chunk: typed columns on demand, raw text for pass-through, line numbers.
///
/// A chunk refers to the memory-mapped file (kept mapped while the chunk lives) rather
/// than copying its fields; see ``CSVChunkReader``.
public struct CSVChunk {
    /// The number of records.
    public let rowCount: Int
    /// The 1-based line each record starts on (line breaks inside quoted fields and blank
    /// lines counted, as in ``CSVError/line``).
    public let lines: [Int]
    /// The records with another number of fields than the header, by row index within the
    /// chunk: a ``CSVError/Kind/raggedRow(expected:found:)`` error with the file, line and
    /// column, the same error ``CSV/read(contentsOf:options:)`` would throw. Such rows are
    /// missing in every typed column.
    public let fieldCountProblems: [Int: CSVError]
    /// The column names of the file.
    let header: [String]
    /// `header.count` spans a row, row after row.
    let spans: [FieldSpan]
    /// The mapping the spans point into.
    let source: CSVMappedFile
    let missingTokens: MissingTokens
    let allowsInfinity: Bool

    /// Column `index` parsed as `type`, with the rows whose field could not be.
    ///
    /// The rules are those of ``CSV/read(contentsOf:options:)`` for a column whose type the
    /// schema fixes: missing-value tokens and empty unquoted fields are missing (a quoted
    /// one is text in a categorical column), numbers are parsed by the same code, NaN is
    /// never read, infinities only if ``CSVOptions/allowsInfinity`` is set. A field that
    /// cannot be parsed as `type` does not throw: its row holds a missing value and is
    /// reported in `problems`. Rows in ``fieldCountProblems`` are missing, not reported
    /// again.
    ///
    /// - Parameters:
    ///   - index: The 0-based column, in `0..<header.count`.
    ///   - type: The type to parse the fields as.
    ///   - name: The column's name; the header's name by default. Errors name it too.
    ///   - rows: The rows to read (all by default): parsing a column of a few thousand rows
    ///     at a time keeps those rows' bytes in the processor's cache for the next column.
    /// - Returns: The column, one row per row of `rows`, and `problems`: row index within the
    ///   chunk → a ``CSVError`` naming the file, line and column
    ///   (``CSVError/Kind/invalidValue(value:columnName:expected:)``,
    ///   ``CSVError/Kind/infiniteValue(value:columnName:)``,
    ///   ``CSVError/Kind/notANumber(value:columnName:)`` or ``CSVError/Kind/invalidUTF8``).
    /// - Precondition: `index` is a column of the header.
    /// - Complexity: O(bytes of the column's fields in the chunk).
    public func column(
        _ index: Int, as type: ColumnType, named name: String? = nil, rows: Range<Int>? = nil
    ) -> (column: Column, problems: [Int: CSVError]) {
        precondition(index >= 0 && index < header.count, "CSVChunk column \(index) is outside 0..<\(header.count)")
        let rows = rows ?? 0..<rowCount
        precondition(rows.lowerBound >= 0 && rows.upperBound <= rowCount, "CSVChunk rows \(rows) are outside 0..<\(rowCount)")
        let columnName = name ?? header[index]
        var builder = ColumnBuilder(
            name: columnName, forcedType: type, file: source.path, column: index + 1, missingTokens: missingTokens,
            allowsInfinity: allowsInfinity)
        builder.reserveCapacity(rows.count)
        var problems: [Int: CSVError] = [:]
        let bytes = source.bytes
        let columnCount = header.count
        let hasFieldCountProblems = !fieldCountProblems.isEmpty
        for row in rows {
            if hasFieldCountProblems && fieldCountProblems[row] != nil {
                builder.appendMissing()
                continue
            }
            let field = spans[row * columnCount + index]
            do throws(TabularError) {
                try builder.add(field, bytes: bytes)
            } catch {
                // A builder with a forced type is left unchanged by a refused field.
                if case .csv(let problem) = error {
                    problems[row] = problem
                } else {
                    problems[row] = CSVError(
                        .invalidValue(value: text(row: row, column: index), columnName: columnName, expected: type),
                        file: source.path, line: field.line, column: index + 1)
                }
                builder.appendMissing()
            }
        }
        return (builder.build(), problems)
    }

    /// The text of one field, unescaped (doubled quotes undone), exactly as in the file
    /// otherwise: no trimming, a missing-value token is its text, the surrounding quotes of
    /// a quoted field are not part of it.
    ///
    /// Bytes that are not UTF-8 read as U+FFFD. A field beyond the end of a short record
    /// (see ``fieldCountProblems``) is empty; fields beyond the header's width are dropped.
    ///
    /// - Parameters:
    ///   - row: The 0-based row within the chunk, in `0..<rowCount`.
    ///   - column: The 0-based column, in `0..<header.count`.
    /// - Precondition: `row` and `column` are in range.
    /// - Complexity: O(field length).
    public func text(row: Int, column: Int) -> String {
        precondition(row >= 0 && row < rowCount, "CSVChunk row \(row) is outside 0..<\(rowCount)")
        precondition(column >= 0 && column < header.count, "CSVChunk column \(column) is outside 0..<\(header.count)")
        let field = spans[row * header.count + column]
        if let text = try? CSVScanner.text(of: field, in: source.bytes, file: source.path, column: column + 1) {
            return text
        }
        // Not UTF-8: the same text with the invalid bytes replaced.
        let repaired = String(decoding: UnsafeBufferPointer(rebasing: source.bytes[field.start..<field.end]), as: UTF8.self)
        return field.escaped ? repaired.replacingOccurrences(of: "\"\"", with: "\"") : repaired
    }
}
