import ArgumentParser
import Foundation
import Pipelines

/// `mlpipe triggers add|list|remove`.
struct TriggersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triggers", abstract: "Schedule pipeline runs: cron expressions, @daily-style shortcuts, \"every N days\".",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a trigger.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var target: PipelineOption
        @Option(help: "When: \"0 3 * * 1-5\", \"@daily\", \"every 14 days\".") var schedule: String
        @Option(help: "The time zone of a cron schedule (IANA name).") var timeZone: String = "UTC"
        @Option(help: "Jobs to run, comma-separated (all by default).") var jobs: String = "dataset,training,testing,deployment"

        func validate() throws {
            _ = try parseJobs(jobs)
            guard TimeZone(identifier: timeZone) != nil else { throw ValidationError("unknown time zone '\(timeZone)'") }
        }

        func run() async throws {
            let workspace = try await options.workspace()
            let pipeline = try await target.find(in: workspace)
            let zone = TimeZone(identifier: timeZone) ?? .gmt
            let parsed = try TriggerSchedule(parsing: schedule, timeZone: zone, now: Date())
            let trigger = try await pipeline.addTrigger(schedule: parsed, jobs: try parseJobs(jobs))
            if options.json {
                try printJSON(triggerObject(trigger, pipeline: try await pipeline.record().name))
            } else {
                print("trigger \(trigger.id): \(parsed); next run \(parsed.nextDate(after: Date()).map { ISO8601DateFormatter().string(from: $0) } ?? "never")")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List triggers.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Only this pipeline's triggers.") var pipeline: String?
        @Option(help: "The pipeline's repository, when several hold a pipeline of that name.") var repository: String?

        func run() async throws {
            let workspace = try await options.workspace()
            var only: [Pipeline]?
            if let pipeline { only = [try await findPipeline(pipeline, repository: repository, in: workspace)] }
            let (triggers, names) = try await allTriggers(in: workspace, of: only)
            if options.json {
                try printJSON(triggers.map { triggerObject($0, pipeline: names[$0.pipelineID] ?? "") })
            } else {
                print(renderTable(["trigger", "pipeline", "schedule", "jobs", "next run"], triggers.map {
                    [$0.id.rawValue, names[$0.pipelineID] ?? "", $0.schedule.description, $0.jobs.map(\.rawValue).joined(separator: ","),
                     $0.schedule.nextDate(after: Date()).map { ISO8601DateFormatter().string(from: $0) } ?? "never"]
                }))
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a trigger.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The trigger id.") var id: String

        func run() async throws {
            let workspace = try await options.workspace()
            let trigger = TriggerID(id)
            let (triggers, _) = try await allTriggers(in: workspace)
            guard let owner = triggers.first(where: { $0.id == trigger })?.pipelineID else {
                throw CommandFailure("no trigger with id '\(id)'")
            }
            try await workspace.pipeline(owner).removeTrigger(trigger)
            if options.json { try printJSON(["removed": id]) } else { print("removed trigger \(id)") }
        }
    }
}

/// The triggers of `pipelines` (every pipeline when nil), oldest first, and the names of their pipelines.
private func allTriggers(
    in workspace: Workspace, of pipelines: [Pipeline]? = nil
) async throws -> (triggers: [TriggerRecord], names: [PipelineID: String]) {
    var triggers: [TriggerRecord] = []
    var names: [PipelineID: String] = [:]
    let selected: [Pipeline]
    if let pipelines { selected = pipelines } else { selected = try await workspace.pipelines() }
    for pipeline in selected {
        names[pipeline.id] = try await pipeline.record().name
        triggers += try await pipeline.triggers()
    }
    // Stable: triggers created at the same instant keep their pipeline's order.
    let ordered = triggers.enumerated().sorted { ($0.element.createdAt, $0.offset) < ($1.element.createdAt, $1.offset) }
    return (ordered.map(\.element), names)
}

private func triggerObject(_ trigger: TriggerRecord, pipeline: String) -> [String: Any] {
    ["id": trigger.id.rawValue, "pipeline": pipeline, "schedule": trigger.schedule.description,
     "jobs": trigger.jobs.map(\.rawValue),
     "nextRun": trigger.schedule.nextDate(after: Date()).map { ISO8601DateFormatter().string(from: $0) as Any } ?? NSNull()]
}

/// `mlpipe scheduler`: runs due triggers until interrupted (SIGINT or SIGTERM), printing one
/// line per firing on stdout (JSON lines with `--json`). Several schedulers may share a
/// store: each firing is claimed once, and the others print that it was claimed elsewhere.
struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler", abstract: "Run due triggers until stopped (Ctrl-C).",
        discussion: """
            Prints one line per firing: its scheduled time, the trigger and pipeline, then the run and how it \
            ended, or that another scheduler sharing the store claimed it. Any number of schedulers may run \
            on one store; each firing runs once.
            """)
    @OptionGroup var options: GlobalOptions
    @Option(help: "Seconds between re-reads of the stored triggers.") var refresh: Double = 60
    @Flag(help: "Queue each firing's run in the store for `mlpipe worker` processes instead of running it here.")
    var queue = false
    @OptionGroup var leaseOptions: LeaseOptions

    func run() async throws {
        let workspace = try await options.workspace(
            clock: try AcceleratedClock.fromEnvironment() ?? SystemWallClock(), runLease: leaseOptions.policy)
        let (triggers, names) = try await allTriggers(in: workspace)
        FileHandle.standardError.write(Data("mlpipe scheduler: \(triggers.count) trigger(s); stop with Ctrl-C\n".utf8))
        let printer = FiringPrinter(workspace: workspace, names: names, json: options.json)
        let runs: TriggerRuns = queue ? .queue : .here
        let loop = Task { try await workspace.runScheduler(refresh: refresh, runs: runs) { report in await printer.print(report) } }
        let stop = Signals.waitForTermination()
        await stop.value
        loop.cancel()
        _ = await loop.result
        FileHandle.standardError.write(Data("mlpipe scheduler: stopped\n".utf8))
    }
}

/// Prints the scheduler's firing lines, one `write` each, naming pipelines (looked up once).
actor FiringPrinter {
    private let workspace: Workspace
    private var names: [PipelineID: String]
    private let json: Bool

    init(workspace: Workspace, names: [PipelineID: String], json: Bool) {
        self.workspace = workspace
        self.names = names
        self.json = json
    }

    /// One line for the firing: `<scheduled> trigger <id> (pipeline <name>): <what happened>`.
    func print(_ report: TriggerFiringReport) async {
        let pipeline = await name(of: report.trigger.pipelineID)
        let scheduled = ISO8601DateFormatter().string(from: report.scheduledAt)
        var object: [String: Any] = [
            "scheduledAt": scheduled, "trigger": report.trigger.triggerID.rawValue, "pipeline": pipeline,
        ]
        let text: String
        switch report.outcome {
        case .ran(let run):
            object["outcome"] = "ran"
            object["run"] = run.id.rawValue
            object["status"] = run.status.rawValue
            object["error"] = run.error.map { $0 as Any } ?? NSNull()
            text = "run \(run.id) \(run.status.rawValue)" + (run.error.map { ": \($0)" } ?? "")
        case .claimedElsewhere(let claim):
            object["outcome"] = "claimedElsewhere"
            object["claimedBy"] = claim.owner
            text = "claimed by another scheduler (\(claim.owner)); not run here"
        case .queued(let queued):
            object["outcome"] = "queued"
            object["queuedRun"] = queued.id.rawValue
            text = "queued as \(queued.id) for a worker"
        case .failed(let reason):
            object["outcome"] = "failed"
            object["error"] = reason
            text = "not run: \(reason)"
        case .stopped:
            object["outcome"] = "stopped"
            text = "not claimed: this scheduler was stopping (another scheduler on the store may run it)"
        }
        let line: String
        if json {
            do {
                line = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]),
                              as: UTF8.self)
            } catch {
                line = "{\"error\": \"cannot encode the firing of trigger \(report.trigger.triggerID)\"}"
            }
        } else {
            line = "\(scheduled) trigger \(report.trigger.triggerID) (pipeline \(pipeline)): \(text)"
        }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// The pipeline's name, read once; its identifier when it cannot be read (deleted meanwhile).
    private func name(of pipeline: PipelineID) async -> String {
        if let known = names[pipeline] { return known }
        do {
            let name = try await workspace.pipeline(pipeline).record().name
            names[pipeline] = name
            return name
        } catch {
            return pipeline.rawValue
        }
    }
}

/// Waits for SIGINT or SIGTERM.
enum Signals {
    static func waitForTermination() -> Task<Void, Never> {
        Task {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumed = ResumeOnce(continuation)
                for signalNumber in [SIGINT, SIGTERM] {
                    signal(signalNumber, SIG_IGN)
                    let source = DispatchSource.makeSignalSource(signal: signalNumber)
                    source.setEventHandler { resumed.resume() }
                    source.resume()
                    SignalSources.keep(source)
                }
            }
        }
    }
}

/// Resumes a continuation once, whichever signal comes first.
final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Void, Never>?
    init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }
    func resume() {
        lock.lock()
        let pending = continuation
        continuation = nil
        lock.unlock()
        pending?.resume()
    }
}

/// Keeps signal sources alive for the life of the process.
enum SignalSources {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
    private static let lock = NSLock()
    static func keep(_ source: any DispatchSourceSignal) {
        lock.lock()
        sources.append(source)
        lock.unlock()
    }
}
