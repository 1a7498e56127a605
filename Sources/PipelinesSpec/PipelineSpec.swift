public import Estimators
public import Foundation
public import Pipelines

/// A pipeline described by a spec file: the repository and pipeline it configures, and the
/// configuration itself.
///
/// A spec is JSON or YAML with the same keys (see `Documentation/Spec.md`):
///
/// ```yaml
/// repository: Default
/// pipeline: breast-cancer
/// dataset:
///   training: data/train.csv        # relative to the spec file
///   label: malignant
/// training:
///   estimator: RandomForestClassifier
/// tuning:
///   max_depth: [5, 7, 9]            # an array is a grid
/// ```
///
/// ```swift
/// let spec = try PipelineSpec.load(contentsOf: URL(fileURLWithPath: "pipelines/breast-cancer.yaml"))
/// let repository = try await workspace.repository(named: spec.repository)
/// let pipeline = try await repository.pipeline(named: spec.pipeline)
/// try await pipeline.configure { $0 = spec.configuration }
/// ```
///
/// Parsing checks the shape of the file: its keys, the types of its values, durations,
/// validation types and deployment criteria. It does not check names against the data or
/// the catalogs (columns, estimator and score names, hyper-parameter names and ranges):
/// `Pipeline.configure(_:)` reports those, with the same key paths.
public struct PipelineSpec: Sendable, Hashable {
    /// The repository that holds the pipeline.
    public var repository: String
    /// The pipeline's name.
    public var pipeline: String
    /// The pipeline's configuration. Data paths are absolute (resolved against the spec
    /// file's directory).
    public var configuration: PipelineConfiguration

    /// A spec.
    public init(repository: String, pipeline: String, configuration: PipelineConfiguration) {
        self.repository = repository
        self.pipeline = pipeline
        self.configuration = configuration
    }

    /// Reads a spec file.
    ///
    /// The format follows the extension: `.json` is JSON, `.yaml` and `.yml` are YAML; for
    /// any other extension the text is read as JSON when it is valid JSON, else as YAML.
    /// Relative data paths are resolved against the file's directory. Errors name the file
    /// as `url` names it (a relative file URL keeps its relative path).
    ///
    /// ```swift
    /// do {
    ///     let spec = try PipelineSpec.load(contentsOf: URL(fileURLWithPath: "spec.json"))
    ///     print(spec.configuration.training.estimator ?? "")
    /// } catch {
    ///     print(error)  // spec.json:12:7: training.scores[1].name: expected a string, got a number
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - url: The spec file.
    ///   - estimators: The catalog whose hyper-parameter schemas say which tuning values
    ///     are reals (an integer given for a real becomes a real).
    /// - Throws: ``SpecError`` when the file cannot be read, is not UTF-8, is empty or
    ///   unparsable, or has an unknown key, a missing required key or a wrong value.
    public static func load(contentsOf url: URL, estimators: EstimatorCatalog = .standard) throws(SpecError) -> PipelineSpec {
        let file = url.isFileURL ? url.relativePath : url.absoluteString
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            let reason = url.isFileURL && !FileManager.default.fileExists(atPath: url.path) ? "no such file" : error.localizedDescription
            throw SpecError(file: file, path: "", reason: "cannot read the file: \(reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpecError(file: file, path: "", reason: "the file is not UTF-8 text")
        }
        let format: SpecFormat
        switch url.pathExtension.lowercased() {
        case "json": format = .json
        case "yaml", "yml": format = .yaml
        default: format = DocumentReader.isJSON(text) ? .json : .yaml
        }
        return try parse(text, format: format, baseDirectory: url.deletingLastPathComponent(), file: file, estimators: estimators)
    }

    /// Parses spec text.
    ///
    /// ```swift
    /// let spec = try PipelineSpec.parse(
    ///     #"{"repository": "Default", "pipeline": "iris", "dataset": {"training": "iris.csv", "label": "species"},"#
    ///         + #" "training": {"estimator": "DecisionTreeClassifier"}}"#,
    ///     format: .json, baseDirectory: URL(fileURLWithPath: "/data"))
    /// spec.configuration.dataset.training  // .csv(path: "/data/iris.csv")
    /// ```
    ///
    /// - Parameters:
    ///   - text: The spec.
    ///   - format: JSON or YAML.
    ///   - baseDirectory: The directory relative data paths are resolved against.
    ///   - file: The file name errors show, if any.
    ///   - estimators: The catalog whose hyper-parameter schemas say which tuning values
    ///     are reals.
    /// - Throws: ``SpecError`` when the text is empty or unparsable, or has an unknown key, a
    ///   missing required key or a wrong value.
    public static func parse(
        _ text: String, format: SpecFormat, baseDirectory: URL, file: String? = nil, estimators: EstimatorCatalog = .standard
    ) throws(SpecError) -> PipelineSpec {
        let root = try DocumentReader.read(text, format: format, file: file)
        return try SpecReader(file: file, baseDirectory: baseDirectory, estimators: estimators).spec(root)
    }
}
