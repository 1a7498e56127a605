public import Foundation
import GRDB
public import Pipelines

// MARK: - RunQueueStore

extension SQLiteStore {
    /// Queues a run in one `IMMEDIATE` transaction, claiming its trigger firing in the same
    /// one when `owner` is given (so a firing is queued once, by the scheduler that claimed it).
    ///
    /// ```swift
    /// let queued = QueuedRunRecord(pipelineID: id, jobs: [.training], enqueuedAt: .now)
    /// _ = try await store.enqueueRun(queued, claimingFiringAs: nil)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown pipeline or
    ///   trigger, ``Pipelines/StoreError/duplicateID(kind:id:)``, ``Pipelines/StoreError/backend(_:)``.
    public func enqueueRun(_ run: QueuedRunRecord, claimingFiringAs owner: String?) async throws -> RunEnqueueing {
        let json = try RecordCoding.encode(run, "queued run \(run.id)")
        let clock = self.clock
        return try await write("queuing a run of pipeline \(run.pipelineID)") { db in
            guard try Self.exists(db, "pipelines", id: run.pipelineID.rawValue) else {
                throw StoreError.notFound(kind: "pipeline", id: run.pipelineID.rawValue)
            }
            guard try !Self.exists(db, "queued_runs", id: run.id.rawValue) else {
                throw StoreError.duplicateID(kind: "queued run", id: run.id.rawValue)
            }
            if let owner, let firing = run.firing,
               case .taken(let claim) = try Self.claimFiring(
                   db, trigger: firing.trigger, scheduledAt: firing.scheduledAt, owner: owner, now: clock.now) {
                return .firingTaken(claim)
            }
            try db.execute(
                sql: """
                    INSERT INTO queued_runs (id, pipeline_id, state, enqueued_at, firing_trigger, firing_at, record)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [run.id.rawValue, run.pipelineID.rawValue, run.state.rawValue, run.enqueuedAt.timeIntervalSinceReferenceDate,
                            run.firing?.trigger.rawValue, run.firing?.scheduledAt.timeIntervalSinceReferenceDate, json])
            return .enqueued(run)
        }
    }

    /// Claims the oldest claimable queued run `filter` admits, in one `IMMEDIATE`
    /// transaction (so two workers never take the same one), abandoning on the way the
    /// expired ones without attempts left.
    ///
    /// ```swift
    /// if let queued = try await store.claimQueuedRun(worker: "host-1 pid 812", for: 30, filter: .any) { /* run it */ }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func claimQueuedRun(worker: String, for duration: TimeInterval, filter: QueuedRunFilter) async throws -> QueuedRunRecord? {
        let clock = self.clock
        return try await write("claiming a queued run") { db in
            let now = clock.now
            let waiting = try RecordCoding.decodeAll(
                QueuedRunRecord.self, db,
                sql: "SELECT record FROM queued_runs WHERE state IN ('queued', 'claimed') ORDER BY enqueued_at, id",
                "a queued run")
            for candidate in waiting where filter.admits(candidate) {
                guard let next = candidate.claimed(by: worker, at: now, for: duration) else { continue }
                try Self.storeQueuedRun(db, next)
                if next.state == .claimed { return next }
            }
            return nil
        }
    }

    /// Renews `worker`'s lease on a claimed run (and records `run` among its runs).
    ///
    /// ```swift
    /// _ = try await store.renewQueuedRun(queued.id, worker: me, for: 30, run: nil)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/leaseNotHeld(name:owner:holder:)``,
    ///   ``Pipelines/StoreError/notFound(kind:id:)``, ``Pipelines/StoreError/backend(_:)``.
    public func renewQueuedRun(_ id: QueuedRunID, worker: String, for duration: TimeInterval, run: RunID?) async throws -> QueuedRunRecord {
        let clock = self.clock
        return try await write("renewing queued run \(id)") { db in
            let updated = try Self.fetchQueuedRun(db, id)
                .updated(by: worker, at: clock.now, renewingFor: duration, run: run, finishing: false, error: nil)
            try Self.storeQueuedRun(db, updated)
            return updated
        }
    }

    /// Finishes `worker`'s claimed run.
    ///
    /// ```swift
    /// _ = try await store.finishQueuedRun(queued.id, worker: me, run: record.id, error: nil)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/leaseNotHeld(name:owner:holder:)``,
    ///   ``Pipelines/StoreError/notFound(kind:id:)``, ``Pipelines/StoreError/backend(_:)``.
    public func finishQueuedRun(_ id: QueuedRunID, worker: String, run: RunID?, error: String?) async throws -> QueuedRunRecord {
        let clock = self.clock
        return try await write("finishing queued run \(id)") { db in
            let updated = try Self.fetchQueuedRun(db, id)
                .updated(by: worker, at: clock.now, renewingFor: 0, run: run, finishing: true, error: error)
            try Self.storeQueuedRun(db, updated)
            return updated
        }
    }

    /// The queued run with this identifier, if any.
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func queuedRun(_ id: QueuedRunID) async throws -> QueuedRunRecord? {
        try await read("reading queued run \(id)") { db in
            try RecordCoding.decodeOne(QueuedRunRecord.self, db, sql: "SELECT record FROM queued_runs WHERE id = ?",
                                       arguments: [id.rawValue], "queued run \(id)")
        }
    }

    /// Queued runs in `states` (all when nil), oldest first.
    ///
    /// ```swift
    /// let waiting = try await store.queuedRuns(in: [.queued, .claimed])
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func queuedRuns(in states: Set<QueuedRunState>?) async throws -> [QueuedRunRecord] {
        let filter = states.map { states in
            " WHERE state IN (" + QueuedRunState.allCases.filter(states.contains).map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"
        }
        if let states, states.isEmpty { return [] }
        return try await read("listing queued runs") { db in
            try RecordCoding.decodeAll(QueuedRunRecord.self, db, sql: "SELECT record FROM queued_runs\(filter ?? "") ORDER BY enqueued_at, id",
                                       "a queued run")
        }
    }

    private static func fetchQueuedRun(_ db: Database, _ id: QueuedRunID) throws -> QueuedRunRecord {
        guard let stored = try RecordCoding.decodeOne(
            QueuedRunRecord.self, db, sql: "SELECT record FROM queued_runs WHERE id = ?", arguments: [id.rawValue], "queued run \(id)")
        else { throw StoreError.notFound(kind: "queued run", id: id.rawValue) }
        return stored
    }

    private static func storeQueuedRun(_ db: Database, _ run: QueuedRunRecord) throws {
        let json = try RecordCoding.encode(run, "queued run \(run.id)")
        try db.execute(sql: "UPDATE queued_runs SET state = ?, record = ? WHERE id = ?",
                       arguments: [run.state.rawValue, json, run.id.rawValue])
    }
}
