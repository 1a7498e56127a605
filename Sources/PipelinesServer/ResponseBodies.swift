import Foundation
import LinearAlgebra
import Pipelines
import Tabular

/// `POST /v1/endpoints/{name}/predictions` answers this:
/// `{"endpoint", "model": {"id", "version"}, "predictions": [{"label", "probabilities"} or {"value"}]}`,
/// keys sorted, written by ``JSONWriter``.
struct PredictionResponse {
    var predictions: Predictions
    var version: Int
    var endpoint: String

    init(_ predictions: Predictions, version: Int, endpoint: String) {
        self.predictions = predictions
        self.version = version
        self.endpoint = endpoint
    }

    /// The answer's JSON text.
    ///
    /// - Complexity: O(records × classes).
    func json() -> [UInt8] {
        let classNames = predictions.classes?.map(\.description)
        // Probabilities by class name, keys sorted (as for every other answer).
        let order = classNames.map { names in names.indices.sorted { names[$0] < names[$1] } }
        var writer = JSONWriter(capacity: 96 + predictions.values.count * (classNames == nil ? 32 : 48 + 32 * (classNames?.count ?? 0)))
        writer.raw(#"{"endpoint":"#)
        writer.string(endpoint)
        writer.raw(#","model":{"id":"#)
        writer.string(predictions.modelID.rawValue)
        writer.raw(#","version":"#)
        writer.integer(version)
        writer.raw(#"},"predictions":["#)
        for (row, value) in predictions.values.enumerated() {
            if row > 0 { writer.raw(",") }
            guard let classNames, let order else {
                writer.raw(#"{"value":"#)
                if let number = value.doubleValue { writer.number(number) } else { writer.raw("null") }
                writer.raw("}")
                continue
            }
            writer.raw(#"{"label":"#)
            JSONScalar(value).write(to: &writer)
            if let matrix = predictions.probabilities, row < matrix.rows, matrix.columns == classNames.count {
                writer.raw(#","probabilities":{"#)
                for (position, column) in order.enumerated() {
                    if position > 0 { writer.raw(",") }
                    writer.string(classNames[column])
                    writer.raw(":")
                    writer.number(matrix[row, column])
                }
                writer.raw("}")
            }
            writer.raw("}")
        }
        writer.raw("]}")
        return writer.bytes
    }
}

/// A label as JSON: a string, a number or a boolean.
enum JSONScalar: Encodable {
    case string(String)
    case integer(Int)
    case number(Double)
    case boolean(Bool)
    case null

    init(_ value: Value) {
        switch value {
        case .categorical(let text): self = .string(text)
        case .integer(let number): self = .integer(number)
        case .numeric(let number): self = number.isFinite ? .number(number) : .null
        case .boolean(let flag): self = .boolean(flag)
        case .missing: self = .null
        }
    }

    func write(to writer: inout JSONWriter) {
        switch self {
        case .string(let text): writer.string(text)
        case .integer(let number): writer.integer(number)
        case .number(let number): writer.number(number)
        case .boolean(let flag): writer.boolean(flag)
        case .null: writer.raw("null")
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .integer(let number): try container.encode(number)
        case .number(let number): try container.encode(number)
        case .boolean(let flag): try container.encode(flag)
        case .null: try container.encodeNil()
        }
    }
}

/// `GET /v1/endpoints` answers this.
struct EndpointList: Encodable {
    var endpoints: [EndpointDescription]
}

/// An endpoint and the model deployed behind it (absent when none is).
struct EndpointDescription: Encodable {
    var name: String
    var createdAt: String
    var model: DeployedModel?

    /// The deployed model: id, version, when it was deployed and its feature schema.
    struct DeployedModel: Encodable {
        var id: String
        var version: Int
        var deployedAt: String
        var schema: SchemaDescription
    }

    /// The features a record holds, the label and, for classifiers, the classes.
    struct SchemaDescription: Encodable {
        var features: [Field]
        var label: String
        var labelType: String
        var classes: [JSONScalar]?

        struct Field: Encodable {
            var name: String
            var type: String
        }

        init(_ schema: FeatureSchema) {
            features = schema.features.map { Field(name: $0.name, type: $0.type.rawValue) }
            label = schema.label
            labelType = schema.labelType.rawValue
            classes = schema.classes?.map(JSONScalar.init)
        }
    }
}

/// `GET /health` and `GET /ready` answer this.
struct StatusBody: Encodable {
    var status: String
}

/// Dates as the documents write them: ISO 8601 in UTC, with milliseconds.
enum Timestamp {
    static func string(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
