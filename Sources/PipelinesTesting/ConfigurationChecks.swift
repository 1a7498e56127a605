import Foundation
import Pipelines
import Tabular

// Configuration versions and dataset snapshots.
extension StorageConformance {
    /// Inserts a pipeline (and its repository, unless already stored) and, when
    /// `configured`, appends its configuration version 1; returns the pipeline as the store
    /// must now hold it (at version 0, or at version 1 updated when version 1 was saved).
    static func addPipeline(_ t: CheckContext, number: Int = 1, name: String = "churn",
                            repository: RepositoryRecord? = nil, configured: Bool = true) async throws -> PipelineRecord {
        let store = t.store
        let repository = repository ?? Fixture.repository(number, name: "repository-\(number)")
        if try await store.repository(repository.id) == nil {
            try await t.must("insertRepository(\(repository.name))") { try await store.insertRepository(repository) }
        }
        var pipeline = Fixture.pipeline(number, in: repository.id, name: name)
        try await t.must("insertPipeline(\(name))") { try await store.insertPipeline(pipeline) }
        guard configured else { return pipeline }
        let first = Fixture.configuration(of: pipeline.id, version: 1)
        try await t.must("appendConfiguration(\(name) version 1)") { try await store.appendConfiguration(first) }
        pipeline.configurationVersion = 1
        pipeline.updatedAt = first.savedAt
        return pipeline
    }

    /// A new pipeline has no configuration: it is stored at configuration version 0
    /// whatever its record says, the current configuration reads nil and the history is
    /// empty. The first configuration appended must be version 1 (`versionConflict(expected:
    /// attempted, found: 0)` otherwise, nothing stored); after it, the pipeline is at version
    /// 1, updated at the configuration's `savedAt`, and version 1 is both the current
    /// configuration and the whole history.
    static func configurationsFirstVersionIsOne(_ t: CheckContext) async throws {
        let store = t.store
        let repository = Fixture.repository(1, name: "first")
        try await t.must("insertRepository(first)") { try await store.insertRepository(repository) }
        var pipeline = Fixture.pipeline(1, in: repository.id, name: "churn")
        var claiming = pipeline
        claiming.configurationVersion = 3
        try await t.must("insertPipeline(a record claiming configuration version 3)") { try await store.insertPipeline(claiming) }
        t.expectEqual(try await store.pipeline(pipeline.id), pipeline,
                      "pipeline(churn) after insertPipeline: stored at configuration version 0, otherwise as inserted")
        t.expectEqual(try await store.pipelines(in: repository.id), [pipeline], "pipelines(in: first) after insertPipeline")
        t.expectEqual(try await store.configuration(of: pipeline.id, version: nil), nil,
                      "configuration(of:version: nil) of a pipeline never configured")
        t.expectEqual(try await store.configuration(of: pipeline.id, version: 1), nil,
                      "configuration(of:version: 1) of a pipeline never configured")
        t.expectEqual(try await store.configurations(of: pipeline.id), [], "configurations(of:) of a pipeline never configured")

        for version in [2, 0, 4] {
            await t.expectRefusal("appendConfiguration(version \(version) as the first configuration)",
                                  .versionConflict(pipeline: pipeline.id, attempted: version, current: 0)) {
                try await store.appendConfiguration(Fixture.configuration(of: pipeline.id, version: version))
            }
        }
        t.expectEqual(try await store.pipeline(pipeline.id), pipeline, "pipeline(churn) after the refused appends")
        t.expectEqual(try await store.configurations(of: pipeline.id), [], "configurations(of:) after the refused appends")

        let first = Fixture.configuration(of: pipeline.id, version: 1, savedAt: Fixture.date(250.000_4))
        try await t.must("appendConfiguration(version 1)") { try await store.appendConfiguration(first) }
        pipeline.configurationVersion = 1
        pipeline.updatedAt = first.savedAt
        t.expectEqual(try await store.pipeline(pipeline.id), pipeline,
                      "pipeline(churn) after appending version 1: at version 1, updatedAt the configuration's savedAt")
        t.expectEqual(try await store.configuration(of: pipeline.id, version: nil), first, "configuration(of:version: nil)")
        t.expectEqual(try await store.configuration(of: pipeline.id, version: 1), first, "configuration(of:version: 1)")
        t.expectEqual(try await store.configurations(of: pipeline.id), [first], "configurations(of:)")
    }

    /// Appending versions 2 and 3 in order moves the pipeline's version along; each
    /// version reads back equal, nil reads the latest, the history is oldest first, and
    /// unknown versions or pipelines read nil or empty.
    static func configurationsAppendInOrder(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let first = Fixture.configuration(of: pipeline.id, version: 1)
        var history = [first]
        for version in 2...3 {
            let next = Fixture.configuration(of: pipeline.id, version: version, savedAt: Fixture.date(1_000 + Double(version) / 3))
            try await t.must("appendConfiguration(version \(version))") { try await store.appendConfiguration(next) }
            history.append(next)
            let record = try await store.pipeline(pipeline.id)
            t.expectEqual(record?.configurationVersion, version, "pipeline.configurationVersion after appending version \(version)")
            t.expectEqual(record?.name, pipeline.name, "pipeline.name after appending version \(version)")
            t.expectEqual(record?.createdAt, pipeline.createdAt, "pipeline.createdAt after appending version \(version)")
            t.expectEqual(record?.updatedAt, next.savedAt,
                          "pipeline.updatedAt after appending version \(version) (the configuration's savedAt)")
            t.expectEqual(try await store.configuration(of: pipeline.id, version: nil), next,
                          "configuration(of:version: nil) after appending version \(version)")
        }
        t.expectEqual(try await store.configuration(of: pipeline.id, version: 2), history[1], "configuration(of:version: 2)")
        t.expectEqual(try await store.configuration(of: pipeline.id, version: 1), first, "configuration(of:version: 1)")
        t.expectEqual(try await store.configurations(of: pipeline.id), history, "configurations(of:), oldest first")
        t.expectEqual(try await store.configuration(of: pipeline.id, version: 4), nil, "configuration(of:version: 4) (not saved)")
        let unknown = Fixture.pipelineID(99)
        t.expectEqual(try await store.configuration(of: unknown, version: nil), nil, "configuration(of: unknown pipeline)")
        t.expectEqual(try await store.configurations(of: unknown), [], "configurations(of: unknown pipeline)")
    }

    /// Appending a version other than current + 1 (a stale save, a gap, an old number) is
    /// refused with `versionConflict(expected: attempted, found: current)` and changes
    /// nothing; appending to an unknown pipeline is refused with `notFound`.
    static func configurationsOutOfOrderRefused(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let first = Fixture.configuration(of: pipeline.id, version: 1)
        let second = Fixture.configuration(of: pipeline.id, version: 2)
        try await t.must("appendConfiguration(version 2)") { try await store.appendConfiguration(second) }
        let before = try t.require(await store.pipeline(pipeline.id), "pipeline(churn) after appending version 2")

        var stale = Fixture.configuration(of: pipeline.id, version: 2, savedAt: Fixture.date(2_000))
        stale.configuration.preferences.description = "someone else's version 2"
        for (label, attempt) in [("a second version 2", stale), ("version 4 (a gap)", Fixture.configuration(of: pipeline.id, version: 4)),
                                 ("version 1 again", Fixture.configuration(of: pipeline.id, version: 1, savedAt: Fixture.date(2_001)))] {
            await t.expectRefusal("appendConfiguration(\(label))",
                                  .versionConflict(pipeline: pipeline.id, attempted: attempt.version, current: 2)) {
                try await store.appendConfiguration(attempt)
            }
        }
        t.expectEqual(try await store.configurations(of: pipeline.id), [first, second], "configurations(of:) after the refused appends")
        t.expectEqual(try await store.configuration(of: pipeline.id, version: nil), second,
                      "configuration(of:version: nil) after the refused appends")
        t.expectEqual(try await store.pipeline(pipeline.id), before, "pipeline(churn) after the refused appends")

        let unknown = Fixture.pipelineID(99)
        await t.expectRefusal("appendConfiguration(to an unknown pipeline)", .notFound(id: unknown.rawValue)) {
            try await store.appendConfiguration(Fixture.configuration(of: unknown, version: 2))
        }
        t.expectEqual(try await store.configurations(of: unknown), [], "configurations(of: unknown pipeline) after the refused append")
    }

    /// `saveDatasets` stores and then replaces a pipeline's snapshot (bytes exact) when
    /// given the generation stored (nil: none), other pipelines have none, and an unknown
    /// pipeline is refused with `notFound`.
    static func datasetsSaveReplaceRead(_ t: CheckContext) async throws {
        let store = t.store
        let churn = try await addPipeline(t, number: 1, name: "churn")
        let fraud = try await addPipeline(t, number: 2, name: "fraud")
        t.expectEqual(try await store.datasets(of: churn.id), nil, "datasets(of: churn) before any save")
        let first = Fixture.datasets(of: churn.id, generation: 1)
        try await t.must("saveDatasets(generation 1, replacing: nil)") { try await store.saveDatasets(first, replacing: nil) }
        t.expectEqual(try await store.datasets(of: churn.id), first, "datasets(of: churn) after saving generation 1")
        let second = Fixture.datasets(of: churn.id, generation: 2)
        try await t.must("saveDatasets(generation 2, replacing: 1)") { try await store.saveDatasets(second, replacing: 1) }
        t.expectEqual(try await store.datasets(of: churn.id), second, "datasets(of: churn) after saving generation 2")
        t.expectEqual(try await store.datasets(of: fraud.id), nil, "datasets(of: fraud), never saved")

        let unknown = Fixture.pipelineID(99)
        await t.expectRefusal("saveDatasets(of an unknown pipeline)", .notFound(id: unknown.rawValue)) {
            try await store.saveDatasets(Fixture.datasets(of: unknown, generation: 1), replacing: nil)
        }
        t.expectEqual(try await store.datasets(of: unknown), nil, "datasets(of: unknown pipeline) after the refused save")
    }

    /// Parts handed over in chunks of any size (here 300,007 bytes for a training part of
    /// 2.5 MiB, one byte for the testing part) read back with the same bytes, whatever
    /// chunks the store returns them in; so do empty parts.
    static func datasetsInChunks(_ t: CheckContext) async throws {
        let store = t.store
        let churn = try await addPipeline(t, number: 1, name: "churn")
        let large = (0..<(5 << 19) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
        let snapshot = DatasetSnapshot(
            pipelineID: churn.id, generation: 1, ledger: ChunkedBytes(Array("MLDL in chunks".utf8), chunkSize: 4),
            training: ChunkedBytes(large, chunkSize: 300_007), testing: ChunkedBytes((0...255).map { UInt8($0) }, chunkSize: 1),
            savedAt: Fixture.date(600))
        try await t.must("saveDatasets(parts in chunks, replacing: nil)") { try await store.saveDatasets(snapshot, replacing: nil) }
        t.expectEqual(try await store.datasets(of: churn.id), snapshot, "datasets(of: churn), saved in chunks")
        let empty = DatasetSnapshot(pipelineID: churn.id, generation: 2, ledger: ChunkedBytes(), training: ChunkedBytes(),
                                    testing: ChunkedBytes(), savedAt: Fixture.date(601))
        try await t.must("saveDatasets(empty parts, replacing: 1)") { try await store.saveDatasets(empty, replacing: 1) }
        t.expectEqual(try await store.datasets(of: churn.id), empty, "datasets(of: churn), empty parts")
    }

    /// `datasets(of:rows:)` returns the ledger with only the row parts asked for (the
    /// others nil), bytes exact; a snapshot without its training or testing part is
    /// refused with `incompleteDatasets` and changes nothing.
    static func datasetsPartialReads(_ t: CheckContext) async throws {
        let store = t.store
        let churn = try await addPipeline(t, number: 1, name: "churn")
        let whole = Fixture.datasets(of: churn.id, generation: 1)
        try await t.must("saveDatasets(generation 1, replacing: nil)") { try await store.saveDatasets(whole, replacing: nil) }
        for (label, rows) in [("[]", []), (".training", .training), (".testing", .testing), (".all", .all)] as [(String, DatasetRows)] {
            var expected = whole
            if !rows.contains(.training) { expected.training = nil }
            if !rows.contains(.testing) { expected.testing = nil }
            t.expectEqual(try await store.datasets(of: churn.id, rows: rows), expected, "datasets(of: churn, rows: \(label))")
        }
        for (label, part) in [("training", \DatasetSnapshot.training), ("testing", \DatasetSnapshot.testing)] {
            var incomplete = Fixture.datasets(of: churn.id, generation: 2)
            incomplete[keyPath: part] = nil
            await t.expectRefusal("saveDatasets(a snapshot without its \(label) rows)", .incompleteDatasets(pipeline: churn.id)) {
                try await store.saveDatasets(incomplete, replacing: 1)
            }
        }
        t.expectEqual(try await store.datasets(of: churn.id), whole, "datasets(of: churn) after the refused saves")
    }

    /// The compare-and-swap of `saveDatasets`: a save whose `replacing` generation is not
    /// the stored one (nil while one is stored, an old one, a newer one, one while none is
    /// stored) is refused with `datasetConflict(expected: replacing, found: stored)` and
    /// changes nothing; 8 racing saves that all read generation 1 leave exactly one winner,
    /// the others refused naming generation 1 as expected.
    static func datasetsCompareAndSwap(_ t: CheckContext) async throws {
        let store = t.store
        let churn = try await addPipeline(t, number: 1, name: "churn")
        let fraud = try await addPipeline(t, number: 2, name: "fraud")
        await t.expectRefusal("saveDatasets(generation 1, replacing: 3) while none is stored",
                              .datasetConflict(pipeline: fraud.id, expected: 3, found: nil)) {
            try await store.saveDatasets(Fixture.datasets(of: fraud.id, generation: 1), replacing: 3)
        }
        t.expectEqual(try await store.datasets(of: fraud.id), nil, "datasets(of: fraud) after the refused save")

        let first = Fixture.datasets(of: churn.id, generation: 1)
        try await t.must("saveDatasets(generation 1, replacing: nil)") { try await store.saveDatasets(first, replacing: nil) }
        for (label, previous) in [("nil (a stale first generation)", nil), ("0", 0), ("2", 2)] as [(String, Int?)] {
            await t.expectRefusal("saveDatasets(generation 2, replacing: \(label)) while generation 1 is stored",
                                  .datasetConflict(pipeline: churn.id, expected: previous, found: 1)) {
                try await store.saveDatasets(Fixture.datasets(of: churn.id, generation: 2), replacing: previous)
            }
        }
        t.expectEqual(try await store.datasets(of: churn.id), first, "datasets(of: churn) after the refused saves")

        let candidates = (0..<racers).map { racer in
            DatasetSnapshot(pipelineID: churn.id, generation: 2, ledger: Data("racer \(racer)".utf8), training: Data("training \(racer)".utf8),
                            testing: Data("testing \(racer)".utf8), savedAt: Fixture.date(900))
        }
        let gate = StartingGate(count: racers)
        let results = await withTaskGroup(of: (DatasetSnapshot, (any Error)?).self) { group in
            for candidate in candidates {
                group.addTask {
                    await gate.arrive()
                    do {
                        try await store.saveDatasets(candidate, replacing: 1)
                        return (candidate, nil)
                    } catch {
                        return (candidate, error)
                    }
                }
            }
            var results: [(DatasetSnapshot, (any Error)?)] = []
            for await result in group { results.append(result) }
            return results
        }
        let winners = results.filter { $0.1 == nil }.map(\.0)
        t.expectEqual(winners.count, 1, "racing saveDatasets(generation 2, replacing: 1) ×\(racers): winners")
        let conflict = ExpectedRefusal.datasetConflict(pipeline: churn.id, expected: 1, found: 2)
        for case let (_, error?) in results {
            if let storeError = error as? StoreError, conflict.matches(storeError) { continue }
            t.fail("racing saveDatasets(replacing: 1): a loser expected \(conflict), got \(Difference.describe(error: error))")
        }
        if let winner = winners.first {
            t.expectEqual(try await store.datasets(of: churn.id), winner, "datasets(of: churn) after the race: the winner's snapshot")
        }
    }
}
