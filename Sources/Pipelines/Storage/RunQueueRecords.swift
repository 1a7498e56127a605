public import Foundation

/// Tags ``QueuedRunID``.
public enum QueuedRunKind: IdentifierKind {}
/// Identifies a queued run (a run waiting in the store for a worker, see ``RunQueueStore``).
public typealias QueuedRunID = Identifier<QueuedRunKind>

/// Where a queued run is.
public enum QueuedRunState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting for a worker.
    case queued
    /// A worker holds it (its lease, ``QueuedRunRecord/leaseExpiresAt``, renewed while the run
    /// lasts); when the lease expires it may be claimed again, up to its maximum attempts.
    case claimed
    /// Its run was recorded: ended, whatever its status (``QueuedRunRecord/runs`` names it).
    case finished
    /// Given up: its last worker stopped renewing the lease, and no attempt is left.
    case abandoned
}

/// A run waiting in the store for a worker (``RunQueueStore``): what to run, and who runs it.
///
/// ```swift
/// let queued = try await pipeline.enqueueRun(jobs: [.training, .testing])
/// print(queued.id, queued.state)   // …, queued
/// ```
public struct QueuedRunRecord: Sendable, Hashable, Codable {
    /// Its identifier.
    public var id: QueuedRunID
    /// The pipeline to run.
    public var pipelineID: PipelineID
    /// The jobs to run.
    public var jobs: [JobKind]
    /// The configuration version to run; nil runs the pipeline's current one when it starts.
    public var configurationVersion: Int?
    /// Queued by hand, or by a trigger firing.
    public var origin: RunOrigin
    /// When it was queued, by the store's clock.
    public var enqueuedAt: Date
    /// Where it is.
    public var state: QueuedRunState
    /// How many workers have claimed it so far.
    public var attempts: Int
    /// How many claims it may have: 2 (the default) retries it once when its first worker
    /// is lost; 1 abandons it instead.
    public var maximumAttempts: Int
    /// The worker holding it, or the last one that did.
    public var worker: String?
    /// When the current worker's lease expires, by the store's clock.
    public var leaseExpiresAt: Date?
    /// The runs its attempts recorded, oldest first.
    public var runs: [RunID]
    /// When it was finished or abandoned.
    public var finishedAt: Date?
    /// Why it was abandoned, or the error of the attempt that finished it without a run.
    public var error: String?

    /// A queued run, waiting for a worker.
    ///
    /// - Parameters:
    ///   - maximumAttempts: At least 1 (a smaller value counts as 1).
    public init(
        id: QueuedRunID = QueuedRunID(), pipelineID: PipelineID, jobs: [JobKind], configurationVersion: Int? = nil,
        origin: RunOrigin = .manual, enqueuedAt: Date, state: QueuedRunState = .queued, attempts: Int = 0,
        maximumAttempts: Int = 2, worker: String? = nil, leaseExpiresAt: Date? = nil, runs: [RunID] = [],
        finishedAt: Date? = nil, error: String? = nil
    ) {
        self.id = id
        self.pipelineID = pipelineID
        self.jobs = jobs
        self.configurationVersion = configurationVersion
        self.origin = origin
        self.enqueuedAt = enqueuedAt
        self.state = state
        self.attempts = attempts
        self.maximumAttempts = max(maximumAttempts, 1)
        self.worker = worker
        self.leaseExpiresAt = leaseExpiresAt
        self.runs = runs
        self.finishedAt = finishedAt
        self.error = error
    }

    /// The queue's one rule for a worker looking for work at `now` (every store applies it):
    /// what becomes of this record, or nil when it is not the worker's to take.
    ///
    /// A queued record is claimed; a claimed one whose lease expired is claimed again while
    /// it has attempts left, and abandoned otherwise (its worker was lost); anything else
    /// is left alone.
    ///
    /// - Parameters:
    ///   - worker: Who asks.
    ///   - now: The store's clock.
    ///   - duration: The lease's length, in seconds of the store's clock.
    public func claimed(by worker: String, at now: Date, for duration: TimeInterval) -> QueuedRunRecord? {
        switch state {
        case .queued:
            break
        case .claimed:
            guard let expiry = leaseExpiresAt, expiry <= now else { return nil }
            guard attempts < maximumAttempts else {
                var abandoned = self
                abandoned.state = .abandoned
                abandoned.finishedAt = now
                abandoned.leaseExpiresAt = nil
                abandoned.error = "its worker \(self.worker ?? "?") stopped renewing its lease, and no attempt is left"
                    + " (\(attempts) of \(maximumAttempts))"
                return abandoned
            }
        case .finished, .abandoned:
            return nil
        }
        var claim = self
        claim.state = .claimed
        claim.attempts += 1
        claim.worker = worker
        claim.leaseExpiresAt = now.addingTimeInterval(duration)
        return claim
    }

    /// The trigger firing it runs, if a trigger queued it.
    public var firing: (trigger: TriggerID, scheduledAt: Date)? {
        if case .trigger(let trigger, let scheduledAt) = origin { return (trigger, scheduledAt) }
        return nil
    }
}

/// Which queued runs ``RunQueueStore/claimQueuedRun(worker:for:filter:)`` may take.
public enum QueuedRunFilter: Sendable, Hashable {
    /// Any claimable one, oldest first.
    case any
    /// Only this one.
    case only(QueuedRunID)
    /// Only those a trigger queued, oldest first.
    case triggerFirings

    /// Whether the filter lets a worker take `run` (claimable or not).
    public func admits(_ run: QueuedRunRecord) -> Bool {
        switch self {
        case .any: return true
        case .only(let id): return run.id == id
        case .triggerFirings: return run.firing != nil
        }
    }
}

/// What ``RunQueueStore/enqueueRun(_:claimingFiringAs:)`` did.
public enum RunEnqueueing: Sendable, Hashable {
    /// Queued (and, for a trigger firing, the firing claimed by the caller).
    case enqueued(QueuedRunRecord)
    /// Another scheduler claimed this firing, or a later one of the trigger: nothing was queued.
    case firingTaken(FiringClaimRecord)
}

/// Keeps the runs waiting for a worker, on any host sharing the store: one queue that
/// schedulers and people add to, and workers take from, each run by one worker at a time.
public protocol RunQueueStore: Sendable {
    /// Adds `run` (state ``QueuedRunState/queued``, stamped with `run.enqueuedAt`). With an
    /// `owner`, and a run whose origin is a trigger firing, the firing is claimed in the same
    /// transaction, as ``TriggerStore/claimFiring(trigger:scheduledAt:owner:)`` does: when
    /// that firing or a later one is claimed already, nothing is added.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)`` for an unknown pipeline or trigger,
    ///   ``StoreError/duplicateID(kind:id:)`` when the identifier is taken.
    func enqueueRun(_ run: QueuedRunRecord, claimingFiringAs owner: String?) async throws -> RunEnqueueing
    /// Takes the oldest queued run `filter` allows, or one whose worker's lease expired,
    /// for `worker`, until the store's clock + `duration`, in one transaction: concurrent
    /// workers never take the same one. Expired ones without attempts left are abandoned on
    /// the way (``QueuedRunRecord/claimed(by:at:for:)`` is the rule).
    ///
    /// - Returns: The claimed record (its ``QueuedRunRecord/attempts`` counts this claim), or nil.
    func claimQueuedRun(worker: String, for duration: TimeInterval, filter: QueuedRunFilter) async throws -> QueuedRunRecord?
    /// Extends `worker`'s lease on a claimed run to the store's clock + `duration`,
    /// recording `run` among its runs when given (and not recorded yet).
    ///
    /// - Throws: ``StoreError/leaseNotHeld(name:owner:holder:)`` when `worker` does not hold
    ///   it (its lease expired and another took it, or it ended); ``StoreError/notFound(kind:id:)``.
    func renewQueuedRun(_ id: QueuedRunID, worker: String, for duration: TimeInterval, run: RunID?) async throws -> QueuedRunRecord
    /// Finishes `worker`'s claimed run: ``QueuedRunState/finished``, with `run` recorded
    /// among its runs when given, and `error` when no run was recorded.
    ///
    /// - Throws: ``StoreError/leaseNotHeld(name:owner:holder:)`` when `worker` does not hold it;
    ///   ``StoreError/notFound(kind:id:)``.
    func finishQueuedRun(_ id: QueuedRunID, worker: String, run: RunID?, error: String?) async throws -> QueuedRunRecord
    /// The queued run with this identifier, if any.
    func queuedRun(_ id: QueuedRunID) async throws -> QueuedRunRecord?
    /// Queued runs in `states` (every state when nil), oldest first (ties by identifier).
    func queuedRuns(in states: Set<QueuedRunState>?) async throws -> [QueuedRunRecord]
}

extension QueuedRunRecord {
    /// The lease name a queued run's errors call it by.
    var leaseName: String { "queued-run:\(id.rawValue)" }

    /// The record after `worker` renews or finishes it at `now`, or the error when `worker`
    /// does not hold it: the queue's rule for both (every store applies it).
    ///
    /// - Parameters:
    ///   - finishing: Finish it (with `error` when no run was recorded), else renew it until
    ///     `now + duration`.
    public func updated(
        by worker: String, at now: Date, renewingFor duration: TimeInterval, run: RunID?, finishing: Bool, error: String?
    ) throws(StoreError) -> QueuedRunRecord {
        guard state == .claimed, self.worker == worker else {
            throw StoreError.leaseNotHeld(name: leaseName, owner: worker, holder: state == .claimed ? self.worker : nil)
        }
        var updated = self
        if let run, !updated.runs.contains(run) { updated.runs.append(run) }
        if finishing {
            updated.state = .finished
            updated.finishedAt = now
            updated.leaseExpiresAt = nil
            updated.error = error
        } else {
            updated.leaseExpiresAt = now.addingTimeInterval(duration)
        }
        return updated
    }
}
