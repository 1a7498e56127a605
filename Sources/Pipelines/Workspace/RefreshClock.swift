import Synchronization

/// The monotonic clock a workspace ages its cached deployments and tokens by: the
/// continuous clock, plus an offset tests move forward with ``advance(by:)`` so that
/// "expired but still within the stale allowance" is a state a test sets, not a race
/// against a loaded machine's scheduler.
final class RefreshClock: Sendable {
    private let offset = Mutex(Duration.zero)

    /// Now, on this clock.
    var now: ContinuousClock.Instant { ContinuousClock.now + offset.withLock { $0 } }

    /// Moves this clock forward by `duration` (tests only).
    func advance(by duration: Duration) {
        offset.withLock { $0 += duration }
    }
}
