import Foundation
public import LinearAlgebra
public import Scoring

/// A fitted multi-layer perceptron classifier (scikit-learn's `MLPClassifier` after
/// fitting).
///
/// As in scikit-learn, two classes are modelled by one logistic output unit, the
/// probability of the second class, and more classes by one softmax unit per class. Only
/// the classes present in the training data are modelled (they are ``classes``); any
/// other class of `0..<classCount` has probability 0.
///
/// ```swift
/// let model = try MLPClassifier(parameters).fit(x, .classes(y, classCount: 10), context: FitContext())
/// let probabilities = try (model as? MLPClassifierModel)?.predictProbabilities(xTest)
/// ```
public struct MLPClassifierModel: PersistableModel, TrainedClassifier, Hashable {
    /// The kind written into payloads.
    public static let payloadKind = "MLPClassifierModel"

    /// The estimator that produced the model.
    public let estimatorName: String
    /// The number of features the model was fitted on.
    public let featureCount: Int
    /// The number of classes of the task.
    public let classCount: Int
    /// The class indices seen in training, ascending (scikit-learn's `classes_`).
    public let classes: [Int]
    /// The weights and activations.
    public let network: MLPNetwork
    /// How the fit went (`loss_curve_`, `validation_scores_`, `n_iter_`…).
    public let history: MLPFitHistory

    /// A model from its parts (normally made by ``MLPClassifier``).
    ///
    /// - Parameters:
    ///   - estimatorName: The estimator that produced it.
    ///   - classCount: The number of classes of the task.
    ///   - classes: The classes seen in training, ascending, at least two.
    ///   - network: One logistic output for two classes, else one softmax output per class.
    ///   - history: How the fit went.
    /// - Throws: ``EstimatorError/invalidPayload(_:)`` when the parts do not fit together
    ///   (see ``validate()``).
    public init(estimatorName: String, classCount: Int, classes: [Int], network: MLPNetwork, history: MLPFitHistory) throws(EstimatorError) {
        self.estimatorName = estimatorName
        self.featureCount = network.units[0]
        self.classCount = classCount
        self.classes = classes
        self.network = network
        self.history = history
        try validate()
    }

    /// Class probabilities (scikit-learn's `predict_proba`).
    ///
    /// - Parameter x: One row per sample.
    /// - Returns: One row per sample, one column per class of `0..<classCount`.
    /// - Throws: ``EstimatorError/featureCountMismatch(estimator:expected:actual:)`` or
    ///   ``EstimatorError/nonFiniteFeature(estimator:row:column:)``.
    /// - Complexity: O(rows × Σ units[l]·units[l+1]), one gemm per layer.
    public func predictProbabilities(_ x: Matrix) throws(EstimatorError) -> Matrix {
        try InputValidation.checkPredict(x, featureCount: featureCount, estimator: estimatorName)
        let outputs = try network.outputs(x)
        var probabilities = Matrix(rows: x.rows, columns: classCount)
        let classes = self.classes, classCount = self.classCount, width = outputs.columns
        outputs.withUnsafeElements { o in
            probabilities.withUnsafeMutableElements { p in
                for i in 0..<x.rows {
                    if width == 1 {
                        p[i * classCount + classes[0]] = 1 - o[i]
                        p[i * classCount + classes[1]] = o[i]
                    } else {
                        for k in 0..<width { p[i * classCount + classes[k]] = o[i * width + k] }
                    }
                }
            }
        }
        return probabilities
    }

    /// The most probable class (the first on ties; for two classes the second when its
    /// probability is above 0.5), as scikit-learn predicts.
    ///
    /// - Parameter x: One row per sample.
    /// - Returns: Class indices as `Double`.
    /// - Throws: ``EstimatorError/featureCountMismatch(estimator:expected:actual:)`` or
    ///   ``EstimatorError/nonFiniteFeature(estimator:row:column:)``.
    /// - Complexity: O(rows × Σ units[l]·units[l+1]), one gemm per layer.
    public func predict(_ x: Matrix) throws(EstimatorError) -> [Double] {
        try InputValidation.checkPredict(x, featureCount: featureCount, estimator: estimatorName)
        let outputs = try network.outputs(x)
        let width = outputs.columns
        return outputs.withUnsafeElements { o in
            guard let base = o.baseAddress else { return [] }
            return (0..<x.rows).map { i in Double(classes[MLPOutputLayer.predictedClass(base + i * width, columns: width)]) }
        }
    }

    /// Checks the parts after decoding: at least two ascending classes within
    /// `0..<classCount`, and an output layer that matches them.
    ///
    /// - Throws: ``EstimatorError/invalidPayload(_:)``.
    public func validate() throws(EstimatorError) {
        guard classCount >= 2, classes.count >= 2, classes.count <= classCount,
              zip(classes, classes.dropFirst()).allSatisfy({ $0 < $1 }),
              let first = classes.first, let last = classes.last, first >= 0, last < classCount
        else {
            throw .invalidPayload("MLPClassifierModel classes must be at least two ascending indices in 0..<\(classCount)")
        }
        let expected: (MLPOutputActivation, Int) = classes.count == 2 ? (.logistic, 1) : (.softmax, classes.count)
        guard network.output == expected.0, network.units.last == expected.1, featureCount == network.units[0] else {
            throw .invalidPayload("MLPClassifierModel with \(classes.count) classes needs \(expected.1) \(expected.0) outputs")
        }
    }
}

/// A fitted multi-layer perceptron regressor (scikit-learn's `MLPRegressor` after
/// fitting): one output unit, the identity for the squared error, `exp` for the Poisson
/// loss.
///
/// ```swift
/// let model = try MLPRegressor(parameters).fit(x, .values(y), context: FitContext())
/// let predicted = try model.predict(xTest)
/// ```
public struct MLPRegressorModel: PersistableModel, Hashable {
    /// The kind written into payloads.
    public static let payloadKind = "MLPRegressorModel"

    /// The estimator that produced the model.
    public let estimatorName: String
    /// The number of features the model was fitted on.
    public let featureCount: Int
    /// The weights and activations.
    public let network: MLPNetwork
    /// How the fit went (`loss_curve_`, `validation_scores_`, `n_iter_`…).
    public let history: MLPFitHistory

    /// The task of a regressor.
    public var task: PredictionTask { .regression }

    /// A model from its parts (normally made by ``MLPRegressor``).
    ///
    /// - Parameters:
    ///   - estimatorName: The estimator that produced it.
    ///   - network: One identity or exp output unit.
    ///   - history: How the fit went.
    /// - Throws: ``EstimatorError/invalidPayload(_:)`` when the network has another output.
    public init(estimatorName: String, network: MLPNetwork, history: MLPFitHistory) throws(EstimatorError) {
        self.estimatorName = estimatorName
        self.featureCount = network.units[0]
        self.network = network
        self.history = history
        try validate()
    }

    /// Predicted values.
    ///
    /// - Parameter x: One row per sample.
    /// - Throws: ``EstimatorError/featureCountMismatch(estimator:expected:actual:)`` or
    ///   ``EstimatorError/nonFiniteFeature(estimator:row:column:)``.
    /// - Complexity: O(rows × Σ units[l]·units[l+1]), one gemm per layer.
    public func predict(_ x: Matrix) throws(EstimatorError) -> [Double] {
        try InputValidation.checkPredict(x, featureCount: featureCount, estimator: estimatorName)
        return try network.outputs(x).elements
    }

    /// Checks the parts after decoding: one identity or exp output.
    ///
    /// - Throws: ``EstimatorError/invalidPayload(_:)``.
    public func validate() throws(EstimatorError) {
        guard network.output == .identity || network.output == .exp, network.units.last == 1, featureCount == network.units[0] else {
            throw .invalidPayload("MLPRegressorModel needs one identity or exp output")
        }
    }
}
