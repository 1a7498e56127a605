import Foundation
public import Pipelines
import PostgresNIO

// STUB: replace every method with its implementation (see the SQLiteStore file of the same name).
extension PostgresStore {

    public func insertRun(_ run: RunRecord) async throws { throw Self.notBuilt }
    public func updateRun(_ run: RunRecord) async throws { throw Self.notBuilt }
    public func run(_ id: RunID) async throws -> RunRecord? { throw Self.notBuilt }
    public func runs(of pipeline: PipelineID) async throws -> [RunRecord] { throw Self.notBuilt }
    public func insertTrigger(_ trigger: TriggerRecord) async throws { throw Self.notBuilt }
    public func deleteTrigger(_ id: TriggerID) async throws { throw Self.notBuilt }
    public func triggers(of pipeline: PipelineID?) async throws -> [TriggerRecord] { throw Self.notBuilt }
}
