public import Foundation
public import Pipelines
import PostgresNIO

// STUB: replace every method with its implementation (see the SQLiteStore file of the same name).
extension PostgresStore {

    public func insertModel(_ model: ModelRecord, artifact: Data?) async throws { throw Self.notBuilt }
    public func updateModel(_ model: ModelRecord, removingArtifact: Bool) async throws { throw Self.notBuilt }
    public func model(_ id: ModelID) async throws -> ModelRecord? { throw Self.notBuilt }
    public func models(matching filter: ModelFilter, offset: Int, limit: Int?) async throws -> [ModelRecord] { throw Self.notBuilt }
    public func countModels(matching filter: ModelFilter) async throws -> Int { throw Self.notBuilt }
    public func artifact(of model: ModelID) async throws -> Data? { throw Self.notBuilt }
    public func deleteModel(_ id: ModelID) async throws { throw Self.notBuilt }
}
