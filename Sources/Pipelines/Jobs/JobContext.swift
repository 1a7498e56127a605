import Dispatch
import Estimators
import Foundation
import Logging
import Scoring

/// What a job needs: the store, the catalogs, the pipeline and its configuration, and
/// the run's progress and cancellation channels.
struct JobContext: Sendable {
    let store: any PipelineStorage
    let estimators: EstimatorCatalog
    let scores: ScoringCatalog
    let clock: any WallClock
    let logger: Logger
    let baseDirectory: URL
    let pipeline: PipelineRecord
    let configuration: ConfigurationRecord
    let threads: Int
    let cancellation: FitCancellation
    /// What the run's jobs share (datasets loaded, models trained).
    let memory: RunMemory
    /// This job's phases.
    let phases: PhaseClock
    let emit: @Sendable (RunEvent) -> Void
    let publish: @Sendable (ModelEvent) -> Void
    /// The workspace, for what goes through the core's types (deployment).
    let workspace: Workspace

    /// The job's `FitContext` for estimators.
    func fitContext(primaryScore: String?) -> FitContext {
        FitContext(threads: threads, validation: configuration.configuration.training.validation, primaryScore: primaryScore,
                   cancellation: cancellation)
    }

    /// What testing models needs from this context.
    var tester: ModelTester {
        ModelTester(store: store, estimators: estimators, scores: scores, clock: clock, logger: logger, publish: publish)
    }

    /// Stops the job when it was cancelled (timeout or host).
    func checkCancellation(_ job: JobKind) throws(PipelineError) {
        if cancellation.isCancelled || Task.isCancelled { throw .cancelled(job: job) }
    }
}

/// Runs CPU-bound or blocking work (fitting, decoding, a Git subprocess) on a thread of its
/// own, so it never holds a thread the host's tasks, timers and lease renewals need.
///
/// Not on a Dispatch global queue: on Linux, Swift's global executor runs tasks on the same
/// Dispatch worker threads, at most one per core, so minutes of fitting there stopped every
/// task of the process (a 2-core host's lease heartbeats, server requests and timers
/// stalled for the whole fit). Parallel parts inside the work (`concurrentPerform`) still
/// borrow workers, but only for the length of one parallel step.
func offload<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
    let result: Result<T, E> = await withCheckedContinuation { continuation in
        let thread = Thread {
            do throws(E) {
                continuation.resume(returning: .success(try work()))
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
        thread.name = "swift-ml-pipelines offload"
        thread.stackSize = 8 << 20  // as a Dispatch worker's: deep trees recurse
        thread.start()
    }
    return try result.get()
}
