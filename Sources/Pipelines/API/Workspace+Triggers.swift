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
    /// claimed in the store first (so of several schedulers sharing the store only one runs
    /// it), then starts a run (origin ``RunOrigin/trigger(_:scheduledAt:)``) and waits for
    /// it; a firing while the pipeline is running is recorded as a
    /// ``RunStatus/skipped`` run. `onFiring` hears what became of each firing.
    ///
    /// ```swift
    /// let scheduler = try await workspace.makeScheduler()
    /// let loop = Task { await scheduler.run() }   // until loop.cancel()
    /// ```
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func makeScheduler(
        onFiring: (@Sendable (TriggerFiringReport) async -> Void)? = nil
    ) async throws(PipelineError) -> TriggerScheduler<TriggerTarget> {
        let scheduled = try await triggers().map(Self.scheduled)
        return TriggerScheduler(clock: clock, triggers: scheduled) { [self] target, scheduledAt in
            let report = await fireTrigger(target, scheduledAt: scheduledAt)
            await onFiring?(report)
        }
    }

    /// Runs the scheduler until the calling task is cancelled, re-reading the stored
    /// triggers every `refresh` seconds of the workspace's clock (so triggers added by
    /// another process are picked up), and recording skipped firings as runs. Any number
    /// of schedulers may share one store: each firing is claimed once
    /// (``TriggerStore/claimFiring(trigger:scheduledAt:owner:)``), and only its claimer
    /// runs or records it.
    ///
    /// ```swift
    /// try await workspace.runScheduler(refresh: 60) { report in print(report) }
    /// ```
    ///
    /// - Parameters:
    ///   - refresh: Seconds between re-reads of the stored triggers.
    ///   - onFiring: Called once per firing this scheduler handled, with what became of it
    ///     (run, skipped, claimed by another scheduler, or failed).
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)`` when the
    ///   triggers cannot be read at start.
    public func runScheduler(
        refresh: TimeInterval = 60, onFiring: (@Sendable (TriggerFiringReport) async -> Void)? = nil
    ) async throws(PipelineError) {
        let scheduler = try await makeScheduler(onFiring: onFiring)
        let events = await scheduler.events
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await scheduler.run() }
            group.addTask { [self] in
                for await firing in events where firing.outcome == .skippedAlreadyRunning {
                    let report = await handleFiring(
                        firing.key, scheduledAt: firing.scheduledAt, skipping: "the previous run of this trigger is still going")
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
        await handleFiring(target, scheduledAt: scheduledAt, skipping: nil)
    }

    /// Claims the firing, then runs it — or, with a `skipping` reason, records it as skipped.
    private func handleFiring(_ target: TriggerTarget, scheduledAt: Date, skipping: String?) async -> TriggerFiringReport {
        func report(_ outcome: TriggerFiringReport.Outcome) -> TriggerFiringReport {
            TriggerFiringReport(trigger: target, scheduledAt: scheduledAt, outcome: outcome)
        }
        do {
            let claim = try await store.claimFiring(
                trigger: target.triggerID, scheduledAt: scheduledAt, owner: "scheduler on \(identity)")
            if case .taken(let other) = claim {
                logger.debug("trigger \(target.triggerID) at \(scheduledAt): claimed by \(other.owner) already")
                return report(.claimedElsewhere(other))
            }
        } catch {
            logger.error("trigger \(target.triggerID) at \(scheduledAt) was not run: its firing could not be claimed: \(error)")
            return report(.failed("its firing could not be claimed: \(error)"))
        }
        if let skipping {
            return report(await recordUnstarted(target, scheduledAt: scheduledAt, status: .skipped, reason: skipping))
        }
        do throws(PipelineError) {
            let run = try await startRun(
                of: Pipeline(id: target.pipelineID, workspace: self), jobs: target.jobs,
                origin: .trigger(target.triggerID, scheduledAt: scheduledAt))
            return report(.ran(await run.result()))
        } catch {
            if case .alreadyRunning = error {
                return report(await recordUnstarted(
                    target, scheduledAt: scheduledAt, status: .skipped, reason: "the pipeline was already running"))
            }
            return report(await recordUnstarted(target, scheduledAt: scheduledAt, status: .failed, reason: error.description))
        }
    }

    /// Records a run that did not start (skipped or failed) and says so.
    private func recordUnstarted(_ target: TriggerTarget, scheduledAt: Date, status: RunStatus, reason: String) async
        -> TriggerFiringReport.Outcome
    {
        let recorded = await recordUnstarted(target, origin: .trigger(target.triggerID, scheduledAt: scheduledAt), status: status, reason: reason)
        if let run = recorded.run { return .ran(run) }
        return .failed(recorded.failure ?? reason)
    }

    /// Records a run of `target`'s jobs that did not start (skipped or failed): the run, or
    /// why it could not be recorded.
    func recordUnstarted(_ target: TriggerTarget, origin: RunOrigin, status: RunStatus, reason: String) async
        -> (run: RunRecord?, failure: String?)
    {
        logger.debug("a run of pipeline \(target.pipelineID) \(status.rawValue): \(reason)")
        let version: Int
        do { version = try await store.pipeline(target.pipelineID)?.configurationVersion ?? 0 } catch {
            logger.error("could not record the \(status.rawValue) run of pipeline \(target.pipelineID): \(error)")
            return (nil, "\(reason); the \(status.rawValue) run could not be recorded: \(error)")
        }
        let now = clock.now
        let record = RunRecord(
            pipelineID: target.pipelineID, configurationVersion: version, origin: origin,
            jobs: target.jobs, status: status, startedAt: now, finishedAt: now,
            outcomes: target.jobs.map { JobOutcome(job: $0, status: .skipped, startedAt: nil, finishedAt: nil) }, error: reason)
        do { try await store.insertRun(record) } catch {
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
        /// It could not be claimed or recorded (the store failed, or the trigger was
        /// removed meanwhile): why.
        case failed(String)
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
