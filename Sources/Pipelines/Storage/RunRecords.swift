public import Estimators
public import Foundation

/// The four jobs of a pipeline, in the order a run executes them.
public enum JobKind: String, Sendable, Hashable, Codable, CodingKeyRepresentable, CaseIterable, Comparable {
    /// Builds the training, validation and testing sets from the inputs.
    case datasetGeneration
    /// Fits every tuning combination and saves the best model.
    case training
    /// Scores untested models on the testing set.
    case testing
    /// Deploys by the selection criterion.
    case deployment

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs).map { l in allCases.firstIndex(of: rhs).map { l < $0 } ?? false } ?? false
    }
}

extension JobKind: CustomStringConvertible {
    /// The job's name as people say it: `dataset generation`, `training`, `testing`, `deployment`.
    public var description: String {
        switch self {
        case .datasetGeneration: return "dataset generation"
        case .training: return "training"
        case .testing: return "testing"
        case .deployment: return "deployment"
        }
    }
}

extension RunStatus: CustomStringConvertible {
    /// The status's raw value: `succeeded`, `timedOut`, …
    public var description: String { rawValue }
}

/// How a job or a run ended.
public enum RunStatus: String, Sendable, Hashable, Codable {
    /// Still running.
    case running
    /// Finished without error.
    case succeeded
    /// Stopped by an error.
    case failed
    /// Stopped because a job passed its timeout.
    case timedOut
    /// Cancelled by the host.
    case cancelled
    /// Not executed: an earlier job failed, or (for a whole run) the pipeline was already
    /// running when a trigger fired.
    case skipped
}

/// What started a run.
public enum RunOrigin: Sendable, Hashable, Codable {
    /// A call of the host (or the command line).
    case manual
    /// A trigger firing at its scheduled time.
    case trigger(TriggerID, scheduledAt: Date)
}

/// One job's outcome within a run.
public struct JobOutcome: Sendable, Hashable, Codable {
    /// The job.
    public var job: JobKind
    /// How it ended.
    public var status: RunStatus
    /// When it started (nil when skipped).
    public var startedAt: Date?
    /// When it ended.
    public var finishedAt: Date?
    /// What went wrong, when it failed or timed out.
    public var error: String?
    /// A one-line account of what it did ("saved model …", "312 training rows", …).
    public var summary: String
    /// Where the job's time went, in order: e.g. `load`, `encode`, `fit`, `validate`,
    /// `save` (see ``JobPhase``). Empty for skipped jobs and for records written before
    /// phases were recorded.
    public var phases: [JobPhase]

    /// A job outcome.
    public init(
        job: JobKind, status: RunStatus, startedAt: Date?, finishedAt: Date?, error: String? = nil, summary: String = "",
        phases: [JobPhase] = []
    ) {
        self.job = job
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
        self.summary = summary
        self.phases = phases
    }

    private enum CodingKeys: String, CodingKey { case job, status, startedAt, finishedAt, error, summary, phases }

    /// Decodes an outcome; one stored before phases were recorded has none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        job = try container.decode(JobKind.self, forKey: .job)
        status = try container.decode(RunStatus.self, forKey: .status)
        startedAt = try container.decodeIfPresent(Date.self, forKey: .startedAt)
        finishedAt = try container.decodeIfPresent(Date.self, forKey: .finishedAt)
        error = try container.decodeIfPresent(String.self, forKey: .error)
        summary = try container.decode(String.self, forKey: .summary)
        phases = try container.decodeIfPresent([JobPhase].self, forKey: .phases) ?? []
    }

    /// Seconds between start and finish (0 when skipped).
    public var seconds: Double {
        guard let startedAt, let finishedAt else { return 0 }
        return finishedAt.timeIntervalSince(startedAt)
    }
}

/// One phase of a job and the wall-clock seconds it took. A phase that happens several
/// times in a job (fitting each tuning combination) is one entry with the total.
///
/// The names the jobs use: `read` (sources), `load` (stored datasets or models, decoded),
/// `generate` (the append-only rules), `encode` (the design matrix), `fit`, `validate`,
/// `score` (testing), `save` (to the store), `deploy`.
public struct JobPhase: Sendable, Hashable, Codable {
    /// The phase's name.
    public var name: String
    /// Its wall-clock seconds.
    public var seconds: Double

    /// A phase.
    public init(name: String, seconds: Double) {
        self.name = name
        self.seconds = seconds
    }
}

/// The validation score of one tuning combination: what the tuning view shows.
public struct CombinationScore: Sendable, Hashable, Codable {
    /// The combination's hyper-parameters (the tuned ones; the rest are defaults).
    public var hyperParameters: [String: HyperParameterValue]
    /// The primary score (the mean over folds with k-fold); nil when fitting failed.
    public var score: Double?
    /// Per-fold scores with k-fold, else one value.
    public var foldScores: [Double]
    /// Why the fit or the scoring failed.
    public var error: String?

    /// A combination score.
    public init(hyperParameters: [String: HyperParameterValue], score: Double?, foldScores: [Double], error: String? = nil) {
        self.hyperParameters = hyperParameters
        self.score = score
        self.foldScores = foldScores
        self.error = error
    }
}

/// A stored run of a pipeline's jobs.
public struct RunRecord: Sendable, Hashable, Codable {
    /// The run's identifier.
    public var id: RunID
    /// The pipeline.
    public var pipelineID: PipelineID
    /// The configuration version it ran.
    public var configurationVersion: Int
    /// Manual or trigger.
    public var origin: RunOrigin
    /// The jobs asked for, in order.
    public var jobs: [JobKind]
    /// The run's status: the first non-success of its jobs, else succeeded.
    public var status: RunStatus
    /// When it started.
    public var startedAt: Date
    /// When it ended (nil while running).
    public var finishedAt: Date?
    /// Each job's outcome, in order.
    public var outcomes: [JobOutcome]
    /// Every tuning combination's validation score (training job).
    public var combinations: [CombinationScore]
    /// Models saved by the training job.
    public var savedModels: [ModelID]
    /// What stopped the run, if anything.
    public var error: String?

    /// A run record.
    public init(
        id: RunID = RunID(), pipelineID: PipelineID, configurationVersion: Int, origin: RunOrigin, jobs: [JobKind],
        status: RunStatus, startedAt: Date, finishedAt: Date? = nil, outcomes: [JobOutcome] = [],
        combinations: [CombinationScore] = [], savedModels: [ModelID] = [], error: String? = nil
    ) {
        self.id = id
        self.pipelineID = pipelineID
        self.configurationVersion = configurationVersion
        self.origin = origin
        self.jobs = jobs
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcomes = outcomes
        self.combinations = combinations
        self.savedModels = savedModels
        self.error = error
    }
}
