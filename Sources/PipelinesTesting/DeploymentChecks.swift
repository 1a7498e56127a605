import Foundation
import Pipelines

// The deployment primitive: compare-and-swap, unconditional swaps, swaps that change
// nothing, and the integrity refusals (history and standalone scopes are in
// DeploymentHistoryChecks.swift, races in ConcurrencyChecks.swift). What may be deployed
// where (rejected models, models of another pipeline or line) is the core's rule, not the
// store's: no check here asks the store to refuse or to accept such a deployment.
extension StorageConformance {
    /// A swap that must succeed; returns what the store answered.
    @discardableResult
    static func swap(_ t: CheckContext, _ model: ModelID?, in scope: DeploymentScope,
                     expecting expected: DeploymentExpectation, _ label: String) async throws -> DeploymentSwap {
        let store = t.store
        return try await t.must("swapDeployment(\(label))") {
            try await store.swapDeployment(in: scope, to: model, expecting: expected)
        }
    }

    /// A swap that must succeed and change the scope: returns the record appended (the check
    /// stops when the store reports no change or a record of another scope or model).
    @discardableResult
    static func deploy(_ t: CheckContext, _ model: ModelID?, in scope: DeploymentScope,
                       expecting expected: DeploymentExpectation, _ label: String) async throws -> DeploymentRecord {
        let result = try await swap(t, model, in: scope, expecting: expected, label)
        let record = try t.require(result.record, "swapDeployment(\(label)).record")
        t.expectEqual(result.changed, true, "swapDeployment(\(label)).changed")
        t.expectEqual(record.scope, scope, "swapDeployment(\(label)).record scope")
        t.expectEqual(record.modelID, model, "swapDeployment(\(label)).record modelID")
        if !result.changed || record.scope != scope || record.modelID != model { throw CheckAborted() }
        return record
    }

    /// `.current(x)` swaps only from the scope's current model: from nil first, then from
    /// the previous model; a stale or wrong `x` is refused with
    /// `deploymentConflict(scope, expected: x, found: current)` and changes nothing; an
    /// undeploy (nil) is a swap like any other; each success returns `changed` and the
    /// record appended, whose `previousModelID` is `x`; an unknown pipeline is refused with
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
        func expectSwap(_ model: ModelID?, expecting expected: ModelID?, _ label: String) async throws {
            let record = try await deploy(t, model, in: scope, expecting: .current(expected), label)
            t.expectEqual(record.previousModelID, expected, "swapDeployment(\(label)).record previousModelID")
            history.append(record)
            t.expectEqual(try await store.deployment(in: scope), record, "deployment(in:) after swapDeployment(\(label))")
        }
        /// A swap that must be refused as a conflict and change nothing (the check stops
        /// when it succeeds: the following steps would only repeat the failure).
        func expectConflict(_ model: ModelID?, expecting expected: ModelID?, found: ModelID?, _ label: String) async throws {
            let refused = await t.expectRefusal("swapDeployment(\(label))",
                                                .deploymentConflict(scope: scope, expected: expected, found: found)) {
                try await store.swapDeployment(in: scope, to: model, expecting: .current(expected))
            }
            if !refused { throw CheckAborted() }
            t.expectEqual(try await store.deployment(in: scope), history.last,
                          "deployment(in:) after the refused swapDeployment(\(label))")
            t.expectEqual(try await store.deploymentHistory(in: scope), history,
                          "deploymentHistory(in:) after the refused swapDeployment(\(label))")
        }

        try await expectSwap(m1, expecting: nil, "to: model 1, expecting: .current(nil)")
        try await expectConflict(m2, expecting: nil, found: m1, "to: model 2, expecting: .current(nil), while model 1 is deployed")
        try await expectSwap(m2, expecting: m1, "to: model 2, expecting: .current(model 1)")
        try await expectConflict(m3, expecting: m1, found: m2, "to: model 3, expecting: .current(model 1) (stale)")
        try await expectConflict(nil, expecting: m1, found: m2, "to: nil, expecting: .current(model 1) (stale undeploy)")
        try await expectSwap(nil, expecting: m2, "to: nil, expecting: .current(model 2) (undeploy)")
        try await expectConflict(m3, expecting: m2, found: nil, "to: model 3, expecting: .current(model 2), after the undeploy")
        try await expectSwap(m3, expecting: nil, "to: model 3, expecting: .current(nil), after the undeploy")
        t.expectEqual(try await store.deploymentHistory(in: scope), history, "deploymentHistory(in:) after the swaps")

        let unknown = Fixture.pipelineID(99)
        for (label, model) in [("nil", nil), ("model 1", m1)] as [(String, ModelID?)] {
            await t.expectRefusal("swapDeployment(in: an unknown pipeline, to: \(label), expecting: .current(nil))",
                                  .notFound(id: unknown.rawValue)) {
                try await store.swapDeployment(in: .pipeline(unknown), to: model, expecting: .current(nil))
            }
        }
        t.expectEqual(try await store.deploymentHistory(in: .pipeline(unknown)), [], "deploymentHistory(in: an unknown pipeline)")
    }

    /// `.anyModel` swaps whatever is deployed — nothing, a model, or nothing again after an
    /// undeploy — and each record appended names as `previousModelID` the model really
    /// replaced; the returned record is the scope's deployment; another scope is untouched;
    /// an unknown pipeline is refused with `notFound`.
    static func deploymentAnyModel(_ t: CheckContext) async throws {
        let store = t.store
        let churn = try await addPipeline(t, number: 1, name: "churn")
        let fraud = try await addPipeline(t, number: 2, name: "fraud")
        let scope = DeploymentScope.pipeline(churn.id)
        for number in 1...3 {
            try await addModel(t, Fixture.model(number, of: churn), artifact: Fixture.artifact(number))
        }
        try await addModel(t, Fixture.model(4, of: fraud), artifact: Fixture.artifact(4))
        let other = try await deploy(t, Fixture.modelID(4), in: .pipeline(fraud.id), expecting: .anyModel, "fraud's model, .anyModel")

        let steps: [(ModelID?, ModelID?, String)] = [
            (Fixture.modelID(1), nil, "to: model 1, in an empty scope"), (Fixture.modelID(2), Fixture.modelID(1), "to: model 2"),
            (Fixture.modelID(1), Fixture.modelID(2), "to: model 1 again"), (nil, Fixture.modelID(1), "to: nil (undeploy)"),
            (Fixture.modelID(3), nil, "to: model 3, after the undeploy"),
        ]
        var history: [DeploymentRecord] = []
        for (model, replaced, label) in steps {
            t.clock.advance(by: 0.75)
            let record = try await deploy(t, model, in: scope, expecting: .anyModel, "\(label), expecting: .anyModel")
            t.expectEqual(record, DeploymentRecord(scope: scope, modelID: model, previousModelID: replaced, deployedAt: t.clock.now),
                          "swapDeployment(\(label), expecting: .anyModel).record (previousModelID: the model replaced)")
            history.append(record)
            t.expectEqual(try await store.deployment(in: scope), record, "deployment(in: churn) after swapDeployment(\(label))")
        }
        t.expectEqual(try await store.deploymentHistory(in: scope), history, "deploymentHistory(in: churn) after the swaps")
        t.expectEqual(try await store.deploymentHistory(in: .pipeline(fraud.id)), [other], "deploymentHistory(in: fraud)")

        let unknown = Fixture.pipelineID(99)
        await t.expectRefusal("swapDeployment(in: an unknown pipeline, to: model 1, expecting: .anyModel)",
                              .notFound(id: unknown.rawValue)) {
            try await store.swapDeployment(in: .pipeline(unknown), to: Fixture.modelID(1), expecting: .anyModel)
        }
    }

    /// A swap to the model already deployed — by `.anyModel` or by `.current` of that
    /// model — appends nothing and returns the current record (its original `deployedAt`)
    /// with `changed` false; so does undeploying a scope already undeployed, while
    /// undeploying a scope that never had a deployment returns no record, `changed` false,
    /// and leaves it without one (pipeline and standalone scopes alike).
    static func deploymentUnchangedSwap(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let scope = DeploymentScope.pipeline(pipeline.id)
        let line = DeploymentScope.standalone(Fixture.modelID(2))
        try await addModel(t, Fixture.model(1, of: pipeline), artifact: Fixture.artifact(1))
        try await addModel(t, Fixture.importedModel(2), artifact: Fixture.artifact(2))
        let m1 = Fixture.modelID(1)

        for (name, empty) in [("churn", scope), ("line 2", line)] {
            for expected in [DeploymentExpectation.anyModel, .current(nil)] {
                let label = "to: nil, in: \(name) never deployed, expecting: \(render(expected))"
                let result = try await swap(t, nil, in: empty, expecting: expected, label)
                t.expectEqual(result, DeploymentSwap(record: nil, changed: false), "swapDeployment(\(label))")
            }
            t.expectEqual(try await store.deployment(in: empty), nil, "deployment(in: \(name)) after undeploying it never deployed")
            t.expectEqual(try await store.deploymentHistory(in: empty), [],
                          "deploymentHistory(in: \(name)) after undeploying it never deployed")
        }

        let deployed = try await deploy(t, m1, in: scope, expecting: .current(nil), "to: model 1, expecting: .current(nil)")
        t.clock.advance(by: 5.5)
        for expected in [DeploymentExpectation.anyModel, .current(m1)] {
            let label = "to: model 1 already deployed, expecting: \(render(expected))"
            let result = try await swap(t, m1, in: scope, expecting: expected, label)
            t.expectEqual(result, DeploymentSwap(record: deployed, changed: false), "swapDeployment(\(label))")
        }
        t.expectEqual(try await store.deploymentHistory(in: scope), [deployed], "deploymentHistory(in: churn) after the no-op swaps")
        t.expectEqual(try await store.deployment(in: scope), deployed, "deployment(in: churn) after the no-op swaps")

        let undeployed = try await deploy(t, nil, in: scope, expecting: .anyModel, "to: nil, expecting: .anyModel")
        t.clock.advance(by: 1.25)
        for expected in [DeploymentExpectation.anyModel, .current(nil)] {
            let label = "to: nil again, expecting: \(render(expected))"
            let result = try await swap(t, nil, in: scope, expecting: expected, label)
            t.expectEqual(result, DeploymentSwap(record: undeployed, changed: false), "swapDeployment(\(label))")
        }
        t.expectEqual(try await store.deploymentHistory(in: scope), [deployed, undeployed],
                      "deploymentHistory(in: churn) after undeploying twice")
        t.expectEqual(try await store.deployment(in: scope), undeployed, "deployment(in: churn) after undeploying twice")
    }

    /// The store's own integrity refusals: an unknown model, a model inserted without
    /// artifact and one whose artifact was removed are refused with `notDeployable` naming
    /// the model — in an empty scope or over a deployed model, by `.current` (right
    /// expectation) or `.anyModel`, in a pipeline or a standalone scope — and nothing
    /// changes.
    static func deploymentNotDeployable(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let good = Fixture.model(1, of: pipeline)
        let bare = Fixture.model(2, of: pipeline)
        let stripped = Fixture.model(3, of: pipeline)
        let imported = Fixture.importedModel(4)
        try await addModel(t, good, artifact: Fixture.artifact(1))
        try await addModel(t, bare, artifact: nil)
        try await addModel(t, stripped, artifact: Fixture.artifact(3))
        try await addModel(t, imported, artifact: Fixture.artifact(4))
        try await t.must("updateModel(model 3, removingArtifact: true)") { try await store.updateModel(stripped, removingArtifact: true) }

        let refused: [(String, ModelID)] = [
            ("a model inserted without artifact", bare.id), ("a model whose artifact was removed", stripped.id),
            ("an unknown model", Fixture.modelID(99)),
        ]
        let scopes: [(String, DeploymentScope, ModelID)] = [
            ("churn", .pipeline(pipeline.id), good.id), ("line 4", .standalone(imported.id), imported.id),
        ]
        for (name, scope, deployable) in scopes {
            for expected in [DeploymentExpectation.current(nil), .anyModel] {
                for (label, model) in refused {
                    await t.expectRefusal("swapDeployment(in: empty \(name), to: \(label), expecting: \(render(expected)))",
                                          .notDeployable(model: model)) {
                        try await store.swapDeployment(in: scope, to: model, expecting: expected)
                    }
                }
            }
            t.expectEqual(try await store.deployment(in: scope), nil, "deployment(in: \(name)) after the refused swaps")
            t.expectEqual(try await store.deploymentHistory(in: scope), [], "deploymentHistory(in: \(name)) after the refused swaps")

            let current = try await deploy(t, deployable, in: scope, expecting: .current(nil), "in: \(name), to: a deployable model")
            for expected in [DeploymentExpectation.current(deployable), .anyModel] {
                for (label, model) in refused {
                    await t.expectRefusal("swapDeployment(in: \(name), to: \(label), expecting: \(render(expected))) over a deployed model",
                                          .notDeployable(model: model)) {
                        try await store.swapDeployment(in: scope, to: model, expecting: expected)
                    }
                }
            }
            t.expectEqual(try await store.deployment(in: scope), current, "deployment(in: \(name)) after the second refused swaps")
            t.expectEqual(try await store.deploymentHistory(in: scope), [current],
                          "deploymentHistory(in: \(name)) after the second refused swaps")
        }
        t.expectEqual(try await store.model(stripped.id), stripped, "model(3) after the refused swaps")
        t.expectEqual(try await store.artifact(of: stripped.id), nil, "artifact(of: model 3) after the refused swaps")
    }

    /// `.anyModel` or `.current(model)`, for failure messages.
    static func render(_ expected: DeploymentExpectation) -> String {
        switch expected {
        case .anyModel: return ".anyModel"
        case .current(let model): return ".current(\(Difference.render(model)))"
        }
    }
}
