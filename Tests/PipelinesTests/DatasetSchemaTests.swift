import Foundation
import Pipelines
import PipelinesSQLite
import Tabular
import Testing

/// The datasets' schema (fixed by the first generation) and errors that name the source
/// row: file and line for CSV sources, key values for stored rows. On both backends, a
/// refused run leaves datasets, configuration versions and models exactly as they were.
@Suite("Dataset schema and row-naming errors")
struct DatasetSchemaTests {
    /// `id,x,color,y` with 30 rows; `cell(row)` overrides x's text in data row `row`.
    static func writeCSV(_ url: URL, ids: Range<Int> = 0..<30, cell: (Int) -> String? = { _ in nil }) throws {
        var lines = ["id,x,color,y"]
        for id in ids {
            let x = cell(id) ?? String(id % 10)
            lines.append("\(id),\(x),\(["red", "blue"][id % 2]),\(3 * (id % 10) + (id % 2 == 0 ? 5 : 0))")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    /// What a refused run must not change.
    struct State: Equatable {
        var datasets: DatasetSnapshot?
        var versions: [Int]
        var models: [ModelID]
        var runs: Int

        init(_ pipeline: Pipeline, _ store: any PipelineStorage) async throws {
            datasets = try await store.datasets(of: pipeline.id)
            versions = try await pipeline.configurationHistory().map(\.version)
            models = try await pipeline.models().map(\.id)
            runs = try await pipeline.runs().count
        }
    }

    /// A store of `backend` in `directory`, its workspace, a pipeline configured on `d.csv`
    /// (written), and that file.
    static func configuredPipeline(
        _ backend: ReliabilityBackend, in directory: URL
    ) async throws -> (store: any PipelineStorage, workspace: Workspace, pipeline: Pipeline, csv: URL) {
        let store = try await backend.makeStore(in: directory)
        let workspace = Workspace(store: store, baseDirectory: directory)
        let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "P")
        let csv = directory.appendingPathComponent("d.csv")
        try writeCSV(csv)
        try await configure(pipeline)
        return (store, workspace, pipeline, csv)
    }

    static func configure(_ pipeline: Pipeline, missing: MissingValues = MissingValues()) async throws {
        try await pipeline.configure { config in
            config.dataset = DatasetStep(
                training: .csv(path: "d.csv"), split: RandomSplit(testFraction: 0.2, seed: 1), label: "y", keys: ["id"], missing: missing)
            config.training = TrainingStep(estimator: "LinearRegression", validation: .none, scores: [ScoreSetting("r2", primary: true)])
        }
    }

    @Test("a cell of another type than the schema's: refused with file, line, column, value and type; nothing changes",
          arguments: ReliabilityBackend.available)
    func schemaViolation(backend: ReliabilityBackend) async throws {
        try await withTemporaryDirectory { directory in
            let (store, _, pipeline, csv) = try await Self.configuredPipeline(backend, in: directory)
            #expect(try await pipeline.datasetSchema() == nil)
            let first = try await pipeline.run(jobs: [.datasetGeneration, .training]).result()
            #expect(first.status == .succeeded, "\(first.outcomes)")
            let schema = try #require(try await pipeline.datasetSchema())
            #expect(schema.columns.map(\.name).sorted() == ["color", "id", "x", "y"])
            #expect(schema["x"] == .integer && schema["color"] == .categorical)

            // `abc` in the integer column x (id 12 is on line 14, x in column 2).
            try Self.writeCSV(csv, cell: { $0 == 12 ? "abc" : nil })
            let before = try await State(pipeline, store)
            await expectPipelineError({ _ = try await pipeline.run(jobs: [.datasetGeneration, .training]) }) { error in
                guard case .invalidConfiguration(_, let problems) = error, problems.count == 1 else { return false }
                return problems[0].path == "dataset.training"
                    && problems[0].message.contains("d.csv:14:2: 'abc' is not a valid integer value for column 'x'")
            }
            // A changed configuration reading it is not saved either.
            await expectPipelineError({ try await Self.configure(pipeline, missing: MissingValues(features: ["x": .median])) }) { error in
                guard case .invalidConfiguration(_, let problems) = error else { return false }
                return problems.contains { $0.message.contains("d.csv:14:2: 'abc'") }
            }
            #expect(try await State(pipeline, store) == before)

            // integer → numeric widens: 1.5 is fine, and the schema's x becomes numeric.
            try Self.writeCSV(csv, ids: 0..<40, cell: { $0 == 35 ? "1.5" : nil })
            let widened = try await pipeline.run(jobs: [.datasetGeneration]).result()
            #expect(widened.status == .succeeded, "\(widened.outcomes)")
            #expect(try await pipeline.datasetSchema()?["x"] == .numeric)

            // Only a reset changes the schema.
            try Self.writeCSV(csv, cell: { $0 == 12 ? "abc" : nil })
            try await pipeline.resetDatasets()
            #expect(try await pipeline.datasetSchema() == nil)
            let again = try await pipeline.run(jobs: [.datasetGeneration]).result()
            #expect(again.status == .succeeded, "\(again.outcomes)")
            #expect(try await pipeline.datasetSchema()?["x"] == .categorical)
        }
    }

    @Test("a missing feature under policy error is refused naming file and line; median imputes",
          arguments: ReliabilityBackend.available)
    func missingFeature(backend: ReliabilityBackend) async throws {
        try await withTemporaryDirectory { directory in
            let (store, workspace, pipeline, csv) = try await Self.configuredPipeline(backend, in: directory)
            #expect(try await pipeline.run(jobs: [.datasetGeneration, .training]).result().status == .succeeded)

            // `nan` for id 27: line 29.
            try Self.writeCSV(csv, cell: { $0 == 27 ? "nan" : nil })
            let before = try await State(pipeline, store)
            await expectPipelineError({ _ = try await pipeline.run(jobs: [.datasetGeneration, .training, .testing]) }) { error in
                guard case .invalidConfiguration(_, let problems) = error, problems.count == 1 else { return false }
                return problems[0].message.hasSuffix(
                    "d.csv:29: feature 'x' is missing (policy error); set dataset.missing to impute it")
            }
            #expect(try await State(pipeline, store) == before)
            let current = try await pipeline.configuration().configuration
            #expect(await workspace.problems(in: current).count == 1)

            try await Self.configure(pipeline, missing: MissingValues(features: ["x": .median]))
            let imputed = try await pipeline.run(jobs: [.datasetGeneration, .training, .testing]).result()
            #expect(imputed.status == .succeeded, "\(imputed.outcomes)")
        }
    }

    @Test("rows of a CSV source without a label are refused naming their lines; nothing is stored")
    func missingLabelLines() async throws {
        let directory = try TemporaryDirectory("label-lines")
        defer { directory.remove() }
        let store = InMemoryStore()
        let workspace = Workspace(store: store, baseDirectory: directory.url)
        let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "P")
        var lines = ["id,x,color,y"]
        for id in 0..<30 { lines.append("\(id),\(id % 10),red,\(id == 4 || id == 20 ? "NA" : String(id))") }
        try lines.joined(separator: "\n").write(to: directory.url.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        await expectPipelineError({ try await Self.configure(pipeline) }) { error in
            guard case .invalidConfiguration(_, let problems) = error else { return false }
            return problems.contains {
                $0.message.hasSuffix("d.csv:6: 2 row(s) have no 'y' (lines 6, 22); fill them in, or set the dataset's missing labels policy to drop them")
            }
        }
        #expect(try await pipeline.configurationHistory().isEmpty)
        #expect(try await store.datasets(of: pipeline.id) == nil)
    }

    @Test("an error about a stored row names the row by its key values, never by an index")
    func storedRowsByKey() async throws {
        let directory = try TemporaryDirectory("row-keys")
        defer { directory.remove() }
        let workspace = Workspace(store: InMemoryStore(), baseDirectory: directory.url)
        let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "P")
        let csv = directory.url.appendingPathComponent("d.csv")
        // Rows with a missing x enter the testing set under the median policy…
        try Self.writeCSV(csv, cell: { $0 % 2 == 1 ? "" : nil })
        try await Self.configure(pipeline, missing: MissingValues(features: ["x": .median]))
        #expect(try await pipeline.run(jobs: [.datasetGeneration]).result().status == .succeeded)
        // …then the policy becomes error with new, complete rows: testing meets a stored row with x missing.
        try Self.writeCSV(csv, ids: 100..<130)
        try await Self.configure(pipeline)
        let record = try await pipeline.run(jobs: [.datasetGeneration, .training, .testing]).result()
        #expect(record.status == .failed)
        let message = record.error ?? ""
        #expect(message.contains("testing row (id=") && message.contains("feature 'x' is missing (policy error)"), "\(message)")
        #expect(!message.contains("at row"), "\(message)")
    }
}
