import Foundation
import Pipelines

// Model totals as models come and go (a store may keep them rather than count).
extension StorageConformance {
    /// `countModels` and `modelPage`'s total stay equal to the number of models listed —
    /// for the whole registry, each pipeline, each repository, standalone models and a
    /// status — after inserts, an update, a deleted model, a pipeline deleted with its
    /// models orphaned, and a repository deleted with its pipelines (a store that keeps
    /// totals instead of counting must move them with every change).
    static func modelsTotalsFollowChanges(_ t: CheckContext) async throws {
        let store = t.store
        let first = Fixture.repository(1, name: "first")
        let second = Fixture.repository(2, name: "second")
        let churn = try await addPipeline(t, number: 1, name: "churn", repository: first)
        let fraud = try await addPipeline(t, number: 2, name: "fraud", repository: first)
        let other = try await addPipeline(t, number: 3, name: "other", repository: second)
        let models = [
            Fixture.model(1, of: churn), Fixture.model(2, of: churn), Fixture.model(3, of: churn),
            Fixture.model(4, of: fraud), Fixture.model(5, of: fraud, status: .saved),
            Fixture.model(6, of: other), Fixture.model(7, of: other),
            Fixture.importedModel(8), Fixture.importedModel(9),
        ]
        for model in models { try await addModel(t, model, artifact: Fixture.artifact(model.version)) }

        let filters: [(String, ModelFilter)] = [
            ("all", ModelFilter()), ("pipeline churn", ModelFilter(pipelineID: churn.id)),
            ("pipeline fraud", ModelFilter(pipelineID: fraud.id)), ("pipeline other", ModelFilter(pipelineID: other.id)),
            ("repository first", ModelFilter(repositoryID: first.id)), ("repository second", ModelFilter(repositoryID: second.id)),
            ("standalone", ModelFilter(standalone: true)), ("statuses [saved]", ModelFilter(statuses: [.saved])),
        ]
        /// Every filter's count and page total against its listing; `all` against `expected`.
        func expectTotals(after step: String, all expected: Int) async throws {
            for (name, filter) in filters {
                let listed = try await t.must("models(matching: \(name)) after \(step)") { try await store.models(matching: filter) }
                let counted = try await t.must("countModels(matching: \(name)) after \(step)") { try await store.countModels(matching: filter) }
                t.expectEqual(counted, listed.count, "countModels(matching: \(name)) after \(step)")
                let page = try await t.must("modelPage(matching: \(name)) after \(step)") {
                    try await store.modelPage(matching: filter, offset: 0, limit: 2)
                }
                t.expectEqual(page.total, listed.count, "modelPage(matching: \(name)).total after \(step)")
                t.expectEqual(page.models.map(\.id), listed.prefix(2).map(\.id), "modelPage(matching: \(name)) after \(step)")
            }
            let all = try await t.must("countModels() after \(step)") { try await store.countModels(matching: ModelFilter()) }
            t.expectEqual(all, expected, "countModels() after \(step)")
        }
        try await expectTotals(after: "9 inserts", all: 9)
        t.expectEqual(try await t.must("countModels(pipeline churn)") { try await store.countModels(matching: ModelFilter(pipelineID: churn.id)) },
                      3, "countModels(pipeline churn) after the inserts")

        var scored = models[3]
        scored.status = .saved
        try await t.must("updateModel(4)") { try await store.updateModel(scored, removingArtifact: false) }
        try await expectTotals(after: "a status change", all: 9)
        try await t.must("deleteModel(1)") { try await store.deleteModel(models[0].id) }
        try await expectTotals(after: "deleting a churn model", all: 8)
        try await t.must("deletePipeline(fraud)") { try await store.deletePipeline(fraud.id, orphaning: Fixture.orphaning) }
        try await expectTotals(after: "deleting pipeline fraud (its models orphaned)", all: 8)
        try await t.must("deleteModel(4), orphaned") { try await store.deleteModel(models[3].id) }
        try await expectTotals(after: "deleting an orphaned model", all: 7)
        try await t.must("deleteRepository(second, with its pipelines)") {
            try await store.deleteRepository(second.id, includingPipelines: true, orphaning: Fixture.orphaning)
        }
        try await expectTotals(after: "deleting repository second with its pipelines", all: 7)
        try await t.must("deleteModel(8), imported") { try await store.deleteModel(models[7].id) }
        try await expectTotals(after: "deleting an imported model", all: 6)
    }
}
