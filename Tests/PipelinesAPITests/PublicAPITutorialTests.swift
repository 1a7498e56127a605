import Foundation
import Pipelines
import PipelinesSQLite
import Tabular
import Testing

/// The tutorial through the public API only (no `@testable`), the way a host program uses
/// the SDK: the four types `Repository`, `Pipeline`, `ModelRegistry` and `Deployment`,
/// handed out by `Workspace`, on the embedded SQLite store.
@Suite("Public API: the whole life-cycle with Repository, Pipeline, ModelRegistry and Deployment")
struct PublicAPITutorialTests {
    @Test("repository → pipeline → configure → run → registry → deploy → predict → rollback → export/import → delete")
    func lifeCycle() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("api-tutorial-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.writeCSV(to: directory.appendingPathComponent("points.csv"))

        let store = try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path)
        let workspace = Workspace(store: store, baseDirectory: directory)

        // Repository and pipeline.
        let repository = try await workspace.createRepository(named: "Default", description: "public API tutorial")
        let pipeline = try await repository.createPipeline(named: "Points")
        #expect(try await repository.pipelines() == [pipeline])
        #expect(try await workspace.pipeline(named: "Points") == pipeline)
        #expect(try await pipeline.configuration().version == 0)
        #expect(try await pipeline.configurationHistory().isEmpty)

        // Configure: the first saved configuration is version 1.
        let save = try await pipeline.configure { config in
            config.dataset = DatasetStep(
                training: .csv(path: "points.csv"), split: RandomSplit(testFraction: 0.25, seed: 7), label: "side", keys: ["id"])
            config.training = TrainingStep(
                estimator: "LogisticRegression", validation: .holdout(fraction: 0.2, seed: 1),
                scores: [ScoreSetting("accuracy", threshold: 0.8, primary: true)])
            config.tuning["C"] = .multiple([0.1, 1.0])
        }
        #expect(save.record.version == 1)
        #expect(save.isNewVersion)

        // Two runs: two models, the first of version 1.
        let first = try await pipeline.run().result()
        #expect(first.status == .succeeded, "\(first.outcomes)")
        let second = try await pipeline.run(jobs: [.training, .testing]).result()
        #expect(second.status == .succeeded, "\(second.outcomes)")
        let models = try await pipeline.models()
        #expect(models.count == 2)
        #expect(models.map(\.version) == [1, 1])
        #expect(models.allSatisfy { $0.status == .tested && $0.testingScore(named: "accuracy") != nil })

        // The registry lists them; nothing is deployed yet (no automatic deployment).
        let page = try await workspace.registry.models(ModelFilter(pipelineID: pipeline.id), offset: 0, limit: 1)
        #expect(page.total == 2 && page.models.count == 1)
        #expect(try await workspace.registry.models(.deployedOnly).total == 0)
        #expect(try await pipeline.deployment.current() == nil)

        // Deploy, predict, redeploy (no-op), deploy the other, roll back.
        let (a, b) = (models[0].id, models[1].id)
        try await pipeline.deployment.deploy(a)
        #expect(try await pipeline.deployment.current()?.id == a)
        let answer = try await pipeline.deployment.predict([["x": 2.0, "y": 1.5], ["x": -2.0, "y": -1.0]])
        #expect(answer.values == [.categorical("right"), .categorical("left")])
        try await pipeline.deployment.deploy(a)
        #expect(try await pipeline.deployment.history().count == 1)
        let swap = try await pipeline.deployment.deploy(b)
        #expect(swap.previousModelID == a)
        #expect(try await workspace.registry.models(.deployedOnly).models.map(\.id) == [b])
        let back = try await pipeline.deployment.rollback()
        #expect(back.modelID == a && back.previousModelID == b)
        #expect(try await pipeline.deployment.history().map(\.modelID) == [a, b, a])

        // Export to a file and import it as a standalone line, deploy it there.
        let archive = directory.appendingPathComponent("points.mlmodel.json")
        try await workspace.registry.export(a, to: archive)
        let imported = try await workspace.registry.importModel(archiveAt: archive, name: "points-copy")
        #expect(imported.version == 1 && imported.origin == .imported(name: "points-copy"))
        let line = try await workspace.registry.line(named: "points-copy")
        try await line.deployment.deploy(imported.id)
        #expect(try await line.deployment.predict([["x": 2.0, "y": 1.5]]).values == [.categorical("right")])

        // Delete the pipeline: its models stay in the registry, found by the former pipeline.
        try await pipeline.delete()
        await #expect(throws: PipelineError.notFound(.pipeline(pipeline.id))) { try await pipeline.record() }
        let orphans = try await workspace.registry.models(ModelFilter(formerPipelineID: pipeline.id))
        #expect(Set(orphans.models.map(\.id)) == [a, b])
        #expect(orphans.models.allSatisfy { $0.origin == .orphaned(formerPipeline: pipeline.id, name: "Points") })
        #expect(try await workspace.registry.models().total == 3)
        #expect(try await workspace.registry.models(.deployedOnly).models.map(\.id) == [imported.id])
    }

    @Test("errors name what was looked up and why a name was refused")
    func typedErrors() async throws {
        let workspace = Workspace(store: InMemoryStore())
        await #expect(throws: PipelineError.notFound(.repositoryNamed("nope"))) { try await workspace.repository(named: "nope") }
        await #expect(throws: PipelineError.notFound(.pipelineNamed("nope", repository: nil))) {
            try await workspace.pipeline(named: "nope")
        }
        let missing = ModelID("missing")
        await #expect(throws: PipelineError.notFound(.model(missing))) { try await workspace.registry.model(missing) }
        do {
            _ = try await workspace.createRepository(named: "  ")
            Issue.record("a blank repository name was accepted")
        } catch {
            guard case .invalidName(kind: "repository", name: "  ", _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
        }
    }

    /// 80 points of a fixed grid either side of the line x + y = 0, labelled by side, with ids.
    static func writeCSV(to url: URL) throws {
        var lines = ["id,x,y,side"]
        var id = 0
        for i in 0..<10 {
            for j in 0..<8 {
                let x = Double(i) - 4.5
                let y = Double(j) * 0.5 - 1.75
                id += 1
                lines.append("\(id),\(x),\(y),\(x + y > 0 ? "right" : "left")")
            }
        }
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
    }
}
