import Foundation
import Pipelines
import Tabular
import Testing

/// Missing values and categories from a pipeline's configuration: imputation fitted on the
/// fitting rows and applied at every stage, unseen categories, missing labels.
@Suite("Missing values and categories in pipelines")
struct MissingValuesTests {
    /// 60 rows: y = 3·x + (10 on red, 0 on blue, -10 on green); every 7th x and every 11th
    /// color missing; `labelGaps` rows without a label.
    static func table(labelGaps: [Int] = []) throws -> Table {
        let colors = ["red", "blue", "green"]
        var x: [Double?] = [], color: [String?] = [], y: [Double?] = []
        for row in 0..<60 {
            let value = Double(row % 20)
            let category = colors[row % 3]
            x.append(row % 7 == 3 ? nil : value)
            color.append(row % 11 == 5 ? nil : category)
            let shift: Double = category == "red" ? 10 : category == "blue" ? 0 : -10
            y.append(labelGaps.contains(row) ? nil : 3 * value + shift)
        }
        return try Table([
            Column(name: "id", integer: Array(0..<60)), Column(name: "x", numeric: x), Column(name: "color", categorical: color),
            Column(name: "y", numeric: y),
        ])
    }

    static func configure(_ pipeline: Pipeline, table: Table, missing: MissingValues) async throws {
        try await pipeline.configure { config in
            config.dataset = DatasetStep(
                training: .table(table), split: RandomSplit(testFraction: 0.2, seed: 3), label: "y", keys: ["id"], missing: missing)
            config.training = TrainingStep(
                estimator: "LinearRegression", validation: .holdout(fraction: 0.2, seed: 1), scores: [ScoreSetting("r2", primary: true)])
        }
    }

    @Test("without a policy a missing feature is refused before any job, naming the row; nothing is saved")
    func refusedByDefault() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "P")
        await expectPipelineError({ try await Self.configure(pipeline, table: try Self.table(), missing: MissingValues()) }) { error in
            guard case .invalidConfiguration(_, let problems) = error, problems.count == 1 else { return false }
            return problems[0].path == "dataset.training"
                && problems[0].message.hasSuffix("row (id=3): feature 'x' is missing (policy error); set dataset.missing to impute it")
        }
        #expect(try await pipeline.configurationHistory().isEmpty)
        #expect(try await pipeline.models().isEmpty)
    }

    @Test("median and most-frequent imputation: fitted on the fitting rows, applied at testing and prediction")
    func imputation() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "P")
        let missing = MissingValues(features: ["x": .median, "color": .mostFrequent], unknownCategories: .error)
        try await Self.configure(pipeline, table: try Self.table(), missing: missing)
        let record = try await pipeline.run(jobs: [.datasetGeneration, .training, .testing]).result()
        #expect(record.status == .succeeded, "\(record.outcomes)")
        let model = try #require(try await pipeline.models().first)
        #expect(model.status == .tested)
        #expect((model.testingScore(named: "r2") ?? 0) > 0.8)

        try await pipeline.deployment.deploy(model.id)
        let loaded = try await pipeline.deployment.loadedModel()
        let encoder = loaded.bundle.featureEncoder
        guard case .numeric(let imputedX)? = encoder.features.first(where: { $0.name == "x" })?.encoding,
              case .oneHot(let categories, let imputedColor)? = encoder.features.first(where: { $0.name == "color" })?.encoding
        else {
            Issue.record("unexpected encodings \(encoder.features)")
            return
        }
        #expect(categories == ["blue", "green", "red"])
        #expect(imputedColor != nil && imputedX != nil)
        // A record with missing values is imputed exactly as a complete record with the
        // imputed values; the same holds for a table.
        let imputed = try await pipeline.deployment.predict([["x": nil, "color": nil]])
        let complete = try await pipeline.deployment.predict([["x": .numeric(imputedX ?? 0), "color": .categorical(imputedColor ?? "")]])
        #expect(imputed.values == complete.values)
        let table = try Table([Column(name: "x", numeric: [nil]), Column(name: "color", categorical: [nil])])
        #expect(try await pipeline.deployment.predict(table).values == imputed.values)
        // Unseen categories are refused by this configuration, naming the record and feature.
        await #expect(throws: PipelineError.invalidInput(record: 0, feature: "color", reason: "unknown category 'purple'")) {
            _ = try await pipeline.deployment.predict([["x": 1.0, "color": "purple"]])
        }
    }

    @Test("a training run on stored rows (read in place) names a refused row by its key, as from a decoded table")
    func storedRowRefusedByKey() async throws {
        let (workspace, store) = try Fixtures.workspaceAndStore()
        let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "P")
        try await Self.configure(pipeline, table: try Self.table(), missing: MissingValues(features: ["x": .median, "color": .mostFrequent]))
        let generated = try await pipeline.run(jobs: [.datasetGeneration]).result()
        #expect(generated.status == .succeeded, "\(generated.outcomes)")
        // The stored training rows keep their missing values; the first one missing x:
        let training = try #require(await store.datasets(of: pipeline.id)).decodedDatasets().training
        let x = try training.column(named: "x"), ids = try training.column(named: "id")
        let row = try #require((0..<training.rowCount).first { x.isMissing($0) })
        // Now x refuses missing values; the source no longer has any, the stored rows do.
        let complete = try Self.table().filter { !($0["x"].doubleValue == nil) }
        try await Self.configure(pipeline, table: complete, missing: MissingValues(features: ["color": .mostFrequent]))
        let trained = try await pipeline.run(jobs: [.training]).result()
        #expect(trained.status == .failed)
        let error = try #require(trained.outcomes.first?.error)
        #expect(error == "training row (id=\(ids[row].description)): feature 'x' is missing (policy error); set dataset.missing to impute it",
                "\(error)")
    }

    @Test("rows without a label: refused with their rows (nothing stored), or dropped and counted")
    func missingLabels() async throws {
        let (workspace, store) = try Fixtures.workspaceAndStore()
        let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "P")
        let gaps = [4, 9, 30]
        // Refused as soon as the source is checked: saving the configuration, or starting a run.
        await expectPipelineError({
            try await Self.configure(pipeline, table: try Self.table(labelGaps: gaps), missing: MissingValues(default: .median, features: ["color": .mostFrequent]))
        }) { error in
            guard case .invalidConfiguration(_, let problems) = error else { return false }
            return problems.contains { $0.path == "dataset.training" && $0.message.contains("3 row(s) have no 'y' (data rows 5, 10, 31)") }
        }
        #expect(try await pipeline.configurationHistory().isEmpty, "nothing saved")
        #expect(try await store.datasets(of: pipeline.id) == nil, "nothing stored")

        try await Self.configure(
            pipeline, table: try Self.table(labelGaps: gaps),
            missing: MissingValues(default: .median, features: ["color": .mostFrequent], labels: .drop))
        let dropped = try await pipeline.run(jobs: [.datasetGeneration, .training]).result()
        #expect(dropped.status == .succeeded, "\(dropped.outcomes)")
        #expect(dropped.outcomes.first?.summary.contains("3 row(s) without a label dropped") == true)
        let snapshot = try #require(await store.datasets(of: pipeline.id))
        let datasets = try snapshot.decodedDatasets()
        #expect(datasets.training.rowCount + datasets.testing.rowCount == 57)
    }

    @Test("policies that cannot apply are configuration problems at their key path")
    func invalidPolicies() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "P")
        let bad = MissingValues(default: .mean, features: ["colour": .median, "x": .constant("seven")])
        await expectPipelineError({ try await Self.configure(pipeline, table: try Self.table(), missing: bad) }) { error in
            guard case .invalidConfiguration(_, let problems) = error else { return false }
            let paths = Set(problems.map(\.path))
            return paths == ["dataset.missing.features.colour", "dataset.missing.features.x", "dataset.missing.default"]
        }
        #expect(try await pipeline.configurationHistory().isEmpty, "nothing saved")
    }
}

/// A CSV source read with the pipeline's own missing-value tokens and infinity rule.
@Suite("Reading sources with the pipeline's missing-value tokens")
struct SourceTokenTests {
    @Test("custom tokens read as missing and are imputed; 'inf' is an error naming file, line and column")
    func tokensAndInfinity() async throws {
        let directory = try TemporaryDirectory("tokens")
        defer { directory.remove() }
        var lines = ["id,x,y"]
        for row in 0..<30 { lines.append("\(row),\(row % 6 == 2 ? "?" : String(row)),\(2 * row + 1)") }
        try lines.joined(separator: "\n").write(to: directory.url.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        let workspace = Workspace(store: InMemoryStore(), baseDirectory: directory.url)
        let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "P")
        func configure(_ missing: MissingValues) async throws {
            try await pipeline.configure { config in
                config.dataset = DatasetStep(training: .csv(path: "d.csv"), split: RandomSplit(testFraction: 0.2, seed: 1), label: "y",
                                             keys: ["id"], missing: missing)
                config.training = TrainingStep(estimator: "LinearRegression", validation: .none)
            }
        }
        // Without "?" as a token the column is text: a regression on it is refused.
        await expectPipelineError({ try await configure(MissingValues(default: .median)) }) { error in
            guard case .invalidConfiguration = error else { return false }
            return true
        }
        try await configure(MissingValues(default: .median, tokens: ["?"]))
        let record = try await pipeline.run(jobs: [.datasetGeneration, .training]).result()
        #expect(record.status == .succeeded, "\(record.outcomes)")

        lines[5] = "4,inf,9"
        try lines.joined(separator: "\n").write(to: directory.url.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        // The run is refused before any job: the problem names file:line:column and the value.
        await expectPipelineError({ _ = try await pipeline.run(jobs: [.datasetGeneration]) }) { error in
            guard case .invalidConfiguration(_, let problems) = error else { return false }
            return problems.count == 1 && problems[0].path == "dataset.training"
                && problems[0].message.contains("d.csv:6:2: 'inf' in numeric column 'x'")
        }
        #expect(try await pipeline.runs().count == 1, "the refused run is not recorded")
    }
}
