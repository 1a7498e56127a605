public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Tabular

/// One chunk of a batch's input: how many rows, where each came from, and its columns
/// typed on request.
public struct BatchChunk {
    /// Rows in the chunk.
    public var rowCount: Int
    /// Where each row came from, for the rejects output (a CSV's 1-based line).
    public var locations: [Int]
    /// Rows that cannot be read at all, with why (index in the chunk → reason).
    public var unreadable: [Int: String]
    /// Column `index` read as `type` and named `name`, for the chunk's rows in `rows`, with
    /// the rows (indices in the chunk) whose value is not of that type and why (those rows
    /// hold a missing value). A batch calls it for several columns at once, from several
    /// threads: it must only read shared state.
    public var column: (_ index: Int, _ type: ColumnType, _ name: String, _ rows: Range<Int>) -> (Column, [Int: String])

    /// A chunk.
    ///
    /// - Parameters:
    ///   - rowCount: Rows in the chunk.
    ///   - locations: Where each row came from (a line), one per row.
    ///   - unreadable: Rows that cannot be read at all, with why.
    ///   - column: Reads a column for a range of rows (see ``column``).
    public init(rowCount: Int, locations: [Int], unreadable: [Int: String] = [:],
                column: @escaping (Int, ColumnType, String, Range<Int>) -> (Column, [Int: String])) {
        self.rowCount = rowCount
        self.locations = locations
        self.unreadable = unreadable
        self.column = column
    }
}

/// Where a batch's rows come from, a chunk at a time; ``CSVBatchSource`` reads a CSV file.
/// A host plugs in its own (a database cursor, a queue) by conforming.
public protocol BatchTableSource: AnyObject, Sendable {
    /// The input's column names, in order.
    var columnNames: [String] { get }
    /// A name for messages (a file path).
    var name: String { get }
    /// How much of the input was read (0…1), when the source knows.
    var fractionRead: Double? { get }
    /// The next chunk of at most `maxRows` rows, or nil at the end.
    ///
    /// - Throws: ``PipelineError`` when the input cannot be read any further.
    func nextChunk(maxRows: Int) throws(PipelineError) -> BatchChunk?
}

/// Where a batch's rows go; ``CSVBatchSink`` writes a CSV file. Nothing written shows under
/// the final name until ``commit()``.
public protocol BatchTableSink: AnyObject, Sendable {
    /// Starts the output with these columns.
    func begin(columns: [String]) throws(PipelineError)
    /// Appends rows (a table with the columns given to ``begin(columns:)``).
    func write(_ rows: Table) throws(PipelineError)
    /// Makes everything written visible under the final name, all at once.
    func commit() throws(PipelineError)
    /// Drops what was written (the batch failed).
    func abandon()
}

/// A CSV file read a chunk at a time (memory-mapped; memory grows with the chunk, not
/// with the file).
public final class CSVBatchSource: BatchTableSource, @unchecked Sendable {
    // One batch reads it, from one thread at a time.
    private let reader: CSVChunkReader
    public let name: String

    /// Opens `url` and reads its header.
    ///
    /// - Throws: ``PipelineError/data(_:)`` with the file, line and column of the problem.
    public init(_ url: URL, options: CSVOptions = CSVOptions()) throws(PipelineError) {
        do {
            reader = try CSVChunkReader(contentsOf: url, options: options)
        } catch {
            throw .data(error)
        }
        name = url.path
    }

    public var columnNames: [String] { reader.header }

    public var fractionRead: Double? { reader.byteCount > 0 ? Double(reader.bytesRead) / Double(reader.byteCount) : nil }

    public func nextChunk(maxRows: Int) throws(PipelineError) -> BatchChunk? {
        let chunk: CSVChunk?
        do {
            chunk = try reader.next(maxRows: maxRows)
        } catch {
            throw .data(error)
        }
        guard let chunk else { return nil }
        return BatchChunk(
            rowCount: chunk.rowCount, locations: chunk.lines,
            unreadable: chunk.fieldCountProblems.mapValues(Self.reason),
            column: { index, type, name, rows in
                let (column, problems) = chunk.column(index, as: type, named: name, rows: rows)
                return (column, problems.mapValues(Self.reason))
            })
    }

    /// A CSV error without its place (the rejects output gives the line).
    private static func reason(_ error: CSVError) -> String {
        let text = error.description
        guard let colon = text.range(of: ": ") else { return text }
        return String(text[colon.upperBound...])
    }
}

/// A CSV file written to a temporary name beside it and renamed into place on
/// ``commit()``: a crash or a failed batch never leaves a half-written file under the final
/// name, and an earlier file of that name stays until the new one is complete. Its folder
/// is created when missing.
public final class CSVBatchSink: BatchTableSink, @unchecked Sendable {
    // One batch writes it, from one thread at a time.
    public let url: URL
    private let temporary: URL
    private let options: CSVOptions
    private var handle: FileHandle?

    /// A sink writing `url`.
    public init(_ url: URL, options: CSVOptions = CSVOptions()) {
        self.url = url
        self.options = options
        temporary = FolderFiles.partialURL(for: url)
    }

    public func begin(columns: [String]) throws(PipelineError) {
        do {
            try FileManager.default.createDirectory(at: temporary.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .fileWrite(path: url.path, reason: "cannot create its folder: \(error)")
        }
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw .fileWrite(path: temporary.path, reason: "cannot create the file")
        }
        do {
            handle = try FileHandle(forWritingTo: temporary)
        } catch {
            throw .fileWrite(path: temporary.path, reason: "\(error)")
        }
        try append(try encode(Table(schema: Schema(columns.map { Schema.Field(name: $0, type: .categorical) })), header: true))
    }

    public func write(_ rows: Table) throws(PipelineError) {
        try append(try encode(rows, header: false))
    }

    public func commit() throws(PipelineError) {
        guard let handle else { throw .fileWrite(path: url.path, reason: "the output was never begun") }
        do {
            try handle.synchronize()
            try handle.close()
            self.handle = nil
        } catch {
            abandon()
            throw .fileWrite(path: url.path, reason: "\(error)")
        }
        // rename(2): atomic, and it replaces an earlier file of that name in one step.
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            abandon()
            throw .fileWrite(path: url.path, reason: reason)
        }
    }

    public func abandon() {
        try? handle?.close()  // the file is removed next: a failed close loses nothing
        handle = nil
        try? FileManager.default.removeItem(at: temporary)  // nothing to clean when it was never created
    }

    private func encode(_ table: Table, header: Bool) throws(PipelineError) -> [UInt8] {
        do {
            return try CSV.encode(table, options: options, header: header)
        } catch {
            throw .data(error)
        }
    }

    private func append(_ bytes: [UInt8]) throws(PipelineError) {
        guard let handle else { throw .fileWrite(path: temporary.path, reason: "the output was never begun") }
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw .fileWrite(path: temporary.path, reason: "\(error)")
        }
    }
}
