import Synchronization

/// A flag that asks a running fit to stop, shared between the code that runs the fit and
/// the fitting loops, which may run on other threads than the task that started them.
///
/// The pipeline runner cancels it when a job passes its timeout; fitting loops (trees of a
/// forest, boosting stages, solver iterations) check it between steps and stop with
/// ``EstimatorError/cancelled(estimator:)``.
///
/// ```swift
/// let cancellation = FitCancellation()
/// let context = FitContext(threads: 2, cancellation: cancellation)
/// // elsewhere: cancellation.cancel()
/// ```
public final class FitCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    /// A flag that is not cancelled yet.
    public init() {}

    /// Asks every fit sharing this flag to stop at its next check.
    public func cancel() { flag.store(true, ordering: .releasing) }

    /// Whether ``cancel()`` was called.
    public var isCancelled: Bool { flag.load(ordering: .acquiring) }
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
