public import Estimators
public import Foundation
public import Scoring
public import Tabular

/// Where a model came from.
public enum ModelOrigin: Sendable, Hashable {
    /// Trained by a pipeline that still exists.
    case pipeline(PipelineID)
    /// Trained by a pipeline that was deleted: that pipeline's identifier (nil only for
    /// models orphaned by stores written before it was recorded) and name.
    case orphaned(formerPipeline: PipelineID?, name: String)
    /// Imported from outside, under a name.
    case imported(name: String)

    /// The pipeline that owns the model, if any.
    public var pipelineID: PipelineID? {
        if case .pipeline(let id) = self { return id }
        return nil
    }

    /// The deleted pipeline that trained an orphaned model, if known.
    public var formerPipelineID: PipelineID? {
        if case .orphaned(let id, _) = self { return id }
        return nil
    }

    /// The name of an imported model's line, nil for other models.
    public var importName: String? {
        if case .imported(let name) = self { return name }
        return nil
    }

    /// Whether the model stands alone (imported, or left by a deleted pipeline).
    public var isStandalone: Bool { pipelineID == nil }
}

extension ModelOrigin: Codable {
    private enum Keys: String, CodingKey { case pipeline, orphaned, imported }
    private enum OrphanKeys: String, CodingKey { case formerPipeline, formerPipelineID, name }
    private enum ImportKeys: String, CodingKey { case name }
    private enum PipelineKeys: String, CodingKey { case _0 }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        if container.contains(.pipeline) {
            let nested = try container.nestedContainer(keyedBy: PipelineKeys.self, forKey: .pipeline)
            self = .pipeline(try nested.decode(PipelineID.self, forKey: ._0))
        } else if container.contains(.orphaned) {
            let nested = try container.nestedContainer(keyedBy: OrphanKeys.self, forKey: .orphaned)
            if let name = try nested.decodeIfPresent(String.self, forKey: .name) {
                self = .orphaned(formerPipeline: try nested.decodeIfPresent(PipelineID.self, forKey: .formerPipelineID), name: name)
            } else {
                // Records written before the former pipeline's id was kept: `formerPipeline` held its name.
                self = .orphaned(formerPipeline: nil, name: try nested.decode(String.self, forKey: .formerPipeline))
            }
        } else if container.contains(.imported) {
            let nested = try container.nestedContainer(keyedBy: ImportKeys.self, forKey: .imported)
            self = .imported(name: try nested.decode(String.self, forKey: .name))
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown model origin"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        switch self {
        case .pipeline(let id):
            var nested = container.nestedContainer(keyedBy: PipelineKeys.self, forKey: .pipeline)
            try nested.encode(id, forKey: ._0)
        case let .orphaned(id, name):
            var nested = container.nestedContainer(keyedBy: OrphanKeys.self, forKey: .orphaned)
            try nested.encodeIfPresent(id, forKey: .formerPipelineID)
            try nested.encode(name, forKey: .name)
        case .imported(let name):
            var nested = container.nestedContainer(keyedBy: ImportKeys.self, forKey: .imported)
            try nested.encode(name, forKey: .name)
        }
    }
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
/// (the store's artifact of the model), removed when the model is rejected.
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
    /// Every scoring function on the testing set, in the configured order (primary
    /// first; empty until tested). Read one with ``testingScore(named:)``.
    public var testingScores: [ScoreValue]
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
        validationScore: ScoreValue?, testingScores: [ScoreValue] = [], trainingSeconds: Double,
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

    /// The testing score called `name`, if the model was tested with it.
    public func testingScore(named name: String) -> Double? {
        testingScores.first { $0.name == name }?.value
    }

    private enum CodingKeys: String, CodingKey {
        case id, origin, repositoryID, version, estimator, task, hyperParameters, status, validationScore, testingScores
        case trainingSeconds, meanPredictionSeconds, schema, lineage, createdAt, testedAt, lineID
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(ModelID.self, forKey: .id)
        origin = try c.decode(ModelOrigin.self, forKey: .origin)
        repositoryID = try c.decodeIfPresent(RepositoryID.self, forKey: .repositoryID)
        version = try c.decode(Int.self, forKey: .version)
        estimator = try c.decode(String.self, forKey: .estimator)
        task = try c.decode(PredictionTask.self, forKey: .task)
        hyperParameters = try c.decode([String: HyperParameterValue].self, forKey: .hyperParameters)
        status = try c.decode(ModelStatus.self, forKey: .status)
        validationScore = try c.decodeIfPresent(ScoreValue.self, forKey: .validationScore)
        if let list = try? c.decode([ScoreValue].self, forKey: .testingScores) {
            testingScores = list
        } else {
            // Records written before testing scores were a list: a dictionary by name.
            testingScores = try c.decode([String: Double].self, forKey: .testingScores)
                .sorted { $0.key < $1.key }.map { ScoreValue(name: $0.key, value: $0.value) }
        }
        trainingSeconds = try c.decode(Double.self, forKey: .trainingSeconds)
        meanPredictionSeconds = try c.decodeIfPresent(Double.self, forKey: .meanPredictionSeconds)
        schema = try c.decode(FeatureSchema.self, forKey: .schema)
        lineage = try c.decodeIfPresent(ModelLineage.self, forKey: .lineage)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        testedAt = try c.decodeIfPresent(Date.self, forKey: .testedAt)
        lineID = try c.decodeIfPresent(ModelID.self, forKey: .lineID)
    }
}

/// Which models ``ModelStore/models(matching:)`` returns.
public struct ModelFilter: Sendable, Hashable {
    /// Only models of this pipeline.
    public var pipelineID: PipelineID?
    /// Only models left by this deleted pipeline (orphaned models).
    public var formerPipelineID: PipelineID?
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

    /// Only models deployed now.
    public static let deployedOnly = ModelFilter(deployedOnly: true)
    /// Only standalone models (imported, or left by a deleted pipeline).
    public static let standalone = ModelFilter(standalone: true)

    /// Only the models of this pipeline: `registry.models(.pipeline(id))`.
    public static func pipeline(_ id: PipelineID) -> ModelFilter { ModelFilter(pipelineID: id) }
    /// Only the models left by this deleted pipeline.
    public static func formerPipeline(_ id: PipelineID) -> ModelFilter { ModelFilter(formerPipelineID: id) }
    /// Only the models of this repository's pipelines.
    public static func repository(_ id: RepositoryID) -> ModelFilter { ModelFilter(repositoryID: id) }
    /// Only the models of this standalone line.
    public static func line(_ id: ModelID) -> ModelFilter { ModelFilter(lineID: id) }

    /// A filter; every criterion left nil (or false) matches everything.
    public init(
        pipelineID: PipelineID? = nil, repositoryID: RepositoryID? = nil, statuses: Set<ModelStatus>? = nil,
        lineID: ModelID? = nil, standalone: Bool? = nil, deployedOnly: Bool = false, formerPipelineID: PipelineID? = nil
    ) {
        self.pipelineID = pipelineID
        self.formerPipelineID = formerPipelineID
        self.repositoryID = repositoryID
        self.statuses = statuses
        self.lineID = lineID
        self.standalone = standalone
        self.deployedOnly = deployedOnly
    }

    /// Whether `model` passes the filter; `isDeployed` answers for `deployedOnly`.
    public func matches(_ model: ModelRecord, isDeployed: Bool) -> Bool {
        if let pipelineID, model.origin.pipelineID != pipelineID { return false }
        if let formerPipelineID, model.origin.formerPipelineID != formerPipelineID { return false }
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

extension DeploymentScope: CustomStringConvertible {
    public var description: String {
        switch self {
        case .pipeline(let id): return "pipeline \(id)"
        case .standalone(let line): return "model line \(line)"
        }
    }
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
