import Estimators
import Foundation
import Pipelines
import PipelinesSpec
import Testing

@Suite("Mapping spec values to the configuration")
struct SpecMappingTests {
    @Test("a minimal spec takes every default")
    func defaults() throws {
        let spec = try parse(minimalYAML)
        #expect(spec.repository == "Default")
        #expect(spec.pipeline == "p")
        #expect(spec.configuration == PipelineConfiguration(
            dataset: DatasetStep(training: .csv(path: "/specs/train.csv"), split: RandomSplit(testFraction: 0.2, seed: 0), label: "y",
                                 features: .all(excluding: []), keys: []),
            training: TrainingStep(estimator: "Ridge", validation: .holdout(fraction: 0.2, seed: 0), scores: [])))
    }

    @Test("JSON and YAML give the same configuration for the same keys")
    func sameKeysSameConfiguration() throws {
        let json = """
            {"repository": "Default", "pipeline": "p",
             "dataset": {"training": "train.csv", "label": "y", "exclude": ["id", "date"], "key": "id"},
             "training": {"estimator": "Ridge", "validation": {"type": "kfold", "folds": 3, "seed": 9}, "scores": ["r2"]},
             "tuning": {"alpha": [1, 0.5, 10], "fit_intercept": false},
             "selection": {"autoDeploy": null},
             "preferences": {"description": "d", "tags": ["a", "b"], "threads": {"training": 4}, "timeouts": 90}}
            """
        let yaml = """
            repository: Default
            pipeline: p
            dataset: {training: train.csv, label: y, exclude: [id, date], key: id}
            training:
              estimator: Ridge
              validation: {type: kfold, folds: 3, seed: 9}
              scores: [r2]
            tuning:
              alpha: [1, 0.5, 10]
              fit_intercept: false
            selection:
              autoDeploy:
            preferences:
              description: d
              tags: [a, b]
              threads: {training: 4}
              timeouts: 90
            """
        let fromJSON = try parse(json, .json)
        #expect(try parse(yaml) == fromJSON)
        let config = fromJSON.configuration
        #expect(config.dataset.features == .all(excluding: ["id", "date"]))
        #expect(config.dataset.keys == ["id"])
        #expect(config.training.validation == .kFold(folds: 3, seed: 9))
        #expect(config.training.scores == [ScoreSetting("r2")])
        #expect(config.tuning.values == ["alpha": .multiple([.double(1), .double(0.5), .double(10)]), "fit_intercept": .single(.bool(false))])
        #expect(config.selection.autoDeploy == nil)
        #expect(config.preferences == Preferences(
            description: "d", tags: ["a", "b"],
            timeouts: [.datasetGeneration: 90, .training: 90, .testing: 90, .deployment: 90], threads: [.training: 4]))
    }

    @Test("relative paths resolve against the spec's directory; absolute paths stay")
    func pathResolution() throws {
        let yaml = minimalYAML.replacingOccurrences(of: "training: train.csv", with: "training: ../shared/./data/train.csv\n  testing: /data/test.csv")
        let spec = try PipelineSpec.parse(yaml, format: .yaml, baseDirectory: URL(fileURLWithPath: "/work/specs"))
        #expect(spec.configuration.dataset.training == .csv(path: "/work/shared/data/train.csv"))
        #expect(spec.configuration.dataset.testing == .csv(path: "/data/test.csv"))
        let trailingSlash = try PipelineSpec.parse(minimalYAML, format: .yaml, baseDirectory: URL(fileURLWithPath: "/work/specs/", isDirectory: true))
        #expect(trailingSlash.configuration.dataset.training == .csv(path: "/work/specs/train.csv"))
    }

    @Test("validation: holdout, kfold and none, with defaults")
    func validation() throws {
        let cases: [(String, ValidationSetting)] = [
            ("{type: holdout}", .holdout(fraction: 0.2, seed: 0)),
            ("{type: holdout, fraction: 0.3, seed: 18446744073709551615}", .holdout(fraction: 0.3, seed: .max)),
            ("{type: kfold}", .kFold(folds: 5, seed: 0)),
            ("{type: kfold, folds: 10, seed: 2}", .kFold(folds: 10, seed: 2)),
            ("{type: none}", .none),
        ]
        for (text, expected) in cases {
            let spec = try parse(minimalYAML + "  validation: \(text)\n")
            #expect(spec.configuration.training.validation == expected, "\(text)")
        }
    }

    @Test("scores: objects with optional threshold and primary, or names")
    func scores() throws {
        let spec = try parse(minimalYAML + """
              scores:
                - {name: r2, threshold: 0.5}
                - name: neg_mean_squared_error
                  primary: true
                - max_error
                - {name: mean_absolute_error, threshold: 2}

            """)
        #expect(spec.configuration.training.scores == [
            ScoreSetting("r2", threshold: 0.5), ScoreSetting("neg_mean_squared_error", primary: true), ScoreSetting("max_error"),
            ScoreSetting("mean_absolute_error", threshold: 2),
        ])
    }

    @Test("features: listed columns, or all but the excluded ones; key: one or several")
    func features() throws {
        let listed = try parse(minimalYAML.replacingOccurrences(of: "  label: y", with: "  label: y\n  features: [b, a]\n  key: [k1, k2]"))
        #expect(listed.configuration.dataset.features == .columns(["b", "a"]))
        #expect(listed.configuration.dataset.keys == ["k1", "k2"])
        let excluded = try parse(minimalYAML.replacingOccurrences(of: "  label: y", with: "  label: y\n  exclude: [c]\n  key: k"))
        #expect(excluded.configuration.dataset.features == .all(excluding: ["c"]))
        #expect(excluded.configuration.dataset.keys == ["k"])
        let split = try parse(minimalYAML.replacingOccurrences(of: "  label: y", with: "  label: y\n  split: {seed: 4}"))
        #expect(split.configuration.dataset.split == RandomSplit(testFraction: 0.2, seed: 4))
    }

    @Test("tuning: a scalar is one value, an array a grid; values keep their type")
    func tuningValues() throws {
        let spec = try parse("""
            repository: R
            pipeline: p
            dataset: {training: t.csv, label: y}
            training: {estimator: RandomForestClassifier}
            tuning:
              max_depth: [3, null, 0x10]
              n_estimators: 50
              criterion: [gini, "entropy"]
              bootstrap: false
              max_features: 0.5
              min_samples_split: [2]
              random_state: ~

            """)
        #expect(spec.configuration.tuning.values == [
            "max_depth": .multiple([.int(3), .none, .int(16)]),
            "n_estimators": .single(.int(50)),
            "criterion": .multiple([.string("gini"), .string("entropy")]),
            "bootstrap": .single(.bool(false)),
            "max_features": .single(.double(0.5)),
            "min_samples_split": .multiple([.int(2)]),
            "random_state": .single(.none),
        ])
        #expect(spec.configuration.tuning.combinationCount == 6)

        // An empty grid is kept: the SDK's validation reports it.
        let empty = try parse(minimalYAML + "tuning: {alpha: []}\n")
        #expect(empty.configuration.tuning["alpha"] == .multiple([]))
    }

    @Test("integers become reals for a real hyper-parameter of a known estimator only")
    func integerToReal() throws {
        let ridge = try parse(minimalYAML + "tuning: {alpha: 1, fit_intercept: true}\n")
        #expect(ridge.configuration.tuning.values == ["alpha": .single(.double(1)), "fit_intercept": .single(.bool(true))])
        let grid = try parse(minimalYAML + "tuning: {alpha: [0, 1, 2.5]}\n", .yaml)
        #expect(grid.configuration.tuning["alpha"] == .multiple([.double(0), .double(1), .double(2.5)]))
        let json = try parse(#"{"repository": "R", "pipeline": "p", "dataset": {"training": "t.csv", "label": "y"}, "# +
            #""training": {"estimator": "Ridge"}, "tuning": {"alpha": 1, "unknown": 1}}"#, .json)
        #expect(json.configuration.tuning.values == ["alpha": .single(.double(1)), "unknown": .single(.int(1))])

        // Unknown estimators and an empty catalog leave integers as they are.
        let unknown = try parse(minimalYAML.replacingOccurrences(of: "Ridge", with: "NoSuchEstimator") + "tuning: {alpha: 1}\n")
        #expect(unknown.configuration.tuning["alpha"] == .single(.int(1)))
        let empty = try PipelineSpec.parse(minimalYAML + "tuning: {alpha: 1}\n", format: .yaml, baseDirectory: specDirectory,
                                           estimators: EstimatorCatalog())
        #expect(empty.configuration.tuning["alpha"] == .single(.int(1)))
    }

    @Test("durations: units, combinations, decimals and seconds")
    func durations() throws {
        let cases: [(String, Double)] = [
            ("14d", 14 * 86_400), ("12h", 43_200), ("30m", 1_800), ("45s", 45), ("1h30m", 5_400), ("1d 12h", 129_600),
            ("2d3h4m5s", 183_845), ("1.5h", 5_400), ("0.25m", 15), ("3600", 3_600), ("2.5", 2.5), ("\"90s\"", 90),
        ]
        for (text, seconds) in cases {
            let spec = try parse(minimalYAML + "selection: {autoDeploy: {criterion: bestPredictionTime, window: \(text)}}\n")
            #expect(spec.configuration.selection.autoDeploy == .bestPredictionTime(window: seconds), "\(text)")
        }
        let timeouts = try parse(minimalYAML + """
            preferences:
              timeouts: {datasetGeneration: 45s, training: 2h, testing: 600, deployment: null}

            """)
        #expect(timeouts.configuration.preferences.timeouts == [.datasetGeneration: 45, .training: 7_200, .testing: 600])
    }

    @Test("YAML 1.2 core schema: yes, no, on and off are strings; quoting and tags decide")
    func coreSchema() throws {
        let spec = try parse(minimalYAML + """
            tuning:
              a: yes
              b: "true"
              c: !!str 5
              d: !!float 5
              e: 1e3
              f: .5
              g: -.inf
              h: 0o17
              i: TRUE
              j: "null"
              k: 2024-01-01
              l: +7
              m: 1.0

            """)
        #expect(spec.configuration.tuning.values == [
            "a": .single(.string("yes")), "b": .single(.string("true")), "c": .single(.string("5")), "d": .single(.double(5)),
            "e": .single(.double(1000)), "f": .single(.double(0.5)), "g": .single(.double(-.infinity)), "h": .single(.int(15)),
            "i": .single(.bool(true)), "j": .single(.string("null")), "k": .single(.string("2024-01-01")), "l": .single(.int(7)),
            "m": .single(.double(1)),
        ])
    }

    @Test("JSON numbers: 5 is an integer, 0.5 and 5.0 and 1e2 are reals")
    func jsonNumbers() throws {
        let spec = try parse(#"""
            {"repository": "R", "pipeline": "p", "dataset": {"training": "t.csv", "label": "y"},
             "training": {"estimator": "X"},
             "tuning": {"a": 5, "b": 0.5, "c": 5.0, "d": 1e2, "e": -3, "f": "5", "g": null, "h": true, "i": "caf\u00e9\/\t"}}
            """#, .json)
        #expect(spec.configuration.tuning.values == [
            "a": .single(.int(5)), "b": .single(.double(0.5)), "c": .single(.double(5)), "d": .single(.double(100)),
            "e": .single(.int(-3)), "f": .single(.string("5")), "g": .single(.none), "h": .single(.bool(true)),
            "i": .single(.string("café/\t")),
        ])
    }

    @Test("compact and tab-indented JSON parse")
    func compactJSON() throws {
        let compact = #"{"repository":"R","pipeline":"p","dataset":{"training":"t.csv","label":"y"},"training":{"estimator":"X"},"tuning":{"a":[1,2]}}"#
        #expect(try parse(compact, .json).configuration.tuning["a"] == .multiple([1, 2]))
        let tabs = "{\n\t\"repository\": \"R\",\n\t\"pipeline\": \"p\",\n\t\"dataset\": {\n\t\t\"training\": \"t.csv\",\n\t\t\"label\": \"y\"\n\t},\n\t\"training\": {\"estimator\": \"X\"}\n}\n"
        #expect(try parse(tabs, .json).pipeline == "p")
    }

    @Test("anchors and aliases are followed")
    func aliases() throws {
        let spec = try parse(minimalYAML + """
            tuning:
              max_depth: &depths [3, 5]
              max_leaf_nodes: *depths

            """)
        #expect(spec.configuration.tuning["max_leaf_nodes"] == .multiple([3, 5]))
    }
}
