import Estimators
import Foundation
import Pipelines
import PipelinesSpec
import Testing

@Suite("Loading spec files")
struct SpecLoadingTests {
    @Test("the README's example maps every field, as JSON and as YAML")
    func exampleMapsEveryField() throws {
        let json = try PipelineSpec.load(contentsOf: fixtures.appendingPathComponent("breast-cancer.json"))
        #expect(json.repository == "Default")
        #expect(json.pipeline == "breast-cancer")
        #expect(json.configuration == exampleConfiguration(in: fixtures))

        let yaml = try PipelineSpec.load(contentsOf: fixtures.appendingPathComponent("breast-cancer.yaml"))
        #expect(yaml == json)
        #expect(try yaml.configuration.contentHash() == json.configuration.contentHash())
    }

    @Test("data paths are absolute and point at the fixture files")
    func dataPathsExist() throws {
        let spec = try PipelineSpec.load(contentsOf: fixtures.appendingPathComponent("breast-cancer.yaml"))
        for source in [spec.configuration.dataset.training, spec.configuration.dataset.testing] {
            guard case .csv(let path) = source else {
                Issue.record("expected a CSV source, got \(String(describing: source))")
                continue
            }
            #expect(path.hasPrefix("/"))
            #expect(FileManager.default.fileExists(atPath: path))
        }
    }

    @Test("other extensions are read as JSON when they are JSON, else as YAML")
    func formatByContent() throws {
        let json = try PipelineSpec.load(contentsOf: fixtures.appendingPathComponent("breast-cancer.spec"))
        let yaml = try PipelineSpec.load(contentsOf: fixtures.appendingPathComponent("breast-cancer.pipeline"))
        #expect(json.configuration == exampleConfiguration(in: fixtures))
        #expect(yaml == json)
    }

    @Test("the extension decides the format: YAML in a .json file is refused")
    func extensionDecides() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("spec.json")
        try Data(minimalYAML.utf8).write(to: url)
        #expect(throws: SpecError(file: url.path, path: "", line: 1, column: 1, reason: "unparsable JSON: invalid value")) {
            try PipelineSpec.load(contentsOf: url)
        }
        let yaml = directory.appendingPathComponent("spec.yml")
        try Data(minimalYAML.utf8).write(to: yaml)
        let spec = try PipelineSpec.load(contentsOf: yaml)
        #expect(spec.configuration.dataset.training == .csv(path: directory.appendingPathComponent("train.csv").standardizedFileURL.path))
    }

    @Test("unreadable, non-UTF-8 and empty files")
    func unreadableFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let missing = directory.appendingPathComponent("missing.yaml")
        #expect(throws: SpecError(file: missing.path, path: "", reason: "cannot read the file: no such file")) {
            try PipelineSpec.load(contentsOf: missing)
        }
        let latin1 = directory.appendingPathComponent("latin1.yaml")
        try Data([0x72, 0x3A, 0x20, 0xE9, 0x0A]).write(to: latin1)
        #expect(throws: SpecError(file: latin1.path, path: "", reason: "the file is not UTF-8 text")) {
            try PipelineSpec.load(contentsOf: latin1)
        }
        for (name, text) in [("empty.json", ""), ("blank.yaml", " \n\n"), ("comments.yaml", "# nothing yet\n"), ("document.yaml", "---\n")] {
            let url = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            #expect(throws: SpecError(file: url.path, path: "", reason: "empty file")) {
                try PipelineSpec.load(contentsOf: url)
            }
        }
    }

    @Test("a byte order mark is skipped")
    func byteOrderMark() throws {
        let spec = try parse("\u{FEFF}" + minimalYAML)
        #expect(spec.pipeline == "p")
    }

    @Test("the description reads file:line:column: path: reason")
    func errorDescription() {
        let full = SpecError(file: "spec.json", path: "training.scores[1].name", line: 12, column: 7, reason: "expected a string, got a number")
        #expect(full.description == "spec.json:12:7: training.scores[1].name: expected a string, got a number")
        #expect(SpecError(file: "spec.json", path: "", reason: "empty file").description == "spec.json: empty file")
        #expect(SpecError(path: "dataset.label", line: 4, column: 3, reason: "r").description == "4:3: dataset.label: r")
        #expect(SpecError(path: "", reason: "empty file").description == "empty file")
    }
}

@Suite("Documentation/Spec.md")
struct SpecDocumentationTests {
    @Test("the complete example (copied into the fixtures) parses, the same as YAML and as JSON")
    func completeExample() throws {
        let yaml = try PipelineSpec.load(contentsOf: fixtures.appendingPathComponent("documented.yaml"))
        let json = try PipelineSpec.load(contentsOf: fixtures.appendingPathComponent("documented.json"))
        #expect(yaml == json)
        let config = yaml.configuration
        #expect(config.dataset.keys == ["id"])
        #expect(config.training.scores == [ScoreSetting("accuracy", threshold: 0, primary: true), ScoreSetting("f1")])
        #expect(config.tuning.combinationCount == 6)
        #expect(config.preferences.timeouts == [.datasetGeneration: 300, .training: 5_400])
        #expect(config.preferences.threads.count == 4)
        #expect(config.preferences.tags == ["medical", "binary"])
        #expect(config.deployment.consumers == [.inProcess, .endpoint("breast-cancer")])
    }
}
