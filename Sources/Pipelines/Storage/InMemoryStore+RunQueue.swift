public import Foundation

// MARK: - RunQueueStore

extension InMemoryStore {
    public func enqueueRun(_ run: QueuedRunRecord, claimingFiringAs owner: String?) throws -> RunEnqueueing {
        guard pipelineRecords[run.pipelineID] != nil else { throw StoreError.notFound(kind: "pipeline", id: run.pipelineID.rawValue) }
        guard queuedRunRecords[run.id] == nil else { throw StoreError.duplicateID(kind: "queued run", id: run.id.rawValue) }
        if let owner, let firing = run.firing,
           case .taken(let claim) = try claimFiring(trigger: firing.trigger, scheduledAt: firing.scheduledAt, owner: owner) {
            return .firingTaken(claim)
        }
        queuedRunRecords[run.id] = run
        return .enqueued(run)
    }

    public func claimQueuedRun(worker: String, for duration: TimeInterval, filter: QueuedRunFilter) -> QueuedRunRecord? {
        let now = clock.now
        let candidates = queuedRunRecords.values
            .filter(filter.admits)
            .sorted { ($0.enqueuedAt, $0.id) < ($1.enqueuedAt, $1.id) }
        for candidate in candidates {
            guard let next = candidate.claimed(by: worker, at: now, for: duration) else { continue }
            queuedRunRecords[next.id] = next
            if next.state == .claimed { return next }
        }
        return nil
    }

    public func renewQueuedRun(_ id: QueuedRunID, worker: String, for duration: TimeInterval, run: RunID?) throws -> QueuedRunRecord {
        try updateQueuedRun(id) { try $0.updated(by: worker, at: clock.now, renewingFor: duration, run: run, finishing: false, error: nil) }
    }

    public func finishQueuedRun(_ id: QueuedRunID, worker: String, run: RunID?, error: String?) throws -> QueuedRunRecord {
        try updateQueuedRun(id) { try $0.updated(by: worker, at: clock.now, renewingFor: 0, run: run, finishing: true, error: error) }
    }

    public func queuedRun(_ id: QueuedRunID) -> QueuedRunRecord? { queuedRunRecords[id] }

    public func queuedRuns(in states: Set<QueuedRunState>?) -> [QueuedRunRecord] {
        queuedRunRecords.values
            .filter { states?.contains($0.state) ?? true }
            .sorted { ($0.enqueuedAt, $0.id) < ($1.enqueuedAt, $1.id) }
    }

    private func updateQueuedRun(_ id: QueuedRunID, _ change: (QueuedRunRecord) throws -> QueuedRunRecord) throws -> QueuedRunRecord {
        guard let stored = queuedRunRecords[id] else { throw StoreError.notFound(kind: "queued run", id: id.rawValue) }
        let updated = try change(stored)
        queuedRunRecords[id] = updated
        return updated
    }
}
