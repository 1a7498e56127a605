import Foundation
import Pipelines
import Tabular
import Testing

/// The rules of the core about names, versions and deleted pipelines: the same on every backend.
@Suite("Model life-cycle rules of the core, on every store")
struct ModelLifecycleRulesTests {
    @Test("a deleted pipeline's models stay, orphaned, findable by their former pipeline; its handle answers notFound",
          arguments: StorageBackend.available)
    func deletedPipelineKeepsModels(_ backend: StorageBackend) async throws {
        try await withWorkspace(backend) { workspace, clock in
            let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
            let models = try await train(pipeline, clock: clock, count: 2)
            try await pipeline.deployment.deploy(models[1])
            try await pipeline.delete()

            let registry = workspace.registry
            let orphans = try await registry.models(ModelFilter(formerPipelineID: pipeline.id))
            #expect(orphans.total == 2)
            #expect(Set(orphans.models.map(\.id)) == Set(models))
            for orphan in orphans.models {
                #expect(orphan.origin == .orphaned(formerPipeline: pipeline.id, name: "line"))
                #expect(orphan.repositoryID == nil)
                #expect(orphan.lineID == orphan.id, "each orphan is its own line")
            }
            #expect(try await registry.models(.pipeline(pipeline.id)).total == 0)
            #expect(try await registry.models(.standalone).total == 2)
            #expect(try await registry.models(.deployedOnly).total == 0, "the deployed model was undeployed")
            let history = try await pipeline.deployment.history()
            #expect(history.map(\.modelID) == [models[1], nil], "the history stays readable, closed by an undeploy")

            let gone = PipelineError.notFound(.pipeline(pipeline.id))
            await #expect(throws: gone) { _ = try await pipeline.record() }
            await #expect(throws: gone) { _ = try await pipeline.configuration() }
            await #expect(throws: gone) { _ = try await pipeline.models() }
            await #expect(throws: gone) { _ = try await pipeline.runs() }
            await #expect(throws: gone) { _ = try await pipeline.run() }
            await #expect(throws: gone) { try await pipeline.configure { $0.preferences.description = "after" } }
            await #expect(throws: gone) { try await pipeline.delete() }
            await #expect(throws: gone) { _ = try await pipeline.deployment.current() }
            await #expect(throws: gone) { try await pipeline.deployment.undeploy() }
            await #expect(throws: gone) { try await pipeline.deployment.deploy(models[0]) }
            await #expect(throws: gone) { _ = try await workspace.pipeline(pipeline.id) }

            // An orphan is deployable in its own line, like any standalone model.
            let line = try await registry.line(of: models[0])
            #expect(line.id == models[0])
            #expect(line.name == "line")
            try await line.deployment.deploy(models[0])
            #expect(try await line.deployment.predict([["x": 2.0]]).modelID == models[0])
            await expectNotDeployable(models[1], "another orphan's line") { try await line.deployment.deploy(models[1]) }
        }
    }

    @Test("8 concurrent imports under one name get versions 1…8 of one line", arguments: StorageBackend.available)
    func concurrentImports(_ backend: StorageBackend) async throws {
        try await withWorkspace(backend) { workspace, clock in
            let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
            let trained = try await train(pipeline, clock: clock, count: 1)[0]
            let registry = workspace.registry
            let archive = try await registry.export(trained)
            let outcomes = await withTaskGroup(of: Result<ModelRecord, PipelineError>.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do throws(PipelineError) { return .success(try await registry.importModel(archive: archive, name: "shared")) } catch {
                            return .failure(error)
                        }
                    }
                }
                return await group.reduce(into: [Result<ModelRecord, PipelineError>]()) { $0.append($1) }
            }
            var imported: [ModelRecord] = []
            for outcome in outcomes {
                switch outcome {
                case .success(let record): imported.append(record)
                case .failure(let error): Issue.record("an import failed: \(error)")
                }
            }
            try #require(imported.count == 8)
            #expect(imported.map(\.version).sorted() == Array(1...8))
            let first = try #require(imported.first { $0.version == 1 })
            #expect(Set(imported.map(\.lineID)) == [first.id], "one line, rooted at version 1")
            let line = try await registry.line(named: "shared")
            #expect(line.id == first.id)
            let stored = try await registry.models(.line(first.id))
            #expect(stored.total == 8)
            #expect(stored.models.map(\.version).sorted() == Array(1...8))
            // The next import goes on from there.
            #expect(try await registry.importModel(archive: archive, name: "shared").version == 9)
        }
    }

    @Test("a new pipeline's first configuration is version 1, and so is its first model", arguments: StorageBackend.available)
    func firstVersions(_ backend: StorageBackend) async throws {
        try await withWorkspace(backend) { workspace, clock in
            let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "new")
            #expect(try await pipeline.record().configurationVersion == 0)
            #expect(try await pipeline.configuration().version == 0)
            #expect(try await pipeline.configurationHistory().isEmpty)
            let table = try Fixtures.smallRegressionTable()
            let save = try await pipeline.configure { config in
                config.dataset = DatasetStep(training: .table(table), label: "y", features: .columns(["x"]), keys: ["id"])
                config.training = TrainingStep(estimator: "LinearRegression", validation: .none)
            }
            #expect(save.isNewVersion)
            #expect(save.record.version == 1)
            #expect(try await pipeline.configurationHistory().map(\.version) == [1])
            let model = try await train(pipeline, clock: clock, count: 1)[0]
            #expect(try await workspace.registry.model(model).version == 1)
            #expect(try await pipeline.runs().first?.configurationVersion == 1)
        }
    }

    @Test("blank names are refused for repositories, pipelines and model lines", arguments: StorageBackend.available)
    func blankNames(_ backend: StorageBackend) async throws {
        try await withWorkspace(backend) { workspace, clock in
            func isInvalidName(_ kind: String, _ name: String) -> (PipelineError) -> Bool {
                { error in
                    guard case .invalidName(kind, name, _) = error else { return false }
                    return true
                }
            }
            for blank in ["", "   ", "\n\t"] {
                await expectPipelineError({ try await workspace.createRepository(named: blank) }, "repository \(blank.debugDescription)",
                                          matches: isInvalidName("repository", blank))
            }
            #expect(try await workspace.repositories().isEmpty)
            let repository = try await workspace.createRepository(named: "R")
            await expectPipelineError({ try await repository.rename(to: " ") }, matches: isInvalidName("repository", " "))
            await expectPipelineError({ try await repository.createPipeline(named: "") }, matches: isInvalidName("pipeline", ""))
            #expect(try await repository.pipelines().isEmpty)
            let pipeline = try await WorkspaceTests.regressionPipeline(workspace, repository: repository)
            await expectPipelineError({ try await pipeline.rename(to: "  ") }, matches: isInvalidName("pipeline", "  "))
            #expect(try await pipeline.record().name == "line")
            let trained = try await train(pipeline, clock: clock, count: 1)[0]
            let archive = try await workspace.registry.export(trained)
            await expectPipelineError({ try await workspace.registry.importModel(archive: archive, name: " ") },
                                      matches: isInvalidName("model line", " "))
            #expect(try await workspace.registry.models(.standalone).total == 0)
            #expect(try await repository.record().name == "R")
        }
    }
}
