import Foundation
public import Pipelines
import PostgresNIO

// STUB: replace every method with its implementation (see the SQLiteStore file of the same name).
extension PostgresStore {

    public func takeFolderFile(_ entry: FolderFileRecord) async throws -> FolderFileTake { throw Self.notBuilt }
    public func updateFolderFile(_ entry: FolderFileRecord) async throws { throw Self.notBuilt }
    public func folderFiles(in folder: String, unfinishedOnly: Bool) async throws -> [FolderFileRecord] { throw Self.notBuilt }
}
