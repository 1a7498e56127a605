import Foundation
public import LinearAlgebra
public import Scoring

/// A multi-layer perceptron regressor (scikit-learn's `MLPRegressor`), trained by Adam,
/// SGD with momentum, or L-BFGS on half the squared error (or half the Poisson deviance).
///
/// The same algorithm as ``MLPClassifier`` with one output unit: the identity for
/// `loss='squared_error'`, minimizing `1/(2b) · Σᵢ (ŷᵢ − yᵢ)² + alpha/(2b) · Σ‖W‖²` over
/// each mini-batch of `b` rows, or `exp` for `loss='poisson'` (`1/b · Σᵢ [yᵢ log(yᵢ/ŷᵢ) −
/// yᵢ + ŷᵢ]`, targets ≥ 0). `early_stopping` scores r2 on `validation_fraction` of the
/// rows. Targets are used as given: scale them (and the features) for the solvers to
/// converge.
///
/// ```swift
/// let estimator = try EstimatorCatalog.standard.makeEstimator(
///     named: "MLPRegressor", hyperParameters: ["hidden_layer_sizes": 50, "alpha": 10, "max_iter": 1000])
/// let model = try estimator.fit(x, .values(y), context: FitContext(threads: 2))
/// ```
///
/// Hyper-parameters: `loss` ('squared_error' | 'poisson'), then those of
/// ``MLPClassifier``, with the same defaults.
public struct MLPRegressor: Estimator {
    /// The catalog name (scikit-learn's class name).
    public static let name = "MLPRegressor"
    /// The prediction task.
    public static let task = PredictionTask.regression
    /// The hyper-parameters: scikit-learn's names, defaults and ranges.
    public static let hyperParameters = HyperParameterSchema(
        [.choice("loss", ["squared_error", "poisson"], default: "squared_error",
                 "Half the squared error (identity output), or half the Poisson deviance (exp output, targets ≥ 0).")]
            + MLPSettings.specs)

    let settings: MLPSettings
    /// `loss` is 'poisson'.
    let poisson: Bool

    /// `hidden_layer_sizes`.
    public var hiddenLayerSizes: [Int] { settings.hiddenLayerSizes }
    /// `activation`.
    public var activation: MLPActivation { settings.activation }
    /// `max_iter`.
    public var maxIterations: Int { settings.maxIterations }

    /// A regressor configured with checked hyper-parameters.
    ///
    /// - Parameter parameters: Values resolved by ``hyperParameters``.
    /// - Throws: ``EstimatorError/invalidHyperParameters(estimator:problems:)`` for
    ///   `early_stopping` with `validation_fraction` 0.
    public init(_ parameters: HyperParameters) throws(EstimatorError) {
        settings = try MLPSettings(parameters, estimator: Self.name)
        poisson = parameters.string("loss") == "poisson"
    }

    /// Fits the weights.
    ///
    /// - Parameters:
    ///   - x: One row per sample, one column per feature (scaled features train best).
    ///   - y: ``Targets/values(_:)``, at least 0 for `loss='poisson'`.
    ///   - context: Cancellation (checked every epoch and every 32 batches, or every L-BFGS
    ///     iteration) and progress (one report per epoch or L-BFGS iteration). A batch's
    ///     rows run in fixed chunks on up to `threads` threads (products too wide for that
    ///     on OpenBLAS's `BLAS.threadCount`); the model depends on neither.
    /// - Returns: An ``MLPRegressorModel``.
    /// - Throws: ``EstimatorError`` for invalid input (see
    ///   ``InputValidation/checkFit(_:_:estimator:task:minimumRows:checkFeatures:)``);
    ///   ``EstimatorError/fitFailed(estimator:reason:)`` for a negative target with
    ///   `loss='poisson'` or when the weights become non-finite;
    ///   ``EstimatorError/tooFewSamples(estimator:needed:got:reason:)`` when
    ///   `early_stopping` cannot split the rows; ``EstimatorError/cancelled(estimator:)``.
    /// - Complexity: O(epochs × rows × Σ units[l]·units[l+1]), as ``MLPClassifier``.
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        let (_, _, values) = try InputValidation.checkFit(x, y, estimator: Self.name, task: Self.task)
        if poisson, let row = values.firstIndex(where: { $0 < 0 }) {
            throw .fitFailed(estimator: Self.name, reason: "loss='poisson' needs targets ≥ 0, row \(row) is \(values[row])")
        }
        let layout = try settings.layout(features: x.columns, outputs: 1, estimator: Self.name)
        let trainer = MLPTrainer(estimator: Self.name, settings: settings, layout: layout, output: poisson ? .exp : .identity,
                                 context: context)
        let result = try trainer.fit(x, .values(values))
        let network = try MLPNetwork(units: layout.units, activation: settings.activation, output: trainer.output,
                                     parameters: result.parameters)
        return try MLPRegressorModel(estimatorName: Self.name, network: network, history: result.history)
    }
}
