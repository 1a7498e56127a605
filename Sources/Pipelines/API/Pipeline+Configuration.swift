import Foundation
public import Tabular

/// What saving a configuration did.
public struct ConfigurationSave: Sendable, Equatable {
    /// The saved version (unchanged when the configuration was equal to the current one).
    public var record: ConfigurationRecord
    /// Whether a new version was written.
    public var isNewVersion: Bool
    /// Problems that do not block saving: settings not chosen yet.
    public var incomplete: [ConfigurationProblem]
    /// The Git commit of the configuration file, when the repository is connected.
    public var gitCommit: String?
    /// Why the Git commit failed, if it did (the configuration is saved regardless).
    public var gitError: GitError?
}

extension Pipeline {
    /// Changes the pipeline's configuration and saves it as the next version.
    ///
    /// The change is validated first; an invalid configuration is refused with **all**
    /// its problems and nothing is saved. Settings not chosen yet (no label, no estimator)
    /// do not block saving (auto-save); they block the jobs that need them.
    ///
    /// Changing the estimator clears the tuning step and resets validation and scoring
    /// functions to their defaults, unless the same change set them too. Models are kept.
    ///
    /// With a connected Git repository the configuration is also written to
    /// `pipelines/<name>-<id prefix>.json` there and committed; a Git failure is reported in
    /// the result and logged, and the stored configuration stands.
    ///
    /// A new pipeline's first saved configuration is version 1.
    ///
    /// - Parameter change: Edits the current configuration.
    /// - Returns: The saved version, or the current one when nothing changed.
    /// - Throws: ``PipelineError/invalidConfiguration(pipeline:problems:)``,
    ///   ``PipelineError/notFound(_:)``,
    ///   ``PipelineError/configurationConflict(pipeline:version:)`` when someone else saved
    ///   a version after this call read the current one (nothing saved: call it again, it
    ///   re-reads).
    @discardableResult
    public func configure(_ change: (inout PipelineConfiguration) throws -> Void) async throws(PipelineError) -> ConfigurationSave {
        let pipeline = try await record()
        let current = try await configuration()
        var next = current.configuration
        do { try change(&next) } catch {
            throw .invalidConfiguration(pipeline: pipeline.name, problems: [ConfigurationProblem("configuration", "\(error)")])
        }
        next = Self.applyingEstimatorChange(from: current.configuration, to: next)
        // Sources whose fingerprint (here, or stored with the current version) still matches are not parsed.
        let check = await workspace.checkedSources(of: next, schema: try await datasetSchema(), known: current.sources ?? [])
        let problems = check.problems
        let invalid = problems.filter { $0.severity == .invalid }
        guard invalid.isEmpty else { throw .invalidConfiguration(pipeline: pipeline.name, problems: invalid) }
        let incomplete = problems.filter { $0.severity == .incomplete }
        guard next != current.configuration else {
            return ConfigurationSave(record: current, isNewVersion: false, incomplete: incomplete)
        }
        let hash: String
        do { hash = try next.contentHash() } catch { throw .backend("cannot hash the configuration: \(error)") }
        let record = ConfigurationRecord(
            pipelineID: id, version: current.version + 1, configuration: next, hash: hash, savedAt: workspace.clock.now,
            sources: check.fingerprints.isEmpty ? nil : check.fingerprints)
        // New endpoint names are claimed first (the store keeps them unique) while the ones
        // dropped stay held, tokens and all, until the version is saved: a version that
        // cannot be saved gives back only the names it claimed, and no token is lost.
        let endpoints = Set(next.deployment.consumers.compactMap(\.endpointName))
        let held = Set(current.configuration.deployment.consumers.compactMap(\.endpointName))
        let claiming = !endpoints.isSubset(of: held)
        if claiming { try await claimEndpoints(endpoints.union(held), configuration: next, pipeline: pipeline.name) }
        do {
            try await storage { try await workspace.store.appendConfiguration(record) }
        } catch {
            if claiming {
                do {
                    try await workspace.store.setEndpoints(held, of: .pipeline(id), at: workspace.clock.now)
                } catch {
                    workspace.logger.warning("pipeline '\(pipeline.name)': cannot give back endpoint names \(endpoints.subtracting(held).sorted()): \(error)")
                }
            }
            guard case .store(.versionConflict(_, _, let found)) = error else { throw error }
            throw .configurationConflict(pipeline: pipeline.name, version: found)
        }
        if !held.isSubset(of: endpoints) {
            // The version is saved: free the names it dropped (and their tokens). Should the
            // store fail now, they stay held until the next change of endpoints.
            do {
                try await workspace.store.setEndpoints(endpoints, of: .pipeline(id), at: workspace.clock.now)
                workspace.tokenCache.forgetAll()
            } catch {
                workspace.logger.warning("pipeline '\(pipeline.name)': cannot free endpoint names \(held.subtracting(endpoints).sorted()): \(error)")
            }
        }
        workspace.logger.debug("pipeline '\(pipeline.name)': saved configuration version \(record.version)")
        let git = try await commitToGit(pipeline, configuration: record, replacing: nil)
        return ConfigurationSave(record: record, isNewVersion: true, incomplete: incomplete, gitCommit: git.commit, gitError: git.error)
    }

    /// Makes `names` the pipeline's endpoint names in the store; a name another pipeline or
    /// model line holds is a configuration problem at its consumer.
    private func claimEndpoints(_ names: Set<String>, configuration: PipelineConfiguration, pipeline: String) async throws(PipelineError) {
        do {
            try await storage { try await workspace.store.setEndpoints(names, of: .pipeline(id), at: workspace.clock.now) }
            workspace.tokenCache.forgetAll()
        } catch {
            guard case .store(.endpointTaken(let name, let holder)) = error else { throw error }
            let index = configuration.deployment.consumers.firstIndex(of: .endpoint(name)) ?? 0
            // The holder by name; by identifier should its names not be readable now.
            let owner: String
            do { owner = try await workspace.owner(of: holder).description } catch { owner = holder.description }
            throw .invalidConfiguration(pipeline: pipeline, problems: [
                ConfigurationProblem("deployment.consumers[\(index)].endpoint", "the endpoint name '\(name)' is taken by \(owner)")
            ])
        }
    }

    /// The pipeline's current configuration: the latest saved version, or version 0 (an
    /// empty configuration, never stored) for a pipeline that was never configured.
    ///
    /// - Throws: ``PipelineError/notFound(_:)``.
    public func configuration() async throws(PipelineError) -> ConfigurationRecord {
        let pipeline = try await record()
        if let saved = try await storage({ try await workspace.store.configuration(of: id, version: nil) }) { return saved }
        let empty = PipelineConfiguration()
        let hash: String
        do { hash = try empty.contentHash() } catch { throw .backend("cannot hash the configuration: \(error)") }
        return ConfigurationRecord(pipelineID: id, version: 0, configuration: empty, hash: hash, savedAt: pipeline.createdAt)
    }

    /// The schema of the pipeline's datasets: each stored column's name and type, fixed by
    /// the first dataset generation (integer columns may widen to numeric) until
    /// ``resetDatasets()``; `nil` before the first generation.
    ///
    /// Sources are read with it: a CSV cell that is not of its column's type is an error
    /// naming file, line, column, value and type, and no configuration that reads such a
    /// source is saved or run.
    ///
    /// - Throws: ``PipelineError/notFound(_:)``, ``PipelineError/data(_:)`` for a corrupt
    ///   snapshot.
    public func datasetSchema() async throws(PipelineError) -> Schema? {
        _ = try await record()
        guard let snapshot = try await storage({ try await workspace.store.datasets(of: id, rows: []) }) else { return nil }
        return try snapshot.decodedLedger(identities: false).schema
    }

    /// Every problem of `configuration` for this pipeline, without saving anything: its
    /// sources are read with the datasets' schema (``datasetSchema()``), so a cell of
    /// another type is a problem naming file, line, column, value and type. A CSV source
    /// that still matches its fingerprint (in the workspace's ``Workspace/sourceCache``, or
    /// stored with the current configuration version) is not parsed again.
    ///
    /// - Parameter configuration: The configuration to check.
    /// - Returns: Invalid and incomplete problems, reading the sources first.
    /// - Throws: ``PipelineError/notFound(_:)``, ``PipelineError/data(_:)`` for a corrupt
    ///   snapshot.
    public func problems(in configuration: PipelineConfiguration) async throws(PipelineError) -> [ConfigurationProblem] {
        let known = try await self.configuration().sources ?? []
        return await workspace.checkedSources(of: configuration, schema: try await datasetSchema(), known: known).problems
    }

    /// Every saved version of the pipeline's configuration, oldest first (empty until the
    /// first ``configure(_:)``).
    ///
    /// - Throws: ``PipelineError/notFound(_:)``.
    public func configurationHistory() async throws(PipelineError) -> [ConfigurationRecord] {
        _ = try await record()
        return try await storage { try await workspace.store.configurations(of: id) }
    }

    /// The configuration after an estimator change: tuning cleared, validation and scores
    /// back to defaults — except what the same change set explicitly.
    static func applyingEstimatorChange(from old: PipelineConfiguration, to new: PipelineConfiguration) -> PipelineConfiguration {
        guard let oldEstimator = old.training.estimator, new.training.estimator != oldEstimator else { return new }
        var result = new
        let defaults = TrainingStep()
        if new.tuning == old.tuning { result.tuning = TuningStep() }
        if new.training.validation == old.training.validation { result.training.validation = defaults.validation }
        if new.training.scores == old.training.scores { result.training.scores = defaults.scores }
        return result
    }

    /// The file a pipeline's configuration is committed to in its repository's Git tree.
    static func gitFileName(_ pipeline: PipelineRecord) -> String {
        let base = GitConnection.fileName(forPipeline: pipeline.name).dropLast(".json".count)
        return "\(base)-\(pipeline.id.rawValue.prefix(8)).json"
    }

    /// Writes and commits the configuration when the pipeline's repository has a Git
    /// connection (off the cooperative thread pool: Git is a subprocess). A Git failure is
    /// logged and returned, never thrown: the stored configuration stands.
    ///
    /// - Throws: ``PipelineError/store(_:)`` when the repository cannot be read.
    func commitToGit(
        _ pipeline: PipelineRecord, configuration: ConfigurationRecord, replacing old: PipelineRecord?
    ) async throws(PipelineError) -> (commit: String?, error: GitError?) {
        guard let git = try await storage({ try await workspace.store.repository(pipeline.repositoryID) })?.git else {
            return (nil, nil)
        }
        let document = GitDocument(
            pipeline: pipeline.name, pipelineID: pipeline.id, version: configuration.version, hash: configuration.hash,
            configuration: configuration.configuration)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let contents: Data
        do { contents = try encoder.encode(document) } catch { throw .backend("cannot encode the Git document: \(error)") }
        let oldFile = old.map(Self.gitFileName)
        let newFile = Self.gitFileName(pipeline)
        do {
            let commit = try await offload { () throws(GitError) -> String? in
                if let old, let oldFile, oldFile != newFile {
                    try git.removeFile(named: oldFile, message: "Rename pipeline \(old.name) to \(pipeline.name)")
                }
                return try git.commitFile(
                    named: newFile, contents: contents + Data("\n".utf8),
                    message: "Pipeline \(pipeline.name): configuration version \(configuration.version)")
            }
            return (commit, nil)
        } catch {
            workspace.logger.warning(
                "pipeline '\(pipeline.name)': configuration version \(configuration.version) is saved, but the Git commit failed: \(error)")
            return (nil, error)
        }
    }
}

extension Workspace {
    /// Every problem of `configuration`, reading its sources to check columns and row
    /// counts (an unreadable source is a problem at `dataset.training` or `dataset.testing`),
    /// without saving anything. A CSV source that still matches its fingerprint in
    /// ``sourceCache`` is not parsed again; one that is parsed is kept there for a run.
    ///
    /// ```swift
    /// let problems = await workspace.problems(in: configuration)
    /// ```
    ///
    /// - Parameter configuration: The configuration to check.
    /// - Returns: Invalid and incomplete problems, reading the sources first.
    public func problems(in configuration: PipelineConfiguration) async -> [ConfigurationProblem] {
        await checkedSources(of: configuration).problems
    }
}

/// The readable file committed to a connected Git repository.
struct GitDocument: Codable {
    var pipeline: String
    var pipelineID: PipelineID
    var version: Int
    var hash: String
    var configuration: PipelineConfiguration
}
