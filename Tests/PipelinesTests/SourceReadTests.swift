import Foundation
@testable import Pipelines
import PipelinesSQLite
import Tabular
import Testing

/// Sources are parsed at most once per run, and not at all by a run without dataset
/// generation; checks reuse a source's fingerprint while the file is unchanged (by stamp,
/// else by SHA-256) and read it again when it changed.
@Suite("Source reads: once per run, none without dataset generation, fingerprints")
struct SourceReadTests {
    /// `id,x,y` with y = 2x + 11 (always two digits), so replacing a y by `NA` keeps the size.
    static func writeCSV(_ url: URL, rows: Int = 40, first: Int = 0, y: (Int) -> String? = { _ in nil }) throws {
        var lines = ["id,x,y"]
        for id in first..<(first + rows) { lines.append("\(id),\(id % 10),\(y(id) ?? String(2 * (id % 10) + 11))") }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    static func configure(
        _ pipeline: Pipeline, testing: String? = nil, missing: MissingValues = MissingValues(), description: String = ""
    ) async throws {
        try await pipeline.configure { config in
            config.dataset = DatasetStep(
                training: .csv(path: "d.csv"), testing: testing.map { .csv(path: $0) }, split: RandomSplit(testFraction: 0.2, seed: 1),
                label: "y", keys: ["id"], missing: missing)
            config.training = TrainingStep(estimator: "LinearRegression", validation: .none, scores: [ScoreSetting("r2", primary: true)])
            config.preferences.description = description
        }
    }

    /// A workspace on `store` resolving paths in `directory`, counting parses of CSV files.
    static func workspace(_ store: any PipelineStorage, _ directory: URL, cache: SourceCache = SourceCache()) -> Workspace {
        SourceLoader.startCountingReads()
        return Workspace(store: store, baseDirectory: directory, sourceCache: cache)
    }

    static func reads(_ directory: URL, _ file: String = "d.csv") -> Int {
        SourceLoader.reads(ofFileAt: directory.appendingPathComponent(file).path)
    }

    @Test("configure, then a run of all jobs: each source (training and testing) is parsed once", arguments: ReliabilityBackend.available)
    func configureAndRunReadOnce(backend: ReliabilityBackend) async throws {
        try await withTemporaryDirectory { directory in
            try Self.writeCSV(directory.appendingPathComponent("d.csv"))
            try Self.writeCSV(directory.appendingPathComponent("t.csv"), rows: 10, first: 100)
            let cache = SourceCache()
            let workspace = Self.workspace(try await backend.makeStore(in: directory), directory, cache: cache)
            let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "P")
            try await Self.configure(pipeline, testing: "t.csv")
            #expect(Self.reads(directory) == 1 && Self.reads(directory, "t.csv") == 1)
            #expect(cache.keptTables == 2)
            let record = try await pipeline.run().result()
            #expect(record.status == .succeeded, "\(record.outcomes)")
            #expect(Self.reads(directory) == 1 && Self.reads(directory, "t.csv") == 1)
            #expect(cache.statistics.reads == 2 && cache.statistics.reuses == 2)
            #expect(cache.keptTables == 0, "a run takes the tables it uses")
            // The saved version holds both fingerprints.
            let saved = try await pipeline.configuration()
            #expect(saved.sources?.map { URL(fileURLWithPath: $0.path).lastPathComponent }.sorted() == ["d.csv", "t.csv"])
            #expect(saved.sources?.first { $0.path.hasSuffix("d.csv") }?.rowCount == 40)

            // A second run with dataset generation parses once (nothing kept), the check and the job sharing it.
            let again = try await pipeline.run(jobs: [.datasetGeneration, .training]).result()
            #expect(again.status == .succeeded, "\(again.outcomes)")
            #expect(Self.reads(directory) == 2 && Self.reads(directory, "t.csv") == 2)
        }
    }

    @Test("a run without dataset generation parses nothing, even with the source gone; it is checked against the datasets")
    func runWithoutGenerationReadsNothing() async throws {
        try await withTemporaryDirectory { directory in
            try Self.writeCSV(directory.appendingPathComponent("d.csv"))
            let store = try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path)
            let first = Self.workspace(store, directory)
            let pipeline = try await first.createRepository(named: "R").createPipeline(named: "P")
            try await Self.configure(pipeline)
            #expect(try await pipeline.run(jobs: [.datasetGeneration]).result().status == .succeeded)

            // Another process: no cache, and no source file at all.
            try FileManager.default.removeItem(at: directory.appendingPathComponent("d.csv"))
            let cache = SourceCache()
            let second = Self.workspace(try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path), directory, cache: cache)
            let handle = try await second.pipeline(pipeline.id)
            let record = try await handle.run(jobs: [.training, .testing]).result()
            #expect(record.status == .succeeded, "\(record.outcomes)")
            #expect(Self.reads(directory) == 1)
            #expect(cache.statistics == SourceCache.Statistics())

            // The dataset step must agree with the datasets: a label they lack refuses the run.
            var wrong = try await handle.configuration().configuration
            wrong.dataset.label = "z"
            let validator = ConfigurationValidator(estimators: .standard, scores: .standard)
            let problems = validator.problems(in: wrong, datasets: try await handle.datasetSchema())
            #expect(problems.map(\.path) == ["dataset.label"], "\(problems)")
            #expect(problems.first?.message.contains("not a column of the datasets") == true, "\(problems)")
            // Excluding a column the datasets never held is no problem.
            wrong.dataset.label = "y"
            wrong.dataset.features = .all(excluding: ["not_stored"])
            #expect(validator.problems(in: wrong, datasets: try await handle.datasetSchema()).isEmpty)
        }
    }

    @Test("a description-only configure in a new workspace over the same store parses nothing (stamp, then hash)")
    func descriptionOnlyConfigure() async throws {
        try await withTemporaryDirectory { directory in
            let csv = directory.appendingPathComponent("d.csv")
            try Self.writeCSV(csv)
            let path = directory.appendingPathComponent("store.sqlite").path
            // A zero settling time: the stamp just taken is trusted (the file was written before).
            let first = Self.workspace(try SQLiteStore(path: path), directory, cache: SourceCache(settlingTime: .zero))
            let pipeline = try await first.createRepository(named: "R").createPipeline(named: "P")
            try await Self.configure(pipeline)
            #expect(Self.reads(directory) == 1)

            let settled = SourceCache(settlingTime: .zero)
            let second = Self.workspace(try SQLiteStore(path: path), directory, cache: settled)
            try await Self.configure(try await second.pipeline(pipeline.id), description: "nightly")
            #expect(Self.reads(directory) == 1)
            #expect(settled.statistics.hashes == 0 && settled.statistics.reuses == 1, "\(settled.statistics)")
            #expect(try await second.pipeline(pipeline.id).configuration().version == 2)

            // A stamp taken within the settling time after the file's last change (an hour, here)
            // is confirmed by the file's hash: still no parse.
            let fresh = SourceCache(settlingTime: .seconds(3_600))
            let third = Self.workspace(try SQLiteStore(path: path), directory, cache: fresh)
            try await Self.configure(try await third.pipeline(pipeline.id), description: "hourly")
            #expect(Self.reads(directory) == 1)
            #expect(fresh.statistics.hashes == 1 && fresh.statistics.reuses == 1, "\(fresh.statistics)")
            // The version saved carries the fingerprint forward.
            #expect(try await third.pipeline(pipeline.id).configuration().sources?.first?.sha256.count == 64)
        }
    }

    @Test("a file changed with the same size and modification time is read again, and its new problem reported")
    func changedContentSameSize() async throws {
        try await withTemporaryDirectory { directory in
            let csv = directory.appendingPathComponent("d.csv")
            try Self.writeCSV(csv)
            let workspace = Self.workspace(InMemoryStore(), directory, cache: SourceCache(settlingTime: .zero))
            let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "P")
            try await Self.configure(pipeline)
            let size = try #require(try FileManager.default.attributesOfItem(atPath: csv.path)[.size] as? Int)
            let modified = try #require(try FileManager.default.attributesOfItem(atPath: csv.path)[.modificationDate] as? Date)

            // id 6's label (line 8) becomes missing: "23" → "NA".
            try Self.writeCSV(csv, y: { $0 == 6 ? "NA" : nil })
            try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: csv.path)
            #expect(try FileManager.default.attributesOfItem(atPath: csv.path)[.size] as? Int == size)
            await expectPipelineError({ try await Self.configure(pipeline, description: "changed") }) { error in
                guard case .invalidConfiguration(_, let problems) = error else { return false }
                return problems.contains { $0.path == "dataset.training" && $0.message.contains("d.csv:8") && $0.message.contains("'y'") }
            }
            #expect(Self.reads(directory) == 2)
            #expect(try await pipeline.configuration().version == 1)
        }
    }

    @Test("a touched or re-written file with the same content is hashed, not parsed")
    func touchedFileIsNotParsed() async throws {
        try await withTemporaryDirectory { directory in
            let csv = directory.appendingPathComponent("d.csv")
            try Self.writeCSV(csv)
            let cache = SourceCache(settlingTime: .zero)
            let workspace = Self.workspace(InMemoryStore(), directory, cache: cache)
            let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "P")
            try await Self.configure(pipeline)
            // `touch`
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: csv.path)
            #expect(try await pipeline.problems(in: try await pipeline.configuration().configuration).isEmpty)
            // A checkout of the same content: a new file (a new inode), the same bytes.
            try Self.writeCSV(csv)
            try await Self.configure(pipeline, description: "checked out again")
            #expect(Self.reads(directory) == 1)
            #expect(cache.statistics.hashes == 2 && cache.statistics.reads == 1, "\(cache.statistics)")
            // The run takes the table the first check kept: the content is still the same.
            #expect(try await pipeline.run(jobs: [.datasetGeneration]).result().status == .succeeded)
            #expect(Self.reads(directory) == 1)
        }
    }

    @Test("a source that vanished or lost a column is reported as before")
    func vanishedOrChangedColumns() async throws {
        try await withTemporaryDirectory { directory in
            let csv = directory.appendingPathComponent("d.csv")
            try Self.writeCSV(csv)
            let workspace = Self.workspace(InMemoryStore(), directory)
            let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "P")
            try await Self.configure(pipeline)

            try FileManager.default.removeItem(at: csv)
            await expectPipelineError({ try await Self.configure(pipeline, description: "gone") }) { error in
                guard case .invalidConfiguration(_, let problems) = error else { return false }
                return problems.map(\.path) == ["dataset.training"] && problems[0].message.contains("cannot read")
            }
            // A directory where the file was.
            try FileManager.default.createDirectory(at: csv, withIntermediateDirectories: false)
            await expectPipelineError({ try await Self.configure(pipeline, description: "a directory") }) { error in
                guard case .invalidConfiguration(_, let problems) = error else { return false }
                return problems.map(\.path) == ["dataset.training"]
            }
            try FileManager.default.removeItem(at: csv)

            // The file again, without its x column (x was the only feature).
            try "id,y\n1,11\n2,13\n3,15\n4,17\n5,19\n".write(to: csv, atomically: true, encoding: .utf8)
            await expectPipelineError({ try await Self.configure(pipeline, description: "no x") }) { error in
                guard case .invalidConfiguration(_, let problems) = error else { return false }
                return problems.contains { $0.path == "dataset.features" && $0.message.contains("no feature columns") }
            }
            // The run of the saved version reads it again too, and refuses.
            await expectPipelineError({ _ = try await pipeline.run(jobs: [.datasetGeneration]) }) { error in
                guard case .invalidConfiguration = error else { return false }
                return true
            }
        }
    }

    @Test("a fingerprint that says a row may be refused reads the file again, to name the row")
    func possibleRowProblemReadsAgain() async throws {
        try await withTemporaryDirectory { directory in
            let csv = directory.appendingPathComponent("d.csv")
            // x of id 9 (line 11) is missing; imputed by the median, it is no problem.
            var lines = ["id,x,y"] + (0..<30).map { "\($0),\($0 == 9 ? "" : String($0 % 10)),\(2 * ($0 % 10) + 11)" }
            lines.append("")
            try lines.joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
            let cache = SourceCache()
            let workspace = Self.workspace(InMemoryStore(), directory, cache: cache)
            let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "P")
            try await Self.configure(pipeline, missing: MissingValues(default: .median))
            #expect(cache.fingerprint(ofFileAt: csv.path)?.columnsWithMissingValues == ["x"])
            // Unrelated change: no parse.
            try await Self.configure(pipeline, missing: MissingValues(default: .median), description: "d")
            #expect(Self.reads(directory) == 1)
            // The policy `error` for x: the fingerprint says x has a missing value: read, and the line named.
            await expectPipelineError({ try await Self.configure(pipeline, missing: MissingValues(default: .error)) }) { error in
                guard case .invalidConfiguration(_, let problems) = error else { return false }
                return problems.contains { $0.message.contains("d.csv:11: feature 'x' is missing") }
            }
            #expect(Self.reads(directory) == 2)
        }
    }

    @Test("workspaces sharing a cache parse once: a scratch check, the configuration with the datasets' schema, the run")
    func sharedCacheAcrossWorkspaces() async throws {
        try await withTemporaryDirectory { directory in
            try Self.writeCSV(directory.appendingPathComponent("d.csv"))
            let path = directory.appendingPathComponent("store.sqlite").path
            let setup = Self.workspace(try SQLiteStore(path: path), directory)
            let pipeline = try await setup.createRepository(named: "R").createPipeline(named: "P")
            try await Self.configure(pipeline)
            #expect(try await pipeline.run(jobs: [.datasetGeneration]).result().status == .succeeded)
            #expect(try await pipeline.datasetSchema() != nil)
            try Self.writeCSV(directory.appendingPathComponent("d.csv"), rows: 50)  // new rows
            let before = Self.reads(directory)

            // As `mlpipe run` does: a scratch check (no schema), then the real workspace.
            let cache = SourceCache()
            let scratch = Self.workspace(InMemoryStore(), directory, cache: cache)
            let real = Self.workspace(try SQLiteStore(path: path), directory, cache: cache)
            let handle = try await real.pipeline(pipeline.id)
            var configuration = try await handle.configuration().configuration
            configuration.preferences.description = "more rows"
            #expect(await scratch.problems(in: configuration).isEmpty)
            try await Self.configure(handle, description: "more rows")
            let record = try await handle.run().result()
            #expect(record.status == .succeeded, "\(record.outcomes)")
            #expect(Self.reads(directory) == before + 1)
            #expect(cache.statistics.reads == 1, "\(cache.statistics)")
        }
    }

    @Test("at most tableLimit tables are kept; with none kept, a run parses its source itself")
    func keptTablesAreBounded() async throws {
        try await withTemporaryDirectory { directory in
            let cache = SourceCache(tableLimit: 1)
            let workspace = Self.workspace(InMemoryStore(), directory, cache: cache)
            let repository = try await workspace.createRepository(named: "R")
            for name in ["a", "b"] {
                try Self.writeCSV(directory.appendingPathComponent("\(name).csv"))
                let pipeline = try await repository.createPipeline(named: name)
                try await pipeline.configure { config in
                    config.dataset = DatasetStep(training: .csv(path: "\(name).csv"), split: RandomSplit(testFraction: 0.2, seed: 1), label: "y")
                    config.training = TrainingStep(estimator: "LinearRegression", validation: .none)
                }
            }
            #expect(cache.keptTables == 1)
            // a's table was dropped: its run parses it (once); b's is taken.
            #expect(try await repository.pipeline(named: "a").run(jobs: [.datasetGeneration]).result().status == .succeeded)
            #expect(try await repository.pipeline(named: "b").run(jobs: [.datasetGeneration]).result().status == .succeeded)
            #expect(Self.reads(directory, "a.csv") == 2 && Self.reads(directory, "b.csv") == 1)
            #expect(cache.keptTables == 0)
        }
    }

    @Test("configuration records without fingerprints still decode; with them they round-trip")
    func recordsDecodeWithAndWithoutSources() throws {
        let record = ConfigurationRecord(
            pipelineID: PipelineID(), version: 1, configuration: PipelineConfiguration(), hash: "h", savedAt: Date(timeIntervalSince1970: 0))
        let plain = try JSONEncoder().encode(record)
        #expect(!String(decoding: plain, as: UTF8.self).contains("sources"))
        #expect(try JSONDecoder().decode(ConfigurationRecord.self, from: plain) == record)
        var withSources = record
        withSources.sources = [SourceFingerprint(
            path: "/data/d.csv", stamp: .init(size: 10, modified: 1, statusChanged: 2, inode: 3), stampedAt: 4, sha256: "ab",
            reading: .init(CSVOptions(schema: ["x": .numeric])), schema: Schema([.init(name: "x", type: .numeric)]), rowCount: 2,
            columnsWithMissingValues: ["x"])]
        #expect(try JSONDecoder().decode(ConfigurationRecord.self, from: try JSONEncoder().encode(withSources)) == withSources)
    }

    @Test("a fingerprint answers only reads by the same rules and compatible types")
    func fingerprintCompatibility() {
        let schema = Schema([.init(name: "id", type: .integer), .init(name: "x", type: .numeric), .init(name: "c", type: .categorical)])
        let inferred = SourceFingerprint(
            path: "/d.csv", stamp: .init(size: 1, modified: 0, statusChanged: 0, inode: 1), stampedAt: 1, sha256: "", reading: .init(CSVOptions()),
            schema: schema, rowCount: 1, columnsWithMissingValues: [])
        let plain = SourceFingerprint.Reading(CSVOptions())
        #expect(inferred.answers(path: "/d.csv", reading: plain, integerColumns: []))
        #expect(!inferred.answers(path: "/e.csv", reading: plain, integerColumns: []))
        // The datasets' schema imposes the types the file was read as: the same read.
        #expect(inferred.answers(path: "/d.csv", reading: .init(CSVOptions(schema: ["x": .numeric, "c": .categorical])), integerColumns: ["id"]))
        // …another type: not the same read; an integer column read as text: an error to name.
        #expect(!inferred.answers(path: "/d.csv", reading: .init(CSVOptions(schema: ["id": .categorical])), integerColumns: []))
        #expect(!inferred.answers(path: "/d.csv", reading: plain, integerColumns: ["c"]))
        // Other missing-value tokens or infinity rule: not the same read.
        #expect(!inferred.answers(path: "/d.csv", reading: .init(CSVOptions(missingValues: ["?"])), integerColumns: []))
        #expect(!inferred.answers(path: "/d.csv", reading: .init(CSVOptions(allowsInfinity: true)), integerColumns: []))
        // A read that imposed a type answers only reads imposing it again.
        var imposed = inferred
        imposed.reading = .init(CSVOptions(schema: ["x": .numeric]))
        #expect(!imposed.answers(path: "/d.csv", reading: plain, integerColumns: []))
        #expect(imposed.answers(path: "/d.csv", reading: .init(CSVOptions(schema: ["x": .numeric])), integerColumns: []))
    }
}
