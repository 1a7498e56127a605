import Foundation
import Pipelines

// Restoring a deployment history (`restoreDeploymentHistory`): what moves a store's
// histories into another with their own dates.
extension StorageConformance {
    /// A restored history reads back exactly — its own dates (not the store clock's, to the
    /// sub-millisecond) and previous models, oldest first — and the scope points at the last
    /// record's model: `deployment(in:)` is that record, the model counts as deployed (it
    /// cannot be erased), and the next swap replaces it, stamped with the store's clock. Only
    /// the last model must exist: an earlier record may name a model erased since, and a
    /// history ending undeployed needs no pipeline (a deleted pipeline's). Standalone lines
    /// are restored alike, each scope on its own; no records change nothing.
    static func deploymentRestoredHistory(_ t: CheckContext) async throws {
        let store = t.store
        let churn = try await addPipeline(t, number: 1, name: "churn")
        let (m1, m2, erased) = (Fixture.modelID(1), Fixture.modelID(2), Fixture.modelID(9))
        try await addModel(t, Fixture.model(1, of: churn), artifact: Fixture.artifact(1))
        try await addModel(t, Fixture.model(2, of: churn), artifact: Fixture.artifact(2))
        try await addModel(t, Fixture.importedModel(4), artifact: Fixture.artifact(4))
        try await addModel(t, Fixture.importedModel(5, line: 4, version: 2), artifact: Fixture.artifact(5))

        let scope = DeploymentScope.pipeline(churn.id)
        let history = chain([erased, m1, nil, m2, m1], in: scope, from: Fixture.date(600.000_25))
        try await t.must("restoreDeploymentHistory(5 records, in: churn)") { try await store.restoreDeploymentHistory(history, in: scope) }
        t.expectEqual(try await store.deploymentHistory(in: scope), history, "deploymentHistory(in: churn) after the restore, own dates")
        t.expectEqual(try await store.deployment(in: scope), history.last, "deployment(in: churn): the last restored record")
        t.expectEqual(try await store.models(matching: .deployedOnly).map(\.id), [m1], "models(.deployedOnly) after the restore")
        await t.expectRefusal("deleteModel(model 1), deployed by the restore", .modelDeployed(m1)) { try await store.deleteModel(m1) }
        let next = try await deploy(t, m2, in: scope, expecting: .current(m1), "to: model 2, expecting: .current(model 1) after the restore")
        t.expectEqual(next, DeploymentRecord(scope: scope, modelID: m2, previousModelID: m1, deployedAt: t.clock.now),
                      "the swap after the restore (stamped with the store's clock)")
        t.expectEqual(try await store.deploymentHistory(in: scope), history + [next], "deploymentHistory(in: churn) after the swap")

        let line = DeploymentScope.standalone(Fixture.modelID(4))
        let lineHistory = chain([Fixture.modelID(5), Fixture.modelID(4)], in: line, from: Fixture.date(700.5))
        try await t.must("restoreDeploymentHistory(2 records, in: .standalone(4))") {
            try await store.restoreDeploymentHistory(lineHistory, in: line)
        }
        t.expectEqual(try await store.deploymentHistory(in: line), lineHistory, "deploymentHistory(in: .standalone(4))")
        t.expectEqual(try await store.deployment(in: line)?.modelID, Fixture.modelID(4), "deployment(in: .standalone(4))")

        let deleted = DeploymentScope.pipeline(Fixture.pipelineID(7))
        let deletedHistory = chain([erased, nil], in: deleted, from: Fixture.date(800))
        try await t.must("restoreDeploymentHistory(in: a deleted pipeline's scope, ending undeployed)") {
            try await store.restoreDeploymentHistory(deletedHistory, in: deleted)
        }
        t.expectEqual(try await store.deploymentHistory(in: deleted), deletedHistory, "deploymentHistory(in: the deleted pipeline)")
        t.expectEqual(try await store.deploymentHistory(in: scope), history + [next], "deploymentHistory(in: churn) after the others")

        try await t.must("restoreDeploymentHistory([], in: churn), which has a history") {
            try await store.restoreDeploymentHistory([], in: scope)
        }
        t.expectEqual(try await store.deploymentHistory(in: scope), history + [next], "deploymentHistory(in: churn) after restoring nothing")
    }

    /// Records that do not chain are refused with `invalidDeploymentHistory` naming the
    /// first bad record (a first record replacing a model, a record replacing another model
    /// than the one deployed before it, one deploying the model deployed already, one of
    /// another scope); a scope with a history with `deploymentHistoryExists`; a last model
    /// that does not exist or has no artifact with `notDeployable`; a pipeline scope whose
    /// pipeline does not exist, when the last record deploys a model, with `notFound`.
    /// Every refusal writes nothing.
    static func deploymentRestoreRefusals(_ t: CheckContext) async throws {
        let store = t.store
        let churn = try await addPipeline(t, number: 1, name: "churn")
        let fraud = try await addPipeline(t, number: 2, name: "fraud")
        let (m1, m2, rejected) = (Fixture.modelID(1), Fixture.modelID(2), Fixture.modelID(3))
        try await addModel(t, Fixture.model(1, of: churn), artifact: Fixture.artifact(1))
        try await addModel(t, Fixture.model(2, of: churn), artifact: Fixture.artifact(2))
        try await addModel(t, Fixture.model(3, of: churn, status: .rejected), artifact: nil)
        let scope = DeploymentScope.pipeline(churn.id)
        let start = Fixture.date(600)
        var replacesFirst = chain([m1, m2], in: scope, from: start)
        replacesFirst[0].previousModelID = m2
        var skips = chain([m1, m2, nil], in: scope, from: start)
        skips[2].previousModelID = m1
        var otherScope = chain([m1, m2], in: scope, from: start)
        otherScope[1].scope = .pipeline(fraud.id)
        var unchanged = chain([m1, m2], in: scope, from: start)
        unchanged[1] = DeploymentRecord(scope: scope, modelID: m1, previousModelID: m1, deployedAt: start)
        let invalid: [(String, [DeploymentRecord], Int)] = [
            ("a first record replacing model 2", replacesFirst, 0), ("a record replacing model 1 after model 2", skips, 2),
            ("a record of fraud", otherScope, 1), ("a record deploying model 1 again", unchanged, 1),
        ]
        for (label, records, index) in invalid {
            await t.expectRefusal("restoreDeploymentHistory(\(label), in: churn)", .invalidDeploymentHistory(scope: scope, index: index)) {
                try await store.restoreDeploymentHistory(records, in: scope)
            }
        }
        let missing = [(chain([Fixture.modelID(8)], in: scope, from: start), Fixture.modelID(8), "an unknown model"),
                       (chain([m1, rejected], in: scope, from: start), rejected, "a model without artifact")]
        for (records, model, label) in missing {
            await t.expectRefusal("restoreDeploymentHistory(ending with \(label), in: churn)", .notDeployable(model: model)) {
                try await store.restoreDeploymentHistory(records, in: scope)
            }
        }
        let unknown = DeploymentScope.pipeline(Fixture.pipelineID(7))
        await t.expectRefusal("restoreDeploymentHistory(deploying model 1, in: an unknown pipeline)",
                              .notFound(id: Fixture.pipelineID(7).rawValue)) {
            try await store.restoreDeploymentHistory(chain([m1], in: unknown, from: start), in: unknown)
        }
        for refused in [scope, unknown] {
            t.expectEqual(try await store.deploymentHistory(in: refused), [], "deploymentHistory(in: \(Difference.render(refused))) after the refusals")
            t.expectEqual(try await store.deployment(in: refused), nil, "deployment(in: \(Difference.render(refused))) after the refusals")
        }

        let deployed = try await deploy(t, m1, in: scope, expecting: .current(nil), "to: model 1, expecting: .current(nil)")
        await t.expectRefusal("restoreDeploymentHistory(in: churn, which has a history)", .deploymentHistoryExists(scope: scope, records: 1)) {
            try await store.restoreDeploymentHistory(chain([m2], in: scope, from: start), in: scope)
        }
        t.expectEqual(try await store.deploymentHistory(in: scope), [deployed], "deploymentHistory(in: churn) after the refused restore")
    }

    /// Records deploying `models` one after the other in `scope`, each replacing the one
    /// before, 1.5 s apart from `start`.
    static func chain(_ models: [ModelID?], in scope: DeploymentScope, from start: Date) -> [DeploymentRecord] {
        var records: [DeploymentRecord] = []
        for (index, model) in models.enumerated() {
            records.append(DeploymentRecord(scope: scope, modelID: model, previousModelID: records.last?.modelID,
                                            deployedAt: start.addingTimeInterval(1.5 * Double(index))))
        }
        return records
    }
}
