import Estimators
import Foundation
import LinearAlgebra
import Pipelines
import Scoring
import Tabular
import Testing

/// Fits until cancelled (checking every few milliseconds), as a long fit would.
struct SlowRegressor: Estimator {
    static let name = "SlowRegressor"
    static let task = PredictionTask.regression
    static let hyperParameters = HyperParameterSchema([])
    init(_ parameters: HyperParameters) {}

    func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        for _ in 0..<2_000 {
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

@Suite("Workspace: configuration versions, validation, deletion, failures, timeouts, predictions")
struct WorkspaceTests {
    static func customWorkspace(clock: ManualWallClock = ManualWallClock(now: Fixtures.start)) throws -> Workspace {
        var catalog = EstimatorCatalog.standard
        try catalog.register(SlowRegressor.self)
        try catalog.register(FailingRegressor.self)
        return try Fixtures.workspace(clock: clock, estimators: catalog)
    }

    /// A regression pipeline on an in-memory table.
    static func regressionPipeline(_ workspace: Workspace, estimator: String = "LinearRegression") async throws -> PipelineRecord {
        let repository = try await workspace.createRepository(named: "R")
        let pipeline = try await workspace.createPipeline(named: "line", in: repository.id)
        try await workspace.configure(pipeline.id) { config in
            config.dataset = DatasetStep(
                training: .table(Fixtures.smallRegressionTable()), split: RandomSplit(testFraction: 0.25, seed: 1), label: "y",
                features: .columns(["x"]), keys: ["id"])
            config.training = TrainingStep(estimator: estimator, validation: .none)
        }
        return pipeline
    }

    @Test("every saved change is a new version; an unchanged save is not; history is kept")
    func configurationVersions() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await Self.regressionPipeline(workspace)
        let unchanged = try await workspace.configure(pipeline.id) { _ in }
        #expect(unchanged.isNewVersion == false)
        #expect(unchanged.record.version == 2)
        let changed = try await workspace.configure(pipeline.id) { $0.preferences.description = "a line" }
        #expect(changed.record.version == 3)
        let history = try await workspace.configurationHistory(pipeline.id)
        #expect(history.map(\.version) == [1, 2, 3])
        #expect(history[0].configuration == PipelineConfiguration())
        #expect(history[2].configuration.preferences.description == "a line")
        #expect(Set(history.map(\.hash)).count == 3)
        #expect(try await workspace.pipeline(pipeline.id).configurationVersion == 3)
    }

    @Test("an unfinished configuration saves (auto-save) but does not run")
    func incompleteConfiguration() async throws {
        let workspace = try Fixtures.workspace()
        let repository = try await workspace.createRepository(named: "R")
        let pipeline = try await workspace.createPipeline(named: "draft", in: repository.id)
        let save = try await workspace.configure(pipeline.id) { $0.preferences.tags = ["draft"] }
        #expect(Set(save.incomplete.map(\.path)) == ["training.estimator", "dataset.training", "dataset.label"])
        await #expect(throws: PipelineError.self) { _ = try await workspace.run(pipeline.id) }
        #expect(try await workspace.runs(of: pipeline.id).isEmpty)
    }

    @Test("an invalid configuration is refused with all its problems at once and changes nothing")
    func allProblemsAtOnce() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await Self.regressionPipeline(workspace)
        let before = try await workspace.currentConfiguration(pipeline.id)
        do {
            try await workspace.configure(pipeline.id) { config in
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
        #expect(try await workspace.currentConfiguration(pipeline.id) == before)
    }

    @Test("more folds than training rows is refused")
    func tooManyFolds() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await Self.regressionPipeline(workspace)
        await #expect(throws: PipelineError.self) {
            try await workspace.configure(pipeline.id) { $0.training.validation = .kFold(folds: 31, seed: 0) }
        }
        // 40 rows, 10 to testing: 30 training rows take 30 folds.
        try await workspace.configure(pipeline.id) { $0.training.validation = .kFold(folds: 30, seed: 0) }
    }

    @Test("changing the estimator clears tuning and scoring but keeps models")
    func estimatorChange() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await Self.regressionPipeline(workspace, estimator: "Ridge")
        try await workspace.configure(pipeline.id) { config in
            config.tuning["alpha"] = .multiple([0.1, 1.0])
            config.training.scores = [ScoreSetting("mean_absolute_error", primary: true)]
        }
        let run = try await workspace.run(pipeline.id, jobs: [.datasetGeneration, .training]).result()
        #expect(run.status == .succeeded, "\(run.outcomes)")
        let changed = try await workspace.configure(pipeline.id) { $0.training.estimator = "Lasso" }
        #expect(changed.record.configuration.tuning == TuningStep())
        #expect(changed.record.configuration.training.scores.isEmpty)
        #expect(try await workspace.models(of: pipeline.id).count == 1)
        // Set together with the estimator, tuning survives.
        let both = try await workspace.configure(pipeline.id) { config in
            config.training.estimator = "ElasticNet"
            config.tuning["l1_ratio"] = .single(0.3)
        }
        #expect(both.record.configuration.tuning["l1_ratio"] == .single(0.3))
    }

    @Test("k-fold validation averages the folds and refits the best combination on all training rows")
    func kFoldTraining() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await Self.regressionPipeline(workspace, estimator: "Ridge")
        try await workspace.configure(pipeline.id) { config in
            config.training.validation = .kFold(folds: 3, seed: 2)
            config.tuning["alpha"] = .multiple([0.01, 100.0])
        }
        let run = try await workspace.run(pipeline.id, jobs: [.datasetGeneration, .training])
        let events = await collect(run)
        let record = await run.result()
        #expect(record.status == .succeeded, "\(record.outcomes)")
        #expect(events.filter { if case .fold = $0 { true } else { false } }.count == 6)
        #expect(record.combinations.map(\.foldScores.count) == [3, 3])
        for combination in record.combinations {
            let mean = combination.foldScores.reduce(0, +) / 3
            #expect(abs((combination.score ?? .nan) - mean) < 1e-12)
        }
        let model = try #require(try await workspace.models(of: pipeline.id).first)
        #expect(model.hyperParameters["alpha"] == .double(0.01))
        #expect(model.lineage?.trainingRows == 30)
    }

    @Test("a model below its validation threshold is not saved")
    func validationThreshold() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await Self.regressionPipeline(workspace, estimator: "Lasso")
        try await workspace.configure(pipeline.id) { config in
            config.training.scores = [ScoreSetting("r2", threshold: 0.999_999, primary: true)]
            config.tuning["alpha"] = .single(1_000.0)
        }
        let run = try await workspace.run(pipeline.id, jobs: [.datasetGeneration, .training]).result()
        #expect(run.status == .succeeded)
        #expect(run.savedModels.isEmpty)
        #expect(run.outcomes.last?.summary.contains("does not pass the threshold") == true)
        #expect(try await workspace.models(of: pipeline.id).isEmpty)
    }

    @Test("a model failing a testing threshold is rejected and loses its artifact")
    func testingRejection() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await Self.regressionPipeline(workspace)
        try await workspace.configure(pipeline.id) { config in
            config.training.scores = [ScoreSetting("r2", primary: true), ScoreSetting("max_error", threshold: 0)]
        }
        let run = try await workspace.run(pipeline.id, jobs: [.datasetGeneration, .training, .testing]).result()
        #expect(run.status == .succeeded, "\(run.outcomes)")
        let model = try #require(try await workspace.models(of: pipeline.id).first)
        // A perfect line fits exactly: max_error is ~0, within rounding; make it fail deterministically:
        if model.status == .tested {
            #expect((model.testingScores["max_error"] ?? 1) <= 0)
        } else {
            #expect(model.status == .rejected)
            #expect(try await workspace.store.artifact(of: model.id) == nil)
            await #expect(throws: PipelineError.self) { try await workspace.deploy(model.id, in: pipeline.id, expecting: nil) }
        }
    }

    @Test("a failed job stops the run: later jobs are skipped and recorded")
    func abortOnFailure() async throws {
        let workspace = try Self.customWorkspace()
        let pipeline = try await Self.regressionPipeline(workspace, estimator: "FailingRegressor")
        let record = try await workspace.run(pipeline.id).result()
        #expect(record.status == .failed)
        #expect(record.outcomes.map(\.status) == [.succeeded, .failed, .skipped, .skipped])
        #expect(record.error?.contains("this estimator always fails") == true)
        #expect(record.combinations.first?.error?.contains("always fails") == true)
        let stored = try await workspace.runs(of: pipeline.id)
        #expect(stored.first == record)
    }

    @Test("a job past its timeout is cancelled cooperatively and recorded as timed out")
    func timeout() async throws {
        let workspace = try Self.customWorkspace()
        let pipeline = try await Self.regressionPipeline(workspace, estimator: "SlowRegressor")
        try await workspace.configure(pipeline.id) { $0.preferences.timeouts[.training] = 0.3 }
        let started = ContinuousClock.now
        let record = try await workspace.run(pipeline.id).result()
        #expect(ContinuousClock.now - started < .seconds(8))  // the slow fit alone takes ≥ 10 s
        #expect(record.status == .timedOut)
        #expect(record.outcomes.map(\.status) == [.succeeded, .timedOut, .skipped, .skipped])
        #expect(record.outcomes[1].error?.contains("timeout") == true)
    }

    @Test("a pipeline never runs twice at once; a cancelled run is recorded as cancelled")
    func neverTwiceAtOnce() async throws {
        let workspace = try Self.customWorkspace()
        let pipeline = try await Self.regressionPipeline(workspace, estimator: "SlowRegressor")
        let first = try await workspace.run(pipeline.id)
        #expect(workspace.isRunning(pipeline.id))
        await #expect(throws: PipelineError.alreadyRunning(pipeline: "line")) { _ = try await workspace.run(pipeline.id) }
        await #expect(throws: PipelineError.alreadyRunning(pipeline: "line")) { try await workspace.deletePipeline(pipeline.id) }
        first.cancel()
        let record = await first.result()
        #expect(record.status == .cancelled)
        #expect(!workspace.isRunning(pipeline.id))
    }

    @Test("deleting a pipeline keeps its models as standalone models; repositories refuse deletion while not empty")
    func deletion() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await Self.regressionPipeline(workspace)
        let run = try await workspace.run(pipeline.id).result()
        #expect(run.status == .succeeded, "\(run.outcomes)")
        let model = try #require(try await workspace.models(of: pipeline.id).first)
        try await workspace.deploy(model.id, in: pipeline.id, expecting: nil)
        await #expect(throws: PipelineError.store(.repositoryNotEmpty(repository: "R", pipelines: 1))) {
            try await workspace.deleteRepository(pipeline.repositoryID)
        }
        try await workspace.deletePipeline(pipeline.id)
        let orphan = try await workspace.model(model.id)
        #expect(orphan.origin == .orphaned(formerPipeline: "line"))
        #expect(try await workspace.store.artifact(of: model.id) != nil)
        #expect(try await workspace.pipelines().isEmpty)
        #expect(try await workspace.runs(of: pipeline.id).isEmpty)
        try await workspace.deleteRepository(pipeline.repositoryID)
        #expect(try await workspace.repositories().isEmpty)
    }

    @Test("deleting a repository with its pipelines, when asked")
    func cascadeDeletion() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await Self.regressionPipeline(workspace)
        try await workspace.deleteRepository(pipeline.repositoryID, includingPipelines: true)
        #expect(try await workspace.pipelines().isEmpty)
        #expect(try await workspace.repositories().isEmpty)
    }

    @Test("reset datasets empties the sets but leaves configuration and models")
    func resetDatasets() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await Self.regressionPipeline(workspace)
        _ = try await workspace.run(pipeline.id, jobs: [.datasetGeneration, .training]).result()
        let version = try await workspace.pipeline(pipeline.id).configurationVersion
        try await workspace.resetDatasets(pipeline.id)
        let snapshot = try #require(try await workspace.store.datasets(of: pipeline.id))
        let datasets = try MLDatasets(binaryEncoded: Array(snapshot.encoded))
        #expect(datasets.training.rowCount == 0 && datasets.testing.rowCount == 0)
        #expect(snapshot.generation == 2)
        #expect(try await workspace.pipeline(pipeline.id).configurationVersion == version)
        #expect(try await workspace.models(of: pipeline.id).count == 1)
        let training = try await workspace.run(pipeline.id, jobs: [.training]).result()
        #expect(training.status == .failed)
    }

    @Test("separate training and testing sources; predictions check every record's features")
    func separateSourcesAndPredictionInput() async throws {
        let workspace = try Fixtures.workspace()
        let repository = try await workspace.createRepository(named: "R")
        let pipeline = try await workspace.createPipeline(named: "two sources", in: repository.id)
        let table = Fixtures.smallRegressionTable()
        try await workspace.configure(pipeline.id) { config in
            config.dataset = DatasetStep(
                training: .table(try table.rows(at: Array(0..<30))), testing: .table(try table.rows(at: Array(30..<40))),
                label: "y", features: .columns(["x"]), keys: ["id"])
            config.training = TrainingStep(estimator: "LinearRegression", validation: .holdout(fraction: 0.2, seed: 3))
            config.selection.autoDeploy = .bestPredictionTime(window: 86_400)
        }
        let run = try await workspace.run(pipeline.id).result()
        #expect(run.status == .succeeded, "\(run.outcomes)")
        let model = try #require(try await workspace.models(of: pipeline.id).first)
        #expect(model.lineage?.testingRows == 10)
        #expect(abs((model.testingScores["r2"] ?? 0) - 1) < 1e-9)
        #expect(try await workspace.deployedModelID(of: pipeline.id) == model.id)
        let predictions = try await workspace.predict([["x": .numeric(100)], ["x": .integer(3)]], with: pipeline.id)
        #expect(abs((predictions.values[0].doubleValue ?? 0) - 201) < 1e-9)
        #expect(abs((predictions.values[1].doubleValue ?? 0) - 7) < 1e-9)
        await #expect(throws: PipelineError.invalidInput(record: 1, feature: "x", reason: "missing")) {
            _ = try await workspace.predict([["x": 1.0], [:]], with: pipeline.id)
        }
        await #expect(throws: PipelineError.invalidInput(record: 0, feature: "x", reason: "null")) {
            _ = try await workspace.predict([["x": .missing]], with: pipeline.id)
        }
        await #expect(throws: PipelineError.self) { _ = try await workspace.predict([["x": "seven"]], with: pipeline.id) }
        await #expect(throws: PipelineError.self) { _ = try await workspace.predict([["x": 1.0, "z": 2.0]], with: pipeline.id) }
    }
}
