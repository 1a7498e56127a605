import Foundation
public import LinearAlgebra
public import Scoring

/// A fitted gradient-boosting regressor: `ŷ = initial + learningRate × Σ trees(x)`
/// (GradientBoostingRegressor).
public struct BoostingRegressorModel: PersistableModel, Hashable {
    public static let payloadKind = "BoostingRegressorModel"

    public let estimatorName: String
    public let featureCount: Int
    /// The shrinkage applied to every tree.
    public let learningRate: Double
    /// The initial prediction (the training mean).
    public let initialPrediction: Double
    /// One regression tree per stage.
    public let trees: [DecisionTree]

    public var task: PredictionTask { .regression }

    /// A model from its parts, checked by ``validate()``.
    ///
    /// - Parameters:
    ///   - estimatorName: The estimator that fitted it.
    ///   - featureCount: The number of features.
    ///   - learningRate: The shrinkage of every tree.
    ///   - initialPrediction: The prediction before any tree.
    ///   - trees: One regression tree per stage.
    /// - Throws: ``EstimatorError/invalidPayload(_:)`` for inconsistent parts.
    public init(
        estimatorName: String, featureCount: Int, learningRate: Double, initialPrediction: Double, trees: [DecisionTree]
    ) throws(EstimatorError) {
        self.estimatorName = estimatorName
        self.featureCount = featureCount
        self.learningRate = learningRate
        self.initialPrediction = initialPrediction
        self.trees = trees
        try validate()
    }

    /// Decodes and checks a model (see ``validate()``).
    ///
    /// - Throws: `DecodingError`, or ``EstimatorError/invalidPayload(_:)`` for an
    ///   inconsistent model.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            estimatorName: try container.decode(String.self, forKey: .estimatorName),
            featureCount: try container.decode(Int.self, forKey: .featureCount),
            learningRate: try container.decode(Double.self, forKey: .learningRate),
            initialPrediction: try container.decode(Double.self, forKey: .initialPrediction),
            trees: try container.decode([DecisionTree].self, forKey: .trees))
    }

    /// The boosted prediction of every row.
    ///
    /// - Throws: ``EstimatorError/featureCountMismatch(estimator:expected:actual:)`` or
    ///   ``EstimatorError/nonFiniteFeature(estimator:row:column:)``.
    /// - Complexity: O(rows × trees × depth).
    public func predict(_ x: Matrix) throws(EstimatorError) -> [Double] {
        try InputValidation.checkPredict(x, featureCount: featureCount, estimator: estimatorName)
        return TreeAverage.sum(trees, x, groups: 1, width: 1, scale: learningRate, initial: [initialPrediction]).elements
    }

    /// Checks the trees, the learning rate and the initial prediction.
    ///
    /// - Throws: ``EstimatorError/invalidPayload(_:)``.
    public func validate() throws(EstimatorError) {
        guard featureCount > 0, learningRate.isFinite, learningRate >= 0, initialPrediction.isFinite else {
            throw .invalidPayload("BoostingRegressorModel needs features, a finite learning rate and a finite initial prediction")
        }
        for tree in trees { try tree.validate(featureCount: featureCount, valueWidth: 1) }
    }

    /// The impurity importances (scikit-learn's `feature_importances_`): the mean over the
    /// stage trees of their unnormalized importances, normalized. `nil` for a model
    /// decoded from a payload written before trees stored their node statistics.
    ///
    /// - Complexity: O(total nodes + trees × features).
    public var featureImportances: FeatureImportances? {
        TreeImportances.ensemble(trees, featureCount: featureCount, normalizePerTree: false)
    }
}

/// A fitted gradient-boosting classifier with the log loss (GradientBoostingClassifier):
/// raw scores `initial + learningRate × Σ trees(x)`, one per stage for two classes (the
/// log-odds of class 1), one per class and stage otherwise (softmax scores).
public struct BoostingClassifierModel: PersistableModel, TrainedClassifier, Hashable {
    public static let payloadKind = "BoostingClassifierModel"

    public let estimatorName: String
    public let featureCount: Int
    public let classCount: Int
    /// The shrinkage applied to every tree.
    public let learningRate: Double
    /// The initial raw scores: one (log-odds) for two classes, else one per class.
    public let initialScores: [Double]
    /// The trees, stage after stage, `initialScores.count` per stage.
    public let trees: [DecisionTree]

    /// A model from its parts, checked by ``validate()``.
    ///
    /// - Parameters:
    ///   - estimatorName: The estimator that fitted it.
    ///   - featureCount: The number of features.
    ///   - classCount: The number of classes.
    ///   - learningRate: The shrinkage of every tree.
    ///   - initialScores: The raw scores before any tree (one for two classes).
    ///   - trees: The stages' trees, stage after stage.
    /// - Throws: ``EstimatorError/invalidPayload(_:)`` for inconsistent parts.
    public init(
        estimatorName: String, featureCount: Int, classCount: Int, learningRate: Double, initialScores: [Double], trees: [DecisionTree]
    ) throws(EstimatorError) {
        self.estimatorName = estimatorName
        self.featureCount = featureCount
        self.classCount = classCount
        self.learningRate = learningRate
        self.initialScores = initialScores
        self.trees = trees
        try validate()
    }

    /// Decodes and checks a model (see ``validate()``).
    ///
    /// - Throws: `DecodingError`, or ``EstimatorError/invalidPayload(_:)`` for an
    ///   inconsistent model.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            estimatorName: try container.decode(String.self, forKey: .estimatorName),
            featureCount: try container.decode(Int.self, forKey: .featureCount),
            classCount: try container.decode(Int.self, forKey: .classCount),
            learningRate: try container.decode(Double.self, forKey: .learningRate),
            initialScores: try container.decode([Double].self, forKey: .initialScores),
            trees: try container.decode([DecisionTree].self, forKey: .trees))
    }

    /// The number of trees per stage.
    var treesPerStage: Int { classCount == 2 ? 1 : classCount }

    /// The raw scores (scikit-learn's `decision_function`), one column per tree of a stage.
    ///
    /// - Throws: as ``predictProbabilities(_:)``.
    /// - Complexity: O(rows × trees × depth).
    public func rawScores(_ x: Matrix) throws(EstimatorError) -> Matrix {
        try InputValidation.checkPredict(x, featureCount: featureCount, estimator: estimatorName)
        return TreeAverage.sum(trees, x, groups: treesPerStage, width: 1, scale: learningRate, initial: initialScores)
    }

    /// Class probabilities: the logistic function of the raw score for two classes, the
    /// softmax of the scores otherwise.
    ///
    /// - Throws: ``EstimatorError/featureCountMismatch(estimator:expected:actual:)`` or
    ///   ``EstimatorError/nonFiniteFeature(estimator:row:column:)``.
    /// - Complexity: O(rows × trees × depth).
    public func predictProbabilities(_ x: Matrix) throws(EstimatorError) -> Matrix {
        let scores = try rawScores(x)
        var probabilities = Matrix(rows: x.rows, columns: classCount)
        for i in 0..<x.rows {
            if classCount == 2 {
                let p = LogLoss.sigmoid(scores[i, 0])
                probabilities[i, 0] = 1 - p
                probabilities[i, 1] = p
            } else {
                let p = LogLoss.softmax(scores.row(i))
                for k in 0..<classCount { probabilities[i, k] = p[k] }
            }
        }
        return probabilities
    }

    /// The most probable class of each row (the first on ties), as `Double`.
    ///
    /// - Throws: as ``predictProbabilities(_:)``.
    /// - Complexity: O(rows × trees × depth).
    public func predict(_ x: Matrix) throws(EstimatorError) -> [Double] {
        let probabilities = try predictProbabilities(x)
        return (0..<x.rows).map { i in
            var best = 0
            for k in 0..<classCount where probabilities[i, k] > probabilities[i, best] { best = k }
            return Double(best)
        }
    }

    /// Checks the trees, the stage layout, the learning rate and the initial scores.
    ///
    /// - Throws: ``EstimatorError/invalidPayload(_:)``.
    public func validate() throws(EstimatorError) {
        guard featureCount > 0, classCount >= 2, learningRate.isFinite, learningRate >= 0,
            initialScores.count == treesPerStage, initialScores.allSatisfy(\.isFinite), trees.count % treesPerStage == 0
        else {
            throw .invalidPayload("BoostingClassifierModel needs features, two or more classes, finite scores and whole stages of trees")
        }
        for tree in trees { try tree.validate(featureCount: featureCount, valueWidth: 1) }
    }

    /// The impurity importances over every stage's trees (one per class and stage for more
    /// than two classes), as ``BoostingRegressorModel/featureImportances``.
    ///
    /// - Complexity: O(total nodes + trees × features).
    public var featureImportances: FeatureImportances? {
        TreeImportances.ensemble(trees, featureCount: featureCount, normalizePerTree: false)
    }
}

/// The logistic and softmax functions of the log loss.
enum LogLoss {
    /// `1 / (1 + e^(−z))`, computed without overflow.
    static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }

    /// `e^(zₖ) / Σ e^(zⱼ)`, shifted by the largest score.
    static func softmax(_ scores: some Collection<Double>) -> [Double] {
        let largest = scores.max() ?? 0
        let exponentials = scores.map { exp($0 - largest) }
        let total = exponentials.reduce(0, +)
        return exponentials.map { $0 / total }
    }
}
