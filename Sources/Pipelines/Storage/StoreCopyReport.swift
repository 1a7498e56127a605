/// A kind of record ``StoreCopy`` copies and verifies, in the order it copies them.
public enum StoreCopyKind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// ``RepositoryRecord``s.
    case repositories
    /// ``PipelineRecord``s (with their names, current configuration versions and dates).
    case pipelines
    /// Every version of every pipeline's configuration (``ConfigurationRecord``).
    case configurations
    /// Each pipeline's dataset snapshot (``DatasetSnapshot``: ledger, training and testing rows).
    case datasets
    /// ``ModelRecord``s: pipeline, orphaned and imported models.
    case models
    /// The models' artifacts (their bytes).
    case artifacts
    /// Every deployment record of every scope (``DeploymentRecord``), with its own date.
    case deployments
    /// ``RunRecord``s.
    case runs
    /// ``TriggerRecord``s.
    case triggers
    /// The run queue's ``QueuedRunRecord``s, in whatever state (waiting ones are run by the
    /// target's workers; claimed ones are taken over once their claim expires).
    case queuedRuns
    /// ``EndpointRecord``s.
    case endpoints
    /// ``TokenRecord``s (salts and digests; stores never hold secrets).
    case tokens
    /// The folder consumers' ledger entries (``FolderFileRecord``) of the folders named.
    case folderFiles

    /// What it counts, in words ("configuration versions", "folder ledger entries").
    public var description: String {
        switch self {
        case .configurations: return "configuration versions"
        case .datasets: return "dataset snapshots"
        case .deployments: return "deployment records"
        case .folderFiles: return "folder ledger entries"
        case .queuedRuns: return "queued runs"
        default: return rawValue
        }
    }
}

/// What ``StoreCopy/copy(from:to:ledgerFolders:progress:)`` found for one kind of record:
/// how many, and the SHA-256 of their canonical encoding read back from each store.
///
/// ```swift
/// for kind in report.kinds { print(kind.kind, kind.count, kind.targetChecksum) }
/// ```
public struct StoreCopyKindReport: Sendable, Hashable, Codable {
    /// The kind of record.
    public var kind: StoreCopyKind
    /// How many the target holds (as many as the source: the copy is verified).
    public var count: Int
    /// The SHA-256 (64 lowercase hex digits) over the source's records of this kind.
    public var sourceChecksum: String
    /// The same over the target's, read back after the copy.
    public var targetChecksum: String

    /// A kind's report.
    ///
    /// ```swift
    /// let none = StoreCopyKindReport(kind: .runs, count: 0, sourceChecksum: digest, targetChecksum: digest)
    /// ```
    public init(kind: StoreCopyKind, count: Int, sourceChecksum: String, targetChecksum: String) {
        self.kind = kind
        self.count = count
        self.sourceChecksum = sourceChecksum
        self.targetChecksum = targetChecksum
    }
}

/// What a verified copy holds: one ``StoreCopyKindReport`` per ``StoreCopyKind``.
///
/// ```swift
/// let report = try await StoreCopy.copy(from: sqlite, to: postgres)
/// print(report.count(of: .models), "models copied")
/// ```
public struct StoreCopyReport: Sendable, Hashable, Codable {
    /// Every kind, in ``StoreCopyKind/allCases`` order.
    public var kinds: [StoreCopyKindReport]

    /// A report.
    ///
    /// ```swift
    /// let report = StoreCopyReport(kinds: [])
    /// ```
    public init(kinds: [StoreCopyKindReport]) {
        self.kinds = kinds
    }

    /// How many records of `kind` were copied (0 when the report has no such kind).
    ///
    /// ```swift
    /// let tokens = report.count(of: .tokens)
    /// ```
    public func count(of kind: StoreCopyKind) -> Int {
        kinds.first { $0.kind == kind }?.count ?? 0
    }
}

/// What ``StoreCopy/copy(from:to:ledgerFolders:progress:)`` reports as it goes.
public enum StoreCopyProgress: Sendable, Hashable {
    /// Every record of the kind was written to the target.
    case copied(StoreCopyKind, count: Int)
    /// The kind was read back from both stores and found equal.
    case verified(StoreCopyKind, count: Int)
}

/// Which store of a copy failed.
public enum StoreCopySide: String, Sendable, Hashable, Codable {
    /// The store copied from.
    case source
    /// The store copied to.
    case target
}

/// Why ``StoreCopy/copy(from:to:ledgerFolders:progress:)`` failed.
public enum StoreCopyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The target holds records already (how many of each kind found): nothing was written.
    case targetNotEmpty([StoreCopyKind: Int])
    /// Reading a store failed: `side` says which, `kind` and `item` what was being read,
    /// `message` the store's error.
    case readFailed(side: StoreCopySide, kind: StoreCopyKind, item: String, message: String)
    /// Writing `item` (of `kind`) to the target failed with the store's error `message`;
    /// the target holds what was written before it.
    case writeFailed(kind: StoreCopyKind, item: String, message: String)
    /// Read back after the copy, the two stores differ in `kind`: their counts and checksums.
    case verificationFailed(
        kind: StoreCopyKind, sourceCount: Int, targetCount: Int, sourceChecksum: String, targetChecksum: String)

    /// What failed and where, in one sentence (what `mlpipe store copy` prints).
    public var description: String {
        switch self {
        case .targetNotEmpty(let counts):
            let held = StoreCopyKind.allCases.compactMap { kind in counts[kind].map { "\(kind): \($0)" } }
            return "the target store is not empty (it holds \(held.joined(separator: ", "))): nothing was copied; "
                + "copy into an empty store"
        case let .readFailed(side, kind, item, message):
            return "copying \(kind): reading \(item) from the \(side) store failed: \(message)"
        case let .writeFailed(kind, item, message):
            return "copying \(kind): writing \(item) to the target store failed: \(message); "
                + "the target holds part of the copy: empty it (or take a new one) before copying again"
        case let .verificationFailed(kind, sourceCount, targetCount, sourceChecksum, targetChecksum):
            return "verification failed for \(kind): the source holds \(sourceCount) (SHA-256 \(sourceChecksum)), "
                + "the target \(targetCount) (SHA-256 \(targetChecksum)); was the source changed during the copy?"
        }
    }
}
