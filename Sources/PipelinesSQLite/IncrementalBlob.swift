import GRDB
import GRDBSQLite
import Pipelines

/// SQLite's incremental blob I/O: a row's blob read or written in place, without the
/// copies a bound or selected blob costs (the statement's and the record's).
enum IncrementalBlob {
    /// Opens the blob of `column` in `table`'s row `row`, runs `body` with its handle and
    /// size, and closes it.
    ///
    /// - Parameters:
    ///   - what: What the blob is, for errors ("the artifact of model …").
    ///   - body: Reads or writes through the handle; returns its result and SQLite's status.
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when opening fails or `body`'s
    ///   status is not `SQLITE_OK`.
    static func withBlob<T>(
        _ db: Database, table: String, column: String, row: Int64, writable: Bool, what: String,
        _ body: (OpaquePointer, Int) -> (T, Int32)
    ) throws -> T {
        var handle: OpaquePointer?
        let opened = sqlite3_blob_open(db.sqliteConnection, "main", table, column, row, writable ? 1 : 0, &handle)
        defer { sqlite3_blob_close(handle) }
        guard opened == SQLITE_OK, let handle else {
            throw StoreError.backend("opening \(what): \(String(cString: sqlite3_errstr(opened)))")
        }
        let (result, status) = body(handle, Int(sqlite3_blob_bytes(handle)))
        guard status == SQLITE_OK else {
            throw StoreError.backend("\(writable ? "writing" : "reading") \(what): \(String(cString: sqlite3_errstr(status)))")
        }
        return result
    }
}
