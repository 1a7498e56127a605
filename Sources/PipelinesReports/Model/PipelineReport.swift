public import Foundation

/// Everything a pipeline's report shows, gathered from the store and computed once: the
/// models, the tuning grid's scores, the primary score across configuration versions, the
/// diagnostics of the deployed (or chosen) model on the testing set, the deployment
/// history and the runs.
///
/// Values only (no store handles): build it with ``ReportBuilder`` and draw it with
/// ``ReportPage``, or encode it as JSON.
public struct PipelineReport: Sendable, Hashable, Codable {
    /// The repository's name.
    public var repository: String
    /// The pipeline's name.
    public var pipeline: String
    /// When the report was gathered.
    public var generatedAt: Date
    /// Classification or regression (nil before the pipeline has models).
    public var task: String?
    /// The name of the primary score (the one selection ranks by), e.g. `accuracy`.
    public var primaryScore: String?
    /// Every model of the pipeline, newest version first.
    public var models: [ModelRow]
    /// The tuning grid's combinations of every run that tuned, newest run first.
    public var combinations: [CombinationRow]
    /// The primary score of every model, by configuration version (oldest first).
    public var scoreHistory: [ScorePoint]
    /// The deployed model's diagnostics on the testing set (or the chosen model's when
    /// none is deployed); nil when there is no model or no testing set.
    public var diagnostics: ModelDiagnostics?
    /// Every deployment change, oldest first.
    public var deployments: [DeploymentChangeRow]
    /// The runs, newest first.
    public var runs: [RunRow]

    /// A report; see the properties.
    public init(
        repository: String, pipeline: String, generatedAt: Date, task: String?, primaryScore: String?, models: [ModelRow],
        combinations: [CombinationRow], scoreHistory: [ScorePoint], diagnostics: ModelDiagnostics?,
        deployments: [DeploymentChangeRow], runs: [RunRow]
    ) {
        self.repository = repository
        self.pipeline = pipeline
        self.generatedAt = generatedAt
        self.task = task
        self.primaryScore = primaryScore
        self.models = models
        self.combinations = combinations
        self.scoreHistory = scoreHistory
        self.diagnostics = diagnostics
        self.deployments = deployments
        self.runs = runs
    }
}

/// The report of the whole registry: every model of every repository, and a summary line
/// per pipeline linking to its own report.
public struct RegistryReport: Sendable, Hashable, Codable {
    /// When the report was gathered.
    public var generatedAt: Date
    /// Every pipeline, by repository then name.
    public var pipelines: [PipelineSummary]
    /// Every model of every repository (pipeline and standalone), newest first.
    public var models: [ModelRow]

    /// A registry report; see the properties.
    public init(generatedAt: Date, pipelines: [PipelineSummary], models: [ModelRow]) {
        self.generatedAt = generatedAt
        self.pipelines = pipelines
        self.models = models
    }
}

/// One pipeline in the registry report.
public struct PipelineSummary: Sendable, Hashable, Codable {
    /// The repository's name.
    public var repository: String
    /// The pipeline's name.
    public var pipeline: String
    /// How many models it has.
    public var modelCount: Int
    /// The deployed model's version, if one is deployed.
    public var deployedVersion: Int?
    /// The deployed model's primary testing score, if any.
    public var deployedScore: Double?
    /// The primary score's name.
    public var primaryScore: String?

    /// A summary; see the properties.
    public init(repository: String, pipeline: String, modelCount: Int, deployedVersion: Int?, deployedScore: Double?, primaryScore: String?) {
        self.repository = repository
        self.pipeline = pipeline
        self.modelCount = modelCount
        self.deployedVersion = deployedVersion
        self.deployedScore = deployedScore
        self.primaryScore = primaryScore
    }
}

/// One model in a models table.
public struct ModelRow: Sendable, Hashable, Codable {
    /// The model's identifier.
    public var id: String
    /// Where it belongs: the pipeline's name, or the standalone line's name.
    public var owner: String
    /// Its version within its pipeline or line.
    public var version: Int
    /// The estimator's name, e.g. `RandomForestClassifier`.
    public var estimator: String
    /// Its hyper-parameters, sorted by name, values as text.
    public var hyperParameters: [NamedValue]
    /// The validation score (name and value), if it has one.
    public var validationScore: NamedScore?
    /// Its testing scores, primary first.
    public var testingScores: [NamedScore]
    /// `saved`, `tested` or `rejected`.
    public var status: String
    /// Whether it is the deployed model of its pipeline or line.
    public var deployed: Bool
    /// When it was saved.
    public var createdAt: Date

    /// A row; see the properties.
    public init(
        id: String, owner: String, version: Int, estimator: String, hyperParameters: [NamedValue], validationScore: NamedScore?,
        testingScores: [NamedScore], status: String, deployed: Bool, createdAt: Date
    ) {
        self.id = id
        self.owner = owner
        self.version = version
        self.estimator = estimator
        self.hyperParameters = hyperParameters
        self.validationScore = validationScore
        self.testingScores = testingScores
        self.status = status
        self.deployed = deployed
        self.createdAt = createdAt
    }
}

/// A name and a value as text (a hyper-parameter).
public struct NamedValue: Sendable, Hashable, Codable {
    /// The name.
    public var name: String
    /// The value, as text.
    public var value: String

    /// A named value.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A score's name and value.
public struct NamedScore: Sendable, Hashable, Codable {
    /// The score's name, e.g. `accuracy`.
    public var name: String
    /// Its value.
    public var value: Double

    /// A named score.
    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}

/// One combination of a tuning grid, as a run scored it.
public struct CombinationRow: Sendable, Hashable, Codable {
    /// The run's identifier.
    public var run: String
    /// The configuration version the run used.
    public var configurationVersion: Int
    /// The combination's hyper-parameters, sorted by name.
    public var hyperParameters: [NamedValue]
    /// Its mean validation score (nil when it failed).
    public var score: Double?
    /// Its score on each fold (one for a hold-out).
    public var foldScores: [Double]
    /// Why it failed, if it did.
    public var error: String?

    /// A combination row; see the properties.
    public init(run: String, configurationVersion: Int, hyperParameters: [NamedValue], score: Double?, foldScores: [Double], error: String?) {
        self.run = run
        self.configurationVersion = configurationVersion
        self.hyperParameters = hyperParameters
        self.score = score
        self.foldScores = foldScores
        self.error = error
    }
}

/// One model's primary scores, placed at its configuration version.
public struct ScorePoint: Sendable, Hashable, Codable {
    /// The configuration version that trained it.
    public var configurationVersion: Int
    /// The model's version.
    public var modelVersion: Int
    /// Its validation score (primary), if any.
    public var validation: Double?
    /// Its testing score (primary), if any.
    public var testing: Double?

    /// A point; see the properties.
    public init(configurationVersion: Int, modelVersion: Int, validation: Double?, testing: Double?) {
        self.configurationVersion = configurationVersion
        self.modelVersion = modelVersion
        self.validation = validation
        self.testing = testing
    }
}

/// A change of the deployed model.
public struct DeploymentChangeRow: Sendable, Hashable, Codable {
    /// When it happened.
    public var at: Date
    /// The version deployed from then on (nil: undeployed).
    public var modelVersion: Int?
    /// The version deployed before (nil: none).
    public var previousVersion: Int?

    /// A change; see the properties.
    public init(at: Date, modelVersion: Int?, previousVersion: Int?) {
        self.at = at
        self.modelVersion = modelVersion
        self.previousVersion = previousVersion
    }
}

/// One run and its jobs.
public struct RunRow: Sendable, Hashable, Codable {
    /// The run's identifier.
    public var id: String
    /// The configuration version it used.
    public var configurationVersion: Int
    /// What started it: `manual`, `trigger`, …
    public var origin: String
    /// `succeeded`, `failed`, `cancelled`, …
    public var status: String
    /// When it started.
    public var startedAt: Date
    /// Its jobs, in order.
    public var jobs: [JobRow]

    /// A run row; see the properties.
    public init(id: String, configurationVersion: Int, origin: String, status: String, startedAt: Date, jobs: [JobRow]) {
        self.id = id
        self.configurationVersion = configurationVersion
        self.origin = origin
        self.status = status
        self.startedAt = startedAt
        self.jobs = jobs
    }
}

/// One job of a run.
public struct JobRow: Sendable, Hashable, Codable {
    /// `datasetGeneration`, `training`, `testing` or `deployment`.
    public var job: String
    /// How it ended.
    public var status: String
    /// How long it took, in seconds (nil when it did not run).
    public var seconds: Double?

    /// A job row; see the properties.
    public init(job: String, status: String, seconds: Double?) {
        self.job = job
        self.status = status
        self.seconds = seconds
    }
}
