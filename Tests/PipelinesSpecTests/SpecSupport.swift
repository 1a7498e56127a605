import Estimators
import Foundation
import Pipelines
import PipelinesSpec
import Testing

/// The fixtures folder: the README's example as JSON and YAML, and its CSV files.
let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

/// The directory inline specs resolve their data paths against.
let specDirectory = URL(fileURLWithPath: "/specs")

/// The smallest valid spec, as YAML lines to add to.
let minimalYAML = """
    repository: Default
    pipeline: p
    dataset:
      training: train.csv
      label: y
    training:
      estimator: Ridge

    """

/// Parses inline spec text named `spec.yaml` or `spec.json`.
func parse(_ text: String, _ format: SpecFormat = .yaml) throws(SpecError) -> PipelineSpec {
    try PipelineSpec.parse(text, format: format, baseDirectory: specDirectory, file: format == .yaml ? "spec.yaml" : "spec.json")
}

/// The error parsing `text` fails with, recorded as an issue when it parses.
func specError(_ text: String, _ format: SpecFormat = .yaml, sourceLocation: SourceLocation = #_sourceLocation) -> SpecError? {
    do {
        let spec = try parse(text, format)
        Issue.record("expected an error, parsed \(spec)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// Expects parsing `text` to fail exactly with `path`, `line`, `column` and `reason`.
func expectError(
    _ text: String, _ format: SpecFormat = .yaml, path: String, line: Int?, column: Int?, reason: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let error = specError(text, format, sourceLocation: sourceLocation) else { return }
    let expected = SpecError(file: format == .yaml ? "spec.yaml" : "spec.json", path: path, line: line, column: column, reason: reason)
    #expect(error == expected, sourceLocation: sourceLocation)
}

/// The configuration of the README's example, with data paths under `directory`.
func exampleConfiguration(in directory: URL) -> PipelineConfiguration {
    let data = directory.appendingPathComponent("data").standardizedFileURL.path
    return PipelineConfiguration(
        dataset: DatasetStep(
            training: .csv(path: data + "/train.csv"), testing: .csv(path: data + "/test.csv"),
            split: RandomSplit(testFraction: 0.15, seed: 27_062_020), label: "malignant",
            features: .columns(["mean_radius", "mean_texture"]), keys: ["id"]),
        training: TrainingStep(
            estimator: "RandomForestClassifier", validation: .holdout(fraction: 0.2, seed: 1),
            scores: [ScoreSetting("accuracy", threshold: 0.0, primary: true), ScoreSetting("f1")]),
        tuning: TuningStep(["max_depth": .multiple([5, 7, 9]), "n_estimators": .single(100), "random_state": .single(0)]),
        selection: SelectionStep(autoDeploy: .bestTestingScore(window: 14 * 86_400)),
        deployment: DeploymentStep(),
        preferences: Preferences(
            timeouts: [.training: 600], threads: [.datasetGeneration: 2, .training: 2, .testing: 2, .deployment: 2]))
}
