import Foundation
import Pipelines

// Repositories and pipelines: names, listing, renaming, deletion.
extension StorageConformance {
    /// Inserted repositories read back equal; an unknown id reads nil; `repositories()`
    /// sorts by name whatever the insertion order.
    static func repositoriesInsertGetList(_ t: CheckContext) async throws {
        let store = t.store
        let gamma = Fixture.repository(1, name: "gamma", git: true)
        let alpha = Fixture.repository(2, name: "alpha")
        let beta = Fixture.repository(3, name: "beta", git: true)
        for repository in [gamma, alpha, beta] {
            try await t.must("insertRepository(\(repository.name))") { try await store.insertRepository(repository) }
        }
        for repository in [gamma, alpha, beta] {
            let read = try await t.must("repository(\(repository.name))") { try await store.repository(repository.id) }
            t.expectEqual(read, repository, "repository(\(repository.name)) after insertRepository")
        }
        let unknown = try await t.must("repository(unknown id)") { try await store.repository(Fixture.repositoryID(99)) }
        t.expectEqual(unknown, nil, "repository(unknown id)")
        let listed = try await t.must("repositories()") { try await store.repositories() }
        t.expectEqual(listed.map(\.name), ["alpha", "beta", "gamma"], "repositories() names, sorted by name")
        t.expectEqual(listed, [alpha, beta, gamma], "repositories() records")
    }

    /// `updateRepository` replaces name, description and connection; keeping its own name
    /// is fine; another's name is refused with `duplicateName`, an unknown id with
    /// `notFound`, and neither changes anything.
    static func repositoriesUpdate(_ t: CheckContext) async throws {
        let store = t.store
        let alpha = Fixture.repository(1, name: "alpha")
        let beta = Fixture.repository(2, name: "beta", git: true)
        try await t.must("insertRepository(alpha)") { try await store.insertRepository(alpha) }
        try await t.must("insertRepository(beta)") { try await store.insertRepository(beta) }

        var renamed = Fixture.repository(1, name: "alpha-renamed", git: true)
        renamed.description = "renamed"
        renamed.updatedAt = Fixture.date(50.25)
        try await t.must("updateRepository(alpha → alpha-renamed)") { try await store.updateRepository(renamed) }
        t.expectEqual(try await store.repository(alpha.id), renamed, "repository(alpha) after updateRepository")

        var described = renamed
        described.description = "same name, new description"
        described.git = nil
        try await t.must("updateRepository keeping its own name") { try await store.updateRepository(described) }
        t.expectEqual(try await store.repository(alpha.id), described, "repository(alpha) after the second update")

        var clash = beta
        clash.name = "alpha-renamed"
        await t.expectRefusal("updateRepository(beta → the name of alpha)", .duplicateName(name: "alpha-renamed")) {
            try await store.updateRepository(clash)
        }
        t.expectEqual(try await store.repository(beta.id), beta, "repository(beta) after the refused update")

        let ghost = Fixture.repository(9, name: "ghost")
        await t.expectRefusal("updateRepository(unknown id)", .notFound(id: ghost.id.rawValue)) {
            try await store.updateRepository(ghost)
        }
        t.expectEqual(try await store.repository(ghost.id), nil, "repository(unknown id) after the refused update")
        t.expectEqual(try await store.repositories(), [described, beta], "repositories() after the updates")
    }

    /// Inserting a repository under a taken name is refused with `duplicateName` and
    /// stores nothing.
    static func repositoriesDuplicateNameRefused(_ t: CheckContext) async throws {
        let store = t.store
        let alpha = Fixture.repository(1, name: "alpha")
        try await t.must("insertRepository(alpha)") { try await store.insertRepository(alpha) }
        let twin = Fixture.repository(2, name: "alpha", git: true)
        await t.expectRefusal("insertRepository(another repository named alpha)", .duplicateName(name: "alpha")) {
            try await store.insertRepository(twin)
        }
        t.expectEqual(try await store.repository(twin.id), nil, "repository(refused twin)")
        t.expectEqual(try await store.repositories(), [alpha], "repositories() after the refused insert")
    }

    /// Deleting an empty repository removes it and frees its name; deleting an unknown
    /// or already deleted one is refused with `notFound`.
    static func repositoriesDelete(_ t: CheckContext) async throws {
        let store = t.store
        let alpha = Fixture.repository(1, name: "alpha")
        let beta = Fixture.repository(2, name: "beta")
        try await t.must("insertRepository(alpha)") { try await store.insertRepository(alpha) }
        try await t.must("insertRepository(beta)") { try await store.insertRepository(beta) }
        try await t.must("deleteRepository(alpha)") { try await store.deleteRepository(alpha.id, includingPipelines: false, orphaning: Fixture.orphaning) }
        t.expectEqual(try await store.repository(alpha.id), nil, "repository(alpha) after deleteRepository")
        t.expectEqual(try await store.repositories(), [beta], "repositories() after deleteRepository(alpha)")
        await t.expectRefusal("deleteRepository(alpha) again", .notFound(id: alpha.id.rawValue)) {
            try await store.deleteRepository(alpha.id, includingPipelines: true, orphaning: Fixture.orphaning)
        }
        let unknown = Fixture.repositoryID(99)
        await t.expectRefusal("deleteRepository(unknown id)", .notFound(id: unknown.rawValue)) {
            try await store.deleteRepository(unknown, includingPipelines: false, orphaning: Fixture.orphaning)
        }
        let reborn = Fixture.repository(3, name: "alpha")
        try await t.must("insertRepository(a new alpha after the deletion)") { try await store.insertRepository(reborn) }
        t.expectEqual(try await store.repositories(), [reborn, beta], "repositories() after re-using the name")
    }

    /// A repository holding pipelines is refused deletion with `repositoryNotEmpty`
    /// (nothing changes: no model orphaned, no deployment touched); with
    /// `includingPipelines` it goes with its pipelines — configured or not, with or
    /// without models — each deleted as `deletePipeline` does: configurations, runs and
    /// triggers gone, every model replaced by exactly what the orphaning closure returns
    /// for it and its pipeline, an undeploy record (stamped by the store clock) appended
    /// only where a model was deployed. Another repository and its models are untouched.
    static func repositoriesDeleteWithPipelines(_ t: CheckContext) async throws {
        let store = t.store
        let full = Fixture.repository(1, name: "full")
        let other = Fixture.repository(2, name: "other")
        let churn = try await addPipeline(t, number: 1, name: "churn", repository: full)
        let fraud = try await addPipeline(t, number: 2, name: "fraud", repository: full, configured: false)
        let idle = try await addPipeline(t, number: 3, name: "idle", repository: full, configured: false)
        let kept = try await addPipeline(t, number: 4, name: "kept", repository: other)
        let churnModel = Fixture.model(1, of: churn)
        let fraudModels = [Fixture.model(2, of: fraud), Fixture.model(3, of: fraud, status: .saved)]
        let keptModel = Fixture.model(4, of: kept)
        for (number, model) in zip(1..., [churnModel] + fraudModels + [keptModel]) {
            try await addModel(t, model, artifact: Fixture.artifact(number))
        }
        let run = Fixture.runningRun(1, of: churn.id, startedAt: Fixture.date(600))
        let trigger = Fixture.intervalTrigger(1, of: churn.id, createdAt: Fixture.date(700))
        try await t.must("insertRun(churn)") { try await store.insertRun(run) }
        try await t.must("insertTrigger(churn)") { try await store.insertTrigger(trigger) }
        let churnDeployed = try await deploy(t, churnModel.id, in: .pipeline(churn.id), expecting: .current(nil), "churn's model")
        let fraudDeployed = try await deploy(t, fraudModels[0].id, in: .pipeline(fraud.id), expecting: .current(nil), "fraud's model")
        let fraudUndeployed = try await deploy(t, nil, in: .pipeline(fraud.id), expecting: .anyModel, "nil in fraud")
        let keptDeployed = try await deploy(t, keptModel.id, in: .pipeline(kept.id), expecting: .current(nil), "kept's model")

        await t.expectRefusal("deleteRepository(full, includingPipelines: false)", .repositoryNotEmpty(pipelines: 3)) {
            try await store.deleteRepository(full.id, includingPipelines: false, orphaning: Fixture.orphaning)
        }
        t.expectEqual(try await store.repository(full.id), full, "repository(full) after the refused deletion")
        t.expectEqual(try await store.pipelines(in: full.id), [churn, fraud, idle], "pipelines(in: full) after the refused deletion")
        t.expectEqual(try await store.configurations(of: churn.id).count, 1, "configurations(of: churn) count after the refused deletion")
        for model in [churnModel] + fraudModels {
            t.expectEqual(try await store.model(model.id), model, "model(\(model.id)) after the refused deletion (not orphaned)")
        }
        t.expectEqual(try await store.deploymentHistory(in: .pipeline(churn.id)), [churnDeployed],
                      "deploymentHistory(in: churn) after the refused deletion")

        t.clock.advance(by: 7.000_25)
        try await t.must("deleteRepository(full, includingPipelines: true)") {
            try await store.deleteRepository(full.id, includingPipelines: true, orphaning: Fixture.orphaning)
        }
        t.expectEqual(try await store.repository(full.id), nil, "repository(full) after deleting it with its pipelines")
        t.expectEqual(try await store.repositories(), [other], "repositories() after deleting full")
        for pipeline in [churn, fraud, idle] {
            t.expectEqual(try await store.pipeline(pipeline.id), nil, "pipeline(\(pipeline.name)) after deleting its repository")
            t.expectEqual(try await store.configurations(of: pipeline.id), [],
                          "configurations(of: \(pipeline.name)) after deleting its repository")
        }
        t.expectEqual(try await store.pipelines(in: nil), [kept], "pipelines(in: nil) after deleting full")
        t.expectEqual(try await store.runs(of: churn.id), [], "runs(of: churn) after deleting its repository")
        t.expectEqual(try await store.triggers(of: nil), [], "triggers(of: nil) after deleting churn's repository")
        for (pipeline, model, number) in [(churn, churnModel, 1), (fraud, fraudModels[0], 2), (fraud, fraudModels[1], 3)] {
            t.expectEqual(try await store.model(model.id), Fixture.orphaning(model, pipeline),
                          "model(\(model.id)) of \(pipeline.name) after deleting its repository: exactly what the orphaning "
                            + "closure returned for it and its pipeline")
            t.expectEqual(try await store.artifact(of: model.id), Fixture.artifact(number), "artifact(of: orphaned model \(model.id))")
        }
        t.expectEqual(try await store.model(keptModel.id), keptModel, "model(kept's model) after deleting another repository")
        t.expectEqual(try await store.deploymentHistory(in: .pipeline(churn.id)), [
            churnDeployed,
            DeploymentRecord(scope: .pipeline(churn.id), modelID: nil, previousModelID: churnModel.id, deployedAt: t.clock.now),
        ], "deploymentHistory(in: churn) after deleting its repository: an undeploy record replacing the deployed model")
        t.expectEqual(try await store.deploymentHistory(in: .pipeline(fraud.id)), [fraudDeployed, fraudUndeployed],
                      "deploymentHistory(in: fraud), undeployed before its repository was deleted: nothing appended")
        t.expectEqual(try await store.deploymentHistory(in: .pipeline(idle.id)), [],
                      "deploymentHistory(in: idle), never deployed: nothing appended")
        t.expectEqual(try await store.deploymentHistory(in: .pipeline(kept.id)), [keptDeployed], "deploymentHistory(in: kept)")
    }

    /// Inserting a pipeline into an unknown repository is refused with `notFound` naming
    /// the repository, and stores nothing.
    static func pipelinesRequireRepository(_ t: CheckContext) async throws {
        let store = t.store
        let missing = Fixture.repositoryID(99)
        let pipeline = Fixture.pipeline(1, in: missing, name: "stray")
        await t.expectRefusal("insertPipeline(into an unknown repository)", .notFound(id: missing.rawValue)) {
            try await store.insertPipeline(pipeline)
        }
        t.expectEqual(try await store.pipeline(pipeline.id), nil, "pipeline(refused pipeline)")
        t.expectEqual(try await store.pipelines(in: nil), [], "pipelines(in: nil) after the refused insert")
        t.expectEqual(try await store.configurations(of: pipeline.id), [], "configurations(of: refused pipeline)")
    }

    /// A pipeline name is unique within its repository (`duplicateName`, nothing stored)
    /// but may be used in another repository.
    static func pipelinesNameUniqueWithinRepository(_ t: CheckContext) async throws {
        let store = t.store
        let first = Fixture.repository(1, name: "first")
        let second = Fixture.repository(2, name: "second")
        try await t.must("insertRepository(first)") { try await store.insertRepository(first) }
        try await t.must("insertRepository(second)") { try await store.insertRepository(second) }
        let churn = Fixture.pipeline(1, in: first.id, name: "churn")
        let twin = Fixture.pipeline(2, in: first.id, name: "churn")
        let elsewhere = Fixture.pipeline(3, in: second.id, name: "churn")
        try await t.must("insertPipeline(churn)") {
            try await store.insertPipeline(churn)
        }
        await t.expectRefusal("insertPipeline(another churn in the same repository)", .duplicateName(name: "churn")) {
            try await store.insertPipeline(twin)
        }
        t.expectEqual(try await store.pipeline(twin.id), nil, "pipeline(refused twin)")
        t.expectEqual(try await store.configurations(of: twin.id), [], "configurations(of: refused twin)")
        try await t.must("insertPipeline(churn in another repository)") {
            try await store.insertPipeline(elsewhere)
        }
        t.expectEqual(try await store.pipelines(in: first.id), [churn], "pipelines(in: first)")
        t.expectEqual(try await store.pipelines(in: second.id), [elsewhere], "pipelines(in: second)")
    }

    /// `renamePipeline` returns and stores the renamed record (name and `updatedAt`
    /// changed, nothing else); a name taken in the same repository is refused with
    /// `duplicateName`, one used in another repository is allowed; an unknown pipeline is
    /// refused with `notFound`.
    static func pipelinesRename(_ t: CheckContext) async throws {
        let store = t.store
        let first = Fixture.repository(1, name: "first")
        let second = Fixture.repository(2, name: "second")
        try await t.must("insertRepository(first)") { try await store.insertRepository(first) }
        try await t.must("insertRepository(second)") { try await store.insertRepository(second) }
        let churn = Fixture.pipeline(1, in: first.id, name: "churn")
        let fraud = Fixture.pipeline(2, in: first.id, name: "fraud")
        let retention = Fixture.pipeline(3, in: second.id, name: "retention")
        for pipeline in [churn, fraud, retention] {
            try await t.must("insertPipeline(\(pipeline.name))") {
                try await store.insertPipeline(pipeline)
            }
        }
        var expected = churn
        expected.name = "attrition"
        expected.updatedAt = Fixture.date(150.75)
        let returned = try await t.must("renamePipeline(churn → attrition)") {
            try await store.renamePipeline(churn.id, to: "attrition", at: Fixture.date(150.75))
        }
        t.expectEqual(returned, expected, "record returned by renamePipeline")
        t.expectEqual(try await store.pipeline(churn.id), expected, "pipeline(churn) after renamePipeline")

        await t.expectRefusal("renamePipeline(fraud → attrition, same repository)", .duplicateName(name: "attrition")) {
            try await store.renamePipeline(fraud.id, to: "attrition", at: Fixture.date(151))
        }
        t.expectEqual(try await store.pipeline(fraud.id), fraud, "pipeline(fraud) after the refused rename")

        expected.name = "retention"
        expected.updatedAt = Fixture.date(152)
        let moved = try await t.must("renamePipeline(attrition → retention, a name used in another repository)") {
            try await store.renamePipeline(churn.id, to: "retention", at: Fixture.date(152))
        }
        t.expectEqual(moved, expected, "record returned by the second renamePipeline")
        let unknown = Fixture.pipelineID(99)
        await t.expectRefusal("renamePipeline(unknown id)", .notFound(id: unknown.rawValue)) {
            try await store.renamePipeline(unknown, to: "ghost", at: Fixture.date(153))
        }
        t.expectEqual(try await store.pipelines(in: nil).map(\.name), ["fraud", "retention", "retention"],
                      "pipelines(in: nil) names after the renames")
    }

    /// `pipelines(in:)` lists one repository's pipelines, or all of them with nil, sorted
    /// by name; records of pipelines never configured read back equal, at configuration
    /// version 0.
    static func pipelinesListing(_ t: CheckContext) async throws {
        let store = t.store
        let first = Fixture.repository(1, name: "first")
        let second = Fixture.repository(2, name: "second")
        try await t.must("insertRepository(first)") { try await store.insertRepository(first) }
        try await t.must("insertRepository(second)") { try await store.insertRepository(second) }
        let zeta = Fixture.pipeline(1, in: first.id, name: "zeta")
        let middle = Fixture.pipeline(2, in: second.id, name: "middle")
        let alpha = Fixture.pipeline(3, in: first.id, name: "alpha")
        for pipeline in [zeta, middle, alpha] {
            try await t.must("insertPipeline(\(pipeline.name))") {
                try await store.insertPipeline(pipeline)
            }
        }
        t.expectEqual(try await store.pipeline(zeta.id), zeta, "pipeline(zeta)")
        t.expectEqual(try await store.pipeline(zeta.id)?.configurationVersion, 0, "pipeline(zeta).configurationVersion")
        t.expectEqual(try await store.pipeline(Fixture.pipelineID(99)), nil, "pipeline(unknown id)")
        t.expectEqual(try await store.pipelines(in: first.id).map(\.name), ["alpha", "zeta"], "pipelines(in: first) names")
        t.expectEqual(try await store.pipelines(in: first.id), [alpha, zeta], "pipelines(in: first) records")
        t.expectEqual(try await store.pipelines(in: second.id), [middle], "pipelines(in: second)")
        t.expectEqual(try await store.pipelines(in: nil).map(\.name), ["alpha", "middle", "zeta"], "pipelines(in: nil) names")
        t.expectEqual(try await store.pipelines(in: Fixture.repositoryID(99)), [], "pipelines(in: unknown repository)")
    }
}
