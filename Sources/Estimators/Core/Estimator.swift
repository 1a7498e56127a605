public import LinearAlgebra
public import Scoring

/// What an estimator is fitted to.
public enum Targets: Sendable {
    /// Class indices in `0..<classCount` (see `Tabular.LabelEncoder`).
    case classes([Int], classCount: Int)
    /// Real values.
    case values([Double])

    /// The number of targets.
    public var count: Int {
        switch self {
        case .classes(let c, _): return c.count
        case .values(let v): return v.count
        }
    }
}

/// How the pipeline validates models, as a custom estimator may want to know.
public enum ValidationSetting: Sendable, Hashable, Codable {
    case none
    case holdout(fraction: Double, seed: UInt64)
    case kFold(folds: Int, seed: UInt64)
}

/// The pipeline's settings an estimator may read while fitting.
public struct FitContext: Sendable {
    /// Threads the estimator may use (forests build trees in parallel).
    public var threads: Int
    /// The pipeline's validation setting.
    public var validation: ValidationSetting
    /// The name of the pipeline's primary scoring function.
    public var primaryScore: String?
    /// A flag the runner cancels to stop the fit (see ``checkCancellation(_:)``).
    public var cancellation: FitCancellation?
    /// Called by iterative estimators after each iteration (see ``FitProgress``); on the
    /// fitting thread, so it should return quickly.
    public var progress: (@Sendable (FitProgress) -> Void)?

    /// The settings of one fit.
    ///
    /// - Parameters:
    ///   - threads: Threads the estimator may use (at least 1).
    ///   - validation: The pipeline's validation setting.
    ///   - primaryScore: The name of the pipeline's primary scoring function.
    ///   - cancellation: A flag that stops the fit when cancelled.
    ///   - progress: Receives the iterations of estimators that report them.
    public init(
        threads: Int = 1, validation: ValidationSetting = .none, primaryScore: String? = nil,
        cancellation: FitCancellation? = nil, progress: (@Sendable (FitProgress) -> Void)? = nil
    ) {
        self.threads = max(1, threads)
        self.validation = validation
        self.primaryScore = primaryScore
        self.cancellation = cancellation
        self.progress = progress
    }
}

/// An estimator: a named learning algorithm with a hyper-parameter schema that fits a
/// feature matrix and targets into a ``TrainedModel``.
///
/// Conform a type to register a custom estimator (`PredictionTask` is in `Scoring`,
/// `Matrix` in `LinearAlgebra`); its model conforms to ``PersistableModel``:
///
/// ```swift
/// struct MeanBaseline: Estimator {
///     static let name = "MeanBaseline"
///     static let task = PredictionTask.regression
///     static let hyperParameters = HyperParameterSchema([])
///     init(_ parameters: HyperParameters) {}
///     func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel { … }
/// }
/// var catalog = EstimatorCatalog.standard
/// try catalog.register(MeanBaseline.self)
/// catalog.registerModel(MeanBaselineModel.self)   // so stored models can be decoded
/// let workspace = Workspace(store: InMemoryStore(), estimators: catalog)   // module Pipelines
/// ```
///
/// The module's documentation has the complete example.
public protocol Estimator: Sendable {
    /// The catalog name (scikit-learn's class name for standard estimators).
    static var name: String { get }
    /// Classification or regression.
    static var task: PredictionTask { get }
    /// The hyper-parameters, with scikit-learn's names and defaults.
    static var hyperParameters: HyperParameterSchema { get }

    /// An estimator configured with checked hyper-parameters.
    init(_ parameters: HyperParameters) throws(EstimatorError)

    /// Fits the estimator.
    ///
    /// - Parameters:
    ///   - x: One row per sample, one column per feature.
    ///   - y: ``Targets/classes(_:classCount:)`` for classifiers, ``Targets/values(_:)``
    ///     for regressors.
    ///   - context: The pipeline's settings.
    /// - Throws: ``EstimatorError``.
    func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel
}

/// A fitted model.
public protocol TrainedModel: Sendable {
    /// The name of the estimator that produced it.
    var estimatorName: String { get }
    /// The number of features it was fitted on.
    var featureCount: Int { get }
    /// Classification or regression.
    var task: PredictionTask { get }

    /// Predictions for every row: real values for regressors, class indices (as `Double`)
    /// for classifiers.
    ///
    /// - Throws: ``EstimatorError/featureCountMismatch(estimator:expected:actual:)`` or
    ///   ``EstimatorError/nonFiniteFeature(estimator:row:column:)``.
    func predict(_ x: Matrix) throws(EstimatorError) -> [Double]

    /// The model's versioned, portable payload.
    func payload() throws(EstimatorError) -> ModelPayload

    /// What the model says about its features, as scikit-learn's `feature_importances_`
    /// (tree models) or `coef_` (linear models); `nil` when it says nothing (the default,
    /// so custom models need not implement it).
    var featureImportances: FeatureImportances? { get }
}

/// A fitted classifier.
public protocol TrainedClassifier: TrainedModel {
    /// The number of classes.
    var classCount: Int { get }
    /// One row per sample, one column per class, rows summing to 1.
    ///
    /// - Throws: as ``TrainedModel/predict(_:)``.
    func predictProbabilities(_ x: Matrix) throws(EstimatorError) -> Matrix
}

extension TrainedClassifier {
    /// The task of a classifier.
    public var task: PredictionTask { .classification }

    /// Predicted class indices.
    ///
    /// - Throws: as ``TrainedModel/predict(_:)``.
    public func predictClasses(_ x: Matrix) throws(EstimatorError) -> [Int] {
        try predict(x).map { Int($0) }
    }
}
