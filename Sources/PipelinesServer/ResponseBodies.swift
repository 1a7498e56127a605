import Foundation
import LinearAlgebra
import Pipelines
import Tabular

/// `POST /v1/endpoints/{name}/predictions` answers this.
struct PredictionResponse: Encodable {
    /// One per record, in order.
    var predictions: [PredictionItem]
    /// The model that answered.
    var model: ModelSummary
    /// The endpoint called.
    var endpoint: String

    init(_ predictions: Predictions, version: Int, endpoint: String) {
        var items: [PredictionItem] = []
        items.reserveCapacity(predictions.values.count)
        let classNames = predictions.classes?.map(\.description)
        for (row, value) in predictions.values.enumerated() {
            guard let classNames else {
                items.append(PredictionItem(label: nil, value: value.doubleValue, probabilities: nil))
                continue
            }
            var probabilities: [String: Double]?
            if let matrix = predictions.probabilities, row < matrix.rows, matrix.columns == classNames.count {
                var byClass: [String: Double] = [:]
                for (column, name) in classNames.enumerated() { byClass[name] = matrix[row, column] }
                probabilities = byClass
            }
            items.append(PredictionItem(label: JSONScalar(value), value: nil, probabilities: probabilities))
        }
        self.predictions = items
        self.model = ModelSummary(id: predictions.modelID.rawValue, version: version)
        self.endpoint = endpoint
    }
}

/// One prediction: a classifier's `label` (in its original form) and `probabilities` by
/// class, or a regressor's `value`.
struct PredictionItem: Encodable {
    var label: JSONScalar?
    var value: Double?
    var probabilities: [String: Double]?
}

/// A model's id and version.
struct ModelSummary: Encodable {
    var id: String
    var version: Int
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
