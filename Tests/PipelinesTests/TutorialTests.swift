import Estimators
import Foundation
import Pipelines
import Tabular
import Testing

/// The product's own tutorial, end to end and in-process, on the breast cancer data.
@Suite("Tutorial: repository → pipeline → datasets → training → testing → deployment → predictions")
struct TutorialTests {
    static let depths: [HyperParameterValue] = [5, 7, 9, 11, 13]
    static let treeCounts: [HyperParameterValue] = [5, 10, 20]  // the tutorial's 50/200/400, smaller for test time
    static let excluded = ["mean_fractal_dimension", "texture_error", "symmetry_error"]

    @Test("the tutorial's life-cycle, with manual and automatic deployment")
    func tutorial() async throws {
        let clock = ManualWallClock(now: Fixtures.start)
        let workspace = try Fixtures.workspace(clock: clock)
        let repository = try await workspace.createRepository(named: "Default", description: "tutorial")
        let pipeline = try await repository.createPipeline(named: "Breast cancer")
        let deployment = pipeline.deployment

        let save = try await pipeline.configure { config in
            config.dataset = DatasetStep(
                training: .csv(path: Fixtures.tutorialCSV), split: RandomSplit(testFraction: 0.15, seed: 27_062_020),
                label: "diagnosis", features: .all(excluding: Self.excluded), keys: ["id"])
            config.training = TrainingStep(
                estimator: "RandomForestClassifier", validation: .holdout(fraction: 0.2, seed: 1),
                scores: [ScoreSetting("accuracy", threshold: 0.8, primary: true), ScoreSetting("f1")])
            config.tuning["max_depth"] = .multiple(Self.depths)
            config.tuning["n_estimators"] = .multiple(Self.treeCounts)
            config.tuning["random_state"] = .single(0)
            config.preferences.threads[.training] = 2
        }
        #expect(save.record.version == 1, "a new pipeline's first configuration is version 1")
        #expect(save.incomplete.isEmpty)
        #expect(save.record.configuration.tuning.combinationCount == 15)

        // Dataset generation and training.
        let first = try await pipeline.run(jobs: [.training, .datasetGeneration])
        let events = await collect(first)
        let record = await first.result()
        #expect(record.status == .succeeded, "\(record.outcomes)")
        #expect(record.jobs == [.datasetGeneration, .training])
        let combinationEvents = events.filter { if case .combination = $0 { true } else { false } }
        #expect(combinationEvents.count == 15)
        #expect(events.first == .runStarted(record.id, jobs: [.datasetGeneration, .training]))
        #expect(events.last == .runFinished(record.id, status: .succeeded))
        #expect(record.combinations.count == 15)
        #expect(record.combinations.allSatisfy { $0.score != nil && $0.error == nil })
        #expect(record.savedModels.count == 1)

        // Only the best combination is saved, with its lineage.
        let models = try await pipeline.models()
        #expect(models.count == 1)
        let firstModel = try #require(models.first)
        let bestScore = try #require(record.combinations.compactMap(\.score).max())
        #expect(firstModel.validationScore == ScoreValue(name: "accuracy", value: bestScore))
        #expect(firstModel.status == .saved)
        #expect(firstModel.version == 1)
        #expect(firstModel.estimator == "RandomForestClassifier")
        #expect(firstModel.hyperParameters["n_estimators"].map { Self.treeCounts.contains($0) } == true)
        #expect(firstModel.hyperParameters["criterion"] == .string("gini"))  // defaults are recorded too
        let testingRows = Int((0.15 * 569).rounded(.up))
        let validationRows = Int((0.2 * Double(569 - testingRows)).rounded(.up))
        #expect(firstModel.lineage == ModelLineage(
            datasetGeneration: 1, trainingRows: 569 - testingRows - validationRows, validationRows: validationRows,
            testingRows: testingRows, configurationHash: save.record.hash))
        #expect(firstModel.schema.features.count == 30 - Self.excluded.count)
        #expect(firstModel.schema.classes == [.categorical("benign"), .categorical("malignant")])
        #expect((firstModel.meanPredictionSeconds ?? 0) > 0)

        // Testing: every scoring function on the testing set.
        let tested = try await pipeline.run(jobs: [.testing]).result()
        #expect(tested.status == .succeeded, "\(tested.outcomes)")
        let afterTesting = try await workspace.registry.model(firstModel.id)
        #expect(afterTesting.status == .tested)
        #expect(afterTesting.testingScores.map(\.name) == ["accuracy", "f1"])
        #expect((afterTesting.testingScore(named: "accuracy") ?? 0) > 0.9)

        // Manual deployment and predictions, labels in their original form.
        #expect(try await deployment.current() == nil)
        try await deployment.deploy(firstModel.id, ifCurrent: nil)
        #expect(try await deployment.current()?.id == firstModel.id)
        let table = try CSV.read(contentsOf: try Fixtures.directory.appendingPathComponent(Fixtures.tutorialCSV))
        let sample = try table.rows(at: Array(0..<20))
        let batch = try await deployment.predict(sample)
        #expect(batch.modelID == firstModel.id)
        #expect(batch.values.count == 20)
        let truth = try sample.column(named: "diagnosis")
        let correct = (0..<20).filter { batch.values[$0] == truth[$0] }.count
        #expect(correct >= 17)
        #expect(batch.probabilities?.columns == 2)
        let features = firstModel.schema.features.map(\.name)
        let records = (0..<3).map { row in Dictionary(uniqueKeysWithValues: features.map { ($0, sample.row(row)[$0]) }) }
        let single = try await deployment.predict(records)
        #expect(single.values == Array(batch.values.prefix(3)))

        // Automatic deployment: best testing score within 14 days.
        try await pipeline.configure { config in
            config.selection.autoDeploy = .bestTestingScore(window: 14 * 86_400)
            config.tuning["max_depth"] = .single(3)
            config.tuning["n_estimators"] = .single(30)
        }
        clock.advance(by: 3_600)
        let second = try await pipeline.run().result()
        #expect(second.status == .succeeded, "\(second.outcomes)")
        #expect(second.outcomes.map(\.status) == [.succeeded, .succeeded, .succeeded, .succeeded])
        let all = try await pipeline.models()
        #expect(all.count == 2)
        #expect(all.map(\.version) == [1, 2])
        let testedModels = all.filter { $0.status == .tested }
        let best = try #require(testedModels.max { a, b in
            (a.testingScore(named: "accuracy") ?? 0, a.createdAt) < (b.testingScore(named: "accuracy") ?? 0, b.createdAt)
        })
        #expect(try await deployment.current()?.id == best.id)
        // The testing set only grows: the second generation added nothing new.
        #expect(all.last?.lineage?.testingRows == testingRows)
        #expect(all.last?.lineage?.datasetGeneration == 2)

        // Fifteen days later nothing is inside the window: the deployment stays.
        clock.advance(by: 15 * 86_400)
        let late = try await pipeline.run(jobs: [.deployment]).result()
        #expect(late.outcomes.first?.summary == "no tested model within the window")
        #expect(try await deployment.current()?.id == best.id)
        let history = try await deployment.history()
        #expect(history.first?.modelID == firstModel.id)
        #expect(history.last?.modelID == best.id)
    }
}
