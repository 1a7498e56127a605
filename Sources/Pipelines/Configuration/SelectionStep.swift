/// How models are deployed automatically by the deployment job.
public enum AutoDeployCriterion: Sendable, Hashable, Codable {
    /// The tested model with the best primary testing score among those created within
    /// the window (seconds back from the run).
    case bestTestingScore(window: Double)
    /// The tested model with the lowest mean prediction time among those created within
    /// the window.
    case bestPredictionTime(window: Double)

    /// The window in seconds.
    public var window: Double {
        switch self {
        case .bestTestingScore(let window), .bestPredictionTime(let window): return window
        }
    }
}

/// Step 4: manual deployment (nil) or automatic deployment by a criterion.
public struct SelectionStep: Sendable, Hashable, Codable {
    /// The automatic deployment criterion; nil deploys only by hand.
    public var autoDeploy: AutoDeployCriterion?

    /// A selection step.
    public init(autoDeploy: AutoDeployCriterion? = nil) { self.autoDeploy = autoDeploy }
}

/// A consumer of the deployed model.
public enum DeploymentConsumer: String, Sendable, Hashable, Codable {
    /// Calls of ``Deployment/predict(_:)-(Array<Dictionary<String,Value>>)`` and
    /// ``Deployment/predict(_:)-(Table)`` in the host process.
    case inProcess
}

/// Step 5: the consumers plugged into the deployed model.
public struct DeploymentStep: Sendable, Hashable, Codable {
    /// The consumers.
    public var consumers: [DeploymentConsumer]

    /// A deployment step.
    public init(consumers: [DeploymentConsumer] = [.inProcess]) { self.consumers = consumers }
}

/// The pipeline's preferences.
public struct Preferences: Sendable, Hashable, Codable {
    /// A free-text description.
    public var description: String
    /// Tags for finding the pipeline.
    public var tags: [String]
    /// The longest a job may run, in seconds, by job; a job past it is cancelled and
    /// recorded as timed out.
    public var timeouts: [JobKind: Double]
    /// Threads each job type may use (forests, histogram binning, BLAS); 1 when unset.
    public var threads: [JobKind: Int]

    /// Preferences.
    public init(description: String = "", tags: [String] = [], timeouts: [JobKind: Double] = [:], threads: [JobKind: Int] = [:]) {
        self.description = description
        self.tags = tags
        self.timeouts = timeouts
        self.threads = threads
    }
}
