import Foundation
import Synchronization

/// What became of one queued run a worker took (``Workspace/runNextQueued(worker:filter:)``).
public struct QueuedRunOutcome: Sendable, Hashable {
    /// The queued run as the worker left it (``QueuedRunState/finished`` unless the worker
    /// lost it meanwhile).
    public var queued: QueuedRunRecord
    /// The run recorded for this attempt: ended (any status), ``RunStatus/skipped`` when a
    /// trigger's pipeline was running already, ``RunStatus/failed`` when it could not start.
    public var run: RunRecord?

    /// An outcome.
    public init(queued: QueuedRunRecord, run: RunRecord?) {
        self.queued = queued
        self.run = run
    }
}

extension Pipeline {
    /// Queues a run of `jobs` in the store instead of running it here: a worker on any host
    /// sharing the store (``Workspace/runWorker(poll:filter:onRun:)``, `mlpipe worker`)
    /// claims it, runs it, and keeps its claim alive while it lasts. A worker lost mid-run
    /// (killed, cut off) stops renewing its claim; once it expires, the run is tried again
    /// by another worker while attempts are left, and marked abandoned otherwise. It is
    /// never run by two workers at once.
    ///
    /// ```swift
    /// let queued = try await pipeline.enqueueRun(jobs: [.training, .testing])
    /// // on another host: try await workspace.runWorker { outcome in print(outcome.run?.status as Any) }
    /// ```
    ///
    /// - Parameters:
    ///   - jobs: The jobs to run; all four by default.
    ///   - configurationVersion: The saved configuration version to run; nil runs the
    ///     current one when the run starts.
    ///   - maximumAttempts: 2 (the default) tries it again once when its worker is lost;
    ///     1 marks it abandoned instead.
    /// - Returns: The queued run.
    /// - Throws: ``PipelineError/notFound(_:)`` for a pipeline or configuration version
    ///   that does not exist; ``PipelineError/store(_:)`` when the store fails.
    public func enqueueRun(
        jobs: [JobKind] = JobKind.allCases, configurationVersion: Int? = nil, maximumAttempts: Int = 2
    ) async throws(PipelineError) -> QueuedRunRecord {
        let pipeline = try await record()
        if let configurationVersion {
            let stored = try await storage { try await workspace.store.configuration(of: id, version: configurationVersion) }
            guard stored != nil else {
                throw .notFound(.other(kind: "configuration version", id: "\(configurationVersion) of pipeline '\(pipeline.name)'"))
            }
        }
        let queued = QueuedRunRecord(
            pipelineID: id, jobs: Array(Set(jobs)).sorted(), configurationVersion: configurationVersion, enqueuedAt: workspace.clock.now,
            maximumAttempts: maximumAttempts)
        _ = try await storage { try await workspace.store.enqueueRun(queued, claimingFiringAs: nil) }
        return queued
    }
}

extension Workspace {
    /// The queued runs in `states` (all when nil), oldest first.
    ///
    /// ```swift
    /// let waiting = try await workspace.queuedRuns(in: [.queued, .claimed])
    /// ```
    ///
    /// - Throws: ``PipelineError/store(_:)`` when the store fails.
    public func queuedRuns(in states: Set<QueuedRunState>? = nil) async throws(PipelineError) -> [QueuedRunRecord] {
        try await storage { try await store.queuedRuns(in: states) }
    }

    /// How long a queued run waits for its pipeline when another run of it is going (runs
    /// of one pipeline queued together run one after another): an hour.
    static let queuedRunPatience: Duration = .seconds(3_600)

    /// This process as a worker: `<host> pid <pid> worker <random>`.
    public static func workerName() -> String { "\(processIdentity) worker \(UUID().uuidString.prefix(8).lowercased())" }

    /// Claims the oldest queued run `filter` admits (or one whose worker was lost) and runs
    /// it here, keeping the claim alive every ``RunLeasePolicy/heartbeat`` for
    /// ``RunLeasePolicy/duration`` while the run lasts.
    ///
    /// A retried run first marks the run its lost worker left `running` as failed. A
    /// trigger firing's first attempt is recorded as skipped when its pipeline is running
    /// already, as an in-place firing is; other runs wait for the pipeline (up to an hour,
    /// keeping their claim), so runs of one pipeline queued together run one after another.
    /// A run that cannot start is recorded as failed. When the claim is
    /// lost meanwhile (this worker was cut off long enough for another to take it), the run
    /// is cancelled.
    ///
    /// ```swift
    /// while let outcome = try await workspace.runNextQueued() { print(outcome.run?.status as Any) }
    /// ```
    ///
    /// - Parameters:
    ///   - worker: Who claims it (its name in the store); ``workerName()`` by default.
    ///   - filter: Which runs it may take.
    /// - Returns: What became of the run, or nil when none was waiting.
    /// - Throws: ``PipelineError/store(_:)`` when the claim itself fails.
    public func runNextQueued(worker: String = Workspace.workerName(), filter: QueuedRunFilter = .any) async throws(PipelineError)
        -> QueuedRunOutcome?
    {
        let duration = runLease.duration
        guard let claimed = try await storage({ try await store.claimQueuedRun(worker: worker, for: duration, filter: filter) }) else {
            return nil
        }
        return await runClaimed(claimed, worker: worker)
    }

    /// Runs queued runs as they come until the calling task is cancelled, looking for one
    /// every `poll` when none is waiting. A store failure is logged and retried at the next poll.
    ///
    /// ```swift
    /// let worker = Task { await workspace.runWorker { outcome in print(outcome.queued.id, outcome.run?.status as Any) } }
    /// // … worker.cancel()
    /// ```
    ///
    /// - Parameters:
    ///   - poll: How long to wait (real time) when nothing is waiting.
    ///   - filter: Which runs this worker takes.
    ///   - onRun: Hears each run's outcome.
    public func runWorker(
        poll: Duration = .seconds(1), filter: QueuedRunFilter = .any, onRun: (@Sendable (QueuedRunOutcome) async -> Void)? = nil
    ) async {
        let worker = Self.workerName()
        while !Task.isCancelled {
            do throws(PipelineError) {
                if let outcome = try await runNextQueued(worker: worker, filter: filter) {
                    await onRun?(outcome)
                    continue
                }
            } catch {
                logger.warning("worker \(worker): could not claim a queued run (trying again): \(error)")
            }
            do { try await Task.sleep(for: poll) } catch { return }
        }
    }

    /// Runs a claimed queued run under its heartbeat and finishes it.
    func runClaimed(_ claimed: QueuedRunRecord, worker: String) async -> QueuedRunOutcome {
        let beat = QueueHeartbeat()
        let heartbeat = Task { [self] in await keepClaimed(claimed, worker: worker, beat: beat) }
        defer { heartbeat.cancel() }
        await markLostAttempts(of: claimed)
        let run = await startQueued(claimed, worker: worker, beat: beat)
        do {
            let finished = try await uncancelled { [store] in
                try await store.finishQueuedRun(claimed.id, worker: worker, run: run?.id, error: run == nil ? beat.lost : nil)
            }
            return QueuedRunOutcome(queued: finished, run: run)
        } catch {
            logger.error("queued run \(claimed.id): could not be finished by \(worker): \(error)")
        }
        // Not finished here (the claim was lost, or the store failed): what the store holds now.
        do {
            return QueuedRunOutcome(queued: try await store.queuedRun(claimed.id) ?? claimed, run: run)
        } catch {
            logger.error("queued run \(claimed.id): could not be read back: \(error)")
            return QueuedRunOutcome(queued: claimed, run: run)
        }
    }

    /// Starts the queued run (or records why it did not start) and waits for it.
    private func startQueued(_ claimed: QueuedRunRecord, worker: String, beat: QueueHeartbeat) async -> RunRecord? {
        let firstFiring = claimed.firing != nil && claimed.attempts == 1
        let origin = claimed.origin
        do throws(PipelineError) {
            let started = try await startRun(
                of: Pipeline(id: claimed.pipelineID, workspace: self), jobs: claimed.jobs, origin: origin,
                ifRunning: firstFiring ? .refuse : .wait(timeout: Self.queuedRunPatience),
                version: claimed.configurationVersion)
            beat.started(started)
            await nameRun(started.id, of: claimed, worker: worker)
            return await started.result()
        } catch {
            if case .alreadyRunning = error, firstFiring {
                return await recordUnstarted(
                    pipeline: claimed.pipelineID, jobs: claimed.jobs, origin: origin, status: .skipped, reason: "the pipeline was already running"
                ).run
            }
            if Task.isCancelled {
                // The worker or scheduler was told to stop before the run started: the claimed
                // run is still recorded, as cancelled, so it is not lost without a trace.
                return await recordUnstarted(
                    pipeline: claimed.pipelineID, jobs: claimed.jobs, origin: origin, status: .cancelled,
                    reason: "\(worker) stopped before the run started"
                ).run
            }
            return await recordUnstarted(
                pipeline: claimed.pipelineID, jobs: claimed.jobs, origin: origin, status: .failed, reason: error.description
            ).run
        }
    }

    /// Records the run's identifier with the claim at once, so that if this worker is lost
    /// the next attempt finds the run it left `running`.
    private func nameRun(_ run: RunID, of claimed: QueuedRunRecord, worker: String) async {
        do {
            _ = try await store.renewQueuedRun(claimed.id, worker: worker, for: runLease.duration, run: run)
        } catch {
            logger.warning("queued run \(claimed.id): could not record its run \(run) (the heartbeat goes on): \(error)")
        }
    }

    /// Renews the claim every heartbeat; cancels the run when the claim is lost.
    private func keepClaimed(_ claimed: QueuedRunRecord, worker: String, beat: QueueHeartbeat) async {
        while true {
            do { try await Task.sleep(for: runLease.heartbeat) } catch { return }
            do {
                _ = try await store.renewQueuedRun(claimed.id, worker: worker, for: runLease.duration, run: nil)
            } catch StoreError.leaseNotHeld(_, _, let holder) {
                let reason = "worker \(worker) lost its claim on queued run \(claimed.id)" + (holder.map { " to \($0)" } ?? "")
                logger.error("\(reason); its run is cancelled")
                beat.lose(reason)
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("queued run \(claimed.id): renewing its claim failed (retrying at the next beat): \(error)")
            }
        }
    }

    /// Marks failed the runs an earlier attempt left `running` (its worker was lost).
    private func markLostAttempts(of claimed: QueuedRunRecord) async {
        guard claimed.attempts > 1 else { return }
        for id in claimed.runs {
            do {
                guard var run = try await store.run(id), run.status == .running else { continue }
                run.status = .failed
                run.finishedAt = clock.now
                run.error = "its worker was lost mid-run (it stopped renewing its claim on queued run \(claimed.id)); the run was tried again"
                try await store.updateRun(run)
            } catch {
                logger.warning("queued run \(claimed.id): could not mark the lost attempt's run \(id) failed: \(error)")
            }
        }
    }
}

/// What a queued run's heartbeat and its runner share: the run once started, and why the
/// claim was lost, if it was (then the run is cancelled).
final class QueueHeartbeat: Sendable {
    private struct State {
        var run: PipelineRun?
        var lost: String?
    }
    private let state = Mutex(State())

    var run: PipelineRun? { state.withLock { $0.run } }
    var lost: String? { state.withLock { $0.lost } }

    func started(_ run: PipelineRun) {
        let lost = state.withLock { state -> Bool in
            state.run = run
            return state.lost != nil
        }
        if lost { run.cancel() }
    }

    func lose(_ reason: String) {
        let run = state.withLock { state -> PipelineRun? in
            state.lost = reason
            return state.run
        }
        run?.cancel()
    }
}
