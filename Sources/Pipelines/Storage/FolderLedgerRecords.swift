public import Foundation

/// How far a folder consumer got with one input file (see ``FolderFileRecord``).
public enum FolderFileState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Taken: its prediction is under way (or was, when the watcher stopped).
    case taken
    /// Its output is written; the input is still to be moved to the processed folder.
    case predicted
    /// It cannot be predicted; the input is still to be moved to the failed folder beside
    /// an error file.
    case failed
    /// Finished: the input was moved (``FolderFileRecord/archivedAs``).
    case archived
    /// Dropped before it was predicted: the file was removed or changed first.
    case abandoned

    /// Whether a watcher still has something to do for the file.
    public var isUnfinished: Bool { self == .taken || self == .predicted || self == .failed }
}

/// One input file of a folder consumer in the store's ledger, recorded by folder, name,
/// size and SHA-256 of its content: what makes a watcher predict each file exactly once
/// across restarts.
public struct FolderFileRecord: Sendable, Hashable, Codable {
    /// The watched input folder (an absolute, standardized path).
    public var folder: String
    /// The file's name in it.
    public var name: String
    /// Its size in bytes.
    public var size: Int64
    /// The SHA-256 of its content, 64 lowercase hex digits.
    public var sha256: String
    /// How far it got.
    public var state: FolderFileState
    /// Who took it (host, process and watcher).
    public var owner: String
    /// When it was taken.
    public var takenAt: Date
    /// When its state last changed.
    public var updatedAt: Date
    /// The model that predicted it, and that model's version (after ``FolderFileState/predicted``).
    public var model: ModelID?
    public var modelVersion: Int?
    /// Rows read, predicted and rejected (after ``FolderFileState/predicted``).
    public var rowsRead: Int?
    public var rowsPredicted: Int?
    public var rowsRejected: Int?
    /// Why it failed or was abandoned.
    public var error: String?
    /// Where the input goes, an absolute path in the processed or the failed folder
    /// (decided before the move, so a restarted watcher finishes the same move).
    public var archivedAs: String?

    /// A ledger entry.
    public init(
        folder: String, name: String, size: Int64, sha256: String, state: FolderFileState, owner: String, takenAt: Date,
        updatedAt: Date? = nil, model: ModelID? = nil, modelVersion: Int? = nil, rowsRead: Int? = nil, rowsPredicted: Int? = nil,
        rowsRejected: Int? = nil, error: String? = nil, archivedAs: String? = nil
    ) {
        self.folder = folder
        self.name = name
        self.size = size
        self.sha256 = sha256
        self.state = state
        self.owner = owner
        self.takenAt = takenAt
        self.updatedAt = updatedAt ?? takenAt
        self.model = model
        self.modelVersion = modelVersion
        self.rowsRead = rowsRead
        self.rowsPredicted = rowsPredicted
        self.rowsRejected = rowsRejected
        self.error = error
        self.archivedAs = archivedAs
    }

    /// What identifies the entry: folder, name, size and content digest.
    public var key: FolderFileKey { FolderFileKey(folder: folder, name: name, size: size, sha256: sha256) }
}

/// What identifies a ledger entry: the same bytes under the same name in the same folder.
public struct FolderFileKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public var folder: String
    public var name: String
    public var size: Int64
    public var sha256: String

    public init(folder: String, name: String, size: Int64, sha256: String) {
        self.folder = folder
        self.name = name
        self.size = size
        self.sha256 = sha256
    }

    /// `folder/name (size bytes, sha256 prefix)`.
    public var description: String { "\(folder)/\(name) (\(size) bytes, sha256 \(sha256.prefix(12))…)" }
}

/// What ``FolderLedgerStore/takeFolderFile(_:)`` did.
public enum FolderFileTake: Sendable, Hashable {
    /// The file was new to the ledger: the entry given was stored.
    case taken(FolderFileRecord)
    /// The ledger has the file already (same key): the stored entry, unchanged.
    case known(FolderFileRecord)
}

/// Stores the folder consumers' ledger: each input file a watcher took, and how far it got.
///
/// The key of an entry is ``FolderFileRecord/key`` (folder, name, size, SHA-256); every
/// method is one transaction.
public protocol FolderLedgerStore: Sendable {
    /// Stores `entry` unless an entry with its key exists, in one transaction: of
    /// concurrent callers with one key, exactly one gets ``FolderFileTake/taken(_:)``.
    ///
    /// - Returns: ``FolderFileTake/taken(_:)``, or ``FolderFileTake/known(_:)`` with the
    ///   stored entry (nothing changed).
    func takeFolderFile(_ entry: FolderFileRecord) async throws -> FolderFileTake
    /// Replaces the entry with `entry`'s key.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)`` (kind `folder file`) when there is none.
    func updateFolderFile(_ entry: FolderFileRecord) async throws
    /// The entries of one input folder, oldest first (ties by name, then digest); only the
    /// unfinished ones (``FolderFileState/isUnfinished``) when `unfinishedOnly`.
    func folderFiles(in folder: String, unfinishedOnly: Bool) async throws -> [FolderFileRecord]
}
