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
        let problems = await workspace.checkedSources(of: next, schema: try await datasetSchema()).problems
        let invalid = problems.filter { $0.severity == .invalid }
        guard invalid.isEmpty else { throw .invalidConfiguration(pipeline: pipeline.name, problems: invalid) }
        let incomplete = problems.filter { $0.severity == .incomplete }
        guard next != current.configuration else {
            return ConfigurationSave(record: current, isNewVersion: false, incomplete: incomplete)
        }
        let hash: String
        do { hash = try next.contentHash() } catch { throw .backend("cannot hash the configuration: \(error)") }
        let record = ConfigurationRecord(
            pipelineID: id, version: current.version + 1, configuration: next, hash: hash, savedAt: workspace.clock.now)
        do {
            try await storage { try await workspace.store.appendConfiguration(record) }
        } catch {
            guard case .store(.versionConflict(_, _, let found)) = error else { throw error }
            throw .configurationConflict(pipeline: pipeline.name, version: found)
        }
        workspace.logger.debug("pipeline '\(pipeline.name)': saved configuration version \(record.version)")
        let git = try await commitToGit(pipeline, configuration: record, replacing: nil)
        return ConfigurationSave(record: record, isNewVersion: true, incomplete: incomplete, gitCommit: git.commit, gitError: git.error)
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
        guard let snapshot = try await storage({ try await workspace.store.datasets(of: id) }) else { return nil }
        do { return try MLDatasets.schema(ofBinaryEncoded: Array(snapshot.encoded)) } catch { throw .data(error) }
    }

    /// Every problem of `configuration` for this pipeline, without saving anything: its
    /// sources are read with the datasets' schema (``datasetSchema()``), so a cell of
    /// another type is a problem naming file, line, column, value and type.
    ///
    /// - Throws: ``PipelineError/notFound(_:)``, ``PipelineError/data(_:)`` for a corrupt
    ///   snapshot.
    public func problems(in configuration: PipelineConfiguration) async throws(PipelineError) -> [ConfigurationProblem] {
        await workspace.checkedSources(of: configuration, schema: try await datasetSchema()).problems
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
    /// without saving anything.
    ///
    /// ```swift
    /// let problems = await workspace.problems(in: configuration)
    /// ```
    public func problems(in configuration: PipelineConfiguration) async -> [ConfigurationProblem] {
        await checkedSources(of: configuration).problems
    }

    /// Every problem of `configuration`, and the source tables read to find them (so a
    /// run's dataset generation uses them instead of reading the files again). Sources are
    /// read with the datasets' `schema`; a missing feature under the `error` policy is a
    /// problem naming its file and line.
    func checkedSources(
        of configuration: PipelineConfiguration, schema: Schema? = nil
    ) async -> (problems: [ConfigurationProblem], sources: SourceTables) {
        let base = baseDirectory
        let dataset = configuration.dataset
        let (tables, readProblems) = await offload { () -> (SourceTables, [ConfigurationProblem]) in
            var tables = SourceTables()
            var problems: [ConfigurationProblem] = []
            for (path, source) in [("dataset.training", dataset.training), ("dataset.testing", dataset.testing)] {
                guard let source else { continue }
                let table: Table
                do throws(PipelineError) {
                    table = try SourceLoader.load(source, baseDirectory: base, options: dataset.missing.csvOptions, schema: schema)
                } catch {
                    let fixed = schema != nil && Self.isInvalidValue(error)
                        ? " (the datasets' schema fixes each column's type until the datasets are reset)" : ""
                    problems.append(ConfigurationProblem(path, "cannot read \(source): \(error)\(fixed)"))
                    continue
                }
                if path == "dataset.training" { tables.training = table } else { tables.testing = table }
                do throws(PipelineError) {
                    try SourceRows.checkMissingFeatures(table, source: source, dataset: dataset, baseDirectory: base)
                    // Rows without a label that the pipeline refuses: refused now, as at generation.
                    if dataset.missing.labels == .refuse, let label = dataset.label, table[label] != nil {
                        _ = try MissingLabels.apply(
                            .refuse, to: table, label: label, source: source, options: dataset.missing.csvOptions, baseDirectory: base)
                    }
                } catch {
                    problems.append(ConfigurationProblem(path, "\(error)"))
                }
            }
            return (tables, problems)
        }
        let validator = ConfigurationValidator(estimators: estimators, scores: scores)
        let problems = validator.problems(
            in: configuration, training: tables.training.map(SourceSummary.init), testing: tables.testing.map(SourceSummary.init))
        return (readProblems + problems, tables)
    }

    /// Whether `error` is a CSV cell of another type than its column's.
    private static func isInvalidValue(_ error: PipelineError) -> Bool {
        guard case .data(let data) = error, case .csv(let located) = data, case .invalidValue = located.kind else { return false }
        return true
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
