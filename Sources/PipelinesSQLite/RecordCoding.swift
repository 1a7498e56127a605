import Foundation
import GRDB
import Pipelines

/// How records become rows and rows records: the whole record as JSON text, plus the
/// copies of its queried fields.
enum RecordCoding {
    /// Encodes a record as JSON text (``Pipelines/StoredRecordCoding``, the stores' one rule).
    static func encode<T: Encodable>(_ value: T, _ what: @autoclosure () -> String) throws -> String {
        try StoredRecordCoding.encode(value, what())
    }

    /// Decodes a record written by ``encode(_:_:)``.
    static func decode<T: Decodable>(_ type: T.Type, from text: String, _ what: @autoclosure () -> String) throws -> T {
        try StoredRecordCoding.decode(type, from: text, what())
    }

    /// Decodes the `record` column of every row, in order.
    static func decodeAll<T: Decodable>(_ type: T.Type, _ db: Database, sql: String, arguments: StatementArguments = [],
                                        _ what: String) throws -> [T] {
        try String.fetchAll(db, sql: sql, arguments: arguments).map { try decode(type, from: $0, what) }
    }

    /// Decodes the `record` column of the first row, if any.
    static func decodeOne<T: Decodable>(_ type: T.Type, _ db: Database, sql: String, arguments: StatementArguments = [],
                                        _ what: @autoclosure () -> String) throws -> T? {
        guard let text = try String.fetchOne(db, sql: sql, arguments: arguments) else { return nil }
        return try decode(type, from: text, what())
    }
}

/// A deployment scope as two columns: its kind and its identifier
/// (``Pipelines/DeploymentScope/storageColumns``, the stores' one rule).
struct ScopeKey: Hashable {
    /// `pipeline` or `standalone`.
    let kind: String
    /// The pipeline's or the line's identifier.
    let id: String

    init(_ scope: DeploymentScope) {
        (kind, id) = scope.storageColumns
    }

    init(kind: String, id: String) {
        self.kind = kind
        self.id = id
    }

    /// The scope these columns name; nil for an unknown kind.
    var scope: DeploymentScope? { DeploymentScope(storageKind: kind, id: id) }
}

extension ModelRecord {
    /// The values of the `models` columns beside `record`, in table order:
    /// `id, pipeline_id, repository_id, line_id, status, version, created_at`.
    var columnValues: [(any DatabaseValueConvertible)?] {
        [id.rawValue, origin.pipelineID?.rawValue, repositoryID?.rawValue, lineID?.rawValue, status.rawValue, version,
         createdAt.timeIntervalSinceReferenceDate, origin.importName, origin.formerPipelineID?.rawValue]
    }
}
