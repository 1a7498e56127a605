public import Foundation
import Logging
public import Pipelines
import PostgresNIO

extension PostgresSchema {
    /// Version 2: the run queue (``Pipelines/RunQueueStore``). A trigger firing is queued at
    /// most once (`UNIQUE (firing_trigger, firing_at)`; hand-queued runs have neither); the
    /// lease's expiry is a column, so workers find claimable runs by index.
    static let version2: [String] = [
        """
        CREATE TABLE queued_runs (
            id TEXT PRIMARY KEY,
            pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
            state TEXT NOT NULL CHECK (state IN ('queued', 'claimed', 'finished', 'abandoned')),
            enqueued_at DOUBLE PRECISION NOT NULL,
            lease_expires_at DOUBLE PRECISION,
            firing_trigger TEXT,
            firing_at DOUBLE PRECISION,
            record TEXT NOT NULL,
            UNIQUE (firing_trigger, firing_at)
        )
        """,
        #"CREATE INDEX queued_runs_waiting ON queued_runs (enqueued_at, id COLLATE "C") WHERE state IN ('queued', 'claimed')"#,
    ]
}

// MARK: - RunQueueStore

extension PostgresStore {
    /// Queues a run in one `SERIALIZABLE` transaction, claiming its trigger firing in the
    /// same one when `owner` is given (so a firing is queued once, by the scheduler that
    /// claimed it, whichever host it runs on).
    ///
    /// ```swift
    /// let queued = QueuedRunRecord(pipelineID: id, jobs: [.training], enqueuedAt: .now)
    /// _ = try await store.enqueueRun(queued, claimingFiringAs: nil)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown pipeline or
    ///   trigger, ``Pipelines/StoreError/duplicateID(kind:id:)``, ``Pipelines/StoreError/backend(_:)``.
    public func enqueueRun(_ run: QueuedRunRecord, claimingFiringAs owner: String?) async throws -> RunEnqueueing {
        let json = try StoredRecordCoding.encode(run, "queued run \(run.id)")
        let id = run.id.rawValue
        return try await write("queuing a run of pipeline \(run.pipelineID)") { connection in
            try await Self.requirePipeline(connection, run.pipelineID, logger)
            guard try await !connection.exists("SELECT 1 FROM queued_runs WHERE id = \(id)", logger) else {
                throw StoreError.duplicateID(kind: "queued run", id: id)
            }
            if let owner, let firing = run.firing,
               case .taken(let claim) = try await Self.claimFiring(
                   connection, trigger: firing.trigger, scheduledAt: firing.scheduledAt, owner: owner, now: clock.now, logger) {
                return .firingTaken(claim)
            }
            try await connection.run(
                """
                INSERT INTO queued_runs (id, pipeline_id, state, enqueued_at, lease_expires_at, firing_trigger, firing_at, record)
                VALUES (\(id), \(run.pipelineID.rawValue), \(run.state.rawValue), \(run.enqueuedAt.stored),
                        \(run.leaseExpiresAt?.stored), \(run.firing?.trigger.rawValue), \(run.firing?.scheduledAt.stored), \(json))
                """, logger)
            return .enqueued(run)
        }
    }

    /// Claims the oldest claimable queued run `filter` admits: `SELECT … FOR UPDATE SKIP
    /// LOCKED` in a `READ COMMITTED` transaction, so workers on any host each take a
    /// different one without waiting for each other; expired ones without attempts left
    /// are abandoned on the way.
    ///
    /// ```swift
    /// if let queued = try await store.claimQueuedRun(worker: "host-1 pid 812", for: 30, filter: .any) { /* run it */ }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func claimQueuedRun(worker: String, for duration: TimeInterval, filter: QueuedRunFilter) async throws -> QueuedRunRecord? {
        try await write("claiming a queued run", rowLocked: true) { connection in
            let now = clock.now
            let only: String? = if case .only(let id) = filter { id.rawValue } else { nil }
            let firingsOnly = filter == .triggerFirings
            while true {
                let next = try await connection.record(
                    QueuedRunRecord.self,
                    """
                    SELECT record FROM queued_runs
                    WHERE (state = 'queued' OR (state = 'claimed' AND lease_expires_at <= \(now.stored)))
                      AND (\(only)::TEXT IS NULL OR id = \(only)) AND (NOT \(firingsOnly) OR firing_trigger IS NOT NULL)
                    ORDER BY enqueued_at, id COLLATE "C"
                    LIMIT 1 FOR UPDATE SKIP LOCKED
                    """, logger, "a queued run")
                guard let candidate = next else { return nil }
                guard filter.admits(candidate), let claimed = candidate.claimed(by: worker, at: now, for: duration) else {
                    throw StoreError.backend("queued run \(candidate.id) was selected as claimable but is \(candidate.state.rawValue)")
                }
                try await Self.storeQueuedRun(connection, claimed, logger)
                if claimed.state == .claimed { return claimed }
            }
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
        try await write("renewing queued run \(id)", rowLocked: true) { connection in
            let updated = try await Self.lockedQueuedRun(connection, id, logger)
                .updated(by: worker, at: clock.now, renewingFor: duration, run: run, finishing: false, error: nil)
            try await Self.storeQueuedRun(connection, updated, logger)
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
        try await write("finishing queued run \(id)", rowLocked: true) { connection in
            let updated = try await Self.lockedQueuedRun(connection, id, logger)
                .updated(by: worker, at: clock.now, renewingFor: 0, run: run, finishing: true, error: error)
            try await Self.storeQueuedRun(connection, updated, logger)
            return updated
        }
    }

    /// The queued run with this identifier, if any.
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func queuedRun(_ id: QueuedRunID) async throws -> QueuedRunRecord? {
        try await read("reading queued run \(id)") { connection in
            try await connection.record(QueuedRunRecord.self, "SELECT record FROM queued_runs WHERE id = \(id.rawValue)", logger,
                                        "queued run \(id)")
        }
    }

    /// Queued runs in `states` (all when nil), oldest first.
    ///
    /// ```swift
    /// let waiting = try await store.queuedRuns(in: [.queued, .claimed])
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func queuedRuns(in states: Set<QueuedRunState>?) async throws -> [QueuedRunRecord] {
        let names = states.map { states in QueuedRunState.allCases.filter(states.contains).map(\.rawValue) }
        return try await read("listing queued runs") { connection in
            try await connection.records(
                QueuedRunRecord.self,
                #"SELECT record FROM queued_runs WHERE \#(names == nil) OR state = ANY(\#(names ?? [])) ORDER BY enqueued_at, id COLLATE "C""#,
                logger, "a queued run")
        }
    }

    /// The queued run, locked for the rest of the transaction.
    private static func lockedQueuedRun(_ connection: PostgresConnection, _ id: QueuedRunID, _ logger: Logger) async throws -> QueuedRunRecord {
        guard let stored = try await connection.record(
            QueuedRunRecord.self, "SELECT record FROM queued_runs WHERE id = \(id.rawValue) FOR UPDATE", logger, "queued run \(id)")
        else { throw StoreError.notFound(kind: "queued run", id: id.rawValue) }
        return stored
    }

    private static func storeQueuedRun(_ connection: PostgresConnection, _ run: QueuedRunRecord, _ logger: Logger) async throws {
        let json = try StoredRecordCoding.encode(run, "queued run \(run.id)")
        try await connection.run(
            """
            UPDATE queued_runs SET state = \(run.state.rawValue), lease_expires_at = \(run.leaseExpiresAt?.stored), record = \(json)
            WHERE id = \(run.id.rawValue)
            """, logger)
    }
}
