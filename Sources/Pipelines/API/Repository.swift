import Foundation

/// A repository: a named container of pipelines, optionally connected to a Git working
/// tree that receives every saved pipeline configuration.
///
/// A cheap `Sendable` handle (an identifier and its workspace); every call reads or
/// changes the store. A handle whose repository was deleted answers with
/// ``PipelineError/notFound(_:)``.
///
/// ```swift
/// let repository = try await workspace.createRepository(named: "Default")
/// let pipeline = try await repository.createPipeline(named: "Iris")
/// try await repository.rename(to: "Flowers")
/// ```
public struct Repository: Sendable, Hashable {
    /// The repository's identifier.
    public let id: RepositoryID
    let workspace: Workspace

    init(id: RepositoryID, workspace: Workspace) {
        self.id = id
        self.workspace = workspace
    }

    public static func == (lhs: Repository, rhs: Repository) -> Bool { lhs.id == rhs.id && lhs.workspace === rhs.workspace }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    /// The repository's stored record (name, description, Git connection, dates).
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` with ``Lookup/repository(_:)``.
    public func record() async throws(PipelineError) -> RepositoryRecord {
        guard let record = try await storage({ try await workspace.store.repository(id) }) else { throw .notFound(.repository(id)) }
        return record
    }

    // MARK: Changing it

    /// Renames the repository.
    ///
    /// - Throws: ``PipelineError/invalidName(kind:name:reason:)``, ``PipelineError/notFound(_:)``,
    ///   ``PipelineError/store(_:)`` with ``StoreError/duplicateName(kind:name:)``.
    @discardableResult
    public func rename(to name: String) async throws(PipelineError) -> RepositoryRecord {
        try Workspace.checkName(name, kind: "repository")
        return try await update { $0.name = name }
    }

    /// Replaces the repository's description.
    ///
    /// - Throws: ``PipelineError/notFound(_:)``.
    @discardableResult
    public func describe(_ description: String) async throws(PipelineError) -> RepositoryRecord {
        try await update { $0.description = description }
    }

    /// Connects a Git working tree (checked first), or disconnects with nil. Later saved
    /// configurations of its pipelines are committed there.
    ///
    /// - Throws: ``PipelineError/git(repository:_:)`` when the tree fails its check;
    ///   ``PipelineError/notFound(_:)``.
    @discardableResult
    public func connectGit(_ git: GitConnection?) async throws(PipelineError) -> RepositoryRecord {
        let current = try await record()
        if let git { try await Self.check(git, repository: current.name) }
        return try await update { $0.git = git }
    }

    /// Deletes the repository. Refused while it holds pipelines unless
    /// `includingPipelines`, which deletes them as ``Pipeline/delete()`` does (their models
    /// stay in the registry as standalone models).
    ///
    /// - Throws: ``PipelineError/store(_:)`` with
    ///   ``StoreError/repositoryNotEmpty(repository:pipelines:)``; ``PipelineError/notFound(_:)``;
    ///   ``PipelineError/alreadyRunning(pipeline:)`` when one of its pipelines runs (in this
    ///   process or another one sharing the store).
    public func delete(includingPipelines: Bool = false) async throws(PipelineError) {
        let contained = try await pipelines()
        var claims: [PipelineClaim] = []
        do throws(PipelineError) {
            for pipeline in contained { claims.append(try await workspace.claim(try await pipeline.record(), ifRunning: .refuse)) }
            let store = workspace.store
            try await storage { try await store.deleteRepository(id, includingPipelines: includingPipelines, orphaning: ModelRules.orphan) }
        } catch {
            for claim in claims { await workspace.release(claim) }
            throw error
        }
        for claim in claims { await workspace.release(claim) }
        workspace.state.withLock { state in
            for pipeline in contained { state.deployed[.pipeline(pipeline.id)] = nil }
        }
        workspace.logger.debug("deleted repository \(id)")
    }

    // MARK: Its pipelines

    /// Creates a pipeline in this repository. It has no configuration yet: the first one
    /// saved with ``Pipeline/configure(_:)`` is version 1.
    ///
    /// - Throws: ``PipelineError/invalidName(kind:name:reason:)``, ``PipelineError/notFound(_:)``,
    ///   ``PipelineError/store(_:)`` with ``StoreError/duplicateName(kind:name:)``.
    @discardableResult
    public func createPipeline(named name: String) async throws(PipelineError) -> Pipeline {
        try Workspace.checkName(name, kind: "pipeline")
        let record = PipelineRecord(repositoryID: id, name: name, createdAt: workspace.clock.now)
        try await storage { try await workspace.store.insertPipeline(record) }
        workspace.logger.debug("created pipeline '\(name)'")
        return Pipeline(id: record.id, workspace: workspace)
    }

    /// The repository's pipelines, by name.
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` when the repository is gone.
    public func pipelines() async throws(PipelineError) -> [Pipeline] {
        _ = try await record()
        return try await storage { try await workspace.store.pipelines(in: id) }.map { Pipeline(id: $0.id, workspace: workspace) }
    }

    /// The repository's pipeline called `name`.
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` with ``Lookup/pipelineNamed(_:repository:)``.
    public func pipeline(named name: String) async throws(PipelineError) -> Pipeline {
        let repository = try await record()
        guard let match = try await storage({ try await workspace.store.pipelines(in: id) }).first(where: { $0.name == name }) else {
            throw .notFound(.pipelineNamed(name, repository: repository.name))
        }
        return Pipeline(id: match.id, workspace: workspace)
    }

    // MARK: Internals

    private func update(_ change: (inout RepositoryRecord) -> Void) async throws(PipelineError) -> RepositoryRecord {
        var record = try await record()
        change(&record)
        record.updatedAt = workspace.clock.now
        let updated = record
        try await storage { try await workspace.store.updateRepository(updated) }
        return updated
    }

    /// Checks a Git working tree off the cooperative thread pool (Git is a subprocess).
    static func check(_ git: GitConnection, repository: String) async throws(PipelineError) {
        do {
            try await offload { () throws(GitError) in try git.check() }
        } catch {
            throw .git(repository: repository, error)
        }
    }
}
