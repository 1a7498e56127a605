public import Foundation
import Synchronization

/// A source of wall-clock time that can also suspend until a given instant.
///
/// Trigger scheduling is expressed in calendar time (cron expressions, "every N days"), so
/// the scheduler works with `Date`s rather than a monotonic clock. Production code uses
/// ``SystemWallClock``; tests use ``ManualWallClock`` to move time forward by hand.
///
/// ```swift
/// let clock: any WallClock = SystemWallClock()
/// try await clock.sleep(until: clock.now.addingTimeInterval(5))
/// ```
public protocol WallClock: Sendable {
    /// The current instant.
    var now: Date { get }

    /// Suspends until `now` is at or after `deadline`.
    ///
    /// - Parameter deadline: The instant to wait for; returns at once if it has passed.
    /// - Throws: `CancellationError` when the calling task is cancelled.
    func sleep(until deadline: Date) async throws
}

/// The real wall clock: `now` is `Date()` and sleeping uses `Task.sleep`.
///
/// ```swift
/// let clock = SystemWallClock()
/// try await clock.sleep(until: clock.now.addingTimeInterval(60))
/// ```
public struct SystemWallClock: WallClock {
    /// The longest single `Task.sleep`: after it the clock re-reads the wall time, so a
    /// wall-clock adjustment (NTP step, host resumed from suspension) is noticed within a
    /// minute instead of at the end of a long sleep.
    private static let longestNap: TimeInterval = 60

    /// Creates the system clock.
    public init() {}

    /// The current instant, `Date()`.
    public var now: Date { Date() }

    /// Suspends until the wall clock reaches `deadline`.
    ///
    /// Long waits are split into naps of at most a minute, re-reading the wall clock after
    /// each, so the wait follows the wall clock even if it is adjusted meanwhile.
    ///
    /// - Parameter deadline: The instant to wait for; returns at once if it has passed.
    /// - Throws: `CancellationError` when the calling task is cancelled.
    public func sleep(until deadline: Date) async throws {
        try Task.checkCancellation()
        while true {
            let remaining = deadline.timeIntervalSince(Date())
            guard remaining > 0 else { return }
            try await Task.sleep(for: .seconds(min(remaining, Self.longestNap)))
        }
    }
}

/// A wall clock that only moves when told to, for deterministic tests.
///
/// Tasks sleeping on it are resumed by ``advance(by:)`` / ``advance(to:)`` once their
/// deadline is reached, or with `CancellationError` when they are cancelled.
/// ``waitForSleepers(count:)`` lets a test wait until the code under test is suspended.
///
/// ```swift
/// let clock = ManualWallClock(now: Date(timeIntervalSince1970: 0))
/// let sleeper = Task { try await clock.sleep(until: Date(timeIntervalSince1970: 60)) }
/// await clock.waitForSleepers(count: 1)
/// clock.advance(by: 60)          // resumes `sleeper`
/// try await sleeper.value
/// ```
public final class ManualWallClock: WallClock {
    private struct Sleeper {
        let deadline: Date
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var nextID: UInt64 = 0
        /// Sleeps that have an id but have not registered their continuation yet; the value
        /// is `true` when the task was cancelled in that window.
        var pending: [UInt64: Bool] = [:]
        /// Registered sleepers by id.
        var sleepers: [UInt64: Sleeper] = [:]
    }

    private enum Registration {
        case wait, resume, cancel
    }

    private let state: Mutex<State>

    /// Creates a clock that reads `now` until advanced.
    ///
    /// - Parameter now: The starting instant.
    public init(now: Date) {
        state = Mutex(State(now: now))
    }

    /// The clock's current instant.
    public var now: Date {
        state.withLock { $0.now }
    }

    /// The number of tasks currently suspended in ``sleep(until:)``.
    public var sleeperCount: Int {
        state.withLock { $0.sleepers.count }
    }

    /// Moves the clock forward and resumes the sleepers whose deadline has been reached.
    ///
    /// - Parameter seconds: How far to move; a negative value is ignored (the clock never goes back).
    public func advance(by seconds: TimeInterval) {
        let target = state.withLock { $0.now.addingTimeInterval(seconds) }
        advance(to: target)
    }

    /// Moves the clock to `date` and resumes, in deadline order, every sleeper whose
    /// deadline is at or before it.
    ///
    /// - Parameter date: The new current instant; a date before `now` is ignored (the clock
    ///   never goes back), though due sleepers are still resumed.
    public func advance(to date: Date) {
        let due = state.withLock { state -> [(UInt64, Sleeper)] in
            if date > state.now { state.now = date }
            let now = state.now
            let due = state.sleepers
                .filter { $0.value.deadline <= now }
                .sorted { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }
            for (id, _) in due { state.sleepers[id] = nil }
            return due
        }
        for (_, sleeper) in due {
            sleeper.continuation.resume()
        }
    }

    /// Suspends until the clock is advanced to `deadline` or beyond.
    ///
    /// - Parameter deadline: The instant to wait for; returns at once if the clock is already there.
    /// - Throws: `CancellationError` when the calling task is cancelled, whether before or
    ///   during the wait.
    public func sleep(until deadline: Date) async throws {
        try Task.checkCancellation()
        let id: UInt64? = state.withLock { state in
            guard deadline > state.now else { return nil }
            state.nextID += 1
            state.pending[state.nextID] = false
            return state.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let registration = state.withLock { state -> Registration in
                    let cancelled = state.pending.removeValue(forKey: id) ?? false
                    if cancelled { return .cancel }
                    if deadline <= state.now { return .resume }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return .wait
                }
                switch registration {
                case .wait: break
                case .resume: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                if let sleeper = state.sleepers.removeValue(forKey: id) {
                    return sleeper.continuation
                }
                if state.pending[id] != nil {
                    state.pending[id] = true
                }
                return nil
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Suspends until at least `count` tasks are sleeping on this clock.
    ///
    /// Meant as a synchronisation point in tests: "the code under test has reached its next
    /// sleep". It polls, first with `Task.yield()` and then every millisecond, and gives up
    /// (returns anyway) after about ten seconds or when the calling task is cancelled, so a
    /// broken test fails on its expectations instead of hanging.
    ///
    /// - Parameter count: The number of sleepers to wait for.
    public func waitForSleepers(count: Int) async {
        for _ in 0..<10_000 {
            if sleeperCount >= count || Task.isCancelled { return }
            await Task.yield()
        }
        for _ in 0..<10_000 {
            if sleeperCount >= count || Task.isCancelled { return }
            try? await Task.sleep(for: .milliseconds(1))
        }
    }
}
