import Foundation
import ImageDatasets
import Pipelines
import PipelinesSpec
import Tabular
import Testing

/// Image folders as a pipeline's source, end to end: the rows, the append-only rules on
/// paths and digests, unreadable files, the model keeping its preprocessing, predictions on
/// image files and folders. The images are the committed digits PNGs of
/// `Examples/DigitsImages` (three classes, a few of each).
@Suite("Image folders: datasets, models and predictions")
struct ImagePipelineTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let digits = repositoryRoot.appendingPathComponent("Examples/DigitsImages/images")

    /// A temporary image folder holding the first `perClass` training images of each class.
    static func folder(classes: [String] = ["0", "1", "7"], perClass: Int = 12) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("images-\(UUID().uuidString)")
        let files = FileManager.default
        for name in classes {
            let source = digits.appendingPathComponent("train/\(name)")
            let target = root.appendingPathComponent(name)
            try files.createDirectory(at: target, withIntermediateDirectories: true)
            for file in try files.contentsOfDirectory(atPath: source.path).sorted().prefix(perClass) {
                try files.copyItem(at: source.appendingPathComponent(file), to: target.appendingPathComponent(file))
            }
        }
        return root
    }

    static let preprocessing = Result { try ImagePreprocessing(width: 16, height: 16, color: .grey) }

    /// A text column's values (missing cells fail the test).
    static func strings(_ table: Table, _ name: String) throws -> [String] {
        guard case .categorical(let values) = try table.column(named: name).values else { throw FixtureError.missing("\(name) is not text") }
        return values
    }

    /// A numeric column's values.
    static func numbers(_ table: Table, _ name: String) throws -> [Double] {
        guard case .numeric(let values) = try table.column(named: name).values else { throw FixtureError.missing("\(name) is not numeric") }
        return values
    }

    /// A pipeline on `root` (logistic regression, 25 % testing), not run yet.
    static func pipeline(_ workspace: Workspace, root: URL, unreadable: UnreadablePolicy = .skip) async throws -> Pipeline {
        let pipeline = try await workspace.createRepository(named: "Digits").createPipeline(named: "digits")
        let source = ImageFolderSource(folder: root.path, preprocessing: try preprocessing.get(), unreadable: unreadable)
        try await pipeline.configure { config in
            config.dataset = DatasetStep(images: source, split: RandomSplit(testFraction: 0.25, seed: 3))
            config.training = TrainingStep(estimator: "LogisticRegression", validation: .none)
        }
        return pipeline
    }

    @Test("a generation reads one row per image: path and digest keys, the class folder as label, 16×16 pixels in [0, 1]")
    func rows() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let (workspace, store) = try Fixtures.workspaceAndStore()
        let pipeline = try await Self.pipeline(workspace, root: root)
        let run = try await pipeline.run(jobs: [.datasetGeneration]).result()
        try #require(run.status == .succeeded, "\(run.outcomes)")
        let datasets = try #require(await store.datasets(of: pipeline.id)).decodedDatasets()
        #expect(datasets.training.rowCount + datasets.testing.rowCount == 36)
        #expect(datasets.testing.rowCount == 9, "⌈0.25 · 36⌉")
        #expect(datasets.schema?.columns.map(\.name) == ["path", "digest"] + (try Self.preprocessing.get().featureNames) + ["label"])
        let labels = Set(try Self.strings(datasets.testing, "label") + Self.strings(datasets.training, "label"))
        #expect(labels == ["0", "1", "7"])
        let pixels = try Self.numbers(datasets.training, "pixel_8_8")
        #expect(pixels.allSatisfy { (0...1).contains($0) } && pixels.contains { $0 > 0.1 })
    }

    @Test("images added later are new rows; a file changed in place is a new row, and the summary says so")
    func appendOnly() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let (workspace, store) = try Fixtures.workspaceAndStore()
        let pipeline = try await Self.pipeline(workspace, root: root)
        _ = try await pipeline.run(jobs: [.datasetGeneration]).result()
        let firstTesting = try #require(await store.datasets(of: pipeline.id)).decodedDatasets().testing
        // One new image, one image rewritten with another digit's bytes under its old name.
        let files = FileManager.default
        let changed = try #require(try files.contentsOfDirectory(atPath: root.appendingPathComponent("1").path).sorted().first)
        try files.removeItem(at: root.appendingPathComponent("1/\(changed)"))
        try files.copyItem(at: Self.digits.appendingPathComponent("new/1790.png"), to: root.appendingPathComponent("1/\(changed)"))
        try files.copyItem(at: Self.digits.appendingPathComponent("new/1791.png"), to: root.appendingPathComponent("7/extra.png"))
        let run = try await pipeline.run(jobs: [.datasetGeneration]).result()
        try #require(run.status == .succeeded, "\(run.outcomes)")
        let summary = run.outcomes.first?.summary ?? ""
        #expect(summary.contains("2 new of 37 input rows"), "\(summary)")
        #expect(summary.contains("1 image(s) changed under a path seen before"), "\(summary)")
        let datasets = try #require(await store.datasets(of: pipeline.id)).decodedDatasets()
        // Testing only grows: every earlier testing row is still there.
        let before = Set(try Self.strings(firstTesting, "digest"))
        #expect(before.isSubset(of: Set(try Self.strings(datasets.testing, "digest"))))
    }

    @Test("unreadable files: skipped and listed in the summary, or (policy fail) the run refused listing all, storing nothing")
    func unreadable() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        // Saved while the folder is clean (a configuration's check reads the folder too).
        let (failingWorkspace, store) = try Fixtures.workspaceAndStore()
        let failing = try await Self.pipeline(failingWorkspace, root: root, unreadable: .fail)
        try Data().write(to: root.appendingPathComponent("0/empty.png"))
        try Data("not an image".utf8).write(to: root.appendingPathComponent("7/text.png"))

        let skipping = try await Self.pipeline(try Fixtures.workspace(), root: root)
        let run = try await skipping.run(jobs: [.datasetGeneration]).result()
        try #require(run.status == .succeeded, "\(run.outcomes)")
        let summary = run.outcomes.first?.summary ?? ""
        #expect(summary.contains("2 image file(s) left out: 0/empty.png:") && summary.contains("7/text.png:"), "\(summary)")

        var message = ""
        do {
            let failed = try await failing.run(jobs: [.datasetGeneration]).result()
            #expect(failed.status == .failed)
            message = failed.outcomes.first?.error ?? ""
        } catch {
            message = "\(error)"
        }
        #expect(message.contains("0/empty.png") && message.contains("7/text.png"), "\(message)")
        #expect(try await store.datasets(of: failing.id) == nil, "nothing stored")
    }

    @Test("the model keeps its preprocessing; predictions on an image, on files, and on a folder into CSV with rejects")
    func predictions() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let workspace = try Fixtures.workspace()
        let pipeline = try await Self.pipeline(workspace, root: root)
        let run = try await pipeline.run(jobs: [.datasetGeneration, .training]).result()
        try #require(run.status == .succeeded, "\(run.outcomes)")
        let model = try #require(try await pipeline.models().first)
        try await pipeline.deployment.deploy(model.id, ifCurrent: nil)
        let loaded = try await pipeline.deployment.loadedModel()
        #expect(loaded.bundle.images == (try Self.preprocessing.get()))

        // A training image is predicted as its class (the model fits its training rows).
        let seven = root.appendingPathComponent("7").appendingPathComponent(
            try #require(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("7").path).sorted().first))
        let one = try await pipeline.deployment.predict(imageAt: seven)
        #expect(one.values == ["7"])
        #expect(one.probabilities?.rows == 1 && one.classes == ["0", "1", "7"])

        // A folder: a subfolder, a corrupt file and a text file go where they should.
        let batch = FileManager.default.temporaryDirectory.appendingPathComponent("predict-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: batch) }
        try FileManager.default.createDirectory(at: batch.appendingPathComponent("more"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: seven, to: batch.appendingPathComponent("a.png"))
        try FileManager.default.copyItem(at: seven, to: batch.appendingPathComponent("more/b.png"))
        try Data([0x89, 0x50, 0x4E, 0x47]).write(to: batch.appendingPathComponent("c.png"))
        try Data("notes".utf8).write(to: batch.appendingPathComponent("notes.txt"))
        let output = batch.appendingPathComponent("out.csv"), rejects = batch.appendingPathComponent("out.rejects.csv")
        let summary = try await pipeline.deployment.predictImages(in: batch, output: output, rejects: rejects)
        #expect(summary.rowsRead == 4 && summary.rowsPredicted == 2 && summary.rowsRejected == 2, "\(summary)")
        let table = try CSV.read(contentsOf: output)
        #expect(table.columnNames == ["path", "prediction", "probability_0", "probability_1", "probability_7"])
        #expect(try Self.strings(table, "path") == ["a.png", "more/b.png"])
        let rejected = try String(contentsOf: rejects, encoding: .utf8)
        #expect(rejected.contains("c.png") && rejected.contains("notes.txt"), "\(rejected)")

        // A model trained on a table refuses images, saying so.
        let (_, line, _) = try await BatchPredictionTests.deployedLine()
        let refused = await #expect(throws: PipelineError.self) { _ = try await line.deployment.predict(imageAt: seven) }
        guard case .invalidBatch(let reason)? = refused, reason.contains("trained on a table") else {
            Issue.record("\(String(describing: refused)) is not the table model's refusal"); return
        }
    }

    @Test("a spec's dataset.images: folder, size, colour, policy; label and keys implied; stray keys and bad values refused")
    func spec() throws {
        let base = FileManager.default.temporaryDirectory
        let yaml = """
            repository: Digits
            pipeline: digits
            dataset:
              images: {folder: images/train, width: 32, height: 24, color: rgb, unreadable: fail}
              split: {testFraction: 0.2, seed: 5}
            training: {estimator: RandomForestClassifier}
            """
        let spec = try PipelineSpec.parse(yaml, format: .yaml, baseDirectory: base)
        let dataset = spec.configuration.dataset
        guard case .images(let images)? = dataset.training else { Issue.record("not an image source"); return }
        #expect(images.folder == base.appendingPathComponent("images/train").standardizedFileURL.path)
        #expect(images.preprocessing.width == 32 && images.preprocessing.height == 24 && images.preprocessing.color == .rgb)
        #expect(images.unreadable == .fail)
        #expect(dataset.label == "label" && dataset.keys == ["path", "digest"])
        #expect(dataset.split == RandomSplit(testFraction: 0.2, seed: 5))

        for (text, key, reason) in [
            (yaml.replacingOccurrences(of: "  split:", with: "  label: digit\n  split:"), "dataset.label", "does not go with 'images'"),
            (yaml.replacingOccurrences(of: "color: rgb", with: "color: sepia"), "dataset.images.color", "bad color 'sepia'"),
            (yaml.replacingOccurrences(of: "width: 32", with: "width: 5000"), "dataset.images.width", "5000"),
        ] {
            let error = #expect(throws: SpecError.self) { try PipelineSpec.parse(text, format: .yaml, baseDirectory: base) }
            #expect(error?.path == key && error?.reason.contains(reason) == true, "\(String(describing: error))")
        }
    }

    @Test("validation: an image folder with a CSV testing source, or another label, is a configuration problem")
    func validation() async throws {
        let root = try Self.folder(perClass: 2)
        defer { try? FileManager.default.removeItem(at: root) }
        let pipeline = try await Self.pipeline(try Fixtures.workspace(), root: root)
        for (change, key) in [
            ({ (config: inout PipelineConfiguration) in config.dataset.testing = .csv(path: "test.csv") }, "dataset.testing"),
            ({ (config: inout PipelineConfiguration) in config.dataset.label = "digit" }, "dataset.label"),
        ] {
            let error = await #expect(throws: PipelineError.self) { try await pipeline.configure(change) }
            guard case .invalidConfiguration(_, let problems)? = error else { Issue.record("\(String(describing: error))"); continue }
            #expect(problems.contains { $0.path == key }, "\(problems)")
        }
        #expect(try await pipeline.configuration().version == 1, "nothing saved")
    }
}
