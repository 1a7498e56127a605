import Foundation
import Pipelines

// The one uniqueness constraint on model versions: imported name + version.
extension StorageConformance {
    /// A second model imported under a name with a version that name already has is
    /// refused with `duplicateVersion(line: the name, version:)` and changes nothing (not
    /// stored, no artifact, the line as it was). Equal versions are allowed under another
    /// name, for an orphaned model whose name equals an import name, and among pipeline
    /// models (the models of one configuration version share it); once the model holding a
    /// version is deleted, the version may be imported again.
    static func modelsImportedVersionUnique(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let first = Fixture.importedModel(1, name: "churn-model")
        let second = Fixture.importedModel(2, line: 1, version: 2, name: "churn-model")
        try await addModel(t, first, artifact: Fixture.artifact(1))
        try await addModel(t, second, artifact: Fixture.artifact(2))
        let line = ModelFilter(lineID: first.id)

        for (label, version) in [("version 1", 1), ("version 2", 2)] {
            let twin = Fixture.importedModel(10 + version, line: 1, version: version, name: "churn-model",
                                             createdAt: Fixture.date(900))
            await t.expectRefusal("insertModel(another model imported as churn-model \(label))",
                                  .duplicateVersion(line: "churn-model", version: version)) {
                try await store.insertModel(twin, artifact: Fixture.artifact(10 + version))
            }
            t.expectEqual(try await store.model(twin.id), nil, "model(the refused \(label))")
            t.expectEqual(try await store.artifact(of: twin.id), nil, "artifact(of: the refused \(label))")
        }
        var elsewhere = Fixture.importedModel(13, version: 1, name: "churn-model")
        elsewhere.lineID = elsewhere.id
        await t.expectRefusal("insertModel(churn-model version 1, in a line of its own)",
                              .duplicateVersion(line: "churn-model", version: 1)) {
            try await store.insertModel(elsewhere, artifact: nil)
        }
        t.expectEqual(try await store.models(matching: line), [first, second], "models(matching: line 1) after the refusals")
        t.expectEqual(try await store.countModels(matching: ModelFilter(standalone: true)), 2,
                      "countModels(matching: standalone) after the refusals")

        let otherName = Fixture.importedModel(3, version: 1, name: "fraud-model")
        var orphan = Fixture.importedModel(4, version: 1)
        orphan.origin = .orphaned(formerPipeline: Fixture.pipelineID(98), name: "churn-model")
        var legacyOrphan = Fixture.importedModel(5, version: 2)
        legacyOrphan.origin = .orphaned(formerPipeline: nil, name: "churn-model")
        let siblings = [Fixture.model(6, of: pipeline), Fixture.model(7, of: pipeline, status: .saved)]
        for (label, model) in [("fraud-model version 1 (another name)", otherName),
                               ("an orphaned model named churn-model, version 1", orphan),
                               ("a legacy orphaned model named churn-model, version 2", legacyOrphan),
                               ("a pipeline model of configuration version 2", siblings[0]),
                               ("another pipeline model of configuration version 2", siblings[1])] {
            try await t.must("insertModel(\(label))") { try await store.insertModel(model, artifact: nil) }
        }
        t.expectEqual(try await store.countModels(matching: ModelFilter()), 7, "countModels(matching: all) after the allowed inserts")

        try await t.must("deleteModel(churn-model version 2)") { try await store.deleteModel(second.id) }
        let again = Fixture.importedModel(8, line: 1, version: 2, name: "churn-model")
        try await t.must("insertModel(churn-model version 2 again, after its model was deleted)") {
            try await store.insertModel(again, artifact: Fixture.artifact(8))
        }
        t.expectEqual(try await store.models(matching: line), [first, again], "models(matching: line 1) after re-importing version 2")
    }

    /// 8 tasks, released together, insert 8 different models all imported as "race"
    /// version 1: exactly one is stored (with its artifact), every other insert is refused
    /// with `duplicateVersion(line: "race", version: 1)` and leaves no trace; a second race
    /// for version 2 ends the same way.
    static func modelsImportRaceOneVersion(_ t: CheckContext) async throws {
        let store = t.store
        var stored: [ModelRecord] = []
        for version in 1...2 {
            let candidates = (1...racers).map { racer in
                Fixture.importedModel(10 * version + racer, line: 11, version: version, name: "race",
                                      createdAt: Fixture.date(Double(version)))
            }
            let results = await raceInserts(store, candidates)
            let winners = results.filter { (try? $0.result.get()) != nil }.map(\.model)
            let artifacts = Dictionary(uniqueKeysWithValues: zip(candidates.map(\.id), (1...racers).map { 10 * version + $0 }))
            guard winners.count == 1, let winner = winners.first else {
                t.fail("racing insertModel(\(racers) models imported as race version \(version)): expected exactly 1 stored, "
                    + "got \(winners.count) (\(winners.map(\.id.rawValue).joined(separator: ", ")))")
                throw CheckAborted()
            }
            for (model, result) in results {
                guard case .failure(let error) = result else { continue }
                let expected = ExpectedRefusal.duplicateVersion(line: "race", version: version)
                if let storeError = error as? StoreError, expected.matches(storeError) {
                    t.expectEqual(try await store.model(model.id), nil, "model(the loser \(model.id) of race version \(version))")
                    t.expectEqual(try await store.artifact(of: model.id), nil,
                                  "artifact(of: the loser \(model.id) of race version \(version))")
                    continue
                }
                t.fail("racing insertModel(race version \(version)): the loser \(model.id) expected \(expected), "
                    + "got \(Difference.describe(error: error))")
            }
            stored.append(winner)
            t.expectEqual(try await store.model(winner.id), winner, "model(the winner of race version \(version))")
            t.expectEqual(try await store.artifact(of: winner.id), artifacts[winner.id].map(Fixture.artifact),
                          "artifact(of: the winner of race version \(version))")
            t.expectEqual(try await store.models(matching: ModelFilter(standalone: true)), stored,
                          "models(matching: standalone) after racing for version \(version)")
        }
    }

    /// Starts one task per model, released together, each inserting its model with the
    /// artifact of its position (`Fixture.artifact(10 × version + position from 1)`);
    /// returns each model with its result.
    private static func raceInserts(_ store: any PipelineStorage,
                                    _ models: [ModelRecord]) async -> [(model: ModelRecord, result: Result<Void, any Error>)] {
        let gate = StartingGate(count: models.count)
        return await withTaskGroup(of: (ModelRecord, Result<Void, any Error>).self) { group in
            for (index, model) in models.enumerated() {
                let artifact = Fixture.artifact(10 * model.version + index + 1)
                group.addTask {
                    await gate.arrive()
                    do {
                        try await store.insertModel(model, artifact: artifact)
                        return (model, .success(()))
                    } catch {
                        return (model, .failure(error))
                    }
                }
            }
            var results: [(model: ModelRecord, result: Result<Void, any Error>)] = []
            for await (model, result) in group { results.append((model, result)) }
            return results
        }
    }
}
