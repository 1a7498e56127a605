import Foundation
import Pipelines

// Deleting a pipeline; runs; triggers.
extension StorageConformance {
    /// `deletePipeline` removes the pipeline with its configurations, datasets, runs and
    /// triggers; its models stay (artifacts included) as
    /// `.orphaned(formerPipeline: its current name)` without a repository, each its own
    /// standalone line (`lineID` = its id), undeployed — the scope's deployment is a
    /// record with nil model and the history keeps the earlier records — so the formerly
    /// deployed model can then be deleted. A sibling pipeline is untouched, the name is
    /// free again, and a second deletion or a deploy in the deleted scope is refused with
    /// `notFound`.
    static func deletePipelineCascade(_ t: CheckContext) async throws {
        let store = t.store
        let repository = Fixture.repository(1, name: "first")
        let doomed = try await addPipeline(t, number: 1, name: "churn", repository: repository)
        let sibling = try await addPipeline(t, number: 2, name: "fraud", repository: repository)
        let renamed = try await t.must("renamePipeline(churn → churn-v2)") {
            try await store.renamePipeline(doomed.id, to: "churn-v2", at: Fixture.date(150))
        }
        try await t.must("appendConfiguration(churn version 2)") {
            try await store.appendConfiguration(Fixture.configuration(of: doomed.id, version: 2))
        }
        try await t.must("saveDatasets(churn)") { try await store.saveDatasets(Fixture.datasets(of: doomed.id, generation: 1)) }
        try await t.must("saveDatasets(fraud)") { try await store.saveDatasets(Fixture.datasets(of: sibling.id, generation: 4)) }
        let runs = [Fixture.finishedRun(1, of: doomed.id, startedAt: Fixture.date(600)),
                    Fixture.runningRun(2, of: doomed.id, startedAt: Fixture.date(700)),
                    Fixture.runningRun(3, of: sibling.id, startedAt: Fixture.date(650))]
        for run in runs { try await t.must("insertRun(\(run.id))") { try await store.insertRun(run) } }
        let triggers = [try Fixture.cronTrigger(1, of: doomed.id, createdAt: Fixture.date(800)),
                        Fixture.intervalTrigger(2, of: doomed.id, createdAt: Fixture.date(801)),
                        Fixture.intervalTrigger(3, of: sibling.id, createdAt: Fixture.date(802))]
        for trigger in triggers { try await t.must("insertTrigger(\(trigger.id))") { try await store.insertTrigger(trigger) } }
        let deployed = Fixture.model(1, of: doomed)
        let saved = Fixture.model(2, of: doomed, status: .saved)
        let rejected = Fixture.model(3, of: doomed, status: .rejected)
        let siblingModel = Fixture.model(4, of: sibling)
        try await addModel(t, deployed, artifact: Fixture.artifact(1))
        try await addModel(t, saved, artifact: Fixture.artifact(2))
        try await addModel(t, rejected, artifact: nil)
        try await addModel(t, siblingModel, artifact: Fixture.artifact(4))
        let scope = DeploymentScope.pipeline(doomed.id)
        try await t.must("deploy(model 2, in: churn)") { try await store.deploy(saved.id, in: scope, expecting: nil) }
        t.clock.advance(by: 2.5)
        try await t.must("deploy(model 1, in: churn)") { try await store.deploy(deployed.id, in: scope, expecting: saved.id) }
        try await t.must("deploy(model 4, in: fraud)") {
            try await store.deploy(siblingModel.id, in: .pipeline(sibling.id), expecting: nil)
        }
        let historyBefore = try await store.deploymentHistory(in: scope)
        let siblingBefore = try await store.pipeline(sibling.id)
        let siblingConfigurations = try await store.configurations(of: sibling.id)
        let siblingDeployment = try await store.deployment(in: .pipeline(sibling.id))

        t.clock.advance(by: 3.5)
        try await t.must("deletePipeline(churn)") { try await store.deletePipeline(doomed.id) }

        t.expectEqual(try await store.pipeline(doomed.id), nil, "pipeline(churn) after deletePipeline")
        t.expectEqual(try await store.pipelines(in: repository.id), [sibling], "pipelines(in: first) after deletePipeline(churn)")
        t.expectEqual(try await store.configurations(of: doomed.id), [], "configurations(of: churn) after deletePipeline")
        t.expectEqual(try await store.configuration(of: doomed.id, version: nil), nil, "configuration(of: churn) after deletePipeline")
        t.expectEqual(try await store.datasets(of: doomed.id), nil, "datasets(of: churn) after deletePipeline")
        t.expectEqual(try await store.runs(of: doomed.id), [], "runs(of: churn) after deletePipeline")
        t.expectEqual(try await store.run(runs[0].id), nil, "run(churn's run) after deletePipeline")
        t.expectEqual(try await store.triggers(of: doomed.id), [], "triggers(of: churn) after deletePipeline")
        t.expectEqual(try await store.triggers(of: nil), [triggers[2]], "triggers(of: nil) after deletePipeline(churn)")

        for model in [deployed, saved, rejected] {
            let read = try t.require(await store.model(model.id), "model(\(model.id)) of the deleted pipeline")
            var expected = model
            expected.origin = .orphaned(formerPipeline: renamed.name)
            expected.repositoryID = nil
            expected.lineID = model.id
            t.expectEqual(read, expected, "model(\(model.id)) after deletePipeline: orphaned under the pipeline's current name, "
                + "without repository, its own line, otherwise unchanged")
        }
        t.expectEqual(try await store.artifact(of: deployed.id), Fixture.artifact(1), "artifact(of: orphaned model 1)")
        t.expectEqual(try await store.artifact(of: saved.id), Fixture.artifact(2), "artifact(of: orphaned model 2)")
        t.expectEqual(try await store.models(matching: ModelFilter(pipelineID: doomed.id)), [],
                      "models(matching: pipeline churn) after deletePipeline")

        let deployment = try await store.deployment(in: scope)
        t.expect(deployment != nil && deployment?.modelID == nil,
                 "deployment(in: churn) after deletePipeline: expected a record with modelID nil, got \(Difference.render(deployment))")
        let history = try await store.deploymentHistory(in: scope)
        t.expectEqual(Array(history.prefix(historyBefore.count)), historyBefore,
                      "deploymentHistory(in: churn) after deletePipeline: the earlier records, still readable")
        for index in history.indices.dropFirst() where history[index].previousModelID != history[index - 1].modelID {
            t.fail("deploymentHistory(in: churn) after deletePipeline, record \(index): previousModelID "
                + "\(Difference.render(history[index].previousModelID)) is not the prior record's modelID "
                + "\(Difference.render(history[index - 1].modelID))")
        }
        try await t.must("deleteModel(model 1, deployed before its pipeline was deleted)") { try await store.deleteModel(deployed.id) }
        await t.expectRefusal("deploy(in: the deleted pipeline)", .notFound(id: doomed.id.rawValue)) {
            try await store.deploy(saved.id, in: scope, expecting: nil)
        }
        await t.expectRefusal("deletePipeline(churn) again", .notFound(id: doomed.id.rawValue)) {
            try await store.deletePipeline(doomed.id)
        }

        t.expectEqual(try await store.pipeline(sibling.id), siblingBefore, "pipeline(fraud) after deletePipeline(churn)")
        t.expectEqual(try await store.configurations(of: sibling.id), siblingConfigurations, "configurations(of: fraud)")
        t.expectEqual(try await store.datasets(of: sibling.id), Fixture.datasets(of: sibling.id, generation: 4), "datasets(of: fraud)")
        t.expectEqual(try await store.runs(of: sibling.id), [runs[2]], "runs(of: fraud)")
        t.expectEqual(try await store.model(siblingModel.id), siblingModel, "model(fraud's model)")
        t.expectEqual(try await store.deployment(in: .pipeline(sibling.id)), siblingDeployment, "deployment(in: fraud)")
        let reborn = Fixture.pipeline(5, in: repository.id, name: "churn-v2")
        try await t.must("insertPipeline(a new churn-v2 after the deletion)") {
            try await store.insertPipeline(reborn, configuration: Fixture.configuration(of: reborn.id, version: 1))
        }
    }

    /// Runs read back exactly (outcomes, combinations, trigger origin…), `runs(of:)` lists
    /// a pipeline's runs newest first, `updateRun` replaces a run; an unknown run is
    /// refused with `notFound` on update, and a run of an unknown pipeline on insert.
    static func runsInsertUpdateList(_ t: CheckContext) async throws {
        let store = t.store
        let churn = try await addPipeline(t, number: 1, name: "churn")
        let fraud = try await addPipeline(t, number: 2, name: "fraud")
        let oldest = Fixture.finishedRun(1, of: churn.id, startedAt: Fixture.date(10))
        var newest = Fixture.runningRun(2, of: churn.id, startedAt: Fixture.date(30))
        let middle = Fixture.runningRun(3, of: churn.id, startedAt: Fixture.date(20))
        let other = Fixture.runningRun(4, of: fraud.id, startedAt: Fixture.date(15))
        for run in [oldest, middle, other, newest] { try await t.must("insertRun(\(run.id))") { try await store.insertRun(run) } }
        t.expectEqual(try await store.run(oldest.id), oldest, "run(finished run with every field set)")
        t.expectEqual(try await store.run(newest.id), newest, "run(running run)")
        t.expectEqual(try await store.runs(of: churn.id).map(\.id), [newest.id, middle.id, oldest.id],
                      "runs(of: churn) ids, newest first")
        t.expectEqual(try await store.runs(of: fraud.id), [other], "runs(of: fraud)")

        newest.status = .succeeded
        newest.finishedAt = Fixture.date(95.000_5)
        newest.outcomes = JobKind.allCases.map { JobOutcome(job: $0, status: .succeeded, startedAt: Fixture.date(30),
                                                            finishedAt: Fixture.date(95.000_5), summary: "done \($0)") }
        newest.savedModels = [Fixture.modelID(7)]
        try await t.must("updateRun(finished)") { try await store.updateRun(newest) }
        t.expectEqual(try await store.run(newest.id), newest, "run after updateRun")
        t.expectEqual(try await store.runs(of: churn.id), [newest, middle, oldest], "runs(of: churn) after updateRun")

        let ghost = Fixture.runningRun(99, of: churn.id, startedAt: Fixture.date(40))
        await t.expectRefusal("updateRun(unknown id)", .notFound(id: ghost.id.rawValue)) { try await store.updateRun(ghost) }
        t.expectEqual(try await store.run(ghost.id), nil, "run(unknown id) after the refused update")
        let unknown = Fixture.pipelineID(99)
        let stray = Fixture.runningRun(98, of: unknown, startedAt: Fixture.date(40))
        await t.expectRefusal("insertRun(of an unknown pipeline)", .notFound(id: unknown.rawValue)) { try await store.insertRun(stray) }
        t.expectEqual(try await store.run(stray.id), nil, "run(refused run)")
        t.expectEqual(try await store.runs(of: unknown), [], "runs(of: unknown pipeline)")
    }

    /// Triggers read back exactly (cron in a named time zone, intervals), listed oldest
    /// first per pipeline and for all pipelines; `deleteTrigger` removes one; unknown
    /// triggers (or one deleted already) are refused with `notFound`, and so is a trigger
    /// of an unknown pipeline.
    static func triggersInsertListDelete(_ t: CheckContext) async throws {
        let store = t.store
        let churn = try await addPipeline(t, number: 1, name: "churn")
        let fraud = try await addPipeline(t, number: 2, name: "fraud")
        let late = try Fixture.cronTrigger(1, of: churn.id, createdAt: Fixture.date(30))
        let early = Fixture.intervalTrigger(2, of: churn.id, createdAt: Fixture.date(10))
        let other = try Fixture.cronTrigger(3, of: fraud.id, createdAt: Fixture.date(20))
        for trigger in [late, other, early] {
            try await t.must("insertTrigger(\(trigger.id))") { try await store.insertTrigger(trigger) }
        }
        t.expectEqual(try await store.triggers(of: churn.id), [early, late], "triggers(of: churn), oldest first")
        t.expectEqual(try await store.triggers(of: fraud.id), [other], "triggers(of: fraud)")
        t.expectEqual(try await store.triggers(of: nil), [early, other, late], "triggers(of: nil), oldest first")
        t.expectEqual(try await store.triggers(of: Fixture.pipelineID(99)), [], "triggers(of: unknown pipeline)")

        try await t.must("deleteTrigger(late)") { try await store.deleteTrigger(late.id) }
        t.expectEqual(try await store.triggers(of: churn.id), [early], "triggers(of: churn) after deleteTrigger")
        t.expectEqual(try await store.triggers(of: nil), [early, other], "triggers(of: nil) after deleteTrigger")
        await t.expectRefusal("deleteTrigger(late) again", .notFound(id: late.id.rawValue)) { try await store.deleteTrigger(late.id) }
        let unknownTrigger = Fixture.triggerID(99)
        await t.expectRefusal("deleteTrigger(unknown id)", .notFound(id: unknownTrigger.rawValue)) {
            try await store.deleteTrigger(unknownTrigger)
        }
        let unknown = Fixture.pipelineID(99)
        let stray = Fixture.intervalTrigger(98, of: unknown, createdAt: Fixture.date(40))
        await t.expectRefusal("insertTrigger(of an unknown pipeline)", .notFound(id: unknown.rawValue)) {
            try await store.insertTrigger(stray)
        }
        t.expectEqual(try await store.triggers(of: nil), [early, other], "triggers(of: nil) after the refused insert")
    }
}
