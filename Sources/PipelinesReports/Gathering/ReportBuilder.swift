import Estimators
import Foundation
public import Pipelines
import Scoring

/// Gathers reports from a workspace: a pipeline's (models, grid, scores across versions,
/// the deployed or best model's diagnostics, deployments, runs) and the whole registry's.
///
/// ```swift
/// let builder = ReportBuilder(workspace: workspace)
/// let report = try await builder.report(of: try await workspace.pipeline(named: "Iris"))
/// try ReportPage.html(report).write(toFile: "report.html", atomically: true, encoding: .utf8)
/// ```
public struct ReportBuilder: Sendable {
    /// The workspace reports are read from.
    public let workspace: Workspace

    /// A builder reading `workspace`.
    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// The report of `pipeline`.
    ///
    /// Diagnostics are computed on the pipeline's current testing set for its deployed
    /// model, or, when none is deployed, for its model with the best primary testing score
    /// (nil without a testing set or a model with an artifact).
    ///
    /// - Throws: ``PipelineError`` when the store fails, or the testing set does not fit the
    ///   chosen model's features.
    /// - Complexity: one pass over the pipeline's models and runs, plus one prediction pass
    ///   over the testing set and O(n log n) per curve.
    public func report(of pipeline: Pipeline) async throws(PipelineError) -> PipelineReport {
        let record = try await pipeline.record()
        let repository = try await pipeline.repository().record()
        let models = try await pipeline.models().sorted { $0.version > $1.version }
        let runs = try await pipeline.runs().sorted { $0.startedAt > $1.startedAt }
        let deployedID = try await pipeline.deployment.current()?.id
        let history = try await pipeline.deployment.history()
        let primary = Self.primaryScore(of: models)
        let versions = Dictionary(models.map { ($0.id, $0.version) }, uniquingKeysWith: { first, _ in first })

        var configurationOf: [ModelID: Int] = [:]
        for run in runs { for model in run.savedModels { configurationOf[model] = run.configurationVersion } }
        let scoreHistory = models.reversed().compactMap { model -> ScorePoint? in
            guard let configuration = configurationOf[model.id] else { return nil }
            return ScorePoint(
                configurationVersion: configuration, modelVersion: model.version,
                validation: model.validationScore.flatMap { $0.name == primary ? $0.value : nil },
                testing: Self.primaryTesting(of: model, primary: primary))
        }
        let combinations = runs.flatMap { run in
            run.combinations.map { combination in
                CombinationRow(
                    run: run.id.rawValue, configurationVersion: run.configurationVersion,
                    hyperParameters: Self.named(combination.hyperParameters), score: combination.score,
                    foldScores: combination.foldScores, error: combination.error)
            }
        }
        let deployments = history.sorted { $0.deployedAt < $1.deployedAt }.map { change in
            DeploymentChangeRow(
                at: change.deployedAt, modelVersion: change.modelID.flatMap { versions[$0] },
                previousVersion: change.previousModelID.flatMap { versions[$0] })
        }
        let diagnostics = try await diagnostics(models: models, deployed: deployedID, primary: primary)
        return PipelineReport(
            repository: repository.name, pipeline: record.name, generatedAt: workspace.clock.now,
            task: models.first?.task.rawValue, primaryScore: primary,
            models: models.map { Self.row($0, owner: record.name, deployed: $0.id == deployedID, primary: primary) },
            combinations: combinations, scoreHistory: scoreHistory, diagnostics: diagnostics, deployments: deployments,
            runs: runs.map(Self.row))
    }

    /// The report of the whole registry: a summary per pipeline and every model.
    ///
    /// - Throws: ``PipelineError/store(_:)`` when the store fails.
    /// - Complexity: one read of every pipeline's models and deployment.
    public func registryReport() async throws(PipelineError) -> RegistryReport {
        var summaries: [PipelineSummary] = []
        var rows: [ModelRow] = []
        for repository in try await workspace.repositories() {
            let repositoryName = try await repository.record().name
            for pipeline in try await repository.pipelines() {
                let name = try await pipeline.record().name
                let models = try await pipeline.models()
                let deployed = try await pipeline.deployment.current()
                let primary = Self.primaryScore(of: models)
                summaries.append(PipelineSummary(
                    repository: repositoryName, pipeline: name, modelCount: models.count, deployedVersion: deployed?.version,
                    deployedScore: deployed.flatMap { Self.primaryTesting(of: $0, primary: primary) }, primaryScore: primary))
                rows += models.map { Self.row($0, owner: name, deployed: $0.id == deployed?.id, primary: primary) }
            }
        }
        // Standalone models (imported, or left by a deleted pipeline); each line's name and
        // deployed model are read once, not once per version.
        var lines: [ModelID: (name: String, deployed: ModelID?)] = [:]
        var offset = 0
        while true {
            let page = try await workspace.registry.models(.standalone, offset: offset, limit: 500)
            for model in page.models {
                let line: (name: String, deployed: ModelID?)
                if let root = model.lineID, let known = lines[root] {
                    line = known
                } else {
                    let found = try await workspace.registry.line(of: model.id)
                    line = (found.name, try await found.deployment.current()?.id)
                    lines[found.id] = line
                }
                rows.append(Self.row(model, owner: line.name, deployed: model.id == line.deployed, primary: Self.primaryScore(of: [model])))
            }
            offset += page.models.count
            if page.models.isEmpty || offset >= page.total { break }
        }
        return RegistryReport(
            generatedAt: workspace.clock.now,
            pipelines: summaries.sorted { ($0.repository, $0.pipeline) < ($1.repository, $1.pipeline) },
            models: rows.sorted { $0.createdAt > $1.createdAt })
    }

    // MARK: Rows

    /// The name selection ranks by: the validation score's, else the first testing score's.
    static func primaryScore(of models: [ModelRecord]) -> String? {
        for model in models {
            if let name = model.validationScore?.name ?? model.testingScores.first?.name { return name }
        }
        return nil
    }

    /// The model's testing score under the primary score's name.
    static func primaryTesting(of model: ModelRecord, primary: String?) -> Double? {
        primary.flatMap(model.testingScore(named:))
    }

    static func named(_ values: [String: HyperParameterValue]) -> [NamedValue] {
        values.sorted { $0.key < $1.key }.map { NamedValue(name: $0.key, value: $0.value.description) }
    }

    static func row(_ model: ModelRecord, owner: String, deployed: Bool, primary: String?) -> ModelRow {
        // The primary testing score first, the others in their order.
        let scores = model.testingScores.sorted { ($0.name == primary ? 0 : 1) < ($1.name == primary ? 0 : 1) }
        return ModelRow(
            id: model.id.rawValue, owner: owner, version: model.version, estimator: model.estimator,
            hyperParameters: named(model.hyperParameters),
            validationScore: model.validationScore.map { NamedScore(name: $0.name, value: $0.value) },
            testingScores: scores.map { NamedScore(name: $0.name, value: $0.value) }, status: model.status.rawValue,
            deployed: deployed, createdAt: model.createdAt)
    }

    static func row(_ run: RunRecord) -> RunRow {
        let origin: String
        switch run.origin {
        case .manual: origin = "manual"
        case .trigger: origin = "trigger"
        }
        return RunRow(
            id: run.id.rawValue, configurationVersion: run.configurationVersion, origin: origin, status: run.status.rawValue,
            startedAt: run.startedAt,
            jobs: run.outcomes.map { outcome in
                let seconds = outcome.startedAt.flatMap { start in outcome.finishedAt.map { $0.timeIntervalSince(start) } }
                return JobRow(job: outcome.job.rawValue, status: outcome.status.rawValue, seconds: seconds)
            })
    }
}
