import Estimators
import Foundation
import LinearAlgebra
import Pipelines
import PipelinesSpec
import Tabular
import Testing

/// The penguins example (`Examples/Penguins`): text categoricals (island, sex), `NA` cells,
/// one-hot features, median and most-frequent imputation, from its spec file, end to end;
/// and its testing accuracy against scikit-learn's on the same split.
///
/// Fixtures: `penguins_split.json` (the training and testing ids of the spec's seeded split;
/// rewrite it with `PENGUINS_WRITE_SPLIT=/path/penguins_split.json swift test --filter
/// PenguinsTests`) and `penguins_reference.json` (written by
/// `Scripts/reference/penguins_reference.py` from that split).
@Suite("Penguins: categoricals and missing values from a spec, against scikit-learn")
struct PenguinsTests {
    /// `Examples/Penguins` of this repository.
    static var exampleDirectory: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Examples/Penguins")
    }

    static let numericFeatures = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    static let species: Set<Value> = ["Adelie", "Chinstrap", "Gentoo"]

    /// The committed split: the ids of the training and testing rows.
    struct Split: Codable, Equatable {
        var spec: String
        var training: [Int]
        var testing: [Int]
    }

    /// What `Scripts/reference/penguins_reference.py` measured with scikit-learn.
    struct Reference: Decodable {
        var sklearn: String
        var trainingRows: Int
        var testingRows: Int
        var accuracy: Double
        var f1Macro: Double
        /// The fitted `SimpleImputer` statistics, by feature.
        var imputation: [String: ImputedValue]
        /// The predicted species of each testing id.
        var predictions: [String: String]

        enum CodingKeys: String, CodingKey {
            case sklearn, accuracy, imputation, predictions
            case trainingRows = "training_rows", testingRows = "testing_rows", f1Macro = "f1_macro"
        }
    }

    enum ImputedValue: Decodable, Equatable {
        case number(Double)
        case category(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else {
                self = .category(try container.decode(String.self))
            }
        }
    }

    /// A fixture of the pipeline tests, decoded; a missing or unreadable fixture fails the test.
    static func fixture<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let url = try Fixtures.directory.appendingPathComponent(name)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw FixtureError.missing("\(name) (\(url.path)): \(error)")
        }
        return try JSONDecoder().decode(T.self, from: data)
    }

    /// The spec, read by `PipelineSpec.load`.
    static func spec() throws -> PipelineSpec {
        try PipelineSpec.load(contentsOf: exampleDirectory.appendingPathComponent("spec.yaml"))
    }

    /// A pipeline configured from the spec on an in-memory store (base directory: the
    /// example's folder), after a run of `jobs`, with the store and the run's record.
    static func run(
        jobs: [JobKind] = JobKind.allCases
    ) async throws -> (pipeline: Pipeline, store: InMemoryStore, record: RunRecord) {
        let spec = try spec()
        let clock = ManualWallClock(now: Fixtures.start)
        let store = InMemoryStore(clock: clock)
        let workspace = Workspace(store: store, clock: clock, baseDirectory: exampleDirectory)
        let pipeline = try await workspace.createRepository(named: spec.repository).createPipeline(named: spec.pipeline)
        try await pipeline.configure { $0 = spec.configuration }
        let record = try await pipeline.run(jobs: jobs).result()
        return (pipeline, store, record)
    }

    /// The ids of a dataset table's rows, sorted.
    static func ids(_ table: Table) throws -> [Int] {
        let column = try table.column(named: "id")
        var ids: [Int] = []
        for row in 0..<column.count {
            guard case .integer(let id) = column[row] else {
                throw FixtureError.missing("row \(row) of the datasets has id \(column[row]), not an integer")
            }
            ids.append(id)
        }
        return ids.sorted()
    }

    /// The split the pipeline's dataset generation made.
    static func split(in store: InMemoryStore, of pipeline: Pipeline) async throws -> Split {
        let snapshot = try #require(await store.datasets(of: pipeline.id), "no datasets were stored")
        let datasets = try snapshot.decodedDatasets()
        #expect(datasets.validationIndices.isEmpty, "validation: none keeps every training row for fitting")
        return Split(spec: "Examples/Penguins/spec.yaml", training: try ids(datasets.training), testing: try ids(datasets.testing))
    }

    @Test("the spec parses: six features, year left out, median and most-frequent imputation, no validation holdout")
    func specParses() throws {
        let spec = try Self.spec()
        #expect(spec.repository == "Default")
        #expect(spec.pipeline == "penguins")
        let dataset = spec.configuration.dataset
        #expect(dataset.label == "species")
        #expect(dataset.keys == ["id"])
        #expect(dataset.features == .columns(["island"] + Self.numericFeatures + ["sex"]))
        #expect(dataset.missing == MissingValues(default: .median, features: ["island": .mostFrequent, "sex": .mostFrequent],
                                                 unknownCategories: .ignore, labels: .refuse))
        #expect(spec.configuration.training.estimator == "LogisticRegression")
        #expect(spec.configuration.training.validation == ValidationSetting.none)
        #expect(spec.configuration.training.scores.map(\.name) == ["accuracy", "f1_macro"])
        #expect(spec.configuration.tuning["C"] == .single(.double(1)))
        #expect(spec.configuration.tuning["max_iter"] == .single(.int(10_000)))
    }

    @Test("a run from the spec: generation, training, testing and deployment; the committed split; accuracy within 0.02 of scikit-learn's")
    func endToEnd() async throws {
        let reference = try Self.fixture("penguins_reference.json", as: Reference.self)
        let committed = try Self.fixture("penguins_split.json", as: Split.self)
        let (pipeline, store, record) = try await Self.run()
        #expect(record.status == .succeeded, "\(record.outcomes)")
        #expect(record.jobs == [.datasetGeneration, .training, .testing, .deployment])

        // The split is the one scikit-learn was fitted on: same ids, same sizes.
        let split = try await Self.split(in: store, of: pipeline)
        #expect(split == committed, "the spec's split changed: rewrite penguins_split.json and rerun the reference script")
        #expect(split.training.count == 275 && split.testing.count == 69)
        #expect(Set(split.training).isDisjoint(with: split.testing))
        #expect(Set(split.training + split.testing) == Set(1...344), "every penguin is in one of the sets")
        #expect(reference.trainingRows == split.training.count && reference.testingRows == split.testing.count)

        let model = try #require(try await pipeline.models().first)
        #expect(model.status == .tested)
        let lineage = try #require(model.lineage)
        #expect(lineage.trainingRows == 275 && lineage.validationRows == 0 && lineage.testingRows == 69)
        #expect(try await pipeline.deployment.current()?.id == model.id, "deployed automatically")
        let accuracy = try #require(model.testingScore(named: "accuracy"))
        let f1Macro = try #require(model.testingScore(named: "f1_macro"))
        #expect(abs(accuracy - reference.accuracy) <= 0.02, "accuracy \(accuracy), scikit-learn \(reference.sklearn): \(reference.accuracy)")
        #expect(abs(f1Macro - reference.f1Macro) <= 0.02, "f1_macro \(f1Macro), scikit-learn: \(reference.f1Macro)")

        // The same testing rows, predicted one by one: scikit-learn's species on (nearly) all.
        let data = try CSV.read(contentsOf: Self.exampleDirectory.appendingPathComponent("data/penguins.csv"))
        let testing = try data.rows(at: split.testing.map { $0 - 1 })
        #expect(try Self.ids(testing) == split.testing, "ids are row numbers")
        let predicted = try await pipeline.deployment.predict(testing)
        try #require(predicted.values.count == split.testing.count)
        var agreeing = 0
        for (row, id) in split.testing.enumerated() where predicted.values[row] == reference.predictions[String(id)].map(Value.categorical) {
            agreeing += 1
        }
        #expect(reference.predictions.count == split.testing.count)
        #expect(Double(agreeing) >= 0.98 * Double(split.testing.count), "\(agreeing) of \(split.testing.count) predictions as scikit-learn's")
    }

    @Test("one-hot columns for island and sex; imputed values are the training rows' medians and most frequent categories")
    func encoding() async throws {
        let reference = try Self.fixture("penguins_reference.json", as: Reference.self)
        let (pipeline, store, record) = try await Self.run(jobs: [.datasetGeneration, .training])
        #expect(record.status == .succeeded, "\(record.outcomes)")
        let model = try #require(try await pipeline.models().first)
        try await pipeline.deployment.deploy(model.id)
        let encoder = try await pipeline.deployment.loadedModel().bundle.featureEncoder
        #expect(encoder.outputNames == [
            "island=Biscoe", "island=Dream", "island=Torgersen", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g",
            "sex=female", "sex=male",
        ])

        // The training rows, read again from the CSV (`NA` is missing), imputed by hand.
        let split = try await Self.split(in: store, of: pipeline)
        let data = try CSV.read(contentsOf: Self.exampleDirectory.appendingPathComponent("data/penguins.csv"))
        let training = try data.rows(at: split.training.map { $0 - 1 })
        for feature in encoder.features {
            let column = try training.column(named: feature.name)
            let present = (0..<column.count).map { column[$0] }.filter { !$0.isMissing }
            #expect(present.count < column.count || feature.name == "island", "\(feature.name) has missing training values")
            switch feature.encoding {
            case .numeric(let imputed):
                let sorted = present.compactMap(\.doubleValue).sorted()
                try #require(!sorted.isEmpty, "\(feature.name) has no training values")
                let middle = sorted.count / 2
                let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
                #expect(imputed == median, "\(feature.name)")
                #expect(reference.imputation[feature.name] == imputed.map(ImputedValue.number), "\(feature.name): scikit-learn's")
            case .oneHot(let categories, let imputed):
                var counts: [String: Int] = [:]
                for case .categorical(let category) in present { counts[category, default: 0] += 1 }
                let top = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
                #expect(categories == counts.keys.sorted(), "\(feature.name)")
                #expect(imputed == top, "\(feature.name)")
                #expect(reference.imputation[feature.name] == imputed.map(ImputedValue.category), "\(feature.name): scikit-learn's")
            }
        }
        guard case .oneHot(let islands, _)? = encoder.features.first(where: { $0.name == "island" })?.encoding,
              case .oneHot(let sexes, _)? = encoder.features.first(where: { $0.name == "sex" })?.encoding
        else {
            Issue.record("island and sex are not one-hot encoded: \(encoder.features)")
            return
        }
        #expect(islands == ["Biscoe", "Dream", "Torgersen"])
        #expect(sexes == ["female", "male"])
    }

    @Test("predictions for records and rows with missing values and an unseen island")
    func predictionsWithMissingValues() async throws {
        let (pipeline, _, record) = try await Self.run()
        #expect(record.status == .succeeded, "\(record.outcomes)")
        let encoder = try await pipeline.deployment.loadedModel().bundle.featureEncoder
        var imputed: [String: Value] = [:]
        for feature in encoder.features {
            switch feature.encoding {
            case .numeric(let value): imputed[feature.name] = try .numeric(#require(value, "\(feature.name) has no imputed value"))
            case .oneHot(_, let value): imputed[feature.name] = try .categorical(#require(value, "\(feature.name) has no imputed value"))
            }
        }

        // A Gentoo with every feature given, then with sex, island and two measurements missing.
        let gentoo: [String: Value] = [
            "island": "Biscoe", "bill_length_mm": 47.5, "bill_depth_mm": 14.8, "flipper_length_mm": 217, "body_mass_g": 5200, "sex": "female",
        ]
        var partial = gentoo
        partial["sex"] = .missing
        partial["island"] = .missing
        partial["bill_depth_mm"] = .missing
        partial["body_mass_g"] = .missing
        let nothing: [String: Value] = ["island": nil, "bill_length_mm": nil, "bill_depth_mm": nil, "flipper_length_mm": nil, "body_mass_g": nil, "sex": nil]
        var unseen = gentoo
        unseen["island"] = "Anvers"  // not in the data: all zeros in the island columns (unknownCategories: ignore)

        let predictions = try await pipeline.deployment.predict([gentoo, partial, nothing, unseen])
        try #require(predictions.values.count == 4)
        #expect(predictions.values.allSatisfy { Self.species.contains($0) }, "\(predictions.values)")
        #expect(predictions.values.first == "Gentoo")
        #expect(predictions.values.last == "Gentoo")
        #expect(predictions.probabilities?.rows == 4)

        // A missing value predicts as the imputed value given explicitly.
        let filled = partial.merging(imputed.filter { partial[$0.key] == .missing }) { _, new in new }
        let complete = try await pipeline.deployment.predict([filled, imputed])
        try #require(complete.values.count == 2)
        #expect(complete.values == [predictions.values[1], predictions.values[2]])
        // Equal up to rounding: BLAS may sum a row's products in another order for another
        // batch size (Debian's OpenBLAS 0.3.21 does for 2 and 4 rows on a CPU it does not
        // know, running its generic Prescott kernels).
        let given = try #require(complete.probabilities), imputedRows = try #require(predictions.probabilities)
        let differences = zip(Array(given.row(0)) + Array(given.row(1)), Array(imputedRows.row(1)) + Array(imputedRows.row(2))).map { abs($0 - $1) }
        #expect(differences.allSatisfy { $0 <= 1e-12 }, "\(differences)")

        // The data's own incomplete rows (ids 4 and 272: only the island given; 9 rows without sex), as a table.
        let data = try CSV.read(contentsOf: Self.exampleDirectory.appendingPathComponent("data/penguins.csv"))
        let incomplete = data.filter { row in ["bill_length_mm", "sex"].contains { row[$0].isMissing } }
        #expect(incomplete.rowCount == 11)
        let rows = try await pipeline.deployment.predict(incomplete)
        #expect(rows.values.count == 11)
        #expect(rows.values.allSatisfy { Self.species.contains($0) }, "\(rows.values)")
    }
}

/// Writes the split fixture, when asked: `PENGUINS_WRITE_SPLIT=<path> swift test --filter PenguinsSplitWriter`.
@Suite("Penguins: the split fixture's writer")
struct PenguinsSplitWriter {
    static let output = ProcessInfo.processInfo.environment["PENGUINS_WRITE_SPLIT"]

    @Test("writes penguins_split.json", .enabled(if: output != nil))
    func write() async throws {
        let path = try #require(Self.output)
        let (pipeline, store, record) = try await PenguinsTests.run(jobs: [.datasetGeneration])
        #expect(record.status == .succeeded, "\(record.outcomes)")
        let split = try await PenguinsTests.split(in: store, of: pipeline)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var json = try encoder.encode(split)
        json.append(contentsOf: Data("\n".utf8))
        try json.write(to: URL(fileURLWithPath: path))
    }
}
