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

    /// A scheduler over the stored triggers, on the workspace's clock. Each firing starts
    /// a run (origin ``RunOrigin/trigger(_:scheduledAt:)``) and waits for it; a firing
    /// while the pipeline is running is recorded as a ``RunStatus/skipped`` run.
    ///
    /// ```swift
    /// let scheduler = try await workspace.makeScheduler()
    /// let loop = Task { await scheduler.run() }   // until loop.cancel()
    /// ```
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)``.
    public func makeScheduler() async throws(PipelineError) -> TriggerScheduler<TriggerTarget> {
        let scheduled = try await triggers().map(Self.scheduled)
        return TriggerScheduler(clock: clock, triggers: scheduled) { [self] target, scheduledAt in
            await fireTrigger(target, scheduledAt: scheduledAt)
        }
    }

    /// Runs the scheduler until the calling task is cancelled, re-reading the stored
    /// triggers every `refresh` seconds of the workspace's clock (so triggers added by
    /// another process are picked up), and recording skipped firings as runs.
    ///
    /// - Throws: ``PipelineError/store(_:)`` or ``PipelineError/backend(_:)`` when the
    ///   triggers cannot be read at start.
    public func runScheduler(refresh: TimeInterval = 60) async throws(PipelineError) {
        let scheduler = try await makeScheduler()
        let events = await scheduler.events
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await scheduler.run() }
            group.addTask { [self] in
                for await firing in events where firing.outcome == .skippedAlreadyRunning {
                    await recordSkipped(firing.key, scheduledAt: firing.scheduledAt, reason: "the previous run of this trigger is still going")
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
    /// scheduler): starts the run and waits for it; records a skipped run when the
    /// pipeline is already running, a failed one when it cannot start.
    public func fireTrigger(_ target: TriggerTarget, scheduledAt: Date) async {
        do throws(PipelineError) {
            let run = try await startRun(
                of: Pipeline(id: target.pipelineID, workspace: self), jobs: target.jobs,
                origin: .trigger(target.triggerID, scheduledAt: scheduledAt))
            _ = await run.result()
        } catch {
            if case .alreadyRunning = error {
                await recordSkipped(target, scheduledAt: scheduledAt, reason: "the pipeline was already running")
            } else {
                await recordUnstarted(target, scheduledAt: scheduledAt, status: .failed, reason: error.description)
            }
        }
    }

    private func recordSkipped(_ target: TriggerTarget, scheduledAt: Date, reason: String) async {
        logger.debug("trigger \(target.triggerID) skipped: \(reason)")
        await recordUnstarted(target, scheduledAt: scheduledAt, status: .skipped, reason: reason)
    }

    private func recordUnstarted(_ target: TriggerTarget, scheduledAt: Date, status: RunStatus, reason: String) async {
        let version: Int
        do { version = try await store.pipeline(target.pipelineID)?.configurationVersion ?? 0 } catch {
            logger.error("could not record the \(status.rawValue) run of trigger \(target.triggerID): \(error)")
            return
        }
        let now = clock.now
        let record = RunRecord(
            pipelineID: target.pipelineID, configurationVersion: version, origin: .trigger(target.triggerID, scheduledAt: scheduledAt),
            jobs: target.jobs, status: status, startedAt: now, finishedAt: now,
            outcomes: target.jobs.map { JobOutcome(job: $0, status: .skipped, startedAt: nil, finishedAt: nil) }, error: reason)
        do { try await store.insertRun(record) } catch { logger.error("could not record the \(status.rawValue) run: \(error)") }
    }
}
