#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import struct Foundation.URL

/// Reading and writing RFC 4180 CSV.
///
/// ```swift
/// let table = try CSV.read(contentsOf: URL(fileURLWithPath: "stations.csv"))
/// try CSV.write(table, to: URL(fileURLWithPath: "copy.csv"))
/// ```
///
/// Reading accepts a header row, quoted fields with doubled quotes, delimiters and line
/// breaks inside quotes, CRLF/LF/CR line ends, UTF-8 with or without a byte-order mark.
/// An empty unquoted field and the missing-value tokens (``CSVOptions/missingValues``,
/// pandas' `NA`, `NaN`, `null`, … by default) are missing in every column type; a quoted
/// empty field or quoted token is text in a categorical column, missing in any other.
/// No NaN is ever read as a number: a NaN spelling that is not a token is an error, and
/// so is an infinity unless ``CSVOptions/allowsInfinity`` is set. Blank lines are
/// skipped. Every problem is a ``TabularError/csv(_:)`` carrying a ``CSVError`` with file,
/// line and column, and nothing is returned or changed.
public enum CSV {
    /// Reads a CSV file.
    ///
    /// The file is memory-mapped and released behind the scanner as it goes, so reading
    /// needs little more memory than the table it produces.
    ///
    /// - Parameters:
    ///   - url: A file URL.
    ///   - options: Delimiter, type overrides, missing-value tokens, infinities.
    /// - Throws: ``TabularError/csv(_:)`` with the file, line and column of the problem.
    /// - Complexity: O(file size); one pass, plus a second text-only pass when a column
    ///   first looked numeric or boolean and later held text.
    public static func read(contentsOf url: URL, options: CSVOptions = CSVOptions()) throws(TabularError) -> Table {
        let mapped = try CSVMappedFile(path: url.path)
        defer { withExtendedLifetime(mapped) {} }
        return try CSVTableReader(bytes: mapped.bytes, file: mapped.path, options: options) { offset in
            // Drop the pages already parsed from this process's resident set.
            mapped.release(upTo: offset)
        }.read()
    }

    /// Reads CSV from bytes in memory.
    ///
    /// - Parameters:
    ///   - bytes: UTF-8 CSV text.
    ///   - name: A name for error messages (shown where a file path would be).
    ///   - options: Delimiter, type overrides, missing-value tokens, infinities.
    /// - Throws: ``TabularError/csv(_:)`` with the line and column of the problem.
    public static func read(bytes: [UInt8], name: String? = nil, options: CSVOptions = CSVOptions()) throws(TabularError) -> Table {
        try bytes.withUnsafeBufferPointer { (buffer) throws(TabularError) -> Table in
            try CSVTableReader(bytes: buffer, file: name, options: options, release: nil).read()
        }
    }

    /// Reads CSV from a string.
    ///
    /// - Throws: ``TabularError/csv(_:)`` with the line and column of the problem.
    public static func read(string: String, name: String? = nil, options: CSVOptions = CSVOptions()) throws(TabularError) -> Table {
        try read(bytes: Array(string.utf8), name: name, options: options)
    }
}

/// One read of one input: header, first scan with inference, optional text rescan.
struct CSVTableReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let file: String?
    let options: CSVOptions
    /// Called with the offset up to which the input has been consumed.
    let release: ((Int) -> Void)?

    /// Releases input pages every this many bytes.
    static let releaseInterval = 8 << 20

    func read() throws(TabularError) -> Table {
        let opening = try Self.start(bytes: bytes, file: file, options: options)
        var scanner = opening.scanner
        let header = opening.header
        let delimiter = opening.delimiter
        var fields: [FieldSpan] = []
        let missingTokens = MissingTokens(options.missingValues)
        var builders = header.enumerated().map { index, name in
            ColumnBuilder(name: name, forcedType: options.schema[name], file: file, column: index + 1,
                          missingTokens: missingTokens, allowsInfinity: options.allowsInfinity)
        }
        let dataStart = (position: scanner.position, line: scanner.line)
        let columnCount = builders.count
        let release = self.release
        let totalBytes = bytes.count
        let bytes = self.bytes

        // The hot loop works on the builders in place through an unsafe buffer: no
        // reference counting or dynamic exclusivity checks per field.
        try builders.withUnsafeMutableBufferPointer { (columns) throws(TabularError) in
            var records = 0
            var nextRelease = Self.releaseInterval
            guard let base = bytes.baseAddress else { return }
            while scanner.skipBlankLines() {
                let recordLine = scanner.line
                for index in 0..<columnCount {
                    // Numeric columns first try to scan and parse the field in one pass.
                    let position = scanner.position
                    if columns[index].takesFusedPath,
                       let (value, length) = NumberParsing.parseNumericField(base + position, limit: totalBytes - position, delimiter: delimiter)
                    {
                        columns[index].appendNumber(value)
                        scanner.advance(by: length)
                    } else {
                        try columns[index].add(try scanner.scanField(column: index + 1), bytes: bytes)
                    }
                    let terminator = scanner.finishField()
                    let isLast = index == columnCount - 1
                    if isLast && terminator == .delimiter {
                        var found = columnCount + 1
                        while true {
                            _ = try scanner.scanField(column: found)
                            if scanner.finishField() != .delimiter { break }
                            found += 1
                        }
                        throw .csv(CSVError(.raggedRow(expected: columnCount, found: found), file: file, line: recordLine, column: columnCount + 1))
                    }
                    if !isLast && terminator != .delimiter {
                        throw .csv(CSVError(.raggedRow(expected: columnCount, found: index + 1), file: file, line: recordLine, column: index + 2))
                    }
                }
                records += 1
                if records == 1024 {
                    // Reserve for the whole file from the average record length so far, so the
                    // columns grow once instead of doubling (peak memory stays near the table's).
                    let consumed = scanner.position - dataStart.position
                    let estimate = Int(Double(totalBytes - dataStart.position) / Double(max(consumed, 1)) * 1024 * 1.05) + 16
                    for index in 0..<columnCount { columns[index].reserveCapacity(estimate) }
                }
                if let release, scanner.position >= nextRelease {
                    release(scanner.position)
                    nextRelease = scanner.position + Self.releaseInterval
                }
            }
        }

        // An infinity or NaN spelling in a column that stayed numeric: the first one, by place.
        let refused = builders.compactMap { $0.isNumeric ? $0.refusedValue : nil }
        if let first = refused.min(by: { ($0.line, $0.column) < ($1.line, $1.column) }) {
            throw .csv(first)
        }
        let rescans = builders.indices.filter { builders[$0].needsRescan }
        if !rescans.isEmpty {
            for index in rescans { builders[index].beginRescan() }
            var second = CSVScanner(bytes: bytes, delimiter: delimiter, file: file, position: dataStart.position, line: dataStart.line)
            var nextRelease = dataStart.position + Self.releaseInterval
            while try second.nextRecord(into: &fields) {
                for index in rescans {
                    try builders[index].addText(fields[index], bytes: bytes)
                }
                if let release, second.position >= nextRelease {
                    release(second.position)
                    nextRelease = second.position + Self.releaseInterval
                }
            }
        }
        return try Table(builders.map { $0.build() })
    }

    /// The header of `bytes` and a scanner at the first data record: a UTF-8 byte-order mark
    /// skipped, an input without a header row refused, the names checked. The one place
    /// these rules live, for ``CSV`` and ``CSVChunkReader`` alike.
    static func start(
        bytes: UnsafeBufferPointer<UInt8>, file: String?, options: CSVOptions
    ) throws(TabularError) -> (scanner: CSVScanner, header: [String], delimiter: UInt8) {
        let delimiter = try options.delimiterByte(file: file)
        let (scanner, fields) = try afterHeaderRecord(bytes: bytes, file: file, delimiter: delimiter)
        let header = try readHeader(fields, scanner: scanner, file: file, options: options)
        return (scanner, header, delimiter)
    }

    /// A scanner past the first record (the header) of `bytes`, a UTF-8 byte-order mark
    /// skipped, and the header's fields.
    ///
    /// - Throws: ``CSVError/Kind/emptyFile`` when there is no record at all.
    static func afterHeaderRecord(
        bytes: UnsafeBufferPointer<UInt8>, file: String?, delimiter: UInt8
    ) throws(TabularError) -> (scanner: CSVScanner, fields: [FieldSpan]) {
        var start = 0
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
        var scanner = CSVScanner(bytes: bytes, delimiter: delimiter, file: file, position: start)
        var fields: [FieldSpan] = []
        guard try scanner.nextRecord(into: &fields) else {
            throw .csv(CSVError(.emptyFile, file: file, line: 1, column: 1))
        }
        return (scanner, fields)
    }

    /// The column names: none empty, none repeated, every schema name among them.
    private static func readHeader(
        _ fields: [FieldSpan], scanner: CSVScanner, file: String?, options: CSVOptions
    ) throws(TabularError) -> [String] {
        var names: [String] = []
        var seen = Set<String>()
        for (index, field) in fields.enumerated() {
            let name = try scanner.text(of: field, column: index + 1)
            guard !name.isEmpty else {
                throw .csv(CSVError(.emptyHeader, file: file, line: field.line, column: index + 1))
            }
            guard seen.insert(name).inserted else {
                throw .csv(CSVError(.duplicateHeader(name), file: file, line: field.line, column: index + 1))
            }
            names.append(name)
        }
        for name in options.schema.keys.sorted() where !seen.contains(name) {
            throw .csv(CSVError(.unknownSchemaColumn(name), file: file, line: fields.first?.line ?? 1, column: 1))
        }
        return names
    }
}

/// A file mapped read-only and private, unmapped when the last reference to it goes: the
/// input of ``CSV/read(contentsOf:options:)``, and of a ``CSVChunkReader`` and its chunks.
final class CSVMappedFile {
    /// The file's path, as errors name it.
    let path: String
    /// The file's bytes.
    let bytes: UnsafeBufferPointer<UInt8>
    private let mapping: UnsafeMutableRawPointer
    private let pageSize: Int

    /// Maps the file at `path`.
    ///
    /// - Throws: ``TabularError/csv(_:)``: ``CSVError/Kind/emptyFile`` for an empty file,
    ///   ``CSVError/Kind/unreadable(_:)`` when it cannot be opened or mapped.
    init(path: String) throws(TabularError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw .csv(CSVError(.unreadable(String(cString: strerror(errno))), file: path, line: 1, column: 1))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .csv(CSVError(.unreadable(String(cString: strerror(errno))), file: path, line: 1, column: 1))
        }
        let size = Int(status.st_size)
        if size == 0 {
            throw .csv(CSVError(.emptyFile, file: path, line: 1, column: 1))
        }
        guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapping != MAP_FAILED else {
            throw .csv(CSVError(.unreadable(String(cString: strerror(errno))), file: path, line: 1, column: 1))
        }
        self.path = path
        self.mapping = mapping
        self.bytes = UnsafeBufferPointer(start: mapping.assumingMemoryBound(to: UInt8.self), count: size)
        self.pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Drops the whole pages before `offset` from the process's resident set. The mapping
    /// is private and read-only, so the pages are clean: read again, they are faulted back
    /// in from the file.
    func release(upTo offset: Int) {
        let end = min(offset, bytes.count) / pageSize * pageSize
        if end > 0 { madvise(mapping, end, MADV_DONTNEED) }
    }

    deinit {
        munmap(mapping, bytes.count)
    }
}
