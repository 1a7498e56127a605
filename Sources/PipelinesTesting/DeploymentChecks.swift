import Foundation
import Pipelines

// Deployment compare-and-swap, refusals and history (the concurrent checks are in
// ConcurrencyChecks.swift).
extension StorageConformance {
    /// `deploy` swaps only from the scope's current model: from nil first, then from the
    /// previous model; a stale or wrong `expected` is refused with
    /// `deploymentConflict(scope, expected, found: current)` and changes nothing; an
    /// undeploy (nil) is a swap like any other; an unknown pipeline is refused with
    /// `notFound`.
    static func deploymentCompareAndSwap(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let scope = DeploymentScope.pipeline(pipeline.id)
        let (m1, m2, m3) = (Fixture.modelID(1), Fixture.modelID(2), Fixture.modelID(3))
        for number in 1...3 {
            try await addModel(t, Fixture.model(number, of: pipeline), artifact: Fixture.artifact(number))
        }
        t.expectEqual(try await store.deployment(in: scope), nil, "deployment(in:) before any deployment")
        t.expectEqual(try await store.deploymentHistory(in: scope), [], "deploymentHistory(in:) before any deployment")

        var history: [DeploymentRecord] = []
        /// A swap that must succeed, replacing `expected` by `model`.
        func swap(_ model: ModelID?, expecting expected: ModelID?, _ label: String) async throws {
            let record = try await t.must("deploy(\(label))") { try await store.deploy(model, in: scope, expecting: expected) }
            t.expectEqual(record.scope, scope, "deploy(\(label)) record scope")
            t.expectEqual(record.modelID, model, "deploy(\(label)) record modelID")
            t.expectEqual(record.previousModelID, expected, "deploy(\(label)) record previousModelID")
            history.append(record)
            t.expectEqual(try await store.deployment(in: scope), record, "deployment(in:) after deploy(\(label))")
        }
        /// A swap that must be refused as a conflict and change nothing (the check stops
        /// when it succeeds: the following steps would only repeat the failure).
        func conflict(_ model: ModelID?, expecting expected: ModelID?, found: ModelID?, _ label: String) async throws {
            let refused = await t.expectRefusal("deploy(\(label))",
                                                .deploymentConflict(scope: scope, expected: expected, found: found)) {
                try await store.deploy(model, in: scope, expecting: expected)
            }
            if !refused { throw CheckAborted() }
            t.expectEqual(try await store.deployment(in: scope), history.last, "deployment(in:) after the refused deploy(\(label))")
            t.expectEqual(try await store.deploymentHistory(in: scope), history,
                          "deploymentHistory(in:) after the refused deploy(\(label))")
        }

        try await swap(m1, expecting: nil, "model 1, expecting: nil")
        try await conflict(m2, expecting: nil, found: m1, "model 2, expecting: nil, while model 1 is deployed")
        try await swap(m2, expecting: m1, "model 2, expecting: model 1")
        try await conflict(m3, expecting: m1, found: m2, "model 3, expecting: model 1 (stale)")
        try await conflict(nil, expecting: m1, found: m2, "nil, expecting: model 1 (stale undeploy)")
        try await swap(nil, expecting: m2, "nil, expecting: model 2 (undeploy)")
        try await conflict(m3, expecting: m2, found: nil, "model 3, expecting: model 2, after the undeploy")
        try await swap(m3, expecting: nil, "model 3, expecting: nil, after the undeploy")
        t.expectEqual(try await store.deploymentHistory(in: scope), history, "deploymentHistory(in:) after the swaps")

        let unknown = Fixture.pipelineID(99)
        await t.expectRefusal("deploy(in: an unknown pipeline)", .notFound(id: unknown.rawValue)) {
            try await store.deploy(nil, in: .pipeline(unknown), expecting: nil)
        }
    }

    /// A rejected model, a model without artifact (never had one, or removed), a model
    /// of another pipeline and an unknown model are refused with `notDeployable` naming
    /// the model — whether the scope is empty or `expected` is right — and nothing changes.
    static func deploymentNotDeployable(_ t: CheckContext) async throws {
        let store = t.store
        let churn = try await addPipeline(t, number: 1, name: "churn")
        let fraud = try await addPipeline(t, number: 2, name: "fraud")
        let scope = DeploymentScope.pipeline(churn.id)
        let good = Fixture.model(1, of: churn)
        let rejected = Fixture.model(2, of: churn, status: .rejected)
        let bare = Fixture.model(3, of: churn)
        let stripped = Fixture.model(4, of: churn)
        let foreign = Fixture.model(5, of: fraud)
        try await addModel(t, good, artifact: Fixture.artifact(1))
        try await addModel(t, rejected, artifact: Fixture.artifact(2))
        try await addModel(t, bare, artifact: nil)
        try await addModel(t, stripped, artifact: Fixture.artifact(4))
        try await addModel(t, foreign, artifact: Fixture.artifact(5))
        try await t.must("updateModel(model 4, removingArtifact: true)") { try await store.updateModel(stripped, removingArtifact: true) }

        let refused: [(String, ModelID)] = [
            ("a rejected model", rejected.id), ("a model inserted without artifact", bare.id),
            ("a model whose artifact was removed", stripped.id), ("a model of another pipeline", foreign.id),
            ("an unknown model", Fixture.modelID(99)),
        ]
        for (label, model) in refused {
            await t.expectRefusal("deploy(\(label), expecting: nil) in an empty scope", .notDeployable(model: model)) {
                try await store.deploy(model, in: scope, expecting: nil)
            }
        }
        t.expectEqual(try await store.deployment(in: scope), nil, "deployment(in:) after the refused deploys")
        t.expectEqual(try await store.deploymentHistory(in: scope), [], "deploymentHistory(in:) after the refused deploys")

        let current = try await t.must("deploy(a deployable model, expecting: nil)") {
            try await store.deploy(good.id, in: scope, expecting: nil)
        }
        for (label, model) in refused {
            await t.expectRefusal("deploy(\(label), expecting: the current model)", .notDeployable(model: model)) {
                try await store.deploy(model, in: scope, expecting: good.id)
            }
        }
        t.expectEqual(try await store.deployment(in: scope), current, "deployment(in:) after the second refused deploys")
        t.expectEqual(try await store.deploymentHistory(in: scope), [current], "deploymentHistory(in:) after the second refused deploys")
        try await t.must("deploy(fraud's model in its own pipeline)") {
            try await store.deploy(foreign.id, in: .pipeline(fraud.id), expecting: nil)
        }
    }

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

        let steps: [(advance: TimeInterval, model: ModelID?, label: String)] = [
            (0, m1, "model 1"), (1.25, m2, "model 2"), (60.5, nil, "nil (undeploy)"), (0.000_25, m1, "model 1 again"),
        ]
        var expected: [DeploymentRecord] = []
        for step in steps {
            t.clock.advance(by: step.advance)
            let now = t.clock.now
            let previous = expected.last?.modelID
            let record = try await t.must("deploy(\(step.label))") {
                try await store.deploy(step.model, in: scope, expecting: previous)
            }
            let wanted = DeploymentRecord(scope: scope, modelID: step.model, previousModelID: previous, deployedAt: now)
            t.expectEqual(record, wanted, "record returned by deploy(\(step.label)) (deployedAt: the store clock's time)")
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
        try await t.must("deploy(fraud's model)") {
            try await store.deploy(Fixture.modelID(3), in: .pipeline(fraud.id), expecting: nil)
        }
        t.expectEqual(try await store.deploymentHistory(in: scope), expected, "deploymentHistory(in: churn) after deploying in fraud")

        let line = DeploymentScope.standalone(Fixture.modelID(4))
        let (i4, i5) = (Fixture.modelID(4), Fixture.modelID(5))
        t.clock.advance(by: 0.5)
        let firstStandalone = try await t.must("deploy(imported model 4, in: .standalone(4), expecting: nil)") {
            try await store.deploy(i4, in: line, expecting: nil)
        }
        let secondStandalone = try await t.must("deploy(imported model 5, in: .standalone(4), expecting: model 4)") {
            try await store.deploy(i5, in: line, expecting: i4)
        }
        let now = t.clock.now
        t.expectEqual(try await store.deploymentHistory(in: line), [
            DeploymentRecord(scope: line, modelID: i4, previousModelID: nil, deployedAt: now),
            DeploymentRecord(scope: line, modelID: i5, previousModelID: i4, deployedAt: now),
        ], "deploymentHistory(in: .standalone(4))")
        t.expectEqual([firstStandalone.modelID, secondStandalone.modelID], [i4, i5], "records returned in .standalone(4)")
        t.expectEqual(try await store.deployment(in: .standalone(i5)), nil, "deployment(in: .standalone(5)), never used as a scope")
        t.expectEqual(try await store.deploymentHistory(in: scope), expected, "deploymentHistory(in: churn) after the standalone deploys")
    }

    /// A standalone line `.standalone(root)` is a scope like a pipeline's: it accepts the
    /// models of that line — its root and later versions — by compare-and-swap, and
    /// refuses with `notDeployable` (changing nothing) a model of another line, a pipeline
    /// model, and a standalone model in a pipeline scope. Lines have separate histories,
    /// and an orphaned model is deployable in its own line.
    static func deploymentStandaloneLines(_ t: CheckContext) async throws {
        let store = t.store
        let churn = try await addPipeline(t, number: 1, name: "churn")
        let pipelineModel = Fixture.model(1, of: churn)
        let root = Fixture.importedModel(2)
        let successor = Fixture.importedModel(3, line: 2, version: 2)
        let stranger = Fixture.importedModel(4)
        for model in [pipelineModel, root, successor, stranger] {
            try await addModel(t, model, artifact: Fixture.artifact(model.version))
        }
        let line = DeploymentScope.standalone(root.id)
        let first = try await t.must("deploy(version 2 of line 2, in: .standalone(2), expecting: nil)") {
            try await store.deploy(successor.id, in: line, expecting: nil)
        }
        let second = try await t.must("deploy(root of line 2, in: .standalone(2), expecting: version 2)") {
            try await store.deploy(root.id, in: line, expecting: successor.id)
        }
        await t.expectRefusal("deploy(version 2, in: .standalone(2), expecting: nil) while the root is deployed",
                              .deploymentConflict(scope: line, expected: nil, found: root.id)) {
            try await store.deploy(successor.id, in: line, expecting: nil)
        }
        let refused: [(String, ModelID, DeploymentScope, ModelID?)] = [
            ("a model of line 4, in: .standalone(2)", stranger.id, line, root.id),
            ("a pipeline model, in: .standalone(2)", pipelineModel.id, line, root.id),
            ("a pipeline model, in: .standalone(itself)", pipelineModel.id, .standalone(pipelineModel.id), nil),
            ("the root of line 2, in: .standalone(4)", root.id, .standalone(stranger.id), nil),
            ("version 2 of line 2, in: .standalone(itself)", successor.id, .standalone(successor.id), nil),
            ("the root of line 2, in: .pipeline(churn)", root.id, .pipeline(churn.id), nil),
        ]
        for (label, model, scope, expected) in refused {
            await t.expectRefusal("deploy(\(label))", .notDeployable(model: model)) {
                try await store.deploy(model, in: scope, expecting: expected)
            }
        }
        t.expectEqual(try await store.deploymentHistory(in: line), [first, second],
                      "deploymentHistory(in: .standalone(2)) after the refusals")
        let untouched: [DeploymentScope] = [.standalone(stranger.id), .standalone(pipelineModel.id), .standalone(successor.id),
                                            .pipeline(churn.id)]
        for scope in untouched {
            t.expectEqual(try await store.deployment(in: scope), nil, "deployment(in: \(Difference.render(scope))) after the refusals")
        }

        let own = try await t.must("deploy(model 4, in: .standalone(4), expecting: nil)") {
            try await store.deploy(stranger.id, in: .standalone(stranger.id), expecting: nil)
        }
        t.expectEqual(try await store.deployment(in: .standalone(stranger.id)), own, "deployment(in: .standalone(4))")
        t.expectEqual(try await store.deployment(in: line), second, "deployment(in: .standalone(2)) after deploying in line 4")

        try await t.must("deletePipeline(churn)") { try await store.deletePipeline(churn.id) }
        try await t.must("deploy(the orphaned model 1, in: .standalone(1), expecting: nil)") {
            try await store.deploy(pipelineModel.id, in: .standalone(pipelineModel.id), expecting: nil)
        }
        await t.expectRefusal("deploy(the orphaned model 1, in: .standalone(2))", .notDeployable(model: pipelineModel.id)) {
            try await store.deploy(pipelineModel.id, in: line, expecting: root.id)
        }
        t.expectEqual(try await store.deployment(in: .standalone(pipelineModel.id))?.modelID, pipelineModel.id,
                      "deployment(in: .standalone(1)) after deploying the orphaned model in its own line")
    }
}
