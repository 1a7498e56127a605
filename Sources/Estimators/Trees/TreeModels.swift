public import LinearAlgebra
public import Scoring
import Dispatch
import Foundation

/// A fitted tree classifier: one tree (DecisionTreeClassifier) or a forest whose class
/// probabilities are the mean of its trees' (RandomForestClassifier).
public struct TreeClassifierModel: PersistableModel, TrainedClassifier, Hashable {
    public static let payloadKind = "TreeClassifierModel"

    public let estimatorName: String
    public let featureCount: Int
    public let classCount: Int
    /// The trees; each node holds `classCount` class probabilities.
    public let trees: [DecisionTree]

    /// A model from its parts, checked by ``validate()``.
    ///
    /// - Parameters:
    ///   - estimatorName: The estimator that grew the trees.
    ///   - featureCount: The number of features.
    ///   - classCount: The number of classes: the values per tree node.
    ///   - trees: One tree or more, averaged.
    /// - Throws: ``EstimatorError/invalidPayload(_:)`` for inconsistent parts.
    public init(estimatorName: String, featureCount: Int, classCount: Int, trees: [DecisionTree]) throws(EstimatorError) {
        self.estimatorName = estimatorName
        self.featureCount = featureCount
        self.classCount = classCount
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
            trees: try container.decode([DecisionTree].self, forKey: .trees))
    }

    /// The mean of the trees' leaf probabilities, one row per sample.
    ///
    /// - Throws: ``EstimatorError/featureCountMismatch(estimator:expected:actual:)`` or
    ///   ``EstimatorError/nonFiniteFeature(estimator:row:column:)``.
    /// - Complexity: O(rows × trees × (depth + classes)).
    public func predictProbabilities(_ x: Matrix) throws(EstimatorError) -> Matrix {
        try InputValidation.checkPredict(x, featureCount: featureCount, estimator: estimatorName)
        return TreeAverage.average(trees, x, width: classCount)
    }

    /// The most probable class of each row (the first on ties), as `Double`.
    ///
    /// - Throws: as ``predictProbabilities(_:)``.
    /// - Complexity: as ``predictProbabilities(_:)``.
    public func predict(_ x: Matrix) throws(EstimatorError) -> [Double] {
        let probabilities = try predictProbabilities(x)
        return (0..<x.rows).map { i in
            var best = 0
            for k in 0..<classCount where probabilities[i, k] > probabilities[i, best] { best = k }
            return Double(best)
        }
    }

    /// Checks the trees and that every node holds probabilities.
    ///
    /// - Throws: ``EstimatorError/invalidPayload(_:)``.
    public func validate() throws(EstimatorError) {
        guard featureCount > 0, classCount >= 2, !trees.isEmpty else {
            throw .invalidPayload("TreeClassifierModel needs features, at least two classes and at least one tree")
        }
        for tree in trees {
            try tree.validate(featureCount: featureCount, valueWidth: classCount)
            guard tree.values.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
                throw .invalidPayload("TreeClassifierModel has a class probability outside [0, 1]")
            }
        }
    }

    /// The impurity importances (scikit-learn's `feature_importances_`): the tree's
    /// (DecisionTreeClassifier), or the mean of the trees' normalized importances,
    /// normalized (RandomForestClassifier). `nil` for a model decoded from a payload
    /// written before trees stored their node statistics.
    ///
    /// - Complexity: O(total nodes + trees × features).
    public var featureImportances: FeatureImportances? {
        TreeImportances.averaged(trees, featureCount: featureCount)
    }
}

/// A fitted tree regressor: one tree (DecisionTreeRegressor) or a forest predicting the
/// mean of its trees (RandomForestRegressor).
public struct TreeRegressorModel: PersistableModel, Hashable {
    public static let payloadKind = "TreeRegressorModel"

    public let estimatorName: String
    public let featureCount: Int
    /// The trees; each node holds one value, the mean target of its training rows.
    public let trees: [DecisionTree]

    public var task: PredictionTask { .regression }

    /// A model from its parts, checked by ``validate()``.
    ///
    /// - Parameters:
    ///   - estimatorName: The estimator that grew the trees.
    ///   - featureCount: The number of features.
    ///   - trees: One tree or more, averaged; one value per node.
    /// - Throws: ``EstimatorError/invalidPayload(_:)`` for inconsistent parts.
    public init(estimatorName: String, featureCount: Int, trees: [DecisionTree]) throws(EstimatorError) {
        self.estimatorName = estimatorName
        self.featureCount = featureCount
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
            trees: try container.decode([DecisionTree].self, forKey: .trees))
    }

    /// The mean of the trees' leaf values for every row.
    ///
    /// - Throws: ``EstimatorError/featureCountMismatch(estimator:expected:actual:)`` or
    ///   ``EstimatorError/nonFiniteFeature(estimator:row:column:)``.
    /// - Complexity: O(rows × trees × depth).
    public func predict(_ x: Matrix) throws(EstimatorError) -> [Double] {
        try InputValidation.checkPredict(x, featureCount: featureCount, estimator: estimatorName)
        return TreeAverage.average(trees, x, width: 1).elements
    }

    /// Checks the trees.
    ///
    /// - Throws: ``EstimatorError/invalidPayload(_:)``.
    public func validate() throws(EstimatorError) {
        guard featureCount > 0, !trees.isEmpty else {
            throw .invalidPayload("TreeRegressorModel needs features and at least one tree")
        }
        for tree in trees { try tree.validate(featureCount: featureCount, valueWidth: 1) }
    }

    /// The impurity importances, as ``TreeClassifierModel/featureImportances``
    /// (DecisionTreeRegressor, RandomForestRegressor).
    ///
    /// - Complexity: O(total nodes + trees × features).
    public var featureImportances: FeatureImportances? {
        TreeImportances.averaged(trees, featureCount: featureCount)
    }
}

/// Leaf values of several trees, averaged or summed per row.
enum TreeAverage {
    /// The mean of the trees' leaf values: one row of `width` per row of `x`.
    ///
    /// - Complexity: O(rows × trees × (depth + width)).
    static func average(_ trees: [DecisionTree], _ x: Matrix, width: Int) -> Matrix {
        sum(trees, x, groups: 1, width: width, scale: 1 / Double(max(1, trees.count)), initial: nil)
    }

    /// `initial + scale × Σ` leaf values per row, tree `t` adding its `width` values at
    /// column `(t % groups) × width` (`groups` trees per boosting stage).
    ///
    /// - Complexity: O(rows × trees × (depth + width)); batches of ``parallelRows`` rows or
    ///   more are split in two halves predicted on two threads (each row is summed alone,
    ///   in tree order, so the result is the same on any number of threads).
    static func sum(_ trees: [DecisionTree], _ x: Matrix, groups: Int, width: Int, scale: Double, initial: [Double]?) -> Matrix {
        let columns = groups * width
        var result = Matrix(rows: x.rows, columns: columns)
        let workers = x.rows >= parallelRows ? min(2, ProcessInfo.processInfo.activeProcessorCount) : 1
        x.withUnsafeElements { elements in
            result.withUnsafeMutableElements { sums in
                guard let input = elements.baseAddress, let output = sums.baseAddress else { return }
                let shared = SharedPointers(input: input, output: output)
                let rows = x.rows, featureCount = x.columns
                let sumRows: @Sendable (Range<Int>) -> Void = { range in
                    trees.withUnsafeBufferPointer { trees in
                        for i in range {
                            let row = shared.input + i * featureCount
                            let target = shared.output + i * columns
                            if let initial { for k in 0..<columns { target[k] = initial[k] } }
                            var group = 0
                            for t in trees.indices {
                                trees[t].accumulate(row, scale: scale, into: target + group * width)
                                group = group + 1 == groups ? 0 : group + 1
                            }
                        }
                    }
                }
                if workers > 1 {
                    let half = rows / 2
                    DispatchQueue.concurrentPerform(iterations: 2) { part in sumRows(part == 0 ? 0..<half : half..<rows) }
                } else {
                    sumRows(0..<rows)
                }
            }
        }
        return result
    }

    /// Batches of at least this many rows are predicted on two threads.
    static let parallelRows = 4_096

    /// The input and output elements, shared by the two halves (each writes its own rows).
    private struct SharedPointers: @unchecked Sendable {
        let input: UnsafePointer<Double>
        let output: UnsafeMutablePointer<Double>
    }
}
