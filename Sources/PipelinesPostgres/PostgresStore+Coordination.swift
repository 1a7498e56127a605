public import Foundation
import Logging
public import Pipelines
import PostgresNIO

// MARK: - Firing claims (TriggerStore)

extension PostgresStore {
    /// Claims a trigger's firing in one `SERIALIZABLE` transaction: claimed when the
    /// trigger's latest claim (one row of `trigger_claims`) is older than `scheduledAt`, so
    /// racing schedulers of any host serialize and exactly one claims each firing (a loser
    /// is retried and then finds the winner's claim).
    ///
    /// ```swift
    /// if case .claimed = try await store.claimFiring(trigger: id, scheduledAt: firing, owner: "scheduler on host-1") {
    ///     // run it
    /// }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown trigger,
    ///   ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func claimFiring(trigger: TriggerID, scheduledAt: Date, owner: String) async throws -> FiringClaim {
        try await write("claiming the firing of trigger \(trigger) at \(scheduledAt)") { connection in
            try await Self.claimFiring(connection, trigger: trigger, scheduledAt: scheduledAt, owner: owner, now: clock.now, logger)
        }
    }

    /// Claims a firing inside the caller's transaction (``claimFiring(trigger:scheduledAt:owner:)``,
    /// and queuing a firing's run, share it).
    static func claimFiring(
        _ connection: PostgresConnection, trigger: TriggerID, scheduledAt: Date, owner: String, now: Date, _ logger: Logger
    ) async throws -> FiringClaim {
        guard try await connection.exists("SELECT 1 FROM triggers WHERE id = \(trigger.rawValue)", logger) else {
            throw StoreError.notFound(kind: "trigger", id: trigger.rawValue)
        }
        let rows = try await connection.query(
            "SELECT scheduled_at, owner, claimed_at FROM trigger_claims WHERE trigger_id = \(trigger.rawValue)", logger: logger
        ).decode((Double, String, Double).self)
        var latest: FiringClaimRecord?
        for try await (scheduled, holder, claimed) in rows {
            latest = FiringClaimRecord(triggerID: trigger, scheduledAt: Date(stored: scheduled), owner: holder,
                                       claimedAt: Date(stored: claimed))
        }
        if let latest, latest.scheduledAt >= scheduledAt { return .taken(latest) }
        let claim = FiringClaimRecord(triggerID: trigger, scheduledAt: scheduledAt, owner: owner, claimedAt: now)
        try await connection.run(
            """
            INSERT INTO trigger_claims (trigger_id, scheduled_at, owner, claimed_at)
            VALUES (\(trigger.rawValue), \(scheduledAt.stored), \(owner), \(now.stored))
            ON CONFLICT (trigger_id) DO UPDATE
            SET scheduled_at = excluded.scheduled_at, owner = excluded.owner, claimed_at = excluded.claimed_at
            """, logger)
        return .claimed(claim)
    }
}

// MARK: - LeaseStore

extension PostgresStore {
    /// Takes a lease in one `SERIALIZABLE` transaction (read, check expiry by the store's
    /// clock, write), so of processes racing for a free lease exactly one gets it (the
    /// others are retried and find it held).
    ///
    /// ```swift
    /// switch try await store.acquireLease("nightly-export", owner: "host-1 pid 812", for: 30) {
    /// case .acquired: exportEverything()
    /// case .held(let lease): print("\(lease.owner) is exporting until \(lease.expiresAt)")
    /// }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func acquireLease(_ name: String, owner: String, for duration: TimeInterval) async throws -> LeaseAcquisition {
        try await write("acquiring lease '\(name)'") { connection in
            let now = clock.now
            let current = try await Self.fetchLease(connection, name, logger)
            if let current, current.owner != owner, current.expiresAt > now { return .held(current) }
            let acquiredAt = current.flatMap { $0.owner == owner ? $0.acquiredAt : nil } ?? now
            let lease = LeaseRecord(name: name, owner: owner, acquiredAt: acquiredAt, expiresAt: now.addingTimeInterval(duration))
            try await connection.run(
                """
                INSERT INTO leases (name, owner, acquired_at, expires_at)
                VALUES (\(name), \(owner), \(lease.acquiredAt.stored), \(lease.expiresAt.stored))
                ON CONFLICT (name) DO UPDATE
                SET owner = excluded.owner, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
                """, logger)
            return .acquired(lease)
        }
    }

    /// Extends `owner`'s lease to the store's clock + `duration`.
    ///
    /// ```swift
    /// let renewed = try await store.renewLease("nightly-export", owner: "host-1 pid 812", for: 30)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/leaseNotHeld(name:owner:holder:)`` when `owner`
    ///   does not hold it, ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func renewLease(_ name: String, owner: String, for duration: TimeInterval) async throws -> LeaseRecord {
        try await write("renewing lease '\(name)'") { connection in
            let now = clock.now
            let current = try await Self.fetchLease(connection, name, logger)
            guard var lease = current, lease.owner == owner else {
                throw StoreError.leaseNotHeld(name: name, owner: owner, holder: current?.owner)
            }
            lease.expiresAt = now.addingTimeInterval(duration)
            try await connection.run("UPDATE leases SET expires_at = \(lease.expiresAt.stored) WHERE name = \(name)", logger)
            return lease
        }
    }

    /// Gives `owner`'s lease back; another owner's is left alone.
    ///
    /// ```swift
    /// try await store.releaseLease("nightly-export", owner: "host-1 pid 812")
    /// ```
    ///
    /// - Returns: Whether a lease of `owner` was removed.
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    @discardableResult
    public func releaseLease(_ name: String, owner: String) async throws -> Bool {
        try await write("releasing lease '\(name)'") { connection in
            try await connection.count("DELETE FROM leases WHERE name = \(name) AND owner = \(owner) RETURNING 1", logger) == 1
        }
    }

    /// The lease stored under `name`, expired or not.
    ///
    /// ```swift
    /// if let lease = try await store.lease("nightly-export") { print(lease.owner) }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func lease(_ name: String) async throws -> LeaseRecord? {
        try await read("reading lease '\(name)'") { connection in try await Self.fetchLease(connection, name, logger) }
    }

    /// The lease row named `name`, if any.
    static func fetchLease(_ connection: PostgresConnection, _ name: String, _ logger: Logger) async throws -> LeaseRecord? {
        let rows = try await connection.query("SELECT owner, acquired_at, expires_at FROM leases WHERE name = \(name)", logger: logger)
            .decode((String, Double, Double).self)
        var lease: LeaseRecord?
        for try await (owner, acquiredAt, expiresAt) in rows {
            lease = LeaseRecord(name: name, owner: owner, acquiredAt: Date(stored: acquiredAt), expiresAt: Date(stored: expiresAt))
        }
        return lease
    }
}
