public import Foundation

/// A named schedule that starts the action for `key` when it fires.
///
/// ```swift
/// let trigger = ScheduledTrigger(id: "nightly-retrain", key: pipelineID,
///                                schedule: try TriggerSchedule(parsing: "0 3 * * *", now: .now))
/// ```
public struct ScheduledTrigger<Key: Hashable & Sendable>: Sendable, Hashable {
    /// Identifies the trigger; unique within a scheduler.
    public var id: String
    /// What the action is started for; firings for a key whose action is still running are skipped.
    public var key: Key
    /// When the trigger fires.
    public var schedule: TriggerSchedule

    /// Creates a trigger.
    ///
    /// - Parameters:
    ///   - id: Identifies the trigger; unique within a scheduler.
    ///   - key: What the action is started for.
    ///   - schedule: When the trigger fires.
    public init(id: String, key: Key, schedule: TriggerSchedule) {
        self.id = id
        self.key = key
        self.schedule = schedule
    }
}

/// One firing of a trigger and what the scheduler did about it.
///
/// ```swift
/// for await firing in await scheduler.events where firing.outcome == .skippedAlreadyRunning {
///     log.warning("\(firing.triggerID) skipped at \(firing.scheduledAt): previous run still going")
/// }
/// ```
public struct TriggerFiring<Key: Hashable & Sendable>: Sendable, Hashable {
    /// What the scheduler did when the trigger fired.
    public enum Outcome: Sendable, Hashable {
        /// The action was started.
        case started
        /// The action for the same key was still running, so nothing was started.
        case skippedAlreadyRunning
    }

    /// The ``ScheduledTrigger/id`` of the trigger that fired.
    public var triggerID: String
    /// The trigger's key.
    public var key: Key
    /// The instant the firing was scheduled for (the action may start slightly later).
    public var scheduledAt: Date
    /// What the scheduler did.
    public var outcome: Outcome

    /// Creates a firing record.
    ///
    /// - Parameters:
    ///   - triggerID: The id of the trigger that fired.
    ///   - key: The trigger's key.
    ///   - scheduledAt: The instant the firing was scheduled for.
    ///   - outcome: What the scheduler did.
    public init(triggerID: String, key: Key, scheduledAt: Date, outcome: Outcome) {
        self.triggerID = triggerID
        self.key = key
        self.scheduledAt = scheduledAt
        self.outcome = outcome
    }
}

/// Runs an action whenever one of its triggers fires, never twice at once for the same key.
///
/// ``run()`` sleeps on the clock until the earliest next firing of any trigger, then handles
/// every trigger due at that instant in the order they were given: if the action for the
/// trigger's key is still running the firing is recorded as
/// ``TriggerFiring/Outcome/skippedAlreadyRunning``; otherwise the action is started in its
/// own task and the key counts as running until it returns. Every firing is recorded in
/// ``firings`` and sent to the ``events`` streams.
///
/// Missed firings are not caught up:
/// - firings that fell while ``run()`` was not running are dropped; each run starts
///   looking for firings after `clock.now`;
/// - if the loop wakes late (a slow host, a suspended machine, a manual clock advanced past
///   several firings at once), each overdue trigger fires once, for the earliest instant it
///   missed, and then looks for its next firing after the current time.
///
/// ```swift
/// let scheduler = TriggerScheduler<String>(
///     clock: SystemWallClock(),
///     triggers: [ScheduledTrigger(id: "nightly", key: "churn-model",
///                                 schedule: try TriggerSchedule(parsing: "0 3 * * *", now: .now))]
/// ) { pipeline, scheduledAt in
///     await jobs.start(pipeline, reason: .scheduled(scheduledAt))
/// }
/// let loop = Task { await scheduler.run() }
/// // …
/// loop.cancel()
/// ```
public actor TriggerScheduler<Key: Hashable & Sendable> {
    private let clock: any WallClock
    private let action: @Sendable (Key, Date) async -> Void

    /// The triggers, ids unique, in the order given.
    private var triggers: [ScheduledTrigger<Key>]
    /// Each trigger's next firing by id, while ``run()`` is running; absent when it has none.
    private var nextDates: [String: Date] = [:]
    private var isRunning = false
    /// The sleep ``run()`` is waiting on, cancelled by ``update(_:)`` to re-plan.
    private var currentSleep: Task<Void, any Error>?
    private var running: Set<Key> = []
    private var inFlight: [UInt64: Task<Void, Never>] = [:]
    private var nextActionID: UInt64 = 0
    private var subscribers: [UInt64: AsyncStream<TriggerFiring<Key>>.Continuation] = [:]
    private var nextSubscriberID: UInt64 = 0

    /// Every firing since the scheduler was created, oldest first.
    public private(set) var firings: [TriggerFiring<Key>] = []

    /// Creates a scheduler; nothing fires until ``run()`` is called.
    ///
    /// - Parameters:
    ///   - clock: The clock to read and sleep on.
    ///   - triggers: The initial triggers; ids should be unique (the last one with an id wins).
    ///   - action: Started for a trigger's key and scheduled instant each time it fires,
    ///     unless the action for that key is still running.
    public init(
        clock: any WallClock,
        triggers: [ScheduledTrigger<Key>] = [],
        action: @escaping @Sendable (Key, Date) async -> Void
    ) {
        self.clock = clock
        self.triggers = Self.uniqued(triggers)
        self.action = action
    }

    deinit {
        for continuation in subscribers.values {
            continuation.finish()
        }
    }

    /// The keys whose action is currently running.
    public var runningKeys: Set<Key> { running }

    /// A stream of every firing recorded from now on.
    ///
    /// Each access returns a new stream, so several observers can listen at once. A stream
    /// ends when its consumer stops iterating or when the scheduler is deallocated.
    public var events: AsyncStream<TriggerFiring<Key>> {
        let (stream, continuation) = AsyncStream.makeStream(of: TriggerFiring<Key>.self)
        let id = nextSubscriberID
        nextSubscriberID += 1
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        return stream
    }

    private func unsubscribe(_ id: UInt64) {
        subscribers[id] = nil
    }

    /// Replaces the triggers.
    ///
    /// While ``run()`` is running, the change takes effect at once: triggers that are new, or
    /// whose key or schedule changed, look for their next firing after `clock.now`; unchanged
    /// triggers keep their pending firing; removed ones stop. The current sleep is
    /// interrupted so the loop re-plans. An action already running is not affected.
    ///
    /// - Parameter newTriggers: The complete new set; ids should be unique (the last one
    ///   with an id wins).
    public func update(_ newTriggers: [ScheduledTrigger<Key>]) {
        let previous = Dictionary(uniqueKeysWithValues: triggers.map { ($0.id, $0) })
        triggers = Self.uniqued(newTriggers)
        guard isRunning else { return }
        let now = clock.now
        var dates: [String: Date] = [:]
        for trigger in triggers {
            if previous[trigger.id] == trigger {
                dates[trigger.id] = nextDates[trigger.id]
            } else {
                dates[trigger.id] = trigger.schedule.nextDate(after: now)
            }
        }
        nextDates = dates
        currentSleep?.cancel()
    }

    /// Fires triggers until the calling task is cancelled.
    ///
    /// Starts looking for firings after `clock.now`; firings missed while not running are not
    /// caught up. When cancelled it stops scheduling, cancels the actions still running and
    /// waits for them to return, so no action outlives the call. A second concurrent call
    /// returns immediately.
    public func run() async {
        guard !isRunning else { return }
        isRunning = true
        defer { isRunning = false }

        let start = clock.now
        nextDates = [:]
        for trigger in triggers {
            nextDates[trigger.id] = trigger.schedule.nextDate(after: start)
        }

        loop: while !Task.isCancelled {
            let deadline = nextDates.values.min() ?? .distantFuture
            let clock = self.clock
            let sleep = Task { try await clock.sleep(until: deadline) }
            currentSleep = sleep
            let result = await withTaskCancellationHandler {
                await sleep.result
            } onCancel: {
                sleep.cancel()
            }
            currentSleep = nil
            if Task.isCancelled { break loop }
            switch result {
            case .success:
                fireDueTriggers()
            case .failure where sleep.isCancelled:
                continue loop  // interrupted by `update`: re-plan
            case .failure:
                break loop  // the clock failed for another reason: it cannot be waited on
            }
        }

        let actions = inFlight.values
        for task in actions { task.cancel() }
        for task in actions { await task.value }
    }

    /// Handles every trigger whose next firing is at or before `clock.now`.
    private func fireDueTriggers() {
        let now = clock.now
        for trigger in triggers {
            guard let scheduledAt = nextDates[trigger.id], scheduledAt <= now else { continue }
            nextDates[trigger.id] = trigger.schedule.nextDate(after: now)
            let outcome: TriggerFiring<Key>.Outcome
            if running.contains(trigger.key) {
                outcome = .skippedAlreadyRunning
            } else {
                outcome = .started
                start(trigger.key, scheduledAt: scheduledAt)
            }
            record(TriggerFiring(triggerID: trigger.id, key: trigger.key, scheduledAt: scheduledAt, outcome: outcome))
        }
    }

    private func start(_ key: Key, scheduledAt: Date) {
        running.insert(key)
        let id = nextActionID
        nextActionID += 1
        let action = self.action
        inFlight[id] = Task {
            await action(key, scheduledAt)
            self.actionFinished(id: id, key: key)
        }
    }

    private func actionFinished(id: UInt64, key: Key) {
        running.remove(key)
        inFlight[id] = nil
    }

    private func record(_ firing: TriggerFiring<Key>) {
        firings.append(firing)
        for continuation in subscribers.values {
            continuation.yield(firing)
        }
    }

    /// Keeps the last trigger for each id, at the position of that last occurrence.
    private static func uniqued(_ triggers: [ScheduledTrigger<Key>]) -> [ScheduledTrigger<Key>] {
        var seen: Set<String> = []
        var result: [ScheduledTrigger<Key>] = []
        for trigger in triggers.reversed() where seen.insert(trigger.id).inserted {
            result.append(trigger)
        }
        return result.reversed()
    }
}
