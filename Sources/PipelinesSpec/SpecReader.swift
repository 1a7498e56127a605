import Estimators
import Foundation
import Pipelines

/// Reads a parsed document into a ``PipelineSpec``, section by section (one file each),
/// failing at the first problem with its key path and position.
struct SpecReader {
    static let topLevelKeys = ["repository", "pipeline", "dataset", "training", "tuning", "selection", "deployment", "preferences"]

    /// The file named in errors.
    let file: String?
    /// The directory relative data paths are resolved against.
    let baseDirectory: URL
    /// The estimators whose schemas type tuning values.
    let estimators: EstimatorCatalog

    func spec(_ root: SpecNode) throws(SpecError) -> PipelineSpec {
        let object = try Field(node: root, path: "", file: file).object(allowed: Self.topLevelKeys)
        let repository = try object.required("repository").nonEmptyString()
        let pipeline = try object.required("pipeline").nonEmptyString()
        var configuration = PipelineConfiguration()
        configuration.dataset = try dataset(try object.required("dataset"))
        configuration.training = try training(try object.required("training"))
        if let tuning = object.optional("tuning") {
            configuration.tuning = try self.tuning(tuning, estimator: configuration.training.estimator)
        }
        if let selection = object.optional("selection") {
            configuration.selection = try self.selection(selection)
        }
        if let deployment = object.optional("deployment") {
            configuration.deployment = try self.deployment(deployment)
        }
        if let preferences = object.optional("preferences") {
            configuration.preferences = try self.preferences(preferences)
        }
        return PipelineSpec(repository: repository, pipeline: pipeline, configuration: configuration)
    }
}
