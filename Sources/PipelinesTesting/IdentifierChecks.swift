import Foundation
import Pipelines

// Inserts never replace.
extension StorageConformance {
    /// Inserting a repository, pipeline, model, run or trigger under an identifier already
    /// taken is refused with `duplicateID` naming it — even when everything else differs
    /// (name, repository, origin, artifact) — and changes nothing: the first record, its
    /// configurations (not reset to none) and its artifact stay as they were.
    static func insertDuplicateIDRefused(_ t: CheckContext) async throws {
        let store = t.store
        let repository = Fixture.repository(1, name: "first")
        let other = Fixture.repository(2, name: "second")
        try await t.must("insertRepository(first)") { try await store.insertRepository(repository) }
        try await t.must("insertRepository(second)") { try await store.insertRepository(other) }
        let twinRepository = Fixture.repository(1, name: "third", git: true)
        await t.expectRefusal("insertRepository(another record with first's id)", .duplicateID(id: repository.id.rawValue)) {
            try await store.insertRepository(twinRepository)
        }
        t.expectEqual(try await store.repository(repository.id), repository, "repository(first) after the refused insert")
        t.expectEqual(try await store.repositories(), [repository, other], "repositories() after the refused insert")

        let pipeline = try await addPipeline(t, number: 1, name: "churn", repository: repository)
        let configuration = Fixture.configuration(of: pipeline.id, version: 1)
        for (label, twin) in [("in the same repository, another name", Fixture.pipeline(1, in: repository.id, name: "fraud")),
                              ("in another repository", Fixture.pipeline(1, in: other.id, name: "churn"))] {
            await t.expectRefusal("insertPipeline(churn's id, \(label))", .duplicateID(id: pipeline.id.rawValue)) {
                try await store.insertPipeline(twin)
            }
        }
        t.expectEqual(try await store.pipeline(pipeline.id), pipeline, "pipeline(churn) after the refused inserts")
        t.expectEqual(try await store.pipelines(in: nil), [pipeline], "pipelines(in: nil) after the refused inserts")
        t.expectEqual(try await store.configurations(of: pipeline.id), [configuration],
                      "configurations(of: churn) after the refused inserts")

        let model = Fixture.model(1, of: pipeline)
        try await addModel(t, model, artifact: Fixture.artifact(1))
        let twins: [(String, ModelRecord, Data?)] = [
            ("another pipeline model", Fixture.model(1, of: pipeline, status: .saved, createdAt: Fixture.date(9_000)), Fixture.artifact(9)),
            ("an imported model without artifact", Fixture.importedModel(1), nil),
        ]
        for (label, twin, artifact) in twins {
            await t.expectRefusal("insertModel(model 1's id, \(label))", .duplicateID(id: model.id.rawValue)) {
                try await store.insertModel(twin, artifact: artifact)
            }
        }
        t.expectEqual(try await store.model(model.id), model, "model(1) after the refused inserts")
        t.expectEqual(try await store.artifact(of: model.id), Fixture.artifact(1), "artifact(of: model 1) after the refused inserts")
        t.expectEqual(try await store.models(matching: ModelFilter()), [model], "models(matching: all) after the refused inserts")

        let run = Fixture.finishedRun(1, of: pipeline.id, startedAt: Fixture.date(600))
        try await t.must("insertRun(1)") { try await store.insertRun(run) }
        await t.expectRefusal("insertRun(run 1's id, a running run)", .duplicateID(id: run.id.rawValue)) {
            try await store.insertRun(Fixture.runningRun(1, of: pipeline.id, startedAt: Fixture.date(700)))
        }
        t.expectEqual(try await store.run(run.id), run, "run(1) after the refused insert")
        t.expectEqual(try await store.runs(of: pipeline.id), [run], "runs(of: churn) after the refused insert")

        let trigger = try Fixture.cronTrigger(1, of: pipeline.id, createdAt: Fixture.date(800))
        try await t.must("insertTrigger(1)") { try await store.insertTrigger(trigger) }
        await t.expectRefusal("insertTrigger(trigger 1's id, an interval trigger)", .duplicateID(id: trigger.id.rawValue)) {
            try await store.insertTrigger(Fixture.intervalTrigger(1, of: pipeline.id, createdAt: Fixture.date(801)))
        }
        t.expectEqual(try await store.triggers(of: nil), [trigger], "triggers(of: nil) after the refused insert")
    }
}
