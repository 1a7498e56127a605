public import Foundation

/// What a stored trigger starts: the scheduler's key for it.
public struct TriggerTarget: Sendable, Hashable {
    /// The trigger.
    public var triggerID: TriggerID
    /// The pipeline it runs.
    public var pipelineID: PipelineID
    /// The jobs it runs.
    public var jobs: [JobKind]

    /// A trigger target.
    public init(triggerID: TriggerID, pipelineID: PipelineID, jobs: [JobKind]) {
        self.triggerID = triggerID
        self.pipelineID = pipelineID
        self.jobs = jobs
    }
}

extension Workspace {
    /// Every stored trigger of every pipeline, oldest first (a pipeline's own:
    /// ``Pipeline/triggers()``).
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func triggers() async throws(PipelineError) -> [TriggerRecord] {
        try await storage { try await store.triggers(of: nil) }
    }

    /// A scheduler over the stored triggers, on the workspace's clock. Each firing is
    /// queued in the store with its claim (so of several schedulers sharing the store only
    /// one queues it); with ``TriggerRuns/here`` the scheduler then claims the queued run
    /// and runs it (origin ``RunOrigin/trigger(_:scheduledAt:)``), waiting for it; a firing
    /// while the pipeline is running is recorded as a ``RunStatus/skipped`` run. With
    /// ``TriggerRuns/queue`` it leaves the run to workers. `onFiring` hears what became of
    /// each firing.
    ///
    /// ```swift
    /// let scheduler = try await workspace.makeScheduler()
    /// let loop = Task { await scheduler.run() }   // until loop.cancel()
    /// ```
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func makeScheduler(
        runs: TriggerRuns = .here, onFiring: (@Sendable (TriggerFiringReport) async -> Void)? = nil
    ) async throws(PipelineError) -> TriggerScheduler<TriggerTarget> {
        let scheduled = try await triggers().map(Self.scheduled)
        return TriggerScheduler(clock: clock, triggers: scheduled) { [self] target, scheduledAt in
            let report = await handleFiring(target, scheduledAt: scheduledAt, runs: runs)
            await onFiring?(report)
        }
    }

    /// Runs the scheduler until the calling task is cancelled, re-reading the stored
    /// triggers every `refresh` seconds of the workspace's clock (so triggers added by
    /// another process are picked up), and recording skipped firings as runs. Any number
    /// of schedulers may share one store, on any hosts: each firing is claimed once, in the
    /// same transaction that queues its run
    /// (``RunQueueStore/enqueueRun(_:claimingFiringAs:)``), and only its claimer runs it
    /// (``TriggerRuns/here``) or leaves it to workers (``TriggerRuns/queue``).
    ///
    /// A scheduler that runs firings here also takes over, every
    /// ``RunLeasePolicy/heartbeat``, the queued firings whose runner stopped renewing its
    /// claim (a scheduler killed mid-run): such a firing runs again once, on another
    /// scheduler, after its claim expires.
    ///
    /// ```swift
    /// try await workspace.runScheduler(refresh: 60) { report in print(report) }
    /// ```
    ///
    /// - Parameters:
    ///   - refresh: Seconds between re-reads of the stored triggers.
    ///   - runs: Run each firing here (the default), or queue it for workers.
    ///   - onFiring: Called once per firing this scheduler handled, with what became of it
    ///     (run, skipped, claimed by another scheduler, or failed).
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)`` when the
    ///   triggers cannot be read at start.
    public func runScheduler(
        refresh: TimeInterval = 60, runs: TriggerRuns = .here, onFiring: (@Sendable (TriggerFiringReport) async -> Void)? = nil
    ) async throws(PipelineError) {
        let scheduler = try await makeScheduler(runs: runs, onFiring: onFiring)
        let events = await scheduler.events
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await scheduler.run() }
            if runs == .here {
                group.addTask { [self] in await recoverFirings(onFiring: onFiring) }
            }
            group.addTask { [self] in
                for await firing in events where firing.outcome == .skippedAlreadyRunning {
                    let report = await recordSkippedFiring(
                        firing.key, scheduledAt: firing.scheduledAt, reason: "the previous run of this trigger is still going")
                    await onFiring?(report)
                }
            }
            group.addTask { [self] in
                while !Task.isCancelled {
                    do { try await clock.sleep(until: clock.now.addingTimeInterval(refresh)) } catch { return }
                    do {
                        await scheduler.update(try await triggers().map(Self.scheduled))
                    } catch {
                        // Keep the triggers known so far; the next refresh tries again.
                        logger.warning("the scheduler could not re-read the triggers: \(error)")
                    }
                }
            }
            await group.waitForAll()
        }
    }

    private static func scheduled(_ trigger: TriggerRecord) -> ScheduledTrigger<TriggerTarget> {
        ScheduledTrigger(
            id: trigger.id.rawValue, key: TriggerTarget(triggerID: trigger.id, pipelineID: trigger.pipelineID, jobs: trigger.jobs),
            schedule: trigger.schedule)
    }

    /// What a trigger firing does, callable directly (tests, hosts with their own
    /// scheduler): claims the firing in the store — when another scheduler claimed it (or
    /// a later firing of the trigger), nothing is run or recorded — then starts the run and
    /// waits for it; records a skipped run when the pipeline is already running, a failed
    /// one when it cannot start.
    ///
    /// - Returns: What became of the firing.
    @discardableResult
    public func fireTrigger(_ target: TriggerTarget, scheduledAt: Date) async -> TriggerFiringReport {
        await handleFiring(target, scheduledAt: scheduledAt, runs: .here)
    }

    /// Queues the firing's run with its claim; then, with ``TriggerRuns/here``, claims it
    /// and runs it.
    private func handleFiring(_ target: TriggerTarget, scheduledAt: Date, runs: TriggerRuns) async -> TriggerFiringReport {
        func report(_ outcome: TriggerFiringReport.Outcome) -> TriggerFiringReport {
            TriggerFiringReport(trigger: target, scheduledAt: scheduledAt, outcome: outcome)
        }
        // A scheduler told to stop leaves the firing to the others sharing the store.
        guard !Task.isCancelled else { return report(.stopped) }
        let worker = schedulerName
        let queued = QueuedRunRecord(
            pipelineID: target.pipelineID, jobs: target.jobs, origin: .trigger(target.triggerID, scheduledAt: scheduledAt),
            enqueuedAt: clock.now)
        let duration = runLease.duration
        let claimed: QueuedRunRecord
        do {
            // Queued and claimed to the end even when a stop comes meanwhile, so a firing this
            // scheduler claimed is always followed by its run (cancelled, if it was stopped).
            switch try await uncancelled({ [store] in try await store.enqueueRun(queued, claimingFiringAs: worker) }) {
            case .firingTaken(let other):
                logger.debug("trigger \(target.triggerID) at \(scheduledAt): claimed by \(other.owner) already")
                return report(.claimedElsewhere(other))
            case .enqueued(let record):
                guard runs == .here else { return report(.queued(record)) }
                let mine = try await uncancelled { [store] in
                    try await store.claimQueuedRun(worker: worker, for: duration, filter: .only(record.id))
                }
                guard let mine else {
                    return report(.queued(record))  // another scheduler took it over meanwhile, and runs it
                }
                claimed = mine
            }
        } catch {
            logger.error("trigger \(target.triggerID) at \(scheduledAt) was not run: its firing could not be queued: \(error)")
            return report(.failed("its firing could not be queued: \(error)"))
        }
        let outcome = await runClaimed(claimed, worker: worker)
        guard let run = outcome.run else { return report(.failed(outcome.queued.error ?? "its run could not be recorded")) }
        return report(.ran(run))
    }

    /// Takes over, every heartbeat, the queued trigger firings whose runner was lost, and
    /// runs them here (until cancelled).
    private func recoverFirings(onFiring: (@Sendable (TriggerFiringReport) async -> Void)?) async {
        let worker = schedulerName
        while !Task.isCancelled {
            do { try await Task.sleep(for: runLease.heartbeat) } catch { return }
            do throws(PipelineError) {
                while let outcome = try await runNextQueued(worker: worker, filter: .triggerFirings) {
                    guard let firing = outcome.queued.firing else { continue }
                    let target = TriggerTarget(triggerID: firing.trigger, pipelineID: outcome.queued.pipelineID, jobs: outcome.queued.jobs)
                    let result: TriggerFiringReport.Outcome = outcome.run.map { .ran($0) } ?? .failed(outcome.queued.error ?? "its run could not be recorded")
                    await onFiring?(TriggerFiringReport(trigger: target, scheduledAt: firing.scheduledAt, outcome: result))
                }
            } catch {
                logger.warning("the scheduler could not look for firings to take over (trying again): \(error)")
            }
        }
    }

    /// Claims a firing that this scheduler skips (its previous run still going here) and
    /// records it as a skipped run.
    private func recordSkippedFiring(_ target: TriggerTarget, scheduledAt: Date, reason: String) async -> TriggerFiringReport {
        func report(_ outcome: TriggerFiringReport.Outcome) -> TriggerFiringReport {
            TriggerFiringReport(trigger: target, scheduledAt: scheduledAt, outcome: outcome)
        }
        guard !Task.isCancelled else { return report(.stopped) }
        let owner = schedulerName
        do {
            let claim = try await uncancelled { [store] in
                try await store.claimFiring(trigger: target.triggerID, scheduledAt: scheduledAt, owner: owner)
            }
            if case .taken(let other) = claim {
                logger.debug("trigger \(target.triggerID) at \(scheduledAt): claimed by \(other.owner) already")
                return report(.claimedElsewhere(other))
            }
        } catch {
            logger.error("trigger \(target.triggerID) at \(scheduledAt) was not run: its firing could not be claimed: \(error)")
            return report(.failed("its firing could not be claimed: \(error)"))
        }
        return report(await recordUnstarted(target, scheduledAt: scheduledAt, status: .skipped, reason: reason))
    }

    /// This workspace as a scheduler: the owner of its firing claims and the worker of the
    /// firings it runs.
    private var schedulerName: String { "scheduler on \(identity)" }

    /// Records a run that did not start (skipped or failed) and says so.
    private func recordUnstarted(_ target: TriggerTarget, scheduledAt: Date, status: RunStatus, reason: String) async
        -> TriggerFiringReport.Outcome
    {
        let recorded = await recordUnstarted(
            pipeline: target.pipelineID, jobs: target.jobs, origin: .trigger(target.triggerID, scheduledAt: scheduledAt), status: status,
            reason: reason)
        if let run = recorded.run { return .ran(run) }
        return .failed(recorded.failure ?? reason)
    }

    /// Records a run of `jobs` of `pipeline` that did not start (skipped or failed): the
    /// run, or why it could not be recorded.
    func recordUnstarted(pipeline: PipelineID, jobs: [JobKind], origin: RunOrigin, status: RunStatus, reason: String) async
        -> (run: RunRecord?, failure: String?)
    {
        logger.debug("a run of pipeline \(pipeline) \(status.rawValue): \(reason)")
        // Recorded even when the caller is being cancelled (a scheduler or worker stopping).
        let version: Int
        do { version = try await uncancelled { [store] in try await store.pipeline(pipeline)?.configurationVersion ?? 0 } } catch {
            logger.error("could not record the \(status.rawValue) run of pipeline \(pipeline): \(error)")
            return (nil, "\(reason); the \(status.rawValue) run could not be recorded: \(error)")
        }
        let now = clock.now
        let record = RunRecord(
            pipelineID: pipeline, configurationVersion: version, origin: origin,
            jobs: jobs, status: status, startedAt: now, finishedAt: now,
            outcomes: jobs.map { JobOutcome(job: $0, status: .skipped, startedAt: nil, finishedAt: nil) }, error: reason)
        do { try await uncancelled { [store] in try await store.insertRun(record) } } catch {
            logger.error("could not record the \(status.rawValue) run: \(error)")
            return (nil, "\(reason); the \(status.rawValue) run could not be recorded: \(error)")
        }
        return (record, nil)
    }
}

/// What became of one trigger firing a scheduler handled
/// (``Workspace/fireTrigger(_:scheduledAt:)``, ``Workspace/runScheduler(refresh:onFiring:)``).
///
/// ```swift
/// try await workspace.runScheduler { report in
///     if case .ran(let run) = report.outcome { print("\(report.trigger.triggerID): run \(run.id) \(run.status)") }
/// }
/// ```
public struct TriggerFiringReport: Sendable, Hashable {
    /// What became of it.
    public enum Outcome: Sendable, Hashable {
        /// This scheduler claimed the firing and recorded this run: finished (any status),
        /// ``RunStatus/skipped`` because the pipeline was running, or
        /// ``RunStatus/failed`` because it could not start.
        case ran(RunRecord)
        /// Another scheduler (or an earlier call) claimed this firing, or a later one of the
        /// trigger: nothing was run or recorded here. Carries the claim that stands.
        case claimedElsewhere(FiringClaimRecord)
        /// This scheduler queued the firing's run for a worker (``TriggerRuns/queue``), or
        /// queued it and another scheduler took it over before it could start it here.
        case queued(QueuedRunRecord)
        /// It could not be claimed or recorded (the store failed, or the trigger was
        /// removed meanwhile): why.
        case failed(String)
        /// The scheduler was stopping when the firing came due: it neither queued nor
        /// claimed it, so another scheduler sharing the store may. (A firing claimed before
        /// the stop is ``ran(_:)``, with a ``RunStatus/cancelled`` run if the stop came
        /// before the run ended.)
        case stopped
    }

    /// The trigger and what it runs.
    public var trigger: TriggerTarget
    /// The instant the firing was scheduled for.
    public var scheduledAt: Date
    /// What became of it.
    public var outcome: Outcome

    /// A firing report.
    public init(trigger: TriggerTarget, scheduledAt: Date, outcome: Outcome) {
        self.trigger = trigger
        self.scheduledAt = scheduledAt
        self.outcome = outcome
    }
}

/// Where a scheduler's firings run (``Workspace/runScheduler(refresh:runs:onFiring:)``).
public enum TriggerRuns: Sendable, Hashable {
    /// In the scheduler's process: it queues the firing's run, claims it and runs it
    /// (and takes over firings whose scheduler was lost).
    case here
    /// In the store's run queue, for workers (``Workspace/runWorker(poll:filter:onRun:)``,
    /// `mlpipe worker`) on any host: training leaves the scheduler's machine.
    case queue
}
