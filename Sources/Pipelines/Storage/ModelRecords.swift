public import Estimators
public import Foundation
public import Scoring
public import Tabular

/// Where a model came from.
public enum ModelOrigin: Sendable, Hashable, Codable {
    /// Trained by a pipeline that still exists.
    case pipeline(PipelineID)
    /// Trained by a pipeline that was deleted; it keeps that pipeline's name.
    case orphaned(formerPipeline: String)
    /// Imported from outside, under a name.
    case imported(name: String)

    /// The pipeline that owns the model, if any.
    public var pipelineID: PipelineID? {
        if case .pipeline(let id) = self { return id }
        return nil
    }

    /// Whether the model stands alone (imported, or left by a deleted pipeline).
    public var isStandalone: Bool { pipelineID == nil }
}

/// A model's state in its life-cycle.
public enum ModelStatus: String, Sendable, Hashable, Codable {
    /// Passed its validation threshold and was saved; not tested yet.
    case saved
    /// Passed every testing threshold.
    case tested
    /// Failed a testing threshold: kept for the record, its artifact removed.
    case rejected
}

/// What a model expects and returns: its input features (in order, with their types), its
/// label and, for classifiers, the classes in their original form.
public struct FeatureSchema: Sendable, Hashable, Codable {
    /// The input features, in the order the model reads them.
    public var features: [Schema.Field]
    /// The label's name.
    public var label: String
    /// The label's type in the source.
    public var labelType: ColumnType
    /// The classes in index order (classifiers), nil for regressors.
    public var classes: [Value]?

    /// A feature schema.
    public init(features: [Schema.Field], label: String, labelType: ColumnType, classes: [Value]?) {
        self.features = features
        self.label = label
        self.labelType = labelType
        self.classes = classes
    }
}

/// Where a model came from in data and configuration, so every prediction can be traced.
public struct ModelLineage: Sendable, Hashable, Codable {
    /// The dataset snapshot (``DatasetSnapshot/generation``) it was trained on.
    public var datasetGeneration: Int
    /// Rows it was fitted on.
    public var trainingRows: Int
    /// Validation rows it was scored on (0 without validation; the fold size with k-fold).
    public var validationRows: Int
    /// Testing rows at training time.
    public var testingRows: Int
    /// The hash of the configuration version that produced it.
    public var configurationHash: String

    /// A lineage.
    public init(datasetGeneration: Int, trainingRows: Int, validationRows: Int, testingRows: Int, configurationHash: String) {
        self.datasetGeneration = datasetGeneration
        self.trainingRows = trainingRows
        self.validationRows = validationRows
        self.testingRows = testingRows
        self.configurationHash = configurationHash
    }
}

/// A named score value.
public struct ScoreValue: Sendable, Hashable, Codable {
    /// The scoring function's name.
    public var name: String
    /// The value.
    public var value: Double

    /// A score value.
    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}

/// A stored model's metadata. Its fitted parameters are a separate artifact
/// (``ModelArtifact``), removed when the model is rejected.
public struct ModelRecord: Sendable, Hashable, Codable {
    /// The model's identifier.
    public var id: ModelID
    /// Pipeline, orphaned or imported.
    public var origin: ModelOrigin
    /// The repository of its pipeline (nil for imported models).
    public var repositoryID: RepositoryID?
    /// The configuration version that produced it (for imported models, their own
    /// version counter).
    public var version: Int
    /// The estimator's catalog name.
    public var estimator: String
    /// Classification or regression.
    public var task: PredictionTask
    /// Every hyper-parameter, defaults included.
    public var hyperParameters: [String: HyperParameterValue]
    /// Life-cycle state.
    public var status: ModelStatus
    /// The primary score on validation (nil for imported models).
    public var validationScore: ScoreValue?
    /// Every scoring function on the testing set, by name (empty until tested).
    public var testingScores: [String: Double]
    /// Wall-clock seconds of the final fit.
    public var trainingSeconds: Double
    /// Mean seconds to predict one record through the whole model (encoding included).
    public var meanPredictionSeconds: Double?
    /// Inputs and outputs.
    public var schema: FeatureSchema
    /// Data and configuration it came from (nil for imported models).
    public var lineage: ModelLineage?
    /// When it was created.
    public var createdAt: Date
    /// When it was last tested (nil until then).
    public var testedAt: Date?
    /// For standalone models, the line of versions it belongs to: the first version's
    /// identifier (its own for the first). Nil for pipeline models. A line is one
    /// deployment scope, ``DeploymentScope/standalone(_:)``.
    public var lineID: ModelID?

    /// A model record.
    public init(
        id: ModelID = ModelID(), origin: ModelOrigin, repositoryID: RepositoryID?, version: Int, estimator: String,
        task: PredictionTask, hyperParameters: [String: HyperParameterValue], status: ModelStatus,
        validationScore: ScoreValue?, testingScores: [String: Double] = [:], trainingSeconds: Double,
        meanPredictionSeconds: Double?, schema: FeatureSchema, lineage: ModelLineage?, createdAt: Date, testedAt: Date? = nil,
        lineID: ModelID? = nil
    ) {
        self.id = id
        self.origin = origin
        self.repositoryID = repositoryID
        self.version = version
        self.estimator = estimator
        self.task = task
        self.hyperParameters = hyperParameters
        self.status = status
        self.validationScore = validationScore
        self.testingScores = testingScores
        self.trainingSeconds = trainingSeconds
        self.meanPredictionSeconds = meanPredictionSeconds
        self.schema = schema
        self.lineage = lineage
        self.createdAt = createdAt
        self.testedAt = testedAt
        self.lineID = lineID
    }

}

/// Which models ``ModelStore/models(matching:)`` returns.
public struct ModelFilter: Sendable, Hashable {
    /// Only models of this pipeline.
    public var pipelineID: PipelineID?
    /// Only models of this repository.
    public var repositoryID: RepositoryID?
    /// Only models in one of these states (nil: all).
    public var statuses: Set<ModelStatus>?
    /// Only models of this standalone line.
    public var lineID: ModelID?
    /// Only standalone models (true), only pipeline models (false), or both (nil).
    public var standalone: Bool?
    /// Only models deployed now (in their pipeline or line).
    public var deployedOnly: Bool

    /// A filter; every criterion left nil (or false) matches everything.
    public init(
        pipelineID: PipelineID? = nil, repositoryID: RepositoryID? = nil, statuses: Set<ModelStatus>? = nil,
        lineID: ModelID? = nil, standalone: Bool? = nil, deployedOnly: Bool = false
    ) {
        self.pipelineID = pipelineID
        self.repositoryID = repositoryID
        self.statuses = statuses
        self.lineID = lineID
        self.standalone = standalone
        self.deployedOnly = deployedOnly
    }

    /// Whether `model` passes the filter; `isDeployed` answers for ``deployedOnly``.
    public func matches(_ model: ModelRecord, isDeployed: Bool) -> Bool {
        if let pipelineID, model.origin.pipelineID != pipelineID { return false }
        if let repositoryID, model.repositoryID != repositoryID { return false }
        if let statuses, !statuses.contains(model.status) { return false }
        if let lineID, model.lineID != lineID { return false }
        if let standalone, model.origin.isStandalone != standalone { return false }
        if deployedOnly && !isDeployed { return false }
        return true
    }
}

/// What a deployment belongs to: a pipeline, or a standalone model (and its versions).
public enum DeploymentScope: Sendable, Hashable, Codable {
    /// The pipeline's one deployed model.
    case pipeline(PipelineID)
    /// A standalone model line, named by its first model.
    case standalone(ModelID)
}

/// One entry of a scope's append-only deployment history.
public struct DeploymentRecord: Sendable, Hashable, Codable {
    /// The scope.
    public var scope: DeploymentScope
    /// The model deployed from ``deployedAt`` on (nil: the scope was undeployed).
    public var modelID: ModelID?
    /// The model deployed before.
    public var previousModelID: ModelID?
    /// When the switch happened.
    public var deployedAt: Date

    /// A deployment record.
    public init(scope: DeploymentScope, modelID: ModelID?, previousModelID: ModelID?, deployedAt: Date) {
        self.scope = scope
        self.modelID = modelID
        self.previousModelID = previousModelID
        self.deployedAt = deployedAt
    }
}
