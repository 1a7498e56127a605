import Foundation
import Pipelines
import PipelinesSQLite
import Testing

/// Bad cells through the `mlpipe` binary: a `nan` under the `error` policy and a value of
/// another type than the datasets' schema exit 1 naming the file, line (and column) and
/// leave the store exactly as it was; under `median` the `nan` is imputed.
@Suite("mlpipe and bad data", .serialized)
struct DataIntegrityTests {
    /// Datasets, configuration versions, models and runs of the example pipeline.
    struct StoreState: Equatable {
        var datasets: DatasetSnapshot?
        var generation: Int?
        var versions: [Int]
        var models: [ModelID]
        var runs: Int

        init(_ directory: URL) async throws {
            let listed = try #require(try await mlpipe(["pipelines", "list", "--json"], in: directory).json() as? [[String: Any]])
            let id = PipelineID(try #require(listed.first?["id"] as? String))
            let store = try SQLiteStore(path: directory.appendingPathComponent(".mlpipe/store.sqlite").path)
            let snapshot = try await store.datasets(of: id)
            datasets = snapshot
            generation = snapshot?.generation
            versions = try await store.configurations(of: id).map(\.version)
            models = try await store.models(matching: ModelFilter(pipelineID: id)).map(\.id)
            runs = try await store.runs(of: id).count
        }
    }

    /// The example's spec with one small tuning combination, reading `data`, as `name`.
    static func writeSpec(_ name: String, data: String, missing: [String: Any]? = nil, in directory: URL) throws {
        let url = directory.appendingPathComponent("spec.json")
        var spec = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var dataset = spec["dataset"] as? [String: Any] ?? [:]
        dataset["training"] = data
        if let missing { dataset["missing"] = missing }
        spec["dataset"] = dataset
        spec["tuning"] = ["max_depth": [5], "n_estimators": [10], "random_state": 0]
        try JSONSerialization.data(withJSONObject: spec).write(to: directory.appendingPathComponent(name))
    }

    /// The example data with data row `row`'s third field (mean_texture) replaced by `value`.
    static func writeData(_ name: String, row: Int, value: String, in directory: URL) throws {
        let source = directory.appendingPathComponent("data/breast_cancer.csv")
        var lines = try String(contentsOf: source, encoding: .utf8).components(separatedBy: "\n")
        var fields = lines[row].components(separatedBy: ",")
        fields[2] = value
        lines[row] = fields.joined(separator: ",")
        try lines.joined(separator: "\n").write(to: directory.appendingPathComponent("data/\(name)"), atomically: true, encoding: .utf8)
    }

    @Test("a `nan` cell: policy error exits 1 naming file:line and the feature, store unchanged; policy median imputes")
    func nanCell() async throws {
        try await withExampleAsync { directory in
            try Self.writeSpec("good.json", data: "data/breast_cancer.csv", in: directory)
            let first = try await mlpipe(["run", "--spec", "good.json"], in: directory)
            #expect(first.status == 0, "\(first.stderr)")
            try Self.writeData("nan.csv", row: 28, value: "nan", in: directory)  // line 29
            try Self.writeSpec("nan.json", data: "data/nan.csv", in: directory)
            let before = try await StoreState(directory)
            let refused = try await mlpipe(["run", "--spec", "nan.json"], in: directory)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("data/nan.csv:29: feature 'mean_texture' is missing (policy error)"), "\(refused.stderr)")
            #expect(try await StoreState(directory) == before, "datasets, configuration versions, models and runs as before")

            try Self.writeSpec("median.json", data: "data/nan.csv", missing: ["default": "median"], in: directory)
            let imputed = try await mlpipe(["run", "--spec", "median.json", "--json"], in: directory)
            #expect(imputed.status == 0, "\(imputed.stderr)")
        }
    }

    @Test("`abc` in a numeric column after a good generation: exit 1 naming file, line, column, value and type; store unchanged")
    func wrongType() async throws {
        try await withExampleAsync { directory in
            try Self.writeSpec("good.json", data: "data/breast_cancer.csv", in: directory)
            #expect(try await mlpipe(["run", "--spec", "good.json"], in: directory).status == 0)
            let shown = try await mlpipe(["pipelines", "show", "breast-cancer"], in: directory)
            #expect(shown.stdout.contains("dataset schema (fixed until reset-datasets): id (integer), mean_radius (numeric)"), "\(shown.stdout)")
            let json = try #require(try await mlpipe(["pipelines", "show", "breast-cancer", "--json"], in: directory).json() as? [String: Any])
            let schema = try #require(json["schema"] as? [[String: String]])
            #expect(schema.contains { $0 == ["name": "mean_texture", "type": "numeric"] })

            try Self.writeData("abc.csv", row: 30, value: "abc", in: directory)  // line 31, column 3
            for spec in ["abc.json", "abc-median.json"] {
                // Whether or not the configuration changes, nothing is saved.
                try Self.writeSpec(spec, data: "data/abc.csv", missing: spec == "abc.json" ? nil : ["default": "median"], in: directory)
                let before = try await StoreState(directory)
                let refused = try await mlpipe(["run", "--spec", spec], in: directory)
                #expect(refused.status == 1)
                #expect(refused.stderr.contains("data/abc.csv:31:3: 'abc' is not a valid numeric value for column 'mean_texture'"),
                        "\(refused.stderr)")
                #expect(try await StoreState(directory) == before, "\(spec): the store changed")
            }
            // A reset lets the schema change.
            #expect(try await mlpipe(["pipelines", "reset-datasets", "breast-cancer"], in: directory).status == 0)
            #expect(try await mlpipe(["pipelines", "show", "breast-cancer"], in: directory).stdout.contains("dataset schema: none yet"))
        }
    }
}
