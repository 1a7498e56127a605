import ArgumentParser
import Foundation
import Pipelines

/// `--lease SECONDS`, shared by the commands that run pipelines for others (`scheduler`,
/// `worker`): how long a claim lasts unless renewed, so how soon a lost process's run or
/// firing is taken over.
struct LeaseOptions: ParsableArguments {
    @Option(help: "Seconds a run's claim lasts unless renewed (renewed every third of it); a killed process's run is taken over after it. Default 30.")
    var lease: Double?

    func validate() throws {
        if let lease, !(lease.isFinite && lease >= 1) { throw ValidationError("--lease must be a number of seconds ≥ 1") }
    }

    /// The policy `--lease` asks for.
    var policy: RunLeasePolicy {
        guard let lease else { return .standard }
        return RunLeasePolicy(duration: lease, heartbeat: .milliseconds(Int64(lease * 1_000 / 3)))
    }
}

/// `mlpipe worker`: claims runs queued in the store (`mlpipe run --queue`, `mlpipe scheduler
/// --queue`) and runs them here, one at a time, until stopped; one line per run.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Run queued runs from the store until stopped (Ctrl-C).",
        discussion: """
            Any number of workers, on any hosts sharing the store, may run at once: each queued run is claimed by \
            one worker, which renews its claim while the run lasts. A worker killed mid-run stops renewing; once \
            its claim expires (--lease) another worker tries the run again, if the run has an attempt left, or \
            marks it abandoned.
            """)
    @OptionGroup var options: GlobalOptions
    @OptionGroup var leaseOptions: LeaseOptions
    @Option(help: "Seconds between looks at the queue when it is empty.") var poll: Double = 1
    @Flag(help: "Run what is queued now, then stop (instead of waiting for more).") var once = false

    func validate() throws {
        guard poll.isFinite, poll > 0 else { throw ValidationError("--poll must be a number of seconds > 0") }
    }

    func run() async throws {
        let workspace = try await options.workspace(runLease: leaseOptions.policy)
        let printer = QueuedRunPrinter(workspace: workspace, json: options.json)
        if once {
            let worker = Workspace.workerName()
            while let outcome = try await workspace.runNextQueued(worker: worker) { await printer.print(outcome) }
            return
        }
        FileHandle.standardError.write(Data("mlpipe worker: waiting for queued runs; stop with Ctrl-C\n".utf8))
        let loop = Task { await workspace.runWorker(poll: .milliseconds(Int64(poll * 1_000))) { outcome in await printer.print(outcome) } }
        let stop = Signals.waitForTermination()
        await stop.value
        loop.cancel()
        _ = await loop.value
        FileHandle.standardError.write(Data("mlpipe worker: stopped\n".utf8))
    }
}

/// `mlpipe queue`: the runs queued in the store, oldest first.
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "The runs queued in the store for workers: waiting, claimed, finished, abandoned.")
    @OptionGroup var options: GlobalOptions
    @Flag(help: "Only the runs waiting or being run.") var pending = false

    func run() async throws {
        let workspace = try await options.workspace()
        let queued = try await workspace.queuedRuns(in: pending ? [.queued, .claimed] : nil)
        if options.json {
            try printJSON(queued.map(QueuedRunPrinter.object))
            return
        }
        var names: [PipelineID: String] = [:]
        for id in Set(queued.map(\.pipelineID)) {
            do {
                names[id] = try await workspace.pipeline(id).record().name
            } catch {
                guard case .notFound = error else { throw error }  // deleted meanwhile: its id is shown
            }
        }
        print("id                                    state      attempts  pipeline              origin")
        for run in queued {
            let origin = run.firing.map { "trigger \($0.trigger) at \(ISO8601DateFormatter().string(from: $0.scheduledAt))" } ?? "manual"
            let pipeline = names[run.pipelineID] ?? run.pipelineID.rawValue
            print("\(run.id)  \(run.state.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))  "
                + "\(run.attempts)/\(run.maximumAttempts)       \(pipeline.padding(toLength: 20, withPad: " ", startingAt: 0))  \(origin)")
        }
    }
}

/// Prints one line (or JSON object) per queued run a worker ran.
actor QueuedRunPrinter {
    private let workspace: Workspace
    private let json: Bool

    init(workspace: Workspace, json: Bool) {
        self.workspace = workspace
        self.json = json
    }

    /// A queued run as JSON.
    static func object(_ run: QueuedRunRecord) -> [String: Any] {
        [
            "id": run.id.rawValue, "pipeline": run.pipelineID.rawValue, "state": run.state.rawValue, "attempts": run.attempts,
            "maximumAttempts": run.maximumAttempts, "jobs": run.jobs.map(\.rawValue), "worker": run.worker as Any? ?? NSNull(),
            "runs": run.runs.map(\.rawValue), "error": run.error as Any? ?? NSNull(),
            "trigger": run.firing.map { $0.trigger.rawValue as Any } ?? NSNull(),
            "scheduledAt": run.firing.map { ISO8601DateFormatter().string(from: $0.scheduledAt) as Any } ?? NSNull(),
        ]
    }

    func print(_ outcome: QueuedRunOutcome) {
        let line: String
        if json {
            var object = Self.object(outcome.queued)
            object["run"] = outcome.run.map { $0.id.rawValue as Any } ?? NSNull()
            object["status"] = outcome.run.map { $0.status.rawValue as Any } ?? NSNull()
            do {
                line = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            } catch {
                line = "{\"error\": \"cannot encode queued run \(outcome.queued.id)\"}"
            }
        } else if let run = outcome.run {
            line = "queued run \(outcome.queued.id) (attempt \(outcome.queued.attempts) of \(outcome.queued.maximumAttempts)): "
                + "run \(run.id) \(run.status.rawValue)" + (run.error.map { ": \($0)" } ?? "")
        } else {
            line = "queued run \(outcome.queued.id): not run: \(outcome.queued.error ?? "its claim was lost")"
        }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
