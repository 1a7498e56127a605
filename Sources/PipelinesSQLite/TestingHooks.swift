import Foundation
import GRDB
import Pipelines

// Internal access for this module's tests (`@testable import PipelinesSQLite`): read the
// connection's settings, and damage a file on purpose to see `integrityCheck()` notice.
extension SQLiteStore {
    /// The value of `PRAGMA name` on the writer connection, as text.
    func pragma(_ name: String) throws -> String? {
        try pool.writeWithoutTransaction { db in
            guard let value = try DatabaseValue.fetchOne(db, sql: "PRAGMA \(name)") else { return nil }
            switch value.storage {
            case .string(let text): return text
            case .int64(let number): return String(number)
            case .double(let number): return String(number)
            case .blob, .null: return nil
            }
        }
    }

    /// Runs `sql` outside the store's methods, with foreign keys off: only for tests that
    /// damage a file on purpose.
    func executeUnchecked(_ sql: String) throws {
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
            try db.inTransaction {
                try db.execute(sql: sql)
                return .commit
            }
        }
    }
}
