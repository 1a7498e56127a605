import Foundation
import LinearAlgebra

/// The hyper-parameter specs tree estimators share, with scikit-learn's names, defaults
/// and ranges.
enum TreeParameters {
    static let classificationCriterion = HyperParameterSpec.choice(
        "criterion", ["gini", "entropy", "log_loss"], default: "gini",
        "Split quality: Gini impurity, or entropy ('log_loss' is the same as 'entropy').")
    static let regressionCriterion = HyperParameterSpec.choice(
        "criterion", ["squared_error"], default: "squared_error", "Split quality: the decrease of the mean squared error.")

    static func maxDepth(default value: Int?) -> HyperParameterSpec {
        .int("max_depth", default: value, min: 1, optional: true, "The deepest a leaf may be; None grows until leaves are pure or too small.")
    }

    static let minSamplesSplit = HyperParameterSpec.int(
        "min_samples_split", default: 2, min: 2, "A node with fewer training rows is not split.")
    static let minSamplesLeaf = HyperParameterSpec.int(
        "min_samples_leaf", default: 1, min: 1, "The fewest training rows a leaf may keep.")
    static let randomState = HyperParameterSpec.int(
        "random_state", default: nil, min: 0, max: 4_294_967_295,
        "Seed of the feature order, bootstrap and subsamples; None means seed 0 (fitting is always deterministic).")
    static let treeMaxFeatures = HyperParameterSpec.int(
        "max_features", default: nil, min: 1, optional: true, "Features drawn at each split; None means all of them.")

    static func forestMaxFeatures(default value: String?) -> HyperParameterSpec {
        .choice(
            "max_features", ["sqrt", "log2"], default: value, optional: true,
            "Features drawn at each split: √features, log₂ features, or None for all of them (scikit-learn's 1.0).")
    }

    /// The seed `random_state` asks for (`None` is 0).
    static func seed(_ parameters: HyperParameters) -> Int { parameters.int("random_state") ?? 0 }
}

/// How many features each split looks at.
enum MaxFeatures: Sendable, Hashable {
    /// Every feature.
    case all
    /// A fixed count.
    case count(Int)
    /// `max(1, ⌊√features⌋)`.
    case sqrt
    /// `max(1, ⌊log₂ features⌋)`.
    case log2

    /// Reads `max_features` from an integer, 'sqrt', 'log2' or `None`.
    init(_ value: HyperParameterValue) {
        switch value {
        case .int(let count): self = .count(count)
        case .string("sqrt"): self = .sqrt
        case .string("log2"): self = .log2
        default: self = .all
        }
    }

    /// The count for `featureCount` features.
    ///
    /// - Throws: ``EstimatorError/invalidHyperParameters(estimator:problems:)`` when a
    ///   fixed count exceeds the number of features.
    func resolved(featureCount: Int, estimator: String) throws(EstimatorError) -> Int {
        switch self {
        case .all: return featureCount
        case .sqrt: return max(1, Int(Double(featureCount).squareRoot()))
        case .log2: return max(1, Int(Foundation.log2(Double(featureCount))))
        case .count(let count):
            guard count <= featureCount else {
                throw .invalidHyperParameters(
                    estimator: estimator, problems: ["max_features must be ≤ the number of features (\(featureCount)), got \(count)"])
            }
            return count
        }
    }
}

/// The growth settings read from hyper-parameters, resolved against the data at fit time.
struct TreeSettings: Sendable, Hashable {
    var maxDepth: Int?
    var minSamplesSplit: Int
    var minSamplesLeaf: Int
    var maxFeatures: MaxFeatures

    init(_ parameters: HyperParameters) {
        maxDepth = parameters.int("max_depth")
        minSamplesSplit = parameters.int("min_samples_split") ?? 2
        minSamplesLeaf = parameters.int("min_samples_leaf") ?? 1
        maxFeatures = MaxFeatures(parameters["max_features"])
    }

    /// The limits for `featureCount` features.
    ///
    /// - Throws: as ``MaxFeatures/resolved(featureCount:estimator:)``.
    func limits(featureCount: Int, estimator: String) throws(EstimatorError) -> TreeLimits {
        TreeLimits(
            maxDepth: maxDepth ?? .max, minSamplesSplit: minSamplesSplit, minSamplesLeaf: minSamplesLeaf,
            maxFeatures: try maxFeatures.resolved(featureCount: featureCount, estimator: estimator))
    }
}
