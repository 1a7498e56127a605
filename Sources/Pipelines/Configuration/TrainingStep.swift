public import Estimators

/// A scoring function of the pipeline, with its threshold.
public struct ScoreSetting: Sendable, Hashable, Codable {
    /// The function's name in the scoring catalog.
    public var name: String
    /// The value a model must reach (greater-is-better scores) or stay under
    /// (lower-is-better); nil always passes.
    public var threshold: Double?
    /// Whether this is the primary score: the one models are validated, tuned and
    /// selected by.
    public var primary: Bool

    /// A score setting.
    public init(_ name: String, threshold: Double? = nil, primary: Bool = false) {
        self.name = name
        self.threshold = threshold
        self.primary = primary
    }
}

/// Step 2: the estimator, the validation scheme and the scoring functions.
///
/// ```swift
/// config.training = TrainingStep(estimator: "RandomForestClassifier", validation: .holdout(fraction: 0.2, seed: 1),
///                                scores: [ScoreSetting("accuracy", threshold: 0.8, primary: true), ScoreSetting("f1")])
/// ```
public struct TrainingStep: Sendable, Hashable, Codable {
    /// The estimator's catalog name (standard or host-registered).
    public var estimator: String?
    /// How models are validated: none (scored on their training rows), a holdout share
    /// of training, or k-fold (scores averaged).
    public var validation: ValidationSetting
    /// The scoring functions. Empty: the task's default (accuracy or r2) is used. When
    /// none is starred primary, the first is.
    public var scores: [ScoreSetting]

    /// A training step.
    public init(estimator: String? = nil, validation: ValidationSetting = .holdout(fraction: 0.2, seed: 0), scores: [ScoreSetting] = []) {
        self.estimator = estimator
        self.validation = validation
        self.scores = scores
    }

    /// The primary score setting: the starred one, else the first.
    public var primaryScore: ScoreSetting? { scores.first(where: \.primary) ?? scores.first }
}
