import Estimators
import Foundation
import LinearAlgebra
import Pipelines
import Tabular
import Testing

/// A workspace with two regression pipelines that each ran dataset generation and training once.
struct PopulatedWorkspace {
    let workspace: Workspace
    let store: InMemoryStore
    let clock: ManualWallClock
    /// `line` (Ridge) in repository `R`.
    let first: Pipeline
    /// `second` (LinearRegression) in repository `Other`.
    let second: Pipeline

    init() async throws {
        clock = ManualWallClock(now: Fixtures.start)
        let made = try Fixtures.workspaceAndStore(clock: clock)
        workspace = made.workspace
        store = made.store
        first = try await WorkspaceTests.regressionPipeline(workspace, estimator: "Ridge")
        second = try await workspace.createRepository(named: "Other").createPipeline(named: "second")
        let table = try Fixtures.smallRegressionTable()
        try await second.configure { config in
            config.dataset = DatasetStep(
                training: .table(table), split: RandomSplit(testFraction: 0.25, seed: 2), label: "y",
                features: .columns(["x"]), keys: ["id"])
            config.training = TrainingStep(estimator: "LinearRegression", validation: .none)
        }
        for pipeline in [first, second] {
            clock.advance(by: 60)
            let run = try await pipeline.run(jobs: [.datasetGeneration, .training]).result()
            try #require(run.status == .succeeded, "\(run.outcomes)")
        }
    }
}

@Suite("Model registry: listing, testing on demand, erasure, export and import")
struct RegistryTests {
    @Test("listing filters by pipeline, repository, deployment and origin, a page at a time")
    func listing() async throws {
        let setup = try await PopulatedWorkspace()
        let registry = setup.workspace.registry
        setup.clock.advance(by: 60)
        let again = try await setup.first.run(jobs: [.training]).result()  // a second model of the first pipeline
        try #require(again.status == .succeeded, "\(again.outcomes)")
        let all = try await registry.models()
        #expect(all.total == 3)
        #expect(all.models.map(\.createdAt) == all.models.map(\.createdAt).sorted())
        let page = try await registry.models(offset: 1, limit: 1)
        #expect(page.models == [all.models[1]])
        #expect(page.total == 3)
        #expect(page.offset == 1)
        #expect(try await registry.models(.pipeline(setup.first.id)).total == 2)
        let otherRepository = try await setup.second.record().repositoryID
        #expect(try await registry.models(.repository(otherRepository)).total == 1)
        let target = all.models[2]
        #expect(target.origin == .pipeline(setup.first.id))
        try await setup.first.deployment.deploy(target.id, ifCurrent: nil)
        let deployed = try await registry.models(.deployedOnly)
        #expect(deployed.models.map(\.id) == [target.id])
        #expect(try await registry.models(.standalone).total == 0)
    }

    @Test("testing scores on demand; a pipeline model's erasure leaves its pipeline, a deployed model is protected")
    func testAndErase() async throws {
        let setup = try await PopulatedWorkspace()
        let registry = setup.workspace.registry
        let model = try #require(try await setup.first.models().first)
        #expect(model.testingScores.isEmpty)
        let tested = try await registry.test(model.id)
        #expect(tested.status == .tested)
        #expect(abs((tested.testingScore(named: "r2") ?? 0) - 1) < 1e-3)
        #expect(try await registry.model(model.id) == tested)
        try await setup.first.deployment.deploy(model.id, ifCurrent: nil)
        await #expect(throws: PipelineError.store(.modelDeployed(model.id))) { try await registry.erase(model.id) }
        try await setup.first.deployment.undeploy()
        try await registry.erase(model.id)
        await #expect(throws: PipelineError.notFound(.model(model.id))) { _ = try await registry.model(model.id) }
        #expect(await setup.store.artifact(of: model.id) == nil)
        #expect(try await setup.first.record().name == "line")
    }

    @Test("export and import: same predictions; truncated, altered or unknown-version files are refused")
    func exportImport() async throws {
        let setup = try await PopulatedWorkspace()
        let model = try #require(try await setup.first.models().first)
        let archive = try await setup.workspace.registry.export(model.id)

        let target = try Fixtures.workspace().registry
        let imported = try await target.importModel(archive: archive, name: "ridge line")
        #expect(imported.origin == .imported(name: "ridge line"))
        #expect(imported.version == 1)
        #expect(imported.lineID == imported.id)
        #expect(imported.schema == model.schema)
        #expect(imported.hyperParameters == model.hyperParameters)
        let again = try await target.importModel(archive: archive, name: "ridge line")
        #expect(again.version == 2)
        #expect(again.lineID == imported.id)
        let line = try await target.line(named: "ridge line")
        #expect(line.id == imported.id)
        #expect(line.deployment.scope == .standalone(imported.id))

        try await line.deployment.deploy(again.id, ifCurrent: nil)
        let records: [[String: Value]] = [["x": 3.5], ["x": -2.0]]
        let there = try await line.deployment.predict(records)
        #expect(there.modelID == again.id)
        try await setup.first.deployment.deploy(model.id, ifCurrent: nil)
        let here = try await setup.first.deployment.predict(records)
        #expect(there.values == here.values)

        // Truncated at many lengths, altered in one byte, another version: refused, nothing stored.
        let before = try await target.models().total
        for length in stride(from: 0, to: archive.count, by: max(1, archive.count / 40)) {
            await expectPipelineError({ _ = try await target.importModel(archive: archive.prefix(length)) }, "truncated at \(length) bytes") {
                if case .invalidArchive = $0 { return true }
                return false
            }
        }
        var altered = archive
        let artifactStart = try #require(altered.range(of: Data("\"artifact\":\"".utf8))).upperBound
        altered[artifactStart + 10] = altered[artifactStart + 10] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        await #expect(throws: PipelineError.invalidArchive("checksum mismatch: the file was altered or damaged")) {
            _ = try await target.importModel(archive: altered)
        }
        var object = try #require(try JSONSerialization.jsonObject(with: archive) as? [String: Any])
        object["version"] = 2
        let future = try JSONSerialization.data(withJSONObject: object)
        await expectPipelineError({ _ = try await target.importModel(archive: future) }) { error in
            guard case .invalidArchive(let reason) = error else { return false }
            return reason.contains("unsupported archive version 2")
        }
        #expect(try await target.models().total == before)
    }

    @Test("import a model trained elsewhere with its X variables as a list, text file or JSON")
    func importPayload() async throws {
        #expect(try FeatureList.parse("a\nb\n\nc\n") == ["a", "b", "c"])
        #expect(try FeatureList.parse(#"{"columns": ["a", "b"]}"#) == ["a", "b"])
        #expect(try FeatureList.parse(#"["a"]"#) == ["a"])
        #expect(throws: PipelineError.invalidFeatureList("feature 'a' is listed twice (again as name 2)")) {
            _ = try FeatureList.parse("a\na")
        }
        await expectPipelineError({ _ = try FeatureList.parse(#"{"names": ["a"]}"#) }) { error in
            guard case .invalidFeatureList(let reason) = error else { return false }
            return reason.hasPrefix(#"expected {"columns": [names]}"#)
        }
        #expect(throws: PipelineError.invalidFeatureList("no feature names")) { _ = try FeatureList.parse("") }

        // A logistic regression trained outside any pipeline, on two features.
        var rows: [[Double]] = []
        var classes: [Int] = []
        for i in 0..<40 {
            rows.append([Double(i % 10), Double(i / 10)])
            classes.append(i % 10 >= 5 ? 1 : 0)
        }
        let x = try Matrix(rows)
        let fitted = try EstimatorCatalog.standard.makeEstimator(named: "LogisticRegression")
            .fit(x, .classes(classes, classCount: 2), context: FitContext())
        let registry = try Fixtures.workspace().registry
        let features = try FeatureList.parse(#"{"columns": ["level", "batch"]}"#)
        await #expect(throws: PipelineError.invalidFeatureList("the model reads 2 features, 1 names were given")) {
            _ = try await registry.importModel(payload: try fitted.payload(), name: "gate", features: ["level"], label: "open")
        }
        let record = try await registry.importModel(
            payload: try fitted.payload(), name: "gate", features: features, label: "open", classes: ["closed", "open"])
        #expect(record.schema.classes == ["closed", "open"])
        #expect(record.version == 1)
        let line = try await registry.line(of: record.id)
        #expect(line.name == "gate")
        #expect(line.id == record.id)
        try await line.deployment.deploy(record.id, ifCurrent: nil)
        let predictions = try await line.deployment.predict([["level": 9.0, "batch": 1.0], ["level": 0.0, "batch": 1.0]])
        #expect(predictions.values == ["open", "closed"])
        await #expect(throws: PipelineError.invalidInput(record: 0, feature: "level", reason: "missing (null or absent) and the model does not impute it")) {
            _ = try await line.deployment.predict([["batch": 1.0]])
        }
    }
}
