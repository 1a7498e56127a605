import Foundation
import Logging
public import Pipelines
import PostgresNIO

// MARK: - FolderLedgerStore

extension PostgresStore {
    /// Stores a ledger entry unless its key (folder, name, size, SHA-256) is stored, in one
    /// `SERIALIZABLE` transaction: of processes taking one file at once, exactly one gets
    /// ``Pipelines/FolderFileTake/taken(_:)`` (the others are retried and find its entry).
    ///
    /// ```swift
    /// if case .taken = try await store.takeFolderFile(entry) { /* predict it */ }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func takeFolderFile(_ entry: FolderFileRecord) async throws -> FolderFileTake {
        let json = try StoredRecordCoding.encode(entry, "folder file \(entry.key)")
        return try await write("taking folder file \(entry.key)") { connection in
            if let stored = try await Self.fetchFolderFile(connection, entry.key, logger) { return .known(stored) }
            // A racing take of the same key is a serialization failure (retried, then known),
            // not a unique violation: DO NOTHING on a row this snapshot cannot see.
            let inserted = try await connection.count(
                """
                INSERT INTO folder_files (folder, name, size, sha256, state, taken_at, record)
                VALUES (\(entry.folder), \(entry.name), \(entry.size), \(entry.sha256), \(entry.state.rawValue),
                        \(entry.takenAt.stored), \(json))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger)
            if inserted == 0, let stored = try await Self.fetchFolderFile(connection, entry.key, logger) { return .known(stored) }
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
        let json = try StoredRecordCoding.encode(entry, "folder file \(entry.key)")
        try await write("updating folder file \(entry.key)") { connection in
            let updated = try await connection.count(
                """
                UPDATE folder_files SET state = \(entry.state.rawValue), taken_at = \(entry.takenAt.stored), record = \(json)
                WHERE folder = \(entry.folder) AND name = \(entry.name) AND size = \(entry.size) AND sha256 = \(entry.sha256)
                RETURNING 1
                """, logger)
            guard updated == 1 else { throw StoreError.notFound(kind: "folder file", id: entry.key.description) }
        }
    }

    /// The ledger of one input folder, oldest first (ties by name, then digest, byte order).
    ///
    /// ```swift
    /// let pending = try await store.folderFiles(in: "/data/inbox", unfinishedOnly: true)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func folderFiles(in folder: String, unfinishedOnly: Bool) async throws -> [FolderFileRecord] {
        let states = FolderFileState.allCases.filter { !unfinishedOnly || $0.isUnfinished }.map(\.rawValue)
        return try await read("listing the ledger of folder \(folder)") { connection in
            try await connection.records(
                FolderFileRecord.self,
                """
                SELECT record FROM folder_files WHERE folder = \(folder) AND state = ANY(\(states))
                ORDER BY taken_at, name COLLATE "C", sha256 COLLATE "C"
                """, logger, "a folder file of \(folder)")
        }
    }

    /// The ledger entry with this key, if any.
    private static func fetchFolderFile(_ connection: PostgresConnection, _ key: FolderFileKey, _ logger: Logger) async throws
        -> FolderFileRecord?
    {
        try await connection.record(
            FolderFileRecord.self,
            """
            SELECT record FROM folder_files
            WHERE folder = \(key.folder) AND name = \(key.name) AND size = \(key.size) AND sha256 = \(key.sha256)
            """, logger, "folder file \(key)")
    }
}
