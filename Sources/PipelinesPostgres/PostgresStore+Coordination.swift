public import Foundation
public import Pipelines
import PostgresNIO

// STUB: replace every method with its implementation (see the SQLiteStore file of the same name).
extension PostgresStore {

    public func claimFiring(trigger: TriggerID, scheduledAt: Date, owner: String) async throws -> FiringClaim { throw Self.notBuilt }
    public func acquireLease(_ name: String, owner: String, for duration: TimeInterval) async throws -> LeaseAcquisition { throw Self.notBuilt }
    public func renewLease(_ name: String, owner: String, for duration: TimeInterval) async throws -> LeaseRecord { throw Self.notBuilt }
    @discardableResult
    public func releaseLease(_ name: String, owner: String) async throws -> Bool { throw Self.notBuilt }
    public func lease(_ name: String) async throws -> LeaseRecord? { throw Self.notBuilt }
}
