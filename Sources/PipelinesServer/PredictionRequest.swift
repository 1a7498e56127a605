import Foundation
import Tabular

/// The body of `POST /v1/endpoints/{name}/predictions`: `{"records": [{feature: value}, …]}`
/// or `{"record": {feature: value}}` (one record, answered as a batch of one).
///
/// Decoding never throws a decoder's error for the records: it throws a ``ServerError``
/// naming the record (and the feature) at fault, so the client hears where.
struct PredictionRequest: Decodable {
    var records: [[String: Value]]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
        static let records = Key(stringValue: "records")
        static let record = Key(stringValue: "record")
    }

    init(from decoder: any Decoder) throws {
        let container: KeyedDecodingContainer<Key>
        do {
            container = try decoder.container(keyedBy: Key.self)
        } catch {
            throw ServerError.invalidRequest(#"the body must be an object: {"records": [{feature: value, …}]} or {"record": {…}}"#)
        }
        let keys = container.allKeys.map(\.stringValue).sorted()
        if let unknown = keys.first(where: { $0 != "records" && $0 != "record" }) {
            throw ServerError.invalidRequest("unknown key '\(unknown)': the body holds \"records\" (a list) or \"record\" (one)")
        }
        switch (container.contains(.records), container.contains(.record)) {
        case (true, false):
            var list: any UnkeyedDecodingContainer
            do {
                list = try container.nestedUnkeyedContainer(forKey: .records)
            } catch {
                throw ServerError.invalidRequest("\"records\" must be a list of objects")
            }
            var records: [[String: Value]] = []
            records.reserveCapacity(list.count ?? 0)
            while !list.isAtEnd {
                let index = records.count
                records.append(try Self.record(at: index, decode: { try list.decode(RecordObject.self) }))
            }
            guard !records.isEmpty else { throw ServerError.invalidRequest("\"records\" is empty: send at least one record") }
            self.records = records
        case (false, true):
            records = [try Self.record(at: 0, decode: { try container.decode(RecordObject.self, forKey: .record) })]
        case (true, true):
            throw ServerError.invalidRequest("send either \"records\" or \"record\", not both")
        case (false, false):
            throw ServerError.invalidRequest(#"missing "records": the body is {"records": [{feature: value, …}]} or {"record": {…}}"#)
        }
    }

    /// Decodes record `index`, turning a decoder's error into one naming it.
    private static func record(at index: Int, decode: () throws -> RecordObject) throws -> [String: Value] {
        let object: RecordObject
        do {
            object = try decode()
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError.invalidRequest("record \(index) must be an object of feature names to values", record: index)
        }
        var values: [String: Value] = [:]
        values.reserveCapacity(object.fields.count)
        for (feature, field) in object.fields {
            switch field {
            case .value(let value): values[feature] = value
            case .unsupported(let kind):
                throw ServerError(
                    status: .unprocessableContent, code: "invalid_input",
                    message: "record \(index), feature '\(feature)': \(kind) is not a feature value (a number, string, boolean or null)",
                    record: index, feature: feature)
            }
        }
        return values
    }
}

/// One record as sent: feature name → value, each value kept even when unusable, so the
/// error can name its feature.
private struct RecordObject: Decodable {
    var fields: [String: FieldValue]

    init(from decoder: any Decoder) throws {
        fields = try decoder.singleValueContainer().decode([String: FieldValue].self)
    }
}

/// A JSON value where a feature value goes.
private enum FieldValue: Decodable {
    case value(Value)
    /// An array, an object, or a number out of range.
    case unsupported(String)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .value(.missing)
        } else if let boolean = try? container.decode(Bool.self) {
            self = .value(.boolean(boolean))
        } else if let integer = try? container.decode(Int.self) {
            self = .value(.integer(integer))
        } else if let number = try? container.decode(Double.self) {
            self = .value(.numeric(number))
        } else if let string = try? container.decode(String.self) {
            self = .value(.categorical(string))
        } else if (try? decoder.unkeyedContainer()) != nil {
            self = .unsupported("a list")
        } else if (try? decoder.container(keyedBy: AnyKey.self)) != nil {
            self = .unsupported("an object")
        } else {
            self = .unsupported("a number out of range")
        }
    }
}

/// Any key: to tell an object from other JSON values without decoding it.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}
