import Foundation
import GRDB
import Pipelines

/// How records become rows and rows records: the whole record as JSON text, plus the
/// copies of its queried fields.
enum RecordCoding {
    /// Encodes a record as JSON text: keys sorted (stable bytes), dates as seconds since
    /// 2001 (`Date`'s own representation, so they round-trip exactly), non-finite numbers
    /// as strings (JSON has no NaN).
    static func encode<T: Encodable>(_ value: T, _ what: @autoclosure () -> String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .deferredToDate
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw StoreError.backend("encoding \(what()) as JSON: \(error)")
        }
    }

    /// Decodes a record written by ``encode(_:_:)``.
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` naming the record when the text is
    ///   not a valid record (a damaged file, or one written by an incompatible version).
    static func decode<T: Decodable>(_ type: T.Type, from text: String, _ what: @autoclosure () -> String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .deferredToDate
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "+Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.backend("decoding \(what()) from its stored JSON: \(error)")
        }
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

/// A deployment scope as two columns: its kind and its identifier.
struct ScopeKey: Hashable {
    /// `pipeline` or `standalone`.
    let kind: String
    /// The pipeline's or the line's identifier.
    let id: String

    init(_ scope: DeploymentScope) {
        switch scope {
        case .pipeline(let pipeline): (kind, id) = ("pipeline", pipeline.rawValue)
        case .standalone(let line): (kind, id) = ("standalone", line.rawValue)
        }
    }

    init(kind: String, id: String) {
        self.kind = kind
        self.id = id
    }

    /// The scope these columns name; nil for an unknown kind.
    var scope: DeploymentScope? {
        switch kind {
        case "pipeline": return .pipeline(PipelineID(id))
        case "standalone": return .standalone(ModelID(id))
        default: return nil
        }
    }
}

extension ModelRecord {
    /// The values of the `models` columns beside `record`, in table order:
    /// `id, pipeline_id, repository_id, line_id, status, version, created_at`.
    var columnValues: [(any DatabaseValueConvertible)?] {
        [id.rawValue, origin.pipelineID?.rawValue, repositoryID?.rawValue, lineID?.rawValue, status.rawValue, version,
         createdAt.timeIntervalSinceReferenceDate, origin.importName, origin.formerPipelineID?.rawValue]
    }
}
