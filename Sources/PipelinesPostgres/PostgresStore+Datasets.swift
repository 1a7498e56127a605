import Foundation
public import Pipelines
import PostgresNIO

// STUB: replace every method with its implementation (see the SQLiteStore file of the same name).
extension PostgresStore {

    public func saveDatasets(_ snapshot: DatasetSnapshot, replacing previous: Int?) async throws { throw Self.notBuilt }
    public func datasets(of pipeline: PipelineID, rows: DatasetRows) async throws -> DatasetSnapshot? { throw Self.notBuilt }
}
