public import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What ``Pipeline/run(jobs:origin:ifRunning:configurationVersion:)`` does when the pipeline is already
/// running, in this process or in another one sharing the store.
public enum IfRunning: Sendable, Hashable {
    /// Refuse at once with ``PipelineError/alreadyRunning(pipeline:)``.
    case refuse
    /// Wait until the other run ends (or its lease expires), then run; refuse with
    /// ``PipelineError/alreadyRunning(pipeline:)`` if it still runs after `timeout` (real
    /// time), or when the waiting task is cancelled.
    case wait(timeout: Duration)
}

/// How the core keeps a pipeline from running twice at once across processes: each run
/// holds the pipeline's lease in the store (``LeaseStore``), renewed by a heartbeat while
/// it runs and released at its end. A killed process stops renewing, so its lease
/// expires after ``duration`` and the pipeline can run again.
///
/// ```swift
/// let workspace = Workspace(store: store, runLease: RunLeasePolicy(duration: 120, heartbeat: .seconds(20)))
/// ```
public struct RunLeasePolicy: Sendable, Hashable {
    /// How long, in seconds of the store's clock, a lease lasts unless renewed: how long a
    /// killed run blocks its pipeline at most.
    public var duration: TimeInterval
    /// How often (real time) a running run renews its lease; at most a third of
    /// ``duration``, so two renewals may fail before the lease expires.
    public var heartbeat: Duration
    /// How often (real time) a run told to ``IfRunning/wait(timeout:)`` tries again.
    public var retryInterval: Duration

    /// A lease policy. A heartbeat longer than a third of `duration` is shortened to it;
    /// a duration below one second becomes one second.
    public init(duration: TimeInterval = 30, heartbeat: Duration = .seconds(10), retryInterval: Duration = .milliseconds(250)) {
        let seconds = max(duration.isFinite ? duration : 30, 1)
        self.duration = seconds
        self.heartbeat = min(heartbeat, .milliseconds(Int64(seconds * 1_000 / 3)))
        self.retryInterval = max(retryInterval, .milliseconds(10))
    }

    /// 30-second leases renewed every 10 seconds; waiting runs retry every 250 ms.
    public static let standard = RunLeasePolicy()
}

/// A pipeline claimed by this workspace: in its own set of running pipelines and by the
/// run lease in the store, renewed by a heartbeat from the moment it was acquired until it
/// is released.
final class PipelineClaim: Sendable {
    let pipeline: PipelineID
    let name: String
    let leaseName: String
    let owner: String
    private struct State {
        var heartbeat: Task<Void, Never>?
        var lost: String?
        var onLost: (@Sendable () -> Void)?
    }
    private let state = Mutex(State())

    init(pipeline: PipelineRecord) {
        self.pipeline = pipeline.id
        name = pipeline.name
        leaseName = Workspace.runLeaseName(pipeline.id)
        owner = "\(Workspace.processIdentity) run \(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Why the lease was lost (another process took it over), if it was.
    var lostReason: String? { state.withLock { $0.lost } }

    /// Keeps the heartbeat task, to stop it at the release.
    func keep(heartbeat: Task<Void, Never>) { state.withLock { $0.heartbeat = heartbeat } }

    /// Stops the heartbeat.
    func stopHeartbeat() { state.withLock { $0.heartbeat }?.cancel() }

    /// Records that the lease was lost and runs the action registered by ``whenLost(_:)``.
    func lose(_ reason: String) {
        let action = state.withLock { state -> (@Sendable () -> Void)? in
            state.lost = reason
            return state.onLost
        }
        action?()
    }

    /// Runs `action` when the lease is lost (at once if it was already).
    func whenLost(_ action: @escaping @Sendable () -> Void) {
        let lost = state.withLock { state -> Bool in
            if state.lost == nil { state.onLost = action }
            return state.lost != nil
        }
        if lost { action() }
    }
}

extension Workspace {
    /// This process, as lease owners and firing claims name it: `<host> pid <pid>`.
    static let processIdentity: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown host"
        return "\(host) pid \(getpid())"
    }()

    /// The store lease a run of `pipeline` holds.
    static func runLeaseName(_ pipeline: PipelineID) -> String { "pipeline-run:\(pipeline.rawValue)" }

    /// Claims the pipeline for one run (or another change that must not overlap a run):
    /// first in this workspace, then in the store by its run lease, whose heartbeat starts
    /// at once. With ``IfRunning/wait(timeout:)`` it retries every
    /// ``RunLeasePolicy/retryInterval``.
    ///
    /// - Throws: ``PipelineError/alreadyRunning(pipeline:)`` when another run holds it
    ///   (after the timeout, when waiting); ``PipelineError/store(_:)`` when the store fails.
    func claim(_ pipeline: PipelineRecord, ifRunning: IfRunning) async throws(PipelineError) -> PipelineClaim {
        let claim = PipelineClaim(pipeline: pipeline)
        let start = ContinuousClock.now
        while true {
            var holder = "a run in this process"
            if state.withLock({ $0.running.insert(pipeline.id).inserted }) {
                let acquisition: LeaseAcquisition
                do {
                    acquisition = try await storage { try await store.acquireLease(claim.leaseName, owner: claim.owner, for: runLease.duration) }
                } catch {
                    state.withLock { _ = $0.running.remove(pipeline.id) }
                    throw error
                }
                if case .acquired = acquisition {
                    claim.keep(heartbeat: Task { [self] in
                        if let reason = await heartbeat(claim) { claim.lose(reason) }
                    })
                    return claim
                }
                state.withLock { _ = $0.running.remove(pipeline.id) }
                holder = "\(acquisition.lease.owner) (its lease expires at \(acquisition.lease.expiresAt) unless renewed)"
            }
            guard case .wait(let timeout) = ifRunning, ContinuousClock.now - start < timeout else {
                logger.debug("pipeline '\(pipeline.name)' is already running: \(holder)")
                throw .alreadyRunning(pipeline: pipeline.name)
            }
            logger.debug("pipeline '\(pipeline.name)' is running (\(holder)); waiting")
            do { try await Task.sleep(for: runLease.retryInterval) } catch { throw .alreadyRunning(pipeline: pipeline.name) }
        }
    }

    /// Gives the claim back: stops its heartbeat, releases the store lease, then this
    /// workspace's mark. A failure to release is logged (the lease then expires by itself).
    func release(_ claim: PipelineClaim) async {
        claim.stopHeartbeat()
        do {
            // Released even when the caller was cancelled (a cancelled task's store calls may be refused).
            _ = try await uncancelled { [store] in try await store.releaseLease(claim.leaseName, owner: claim.owner) }
        } catch {
            logger.warning("pipeline '\(claim.name)': its run lease was not released (it expires by itself): \(error)")
        }
        state.withLock { _ = $0.running.remove(claim.pipeline) }
    }

    /// Runs `body` with the pipeline claimed (refusing when it is running), then releases it.
    func whileClaimed<T>(_ pipeline: PipelineRecord, _ body: () async throws(PipelineError) -> T) async throws(PipelineError) -> T {
        let claim = try await claim(pipeline, ifRunning: .refuse)
        do {
            let result = try await body()
            await release(claim)
            return result
        } catch {
            await release(claim)
            throw error
        }
    }

    /// Runs `body` (a run) under the claim: when its lease is lost — another process took
    /// it over after it expired — `body` is cancelled, and the reason is returned with its
    /// result. Cancelling the calling task cancels `body`.
    func runningClaimed(_ claim: PipelineClaim, _ body: @escaping @Sendable () async -> RunRecord) async -> (RunRecord, lost: String?) {
        let work = Task { await body() }
        claim.whenLost { work.cancel() }
        let record = await withTaskCancellationHandler { await work.value } onCancel: { work.cancel() }
        return (record, claim.lostReason)
    }

    /// Renews the lease every heartbeat until cancelled (returns nil) or until the lease is
    /// lost (returns why). A renewal that fails for another reason is logged and retried at
    /// the next beat.
    private func heartbeat(_ claim: PipelineClaim) async -> String? {
        while true {
            do { try await Task.sleep(for: runLease.heartbeat) } catch { return nil }
            do {
                _ = try await store.renewLease(claim.leaseName, owner: claim.owner, for: runLease.duration)
            } catch StoreError.leaseNotHeld(_, _, let holder) {
                let reason = "the run lost its lease on pipeline '\(claim.name)' (it expired"
                    + (holder.map { " and \($0) took it over" } ?? "") + ") and was stopped"
                logger.error("\(reason)")
                return reason
            } catch {
                if Task.isCancelled { return nil }
                logger.warning("pipeline '\(claim.name)': renewing its run lease failed (retrying at the next beat): \(error)")
            }
        }
    }

    /// Saves a dataset snapshot by compare-and-swap on the generation the caller read
    /// (`previous`), so a generation never overwrites rows it did not read.
    ///
    /// - Throws: ``PipelineError/datasetConflict(pipeline:read:found:)`` when the stored
    ///   generation is another (nothing written); ``PipelineError/notFound(_:)``.
    func saveDatasets(_ snapshot: DatasetSnapshot, replacing previous: Int?, of pipeline: PipelineRecord) async throws(PipelineError) {
        do {
            try await storage { try await store.saveDatasets(snapshot, replacing: previous) }
        } catch {
            guard case .store(.datasetConflict(_, let read, let found)) = error else { throw error }
            logger.debug("pipeline '\(pipeline.name)': datasets not saved, the store is at generation \(found.map(String.init) ?? "none")")
            throw .datasetConflict(pipeline: pipeline.name, read: read, found: found)
        }
    }
}

/// Runs `body` in a task of its own, so the caller's cancellation does not reach it: for
/// the writes that must happen when a run ends, cancelled or not (its final record, the
/// release of its lease).
func uncancelled<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await Task { try await body() }.value
}
