import Foundation
import PipelinesSpec
import Testing

@Suite("Spec errors: key path, line, column and reason")
struct SpecErrorTests {
    static let topLevelKeys = "repository, pipeline, dataset, training, tuning, selection, deployment, preferences"

    /// `minimalYAML` with `line` (1-based) replaced.
    func minimal(replacingLine line: Int, with text: String) -> String {
        var lines = minimalYAML.components(separatedBy: "\n")
        lines[line - 1] = text
        return lines.joined(separator: "\n")
    }

    // MARK: Unknown keys

    @Test("unknown top-level key, listing the allowed ones")
    func unknownTopLevelKey() {
        expectError("repository: R\npipeline: p\npipelin: q\n", path: "pipelin", line: 3, column: 1,
                    reason: "unknown key 'pipelin' (allowed: \(Self.topLevelKeys))")
        expectError(#"{"repository": "R", "pipeline": "p", "Dataset": {}}"#, .json, path: "Dataset", line: 1, column: 38,
                    reason: "unknown key 'Dataset' (allowed: \(Self.topLevelKeys))")
    }

    @Test("unknown nested keys")
    func unknownNestedKeys() {
        expectError(minimal(replacingLine: 5, with: "  lable: y"), path: "dataset.lable", line: 5, column: 3,
                    reason: "unknown key 'lable' (allowed: training, testing, images, split, label, features, exclude, key, missing)")
        expectError(minimalYAML + "  scores: [{name: r2, treshold: 0.5}]\n", path: "training.scores[0].treshold", line: 8, column: 23,
                    reason: "unknown key 'treshold' (allowed: name, threshold, primary)")
        expectError(minimalYAML + "  validation: {type: none, folds: 3}\n", path: "training.validation.folds", line: 8, column: 28,
                    reason: "unknown key 'folds' (allowed: type)")
        expectError(minimalYAML + "  validation: {type: kfold, fraction: 0.1}\n", path: "training.validation.fraction", line: 8, column: 29,
                    reason: "unknown key 'fraction' (allowed: type, folds, seed)")
        expectError(minimalYAML + "preferences:\n  timeouts: {trainng: 10m}\n", path: "preferences.timeouts.trainng", line: 9, column: 14,
                    reason: "unknown key 'trainng' (allowed: datasetGeneration, training, testing, deployment)")
        expectError(minimalYAML + "preferences:\n  threads: {training: 2, predict: 1}\n", path: "preferences.threads.predict", line: 9, column: 26,
                    reason: "unknown key 'predict' (allowed: datasetGeneration, training, testing, deployment)")
        expectError(minimalYAML + "selection: {autoDeploy: {criterion: bestTestingScore, window: 1d, every: 1h}}\n",
                    path: "selection.autoDeploy.every", line: 8, column: 67, reason: "unknown key 'every' (allowed: criterion, window)")
        expectError(minimalYAML + "selection: {manual: true}\n", path: "selection.manual", line: 8, column: 13,
                    reason: "unknown key 'manual' (allowed: autoDeploy)")
        expectError(minimalYAML + "preferences: {owner: me}\n", path: "preferences.owner", line: 8, column: 15,
                    reason: "unknown key 'owner' (allowed: description, tags, threads, timeouts)")
        expectError(minimalYAML + "  estimators: [Ridge]\n", path: "training.estimators", line: 8, column: 3,
                    reason: "unknown key 'estimators' (allowed: estimator, validation, scores)")
        expectError(minimal(replacingLine: 5, with: "  split: {fraction: 0.1}\n  label: y"), path: "dataset.split.fraction", line: 5, column: 11,
                    reason: "unknown key 'fraction' (allowed: testFraction, seed)")
    }

    // MARK: Wrong types

    @Test("wrong types in JSON, with the value's line and column")
    func wrongTypesJSON() {
        let json = """
            {
              "repository": "R",
              "pipeline": "p",
              "dataset": {"training": "t.csv", "label": "y", "split": {"testFraction": "0.15"}},
              "training": {
                "estimator": "X",
                "scores": [{"name": "accuracy"}, {"name": 5}]
              }
            }
            """
        expectError(json.replacingOccurrences(of: #""0.15""#, with: "0.15"), .json, path: "training.scores[1].name", line: 7, column: 47,
                    reason: "expected a string, got a number")
        expectError(json, .json, path: "dataset.split.testFraction", line: 4, column: 76, reason: "expected a number, got a string")
        let description = specError(json, .json).map(String.init(describing:))
        #expect(description == "spec.json:4:76: dataset.split.testFraction: expected a number, got a string")
    }

    @Test("wrong types in YAML")
    func wrongTypesYAML() {
        expectError(minimalYAML + "tuning:\n  max_depth: [5, 7, [9]]\n", path: "tuning.max_depth[2]", line: 9, column: 21,
                    reason: "expected a hyper-parameter value (a number, a string, a boolean or null), got an array")
        expectError(minimalYAML + "tuning:\n  max_depth: {min: 1}\n", path: "tuning.max_depth", line: 9, column: 14,
                    reason: "expected a hyper-parameter value (a number, a string, a boolean or null), got an object")
        expectError(minimalYAML + "tuning: [max_depth]\n", path: "tuning", line: 8, column: 9, reason: "expected an object, got an array")
        expectError(minimal(replacingLine: 5, with: "  label:"), path: "dataset.label", line: 5, column: 9, reason: "expected a string, got null")
        expectError(minimal(replacingLine: 5, with: "  label: true"), path: "dataset.label", line: 5, column: 10, reason: "expected a string, got a boolean")
        expectError(minimal(replacingLine: 5, with: "  label: y\n  features: [a, 2]"), path: "dataset.features[1]", line: 6, column: 17,
                    reason: "expected a string, got a number")
        expectError(minimal(replacingLine: 5, with: "  label: y\n  exclude: id"), path: "dataset.exclude", line: 6, column: 12,
                    reason: "expected an array, got a string")
        expectError(minimal(replacingLine: 5, with: "  label: y\n  key: {name: id}"), path: "dataset.key", line: 6, column: 8,
                    reason: "expected a string or an array of strings, got an object")
        expectError(minimalYAML + "  validation: {type: kfold, folds: 2.5}\n", path: "training.validation.folds", line: 8, column: 36,
                    reason: "expected an integer, got 2.5")
        expectError(minimalYAML + "  validation: {type: holdout, seed: -1}\n", path: "training.validation.seed", line: 8, column: 37,
                    reason: "expected a non-negative integer, got -1")
        expectError(minimalYAML + "  validation: holdout\n", path: "training.validation", line: 8, column: 15,
                    reason: "expected an object, got a string")
        expectError(minimalYAML + "  scores: [5]\n", path: "training.scores[0]", line: 8, column: 12,
                    reason: "expected an object (or a score's name), got a number")
        expectError(minimalYAML + "  scores: [{name: r2, primary: yes}]\n", path: "training.scores[0].primary", line: 8, column: 32,
                    reason: "expected a boolean (true or false), got a string")
        expectError(minimalYAML + "preferences:\n  threads: two\n", path: "preferences.threads", line: 9, column: 12,
                    reason: "expected an integer or an object by job name, got a string")
        expectError(minimalYAML + "preferences:\n  threads: {training: 1.5}\n", path: "preferences.threads.training", line: 9, column: 23,
                    reason: "expected an integer, got 1.5")
        expectError(minimalYAML + "preferences:\n  tags: [a, [b]]\n", path: "preferences.tags[1]", line: 9, column: 13,
                    reason: "expected a string, got an array")
        expectError(minimalYAML + "preferences:\n  timeouts: [1h]\n", path: "preferences.timeouts", line: 9, column: 13,
                    reason: "expected a duration or an object by job name, got an array")
        expectError(minimalYAML + "selection: {autoDeploy: manual}\n", path: "selection.autoDeploy", line: 8, column: 25,
                    reason: "expected an object, got a string")
        expectError(minimalYAML + "tuning:\n  n_estimators: 99999999999999999999\n", path: "tuning.n_estimators", line: 9, column: 17,
                    reason: "integer 99999999999999999999 is out of range")
        expectError("- repository\n- pipeline\n", path: "", line: 1, column: 1, reason: "expected an object at the top level, got an array")
        expectError("? [a]\n: b\n", path: "", line: 1, column: 3, reason: "expected a string key, got an array")
    }

    // MARK: Missing and empty values

    @Test("missing required keys are reported at the object that lacks them")
    func missingKeys() {
        expectError("pipeline: p\n", path: "repository", line: 1, column: 1, reason: "missing required key 'repository'")
        expectError(minimal(replacingLine: 5, with: ""), path: "dataset.label", line: 4, column: 3, reason: "missing required key 'label'")
        expectError(minimal(replacingLine: 4, with: ""), path: "dataset.training", line: 5, column: 3, reason: "missing required key 'training'")
        expectError(minimal(replacingLine: 7, with: "  validation: {type: none}"), path: "training.estimator", line: 7, column: 3,
                    reason: "missing required key 'estimator'")
        expectError("repository: R\npipeline: p\ntraining: {estimator: X}\n", path: "dataset", line: 1, column: 1,
                    reason: "missing required key 'dataset'")
        expectError(minimalYAML + "  validation: {fraction: 0.1}\n", path: "training.validation.type", line: 8, column: 15,
                    reason: "missing required key 'type'")
        expectError(minimalYAML + "  scores: [{threshold: 0.1}]\n", path: "training.scores[0].name", line: 8, column: 12,
                    reason: "missing required key 'name'")
        expectError(minimalYAML + "selection: {autoDeploy: {criterion: bestTestingScore}}\n", path: "selection.autoDeploy.window",
                    line: 8, column: 25, reason: "missing required key 'window'")
        expectError(#"{"repository": "R", "pipeline": "p", "dataset": {"label": "y"}}"#, .json, path: "dataset.training", line: 1, column: 49,
                    reason: "missing required key 'training'")
    }

    @Test("empty names and paths")
    func emptyStrings() {
        expectError(minimal(replacingLine: 1, with: "repository: \"\""), path: "repository", line: 1, column: 13, reason: "must not be empty")
        expectError(minimal(replacingLine: 2, with: "pipeline: ' '"), path: "pipeline", line: 2, column: 11, reason: "must not be empty")
        expectError(minimal(replacingLine: 4, with: "  training: ''"), path: "dataset.training", line: 4, column: 13, reason: "must not be empty")
    }

    // MARK: Bad values

    @Test("bad durations")
    func badDurations() {
        for text in ["2 weeks", "1m1h", "h", "10", "1.h", "1h1h", "-5m", ""] {
            expectError(minimalYAML + "selection: {autoDeploy: {criterion: bestTestingScore, window: \"\(text)\"}}\n",
                        path: "selection.autoDeploy.window", line: 8, column: 63,
                        reason: "bad duration '\(text)': expected numbers with units d, h, m or s, like \"14d\", \"12h\", \"30m\", \"45s\" or \"1h30m\", or a number of seconds")
        }
        expectError(minimalYAML + "preferences: {timeouts: {training: true}}\n", path: "preferences.timeouts.training", line: 8, column: 36,
                    reason: "expected a duration (like \"14d\" or \"1h30m\") or a number of seconds, got a boolean")
    }

    @Test("bad validation type and criterion")
    func badChoices() {
        expectError(minimalYAML + "  validation: {type: loo}\n", path: "training.validation.type", line: 8, column: 22,
                    reason: "bad validation type 'loo' (expected holdout, kfold, none)")
        expectError(minimalYAML + "  validation: {type: 5}\n", path: "training.validation.type", line: 8, column: 22,
                    reason: "expected a string, got a number")
        expectError(minimalYAML + "selection:\n  autoDeploy: {criterion: newest, window: 1d}\n", path: "selection.autoDeploy.criterion",
                    line: 9, column: 27, reason: "bad criterion 'newest' (expected bestTestingScore or bestPredictionTime)")
    }

    @Test("a column both listed as a feature and excluded")
    func featureAndExcluded() {
        expectError(minimal(replacingLine: 5, with: "  label: y\n  features: [a, b]\n  exclude: [c, b]"), path: "dataset.exclude[1]",
                    line: 7, column: 16, reason: "'b' is both in 'features' and in 'exclude'")
    }

    @Test("unsupported and mismatched tags")
    func tags() {
        expectError(minimalYAML + "tuning: {alpha: !!binary aGk=}\n", path: "tuning.alpha", line: 8, column: 17,
                    reason: "unsupported tag 'tag:yaml.org,2002:binary' (use !!str, !!int, !!float, !!bool or !!null)")
        expectError(minimalYAML + "tuning: {alpha: !!int 1.5}\n", path: "tuning.alpha", line: 8, column: 17,
                    reason: "'1.5' is not an integer (tagged !!int)")
    }

    // MARK: The file as a whole

    @Test("empty text")
    func emptyText() {
        expectError("", path: "", line: nil, column: nil, reason: "empty file")
        expectError("  \n", .json, path: "", line: nil, column: nil, reason: "empty file")
        expectError("# just a comment\n", path: "", line: nil, column: nil, reason: "empty file")
        expectError("~\n", path: "", line: nil, column: nil, reason: "empty file")
    }

    @Test("unparsable YAML, with the line and column")
    func unparsableYAML() {
        expectError("repository: R\npipeline: [p\ndataset: x\n", path: "", line: 3, column: 8,
                    reason: "unparsable YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 11)")
        expectError("repository: R\n  pipeline: p\n", path: "", line: 2, column: 11,
                    reason: "unparsable YAML: mapping values are not allowed in this context")
        expectError("repository: R\nrepository: S\n", path: "", line: 1, column: 1, reason: "unparsable YAML: duplicate key 'repository' in one object")
        expectError("a: 1\n---\nb: 2\n", path: "", line: 2, column: 1,
                    reason: "unparsable YAML: expected a single document in the stream, but found another document")
    }

    @Test("unparsable JSON, with the line and column")
    func unparsableJSON() {
        expectError(#"{"repository": "R" "pipeline": "p"}"#, .json, path: "", line: 1, column: 20,
                    reason: "unparsable JSON: did not find expected ',' or '}' (while parsing a flow mapping at line 1, column 1)")
        // YAML accepts a comment; JSON does not.
        expectError("{\n  \"repository\": \"R\", # the repository\n  \"pipeline\": \"p\"\n}\n", .json, path: "", line: 2, column: 22,
                    reason: "unparsable JSON: invalid value")
        expectError("{'repository': 'R'}", .json, path: "", line: 1, column: 2, reason: "unparsable JSON: invalid value")
        expectError(#"{"a": 1, "a": 2}"#, .json, path: "", line: 1, column: 2, reason: "unparsable JSON: duplicate key 'a' in one object")
        // Columns count Unicode scalars, also where JSONSerialization reports a byte offset.
        expectError("{\n  \"caf\u{E9}\": \"\u{E9}t\u{E9} \u{1F600}\", # comment\n  \"b\": 1\n}\n", .json, path: "", line: 2, column: 20,
                    reason: "unparsable JSON: invalid value")
    }

    @Test("characters YAML does not allow are reported where they are")
    func controlCharacters() {
        guard let error = specError("repository: R\npipeline: \u{E9}\u{1}\n") else { return }
        #expect(error.path == "")
        #expect(error.line == 2)
        #expect(error.column == 12)
        #expect(error.reason.hasPrefix("unparsable YAML: control characters are not allowed"))
    }

    @Test("a relative file URL is named as given")
    func relativeFileName() {
        let url = URL(fileURLWithPath: "no-such-directory/spec.yaml")
        #expect(throws: SpecError(file: "no-such-directory/spec.yaml", path: "", reason: "cannot read the file: no such file")) {
            try PipelineSpec.load(contentsOf: url)
        }
    }
}
