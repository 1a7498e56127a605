import Estimators
import Foundation
import LinearAlgebra
import Pipelines
import Tabular
import Testing

@Suite("Model registry: listing, testing on demand, erasure, export and import, rollback, events")
struct RegistryTests {
    /// A workspace with two regression pipelines that each ran all four jobs once.
    static func populated() async throws -> (Workspace, ManualWallClock, PipelineRecord, PipelineRecord) {
        let clock = ManualWallClock(now: Fixtures.start)
        let workspace = try Fixtures.workspace(clock: clock)
        let first = try await WorkspaceTests.regressionPipeline(workspace, estimator: "Ridge")
        let other = try await workspace.createRepository(named: "Other")
        let second = try await workspace.createPipeline(named: "second", in: other.id)
        try await workspace.configure(second.id) { config in
            config.dataset = DatasetStep(
                training: .table(Fixtures.smallRegressionTable()), split: RandomSplit(testFraction: 0.25, seed: 2), label: "y",
                features: .columns(["x"]), keys: ["id"])
            config.training = TrainingStep(estimator: "LinearRegression", validation: .none)
        }
        for pipeline in [first, second] {
            clock.advance(by: 60)
            let run = try await workspace.run(pipeline.id, jobs: [.datasetGeneration, .training]).result()
            try #require(run.status == .succeeded)
        }
        return (workspace, clock, first, second)
    }

    @Test("listing filters by pipeline, repository, deployment and origin, a page at a time")
    func listing() async throws {
        let (workspace, clock, first, second) = try await Self.populated()
        clock.advance(by: 60)
        _ = try await workspace.run(first.id, jobs: [.training]).result()  // a second model of the first pipeline
        let all = try await workspace.listModels()
        #expect(all.total == 3)
        #expect(all.models.map(\.createdAt) == all.models.map(\.createdAt).sorted())
        let page = try await workspace.listModels(offset: 1, limit: 1)
        #expect(page.models == [all.models[1]])
        #expect(page.total == 3)
        #expect(try await workspace.listModels(ModelFilter(pipelineID: first.id)).total == 2)
        #expect(try await workspace.listModels(ModelFilter(repositoryID: second.repositoryID)).total == 1)
        let target = all.models[2]
        try await workspace.deploy(target.id, in: first.id, expecting: nil)
        let deployed = try await workspace.listModels(ModelFilter(deployedOnly: true))
        #expect(deployed.models.map(\.id) == [target.id])
        #expect(try await workspace.listModels(ModelFilter(standalone: true)).total == 0)
    }

    @Test("testing scores on demand; a pipeline model's erasure leaves its pipeline, a deployed model is protected")
    func testAndErase() async throws {
        let (workspace, _, first, _) = try await Self.populated()
        let model = try #require(try await workspace.models(of: first.id).first)
        #expect(model.testingScores.isEmpty)
        let tested = try await workspace.testModel(model.id)
        #expect(tested.status == .tested)
        #expect(abs((tested.testingScores["r2"] ?? 0) - 1) < 1e-3)
        try await workspace.deploy(model.id, in: first.id, expecting: nil)
        await #expect(throws: PipelineError.store(.modelDeployed(model.id))) { try await workspace.eraseModel(model.id) }
        try await workspace.deploy(nil, in: .pipeline(first.id), expecting: model.id)
        try await workspace.eraseModel(model.id)
        await #expect(throws: PipelineError.notFound(kind: "model", name: model.id.rawValue)) { _ = try await workspace.model(model.id) }
        #expect(try await workspace.store.artifact(of: model.id) == nil)
        #expect(try await workspace.pipeline(first.id).name == "line")
    }

    @Test("export and import: same predictions; truncated, altered or unknown-version files are refused")
    func exportImport() async throws {
        let (workspace, _, first, _) = try await Self.populated()
        let model = try #require(try await workspace.models(of: first.id).first)
        let archive = try await workspace.exportModel(model.id)

        let target = try Fixtures.workspace()
        let imported = try await target.importModel(archive: archive, name: "ridge line")
        #expect(imported.origin == .imported(name: "ridge line"))
        #expect(imported.version == 1)
        #expect(imported.lineID == imported.id)
        #expect(imported.schema == model.schema)
        #expect(imported.hyperParameters == model.hyperParameters)
        let again = try await target.importModel(archive: archive, name: "ridge line")
        #expect(again.version == 2)
        #expect(again.lineID == imported.id)
        #expect(try await target.modelLine(named: "ridge line") == imported.id)

        try await target.deploy(again.id, in: .standalone(imported.id), expecting: nil)
        let records: [[String: Value]] = [["x": 3.5], ["x": -2.0]]
        let there = try await target.predict(records, in: .standalone(imported.id))
        try await workspace.deploy(model.id, in: first.id, expecting: nil)
        let here = try await workspace.predict(records, with: first.id)
        #expect(there.values == here.values)

        // Truncated at many lengths, altered in one byte, another version: refused, nothing stored.
        let before = try await target.listModels().total
        for length in stride(from: 0, to: archive.count, by: max(1, archive.count / 40)) {
            await #expect(throws: PipelineError.self) { _ = try await target.importModel(archive: archive.prefix(length)) }
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
        do {
            _ = try await target.importModel(archive: future)
            Issue.record("a version-2 archive was imported")
        } catch {
            #expect("\(error)".contains("unsupported archive version 2"))
        }
        #expect(try await target.listModels().total == before)
    }

    @Test("import a model trained elsewhere with its X variables as a list, text file or JSON")
    func importPayload() async throws {
        #expect(try FeatureList.parse("a\nb\n\nc\n") == ["a", "b", "c"])
        #expect(try FeatureList.parse(#"{"columns": ["a", "b"]}"#) == ["a", "b"])
        #expect(try FeatureList.parse(#"["a"]"#) == ["a"])
        #expect(throws: PipelineError.self) { _ = try FeatureList.parse("a\na") }
        #expect(throws: PipelineError.self) { _ = try FeatureList.parse(#"{"names": ["a"]}"#) }
        #expect(throws: PipelineError.self) { _ = try FeatureList.parse("") }

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
        let workspace = try Fixtures.workspace()
        let features = try FeatureList.parse(#"{"columns": ["level", "batch"]}"#)
        await #expect(throws: PipelineError.self) {
            _ = try await workspace.importModel(payload: try fitted.payload(), name: "gate", features: ["level"], label: "open")
        }
        let record = try await workspace.importModel(
            payload: try fitted.payload(), name: "gate", features: features, label: "open", classes: ["closed", "open"])
        #expect(record.schema.classes == ["closed", "open"])
        try await workspace.deploy(record.id, in: .standalone(record.id), expecting: nil)
        let predictions = try await workspace.predict([["level": 9.0, "batch": 1.0], ["level": 0.0, "batch": 1.0]], in: .standalone(record.id))
        #expect(predictions.values == ["open", "closed"])
        await #expect(throws: PipelineError.invalidInput(record: 0, feature: "level", reason: "missing")) {
            _ = try await workspace.predict([["batch": 1.0]], in: .standalone(record.id))
        }
    }

    @Test("deployment history answers which model was deployed at a time, and rollback undoes a switch")
    func historyAndRollback() async throws {
        let (workspace, clock, first, _) = try await Self.populated()
        clock.advance(by: 60)
        _ = try await workspace.run(first.id, jobs: [.training]).result()
        let models = try await workspace.models(of: first.id)
        let (a, b) = (models[0].id, models[1].id)
        let t0 = clock.now
        try await workspace.deploy(a, in: first.id, expecting: nil)
        clock.advance(by: 100)
        let t1 = clock.now
        try await workspace.deploy(b, in: first.id, expecting: a)
        clock.advance(by: 100)
        #expect(try await workspace.deployedModelID(in: .pipeline(first.id), at: t0.addingTimeInterval(-1)) == nil)
        #expect(try await workspace.deployedModelID(in: .pipeline(first.id), at: t0.addingTimeInterval(50)) == a)
        #expect(try await workspace.deployedModelID(in: .pipeline(first.id), at: t1.addingTimeInterval(50)) == b)
        let rolled = try await workspace.rollback(.pipeline(first.id))
        #expect(rolled.modelID == a)
        #expect(try await workspace.deployedModelID(of: first.id) == a)
        #expect(try await workspace.deploymentHistory(of: first.id).map(\.modelID) == [a, b, a])
        let empty = try await workspace.createPipeline(named: "empty", in: first.repositoryID)
        await #expect(throws: PipelineError.self) { try await workspace.rollback(.pipeline(empty.id)) }
    }

    @Test("events: saved, scored, deployed, erased")
    func events() async throws {
        let (workspace, _, first, _) = try await Self.populated()
        let stream = workspace.modelEvents()
        let collector = Task {
            var seen: [String] = []
            for await event in stream {
                switch event {
                case .saved: seen.append("saved")
                case .scored: seen.append("scored")
                case .rejected: seen.append("rejected")
                case .deployed: seen.append("deployed")
                case .erased: seen.append("erased")
                }
                if seen.count == 5 { break }
            }
            return seen
        }
        _ = try await workspace.run(first.id, jobs: [.training, .testing]).result()
        let newest = try #require(try await workspace.models(of: first.id).last)
        try await workspace.deploy(newest.id, in: first.id, expecting: nil)
        let oldest = try #require(try await workspace.models(of: first.id).first)
        try await workspace.eraseModel(oldest.id)
        #expect(await collector.value == ["saved", "scored", "scored", "deployed", "erased"])
    }

    @Test("concurrent deployers: exactly one wins; predictions during redeploys always see a whole model")
    func concurrentDeployAndPredict() async throws {
        let (workspace, clock, first, _) = try await Self.populated()
        clock.advance(by: 60)
        _ = try await workspace.run(first.id, jobs: [.training]).result()
        let ids = try await workspace.models(of: first.id).map(\.id)
        let winners = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                group.addTask { (try? await workspace.deploy(ids[index % 2], in: first.id, expecting: nil)) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(winners == 1)
        let outcomes = await withTaskGroup(of: Set<ModelID>?.self) { group in
            group.addTask {
                for _ in 0..<50 {
                    guard let current = try? await workspace.deployedModelID(of: first.id) else { return nil }
                    let next = current == ids[0] ? ids[1] : ids[0]
                    _ = try? await workspace.deploy(next, in: first.id, expecting: current)
                }
                return []
            }
            for _ in 0..<4 {
                group.addTask {
                    var seen = Set<ModelID>()
                    for _ in 0..<100 {
                        guard let predictions = try? await workspace.predict([["x": 1.0]], with: first.id) else { return nil }
                        seen.insert(predictions.modelID)
                    }
                    return seen
                }
            }
            return await group.reduce(into: [Set<ModelID>?]()) { $0.append($1) }
        }
        #expect(outcomes.allSatisfy { $0 != nil })
        #expect(outcomes.compactMap { $0 }.reduce(Set<ModelID>()) { $0.union($1) }.isSubset(of: Set(ids)))
    }
}
