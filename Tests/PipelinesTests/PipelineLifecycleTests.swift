import Foundation
import Pipelines
import Tabular
import Testing

@Suite("Pipeline life-cycle: deletion, datasets reset, separate sources and prediction input")
struct PipelineLifecycleTests {
    @Test("deleting a pipeline keeps its models as standalone models; repositories refuse deletion while not empty")
    func deletion() async throws {
        let (workspace, store) = try Fixtures.workspaceAndStore()
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        let run = try await pipeline.run().result()
        #expect(run.status == .succeeded, "\(run.outcomes)")
        let model = try #require(try await pipeline.models().first)
        try await pipeline.deployment.deploy(model.id, ifCurrent: nil)
        let repository = try await pipeline.repository()
        await #expect(throws: PipelineError.store(.repositoryNotEmpty(repository: "R", pipelines: 1))) {
            try await repository.delete()
        }
        try await pipeline.delete()
        let orphan = try await workspace.registry.model(model.id)
        #expect(orphan.origin == .orphaned(formerPipeline: pipeline.id, name: "line"))
        #expect(orphan.repositoryID == nil)
        #expect(await store.artifact(of: model.id) != nil)
        #expect(try await workspace.pipelines().isEmpty)
        #expect(await store.runs(of: pipeline.id).isEmpty)
        await #expect(throws: PipelineError.notFound(.pipeline(pipeline.id))) { _ = try await pipeline.runs() }
        try await repository.delete()
        #expect(try await workspace.repositories().isEmpty)
    }

    @Test("deleting a repository with its pipelines, when asked")
    func cascadeDeletion() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        try await pipeline.repository().delete(includingPipelines: true)
        #expect(try await workspace.pipelines().isEmpty)
        #expect(try await workspace.repositories().isEmpty)
    }

    @Test("reset datasets empties the sets but leaves configuration and models")
    func resetDatasets() async throws {
        let (workspace, store) = try Fixtures.workspaceAndStore()
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        let run = try await pipeline.run(jobs: [.datasetGeneration, .training]).result()
        try #require(run.status == .succeeded, "\(run.outcomes)")
        let version = try await pipeline.record().configurationVersion
        try await pipeline.resetDatasets()
        let snapshot = try #require(await store.datasets(of: pipeline.id))
        let datasets = try snapshot.decodedDatasets()
        #expect(datasets.training.rowCount == 0 && datasets.testing.rowCount == 0)
        #expect(snapshot.generation == 2)
        #expect(try await pipeline.record().configurationVersion == version)
        #expect(try await pipeline.models().count == 1)
        let training = try await pipeline.run(jobs: [.training]).result()
        #expect(training.status == .failed)
    }

    @Test("separate training and testing sources; predictions check every record's features")
    func separateSourcesAndPredictionInput() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "two sources")
        let table = try Fixtures.smallRegressionTable()
        try await pipeline.configure { config in
            config.dataset = DatasetStep(
                training: .table(try table.rows(at: Array(0..<30))), testing: .table(try table.rows(at: Array(30..<40))),
                label: "y", features: .columns(["x"]), keys: ["id"])
            config.training = TrainingStep(estimator: "LinearRegression", validation: .holdout(fraction: 0.2, seed: 3))
            config.selection.autoDeploy = .bestPredictionTime(window: 86_400)
        }
        let run = try await pipeline.run().result()
        #expect(run.status == .succeeded, "\(run.outcomes)")
        let model = try #require(try await pipeline.models().first)
        #expect(model.version == 1, "the first configuration is version 1, and so is its first model")
        #expect(model.lineage?.testingRows == 10)
        #expect(abs((model.testingScore(named: "r2") ?? 0) - 1) < 1e-9)
        let deployment = pipeline.deployment
        #expect(try await deployment.current()?.id == model.id)
        let predictions = try await deployment.predict([["x": .numeric(100)], ["x": .integer(3)]])
        #expect(predictions.modelID == model.id)
        #expect(abs((predictions.values[0].doubleValue ?? 0) - 201) < 1e-9)
        #expect(abs((predictions.values[1].doubleValue ?? 0) - 7) < 1e-9)
        await #expect(throws: PipelineError.invalidInput(record: 1, feature: "x", reason: "missing (null or absent) and the model does not impute it")) {
            _ = try await deployment.predict([["x": 1.0], [:]])
        }
        await #expect(throws: PipelineError.invalidInput(record: 0, feature: "x", reason: "missing (null or absent) and the model does not impute it")) {
            _ = try await deployment.predict([["x": .missing]])
        }
        await expectPipelineError({ _ = try await deployment.predict([["x": "seven"]]) }) { error in
            guard case .invalidInput(0, "x", let reason) = error else { return false }
            return reason.hasPrefix("expected a numeric value")
        }
        await expectPipelineError({ _ = try await deployment.predict([["x": 1.0, "z": 2.0]]) }) { error in
            guard case .invalidInput(0, "z", let reason) = error else { return false }
            return reason.hasPrefix("not a feature of the model")
        }
    }
}
