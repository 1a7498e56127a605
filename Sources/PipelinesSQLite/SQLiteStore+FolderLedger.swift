import Foundation
import GRDB
public import Pipelines

// MARK: - FolderLedgerStore

extension SQLiteStore {
    /// Stores a ledger entry unless its key (folder, name, size, SHA-256) is stored, in one
    /// `IMMEDIATE` transaction: of processes taking one file at once, exactly one gets
    /// ``Pipelines/FolderFileTake/taken(_:)``.
    ///
    /// ```swift
    /// if case .taken = try await store.takeFolderFile(entry) { /* predict it */ }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func takeFolderFile(_ entry: FolderFileRecord) async throws -> FolderFileTake {
        let json = try RecordCoding.encode(entry, "folder file \(entry.key)")
        return try await write("taking folder file \(entry.key)") { db in
            if let stored = try Self.fetchFolderFile(db, entry.key) { return .known(stored) }
            try db.execute(
                sql: "INSERT INTO folder_files (folder, name, size, sha256, state, taken_at, record) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [entry.folder, entry.name, entry.size, entry.sha256, entry.state.rawValue,
                            entry.takenAt.timeIntervalSinceReferenceDate, json])
            return .taken(entry)
        }
    }

    /// Replaces the ledger entry with `entry`'s key.
    ///
    /// ```swift
    /// entry.state = .archived
    /// try await store.updateFolderFile(entry)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` (kind `folder file`) when there
    ///   is none; ``Pipelines/StoreError/backend(_:)``.
    public func updateFolderFile(_ entry: FolderFileRecord) async throws {
        let json = try RecordCoding.encode(entry, "folder file \(entry.key)")
        try await write("updating folder file \(entry.key)") { db in
            try db.execute(
                sql: "UPDATE folder_files SET state = ?, taken_at = ?, record = ? WHERE folder = ? AND name = ? AND size = ? AND sha256 = ?",
                arguments: [entry.state.rawValue, entry.takenAt.timeIntervalSinceReferenceDate, json,
                            entry.folder, entry.name, entry.size, entry.sha256])
            guard db.changesCount == 1 else { throw StoreError.notFound(kind: "folder file", id: entry.key.description) }
        }
    }

    /// The ledger of one input folder, oldest first (ties by name, then digest).
    ///
    /// ```swift
    /// let pending = try await store.folderFiles(in: "/data/inbox", unfinishedOnly: true)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func folderFiles(in folder: String, unfinishedOnly: Bool) async throws -> [FolderFileRecord] {
        let unfinished = FolderFileState.allCases.filter(\.isUnfinished).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let filter = unfinishedOnly ? " AND state IN (\(unfinished))" : ""
        return try await read("listing the ledger of folder \(folder)") { db in
            try RecordCoding.decodeAll(
                FolderFileRecord.self, db,
                sql: "SELECT record FROM folder_files WHERE folder = ?\(filter) ORDER BY taken_at, name, sha256",
                arguments: [folder], "a folder file of \(folder)")
        }
    }

    private static func fetchFolderFile(_ db: Database, _ key: FolderFileKey) throws -> FolderFileRecord? {
        try RecordCoding.decodeOne(
            FolderFileRecord.self, db,
            sql: "SELECT record FROM folder_files WHERE folder = ? AND name = ? AND size = ? AND sha256 = ?",
            arguments: [key.folder, key.name, key.size, key.sha256], "folder file \(key)")
    }
}
