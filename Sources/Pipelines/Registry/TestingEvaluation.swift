import Estimators
public import LinearAlgebra
public import Tabular

/// A model's predictions on its pipeline's testing set beside the truth: what a report
/// needs to draw a confusion matrix, ROC and precision-recall curves, or predicted-vs-true
/// and residual plots.
///
/// ```swift
/// let evaluation = try await workspace.registry.testingEvaluation(of: model.id)
/// if case .classes(let truth) = evaluation.truth, let classes = evaluation.classes {
///     let matrix = try confusionMatrix(truth, evaluation.predicted.map { Int($0) })
/// }
/// ```
public struct TestingEvaluation: Sendable {
    /// The truth of the testing rows.
    public enum Truth: Sendable, Hashable {
        /// Class indices into ``TestingEvaluation/classes``.
        case classes([Int])
        /// Real values.
        case values([Double])
    }

    /// The model evaluated.
    public let model: ModelRecord
    /// The model, decoded (its estimator's ``TrainedModel/featureImportances`` among others).
    public let loaded: LoadedModel
    /// The truth of every testing row.
    public let truth: Truth
    /// The model's prediction for every testing row: class indices (as `Double`) for
    /// classifiers, values for regressors.
    public let predicted: [Double]
    /// A classifier's class probabilities, one row per testing row (nil for regressors).
    public let probabilities: Matrix?

    /// A classifier's classes in index order (nil for regressors).
    public var classes: [Value]? { loaded.bundle.labelEncoder?.classes }
    /// The names of the model's encoded features (a one-hot encoded category gives one
    /// per category), in the order of its coefficients and importances.
    public var featureNames: [String] { loaded.bundle.featureEncoder.outputNames }
}

extension ModelRegistry {
    /// The predictions of a pipeline model on its pipeline's current testing set, beside
    /// the truth.
    ///
    /// - Parameter id: A pipeline model with an artifact.
    /// - Throws: ``PipelineError/notReady(job:reason:)`` for a standalone model or a
    ///   pipeline without testing rows; ``PipelineError/invalidArtifact(model:reason:)``
    ///   for a rejected model; ``PipelineError/data(_:)`` when the testing rows do not fit
    ///   the model's features.
    /// - Complexity: one decoding of the testing set and one prediction pass over it.
    public func testingEvaluation(of id: ModelID) async throws(PipelineError) -> TestingEvaluation {
        let record = try await model(id)
        guard let pipelineID = record.origin.pipelineID else {
            throw .notReady(job: .testing, reason: "model \(id) is standalone: it has no pipeline testing set")
        }
        let testing = try await testingSet(of: pipelineID)
        let loaded = try await loadedModel(id)
        return try await offload { () throws(PipelineError) -> TestingEvaluation in
            let (x, truth) = try TestingJob.encoded(testing, for: loaded)
            do throws(EstimatorError) {
                let predicted = try loaded.model.predict(x)
                switch truth {
                case .values(let values):
                    return TestingEvaluation(model: record, loaded: loaded, truth: .values(values), predicted: predicted, probabilities: nil)
                case .classes(let classes, _):
                    let probabilities = try (loaded.model as? any TrainedClassifier)?.predictProbabilities(x)
                    return TestingEvaluation(model: record, loaded: loaded, truth: .classes(classes), predicted: predicted, probabilities: probabilities)
                }
            } catch {
                throw .estimator(error)
            }
        }
    }
}
