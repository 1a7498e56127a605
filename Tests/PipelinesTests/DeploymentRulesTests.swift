import Foundation
import Pipelines
import PipelinesSQLite
import Tabular
import Testing

/// A workspace over a fresh store of `backend` (SQLite in a temporary directory, removed
/// afterwards), on a manual clock, resolving paths in the fixtures.
func withWorkspace<T>(
    _ backend: StorageBackend, _ body: (Workspace, ManualWallClock) async throws -> T
) async throws -> T {
    let directory = try TemporaryDirectory("rules-\(backend.rawValue)")
    defer { directory.remove() }
    let clock = ManualWallClock(now: Fixtures.start)
    let store = try await backend.makeStore(clock: clock, in: directory)
    let workspace = Workspace(store: store, clock: clock, baseDirectory: try Fixtures.directory)
    return try await body(workspace, clock)
}

/// Runs `pipeline` `count` times (dataset generation first, then training only), a minute
/// apart, and returns the models saved, oldest first.
func train(_ pipeline: Pipeline, clock: ManualWallClock, count: Int) async throws -> [ModelID] {
    var models: [ModelID] = []
    let fresh = try await pipeline.runs().isEmpty
    for index in 0..<count {
        clock.advance(by: 60)
        let jobs: [JobKind] = index == 0 && fresh ? [.datasetGeneration, .training] : [.training]
        let run = try await pipeline.run(jobs: jobs).result()
        try #require(run.status == .succeeded, "\(run.outcomes)")
        models += run.savedModels
    }
    try #require(models.count == count)
    return models
}

/// The deployment rules live in the core, above the stores: the same refusals and the same
/// history on every backend.
@Suite("Deployment rules of the core, on every store")
struct DeploymentRulesTests {
    @Test("a rejected model is refused, in every form of deployment", arguments: StorageBackend.available)
    func rejectedModelRefused(_ backend: StorageBackend) async throws {
        try await withWorkspace(backend) { workspace, clock in
            let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
            let models = try await train(pipeline, clock: clock, count: 2)
            // Fitted on y = 2·x + 1, tested on y = x ± 10: a mean absolute error ≤ 1 is out of reach.
            let rejected = try await workspace.registry.test(
                models[0], on: try Fixtures.zigzagRegressionTable(),
                scores: [ScoreSetting("r2", primary: true), ScoreSetting("mean_absolute_error", threshold: 1)])
            #expect(rejected.status == .rejected)
            #expect((rejected.testingScore(named: "mean_absolute_error") ?? 0) > 1)
            let deployment = pipeline.deployment
            await expectNotDeployable(models[0], "deploy") { try await deployment.deploy(models[0]) }
            await expectNotDeployable(models[0], "deploy(ifCurrent:)") { try await deployment.deploy(models[0], ifCurrent: nil) }
            await expectNotDeployable(models[0], "update") { try await deployment.update { _ in models[0] } }
            #expect(try await deployment.history().isEmpty)
            try await deployment.deploy(models[1])
            await expectNotDeployable(models[0], "over a deployed model") { try await deployment.deploy(models[0], ifCurrent: models[1]) }
            #expect(try await deployment.current()?.id == models[1])
            #expect(try await deployment.history().count == 1)
        }
    }

    @Test("a model of another pipeline is refused", arguments: StorageBackend.available)
    func modelOfAnotherPipelineRefused(_ backend: StorageBackend) async throws {
        try await withWorkspace(backend) { workspace, clock in
            let first = try await WorkspaceTests.regressionPipeline(workspace)
            let second = try await first.repository().createPipeline(named: "second")
            let table = try Fixtures.smallRegressionTable()
            try await second.configure { config in
                config.dataset = DatasetStep(training: .table(table), label: "y", features: .columns(["x"]), keys: ["id"])
                config.training = TrainingStep(estimator: "LinearRegression", validation: .none)
            }
            let mine = try await train(first, clock: clock, count: 1)[0]
            let theirs = try await train(second, clock: clock, count: 1)[0]
            await expectNotDeployable(theirs) { try await first.deployment.deploy(theirs) }
            try await first.deployment.deploy(mine)
            await expectNotDeployable(theirs, "over a deployed model") { try await first.deployment.deploy(theirs, ifCurrent: mine) }
            #expect(try await first.deployment.history().map(\.modelID) == [mine])
            #expect(try await second.deployment.current() == nil)
        }
    }

    @Test("pipeline models stay out of standalone lines, standalone models out of pipelines, lines out of each other",
          arguments: StorageBackend.available)
    func scopesKeepTheirModels(_ backend: StorageBackend) async throws {
        try await withWorkspace(backend) { workspace, clock in
            let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
            let trained = try await train(pipeline, clock: clock, count: 1)[0]
            let registry = workspace.registry
            let archive = try await registry.export(trained)
            let copy = try await registry.importModel(archive: archive, name: "copy")
            let other = try await registry.importModel(archive: archive, name: "other")
            let line = try await registry.line(named: "copy")
            #expect(line.id == copy.id)
            await expectNotDeployable(trained, "a pipeline model in a standalone line") { try await line.deployment.deploy(trained) }
            await expectNotDeployable(copy.id, "a standalone model in a pipeline") { try await pipeline.deployment.deploy(copy.id) }
            await expectNotDeployable(other.id, "a model of another line") { try await line.deployment.deploy(other.id) }
            await expectNotDeployable(trained, "line(of:) a pipeline model") { _ = try await registry.line(of: trained) }
            #expect(try await line.deployment.history().isEmpty)
            #expect(try await pipeline.deployment.history().isEmpty)
            try await line.deployment.deploy(copy.id)
            try await pipeline.deployment.deploy(trained)
            #expect(try await line.deployment.current()?.id == copy.id)
            #expect(try await pipeline.deployment.current()?.id == trained)
        }
    }

    @Test("redeploying the deployed model appends nothing to the history", arguments: StorageBackend.available)
    func redeployAppendsNothing(_ backend: StorageBackend) async throws {
        try await withWorkspace(backend) { workspace, clock in
            let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
            let model = try await train(pipeline, clock: clock, count: 1)[0]
            let deployment = pipeline.deployment
            let deployed = try await deployment.deploy(model)
            #expect(deployed.changed)
            let first = deployed.record
            clock.advance(by: 30)
            let unchanged = DeploymentChange(record: first, changed: false)
            #expect(try await deployment.deploy(model) == unchanged)
            #expect(try await deployment.deploy(model, ifCurrent: model) == unchanged)
            #expect(try await deployment.update { current in current?.id } == unchanged)
            #expect(try await deployment.history() == [first])
            await #expect(throws: PipelineError.store(.deploymentConflict(scope: deployment.scope, expected: nil, found: model))) {
                try await deployment.deploy(model, ifCurrent: nil)
            }
            #expect(try await deployment.history() == [first])
        }
    }

    @Test("rollback toggles between the two latest models; rollback(to:) reaches an earlier one, never one not deployed there",
          arguments: StorageBackend.available)
    func rollback(_ backend: StorageBackend) async throws {
        try await withWorkspace(backend) { workspace, clock in
            let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
            let models = try await train(pipeline, clock: clock, count: 4)
            let (a, b, c, never) = (models[0], models[1], models[2], models[3])
            let deployment = pipeline.deployment
            await #expect(throws: PipelineError.nothingToRollBack(deployment.scope)) { try await deployment.rollback() }
            try await deployment.deploy(a)
            await #expect(throws: PipelineError.nothingToRollBack(deployment.scope)) { try await deployment.rollback() }
            try await deployment.deploy(b)
            try await deployment.deploy(c)
            #expect(try await deployment.rollback().modelID == b)
            #expect(try await deployment.rollback().modelID == c)
            #expect(try await deployment.rollback().modelID == b)
            let back = try await deployment.rollback(to: a)
            #expect(back.modelID == a)
            #expect(back.previousModelID == b)
            #expect(try await deployment.current()?.id == a)
            await #expect(throws: PipelineError.nothingToRollBack(deployment.scope)) { try await deployment.rollback(to: never) }
            #expect(try await deployment.history().map(\.modelID) == [a, b, c, b, c, b, a])
            #expect(try await deployment.current()?.id == a)
        }
    }

    @Test("undeploy leaves nothing deployed, and predictions say so", arguments: StorageBackend.available)
    func undeploy(_ backend: StorageBackend) async throws {
        try await withWorkspace(backend) { workspace, clock in
            let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
            let model = try await train(pipeline, clock: clock, count: 1)[0]
            let deployment = pipeline.deployment
            await #expect(throws: PipelineError.nothingDeployed(deployment.scope)) { _ = try await deployment.predict([["x": 1.0]]) }
            try await deployment.deploy(model)
            #expect(try await deployment.predict([["x": 1.0]]).modelID == model)
            let undeployed = try #require(try await deployment.undeploy())
            #expect(undeployed.modelID == nil)
            #expect(undeployed.previousModelID == model)
            #expect(try await deployment.current() == nil)
            await #expect(throws: PipelineError.nothingDeployed(deployment.scope)) { _ = try await deployment.predict([["x": 1.0]]) }
            #expect(undeployed.changed)
            #expect(try await deployment.undeploy() == DeploymentChange(record: undeployed.record, changed: false),
                    "undeploying again changes nothing")
            #expect(try await deployment.history().map(\.modelID) == [model, nil])
            #expect(try await workspace.registry.models(.deployedOnly).total == 0)
        }
    }
}
