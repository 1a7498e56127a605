import Foundation
import Pipelines

// Models and their artifacts.
extension StorageConformance {
    /// Inserts a model with its artifact (nil: none).
    static func addModel(_ t: CheckContext, _ model: ModelRecord, artifact: Data?) async throws {
        let store = t.store
        try await t.must("insertModel(\(model.id))") { try await store.insertModel(model, artifact: artifact) }
    }

    /// Models read back exactly as inserted — every hyper-parameter type (`.double(1.0)`
    /// stays a double), testing scores in their order (not sorted by name), schema classes,
    /// lineage, dates to the sub-millisecond, each origin (pipeline, imported, orphaned with
    /// and without its former pipeline's id) — with their artifact bytes; a model without
    /// artifact has none; unknown ids read nil.
    static func modelsRoundTrip(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let full = Fixture.model(1, of: pipeline)
        let imported = Fixture.importedModel(2)
        var orphaned = Fixture.model(3, of: pipeline, status: .saved)
        orphaned.origin = .orphaned(formerPipeline: Fixture.pipelineID(98), name: "gone — «ancien»")
        orphaned.repositoryID = nil
        orphaned.lineID = orphaned.id
        var legacy = Fixture.model(4, of: pipeline)
        legacy.origin = .orphaned(formerPipeline: nil, name: "before ids were kept")
        legacy.repositoryID = nil
        legacy.lineID = legacy.id
        legacy.testingScores = [ScoreValue(name: "rmse", value: 2.5), ScoreValue(name: "r2", value: 0.75),
                                ScoreValue(name: "mae", value: 1.0)]
        try await addModel(t, full, artifact: Fixture.artifact(1))
        try await addModel(t, imported, artifact: nil)
        try await addModel(t, orphaned, artifact: Fixture.artifact(3))
        try await addModel(t, legacy, artifact: Fixture.artifact(4))

        t.expectEqual(try await store.model(full.id), full, "model(pipeline model with every field set)")
        t.expectEqual(try await store.model(full.id)?.hyperParameters["min_impurity_decrease"], .double(1.0),
                      "hyper-parameter .double(1.0) after the round trip")
        t.expectEqual(try await store.artifact(of: full.id), Fixture.artifact(1), "artifact(of: pipeline model)")
        t.expectEqual(try await store.model(imported.id), imported, "model(imported model with every optional nil)")
        t.expectEqual(try await store.artifact(of: imported.id), nil, "artifact(of: model inserted without artifact)")
        t.expectEqual(try await store.model(full.id)?.testingScores.map(\.name), Fixture.testingScores.map(\.name),
                      "testing score names after the round trip, in their order")
        t.expectEqual(try await store.model(orphaned.id), orphaned, "model(orphaned model)")
        t.expectEqual(try await store.model(legacy.id), legacy, "model(orphaned model without its former pipeline's id)")
        t.expectEqual(try await store.artifact(of: orphaned.id), Fixture.artifact(3), "artifact(of: orphaned model)")
        t.expectEqual(try await store.model(Fixture.modelID(99)), nil, "model(unknown id)")
        t.expectEqual(try await store.artifact(of: Fixture.modelID(99)), nil, "artifact(of: unknown id)")
    }

    /// A pipeline model of an unknown pipeline is refused with `notFound` naming the
    /// pipeline, and nothing is stored.
    static func modelsRequirePipeline(_ t: CheckContext) async throws {
        let store = t.store
        let repository = Fixture.repository(1, name: "first")
        try await t.must("insertRepository(first)") { try await store.insertRepository(repository) }
        let ghost = Fixture.pipeline(99, in: repository.id, name: "ghost")
        let model = Fixture.model(1, of: ghost)
        await t.expectRefusal("insertModel(of an unknown pipeline)", .notFound(id: ghost.id.rawValue)) {
            try await store.insertModel(model, artifact: Fixture.artifact(1))
        }
        t.expectEqual(try await store.model(model.id), nil, "model(refused model)")
        t.expectEqual(try await store.artifact(of: model.id), nil, "artifact(of: refused model)")
        t.expectEqual(try await store.models(matching: ModelFilter()), [], "models(matching: all) after the refused insert")
    }

    /// `models(matching:)` filters by pipeline, repository and statuses (combined with
    /// "and"; an empty status set matches nothing) and orders oldest first, ties by
    /// identifier, whatever the insertion order.
    static func modelsFilterAndOrder(_ t: CheckContext) async throws {
        let store = t.store
        let first = Fixture.repository(1, name: "first")
        let second = Fixture.repository(2, name: "second")
        let p1 = try await addPipeline(t, number: 1, name: "p1", repository: first)
        let p2 = try await addPipeline(t, number: 2, name: "p2", repository: first)
        let p3 = try await addPipeline(t, number: 3, name: "p3", repository: second)
        let models: [String: ModelRecord] = [
            "a": Fixture.model(1, of: p1, status: .saved, createdAt: Fixture.date(30)),
            "b": Fixture.model(2, of: p1, status: .tested, createdAt: Fixture.date(10)),
            "c": Fixture.model(3, of: p2, status: .rejected, createdAt: Fixture.date(20)),
            "d": Fixture.model(4, of: p3, status: .tested, createdAt: Fixture.date(20)),
            "e": Fixture.importedModel(5, createdAt: Fixture.date(5)),
            "f": Fixture.model(6, of: p1, status: .tested, createdAt: Fixture.date(10)),
        ]
        for label in ["f", "e", "d", "c", "b", "a"] {
            try await addModel(t, models[label]!, artifact: Fixture.artifact(label.count))
        }
        let labels = Dictionary(uniqueKeysWithValues: models.map { ($0.value.id, $0.key) })
        let cases: [(String, ModelFilter, [String])] = [
            ("all", ModelFilter(), ["e", "b", "f", "c", "d", "a"]),
            ("pipeline p1", ModelFilter(pipelineID: p1.id), ["b", "f", "a"]),
            ("repository first", ModelFilter(repositoryID: first.id), ["b", "f", "c", "a"]),
            ("repository second", ModelFilter(repositoryID: second.id), ["d"]),
            ("statuses [tested]", ModelFilter(statuses: [.tested]), ["e", "b", "f", "d"]),
            ("statuses [saved, rejected]", ModelFilter(statuses: [.saved, .rejected]), ["c", "a"]),
            ("pipeline p1, statuses [tested]", ModelFilter(pipelineID: p1.id, statuses: [.tested]), ["b", "f"]),
            ("repository first, statuses [rejected]", ModelFilter(repositoryID: first.id, statuses: [.rejected]), ["c"]),
            ("statuses []", ModelFilter(statuses: []), []),
            ("unknown pipeline", ModelFilter(pipelineID: Fixture.pipelineID(99)), []),
        ]
        for (name, filter, expected) in cases {
            let found = try await t.must("models(matching: \(name))") { try await store.models(matching: filter) }
            t.expectEqual(found.map { labels[$0.id] ?? $0.id.rawValue }, expected,
                          "models(matching: \(name)) (models a…f, oldest first, ties by id)")
        }
        let all = try await store.models(matching: ModelFilter())
        t.expectEqual(all, ["e", "b", "f", "c", "d", "a"].map { models[$0]! }, "models(matching: all) records")
    }

    /// `updateModel` replaces the metadata and keeps the artifact; with
    /// `removingArtifact` it removes the artifact and keeps the (rejected) model; an
    /// unknown model is refused with `notFound` and not created.
    static func modelsUpdate(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let saved = Fixture.model(1, of: pipeline, status: .saved)
        try await addModel(t, saved, artifact: Fixture.artifact(1))

        var tested = saved
        tested.status = .tested
        tested.testingScores = [ScoreValue(name: "f1", value: 0.9), ScoreValue(name: "accuracy", value: 0.93)]
        tested.testedAt = Fixture.date(800.000_2)
        tested.meanPredictionSeconds = nil
        try await t.must("updateModel(tested, removingArtifact: false)") { try await store.updateModel(tested, removingArtifact: false) }
        t.expectEqual(try await store.model(saved.id), tested, "model after updateModel")
        t.expectEqual(try await store.artifact(of: saved.id), Fixture.artifact(1), "artifact after updateModel(removingArtifact: false)")

        var rejected = tested
        rejected.status = .rejected
        try await t.must("updateModel(rejected, removingArtifact: true)") {
            try await store.updateModel(rejected, removingArtifact: true)
        }
        t.expectEqual(try await store.model(saved.id), rejected, "model after updateModel(removingArtifact: true)")
        t.expectEqual(try await store.artifact(of: saved.id), nil, "artifact after updateModel(removingArtifact: true)")
        t.expectEqual(try await store.models(matching: ModelFilter(statuses: [.rejected])), [rejected],
                      "models(matching: rejected): a rejected model is kept for the record")

        let ghost = Fixture.model(99, of: pipeline)
        await t.expectRefusal("updateModel(unknown id)", .notFound(id: ghost.id.rawValue)) {
            try await store.updateModel(ghost, removingArtifact: false)
        }
        t.expectEqual(try await store.model(ghost.id), nil, "model(unknown id) after the refused update")
    }

    /// `deleteModel` erases a model and its artifact (others untouched); deleting it
    /// again or an unknown id is refused with `notFound`.
    static func modelsDelete(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let doomed = Fixture.model(1, of: pipeline)
        let kept = Fixture.model(2, of: pipeline)
        let imported = Fixture.importedModel(3)
        try await addModel(t, doomed, artifact: Fixture.artifact(1))
        try await addModel(t, kept, artifact: Fixture.artifact(2))
        try await addModel(t, imported, artifact: Fixture.artifact(3))
        try await t.must("deleteModel(model 1)") { try await store.deleteModel(doomed.id) }
        try await t.must("deleteModel(imported model)") { try await store.deleteModel(imported.id) }
        t.expectEqual(try await store.model(doomed.id), nil, "model(deleted model)")
        t.expectEqual(try await store.artifact(of: doomed.id), nil, "artifact(of: deleted model)")
        t.expectEqual(try await store.model(imported.id), nil, "model(deleted imported model)")
        t.expectEqual(try await store.models(matching: ModelFilter()), [kept], "models(matching: all) after the deletions")
        t.expectEqual(try await store.artifact(of: kept.id), Fixture.artifact(2), "artifact(of: the model kept)")
        await t.expectRefusal("deleteModel(model 1) again", .notFound(id: doomed.id.rawValue)) {
            try await store.deleteModel(doomed.id)
        }
        await t.expectRefusal("deleteModel(unknown id)", .notFound(id: Fixture.modelID(99).rawValue)) {
            try await store.deleteModel(Fixture.modelID(99))
        }
    }

    /// While deployed (in a pipeline or a standalone scope), a model can be updated but
    /// neither deleted nor stripped of its artifact (`modelDeployed`, nothing changes);
    /// once another model replaces it, or after an undeploy, it can.
    static func modelsDeployedProtected(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let scope = DeploymentScope.pipeline(pipeline.id)
        let first = Fixture.model(1, of: pipeline)
        let second = Fixture.model(2, of: pipeline)
        try await addModel(t, first, artifact: Fixture.artifact(1))
        try await addModel(t, second, artifact: Fixture.artifact(2))
        try await deploy(t, first.id, in: scope, expecting: .current(nil), "to: model 1, expecting: .current(nil)")

        await t.expectRefusal("deleteModel(deployed model 1)", .modelDeployed(first.id)) { try await store.deleteModel(first.id) }
        var stripped = first
        stripped.status = .rejected
        await t.expectRefusal("updateModel(deployed model 1, removingArtifact: true)", .modelDeployed(first.id)) {
            try await store.updateModel(stripped, removingArtifact: true)
        }
        t.expectEqual(try await store.model(first.id), first, "model(deployed model 1) after the refusals")
        t.expectEqual(try await store.artifact(of: first.id), Fixture.artifact(1), "artifact(of: deployed model 1) after the refusals")
        var retested = first
        retested.testingScores[0] = ScoreValue(name: "accuracy", value: 0.95)
        try await t.must("updateModel(deployed model 1, removingArtifact: false)") {
            try await store.updateModel(retested, removingArtifact: false)
        }
        t.expectEqual(try await store.model(first.id), retested, "model(deployed model 1) after a metadata update")

        try await deploy(t, second.id, in: scope, expecting: .current(first.id), "to: model 2, expecting: .current(model 1)")
        try await t.must("updateModel(model 1 no longer deployed, removingArtifact: true)") {
            try await store.updateModel(stripped, removingArtifact: true)
        }
        try await t.must("deleteModel(model 1 no longer deployed)") { try await store.deleteModel(first.id) }
        await t.expectRefusal("deleteModel(deployed model 2)", .modelDeployed(second.id)) { try await store.deleteModel(second.id) }
        try await deploy(t, nil, in: scope, expecting: .anyModel, "to: nil, expecting: .anyModel")
        try await t.must("deleteModel(model 2 after the undeploy)") { try await store.deleteModel(second.id) }

        let imported = Fixture.importedModel(3)
        try await addModel(t, imported, artifact: Fixture.artifact(3))
        try await deploy(t, imported.id, in: .standalone(imported.id), expecting: .anyModel, "imported model, in: .standalone")
        await t.expectRefusal("deleteModel(deployed standalone model)", .modelDeployed(imported.id)) {
            try await store.deleteModel(imported.id)
        }
        t.expectEqual(try await store.model(imported.id), imported, "model(deployed standalone model) after the refusal")
    }
}
