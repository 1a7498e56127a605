public import Estimators
public import Foundation
public import ImageDatasets
public import LinearAlgebra
public import Tabular

/// A model's artifact: everything needed to predict from raw records — the estimator's
/// payload, the fitted feature and label encoders, and the feature schema. Stored as
/// JSON; decoding runs no code (the payload is decoded into registered model types and
/// validated).
public struct ModelBundle: Sendable, Hashable, Codable {
    /// The artifact format this library writes and reads.
    public static let currentVersion = 1

    /// The artifact format version.
    public var version: Int
    /// The trained estimator.
    public var payload: ModelPayload
    /// Turns feature columns into the model's matrix.
    public var featureEncoder: FeatureEncoder
    /// Maps class indices back to labels (classifiers).
    public var labelEncoder: LabelEncoder?
    /// Inputs and outputs.
    public var schema: FeatureSchema
    /// How images become the model's features, for a model trained on an image folder
    /// (nil otherwise): predictions on image files apply it (``LoadedModel/predict(imagesAt:)``).
    public var images: ImagePreprocessing?

    /// A bundle.
    public init(
        payload: ModelPayload, featureEncoder: FeatureEncoder, labelEncoder: LabelEncoder?, schema: FeatureSchema,
        images: ImagePreprocessing? = nil
    ) {
        self.version = Self.currentVersion
        self.payload = payload
        self.featureEncoder = featureEncoder
        self.labelEncoder = labelEncoder
        self.schema = schema
        self.images = images
    }

    /// The bundle as JSON bytes.
    ///
    /// - Throws: ``PipelineError/invalidArtifact(model:reason:)``.
    public func encoded(model: ModelID) throws(PipelineError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return try encoder.encode(self)
        } catch {
            throw .invalidArtifact(model: model, reason: "cannot encode: \(error)")
        }
    }

    /// Decodes an artifact and its model, ready to predict.
    ///
    /// - Throws: ``PipelineError/invalidArtifact(model:reason:)`` for malformed bytes, an
    ///   unknown version or a payload the catalog cannot decode.
    public static func load(_ data: Data, model: ModelID, catalog: EstimatorCatalog) throws(PipelineError) -> LoadedModel {
        let bundle: ModelBundle
        do {
            bundle = try JSONDecoder().decode(ModelBundle.self, from: data)
        } catch {
            throw .invalidArtifact(model: model, reason: "malformed: \(error)")
        }
        guard bundle.version == currentVersion else {
            throw .invalidArtifact(model: model, reason: "artifact version \(bundle.version) (this library reads \(currentVersion))")
        }
        do {
            return LoadedModel(id: model, bundle: bundle, model: try catalog.decodeModel(bundle.payload))
        } catch {
            throw .invalidArtifact(model: model, reason: "\(error)")
        }
    }
}

/// Predictions for a batch of records.
public struct Predictions: Sendable, Hashable {
    /// One prediction per record: the label in its original form (classifiers) or the
    /// predicted number (regressors).
    public var values: [Value]
    /// Class probabilities (one row per record, one column per class of ``classes``),
    /// for classifiers.
    public var probabilities: Matrix?
    /// The classes in probability-column order, for classifiers.
    public var classes: [Value]?
    /// The model that made them.
    public var modelID: ModelID
}

/// A decoded, immutable model ready to predict; shared safely between concurrent calls.
public struct LoadedModel: Sendable {
    /// The model's identifier.
    public let id: ModelID
    /// Its artifact.
    public let bundle: ModelBundle
    /// The trained estimator.
    public let model: any TrainedModel

    init(id: ModelID, bundle: ModelBundle, model: any TrainedModel) {
        self.id = id
        self.bundle = bundle
        self.model = model
    }

    /// Predictions for every row of `table` (which must hold the model's features; other
    /// columns are ignored).
    ///
    /// - Parameters:
    ///   - table: Rows holding the model's features.
    ///   - withProbabilities: Whether classifiers also return probabilities.
    /// - Throws: ``PipelineError/data(_:)`` for a missing feature column or value;
    ///   ``PipelineError/estimator(_:)``.
    /// - Complexity: the encoder's O(rows × features) plus the model's prediction cost.
    public func predict(_ table: Table, withProbabilities: Bool = true) throws(PipelineError) -> Predictions {
        let x: Matrix
        do {
            x = try bundle.featureEncoder.transform(table)
        } catch {
            throw .data(error)
        }
        return try predict(matrix: x, withProbabilities: withProbabilities)
    }

    /// Predictions for an already-encoded matrix.
    func predict(matrix x: Matrix, withProbabilities: Bool) throws(PipelineError) -> Predictions {
        do {
            let raw = try model.predict(x)
            guard let labels = bundle.labelEncoder else {
                return Predictions(values: raw.map { .numeric($0) }, probabilities: nil, classes: nil, modelID: id)
            }
            let values: [Value]
            do {
                values = try labels.decode(raw.map { Int($0) })
            } catch {
                throw PipelineError.data(error)
            }
            let probabilities = withProbabilities ? try (model as? any TrainedClassifier)?.predictProbabilities(x) : nil
            return Predictions(values: values, probabilities: probabilities, classes: labels.classes, modelID: id)
        } catch let error as PipelineError {
            throw error
        } catch let error as EstimatorError {
            throw .estimator(error)
        } catch {
            throw .backend("\(error)")
        }
    }
}
