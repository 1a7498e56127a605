/// An error of a storage backend: what was refused and why. Backends of hosts may throw
/// their own errors too; the conformance suite expects these cases for the refusals it
/// checks.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No record of this kind has this identifier.
    case notFound(kind: String, id: String)
    /// A record with this identifier exists already (inserts never replace).
    case duplicateID(kind: String, id: String)
    /// The name is taken (repositories: among repositories; pipelines: in their repository).
    case duplicateName(kind: String, name: String)
    /// The repository still holds pipelines and deletion was not asked to include them.
    case repositoryNotEmpty(repository: String, pipelines: Int)
    /// A configuration version was appended out of order: someone else saved a version
    /// first. `expected` is the version the caller tried to save, `found` the pipeline's
    /// current one.
    case versionConflict(pipeline: PipelineID, expected: Int, found: Int)
    /// The compare-and-swap of a dataset snapshot failed: the stored generation is not the
    /// one the caller read (`expected`; nil: none), but `found` (nil: none stored).
    case datasetConflict(pipeline: PipelineID, expected: Int?, found: Int?)
    /// A dataset snapshot to save lacks its training or testing part (snapshots read with
    /// some rows only are not saved back).
    case incompleteDatasets(pipeline: PipelineID)
    /// A lease renewal by an owner who does not hold it: nobody does (`holder` nil), or
    /// another owner took it over.
    case leaseNotHeld(name: String, owner: String, holder: String?)
    /// The compare-and-swap of a deployment failed: another deployment happened first.
    case deploymentConflict(scope: DeploymentScope, expected: ModelID?, found: ModelID?)
    /// The store cannot deploy the model: it does not exist or has no artifact. (What may
    /// be deployed where — not rejected, of this pipeline or line — is the core's rule,
    /// reported as `PipelineError.notDeployable`.)
    case notDeployable(model: ModelID, reason: String)
    /// An imported model line has this version already (two imports raced).
    case duplicateVersion(line: String, version: Int)
    /// The model is deployed and cannot be erased.
    case modelDeployed(ModelID)
    /// The backend failed (I/O, corruption); the message says where.
    case backend(String)
    /// The endpoint name is held by another deployment scope (names are unique across the
    /// store).
    case endpointTaken(name: String, holder: DeploymentScope)
    /// A deployment history was to be restored into a scope that has one already
    /// (`records` records); see ``DeploymentStore/restoreDeploymentHistory(_:in:)``.
    case deploymentHistoryExists(scope: DeploymentScope, records: Int)
    /// Deployment records to restore are not a history a store could have written: the
    /// record at `index` (from 0) breaks the rule `reason` names.
    case invalidDeploymentHistory(scope: DeploymentScope, index: Int, reason: String)

    public var description: String {
        switch self {
        case let .notFound(kind, id): return "no \(kind) with id '\(id)'"
        case let .duplicateID(kind, id): return "a \(kind) with id '\(id)' already exists"
        case let .duplicateName(kind, name): return "a \(kind) named '\(name)' already exists"
        case let .repositoryNotEmpty(repository, pipelines):
            return "repository '\(repository)' still holds \(pipelines) pipeline(s); delete them too or delete them first"
        case let .versionConflict(pipeline, expected, found):
            return "pipeline \(pipeline): its configuration was changed by someone else (now at version \(found), "
                + "this save would have made version \(expected)); re-read it and apply the change again"
        case let .datasetConflict(pipeline, expected, found):
            return "pipeline \(pipeline): its datasets were changed by someone else (now at \(Self.generation(found)), "
                + "this save read \(Self.generation(expected))); nothing was saved"
        case .incompleteDatasets(let pipeline):
            return "the dataset snapshot of pipeline \(pipeline) lacks its training or testing rows: nothing saved"
        case let .leaseNotHeld(name, owner, holder):
            return "lease '\(name)' is not held by \(owner): " + (holder.map { "\($0) holds it" } ?? "nobody holds it")
        case let .deploymentConflict(scope, expected, found):
            return "deployment of \(scope) changed meanwhile: expected \(expected?.rawValue ?? "none"), found \(found?.rawValue ?? "none")"
        case let .notDeployable(model, reason): return "model \(model) cannot be deployed: \(reason)"
        case let .duplicateVersion(line, version): return "model line '\(line)' has a version \(version) already"
        case .modelDeployed(let model): return "model \(model) is deployed; deploy another model first"
        case .backend(let message): return "storage failed: \(message)"
        case let .endpointTaken(name, holder): return "the endpoint name '\(name)' is taken (by \(holder))"
        case let .deploymentHistoryExists(scope, records):
            return "\(scope) has a deployment history already (\(records) record(s)): a history is restored only into a scope without one"
        case let .invalidDeploymentHistory(scope, index, reason):
            return "the deployment history to restore into \(scope) is invalid at record \(index): \(reason)"
        }
    }

    /// "generation N", or "no datasets" for nil.
    private static func generation(_ value: Int?) -> String { value.map { "generation \($0)" } ?? "no datasets" }
}
