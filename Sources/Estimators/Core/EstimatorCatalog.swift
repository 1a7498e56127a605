public import Scoring

/// The estimators that can be named in a pipeline, and the model kinds whose payloads
/// can be decoded: the standard catalog plus whatever a host registers.
///
/// ```swift
/// let ridge = try EstimatorCatalog.standard.makeEstimator(named: "Ridge", hyperParameters: ["alpha": 0.5])
/// let model = try ridge.fit(x, .values(y), context: FitContext())
/// let restored = try EstimatorCatalog.standard.decodeModel(try model.payload())
/// ```
public struct EstimatorCatalog: Sendable {
    private var estimators: [String: any Estimator.Type] = [:]
    private var modelKinds: [String: any PersistableModel.Type] = [:]

    /// An empty catalog.
    public init() {}

    /// scikit-learn's estimators implemented by this library.
    public static let standard: EstimatorCatalog = {
        var catalog = EstimatorCatalog()
        for estimator in StandardEstimators.estimators { try? catalog.register(estimator) }
        for model in StandardEstimators.models { catalog.registerModel(model) }
        return catalog
    }()

    /// Every estimator name, sorted.
    public var names: [String] { estimators.keys.sorted() }

    /// The names of the estimators for `task`, sorted.
    public func names(for task: PredictionTask) -> [String] {
        estimators.values.filter { $0.task == task }.map { $0.name }.sorted()
    }

    /// Adds an estimator type.
    ///
    /// - Throws: ``EstimatorError/duplicateEstimator(_:)`` when the name is taken.
    public mutating func register(_ estimator: any Estimator.Type) throws(EstimatorError) {
        guard estimators[estimator.name] == nil else { throw .duplicateEstimator(estimator.name) }
        estimators[estimator.name] = estimator
    }

    /// Adds a model type whose payloads can then be decoded.
    public mutating func registerModel(_ model: any PersistableModel.Type) {
        modelKinds[model.payloadKind] = model
    }

    /// The estimator type called `name`.
    ///
    /// - Throws: ``EstimatorError/unknownEstimator(_:available:)``.
    public func estimatorType(named name: String) throws(EstimatorError) -> any Estimator.Type {
        guard let type = estimators[name] else { throw .unknownEstimator(name, available: names) }
        return type
    }

    /// An estimator configured with `hyperParameters` (the rest take scikit-learn's
    /// defaults), checked before any fitting.
    ///
    /// - Throws: ``EstimatorError/unknownEstimator(_:available:)`` or
    ///   ``EstimatorError/invalidHyperParameters(estimator:problems:)`` listing every
    ///   unknown name and invalid value.
    public func makeEstimator(named name: String, hyperParameters: [String: HyperParameterValue] = [:]) throws(EstimatorError) -> any Estimator {
        let type = try estimatorType(named: name)
        let resolved = try type.hyperParameters.resolve(hyperParameters, estimator: name)
        return try type.init(resolved)
    }

    /// The model a payload describes.
    ///
    /// - Throws: ``EstimatorError/invalidPayload(_:)`` for an unknown kind or a body that
    ///   does not decode or validate.
    public func decodeModel(_ payload: ModelPayload) throws(EstimatorError) -> any TrainedModel {
        guard let type = modelKinds[payload.kind] else {
            throw .invalidPayload("unknown model kind '\(payload.kind)' (known: \(modelKinds.keys.sorted().joined(separator: ", ")))")
        }
        return try type.decode(payload)
    }
}
