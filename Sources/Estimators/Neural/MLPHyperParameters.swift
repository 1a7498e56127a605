/// The activation of a multi-layer perceptron's hidden layers (scikit-learn's `activation`).
public enum MLPActivation: String, Sendable, Hashable, Codable, CaseIterable {
    /// `f(z) = z`.
    case identity
    /// The logistic sigmoid `f(z) = 1 / (1 + e^(−z))`.
    case logistic
    /// `f(z) = tanh(z)`.
    case tanh
    /// The rectified linear unit `f(z) = max(z, 0)`.
    case relu
}

/// The activation of a multi-layer perceptron's output layer, set by the task and the loss
/// as scikit-learn sets `out_activation_`.
public enum MLPOutputActivation: String, Sendable, Hashable, Codable {
    /// Regression with the squared error.
    case identity
    /// Two classes: the probability of the second.
    case logistic
    /// Three classes or more.
    case softmax
    /// Regression with the Poisson loss.
    case exp
}

/// The optimizer (scikit-learn's `solver`).
enum MLPSolver: String, Sendable, Hashable {
    case adam, sgd, lbfgs
}

/// The learning-rate schedule of `solver='sgd'` (scikit-learn's `learning_rate`).
enum MLPLearningRateSchedule: String, Sendable, Hashable {
    case constant, invscaling, adaptive
}

/// The hyper-parameters both perceptrons share, read from checked values.
struct MLPSettings: Sendable, Hashable {
    var hiddenLayerSizes: [Int]
    var activation: MLPActivation
    var solver: MLPSolver
    var alpha: Double
    /// `nil` for `'auto'`: `min(200, rows)`.
    var batchSize: Int?
    var learningRate: MLPLearningRateSchedule
    var learningRateInit: Double
    var powerT: Double
    var maxIterations: Int
    var shuffle: Bool
    var seed: Int
    var tolerance: Double
    var momentum: Double
    var nesterovsMomentum: Bool
    var earlyStopping: Bool
    var validationFraction: Double
    var beta1: Double
    var beta2: Double
    var epsilon: Double
    var iterationsWithoutChange: Int
    var maxFunctionEvaluations: Int

    /// Reads checked values and refuses the combinations the schema cannot express.
    ///
    /// - Throws: ``EstimatorError/invalidHyperParameters(estimator:problems:)`` naming
    ///   `solver` for `'lbfgs'` when it is not supported, and `validation_fraction` when it
    ///   is 0 with `early_stopping`.
    init(_ parameters: HyperParameters, estimator: String) throws(EstimatorError) {
        hiddenLayerSizes = parameters.integers("hidden_layer_sizes") ?? [100]
        activation = parameters.string("activation").flatMap(MLPActivation.init(rawValue:)) ?? .relu
        solver = parameters.string("solver").flatMap(MLPSolver.init(rawValue:)) ?? .adam
        alpha = parameters.double("alpha") ?? 1e-4
        batchSize = parameters.int("batch_size")
        learningRate = parameters.string("learning_rate").flatMap(MLPLearningRateSchedule.init(rawValue:)) ?? .constant
        learningRateInit = parameters.double("learning_rate_init") ?? 1e-3
        powerT = parameters.double("power_t") ?? 0.5
        maxIterations = parameters.int("max_iter") ?? 200
        shuffle = parameters["shuffle"] == .bool(true)
        seed = parameters.int("random_state") ?? 0
        tolerance = parameters.double("tol") ?? 1e-4
        momentum = parameters.double("momentum") ?? 0.9
        nesterovsMomentum = parameters["nesterovs_momentum"] == .bool(true)
        earlyStopping = parameters.bool("early_stopping")
        validationFraction = parameters.double("validation_fraction") ?? 0.1
        beta1 = parameters.double("beta_1") ?? 0.9
        beta2 = parameters.double("beta_2") ?? 0.999
        epsilon = parameters.double("epsilon") ?? 1e-8
        iterationsWithoutChange = parameters.int("n_iter_no_change") ?? 10
        maxFunctionEvaluations = parameters.int("max_fun") ?? 15_000
        var problems: [String] = []
        if earlyStopping && validationFraction <= 0 && solver != .lbfgs {
            problems.append("validation_fraction must be > 0 when early_stopping is True, got \(validationFraction)")
        }
        guard problems.isEmpty else { throw .invalidHyperParameters(estimator: estimator, problems: problems) }
    }

    /// The layers of a perceptron with these hidden layers: `features`, then
    /// ``hiddenLayerSizes``, then `outputs` units.
    ///
    /// - Throws: ``EstimatorError/invalidHyperParameters(estimator:problems:)`` naming
    ///   `hidden_layer_sizes` when the parameters cannot be counted.
    func layout(features: Int, outputs: Int, estimator: String) throws(EstimatorError) -> MLPLayout {
        guard let layout = MLPLayout(units: [features] + hiddenLayerSizes + [outputs]) else {
            throw .invalidHyperParameters(
                estimator: estimator, problems: ["hidden_layer_sizes \(hiddenLayerSizes) gives more parameters than can be counted"])
        }
        return layout
    }

    /// The specs both perceptrons declare, in scikit-learn's order.
    static let specs: [HyperParameterSpec] = [
        .integers(
            "hidden_layer_sizes", default: "100", min: 1,
            "Units of each hidden layer: an integer, or integers separated by commas such as '100,50' (scikit-learn's tuple)."),
        .choice("activation", MLPActivation.allCases.map(\.rawValue), default: "relu", "Activation of the hidden layers."),
        .choice(
            "solver", ["lbfgs", "sgd", "adam"], default: "adam",
            "The optimizer: Adam, stochastic gradient descent with momentum, or full-batch L-BFGS."),
        .double("alpha", default: 1e-4, min: 0, "Strength of the L2 penalty on the weights (not the intercepts)."),
        .oneOf(
            "batch_size", [.choice(["auto"]), .int(minimum: 1, maximum: nil)], default: "auto",
            "Rows per mini-batch; 'auto' is min(200, rows); larger than the rows means all of them."),
        .choice(
            "learning_rate", ["constant", "invscaling", "adaptive"], default: "constant",
            "Learning-rate schedule of solver='sgd'."),
        .double("learning_rate_init", default: 1e-3, min: 0, minInclusive: false, "The initial learning rate (sgd and adam)."),
        .double("power_t", default: 0.5, min: 0, "Exponent of learning_rate='invscaling'."),
        .int("max_iter", default: 200, min: 1, "Most epochs (sgd, adam) or iterations (lbfgs)."),
        .bool("shuffle", default: true, "Shuffle the training rows before each epoch (sgd, adam)."),
        .int(
            "random_state", default: nil, min: 0, max: 4_294_967_295,
            "Seed of the initial weights, the shuffles and the validation split; None means seed 0 (fitting is always deterministic)."),
        .double("tol", default: 1e-4, min: 0, "Improvement of the loss or validation score that counts as progress."),
        .double("momentum", default: 0.9, min: 0, max: 1, "Momentum of solver='sgd'."),
        .bool("nesterovs_momentum", default: true, "Nesterov's momentum for solver='sgd'."),
        .bool(
            "early_stopping", default: false,
            "Keep validation_fraction of the rows aside and stop when their score stops improving (sgd, adam)."),
        .double(
            "validation_fraction", default: 0.1, min: 0, max: 1, maxInclusive: false,
            "Share of the training rows kept aside for early_stopping."),
        .double("beta_1", default: 0.9, min: 0, max: 1, maxInclusive: false, "Adam's decay of the first-moment estimates."),
        .double("beta_2", default: 0.999, min: 0, max: 1, maxInclusive: false, "Adam's decay of the second-moment estimates."),
        .double("epsilon", default: 1e-8, min: 0, minInclusive: false, "Adam's numerical-stability term."),
        .int(
            "n_iter_no_change", default: 10, min: 1,
            "Epochs without an improvement of tol before stopping (or, for learning_rate='adaptive', dividing the rate by 5)."),
        .int("max_fun", default: 15_000, min: 1, "Most loss evaluations of solver='lbfgs'."),
    ]
}
