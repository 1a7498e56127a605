public import LinearAlgebra

/// An error raised by an estimator, a trained model or the catalog. Each case says what
/// and where: the estimator, the hyper-parameter, the row and column of a bad value.
public enum EstimatorError: Error, Equatable, Sendable {
    /// No estimator is registered under this name.
    case unknownEstimator(String, available: [String])
    /// Hyper-parameters were rejected before fitting; every problem is listed.
    case invalidHyperParameters(estimator: String, problems: [String])
    /// X and y (or X and the model) do not fit together.
    case shapeMismatch(estimator: String, details: String)
    /// A feature value is NaN or infinite (0-based row and column).
    case nonFiniteFeature(estimator: String, row: Int, column: Int)
    /// A target value is NaN or infinite (0-based row).
    case nonFiniteTarget(estimator: String, row: Int)
    /// A class index is outside `0..<classCount` (0-based row).
    case invalidClass(estimator: String, row: Int, value: Int, classCount: Int)
    /// A classifier was given fewer than two classes.
    case singleClass(estimator: String)
    /// Not enough rows for the request (e.g. fewer rows than neighbours).
    case tooFewSamples(estimator: String, needed: Int, got: Int, reason: String)
    /// The model was fitted on another number of features.
    case featureCountMismatch(estimator: String, expected: Int, actual: Int)
    /// A regressor was asked for class probabilities.
    case notAClassifier(estimator: String)
    /// A numeric routine failed.
    case linearAlgebra(estimator: String, LinearAlgebraError)
    /// A custom estimator or a host hook failed.
    case fitFailed(estimator: String, reason: String)
    /// A model payload is malformed, altered or of an unknown kind or version.
    case invalidPayload(String)
    /// An estimator with this name is already registered.
    case duplicateEstimator(String)
    /// The fit was stopped through its ``FitCancellation`` or its task's cancellation.
    case cancelled(estimator: String)
}

extension EstimatorError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .unknownEstimator(name, available):
            return "no estimator named '\(name)' (available: \(available.joined(separator: ", ")))"
        case let .invalidHyperParameters(estimator, problems):
            return "\(estimator): invalid hyper-parameters: " + problems.joined(separator: "; ")
        case let .shapeMismatch(estimator, details): return "\(estimator): \(details)"
        case let .nonFiniteFeature(estimator, row, column):
            return "\(estimator): feature value at row \(row), column \(column) is NaN or infinite"
        case let .nonFiniteTarget(estimator, row): return "\(estimator): target at row \(row) is NaN or infinite"
        case let .invalidClass(estimator, row, value, classCount):
            return "\(estimator): class \(value) at row \(row) is outside 0..<\(classCount)"
        case .singleClass(let estimator): return "\(estimator): needs at least two classes in the training data"
        case let .tooFewSamples(estimator, needed, got, reason):
            return "\(estimator): needs at least \(needed) rows (\(reason)), got \(got)"
        case let .featureCountMismatch(estimator, expected, actual):
            return "\(estimator): the model was fitted on \(expected) features, got \(actual)"
        case .notAClassifier(let estimator): return "\(estimator) is a regressor: it has no class probabilities"
        case let .linearAlgebra(estimator, error): return "\(estimator): \(error)"
        case let .fitFailed(estimator, reason): return "\(estimator): \(reason)"
        case .invalidPayload(let reason): return "invalid model payload: \(reason)"
        case .duplicateEstimator(let name): return "an estimator named '\(name)' is already registered"
        case .cancelled(let estimator): return "\(estimator): the fit was cancelled"
        }
    }
}
