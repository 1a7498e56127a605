import Estimators
import Pipelines

extension SpecReader {
    static let trainingKeys = ["estimator", "validation", "scores"]
    static let validationTypes = ["holdout", "kfold", "none"]
    static let scoreKeys = ["name", "threshold", "primary"]

    /// `training`: the estimator's name, the validation scheme and the scoring functions.
    func training(_ field: Field) throws(SpecError) -> TrainingStep {
        let object = try field.object(allowed: Self.trainingKeys)
        var step = TrainingStep()
        step.estimator = try object.required("estimator").string()
        if let validation = object.optional("validation") {
            step.validation = try self.validation(validation)
        }
        if let scores = object.optional("scores") {
            step.scores = []
            for element in try scores.array() {
                step.scores.append(try score(element))
            }
        }
        return step
    }

    /// `{"type": "holdout", "fraction": 0.2, "seed": 1}`, `{"type": "kfold", "folds": 5, "seed": 1}`
    /// or `{"type": "none"}`.
    private func validation(_ field: Field) throws(SpecError) -> ValidationSetting {
        let type = try field.object(allowed: nil).required("type")
        switch try type.string() {
        case "holdout":
            let object = try field.object(allowed: ["type", "fraction", "seed"])
            return .holdout(fraction: try object.optional("fraction")?.number() ?? 0.2, seed: try object.optional("seed")?.seed() ?? 0)
        case "kfold":
            let object = try field.object(allowed: ["type", "folds", "seed"])
            return .kFold(folds: try object.optional("folds")?.integer() ?? 5, seed: try object.optional("seed")?.seed() ?? 0)
        case "none":
            _ = try field.object(allowed: ["type"])
            return .none
        case let other:
            throw type.error("bad validation type '\(other)' (expected \(Self.validationTypes.joined(separator: ", ")))")
        }
    }

    /// `{"name": "accuracy", "threshold": 0.8, "primary": true}`, or just `"accuracy"`.
    private func score(_ field: Field) throws(SpecError) -> ScoreSetting {
        if case .scalar(.string(let name)) = field.node.content { return ScoreSetting(name) }
        guard case .mapping = field.node.content else {
            throw field.typeError(expected: "an object (or a score's name)")
        }
        let object = try field.object(allowed: Self.scoreKeys)
        return ScoreSetting(
            try object.required("name").string(),
            threshold: try object.optional("threshold")?.number(),
            primary: try object.optional("primary")?.bool() ?? false)
    }
}
