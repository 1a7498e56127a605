import Synchronization

/// A flag that asks a running fit to stop, shared between the code that runs the fit and
/// the fitting loops, which may run on other threads than the task that started them.
///
/// The pipeline runner gives it a job's timeout as a deadline, and cancels it; fitting
/// loops (trees of a forest, boosting stages, solver iterations) check it between steps
/// and stop with ``EstimatorError/cancelled(estimator:)``. The deadline is read by the
/// check itself, so a fit stops in time even when no timer can run (a host whose
/// concurrency pool is busy).
///
/// ```swift
/// let cancellation = FitCancellation(timeout: .seconds(30))
/// let context = FitContext(threads: 2, cancellation: cancellation)
/// // elsewhere: cancellation.cancel()
/// ```
public final class FitCancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    /// When it was made, and its deadline as nanoseconds after that (none: `Int64.max`).
    private let start = ContinuousClock.now
    private let deadline: Int64

    /// A flag that is not cancelled yet.
    ///
    /// - Parameter timeout: When given, the flag counts as cancelled once this long has
    ///   passed (see ``isPastDeadline``).
    public init(timeout: Duration? = nil) {
        guard let timeout, timeout < .seconds(Int64.max / 1_000_000_000) else {
            deadline = .max
            return
        }
        let (seconds, attoseconds) = timeout.components
        deadline = max(0, seconds) * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000
    }

    /// Asks every fit sharing this flag to stop at its next check.
    public func cancel() { flag.store(true, ordering: .releasing) }

    /// Whether ``cancel()`` was called or the deadline passed.
    public var isCancelled: Bool { flag.load(ordering: .acquiring) || isPastDeadline }

    /// Whether the timeout given to ``init(timeout:)`` has passed.
    public var isPastDeadline: Bool {
        guard deadline != .max else { return false }
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000 >= deadline
    }
}

extension FitContext {
    /// Whether the fit should stop: the context's ``FitCancellation`` was cancelled, or
    /// the task running the fit was (checked only on that task's own thread).
    public var isCancelled: Bool {
        (cancellation?.isCancelled ?? false) || Task.isCancelled
    }

    /// Stops the fit of `estimator` when ``isCancelled``.
    ///
    /// - Throws: ``EstimatorError/cancelled(estimator:)``.
    public func checkCancellation(_ estimator: String) throws(EstimatorError) {
        if isCancelled { throw .cancelled(estimator: estimator) }
    }
}
