public import Foundation

/// A trained model's portable, versioned payload: an envelope naming the model kind, the
/// estimator and the feature count, around the model's own parameters (coefficients,
/// trees, training points…) encoded as JSON.
///
/// Decoding runs no code from the payload: the body is decoded into the registered
/// `Codable` type for its kind and then checked for internal consistency
/// (``PersistableModel/validate()``), so altered bytes are refused, never executed.
///
/// ```json
/// {"format": "swift-ml-pipelines.model", "version": 2, "kind": "LinearModel",
///  "estimator": "Ridge", "featureCount": 3, "body": "<base64 JSON of the model>"}
/// ```
public struct ModelPayload: Sendable, Hashable, Codable {
    /// The format name every payload carries.
    public static let formatName = "swift-ml-pipelines.model"
    /// The payload version this library writes.
    ///
    /// Version 2 stores tree node arrays as base64 little-endian bytes (see
    /// ``DecisionTree``); version 1 stored them as JSON numbers. Both are read.
    public static let currentVersion = 2
    /// The payload versions this library reads.
    public static let readableVersions = 1...2

    /// Always ``formatName``.
    public var format: String
    /// The payload version.
    public var version: Int
    /// The model kind, which selects the type that decodes ``body``.
    public var kind: String
    /// The estimator that produced the model.
    public var estimator: String
    /// The number of features the model expects.
    public var featureCount: Int
    /// The model's parameters, as JSON.
    public var body: Data

    public init(kind: String, estimator: String, featureCount: Int, body: Data) {
        self.format = Self.formatName
        self.version = Self.currentVersion
        self.kind = kind
        self.estimator = estimator
        self.featureCount = featureCount
        self.body = body
    }

    /// The payload as JSON bytes (keys sorted, so equal models give equal bytes).
    public func encoded() throws(EstimatorError) -> Data {
        do {
            return try Self.encoder.encode(self)
        } catch {
            throw .invalidPayload("cannot encode: \(error)")
        }
    }

    /// Decodes a payload from ``encoded()``'s bytes, checking format and version.
    ///
    /// - Throws: ``EstimatorError/invalidPayload(_:)``.
    public init(decoding data: Data) throws(EstimatorError) {
        let payload: ModelPayload
        do {
            payload = try JSONDecoder().decode(ModelPayload.self, from: data)
        } catch {
            throw .invalidPayload("not a model payload: \(error)")
        }
        guard payload.format == Self.formatName else { throw .invalidPayload("unknown format '\(payload.format)'") }
        guard Self.readableVersions.contains(payload.version) else {
            throw .invalidPayload(
                "unsupported payload version \(payload.version) (this library reads versions \(Self.readableVersions.lowerBound) to \(Self.readableVersions.upperBound))")
        }
        self = payload
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

/// A trained model that can be stored as a ``ModelPayload``.
///
/// Conform custom trained models too, and register them with
/// ``EstimatorCatalog/registerModel(_:)`` so their payloads can be decoded.
public protocol PersistableModel: TrainedModel, Codable {
    /// The kind written into payloads; unique per model type.
    static var payloadKind: String { get }
    /// Checks internal consistency after decoding (array lengths, child indices, finite
    /// parameters), so a decoded model can never crash or mispredict silently.
    ///
    /// - Throws: ``EstimatorError/invalidPayload(_:)``.
    func validate() throws(EstimatorError)
}

extension PersistableModel {
    public func payload() throws(EstimatorError) -> ModelPayload {
        do {
            let body = try ModelPayload.encoder.encode(self)
            return ModelPayload(kind: Self.payloadKind, estimator: estimatorName, featureCount: featureCount, body: body)
        } catch {
            throw .invalidPayload("cannot encode \(Self.payloadKind): \(error)")
        }
    }

    /// Decodes and validates a model of this type from a payload body.
    static func decode(_ payload: ModelPayload) throws(EstimatorError) -> Self {
        let model: Self
        do {
            model = try JSONDecoder().decode(Self.self, from: payload.body)
        } catch {
            throw .invalidPayload("malformed \(payloadKind) body: \(error)")
        }
        try model.validate()
        guard model.featureCount == payload.featureCount, model.estimatorName == payload.estimator else {
            throw .invalidPayload("the \(payloadKind) body does not match its envelope")
        }
        return model
    }
}
