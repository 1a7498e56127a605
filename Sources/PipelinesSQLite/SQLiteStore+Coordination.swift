public import Foundation
import GRDB
public import Pipelines

// MARK: - Firing claims (TriggerStore)

extension SQLiteStore {
    /// Claims a trigger's firing in one `IMMEDIATE` transaction: claimed when the trigger's
    /// latest claim (one row of `trigger_claims`) is older than `scheduledAt`, so racing
    /// schedulers of any process serialize and exactly one claims each firing.
    ///
    /// ```swift
    /// if case .claimed = try await store.claimFiring(trigger: id, scheduledAt: firing, owner: "scheduler on host-1") {
    ///     // run it
    /// }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown trigger,
    ///   ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func claimFiring(trigger: TriggerID, scheduledAt: Date, owner: String) async throws -> FiringClaim {
        let clock = self.clock
        return try await write("claiming the firing of trigger \(trigger) at \(scheduledAt)") { db in
            try Self.claimFiring(db, trigger: trigger, scheduledAt: scheduledAt, owner: owner, now: clock.now)
        }
    }

    /// Claims a firing inside the caller's transaction (``claimFiring(trigger:scheduledAt:owner:)``,
    /// and queuing a firing's run, share it).
    static func claimFiring(_ db: Database, trigger: TriggerID, scheduledAt: Date, owner: String, now: Date) throws -> FiringClaim {
        guard try exists(db, "triggers", id: trigger.rawValue) else {
            throw StoreError.notFound(kind: "trigger", id: trigger.rawValue)
        }
        if let row = try Row.fetchOne(
            db, sql: "SELECT scheduled_at, owner, claimed_at FROM trigger_claims WHERE trigger_id = ?", arguments: [trigger.rawValue]) {
            let latest = FiringClaimRecord(
                triggerID: trigger, scheduledAt: Date(timeIntervalSinceReferenceDate: row["scheduled_at"]), owner: row["owner"],
                claimedAt: Date(timeIntervalSinceReferenceDate: row["claimed_at"]))
            if latest.scheduledAt >= scheduledAt { return .taken(latest) }
        }
        let claim = FiringClaimRecord(triggerID: trigger, scheduledAt: scheduledAt, owner: owner, claimedAt: now)
        try db.execute(
            sql: """
                INSERT INTO trigger_claims (trigger_id, scheduled_at, owner, claimed_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (trigger_id) DO UPDATE
                SET scheduled_at = excluded.scheduled_at, owner = excluded.owner, claimed_at = excluded.claimed_at
                """,
            arguments: [trigger.rawValue, scheduledAt.timeIntervalSinceReferenceDate, owner, now.timeIntervalSinceReferenceDate])
        return .claimed(claim)
    }
}

// MARK: - LeaseStore

extension SQLiteStore {
    /// Takes a lease in one `IMMEDIATE` transaction (read, check expiry by the store's
    /// clock, write), so of processes racing for a free lease exactly one gets it.
    ///
    /// ```swift
    /// switch try await store.acquireLease("nightly-export", owner: "host-1 pid 812", for: 30) {
    /// case .acquired: exportEverything()
    /// case .held(let lease): print("\(lease.owner) is exporting until \(lease.expiresAt)")
    /// }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func acquireLease(_ name: String, owner: String, for duration: TimeInterval) async throws -> LeaseAcquisition {
        let clock = self.clock
        return try await write("acquiring lease '\(name)'") { db in
            let now = clock.now
            let current = try Self.fetchLease(db, name)
            if let current, current.owner != owner, current.expiresAt > now { return .held(current) }
            let acquiredAt = current.flatMap { $0.owner == owner ? $0.acquiredAt : nil } ?? now
            let lease = LeaseRecord(name: name, owner: owner, acquiredAt: acquiredAt, expiresAt: now.addingTimeInterval(duration))
            try db.execute(
                sql: """
                    INSERT INTO leases (name, owner, acquired_at, expires_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (name) DO UPDATE
                    SET owner = excluded.owner, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
                    """,
                arguments: [name, owner, lease.acquiredAt.timeIntervalSinceReferenceDate, lease.expiresAt.timeIntervalSinceReferenceDate])
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
    ///   does not hold it, ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func renewLease(_ name: String, owner: String, for duration: TimeInterval) async throws -> LeaseRecord {
        let clock = self.clock
        return try await write("renewing lease '\(name)'") { db in
            let now = clock.now
            guard var lease = try Self.fetchLease(db, name), lease.owner == owner else {
                throw StoreError.leaseNotHeld(name: name, owner: owner, holder: try Self.fetchLease(db, name)?.owner)
            }
            lease.expiresAt = now.addingTimeInterval(duration)
            try db.execute(sql: "UPDATE leases SET expires_at = ? WHERE name = ?",
                           arguments: [lease.expiresAt.timeIntervalSinceReferenceDate, name])
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
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    @discardableResult
    public func releaseLease(_ name: String, owner: String) async throws -> Bool {
        try await write("releasing lease '\(name)'") { db in
            try db.execute(sql: "DELETE FROM leases WHERE name = ? AND owner = ?", arguments: [name, owner])
            return db.changesCount == 1
        }
    }

    /// The lease stored under `name`, expired or not.
    ///
    /// ```swift
    /// if let lease = try await store.lease("nightly-export") { print(lease.owner) }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func lease(_ name: String) async throws -> LeaseRecord? {
        try await read("reading lease '\(name)'") { db in try Self.fetchLease(db, name) }
    }

    /// The lease row named `name`, if any.
    static func fetchLease(_ db: Database, _ name: String) throws -> LeaseRecord? {
        guard let row = try Row.fetchOne(db, sql: "SELECT owner, acquired_at, expires_at FROM leases WHERE name = ?", arguments: [name])
        else { return nil }
        return LeaseRecord(
            name: name, owner: row["owner"], acquiredAt: Date(timeIntervalSinceReferenceDate: row["acquired_at"]),
            expiresAt: Date(timeIntervalSinceReferenceDate: row["expires_at"]))
    }
}
