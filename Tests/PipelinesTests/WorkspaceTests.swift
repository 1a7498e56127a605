import Estimators
import Foundation
import LinearAlgebra
import Pipelines
import Scoring
import Tabular
import Testing

/// Fits until cancelled (checking every few milliseconds), as a long fit would; uncancelled
/// it would take at least 30 s.
struct SlowRegressor: Estimator {
    static let name = "SlowRegressor"
    static let task = PredictionTask.regression
    static let hyperParameters = HyperParameterSchema([])
    init(_ parameters: HyperParameters) {}

    func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        for _ in 0..<24_000 {
            try context.checkCancellation(Self.name)
            Thread.sleep(forTimeInterval: 0.005)
        }
        throw .fitFailed(estimator: Self.name, reason: "was never cancelled")
    }
}

/// Always fails.
struct FailingRegressor: Estimator {
    static let name = "FailingRegressor"
    static let task = PredictionTask.regression
    static let hyperParameters = HyperParameterSchema([])
    init(_ parameters: HyperParameters) {}

    func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        throw .fitFailed(estimator: Self.name, reason: "this estimator always fails")
    }
}

@Suite("Workspace: configuration versions, validation, training and testing thresholds")
struct WorkspaceTests {
    static func customWorkspace(clock: ManualWallClock = ManualWallClock(now: Fixtures.start)) throws -> Workspace {
        try customWorkspaceAndStore(clock: clock).workspace
    }

    /// ``customWorkspace(clock:)`` and its store.
    static func customWorkspaceAndStore(
        clock: ManualWallClock = ManualWallClock(now: Fixtures.start)
    ) throws -> (workspace: Workspace, store: InMemoryStore) {
        var catalog = EstimatorCatalog.standard
        try catalog.register(SlowRegressor.self)
        try catalog.register(FailingRegressor.self)
        return try Fixtures.workspaceAndStore(clock: clock, estimators: catalog)
    }

    /// A regression pipeline `line` in `repository` (a new repository `R` by default), on an
    /// in-memory table (the exact line y = 2·x + 1 unless another is given), configured
    /// once (version 1).
    static func regressionPipeline(
        _ workspace: Workspace, estimator: String = "LinearRegression", table: Table? = nil, repository: Repository? = nil
    ) async throws -> Pipeline {
        let container: Repository
        if let repository { container = repository } else { container = try await workspace.createRepository(named: "R") }
        let pipeline = try await container.createPipeline(named: "line")
        let source = try table ?? Fixtures.smallRegressionTable()
        try await pipeline.configure { config in
            config.dataset = DatasetStep(
                training: .table(source), split: RandomSplit(testFraction: 0.25, seed: 1), label: "y",
                features: .columns(["x"]), keys: ["id"])
            config.training = TrainingStep(estimator: estimator, validation: .none)
        }
        return pipeline
    }

    @Test("a new pipeline has no configuration (version 0); every saved change is a new version; an unchanged save is not")
    func configurationVersions() async throws {
        let workspace = try Fixtures.workspace()
        let fresh = try await workspace.createRepository(named: "Fresh").createPipeline(named: "fresh")
        let unconfigured = try await fresh.configuration()
        #expect(unconfigured.version == 0)
        #expect(unconfigured.configuration == PipelineConfiguration())
        #expect(try await fresh.configurationHistory().isEmpty)
        #expect(try await fresh.record().configurationVersion == 0)

        let pipeline = try await Self.regressionPipeline(workspace)
        let unchanged = try await pipeline.configure { _ in }
        #expect(unchanged.isNewVersion == false)
        #expect(unchanged.record.version == 1)
        let changed = try await pipeline.configure { $0.preferences.description = "a line" }
        #expect(changed.isNewVersion)
        #expect(changed.record.version == 2)
        let history = try await pipeline.configurationHistory()
        #expect(history.map(\.version) == [1, 2])
        #expect(history[0].configuration.training.estimator == "LinearRegression")
        #expect(history[1].configuration.preferences.description == "a line")
        #expect(Set(history.map(\.hash)).count == 2)
        #expect(history[0].hash != unconfigured.hash)
        #expect(try await pipeline.record().configurationVersion == 2)
        #expect(try await pipeline.configuration() == history[1])
    }

    @Test("an unfinished configuration saves (auto-save) but does not run")
    func incompleteConfiguration() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "draft")
        let save = try await pipeline.configure { $0.preferences.tags = ["draft"] }
        #expect(save.record.version == 1)
        let unfinished: Set<String> = ["training.estimator", "dataset.training", "dataset.label"]
        #expect(Set(save.incomplete.map(\.path)) == unfinished)
        await expectPipelineError({ _ = try await pipeline.run() }) { error in
            guard case .invalidConfiguration("draft", let problems) = error else { return false }
            return Set(problems.map(\.path)) == unfinished
        }
        #expect(try await pipeline.runs().isEmpty)
    }

    @Test("an invalid configuration is refused with all its problems at once and changes nothing")
    func allProblemsAtOnce() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await Self.regressionPipeline(workspace)
        let before = try await pipeline.configuration()
        do {
            try await pipeline.configure { config in
                config.dataset.label = "no_such_label"
                config.dataset.features = .columns(["x", "ghost"])
                config.training.estimator = "Ridge"
                config.training.validation = .kFold(folds: 1, seed: 0)
                config.training.scores = [ScoreSetting("r2", threshold: 1.5, primary: true), ScoreSetting("accuracy")]
                config.tuning["alpha"] = .multiple([])
                config.tuning["depth"] = .single(3)
                config.tuning["fit_intercept"] = .multiple([true, 3])
            }
            Issue.record("an invalid configuration was saved")
        } catch {
            guard case .invalidConfiguration(_, let problems) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(problems.map(\.path) == [
                "dataset.label", "dataset.features[1]", "training.validation.folds", "training.scores[0].threshold",
                "training.scores[1].name", "tuning.alpha", "tuning.depth", "tuning.fit_intercept[1]",
            ])
        }
        #expect(try await pipeline.configuration() == before)
    }

    @Test("more folds than training rows is refused")
    func tooManyFolds() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await Self.regressionPipeline(workspace)
        await expectPipelineError({
            try await pipeline.configure { $0.training.validation = .kFold(folds: 31, seed: 0) }
        }) { error in
            guard case .invalidConfiguration("line", let problems) = error else { return false }
            return problems.map(\.path) == ["training.validation.folds"]
        }
        // 40 rows, 10 to testing: 30 training rows take 30 folds.
        try await pipeline.configure { $0.training.validation = .kFold(folds: 30, seed: 0) }
    }

    @Test("changing the estimator clears tuning and scoring but keeps models")
    func estimatorChange() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await Self.regressionPipeline(workspace, estimator: "Ridge")
        try await pipeline.configure { config in
            config.tuning["alpha"] = .multiple([0.1, 1.0])
            config.training.scores = [ScoreSetting("mean_absolute_error", primary: true)]
        }
        let run = try await pipeline.run(jobs: [.datasetGeneration, .training]).result()
        #expect(run.status == .succeeded, "\(run.outcomes)")
        let changed = try await pipeline.configure { $0.training.estimator = "Lasso" }
        #expect(changed.record.configuration.tuning == TuningStep())
        #expect(changed.record.configuration.training.scores.isEmpty)
        #expect(try await pipeline.models().count == 1)
        // Set together with the estimator, tuning survives.
        let both = try await pipeline.configure { config in
            config.training.estimator = "ElasticNet"
            config.tuning["l1_ratio"] = .single(0.3)
        }
        #expect(both.record.configuration.tuning["l1_ratio"] == .single(0.3))
    }

    @Test("k-fold validation averages the folds and refits the best combination on all training rows")
    func kFoldTraining() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await Self.regressionPipeline(workspace, estimator: "Ridge")
        try await pipeline.configure { config in
            config.training.validation = .kFold(folds: 3, seed: 2)
            config.tuning["alpha"] = .multiple([0.01, 100.0])
        }
        let run = try await pipeline.run(jobs: [.datasetGeneration, .training])
        let events = await collect(run)
        let record = await run.result()
        #expect(record.status == .succeeded, "\(record.outcomes)")
        #expect(events.filter { if case .fold = $0 { true } else { false } }.count == 6)
        #expect(record.combinations.map(\.foldScores.count) == [3, 3])
        for combination in record.combinations {
            let mean = combination.foldScores.reduce(0, +) / 3
            #expect(abs((combination.score ?? .nan) - mean) < 1e-12)
        }
        let model = try #require(try await pipeline.models().first)
        #expect(model.hyperParameters["alpha"] == .double(0.01))
        #expect(model.lineage?.trainingRows == 30)
        #expect(model.version == 2, "trained by configuration version 2")
    }

    @Test("a model below its validation threshold is not saved")
    func validationThreshold() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await Self.regressionPipeline(workspace, estimator: "Lasso")
        try await pipeline.configure { config in
            config.training.scores = [ScoreSetting("r2", threshold: 0.999_999, primary: true)]
            config.tuning["alpha"] = .single(1_000.0)
        }
        let run = try await pipeline.run(jobs: [.datasetGeneration, .training]).result()
        #expect(run.status == .succeeded)
        #expect(run.savedModels.isEmpty)
        #expect(run.outcomes.last?.summary.contains("does not pass the threshold") == true)
        #expect(try await pipeline.models().isEmpty)
    }

    @Test("a model failing a testing threshold is rejected, loses its artifact and cannot be deployed")
    func testingRejection() async throws {
        let (workspace, store) = try Fixtures.workspaceAndStore()
        // No straight line comes within 1 of y = x ± 10: a mean absolute error ≤ 1 is out of reach.
        let pipeline = try await Self.regressionPipeline(workspace, table: try Fixtures.zigzagRegressionTable())
        try await pipeline.configure { config in
            config.training.scores = [ScoreSetting("r2", primary: true), ScoreSetting("mean_absolute_error", threshold: 1)]
        }
        let run = try await pipeline.run(jobs: [.datasetGeneration, .training, .testing]).result()
        #expect(run.status == .succeeded, "\(run.outcomes)")
        let saved = try #require(run.savedModels.first)
        let model = try await workspace.registry.model(saved)
        #expect(model.status == .rejected)
        let error = try #require(model.testingScore(named: "mean_absolute_error"))
        #expect(error > 1, "the testing score really is past the threshold")
        #expect(model.testingScores.map(\.name) == ["r2", "mean_absolute_error"])
        #expect(model.testedAt != nil)
        #expect(await store.artifact(of: model.id) == nil)
        await expectNotDeployable(model.id) { try await pipeline.deployment.deploy(model.id) }
        await expectNotDeployable(model.id) { try await pipeline.deployment.deploy(model.id, ifCurrent: nil) }
        #expect(try await pipeline.deployment.current() == nil)
        #expect(try await pipeline.deployment.history().isEmpty)
    }

    @Test("a failed job stops the run: later jobs are skipped and recorded")
    func abortOnFailure() async throws {
        let workspace = try Self.customWorkspace()
        let pipeline = try await Self.regressionPipeline(workspace, estimator: "FailingRegressor")
        let record = try await pipeline.run().result()
        #expect(record.status == .failed)
        #expect(record.outcomes.map(\.status) == [.succeeded, .failed, .skipped, .skipped])
        #expect(record.error?.contains("this estimator always fails") == true)
        #expect(record.combinations.first?.error?.contains("always fails") == true)
        let stored = try await pipeline.runs()
        #expect(stored.first == record)
    }

    @Test("a job past its timeout is cancelled cooperatively and recorded as timed out")
    func timeout() async throws {
        let workspace = try Self.customWorkspace()
        let pipeline = try await Self.regressionPipeline(workspace, estimator: "SlowRegressor")
        try await pipeline.configure { $0.preferences.timeouts[.training] = 0.3 }
        let started = ContinuousClock.now
        let record = try await pipeline.run().result()
        // Cancelled cooperatively: well before the ≥ 120 s an uncancelled fit takes (a wide
        // margin: the whole suite on 2 cores once took this run 34 s).
        #expect(ContinuousClock.now - started < .seconds(80))
        #expect(record.status == .timedOut)
        #expect(record.outcomes.map(\.status) == [.succeeded, .timedOut, .skipped, .skipped])
        #expect(record.outcomes[1].error?.contains("timeout") == true)
    }

    @Test("a pipeline never runs twice at once; a cancelled run is recorded as cancelled")
    func neverTwiceAtOnce() async throws {
        let workspace = try Self.customWorkspace()
        let pipeline = try await Self.regressionPipeline(workspace, estimator: "SlowRegressor")
        let first = try await pipeline.run()
        #expect(pipeline.isRunning)
        await #expect(throws: PipelineError.alreadyRunning(pipeline: "line")) { _ = try await pipeline.run() }
        await #expect(throws: PipelineError.alreadyRunning(pipeline: "line")) { try await pipeline.delete() }
        await #expect(throws: PipelineError.alreadyRunning(pipeline: "line")) { try await pipeline.resetDatasets() }
        let repository = try await pipeline.repository()
        await #expect(throws: PipelineError.alreadyRunning(pipeline: "line")) {
            try await repository.delete(includingPipelines: true)
        }
        first.cancel()
        let record = await first.result()
        #expect(record.status == .cancelled)
        #expect(!pipeline.isRunning)
    }
}
