import Estimators
import Foundation
import LinearAlgebra
import Logging
import Scoring
import Tabular

/// Job 3: scores untested models with every scoring function on the testing set; a model
/// failing any threshold is marked rejected and its artifact removed.
enum TestingJob {
    static func run(_ context: JobContext) async throws(PipelineError) -> String {
        let pipelineID = context.pipeline.id
        let untested = try await storage {
            try await context.store.models(matching: ModelFilter(pipelineID: pipelineID, statuses: [.saved]))
        }
        guard !untested.isEmpty else { return "no untested model" }
        // The testing rows only (the training set is not read), or this run's copy.
        let loaded = try await context.phases.time("load") { () throws(PipelineError) in try await context.datasets(rows: .testing) }
        guard let testing = loaded?.testing else {
            throw .notReady(job: .testing, reason: "no datasets yet: run dataset generation first")
        }
        guard testing.rowCount > 0 else { throw .notReady(job: .testing, reason: "the testing set is empty") }
        var lines: [String] = []
        for model in untested {
            try context.checkCancellation(.testing)
            let settings = TrainingJob.effectiveScores(context.configuration.configuration.training, task: model.task)
            let keys = context.configuration.configuration.dataset.selection?.keys ?? []
            let tested = try await test(
                model, on: testing, settings: settings, tester: context.tester, keys: keys, trained: context.memory.model(model.id),
                phases: context.phases)
            lines.append("\(model.id): \(tested.status.rawValue)")
        }
        return "tested \(untested.count) model(s): " + lines.joined(separator: "; ")
    }

    /// Scores one model on `testing` with `settings`, stores the scores and the verdict,
    /// and returns the updated record.
    ///
    /// - Throws: ``PipelineError`` when the model has no artifact, the testing rows do
    ///   not fit its features, or a score fails.
    ///
    /// - Parameters:
    ///   - trained: The model as the run's training job trained it (its artifact is then
    ///     not read nor decoded).
    ///   - phases: Where to record the `load`, `score` and `save` phases.
    static func test(
        _ model: ModelRecord, on testing: Table, settings: [ScoreSetting], tester: ModelTester, keys: [String] = [],
        trained: LoadedModel? = nil, phases: PhaseClock = PhaseClock()
    ) async throws(PipelineError) -> ModelRecord {
        var functions: [ScoringFunction] = []
        for setting in settings {
            do { functions.append(try tester.scores.function(named: setting.name)) } catch { throw .scoring(error) }
        }
        let loaded: LoadedModel
        if let trained {
            loaded = trained
        } else {
            let catalog = tester.estimators
            loaded = try await phases.time("load") { () async throws(PipelineError) -> LoadedModel in
                guard let artifact = try await storage({ try await tester.store.artifact(of: model.id) }) else {
                    throw .invalidArtifact(model: model.id, reason: "it has no artifact (it was rejected)")
                }
                return try await offload { () throws(PipelineError) -> LoadedModel in
                    try ModelBundle.load(artifact, model: model.id, catalog: catalog)
                }
            }
        }
        let scoring = functions
        let score: @Sendable () throws(PipelineError) -> [Double] = { () throws(PipelineError) -> [Double] in
            let (x, truth) = try encoded(testing, for: loaded, keys: keys)
            return try Evaluation.score(scoring, of: loaded.model, x: x, truth: truth)
        }
        let values = try await phases.time("score") { () async throws(PipelineError) -> [Double] in try await offload(score) }
        var updated = model
        var failed: [String] = []
        updated.testingScores = []
        for (setting, (function, value)) in zip(settings, zip(functions, values)) {
            updated.testingScores.append(ScoreValue(name: setting.name, value: value))
            if let threshold = setting.threshold, !function.passes(value, threshold: threshold) {
                failed.append("\(setting.name) \(value) vs threshold \(threshold)")
            }
        }
        updated.status = failed.isEmpty ? .tested : .rejected
        updated.testedAt = tester.clock.now
        if !failed.isEmpty { tester.logger.debug("model \(model.id) rejected: \(failed.joined(separator: ", "))") }
        let remove = !failed.isEmpty
        let record = updated
        try await phases.time("save") { () async throws(PipelineError) in
            try await storage { try await tester.store.updateModel(record, removingArtifact: remove) }
        }
        tester.publish(remove ? .rejected(record) : .scored(record))
        return updated
    }
}

/// What scoring a stored model needs.
struct ModelTester: Sendable {
    let store: any PipelineStorage
    let estimators: EstimatorCatalog
    let scores: ScoringCatalog
    let clock: any WallClock
    let logger: Logger
    let publish: @Sendable (ModelEvent) -> Void
}

/// Job 4: deploys by the selection criterion (nothing to do with manual selection).
enum DeploymentJob {
    /// Deploys the model the selection step chooses (when automatic), then runs the table
    /// consumers the run's configuration declares with the model deployed then.
    static func run(_ context: JobContext) async throws(PipelineError) -> String {
        let deployed = try await autoDeploy(context)
        let tables = context.configuration.configuration.deployment.consumers.compactMap(\.table)
        guard !tables.isEmpty else { return deployed }
        let deployment = Deployment(scope: .pipeline(context.pipeline.id), workspace: context.workspace)
        guard try await deployment.current() != nil else { return deployed + "; table consumers not run: nothing is deployed" }
        let summaries = try await context.phases.time("table consumers") { () async throws(PipelineError) in
            try await deployment.runTableConsumers(
                tables, datasetKeys: context.configuration.configuration.dataset.keys, baseDirectory: context.baseDirectory)
        }
        let lines = zip(tables, summaries).map { table, summary in
            "\(table.input) → \(table.output): \(summary.rowsPredicted) predicted, \(summary.rowsRejected) rejected (model \(summary.model) version \(summary.modelVersion))"
        }
        return ([deployed] + lines).joined(separator: "; ")
    }

    private static func autoDeploy(_ context: JobContext) async throws(PipelineError) -> String {
        let configuration = context.configuration.configuration
        guard let criterion = configuration.selection.autoDeploy else { return "manual selection: nothing deployed automatically" }
        let pipelineID = context.pipeline.id
        let since = context.clock.now.addingTimeInterval(-criterion.window)
        let candidates = try await storage {
            try await context.store.models(matching: ModelFilter(pipelineID: pipelineID, statuses: [.tested]))
        }.filter { $0.createdAt >= since }
        let chosen: ModelRecord?
        switch criterion {
        case .bestTestingScore:
            guard let task = candidates.first?.task else { return "no tested model within the window" }
            guard let primaryName = TrainingJob.effectiveScores(configuration.training, task: task).first(where: \.primary)?.name else {
                return "no primary score"
            }
            let function: ScoringFunction
            do { function = try context.scores.function(named: primaryName) } catch { throw .scoring(error) }
            chosen = candidates.filter { $0.testingScore(named: primaryName) != nil }.reduce(nil) { (best: ModelRecord?, model) in
                guard let best, let bestScore = best.testingScore(named: primaryName), let score = model.testingScore(named: primaryName)
                else { return model }
                // Ties go to the newer model (candidates are oldest first).
                return function.isBetter(bestScore, than: score) ? best : model
            }
        case .bestPredictionTime:
            chosen = candidates.filter { $0.meanPredictionSeconds != nil }.reduce(nil) { (best: ModelRecord?, model) in
                guard let best, let bestTime = best.meanPredictionSeconds, let time = model.meanPredictionSeconds else { return model }
                return bestTime < time ? best : model
            }
        }
        guard let chosen else { return "no tested model within the window" }
        // The same path as a deployment by hand: the core's rules, one atomic swap, events.
        let deployment = Deployment(scope: .pipeline(pipelineID), workspace: context.workspace)
        let change = try await context.phases.time("deploy") { () async throws(PipelineError) in try await deployment.deploy(chosen.id) }
        // A model trained in this run goes to the prediction cache as it is (no decode).
        if let trained = context.memory.model(chosen.id) {
            context.workspace.state.withLock { $0.loaded[chosen.id] = trained }
        }
        return change.changed ? "deployed model \(chosen.id)" : "model \(chosen.id) is already deployed"
    }
}

extension TestingJob {
    /// The testing rows as `loaded`'s features and its truth (class indices or values).
    ///
    /// - Throws: ``PipelineError/data(_:)`` naming the testing row (by `keys` when given)
    ///   whose feature or label does not fit the model.
    static func encoded(_ testing: Table, for loaded: LoadedModel, keys: [String] = []) throws(PipelineError) -> (Matrix, Truth) {
        do throws(TabularError) {
            let x = try loaded.bundle.featureEncoder.transform(testing)
            let column = try testing.column(named: loaded.bundle.schema.label)
            if let labels = loaded.bundle.labelEncoder {
                return (x, .classes(try labels.encode(column), count: labels.classes.count))
            }
            return (x, .values(try TrainingData.numericValues(column)))
        } catch {
            throw SourceRows.located(error, in: testing, set: "testing", keys: keys)
        }
    }
}
