import Foundation
public import LinearAlgebra
public import Scoring

/// A multi-layer perceptron classifier (scikit-learn's `MLPClassifier`), trained by Adam,
/// SGD with momentum, or L-BFGS on the log-loss.
///
/// Follows scikit-learn 1.9.1's algorithm: Glorot-uniform initial weights, hidden layers
/// of `hidden_layer_sizes` units with the `activation`, one logistic output (two classes)
/// or a softmax over the classes (more), and the loss
///
///     1/b · Σᵢ −log P(yᵢ | xᵢ) + alpha/(2·b) · Σ‖W‖²
///
/// over each mini-batch of `b` rows (all rows for lbfgs; intercepts are not penalised).
/// The stochastic solvers run epochs of shuffled mini-batches until the training loss (or,
/// with `early_stopping`, the accuracy on `validation_fraction` of the rows, split by
/// class for two classes as scikit-learn splits them) has not improved by `tol` for more than `n_iter_no_change` epochs, or
/// `max_iter` epochs have run; with `early_stopping` the weights of the best validation
/// score are kept. Only the classes present in `y` are modelled, as scikit-learn's
/// `classes_`.
///
/// Every random draw comes from the library's ``RandomSource`` seeded by `random_state`
/// (None is seed 0), so fits are reproducible but not scikit-learn's bit for bit; test
/// scores match scikit-learn's statistically (see the parity tests). The fit reports each
/// epoch to ``FitContext/progress`` and keeps the loss curve in ``MLPClassifierModel/history``.
///
/// ```swift
/// let estimator = try EstimatorCatalog.standard.makeEstimator(
///     named: "MLPClassifier", hyperParameters: ["hidden_layer_sizes": "64,32", "random_state": 0])
/// let model = try estimator.fit(x, .classes(y, classCount: 10), context: FitContext(threads: 2))
/// ```
///
/// Hyper-parameters (scikit-learn's names and defaults): `hidden_layer_sizes` (100),
/// `activation` ('relu'), `solver` ('adam' | 'sgd' | 'lbfgs'), `alpha` (1e-4),
/// `batch_size` ('auto'), `learning_rate` ('constant'), `learning_rate_init` (1e-3),
/// `power_t` (0.5), `max_iter` (200), `shuffle` (True), `random_state` (None), `tol` (1e-4),
/// `momentum` (0.9), `nesterovs_momentum` (True), `early_stopping` (False),
/// `validation_fraction` (0.1), `beta_1` (0.9), `beta_2` (0.999), `epsilon` (1e-8),
/// `n_iter_no_change` (10), `max_fun` (15000). Not implemented: `warm_start`, `verbose`
/// (see ``FitContext/progress``), sample weights, `partial_fit`.
public struct MLPClassifier: Estimator {
    /// The catalog name (scikit-learn's class name).
    public static let name = "MLPClassifier"
    /// The prediction task.
    public static let task = PredictionTask.classification
    /// The hyper-parameters: scikit-learn's names, defaults and ranges.
    public static let hyperParameters = HyperParameterSchema(MLPSettings.specs)

    let settings: MLPSettings

    /// `hidden_layer_sizes`.
    public var hiddenLayerSizes: [Int] { settings.hiddenLayerSizes }
    /// `activation`.
    public var activation: MLPActivation { settings.activation }
    /// `max_iter`.
    public var maxIterations: Int { settings.maxIterations }

    /// A classifier configured with checked hyper-parameters.
    ///
    /// - Parameter parameters: Values resolved by ``hyperParameters``.
    /// - Throws: ``EstimatorError/invalidHyperParameters(estimator:problems:)`` for
    ///   `early_stopping` with `validation_fraction` 0.
    public init(_ parameters: HyperParameters) throws(EstimatorError) {
        settings = try MLPSettings(parameters, estimator: Self.name)
    }

    /// Fits the weights.
    ///
    /// - Parameters:
    ///   - x: One row per sample, one column per feature (scaled features train best).
    ///   - y: ``Targets/classes(_:classCount:)`` with at least two distinct classes.
    ///   - context: Cancellation (checked every epoch and every 32 batches, or every L-BFGS
    ///     iteration) and progress (one report per epoch or L-BFGS iteration). A batch's
    ///     rows run in fixed chunks on up to `threads` threads (products too wide for that
    ///     on OpenBLAS's `BLAS.threadCount`); the model depends on neither.
    /// - Returns: An ``MLPClassifierModel``.
    /// - Throws: ``EstimatorError`` for invalid input (see
    ///   ``InputValidation/checkFit(_:_:estimator:task:minimumRows:checkFeatures:)``);
    ///   ``EstimatorError/tooFewSamples(estimator:needed:got:reason:)`` when
    ///   `early_stopping` cannot split the rows; ``EstimatorError/cancelled(estimator:)``;
    ///   ``EstimatorError/fitFailed(estimator:reason:)`` when the weights become non-finite.
    /// - Complexity: O(epochs × rows × Σ units[l]·units[l+1]): per mini-batch one gemm per
    ///   layer forward and two backward (one for the first layer), into buffers allocated
    ///   once per fit.
    public func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        let (labels, classCount, _) = try InputValidation.checkFit(x, y, estimator: Self.name, task: Self.task)
        let present = Array(Set(labels)).sorted()
        var position = [Int](repeating: 0, count: classCount)
        for (k, label) in present.enumerated() { position[label] = k }
        let outputs = present.count == 2 ? 1 : present.count
        let layout = try settings.layout(features: x.columns, outputs: outputs, estimator: Self.name)
        let trainer = MLPTrainer(estimator: Self.name, settings: settings, layout: layout,
                                 output: present.count == 2 ? .logistic : .softmax, context: context)
        let result = try trainer.fit(x, .classes(labels.map { position[$0] }, count: present.count))
        let network = try MLPNetwork(units: layout.units, activation: settings.activation, output: trainer.output,
                                     parameters: result.parameters)
        return try MLPClassifierModel(estimatorName: Self.name, classCount: classCount, classes: present, network: network,
                                      history: result.history)
    }
}
