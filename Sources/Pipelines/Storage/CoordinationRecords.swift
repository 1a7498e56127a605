public import Foundation

/// A lease: a named, exclusive right held by one owner until it expires.
///
/// The core uses one lease per pipeline so that two processes sharing a store never run
/// the same pipeline at once (see ``LeaseStore``); a lease left behind by a killed process
/// expires, and then anyone may take it over.
public struct LeaseRecord: Sendable, Hashable, Codable {
    /// The lease's name (the core's: `pipeline-run:<pipeline id>`).
    public var name: String
    /// Who holds it: an identifier unique to one holder (the core's says host, process and run).
    public var owner: String
    /// When the owner took it (renewals keep this date).
    public var acquiredAt: Date
    /// When it expires unless renewed, by the store's clock; from then on it may be taken over.
    public var expiresAt: Date

    /// A lease record.
    public init(name: String, owner: String, acquiredAt: Date, expiresAt: Date) {
        self.name = name
        self.owner = owner
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
    }
}

/// What ``LeaseStore/acquireLease(_:owner:for:)`` did.
public enum LeaseAcquisition: Sendable, Hashable {
    /// The caller holds the lease now (it was free, expired, or the caller's own).
    case acquired(LeaseRecord)
    /// Another owner holds an unexpired lease: nothing changed.
    case held(LeaseRecord)

    /// The lease as stored after the call: the caller's, or the current holder's.
    public var lease: LeaseRecord {
        switch self {
        case .acquired(let lease), .held(let lease): return lease
        }
    }
}

/// The latest claimed firing of a trigger: which scheduled instant, by whom, and when.
public struct FiringClaimRecord: Sendable, Hashable, Codable {
    /// The trigger.
    public var triggerID: TriggerID
    /// The scheduled instant of the firing claimed.
    public var scheduledAt: Date
    /// Who claimed it (the core's scheduler identifier: host and process).
    public var owner: String
    /// When it was claimed, by the store's clock.
    public var claimedAt: Date

    /// A claim record.
    public init(triggerID: TriggerID, scheduledAt: Date, owner: String, claimedAt: Date) {
        self.triggerID = triggerID
        self.scheduledAt = scheduledAt
        self.owner = owner
        self.claimedAt = claimedAt
    }
}

/// What ``TriggerStore/claimFiring(trigger:scheduledAt:owner:)`` did.
public enum FiringClaim: Sendable, Hashable {
    /// The caller claimed the firing: it, and only it, runs it.
    case claimed(FiringClaimRecord)
    /// A firing of the trigger at or after that instant was claimed already (this one, by
    /// another scheduler, or a later one): the caller must not run it. Carries that claim.
    case taken(FiringClaimRecord)
}
