import Estimators
import LinearAlgebra
import Scoring

/// The truth a model is scored against.
enum Truth: Sendable {
    /// Class indices and the class count.
    case classes([Int], count: Int)
    /// Real values.
    case values([Double])

    /// The estimator targets of these rows.
    var targets: Targets {
        switch self {
        case let .classes(classes, count): return .classes(classes, classCount: count)
        case .values(let values): return .values(values)
        }
    }

    /// The rows at `indices`.
    func selecting(_ indices: [Int]) -> Truth {
        switch self {
        case let .classes(classes, count): return .classes(indices.map { classes[$0] }, count: count)
        case .values(let values): return .values(indices.map { values[$0] })
        }
    }
}

/// Scores trained models.
enum Evaluation {
    /// `function` of `model`'s predictions on `x` against `truth`.
    ///
    /// - Throws: ``PipelineError/estimator(_:)`` or ``PipelineError/scoring(_:)``.
    /// - Complexity: one prediction pass (two for probability scores) plus the score's cost.
    static func score(_ functions: [ScoringFunction], of model: any TrainedModel, x: Matrix, truth: Truth) throws(PipelineError) -> [Double] {
        do {
            let predicted = try model.predict(x)
            switch truth {
            case .values(let values):
                return try functions.map { (function) throws(ScoringError) -> Double in
                    try function.score(truth: values, predicted: predicted)
                }
            case let .classes(classes, count):
                let needsProbabilities = functions.contains(where: \.needsProbabilities)
                let probabilities = needsProbabilities ? try (model as? any TrainedClassifier)?.predictProbabilities(x) : nil
                let predictedClasses = predicted.map { Int($0) }
                return try functions.map { (function) throws(ScoringError) -> Double in
                    try function.score(trueClasses: classes, predictedClasses: predictedClasses, probabilities: probabilities, classCount: count)
                }
            }
        } catch let error as EstimatorError {
            throw .estimator(error)
        } catch let error as ScoringError {
            throw .scoring(error)
        } catch {
            throw .backend("\(error)")
        }
    }
}
