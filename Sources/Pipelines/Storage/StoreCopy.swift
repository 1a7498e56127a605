public import Foundation

/// Copies everything one store holds into another, empty one — between any two
/// ``PipelineStorage`` backends (an SQLite file to PostgreSQL, PostgreSQL to a new SQLite
/// file, …) — and proves the copy by reading both back.
///
/// ```swift
/// let source = try SQLiteStore(path: ".mlpipe/store.sqlite")
/// let target = try await PostgresStore(url: "postgres://ml@db.internal/registry")
/// let report = try await StoreCopy.copy(from: source, to: target)
/// print(report.count(of: .models), "models copied and verified")
/// ```
///
/// What is copied, record for record (identifiers, dates and statuses as they are):
/// repositories, pipelines with every configuration version (names and dates as last
/// saved or renamed), dataset snapshots, models with their artifacts, every deployment
/// history — pipelines', deleted pipelines' and standalone lines', each record with its
/// own date and previous model (``DeploymentStore/restoreDeploymentHistory(_:in:)``) —,
/// runs, triggers, the run queue as it is, endpoints with their tokens, and the folder consumers' ledger of the
/// folders named. Not copied: leases and firing claims, which coordinate processes using a
/// store while they run and mean nothing to another store (a trigger's next firing is
/// claimed afresh there).
///
/// What the protocols cannot list is not copied: the ledger of folders not named (see
/// ``ledgerFolders(of:relativeTo:)``), and the history of a deleted pipeline or a line
/// none of whose models remains.
///
/// Stop every process writing to the source first: a change made during the copy makes the
/// verification fail.
public enum StoreCopy {
    /// Copies every record of `source` into `target`, then reads both back and compares,
    /// kind by kind (``StoreCopyKind``), the number of records and the SHA-256 of their
    /// canonical encoding (each record as its store keeps it, ``StoredRecordCoding``,
    /// sorted by identifier; dataset parts and artifacts as their bytes).
    ///
    /// ```swift
    /// let report = try await StoreCopy.copy(from: source, to: target, ledgerFolders: ["/srv/ml/inbox"]) { step in
    ///     print(step)   // copied(models, count: 12) …
    /// }
    /// ```
    ///
    /// The target must be empty: it is checked before anything is written (no repositories,
    /// pipelines, models, triggers, endpoints or tokens, no deployment history in the
    /// scopes the copy writes, no ledger entries in `ledgerFolders`).
    ///
    /// - Parameters:
    ///   - source: The store copied from; only read.
    ///   - target: An empty store.
    ///   - ledgerFolders: The input folders whose folder consumer ledger is copied, as the
    ///     ledger names them (``FolderFileRecord/folder``).
    ///   - progress: Called after each kind is copied, then after each is verified.
    /// - Returns: Every kind's count and both checksums.
    /// - Throws: ``StoreCopyError/targetNotEmpty(_:)`` (nothing written);
    ///   ``StoreCopyError/readFailed(side:kind:item:message:)``;
    ///   ``StoreCopyError/writeFailed(kind:item:message:)`` (the target holds part of the
    ///   copy); ``StoreCopyError/verificationFailed(kind:sourceCount:targetCount:sourceChecksum:targetChecksum:)``;
    ///   `CancellationError`.
    public static func copy(
        from source: any PipelineStorage, to target: any PipelineStorage, ledgerFolders: [String] = [],
        progress: (@Sendable (StoreCopyProgress) -> Void)? = nil
    ) async throws -> StoreCopyReport {
        var seen = Set<String>()
        let folders = ledgerFolders.filter { seen.insert($0).inserted }
        let reader = StoreInventory(store: source, side: .source)
        let pipelines = try await reader.pipelines(), models = try await reader.models(), endpoints = try await reader.endpoints()
        let scopes = StoreInventory.deploymentScopes(pipelines: pipelines, models: models, endpoints: endpoints)
        let held = try await StoreInventory(store: target, side: .target).contents(scopes: scopes, ledgerFolders: folders)
        guard held.isEmpty else { throw StoreCopyError.targetNotEmpty(held) }

        let copier = StoreCopier(reader: reader, target: target, progress: progress)
        try await copier.repositories()
        try await copier.pipelines(pipelines)
        try await copier.models(models)
        try await copier.deployments(scopes)
        try await copier.runsAndTriggers(pipelines)
        try await copier.endpoints(endpoints)
        try await copier.ledger(folders)

        let sourceDigests = try await reader.tally(ledgerFolders: folders)
        let targetDigests = try await StoreInventory(store: target, side: .target).tally(ledgerFolders: folders)
        var kinds: [StoreCopyKindReport] = []
        for kind in StoreCopyKind.allCases {
            let (from, to) = (sourceDigests[kind] ?? KindDigest(), targetDigests[kind] ?? KindDigest())
            let (sourceChecksum, targetChecksum) = (from.checksum, to.checksum)
            guard from.count == to.count, sourceChecksum == targetChecksum else {
                throw StoreCopyError.verificationFailed(
                    kind: kind, sourceCount: from.count, targetCount: to.count, sourceChecksum: sourceChecksum,
                    targetChecksum: targetChecksum)
            }
            progress?(.verified(kind, count: to.count))
            kinds.append(StoreCopyKindReport(kind: kind, count: to.count, sourceChecksum: sourceChecksum, targetChecksum: targetChecksum))
        }
        return StoreCopyReport(kinds: kinds)
    }

    /// The input folders of the folder consumers declared in each pipeline's current
    /// configuration, as a ``FolderWatcher`` whose workspace has `base` as its base
    /// directory names them in the ledger (``FolderConsumerFolders/ledgerFolder``): the
    /// `ledgerFolders` to copy for the watchers of those pipelines.
    ///
    /// ```swift
    /// let folders = try await StoreCopy.ledgerFolders(of: source, relativeTo: URL(fileURLWithPath: "/srv/ml"))
    /// let report = try await StoreCopy.copy(from: source, to: target, ledgerFolders: folders)
    /// ```
    ///
    /// - Parameters:
    ///   - store: The store whose pipelines are read.
    ///   - base: The directory relative consumer folders are resolved against.
    /// - Returns: Each folder once, sorted.
    /// - Throws: ``StoreCopyError/readFailed(side:kind:item:message:)`` (side `source`).
    public static func ledgerFolders(of store: any PipelineStorage, relativeTo base: URL) async throws -> [String] {
        let reader = StoreInventory(store: store, side: .source)
        var folders = Set<String>()
        for pipeline in try await reader.pipelines() {
            let current = try await reader.read(.configurations, "the configuration of pipeline \(pipeline.id)") {
                try await $0.configuration(of: pipeline.id, version: nil)
            }
            for consumer in current?.configuration.deployment.consumers ?? [] {
                if case .folder(let folder) = consumer { folders.insert(folder.folders(relativeTo: base).ledgerFolder) }
            }
        }
        return folders.sorted()
    }
}
