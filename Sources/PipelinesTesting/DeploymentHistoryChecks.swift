import Foundation
import Pipelines

// Deployment histories, and standalone scopes.
extension StorageConformance {
    /// The history lists every switch oldest first, each record's `previousModelID`
    /// being the prior record's `modelID` and its `deployedAt` the store clock's time at
    /// the switch (to the sub-millisecond); scopes — pipelines and standalone lines —
    /// have separate histories.
    static func deploymentHistory(_ t: CheckContext) async throws {
        let store = t.store
        let churn = try await addPipeline(t, number: 1, name: "churn")
        let fraud = try await addPipeline(t, number: 2, name: "fraud")
        let scope = DeploymentScope.pipeline(churn.id)
        let (m1, m2) = (Fixture.modelID(1), Fixture.modelID(2))
        try await addModel(t, Fixture.model(1, of: churn), artifact: Fixture.artifact(1))
        try await addModel(t, Fixture.model(2, of: churn), artifact: Fixture.artifact(2))
        try await addModel(t, Fixture.model(3, of: fraud), artifact: Fixture.artifact(3))
        try await addModel(t, Fixture.importedModel(4), artifact: Fixture.artifact(4))
        try await addModel(t, Fixture.importedModel(5, line: 4, version: 2), artifact: Fixture.artifact(5))

        let steps: [(advance: TimeInterval, model: ModelID?, anyModel: Bool, label: String)] = [
            (0, m1, false, "model 1"), (1.25, m2, true, "model 2"), (60.5, nil, false, "nil (undeploy)"),
            (0.000_25, m1, true, "model 1 again"),
        ]
        var expected: [DeploymentRecord] = []
        for step in steps {
            t.clock.advance(by: step.advance)
            let now = t.clock.now
            let previous = expected.last?.modelID
            let expectation: DeploymentExpectation = step.anyModel ? .anyModel : .current(previous)
            let label = "to: \(step.label), expecting: \(render(expectation))"
            let record = try await deploy(t, step.model, in: scope, expecting: expectation, label)
            let wanted = DeploymentRecord(scope: scope, modelID: step.model, previousModelID: previous, deployedAt: now)
            t.expectEqual(record, wanted, "record returned by swapDeployment(\(label)) (deployedAt: the store clock's time)")
            expected.append(wanted)
        }
        let history = try await store.deploymentHistory(in: scope)
        t.expectEqual(history, expected, "deploymentHistory(in: churn), oldest first")
        for index in history.indices.dropFirst() where history[index].previousModelID != history[index - 1].modelID {
            t.fail("deploymentHistory(in: churn) record \(index): previousModelID \(Difference.render(history[index].previousModelID)) "
                + "is not the prior record's modelID \(Difference.render(history[index - 1].modelID))")
        }
        t.expectEqual(try await store.deployment(in: scope), expected.last, "deployment(in: churn): the latest record")

        t.expectEqual(try await store.deploymentHistory(in: .pipeline(fraud.id)), [], "deploymentHistory(in: fraud), never deployed")
        try await deploy(t, Fixture.modelID(3), in: .pipeline(fraud.id), expecting: .current(nil), "fraud's model")
        t.expectEqual(try await store.deploymentHistory(in: scope), expected, "deploymentHistory(in: churn) after deploying in fraud")

        let line = DeploymentScope.standalone(Fixture.modelID(4))
        let (i4, i5) = (Fixture.modelID(4), Fixture.modelID(5))
        t.clock.advance(by: 0.5)
        let first = try await deploy(t, i4, in: line, expecting: .current(nil), "imported model 4, in: .standalone(4)")
        let second = try await deploy(t, i5, in: line, expecting: .current(i4), "imported model 5, in: .standalone(4)")
        let now = t.clock.now
        t.expectEqual(try await store.deploymentHistory(in: line), [
            DeploymentRecord(scope: line, modelID: i4, previousModelID: nil, deployedAt: now),
            DeploymentRecord(scope: line, modelID: i5, previousModelID: i4, deployedAt: now),
        ], "deploymentHistory(in: .standalone(4))")
        t.expectEqual(try await store.deploymentHistory(in: line), [first, second], "records returned in .standalone(4)")
        t.expectEqual(try await store.deployment(in: .standalone(i5)), nil, "deployment(in: .standalone(5)), never used as a scope")
        t.expectEqual(try await store.deploymentHistory(in: scope), expected, "deploymentHistory(in: churn) after the standalone deploys")
    }

    /// A standalone line `.standalone(root)` is a scope like a pipeline's, needing no
    /// pipeline: it swaps its versions by compare-and-swap (a stale expectation is a
    /// `deploymentConflict` that changes nothing), undeploys, and keeps its own history,
    /// separate from other lines' and from pipeline scopes'. Once its pipeline is deleted,
    /// an orphaned model is deployed in its own line, while the deleted pipeline's scope
    /// is refused with `notFound`.
    static func deploymentStandaloneLines(_ t: CheckContext) async throws {
        let store = t.store
        let churn = try await addPipeline(t)
        let pipelineModel = Fixture.model(1, of: churn)
        let root = Fixture.importedModel(2)
        let successor = Fixture.importedModel(3, line: 2, version: 2)
        let stranger = Fixture.importedModel(4)
        for model in [pipelineModel, root, successor, stranger] {
            try await addModel(t, model, artifact: Fixture.artifact(model.version))
        }
        let line = DeploymentScope.standalone(root.id)
        let first = try await deploy(t, successor.id, in: line, expecting: .current(nil), "version 2 of line 2, in: .standalone(2)")
        let second = try await deploy(t, root.id, in: line, expecting: .current(successor.id), "root of line 2, in: .standalone(2)")
        for (label, model, stale) in [("version 2", successor.id, nil), ("nil", nil, successor.id)] as [(String, ModelID?, ModelID?)] {
            await t.expectRefusal("swapDeployment(in: .standalone(2), to: \(label), expecting: .current(\(Difference.render(stale)))) "
                                    + "while the root is deployed",
                                  .deploymentConflict(scope: line, expected: stale, found: root.id)) {
                try await store.swapDeployment(in: line, to: model, expecting: .current(stale))
            }
        }
        t.expectEqual(try await store.deploymentHistory(in: line), [first, second],
                      "deploymentHistory(in: .standalone(2)) after the conflicts")
        let own = try await deploy(t, stranger.id, in: .standalone(stranger.id), expecting: .current(nil), "model 4, in: .standalone(4)")
        let third = try await deploy(t, nil, in: line, expecting: .current(root.id), "nil, in: .standalone(2)")
        t.expectEqual(third.previousModelID, root.id, "undeploy record of .standalone(2): previousModelID")
        t.expectEqual(try await store.deploymentHistory(in: line), [first, second, third], "deploymentHistory(in: .standalone(2))")
        t.expectEqual(try await store.deploymentHistory(in: .standalone(stranger.id)), [own], "deploymentHistory(in: .standalone(4))")
        for scope in [DeploymentScope.standalone(successor.id), .standalone(pipelineModel.id), .pipeline(churn.id)] {
            t.expectEqual(try await store.deploymentHistory(in: scope), [], "deploymentHistory(in: \(Difference.render(scope)))")
        }

        let pipelineScope = DeploymentScope.pipeline(churn.id)
        let inPipeline = try await deploy(t, pipelineModel.id, in: pipelineScope, expecting: .current(nil), "model 1, in: churn")
        t.clock.advance(by: 2.000_5)
        try await t.must("deletePipeline(churn)") { try await store.deletePipeline(churn.id, orphaning: Fixture.orphaning) }
        let orphanLine = DeploymentScope.standalone(pipelineModel.id)
        let orphanDeployed = try await deploy(t, pipelineModel.id, in: orphanLine, expecting: .current(nil),
                                              "the orphaned model 1, in: .standalone(1)")
        t.expectEqual(try await store.deployment(in: orphanLine), orphanDeployed, "deployment(in: .standalone(1))")
        await t.expectRefusal("swapDeployment(in: the deleted pipeline's scope, to: nil, expecting: .anyModel)",
                              .notFound(id: churn.id.rawValue)) {
            try await store.swapDeployment(in: pipelineScope, to: nil, expecting: .anyModel)
        }
        t.expectEqual(try await store.deploymentHistory(in: pipelineScope), [
            inPipeline,
            DeploymentRecord(scope: pipelineScope, modelID: nil, previousModelID: pipelineModel.id, deployedAt: t.clock.now),
        ], "deploymentHistory(in: the deleted churn): its deployment, then the undeploy record of the deletion")
    }
}
