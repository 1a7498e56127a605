public import Estimators
public import ImageDatasets
public import ImageDecoding
public import Scoring
public import Tabular

/// An error of the pipelines API: what failed and where.
public enum PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration has problems; **all** are listed. Nothing was saved or run.
    case invalidConfiguration(pipeline: String, problems: [ConfigurationProblem])
    /// No repository, pipeline, model, line, run or trigger by that identifier or name.
    case notFound(Lookup)
    /// A name was refused (empty, or only spaces): what kind of thing, the name, and why.
    case invalidName(kind: String, name: String, reason: String)
    /// A name matches several records where one was expected (say which repository).
    case ambiguousName(kind: String, name: String, matches: Int)
    /// A Git working tree failed its check when it was connected to a repository.
    case git(repository: String, GitError)
    /// The pipeline is running already — in this process or in another one sharing the
    /// store (its run lease is held); a pipeline never runs twice at once.
    case alreadyRunning(pipeline: String)
    /// Someone else (another process, or another task) saved a configuration of the pipeline
    /// after this change read it; `version` is the pipeline's version now. Nothing was
    /// saved: re-read the configuration and apply the change again.
    case configurationConflict(pipeline: String, version: Int)
    /// Someone else saved the pipeline's datasets after this generation read them (`read`:
    /// the generation it built on, nil for none; `found`: the generation stored now).
    /// Nothing was saved: run the dataset generation again.
    case datasetConflict(pipeline: String, read: Int?, found: Int?)
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
    /// The model cannot be deployed there: rejected, without artifact, or of another
    /// pipeline or line.
    case notDeployable(model: ModelID, reason: String)
    /// The pipeline (or standalone model) has no deployed model.
    case nothingDeployed(DeploymentScope)
    /// A stored model artifact could not be read.
    case invalidArtifact(model: ModelID, reason: String)
    /// A model archive was refused (truncated, altered, unknown format or version).
    case invalidArchive(String)
    /// Rows of a source have no label and the pipeline refuses them
    /// (``MissingValues/labels``): the first rows (1-based data rows, after the header)
    /// and how many in all. Nothing was stored.
    case missingLabels(source: String, label: String, rows: [Int], total: Int)
    /// A feature whose missing-value policy is `error` is missing in a source row: `place`
    /// is `file:line` for a CSV source (or the row's key values). Refused at dataset
    /// generation; nothing was stored.
    case missingFeature(place: String, feature: String)
    /// Rows of a CSV source without a label, refused: the file, the first rows' lines and
    /// how many in all. Nothing was stored.
    case missingLabelLines(file: String, label: String, lines: [Int], total: Int)
    /// A problem of one row of a stored dataset (`set`: training or testing), the row named
    /// by its key values (or, without keys, its values), never by an internal index.
    case invalidRow(set: String, row: String, reason: String)
    /// A file could not be written (path and the system's reason).
    case fileWrite(path: String, reason: String)
    /// A list of feature names was refused.
    case invalidFeatureList(String)
    /// The deployment has no earlier model to roll back to.
    case nothingToRollBack(DeploymentScope)
    /// A batch prediction cannot start: its input lacks a column the model or the options
    /// need, or the options contradict each other. Nothing was written.
    case invalidBatch(String)
    /// A row of a batch input cannot be predicted and the batch stops at the first one
    /// (``BadRowPolicy/fail``): `location` is `file:line`. Nothing was written.
    case badBatchRow(location: String, reason: String)
    /// Another watcher holds the folder's lease (``FolderWatcher``): `holder` names it and
    /// when its lease expires unless renewed.
    case folderBusy(folder: String, holder: String)
    /// An image folder source could not be read: the folder is missing or empty, or (its
    /// unreadable policy being `fail`) files in it give no row, all of them listed.
    case images(ImageFolderError)
    /// An image to predict could not be decoded (the file named inside).
    case image(ImageDecodingError)

    public var description: String {
        switch self {
        case let .invalidConfiguration(pipeline, problems):
            return "pipeline '\(pipeline)' has \(problems.count) configuration problem(s):\n"
                + problems.map { "  - \($0)" }.joined(separator: "\n")
        case .notFound(let lookup): return lookup.description
        case let .invalidName(kind, name, reason): return "invalid \(kind) name '\(name)': \(reason)"
        case let .ambiguousName(kind, name, matches):
            return "\(matches) \(kind)s are named '\(name)': say which repository"
        case let .git(repository, error): return "repository '\(repository)': \(error)"
        case .alreadyRunning(let pipeline):
            return "pipeline '\(pipeline)' is already running (in this process or another one using the same store); "
                + "a pipeline never runs twice at once: wait for that run to end, or start this one again later"
        case let .configurationConflict(pipeline, version):
            return "the configuration of pipeline '\(pipeline)' was changed by someone else (now at version \(version)); "
                + "re-read it and apply the change again"
        case let .datasetConflict(pipeline, read, found):
            return "the datasets of pipeline '\(pipeline)' were changed by someone else while this generation ran "
                + "(it read \(read.map { "generation \($0)" } ?? "no datasets"), the store is now at "
                + "\(found.map { "generation \($0)" } ?? "no datasets")); nothing was saved: run the dataset generation again"
        case .store(let error): return error.description
        case .backend(let message): return "storage failed: \(message)"
        case .data(let error): return error.description
        case .estimator(let error): return error.description
        case .scoring(let error): return error.description
        case let .notReady(job, reason): return "\(job.rawValue) cannot run: \(reason)"
        case .cancelled(let job): return "\(job.rawValue) was cancelled"
        case let .invalidInput(record, feature, reason): return "record \(record), feature '\(feature)': \(reason)"
        case let .notDeployable(model, reason): return "model \(model) cannot be deployed: \(reason)"
        case .nothingDeployed(let scope): return "\(scope) has no deployed model"
        case let .invalidArtifact(model, reason): return "model \(model): unreadable artifact: \(reason)"
        case .invalidArchive(let reason): return "invalid model archive: \(reason)"
        case let .missingLabels(source, label, rows, total):
            let shown = rows.map(String.init).joined(separator: ", ") + (total > rows.count ? ", …" : "")
            return "\(source): \(total) row(s) have no '\(label)' (data rows \(shown)); "
                + "fill them in, or set the dataset's missing labels policy to drop them"
        case let .missingFeature(place, feature):
            return "\(place): feature '\(feature)' is missing (policy error); set dataset.missing to impute it"
        case let .missingLabelLines(file, label, lines, total):
            let shown = lines.map(String.init).joined(separator: ", ") + (total > lines.count ? ", …" : "")
            return "\(file):\(lines.first ?? 0): \(total) row(s) have no '\(label)' (lines \(shown)); "
                + "fill them in, or set the dataset's missing labels policy to drop them"
        case let .invalidRow(set, row, reason): return "\(set) row \(row): \(reason)"
        case let .fileWrite(path, reason): return "cannot write \(path): \(reason)"
        case .invalidFeatureList(let reason): return "invalid feature list: \(reason)"
        case .nothingToRollBack(let scope): return "\(scope) has no earlier deployment to roll back to"
        case .invalidBatch(let reason): return "cannot predict the batch: \(reason)"
        case let .badBatchRow(location, reason): return "\(location): \(reason) (the batch stops at the first bad row; nothing was written)"
        case let .folderBusy(folder, holder): return "folder \(folder) is watched by \(holder)"
        case .images(let error): return error.description
        case .image(let error): return error.description
        }
    }
}

/// Runs a storage call, turning its errors into ``PipelineError``.
func storage<T>(_ body: () async throws -> T) async throws(PipelineError) -> T {
    do {
        return try await body()
    } catch StoreError.notFound(let kind, let id) {
        throw .notFound(Lookup(storeKind: kind, id: id))
    } catch StoreError.notDeployable(let model, let reason) {
        throw .notDeployable(model: model, reason: reason)
    } catch let error as StoreError {
        throw .store(error)
    } catch {
        throw .backend("\(error)")
    }
}
