import Foundation
@testable import Pipelines
import Synchronization
import Testing

// MARK: - Helpers

/// Collects values appended from concurrent code.
private final class Recorder<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])

    func append(_ value: Value) {
        storage.withLock { $0.append(value) }
    }

    var values: [Value] {
        storage.withLock { $0 }
    }
}

/// A latch that actions wait on until the test opens it.
private actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        guard !isOpen else { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}

/// Polls `condition` (yielding, then every millisecond for up to five seconds) so that a
/// broken expectation fails instead of hanging.
private func eventually(_ condition: () async -> Bool) async -> Bool {
    for _ in 0..<10_000 {
        if await condition() { return true }
        await Task.yield()
    }
    for _ in 0..<5_000 {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(1))
    }
    return await condition()
}

private func cron(_ text: String) throws -> TriggerSchedule {
    .cron(try CronExpression(text), timeZone: .gmt)
}

private let t0 = Date(timeIntervalSince1970: 1_767_261_600)  // 2026-01-01T10:00:00Z

private func at(minutes: Int) -> Date {
    t0.addingTimeInterval(TimeInterval(minutes * 60))
}

private func started(_ id: String, _ key: String, _ minutes: Int) -> TriggerFiring<String> {
    TriggerFiring(triggerID: id, key: key, scheduledAt: at(minutes: minutes), outcome: .started)
}

private func skipped(_ id: String, _ key: String, _ minutes: Int) -> TriggerFiring<String> {
    TriggerFiring(triggerID: id, key: key, scheduledAt: at(minutes: minutes), outcome: .skippedAlreadyRunning)
}

/// Advances the clock and waits until the scheduler has handled the instant and gone back to sleep.
private func advance(_ clock: ManualWallClock, toMinute minutes: Int) async {
    clock.advance(to: at(minutes: minutes))
    await clock.waitForSleepers(count: 1)
}

/// The system clock, counting calls to `sleep(until:)`.
private final class CountingSystemClock: WallClock {
    private let calls = Mutex(0)

    var sleepCalls: Int { calls.withLock { $0 } }
    var now: Date { SystemWallClock().now }

    func sleep(until deadline: Date) async throws {
        calls.withLock { $0 += 1 }
        try await SystemWallClock().sleep(until: deadline)
    }
}

// MARK: - SystemWallClock

@Suite("System wall clock")
struct SystemWallClockTests {
    @Test("sleeps until the deadline")
    func sleeps() async throws {
        let clock = SystemWallClock()
        let deadline = clock.now.addingTimeInterval(0.02)
        try await clock.sleep(until: deadline)
        #expect(clock.now >= deadline)
        try await clock.sleep(until: deadline.addingTimeInterval(-3600))  // already passed
    }

    @Test("cancellation ends a long sleep promptly")
    func cancellation() async {
        let clock = SystemWallClock()
        let started = clock.now
        let sleeper = Task { try await clock.sleep(until: started.addingTimeInterval(3600)) }
        sleeper.cancel()
        let result = await sleeper.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(clock.now.timeIntervalSince(started) < 60)
    }
}

// MARK: - ManualWallClock

@Suite("Manual wall clock")
struct ManualWallClockTests {
    @Test("a deadline already reached returns at once")
    func pastDeadline() async throws {
        let clock = ManualWallClock(now: t0)
        try await clock.sleep(until: t0)
        try await clock.sleep(until: t0.addingTimeInterval(-60))
        #expect(clock.sleeperCount == 0)
    }

    @Test("advancing resumes exactly the sleepers that are due")
    func advanceResumesDue() async throws {
        let clock = ManualWallClock(now: t0)
        let woken = Recorder<Int>()
        let sleepers = [30, 10, 20].map { minutes in
            Task {
                try await clock.sleep(until: at(minutes: minutes))
                woken.append(minutes)
            }
        }
        await clock.waitForSleepers(count: 3)
        #expect(clock.sleeperCount == 3)
        clock.advance(by: 15 * 60)
        #expect(clock.now == at(minutes: 15))
        #expect(clock.sleeperCount == 2)
        #expect(await eventually { woken.values == [10] })
        clock.advance(to: at(minutes: 5))  // never goes back
        #expect(clock.now == at(minutes: 15))
        clock.advance(to: at(minutes: 30))
        for sleeper in sleepers { try await sleeper.value }
        #expect(woken.values.sorted() == [10, 20, 30])
        #expect(clock.sleeperCount == 0)
    }

    @Test("cancelling a sleeper throws CancellationError and forgets it")
    func cancellation() async {
        let clock = ManualWallClock(now: t0)
        let sleeper = Task { try await clock.sleep(until: at(minutes: 60)) }
        await clock.waitForSleepers(count: 1)
        sleeper.cancel()
        let result = await sleeper.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(clock.sleeperCount == 0)
        clock.advance(by: 3600)  // nothing left to resume
    }

    @Test("a task cancelled before sleeping throws at once")
    func cancelledBeforeSleeping() async {
        let clock = ManualWallClock(now: t0)
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(until: at(minutes: 60))
        }
        let result = await sleeper.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(clock.sleeperCount == 0)
    }

    @Test("waitForSleepers gives up instead of hanging when cancelled")
    func waitGivesUp() async {
        let clock = ManualWallClock(now: t0)
        let waiter = Task { await clock.waitForSleepers(count: 1) }
        waiter.cancel()
        await waiter.value
        #expect(clock.sleeperCount == 0)
    }
}

// MARK: - TriggerScheduler

@Suite("Trigger scheduler")
struct TriggerSchedulerTests {
    @Test("fires at the scheduled times, in order")
    func firesInOrder() async throws {
        let clock = ManualWallClock(now: at(minutes: 1))  // 10:01
        let calls = Recorder<Date>()
        let scheduler = TriggerScheduler<String>(
            clock: clock,
            triggers: [ScheduledTrigger(id: "quarter", key: "a", schedule: try cron("*/15 * * * *"))]
        ) { _, scheduledAt in
            calls.append(scheduledAt)
        }
        let loop = Task { await scheduler.run() }
        await clock.waitForSleepers(count: 1)

        // Not yet due: the sleep is still pending and nothing fired.
        clock.advance(to: at(minutes: 14).addingTimeInterval(59))
        #expect(clock.sleeperCount == 1)
        #expect(await scheduler.firings.isEmpty)

        for minutes in [15, 30, 45, 60] {
            await advance(clock, toMinute: minutes)
            #expect(await eventually { calls.values.count == minutes / 15 })
            #expect(await eventually { await scheduler.runningKeys.isEmpty })
        }
        #expect(calls.values == [15, 30, 45, 60].map { at(minutes: $0) })
        #expect(await scheduler.firings == [15, 30, 45, 60].map { started("quarter", "a", $0) })

        loop.cancel()
        await loop.value
        #expect(clock.sleeperCount == 0)
    }

    @Test("two triggers interleave; simultaneous firings follow the trigger order")
    func twoTriggers() async throws {
        let clock = ManualWallClock(now: t0)
        let scheduler = TriggerScheduler<String>(
            clock: clock,
            triggers: [
                ScheduledTrigger(id: "quarter", key: "a", schedule: try cron("*/15 * * * *")),
                ScheduledTrigger(id: "hourly", key: "b", schedule: try cron("@hourly")),
            ]
        ) { _, _ in }
        let loop = Task { await scheduler.run() }
        await clock.waitForSleepers(count: 1)
        for minutes in [15, 30, 45, 60, 75] {
            await advance(clock, toMinute: minutes)
            #expect(await eventually { await scheduler.runningKeys.isEmpty })
        }
        #expect(await scheduler.firings == [
            started("quarter", "a", 15), started("quarter", "a", 30), started("quarter", "a", 45),
            started("quarter", "a", 60), started("hourly", "b", 60), started("quarter", "a", 75),
        ])
        loop.cancel()
        await loop.value
    }

    @Test("update adds, changes and removes triggers while running")
    func update() async throws {
        let clock = ManualWallClock(now: t0)
        let hourly = ScheduledTrigger(id: "hourly", key: "a", schedule: try cron("0 * * * *"))
        let quarter = ScheduledTrigger(id: "quarter", key: "b", schedule: try cron("*/15 * * * *"))
        let scheduler = TriggerScheduler<String>(clock: clock, triggers: [hourly]) { _, _ in }
        let loop = Task { await scheduler.run() }
        await clock.waitForSleepers(count: 1)  // sleeping until 11:00

        await scheduler.update([hourly, quarter])
        await clock.waitForSleepers(count: 1)  // re-planned: sleeping until 10:15
        await advance(clock, toMinute: 15)
        #expect(await scheduler.firings == [started("quarter", "b", 15)])
        #expect(await eventually { await scheduler.runningKeys.isEmpty })

        await scheduler.update([hourly])  // remove "quarter"
        await clock.waitForSleepers(count: 1)
        await advance(clock, toMinute: 30)
        await advance(clock, toMinute: 45)
        #expect(await scheduler.firings == [started("quarter", "b", 15)])

        // Same id, new schedule: re-planned from now (10:45), so 10:50 rather than 11:00.
        await scheduler.update([ScheduledTrigger(id: "hourly", key: "a", schedule: try cron("50 * * * *"))])
        await clock.waitForSleepers(count: 1)
        await advance(clock, toMinute: 50)
        #expect(await scheduler.firings == [started("quarter", "b", 15), started("hourly", "a", 50)])

        await scheduler.update([])
        await clock.waitForSleepers(count: 1)  // idle: sleeping with no deadline
        await advance(clock, toMinute: 24 * 60)
        #expect(await scheduler.firings.count == 2)

        loop.cancel()
        await loop.value
    }

    @Test("triggers set before run() take effect when it starts")
    func updateBeforeRun() async throws {
        let clock = ManualWallClock(now: t0)
        let scheduler = TriggerScheduler<String>(clock: clock) { _, _ in }
        await scheduler.update([
            ScheduledTrigger(id: "x", key: "a", schedule: try cron("0 0 * * *")),
            ScheduledTrigger(id: "x", key: "b", schedule: try cron("5 * * * *")),  // same id: the last wins
        ])
        let loop = Task { await scheduler.run() }
        await clock.waitForSleepers(count: 1)
        await advance(clock, toMinute: 5)
        #expect(await scheduler.firings == [started("x", "b", 5)])
        loop.cancel()
        await loop.value
    }

    @Test("a firing while the same key is still running is skipped, not started twice")
    func skipsWhileRunning() async throws {
        let clock = ManualWallClock(now: t0)
        let gate = Gate()
        let calls = Recorder<String>()
        let scheduler = TriggerScheduler<String>(
            clock: clock,
            triggers: [
                ScheduledTrigger(id: "slow", key: "job", schedule: try cron("* * * * *")),
                ScheduledTrigger(id: "fast", key: "other", schedule: try cron("* * * * *")),
            ]
        ) { key, scheduledAt in
            calls.append("\(key)@\(Int(scheduledAt.timeIntervalSince(t0) / 60))")
            if key == "job" { await gate.wait() }
        }
        let loop = Task { await scheduler.run() }
        await clock.waitForSleepers(count: 1)

        await advance(clock, toMinute: 1)
        #expect(await eventually { await scheduler.runningKeys == ["job"] })
        await advance(clock, toMinute: 2)
        #expect(await eventually { await scheduler.runningKeys == ["job"] })
        #expect(calls.values.filter { $0.hasPrefix("job") } == ["job@1"])

        await gate.open()
        #expect(await eventually { await scheduler.runningKeys.isEmpty })
        await advance(clock, toMinute: 3)
        #expect(await eventually { calls.values.count == 5 })
        #expect(await eventually { await scheduler.runningKeys.isEmpty })

        #expect(calls.values.filter { $0.hasPrefix("job") } == ["job@1", "job@3"])
        #expect(calls.values.filter { $0.hasPrefix("other") } == ["other@1", "other@2", "other@3"])
        #expect(await scheduler.firings == [
            started("slow", "job", 1), started("fast", "other", 1),
            skipped("slow", "job", 2), started("fast", "other", 2),
            started("slow", "job", 3), started("fast", "other", 3),
        ])
        loop.cancel()
        await loop.value
    }

    @Test("two triggers for one key due together start the action once")
    func sharedKey() async throws {
        let clock = ManualWallClock(now: at(minutes: 90))  // 11:30
        let calls = Recorder<String>()
        let scheduler = TriggerScheduler<String>(
            clock: clock,
            triggers: [
                ScheduledTrigger(id: "hourly", key: "shared", schedule: try cron("0 * * * *")),
                ScheduledTrigger(id: "even-hours", key: "shared", schedule: try cron("0 */2 * * *")),
            ]
        ) { key, _ in
            calls.append(key)
        }
        let loop = Task { await scheduler.run() }
        await clock.waitForSleepers(count: 1)
        await advance(clock, toMinute: 120)  // 12:00
        #expect(await scheduler.firings == [started("hourly", "shared", 120), skipped("even-hours", "shared", 120)])
        #expect(await eventually { await scheduler.runningKeys.isEmpty })
        #expect(calls.values == ["shared"])
        loop.cancel()
        await loop.value
    }

    @Test("a late wake fires each overdue trigger once; the rest are not caught up")
    func noCatchUp() async throws {
        let clock = ManualWallClock(now: t0)
        let scheduler = TriggerScheduler<String>(
            clock: clock,
            triggers: [ScheduledTrigger(id: "quarter", key: "a", schedule: try cron("*/15 * * * *"))]
        ) { _, _ in }
        let loop = Task { await scheduler.run() }
        await clock.waitForSleepers(count: 1)
        await advance(clock, toMinute: 61)  // 10:15, 10:30, 10:45 and 11:00 all passed
        #expect(await scheduler.firings == [started("quarter", "a", 15)])
        #expect(await eventually { await scheduler.runningKeys.isEmpty })
        await advance(clock, toMinute: 75)
        #expect(await scheduler.firings == [started("quarter", "a", 15), started("quarter", "a", 75)])
        loop.cancel()
        await loop.value

        // A new run starts from the clock's current time: 11:30 and 11:45 are not caught up.
        clock.advance(to: at(minutes: 110))
        let again = Task { await scheduler.run() }
        await clock.waitForSleepers(count: 1)
        await advance(clock, toMinute: 120)
        #expect(await scheduler.firings.last == started("quarter", "a", 120))
        #expect(await scheduler.firings.count == 3)
        again.cancel()
        await again.value
    }

    @Test("firings are streamed to every subscriber")
    func events() async throws {
        let clock = ManualWallClock(now: t0)
        let scheduler = TriggerScheduler<String>(
            clock: clock,
            triggers: [ScheduledTrigger(id: "quarter", key: "a", schedule: try cron("*/15 * * * *"))]
        ) { _, _ in }
        let first = Recorder<TriggerFiring<String>>()
        let second = Recorder<TriggerFiring<String>>()
        let streams = [await scheduler.events, await scheduler.events]
        let consumers = zip(streams, [first, second]).map { stream, recorder in
            Task { for await firing in stream { recorder.append(firing) } }
        }
        let loop = Task { await scheduler.run() }
        await clock.waitForSleepers(count: 1)
        await advance(clock, toMinute: 15)
        #expect(await eventually { await scheduler.runningKeys.isEmpty })
        await advance(clock, toMinute: 30)
        let expected = [started("quarter", "a", 15), started("quarter", "a", 30)]
        #expect(await eventually { first.values == expected && second.values == expected })
        for consumer in consumers { consumer.cancel() }
        for consumer in consumers { await consumer.value }
        loop.cancel()
        await loop.value
    }

    @Test("cancelling run() ends the loop and cancels running actions")
    func cancellation() async throws {
        let clock = ManualWallClock(now: t0)
        let sawCancellation = Recorder<Bool>()
        let scheduler = TriggerScheduler<String>(
            clock: clock,
            triggers: [ScheduledTrigger(id: "quarter", key: "a", schedule: try cron("*/15 * * * *"))]
        ) { _, _ in
            try? await Task.sleep(for: .seconds(30))
            sawCancellation.append(Task.isCancelled)
        }
        let loop = Task { await scheduler.run() }
        await clock.waitForSleepers(count: 1)
        await advance(clock, toMinute: 15)
        #expect(await eventually { await scheduler.runningKeys == ["a"] })

        loop.cancel()
        await loop.value
        #expect(sawCancellation.values == [true])
        #expect(clock.sleeperCount == 0)
        #expect(await scheduler.runningKeys.isEmpty)

        // Nothing fires any more.
        clock.advance(to: at(minutes: 600))
        #expect(await scheduler.firings.count == 1)
    }

    @Test("cancelling an idle run() with no triggers ends it")
    func cancelIdle() async {
        let clock = ManualWallClock(now: t0)
        let scheduler = TriggerScheduler<String>(clock: clock) { _, _ in }
        let loop = Task { await scheduler.run() }
        await clock.waitForSleepers(count: 1)
        loop.cancel()
        await loop.value
        #expect(clock.sleeperCount == 0)
    }

    @Test("a second concurrent run() returns at once")
    func secondRun() async throws {
        let clock = ManualWallClock(now: t0)
        let scheduler = TriggerScheduler<String>(
            clock: clock,
            triggers: [ScheduledTrigger(id: "quarter", key: "a", schedule: try cron("*/15 * * * *"))]
        ) { _, _ in }
        let loop = Task { await scheduler.run() }
        await clock.waitForSleepers(count: 1)
        await scheduler.run()
        #expect(clock.sleeperCount == 1)
        await advance(clock, toMinute: 15)
        #expect(await scheduler.firings == [started("quarter", "a", 15)])
        loop.cancel()
        await loop.value
    }

    @Test("runs on the system clock with a schedule due in milliseconds")
    func systemClock() async throws {
        let clock = CountingSystemClock()
        let calls = Recorder<Date>()
        let scheduler = TriggerScheduler<String>(clock: clock) { _, scheduledAt in
            calls.append(scheduledAt)
        }
        let loop = Task { await scheduler.run() }
        // Only once the loop is sleeping (idle, no triggers) is the trigger added, so its
        // instant is still ahead when the scheduler plans it, however loaded the machine is.
        #expect(await eventually { clock.sleepCalls >= 1 })
        let due = clock.now.addingTimeInterval(0.1)
        await scheduler.update([ScheduledTrigger(id: "soon", key: "a", schedule: .everyDays(1, startingAt: due))])
        #expect(await eventually { calls.values == [due] })
        #expect(clock.now >= due)
        loop.cancel()
        await loop.value
    }
}
