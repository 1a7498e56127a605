public import Foundation
public import Pipelines
import PostgresNIO

// STUB: replace every method with its implementation (see the SQLiteStore file of the same name).
extension PostgresStore {

    public func insertRepository(_ repository: RepositoryRecord) async throws { throw Self.notBuilt }
    public func updateRepository(_ repository: RepositoryRecord) async throws { throw Self.notBuilt }
    public func repository(_ id: RepositoryID) async throws -> RepositoryRecord? { throw Self.notBuilt }
    public func repositories() async throws -> [RepositoryRecord] { throw Self.notBuilt }
    public func deleteRepository(_ id: RepositoryID, includingPipelines: Bool, orphaning: ModelOrphaning) async throws { throw Self.notBuilt }
    public func insertPipeline(_ pipeline: PipelineRecord) async throws { throw Self.notBuilt }
    public func renamePipeline(_ id: PipelineID, to name: String, at date: Date) async throws -> PipelineRecord { throw Self.notBuilt }
    public func pipeline(_ id: PipelineID) async throws -> PipelineRecord? { throw Self.notBuilt }
    public func pipelines(in repository: RepositoryID?) async throws -> [PipelineRecord] { throw Self.notBuilt }
    public func appendConfiguration(_ configuration: ConfigurationRecord) async throws { throw Self.notBuilt }
    public func configuration(of pipeline: PipelineID, version: Int?) async throws -> ConfigurationRecord? { throw Self.notBuilt }
    public func configurations(of pipeline: PipelineID) async throws -> [ConfigurationRecord] { throw Self.notBuilt }
    public func deletePipeline(_ id: PipelineID, orphaning: ModelOrphaning) async throws { throw Self.notBuilt }
}
