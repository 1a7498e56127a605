import Foundation
import Pipelines

// Deleting a pipeline; runs; triggers.
extension StorageConformance {
    /// `deletePipeline` removes the pipeline with its configurations, datasets, runs and
    /// triggers; its models stay (artifacts included), each replaced — inside the deletion
    /// — by exactly what the orphaning closure returns for the model and the pipeline as
    /// stored at the deletion (current name, configuration version, latest model metadata);
    /// models of other pipelines and standalone models are untouched. The deployed model is
    /// undeployed: an undeploy record naming it as previous, stamped by the store clock, is
    /// appended to a history that stays readable, so that model can then be deleted. A
    /// sibling pipeline is untouched, the name is free again, and a second deletion or a
    /// swap in the deleted scope is refused with `notFound`.
    static func deletePipelineCascade(_ t: CheckContext) async throws {
        let store = t.store
        let repository = Fixture.repository(1, name: "first")
        let doomed = try await addPipeline(t, number: 1, name: "churn", repository: repository)
        let sibling = try await addPipeline(t, number: 2, name: "fraud", repository: repository)
        var atDeletion = try await t.must("renamePipeline(churn → churn-v2)") {
            try await store.renamePipeline(doomed.id, to: "churn-v2", at: Fixture.date(150))
        }
        let second = Fixture.configuration(of: doomed.id, version: 2)
        try await t.must("appendConfiguration(churn version 2)") { try await store.appendConfiguration(second) }
        atDeletion.configurationVersion = 2
        atDeletion.updatedAt = second.savedAt
        try await t.must("saveDatasets(churn)") { try await store.saveDatasets(Fixture.datasets(of: doomed.id, generation: 1), replacing: nil) }
        try await t.must("saveDatasets(fraud)") { try await store.saveDatasets(Fixture.datasets(of: sibling.id, generation: 4), replacing: nil) }
        let runs = [Fixture.finishedRun(1, of: doomed.id, startedAt: Fixture.date(600)),
                    Fixture.runningRun(2, of: doomed.id, startedAt: Fixture.date(700)),
                    Fixture.runningRun(3, of: sibling.id, startedAt: Fixture.date(650))]
        for run in runs { try await t.must("insertRun(\(run.id))") { try await store.insertRun(run) } }
        let triggers = [try Fixture.cronTrigger(1, of: doomed.id, createdAt: Fixture.date(800)),
                        Fixture.intervalTrigger(2, of: doomed.id, createdAt: Fixture.date(801)),
                        Fixture.intervalTrigger(3, of: sibling.id, createdAt: Fixture.date(802))]
        for trigger in triggers { try await t.must("insertTrigger(\(trigger.id))") { try await store.insertTrigger(trigger) } }
        let deployed = Fixture.model(1, of: doomed)
        var retested = Fixture.model(2, of: doomed, status: .saved)
        let rejected = Fixture.model(3, of: doomed, status: .rejected)
        let siblingModel = Fixture.model(4, of: sibling)
        let imported = Fixture.importedModel(5)
        try await addModel(t, deployed, artifact: Fixture.artifact(1))
        try await addModel(t, retested, artifact: Fixture.artifact(2))
        try await addModel(t, rejected, artifact: nil)
        try await addModel(t, siblingModel, artifact: Fixture.artifact(4))
        try await addModel(t, imported, artifact: Fixture.artifact(5))
        let scope = DeploymentScope.pipeline(doomed.id)
        try await deploy(t, retested.id, in: scope, expecting: .current(nil), "model 2, in: churn")
        t.clock.advance(by: 2.5)
        try await deploy(t, deployed.id, in: scope, expecting: .current(retested.id), "model 1, in: churn")
        try await deploy(t, siblingModel.id, in: .pipeline(sibling.id), expecting: .current(nil), "model 4, in: fraud")
        retested.status = .tested
        retested.testingScores = [ScoreValue(name: "accuracy", value: 0.875)]
        retested.testedAt = Fixture.date(900.000_7)
        try await t.must("updateModel(model 2, tested)") { try await store.updateModel(retested, removingArtifact: false) }
        t.expectEqual(try await store.pipeline(doomed.id), atDeletion, "pipeline(churn) just before its deletion")
        let historyBefore = try await store.deploymentHistory(in: scope)
        let siblingBefore = try await store.pipeline(sibling.id)
        let siblingConfigurations = try await store.configurations(of: sibling.id)
        let siblingDeployment = try await store.deployment(in: .pipeline(sibling.id))

        t.clock.advance(by: 3.5)
        try await t.must("deletePipeline(churn)") { try await store.deletePipeline(doomed.id, orphaning: Fixture.orphaning) }

        t.expectEqual(try await store.pipeline(doomed.id), nil, "pipeline(churn) after deletePipeline")
        t.expectEqual(try await store.pipelines(in: repository.id), [sibling], "pipelines(in: first) after deletePipeline(churn)")
        t.expectEqual(try await store.configurations(of: doomed.id), [], "configurations(of: churn) after deletePipeline")
        t.expectEqual(try await store.configuration(of: doomed.id, version: nil), nil, "configuration(of: churn) after deletePipeline")
        t.expectEqual(try await store.datasets(of: doomed.id), nil, "datasets(of: churn) after deletePipeline")
        t.expectEqual(try await store.runs(of: doomed.id), [], "runs(of: churn) after deletePipeline")
        t.expectEqual(try await store.run(runs[0].id), nil, "run(churn's run) after deletePipeline")
        t.expectEqual(try await store.triggers(of: doomed.id), [], "triggers(of: churn) after deletePipeline")
        t.expectEqual(try await store.triggers(of: nil), [triggers[2]], "triggers(of: nil) after deletePipeline(churn)")

        let orphans = [deployed, retested, rejected].map { Fixture.orphaning($0, atDeletion) }
        for orphan in orphans {
            t.expectEqual(try await store.model(orphan.id), orphan, "model(\(orphan.id)) after deletePipeline: exactly what the "
                + "orphaning closure returned for the model's latest record and the pipeline as stored at the deletion")
        }
        t.expectEqual(try await store.artifact(of: deployed.id), Fixture.artifact(1), "artifact(of: orphaned model 1)")
        t.expectEqual(try await store.artifact(of: retested.id), Fixture.artifact(2), "artifact(of: orphaned model 2)")
        t.expectEqual(try await store.artifact(of: rejected.id), nil, "artifact(of: orphaned model 3, inserted without one)")
        t.expectEqual(try await store.model(siblingModel.id), siblingModel, "model(fraud's model) after deletePipeline(churn)")
        t.expectEqual(try await store.model(imported.id), imported, "model(imported model) after deletePipeline(churn)")
        t.expectEqual(try await store.models(matching: ModelFilter(pipelineID: doomed.id)), [],
                      "models(matching: pipeline churn) after deletePipeline")
        t.expectEqual(try await store.models(matching: ModelFilter(formerPipelineID: doomed.id)), orphans,
                      "models(matching: formerPipelineID churn) after deletePipeline")

        let undeploy = DeploymentRecord(scope: scope, modelID: nil, previousModelID: deployed.id, deployedAt: t.clock.now)
        t.expectEqual(try await store.deploymentHistory(in: scope), historyBefore + [undeploy],
                      "deploymentHistory(in: churn) after deletePipeline: the earlier records, then an undeploy record")
        t.expectEqual(try await store.deployment(in: scope), undeploy, "deployment(in: churn) after deletePipeline")
        try await t.must("deleteModel(model 1, deployed before its pipeline was deleted)") { try await store.deleteModel(deployed.id) }
        await t.expectRefusal("swapDeployment(in: the deleted pipeline, to: model 2, expecting: .current(nil))",
                              .notFound(id: doomed.id.rawValue)) {
            try await store.swapDeployment(in: scope, to: retested.id, expecting: .current(nil))
        }
        await t.expectRefusal("deletePipeline(churn) again", .notFound(id: doomed.id.rawValue)) {
            try await store.deletePipeline(doomed.id, orphaning: Fixture.orphaning)
        }

        t.expectEqual(try await store.pipeline(sibling.id), siblingBefore, "pipeline(fraud) after deletePipeline(churn)")
        t.expectEqual(try await store.configurations(of: sibling.id), siblingConfigurations, "configurations(of: fraud)")
        t.expectEqual(try await store.datasets(of: sibling.id), Fixture.datasets(of: sibling.id, generation: 4), "datasets(of: fraud)")
        t.expectEqual(try await store.runs(of: sibling.id), [runs[2]], "runs(of: fraud)")
        t.expectEqual(try await store.deployment(in: .pipeline(sibling.id)), siblingDeployment, "deployment(in: fraud)")
        let reborn = Fixture.pipeline(5, in: repository.id, name: "churn-v2")
        try await t.must("insertPipeline(a new churn-v2 after the deletion)") { try await store.insertPipeline(reborn) }
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
