import Foundation

// MARK: - FolderLedgerStore

extension InMemoryStore {
    public func takeFolderFile(_ entry: FolderFileRecord) -> FolderFileTake {
        if let stored = folderFileRecords[entry.key] { return .known(stored) }
        folderFileRecords[entry.key] = entry
        return .taken(entry)
    }

    public func updateFolderFile(_ entry: FolderFileRecord) throws {
        guard folderFileRecords[entry.key] != nil else { throw StoreError.notFound(kind: "folder file", id: entry.key.description) }
        folderFileRecords[entry.key] = entry
    }

    public func folderFiles(in folder: String, unfinishedOnly: Bool) -> [FolderFileRecord] {
        folderFileRecords.values
            .filter { $0.folder == folder && (!unfinishedOnly || $0.state.isUnfinished) }
            .sorted { ($0.takenAt, $0.name, $0.sha256) < ($1.takenAt, $1.name, $1.sha256) }
    }
}
