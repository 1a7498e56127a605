import Foundation

/// How a store keeps a record as text: the whole record as JSON, keys sorted (stable
/// bytes), dates as `Date`'s own seconds since 2001 (so they read back exactly), non-finite
/// numbers as strings (JSON has no NaN). For store implementations: `SQLiteStore` and
/// `PostgresStore` keep their records this way, beside the columns they query.
///
/// ```swift
/// let text = try StoredRecordCoding.encode(record, "model \(record.id)")
/// let back = try StoredRecordCoding.decode(ModelRecord.self, from: text, "model \(record.id)")
/// ```
public enum StoredRecordCoding {
    /// The record as JSON text.
    ///
    /// - Throws: ``StoreError/backend(_:)`` naming `what` when the record cannot be encoded.
    public static func encode<T: Encodable>(_ value: T, _ what: @autoclosure () -> String) throws -> String {
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

    /// A record written by ``encode(_:_:)``.
    ///
    /// - Throws: ``StoreError/backend(_:)`` naming the record when the text is not a valid
    ///   record (a damaged store, or one written by an incompatible version).
    public static func decode<T: Decodable>(_ type: T.Type, from text: String, _ what: @autoclosure () -> String) throws -> T {
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
}

extension DeploymentScope {
    /// The scope as two columns of a store: its kind (`pipeline` or `standalone`) and the
    /// pipeline's or the line's identifier.
    public var storageColumns: (kind: String, id: String) {
        switch self {
        case .pipeline(let pipeline): return ("pipeline", pipeline.rawValue)
        case .standalone(let line): return ("standalone", line.rawValue)
        }
    }

    /// The scope two store columns name (``storageColumns``); nil for an unknown kind.
    public init?(storageKind kind: String, id: String) {
        switch kind {
        case "pipeline": self = .pipeline(PipelineID(id))
        case "standalone": self = .standalone(ModelID(id))
        default: return nil
        }
    }
}
