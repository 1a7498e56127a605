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

/// Runs CPU-bound or blocking work (fitting, decoding, a Git subprocess) on a Dispatch
/// thread, so it never blocks the cooperative thread pool that timers, stores and the
/// host's tasks share.
func offload<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
    let result: Result<T, E> = await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            do throws(E) {
                continuation.resume(returning: .success(try work()))
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
    }
    return try result.get()
}
