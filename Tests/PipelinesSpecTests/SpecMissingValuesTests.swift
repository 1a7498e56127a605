import Pipelines
import PipelinesSpec
import Tabular
import Testing

@Suite("The spec's missing-value settings")
struct SpecMissingValuesTests {
    @Test("dataset.missing maps every policy, per feature and for all, in YAML and JSON")
    func mapping() throws {
        let yaml = """
            repository: Default
            pipeline: p
            dataset:
              training: train.csv
              label: species
              missing:
                default: median
                features: {island: mostFrequent, sex: {constant: unknown}, year: {constant: 2007}, mass: mean}
                unknownCategories: error
                labels: drop
                tokens: ["?", "-"]
                allowInfinity: true
            training: {estimator: LogisticRegression}
            """
        let expected = MissingValues(
            default: .median,
            features: ["island": .mostFrequent, "sex": .constant(.categorical("unknown")), "year": .constant(.integer(2007)), "mass": .mean],
            unknownCategories: .error, labels: .drop, tokens: ["?", "-"], allowsInfinity: true)
        #expect(try parse(yaml).configuration.dataset.missing == expected)
        let json = """
            {"repository": "Default", "pipeline": "p", "training": {"estimator": "LogisticRegression"},
             "dataset": {"training": "train.csv", "label": "species", "missing": {"default": "median",
               "features": {"island": "mostFrequent", "sex": {"constant": "unknown"}, "year": {"constant": 2007}, "mass": "mean"},
               "unknownCategories": "error", "labels": "drop", "tokens": ["?", "-"], "allowInfinity": true}}}
            """
        #expect(try parse(json, .json).configuration.dataset.missing == expected)
        #expect(try parse("{repository: R, pipeline: p, dataset: {training: t.csv, label: y}, training: {estimator: Ridge}}")
            .configuration.dataset.missing == MissingValues(), "absent: the defaults")
    }

    @Test("a bad policy is an error at its key path, line and column", arguments: [
        ("features: {sex: average}", "dataset.missing.features.sex", "unknown policy 'average'"),
        ("default: [mean]", "dataset.missing.default", "expected error, mean, median, mostFrequent"),
        ("unknownCategories: skip", "dataset.missing.unknownCategories", "unknown policy 'skip'"),
        ("labels: keep", "dataset.missing.labels", "unknown policy 'keep'"),
        ("features: {sex: {constant: null}}", "dataset.missing.features.sex.constant", "expected a number, a string or a boolean"),
        ("impute: mean", "dataset.missing.impute", "unknown key 'impute'"),
    ])
    func errors(_ line: String, _ path: String, _ reason: String) throws {
        let yaml = "repository: R\npipeline: p\ndataset:\n  training: t.csv\n  label: y\n  missing:\n    \(line)\ntraining: {estimator: Ridge}\n"
        let error = try #require(specError(yaml))
        #expect(error.path == path)
        #expect(error.reason.contains(reason), "\(error.reason)")
        #expect(error.line == 7)
    }
}
