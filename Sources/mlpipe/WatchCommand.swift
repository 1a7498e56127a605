import ArgumentParser
import Foundation
import Logging
import Pipelines
import ServiceLifecycle

/// `mlpipe watch --pipeline NAME`: runs folder consumers (``FolderWatcher``) until SIGINT or
/// SIGTERM, or for one pass with `--once`.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Predict CSV files dropped into a folder, each once, with the deployed model (Ctrl-C stops).",
        discussion: """
            Each CSV file that has not been modified for --settle seconds is predicted into the output folder under its \
            own name (rejected rows into OUTPUT/rejects/NAME), then moved to INPUT/processed/ — or, when it cannot be \
            predicted, to INPUT/failed/ beside NAME.error.txt. A ledger in the store records every file by name, size and \
            SHA-256, so a file is predicted once even when the watcher is killed and started again; the same bytes under \
            the same name again go to failed/ as a duplicate. One watcher works a folder at a time (a lease in the store; \
            a killed watcher's lease expires after --lease seconds). Without --input and --output, runs the folder \
            consumers the pipeline's deployment step declares. One line per file on stdout (JSON lines with --json).
            """)
    @OptionGroup var options: GlobalOptions
    @OptionGroup var target: DeploymentTarget
    @Option(help: "The folder watched.") var input: String?
    @Option(help: "The folder predictions are written to.") var output: String?
    @Option(help: "The folder rejected rows are written to (default: OUTPUT/rejects).") var rejects: String?
    @Option(help: "Where predicted inputs are moved (default: INPUT/processed).") var processed: String?
    @Option(help: "Where inputs that cannot be predicted are moved (default: INPUT/failed).") var failed: String?
    @Option(help: "Seconds a file must stay unmodified before it is read.") var settle: Double = 2
    @Option(help: "Seconds between two looks at the folder.") var poll: Double = 1
    @Option(help: "Seconds a watcher's lease on its folder lasts unless renewed: how long a killed watcher blocks the folder.")
    var lease: Double = 30
    @Flag(help: "One pass over the folder, then exit (waiting at most --lease seconds for another watcher's lease).") var once = false
    @Flag(help: "Print the folder's ledger (every file taken, how far it got) and exit.") var ledger = false
    @OptionGroup var batch: BatchFlags

    func validate() throws {
        guard (input == nil) == (output == nil) else { throw ValidationError("give --input and --output together (or neither: the declared folder consumers)") }
        if input == nil {
            guard target.pipeline != nil else { throw ValidationError("without --input and --output, name a --pipeline: its folder consumers run") }
            guard !batch.isGiven, rejects == nil, processed == nil, failed == nil else {
                throw ValidationError("--key, --map, --pass-through, --chunk-rows, --fail-on-bad-row, --rejects, --processed and --failed "
                    + "go with --input; the folder consumers declare their own")
            }
        }
        guard settle >= 0, settle.isFinite else { throw ValidationError("--settle must be zero or a positive number of seconds") }
        guard poll > 0, poll.isFinite else { throw ValidationError("--poll must be a positive number of seconds") }
        guard lease >= 1, lease.isFinite else { throw ValidationError("--lease must be at least 1 second") }
    }

    func run() async throws {
        let workspace = try await options.workspace()
        let (deployment, label, pipeline) = try await target.resolve(in: workspace)
        let policy = RunLeasePolicy(duration: lease, heartbeat: .milliseconds(Int64(lease * 1_000 / 3)))
        let watchers: [FolderWatcher]
        if let input, let output {
            let consumer = FolderConsumer(
                input: input, output: output, rejects: rejects, processed: processed, failed: failed, settleSeconds: settle,
                pollSeconds: poll, options: try await batch.options(pipeline: pipeline))
            watchers = [try FolderWatcher(deployment: deployment, consumer: consumer, lease: policy)]
        } else {
            guard let pipeline else { throw CommandFailure("name a --pipeline: its folder consumers run") }
            watchers = try await pipeline.folderWatchers(lease: policy)
            guard !watchers.isEmpty else {
                throw CommandFailure("\(label) declares no folder consumer: give --input and --output, or add {\"folder\": {…}} to deployment.consumers")
            }
        }
        if ledger { return try await printLedger(watchers) }
        let printer = FolderEventPrinter(json: options.json)
        if once {
            var failures = 0
            for watcher in watchers { failures += await Self.onePass(watcher, patience: lease + 1, printer: printer) }
            if failures > 0 { throw ExitCode(1) }
            return
        }
        for watcher in watchers {
            FileHandle.standardError.write(Data("mlpipe watch: \(watcher.folders.input.path) → \(watcher.folders.output.path)\n".utf8))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [FolderWatchService(watchers: watchers, printer: printer)], gracefulShutdownSignals: [.sigterm, .sigint],
            logger: workspace.logger))
        try await group.run()
        FileHandle.standardError.write(Data("mlpipe watch: stopped\n".utf8))
    }

    /// The ledger of each watcher's folder, oldest first.
    private func printLedger(_ watchers: [FolderWatcher]) async throws {
        var objects: [[String: Any]] = []
        for watcher in watchers {
            for entry in try await watcher.ledger() {
                let object: [String: Any?] = [
                    "folder": entry.folder, "file": entry.name, "size": entry.size, "sha256": entry.sha256, "state": entry.state.rawValue,
                    "owner": entry.owner, "takenAt": entry.takenAt.timeIntervalSince1970, "updatedAt": entry.updatedAt.timeIntervalSince1970,
                    "model": entry.model?.rawValue, "version": entry.modelVersion, "rows": entry.rowsRead, "predicted": entry.rowsPredicted,
                    "rejected": entry.rowsRejected, "error": entry.error, "movedTo": entry.archivedAs,
                ]
                objects.append(object.compactMapValues { $0 })
                if !options.json {
                    let outcome = entry.error.map { ": \($0)" } ?? ""
                    print("\(entry.state.rawValue) \(entry.folder)/\(entry.name) (\(entry.size) bytes, sha256 \(entry.sha256.prefix(12))…)"
                        + (entry.archivedAs.map { " → \($0)" } ?? "") + outcome)
                }
            }
        }
        if options.json { try printJSON(objects) }
    }

    /// One pass, retried while another watcher holds the folder (at most `patience`
    /// seconds, by which a killed holder's lease has expired); returns 1 when the pass
    /// stopped early (said on stderr), else 0. Gives the lease back.
    static func onePass(_ watcher: FolderWatcher, patience: Double, printer: FolderEventPrinter) async -> Int {
        let deadline = ContinuousClock.now + .milliseconds(Int64(patience * 1_000))
        var events = await watcher.poll()
        while case .waiting(.folderBusy)? = events.last, events.count == 1, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(Int64(min(watcher.consumer.pollSeconds, 0.25) * 1_000)))  // cancelled: the loop ends at the deadline
            events = await watcher.poll()
        }
        await watcher.stop()
        for event in events { printer.print(event) }
        if case .waiting(let error)? = events.last {
            FileHandle.standardError.write(Data("mlpipe watch: \(watcher.folders.input.path): \(error)\n".utf8))
            return 1
        }
        return 0
    }
}

/// Runs folder watchers beside the other services of `mlpipe watch` or `mlpipe serve`
/// until graceful shutdown (a batch in progress is cancelled; its file waits for the next start).
struct FolderWatchService: Service {
    let watchers: [FolderWatcher]
    let printer: FolderEventPrinter

    func run() async throws {
        let watchers = watchers
        let printer = printer
        guard !watchers.isEmpty else {
            // Nothing to watch: stay up until the shutdown (a service that returns stops its whole group).
            try? await gracefulShutdown()  // throws only when cancelled: then the group is stopping anyway
            return
        }
        // Each watcher ends when cancelled, giving its lease back.
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for watcher in watchers { group.addTask { await watcher.run { event in printer.print(event) } } }
            }
        }
    }
}

/// One line per folder event on stdout (a JSON object per line with --json); reasons to wait on stderr.
struct FolderEventPrinter: Sendable {
    let json: Bool

    func print(_ event: FolderEvent) {
        if case .waiting(let error) = event {
            FileHandle.standardError.write(Data("mlpipe watch: waiting: \(error)\n".utf8))
            return
        }
        guard json else {
            FileHandle.standardOutput.write(Data("\(event)\n".utf8))
            return
        }
        var object: [String: Any] = ["file": event.fileName ?? ""]
        switch event {
        case .predicted(let entry), .failed(let entry), .abandoned(let entry):
            object["event"] = { () -> String in
                if case .predicted = event { return "predicted" }
                if case .failed = event { return "failed" }
                return "abandoned"
            }()
            object["sha256"] = entry.sha256
            object["movedTo"] = entry.archivedAs
            object["error"] = entry.error
            object["model"] = entry.model?.rawValue
            object["version"] = entry.modelVersion
            object["rows"] = entry.rowsRead
            object["predicted"] = entry.rowsPredicted
            object["rejected"] = entry.rowsRejected
        case let .duplicate(_, movedTo, original):
            object["event"] = "duplicate"
            object["sha256"] = original.sha256
            object["movedTo"] = movedTo
        case .waiting:
            return
        }
        // Strings, numbers and null always serialise; the fallback is never taken.
        let data = (try? JSONSerialization.data(withJSONObject: object.compactMapValues { $0 }, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}
