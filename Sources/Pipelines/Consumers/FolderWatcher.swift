import Foundation
import Synchronization

/// Runs a ``FolderConsumer``: lists its input folder, predicts each settled CSV into the
/// output folder under the same name, and moves the input to the processed folder (or to
/// the failed folder beside `NAME.error.txt`).
///
/// Each file is predicted once, across restarts and crashes: before predicting, the
/// watcher takes the file in the store's ledger (``FolderLedgerStore``, keyed by folder,
/// name, size and SHA-256) and records each step after it (predicted or failed, then
/// moved). A watcher killed at any moment leaves either the file in the input folder with
/// its entry at `taken` (predicted again, the output replaced whole), or at `predicted` /
/// `failed` (only the move is finished). Outputs are written to a temporary name and
/// renamed, so none is ever half-written under its final name.
///
/// One watcher works a folder at a time: it holds a lease on the folder in the store
/// (``LeaseStore``), renewed while it works; another watcher of the same folder waits
/// until the lease is given back or expires (a killed watcher's, after
/// ``RunLeasePolicy/duration``).
///
/// ```swift
/// let watcher = try FolderWatcher(deployment: pipeline.deployment,
///                             consumer: FolderConsumer(input: "inbox", output: "outbox"))
/// let task = Task { await watcher.run { event in print(event) } }
/// // … later
/// task.cancel()
/// ```
public final class FolderWatcher: Sendable {
    /// The consumer watched.
    public let consumer: FolderConsumer
    /// Its folders, resolved against the workspace's base directory.
    public let folders: FolderConsumerFolders
    /// The batch options each file is predicted with (keys defaulted).
    public let options: BatchOptions
    /// Who this watcher is, in the ledger and in its lease: host, process and watcher.
    public let owner: String
    private let deployment: Deployment
    private let lease: RunLeasePolicy
    /// The input folder as the ledger names it.
    private let ledgerFolder: String
    private let leaseName: String
    private struct State {
        var holding = false
        var lost: String?
    }
    private let state = Mutex(State())

    /// A watcher of `consumer`, predicting with the model `deployment` has deployed when
    /// each file is read.
    ///
    /// - Parameters:
    ///   - deployment: The deployment whose model predicts.
    ///   - consumer: The folders, timings and batch options.
    ///   - defaultKeys: The key columns when the consumer names none.
    ///   - lease: How long its lease on the folder lasts and how often it is renewed (nil:
    ///     the workspace's ``Workspace/runLease``).
    /// - Throws: ``PipelineError/invalidBatch(_:)`` naming each problem of the consumer (the
    ///   checks of a configuration that declares it: an output that is the input folder, a
    ///   negative settle time, …).
    public init(
        deployment: Deployment, consumer: FolderConsumer, defaultKeys: [String] = [], lease: RunLeasePolicy? = nil
    ) throws(PipelineError) {
        let problems = consumer.problems()
        guard problems.isEmpty else {
            throw .invalidBatch("folder consumer " + problems.map { "\($0.key): \($0.reason)" }.joined(separator: "; "))
        }
        self.deployment = deployment
        self.consumer = consumer
        folders = consumer.folders(relativeTo: deployment.workspace.baseDirectory)
        var options = consumer.options
        if options.keys.isEmpty { options.keys = defaultKeys }
        self.options = options
        self.lease = lease ?? deployment.workspace.runLease
        owner = "\(Workspace.processIdentity) watcher \(UUID().uuidString.prefix(8).lowercased())"
        ledgerFolder = folders.ledgerFolder
        leaseName = "folder-watch:\(ledgerFolder)"
    }

    private var store: any PipelineStorage { deployment.workspace.store }

    /// Watches until the task is cancelled: a pass every ``FolderConsumer/pollSeconds``,
    /// each event reported as it happens; then gives the folder's lease back. A problem
    /// that stops a pass is reported once (a ``FolderEvent/waiting(_:)``) until a pass
    /// gets through again.
    ///
    /// - Parameter onEvent: Called for each file finished and each new reason to wait.
    public func run(onEvent: @escaping @Sendable (FolderEvent) -> Void = { _ in }) async {
        var lastWaiting: String?
        while !Task.isCancelled {
            if let error = await poll(onEvent) {
                if case .cancelled = error { break }
                if error.description != lastWaiting { onEvent(.waiting(error)) }
                lastWaiting = error.description
            } else {
                lastWaiting = nil
            }
            do { try await Task.sleep(for: .milliseconds(Int64(consumer.pollSeconds * 1_000))) } catch { break }
        }
        await stop()
    }

    /// One pass over the input folder: takes the folder's lease (kept until ``stop()`` or
    /// expiry, so no other watcher starts between passes), finishes what an earlier
    /// watcher left unfinished, and predicts every settled CSV file, in name order.
    ///
    /// - Returns: What happened to each file, in order; a last ``FolderEvent/waiting(_:)``
    ///   when the pass stopped early (the files left wait for the next pass).
    public func poll() async -> [FolderEvent] {
        let events = Mutex<[FolderEvent]>([])
        if let error = await poll({ event in events.withLock { $0.append(event) } }) {
            events.withLock { $0.append(.waiting(error)) }
        }
        return events.withLock { $0 }
    }

    /// One pass, each file's event reported as soon as it is finished; returns why the
    /// pass stopped early, if it did.
    private func poll(_ report: (FolderEvent) -> Void) async -> PipelineError? {
        do throws(PipelineError) {
            try await acquire()
            let heartbeat = Task { [self] in await renewWhileWorking() }
            defer { heartbeat.cancel() }
            try await pass(report)
            return nil
        } catch {
            return error
        }
    }

    /// Gives the folder's lease back (a watcher that polls by hand calls it when done).
    public func stop() async {
        guard state.withLock({ $0.holding }) else { return }
        do {
            // Given back even when the caller was cancelled (a cancelled task's store calls may be refused).
            _ = try await uncancelled { [store, leaseName, owner] in try await store.releaseLease(leaseName, owner: owner) }
        } catch {
            deployment.workspace.logger.warning("folder \(ledgerFolder): its lease was not given back (it expires by itself): \(error)")
        }
        state.withLock { $0.holding = false }
    }

    /// The ledger of the watched folder: every file taken, oldest first, and how far it got.
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func ledger() async throws(PipelineError) -> [FolderFileRecord] {
        try await storage { try await store.folderFiles(in: ledgerFolder, unfinishedOnly: false) }
    }

    // MARK: The pass

    private func pass(_ report: (FolderEvent) -> Void) async throws(PipelineError) {
        let candidates = try FolderFiles.candidates(in: folders.input)
        let settledBefore = Date().addingTimeInterval(-consumer.settleSeconds)
        var handled: [String: FolderFileKey] = [:]
        for candidate in candidates where candidate.modified <= settledBefore {
            try checkWorking()
            guard let (event, key) = try await handle(candidate) else { continue }
            handled[candidate.name] = key
            if let event { report(event) }
        }
        // Entries an earlier watcher left unfinished whose file is gone (moved already, or
        // removed by someone) or holds other content now.
        let present = Set(candidates.map(\.name))
        for entry in try await storage({ try await store.folderFiles(in: ledgerFolder, unfinishedOnly: true) }) {
            try checkWorking()
            if let key = handled[entry.name] {
                if key == entry.key { continue }
            } else if present.contains(entry.name) {
                continue  // not settled yet, or not read: the next pass decides
            }
            report(try await close(entry))
        }
    }

    /// Hashes a settled file, takes it in the ledger and carries it as far as its entry
    /// says. Nil when the file changed or vanished while it was read (the next pass sees it
    /// again); a nil event when there was nothing to report.
    private func handle(_ candidate: FolderFiles.Candidate) async throws(PipelineError) -> (FolderEvent?, FolderFileKey)? {
        let url = folders.input.appendingPathComponent(candidate.name)
        let digest: String
        do {
            digest = try await offload { () throws(PipelineError) -> String in try FolderFiles.sha256(of: url) }
        } catch {
            guard FolderFiles.status(of: url) != nil else { return nil }  // removed meanwhile
            throw error
        }
        guard let after = FolderFiles.status(of: url), after.size == candidate.size, after.modified == candidate.modified else { return nil }
        let now = deployment.workspace.clock.now
        let fresh = FolderFileRecord(
            folder: ledgerFolder, name: candidate.name, size: candidate.size, sha256: digest, state: .taken, owner: owner, takenAt: now)
        var entry: FolderFileRecord
        switch try await storage({ try await store.takeFolderFile(fresh) }) {
        case .taken(let taken): entry = taken
        case .known(let known): entry = known
        }
        switch entry.state {
        case .taken:
            return (try await predict(entry), entry.key)
        case .abandoned:
            entry.state = .taken
            entry.error = nil
            try await save(&entry)
            return (try await predict(entry), entry.key)
        case .predicted, .failed:
            return (try await finish(entry, inputPresent: true), entry.key)
        case .archived:
            return (try duplicate(entry), entry.key)
        }
    }

    /// Predicts a taken file, records the outcome, then moves it.
    private func predict(_ taken: FolderFileRecord) async throws(PipelineError) -> FolderEvent {
        var entry = taken
        let name = entry.name
        do {
            let summary = try await deployment.predictCSV(
                input: folders.input.appendingPathComponent(name), output: folders.output.appendingPathComponent(name),
                rejects: folders.rejects.appendingPathComponent(name), options: options)
            entry.state = .predicted
            entry.model = summary.model
            entry.modelVersion = summary.modelVersion
            entry.rowsRead = summary.rowsRead
            entry.rowsPredicted = summary.rowsPredicted
            entry.rowsRejected = summary.rowsRejected
            entry.error = nil
            entry.archivedAs = FolderFiles.destination(for: name, digest: entry.sha256, in: folders.processed).path
        } catch where Self.isInputProblem(error) {
            entry.state = .failed
            entry.error = error.description
            entry.archivedAs = FolderFiles.destination(for: name, digest: entry.sha256, in: folders.failed).path
        }
        try await save(&entry)
        return try await finish(entry, inputPresent: true)
    }

    /// Moves a predicted or failed file (writing the failed one's error file first) and
    /// marks its entry archived. With `inputPresent` false the move happened already, or
    /// the file was removed: only the entry (and a missing error file) is finished.
    private func finish(_ recorded: FolderFileRecord, inputPresent: Bool) async throws(PipelineError) -> FolderEvent {
        var entry = recorded
        let target = URL(fileURLWithPath: entry.archivedAs
            ?? FolderFiles.destination(for: entry.name, digest: entry.sha256, in: entry.state == .failed ? folders.failed : folders.processed).path)
        entry.archivedAs = target.path
        let failed = entry.state == .failed
        if failed {
            try FolderFiles.writeAtomically("\(entry.name) could not be predicted: \(entry.error ?? "unknown reason")\n",
                                            to: Self.errorFileURL(for: target))
        }
        if inputPresent { try FolderFiles.move(folders.input.appendingPathComponent(entry.name), to: target) }
        entry.state = .archived
        try await save(&entry)
        deployment.workspace.logger.debug("folder \(ledgerFolder): \(entry.name) \(failed ? "failed" : "predicted"), moved to \(target.path)")
        return failed ? .failed(entry) : .predicted(entry)
    }

    /// A file whose name, size and content were predicted before: moved to the failed
    /// folder with an error file saying so; the ledger is not changed.
    private func duplicate(_ original: FolderFileRecord) throws(PipelineError) -> FolderEvent {
        let target = FolderFiles.destination(for: original.name, digest: original.sha256, in: folders.failed)
        try FolderFiles.writeAtomically(
            "\(original.name) was not predicted: the same name, size and content (sha256 \(original.sha256)) were taken at "
                + "\(original.takenAt) and finished at \(original.updatedAt)"
                + (original.archivedAs.map { " (moved to \($0))" } ?? "") + ". Rename the file to predict it again.\n",
            to: Self.errorFileURL(for: target))
        try FolderFiles.move(folders.input.appendingPathComponent(original.name), to: target)
        return .duplicate(name: original.name, movedTo: target.path, original: original)
    }

    /// Finishes an unfinished entry whose file is gone or holds other content now.
    private func close(_ unfinished: FolderFileRecord) async throws(PipelineError) -> FolderEvent {
        guard unfinished.state == .taken else { return try await finish(unfinished, inputPresent: false) }
        var entry = unfinished
        entry.state = .abandoned
        entry.error = "the file was removed or changed before it was predicted"
        try await save(&entry)
        return .abandoned(entry)
    }

    private func save(_ entry: inout FolderFileRecord) async throws(PipelineError) {
        entry.owner = owner
        entry.updatedAt = deployment.workspace.clock.now
        let saved = entry
        try await storage { try await store.updateFolderFile(saved) }
    }

    /// `failed/NAME` → `failed/NAME.error.txt`.
    static func errorFileURL(for target: URL) -> URL {
        target.deletingLastPathComponent().appendingPathComponent(target.lastPathComponent + ".error.txt")
    }

    /// Whether an error of a batch is the input file's (it then fails for good) rather than
    /// the environment's (tried again at the next pass).
    static func isInputProblem(_ error: PipelineError) -> Bool {
        switch error {
        case .data, .invalidBatch, .badBatchRow, .invalidInput, .missingFeature, .invalidRow: return true
        default: return false
        }
    }

    // MARK: The lease

    /// Takes (or extends) the folder's lease; the first time, removes the temporary files
    /// a killed watcher left in the folders it writes.
    private func acquire() async throws(PipelineError) {
        let acquisition = try await storage { try await store.acquireLease(leaseName, owner: owner, for: lease.duration) }
        guard case .acquired = acquisition else {
            let holder = acquisition.lease
            throw .folderBusy(folder: ledgerFolder, holder: "\(holder.owner) (its lease expires at \(holder.expiresAt) unless renewed)")
        }
        let first = state.withLock { state -> Bool in
            defer {
                state.holding = true
                state.lost = nil
            }
            return !state.holding
        }
        if first {
            for folder in [folders.output, folders.rejects, folders.failed] { FolderFiles.removePartials(in: folder) }
        }
    }

    /// Renews the lease every heartbeat until cancelled; records a lost lease.
    private func renewWhileWorking() async {
        while true {
            do { try await Task.sleep(for: lease.heartbeat) } catch { return }
            do {
                _ = try await store.renewLease(leaseName, owner: owner, for: lease.duration)
            } catch StoreError.leaseNotHeld(_, _, let holder) {
                state.withLock {
                    $0.lost = holder ?? "nobody (the lease expired)"
                    $0.holding = false
                }
                return
            } catch {
                deployment.workspace.logger.warning("folder \(ledgerFolder): renewing its lease failed (tried again): \(error)")
            }
        }
    }

    /// Stops a pass whose lease was lost, or whose task was cancelled.
    private func checkWorking() throws(PipelineError) {
        if let holder = state.withLock({ $0.lost }) { throw .folderBusy(folder: ledgerFolder, holder: holder) }
        if Task.isCancelled { throw .cancelled(job: .deployment) }
    }
}
