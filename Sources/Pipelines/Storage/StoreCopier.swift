import Foundation

/// The writing half of ``StoreCopy``: each kind read from the source and written to the
/// target through the ordinary protocol calls, in an order the target's integrity rules
/// accept (repositories before pipelines, models before the deployments naming them, …).
struct StoreCopier {
    let reader: StoreInventory
    let target: any PipelineStorage
    let progress: (@Sendable (StoreCopyProgress) -> Void)?

    init(reader: StoreInventory, target: any PipelineStorage, progress: (@Sendable (StoreCopyProgress) -> Void)?) {
        self.reader = reader
        self.target = target
        self.progress = progress
    }

    /// Runs one write to the target; any error but a cancellation is reported as writing
    /// `item` of `kind`.
    private func write(_ kind: StoreCopyKind, _ item: @autoclosure () -> String, _ body: (any PipelineStorage) async throws -> Void)
        async throws
    {
        do {
            try await body(target)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw StoreCopyError.writeFailed(kind: kind, item: item(), message: "\(error)")
        }
    }

    private func copied(_ kind: StoreCopyKind, _ count: Int) { progress?(.copied(kind, count: count)) }

    func repositories() async throws {
        let repositories = try await reader.read(.repositories, "the repositories") { try await $0.repositories() }
        for repository in repositories {
            try await write(.repositories, "repository \(repository.id)") { try await $0.insertRepository(repository) }
        }
        copied(.repositories, repositories.count)
    }

    /// Each pipeline, then its configuration versions in order (the target numbers them
    /// from 1 as the source did), then its name and date as last saved when it was renamed
    /// after its last configuration; then the dataset snapshots.
    func pipelines(_ pipelines: [PipelineRecord]) async throws {
        var versions = 0
        for pipeline in pipelines {
            try await write(.pipelines, "pipeline \(pipeline.id)") { try await $0.insertPipeline(pipeline) }
            let configurations = try await reader.read(.configurations, "the configurations of pipeline \(pipeline.id)") {
                try await $0.configurations(of: pipeline.id)
            }
            for configuration in configurations {
                try await write(.configurations, "configuration \(configuration.version) of pipeline \(pipeline.id)") {
                    try await $0.appendConfiguration(configuration)
                }
            }
            versions += configurations.count
            // Appending set `updatedAt` to the last configuration's date; a later rename moved it on.
            if let last = configurations.last, last.savedAt != pipeline.updatedAt {
                try await write(.pipelines, "the name and date of pipeline \(pipeline.id)") {
                    _ = try await $0.renamePipeline(pipeline.id, to: pipeline.name, at: pipeline.updatedAt)
                }
            }
        }
        copied(.pipelines, pipelines.count)
        copied(.configurations, versions)
        var snapshots = 0
        for pipeline in pipelines {
            guard let snapshot = try await reader.read(.datasets, "the datasets of pipeline \(pipeline.id)", {
                try await $0.datasets(of: pipeline.id, rows: .all)
            }) else { continue }
            try await write(.datasets, "the datasets of pipeline \(pipeline.id)") { try await $0.saveDatasets(snapshot, replacing: nil) }
            snapshots += 1
        }
        copied(.datasets, snapshots)
    }

    /// Each model with its artifact, in one insert (statuses and dates as they are).
    func models(_ models: [ModelRecord]) async throws {
        var artifacts = 0
        for model in models {
            let artifact = try await reader.read(.artifacts, "the artifact of model \(model.id)") { try await $0.artifact(of: model.id) }
            try await write(.models, "model \(model.id)") { try await $0.insertModel(model, artifact: artifact) }
            if artifact != nil { artifacts += 1 }
        }
        copied(.models, models.count)
        copied(.artifacts, artifacts)
    }

    /// Each scope's whole history, restored with its own dates.
    func deployments(_ scopes: [DeploymentScope]) async throws {
        var records = 0
        for scope in scopes {
            let history = try await reader.read(.deployments, "the deployment history of \(scope)") { try await $0.deploymentHistory(in: scope) }
            guard !history.isEmpty else { continue }
            try await write(.deployments, "the deployment history of \(scope)") { try await $0.restoreDeploymentHistory(history, in: scope) }
            records += history.count
        }
        copied(.deployments, records)
    }

    /// Every run (oldest first), every trigger, then the run queue as it is.
    func runsAndTriggers(_ pipelines: [PipelineRecord]) async throws {
        var count = 0
        for pipeline in pipelines {
            let runs = try await reader.read(.runs, "the runs of pipeline \(pipeline.id)") { try await $0.runs(of: pipeline.id) }
            for run in runs.reversed() {
                try await write(.runs, "run \(run.id)") { try await $0.insertRun(run) }
            }
            count += runs.count
        }
        copied(.runs, count)
        let triggers = try await reader.read(.triggers, "the triggers") { try await $0.triggers(of: nil) }
        for trigger in triggers {
            try await write(.triggers, "trigger \(trigger.id)") { try await $0.insertTrigger(trigger) }
        }
        copied(.triggers, triggers.count)
        let queued = try await reader.read(.queuedRuns, "the queued runs") { try await $0.queuedRuns(in: nil) }
        for run in queued {
            try await write(.queuedRuns, "queued run \(run.id)") { _ = try await $0.enqueueRun(run, claimingFiringAs: nil) }
        }
        copied(.queuedRuns, queued.count)
    }

    /// Each scope's endpoint names, claimed oldest first at their own dates (a name claimed
    /// keeps its date when the scope's set grows), then every token.
    func endpoints(_ endpoints: [EndpointRecord]) async throws {
        let byScope = Dictionary(grouping: endpoints, by: \.scope)
        for scope in byScope.keys.sorted(by: { $0.storageColumns < $1.storageColumns }) {
            var names = Set<String>()
            for endpoint in (byScope[scope] ?? []).sorted(by: { ($0.createdAt, $0.name) < ($1.createdAt, $1.name) }) {
                names.insert(endpoint.name)
                try await write(.endpoints, "endpoint \(endpoint.name)") { [names] in
                    try await $0.setEndpoints(names, of: scope, at: endpoint.createdAt)
                }
            }
        }
        copied(.endpoints, endpoints.count)
        let tokens = try await reader.read(.tokens, "the tokens") { try await $0.tokens(of: nil) }
        for token in tokens {
            try await write(.tokens, "token \(token.id)") { try await $0.insertToken(token) }
        }
        copied(.tokens, tokens.count)
    }

    /// The ledger entries of each folder, as they are (state, owner, dates).
    func ledger(_ folders: [String]) async throws {
        var count = 0
        for folder in folders {
            let entries = try await reader.read(.folderFiles, "the ledger of \(folder)") { try await $0.folderFiles(in: folder, unfinishedOnly: false) }
            for entry in entries {
                try await write(.folderFiles, "the ledger entry \(entry.key)") { store in
                    if case .known = try await store.takeFolderFile(entry) {
                        throw StoreError.duplicateID(kind: "folder file", id: entry.key.description)
                    }
                }
            }
            count += entries.count
        }
        copied(.folderFiles, count)
    }
}
