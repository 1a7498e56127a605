public import Estimators
public import Scoring
public import Tabular

/// An error of the pipelines API: what failed and where.
public enum PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration has problems; **all** are listed. Nothing was saved or run.
    case invalidConfiguration(pipeline: String, problems: [ConfigurationProblem])
    /// No repository, pipeline, model or run by that name or identifier.
    case notFound(kind: String, name: String)
    /// The pipeline is running already; a pipeline never runs twice at once.
    case alreadyRunning(pipeline: String)
    /// The store refused or failed.
    case store(StoreError)
    /// A storage backend failed with an error of its own.
    case backend(String)
    /// Reading or preparing data failed (file, line, column, feature, row inside).
    case data(TabularError)
    /// An estimator or a model failed.
    case estimator(EstimatorError)
    /// A scoring function failed.
    case scoring(ScoringError)
    /// A job cannot run in the pipeline's current state (no datasets yet, no testing rows…).
    case notReady(job: JobKind, reason: String)
    /// The job was cancelled (by its timeout or by the host).
    case cancelled(job: JobKind)
    /// A prediction input does not match the model's features (0-based record).
    case invalidInput(record: Int, feature: String, reason: String)
    /// The pipeline (or standalone model) has no deployed model.
    case nothingDeployed(String)
    /// A stored model artifact could not be read.
    case invalidArtifact(model: ModelID, reason: String)
    /// A model archive was refused (truncated, altered, unknown format or version).
    case invalidArchive(String)
    /// A list of feature names was refused.
    case invalidFeatureList(String)
    /// The deployment has no earlier model to roll back to.
    case nothingToRollBack(String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(pipeline, problems):
            return "pipeline '\(pipeline)' has \(problems.count) configuration problem(s):\n"
                + problems.map { "  - \($0)" }.joined(separator: "\n")
        case let .notFound(kind, name): return "no \(kind) '\(name)'"
        case .alreadyRunning(let pipeline): return "pipeline '\(pipeline)' is already running"
        case .store(let error): return error.description
        case .backend(let message): return "storage failed: \(message)"
        case .data(let error): return error.description
        case .estimator(let error): return error.description
        case .scoring(let error): return error.description
        case let .notReady(job, reason): return "\(job.rawValue) cannot run: \(reason)"
        case .cancelled(let job): return "\(job.rawValue) was cancelled"
        case let .invalidInput(record, feature, reason): return "record \(record), feature '\(feature)': \(reason)"
        case .nothingDeployed(let scope): return "\(scope) has no deployed model"
        case let .invalidArtifact(model, reason): return "model \(model): unreadable artifact: \(reason)"
        case .invalidArchive(let reason): return "invalid model archive: \(reason)"
        case .invalidFeatureList(let reason): return "invalid feature list: \(reason)"
        case .nothingToRollBack(let scope): return "\(scope) has no earlier deployment to roll back to"
        }
    }
}

/// Runs a storage call, turning its errors into ``PipelineError``.
func storage<T>(_ body: () async throws -> T) async throws(PipelineError) -> T {
    do {
        return try await body()
    } catch let error as StoreError {
        throw .store(error)
    } catch {
        throw .backend("\(error)")
    }
}
