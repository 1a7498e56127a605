// The custom-estimator example of Documentation/Estimators.md and the Estimators DocC
// article, compiled and run as written. `docsShowThisCode` fails when a doc's example and
// this file drift apart, so the published example cannot silently stop compiling. This
// file imports Estimators without @testable: the example uses public API only.

import Foundation
import Testing

import Estimators      // Estimator, PersistableModel, EstimatorCatalog, HyperParameterSchema, Targets, FitContext…
import LinearAlgebra   // Matrix
import Scoring         // PredictionTask

/// Predicts the training mean, optionally pulled towards zero, whatever the features.
struct MeanBaseline: Estimator {
    static let name = "MeanBaseline"
    static let task = PredictionTask.regression
    static let hyperParameters = HyperParameterSchema([
        .double("shrinkage", default: 0, min: 0, max: 1, "Pull the mean towards zero by this share."),
    ])

    let shrinkage: Double

    /// `parameters` were checked against `hyperParameters`, with defaults filled in.
    init(_ parameters: HyperParameters) throws(EstimatorError) {
        shrinkage = parameters.double("shrinkage") ?? 0
    }

    func fit(_ x: Matrix, _ y: Targets, context: FitContext) throws(EstimatorError) -> any TrainedModel {
        // Equal row counts, finite values, and `.values` targets for a regressor.
        let (_, _, values) = try InputValidation.checkFit(x, y, estimator: Self.name, task: Self.task)
        try context.checkCancellation(Self.name)
        let mean = values.reduce(0, +) / Double(values.count)
        return MeanBaselineModel(featureCount: x.columns, mean: mean * (1 - shrinkage))
    }
}

/// The fitted model: `Codable`, so it has a payload the catalog can decode.
struct MeanBaselineModel: PersistableModel {
    static let payloadKind = "MeanBaselineModel"

    let featureCount: Int
    let mean: Double
    var estimatorName: String { MeanBaseline.name }
    var task: PredictionTask { .regression }

    func predict(_ x: Matrix) throws(EstimatorError) -> [Double] {
        try InputValidation.checkPredict(x, featureCount: featureCount, estimator: estimatorName)
        return [Double](repeating: mean, count: x.rows)
    }

    /// Runs after decoding a payload: refuse anything a fit could not have produced.
    func validate() throws(EstimatorError) {
        guard featureCount > 0, mean.isFinite else {
            throw .invalidPayload("MeanBaselineModel needs a positive feature count and a finite mean")
        }
    }
}

/// The standard catalog plus the custom estimator and its model kind.
func makeCatalog() throws(EstimatorError) -> EstimatorCatalog {
    var catalog = EstimatorCatalog.standard
    try catalog.register(MeanBaseline.self)           // pipelines can name "MeanBaseline"
    catalog.registerModel(MeanBaselineModel.self)     // its payloads can be decoded
    return catalog
}

@Suite("The documented custom-estimator example")
struct CustomEstimatorExampleTests {
    @Test("registers in a catalog, fits, predicts, and round-trips its payload through the catalog")
    func example() throws {
        let catalog = try makeCatalog()
        let estimator = try catalog.makeEstimator(named: "MeanBaseline", hyperParameters: ["shrinkage": 0.5])
        let x = try Matrix([[1], [2], [3]])
        let model = try estimator.fit(x, .values([2, 4, 6]), context: FitContext())
        let predictions = try model.predict(x)                        // [2, 2, 2]: the mean 4, halved
        let bytes = try model.payload().encoded()                     // portable JSON
        let restored = try catalog.decodeModel(try ModelPayload(decoding: bytes))

        #expect(predictions == [2, 2, 2])
        #expect(try restored.predict(x) == predictions)
        #expect(restored is MeanBaselineModel)
        #expect(restored.estimatorName == "MeanBaseline" && restored.featureCount == 1 && restored.task == .regression)
        #expect(try restored.payload().encoded() == bytes)
        let payload = try model.payload()
        #expect(payload.kind == "MeanBaselineModel" && payload.estimator == "MeanBaseline" && payload.featureCount == 1)
        #expect(catalog.names(for: .regression).contains("MeanBaseline"))
    }

    @Test("the catalog checks its hyper-parameters, refuses a second registration, and its payloads need registerModel")
    func catalogChecks() throws {
        var catalog = try makeCatalog()
        #expect(throws: EstimatorError.duplicateEstimator("MeanBaseline")) { try catalog.register(MeanBaseline.self) }
        #expect(throws: EstimatorError.invalidHyperParameters(estimator: "MeanBaseline", problems: ["shrinkage must be ≤ 1.0, got 2.0"])) {
            _ = try catalog.makeEstimator(named: "MeanBaseline", hyperParameters: ["shrinkage": 2])
        }
        let model = try catalog.makeEstimator(named: "MeanBaseline").fit(try Matrix([[0, 1], [1, 0]]), .values([1, 3]), context: FitContext())
        #expect(try model.predict(try Matrix([[5, 5]])) == [2])
        #expect(throws: EstimatorError.featureCountMismatch(estimator: "MeanBaseline", expected: 2, actual: 1)) {
            _ = try model.predict(try Matrix([[5]]))
        }
        #expect(throws: EstimatorError.shapeMismatch(estimator: "MeanBaseline", details: "a regressor needs real values, got class indices")) {
            _ = try catalog.makeEstimator(named: "MeanBaseline").fit(try Matrix([[0], [1]]), .classes([0, 1], classCount: 2), context: FitContext())
        }
        // Without registerModel the kind is unknown; an altered body is refused by validate().
        let payload = try model.payload()
        guard case .invalidPayload(let message) = estimatorError({ _ = try EstimatorCatalog.standard.decodeModel(payload) }) else { return }
        #expect(message.hasPrefix("unknown model kind 'MeanBaselineModel'"))
        var altered = payload
        altered.body = Data(#"{"featureCount": 0, "mean": 1}"#.utf8)
        altered.featureCount = 0
        #expect(throws: EstimatorError.invalidPayload("MeanBaselineModel needs a positive feature count and a finite mean")) {
            _ = try catalog.decodeModel(altered)
        }
    }

    @Test("Documentation/Estimators.md and the DocC article show exactly this file's example")
    func docsShowThisCode() throws {
        let thisFile = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        let root = thisFile.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let source = normalizedLines(try String(contentsOf: thisFile, encoding: .utf8))
        let sourceImports = Set(source.compactMap(importedModule))
        for doc in ["Documentation/Estimators.md", "Sources/Estimators/Documentation.docc/Estimators.md"] {
            let text = try String(contentsOf: root.appendingPathComponent(doc), encoding: .utf8)
            // Every Swift block about the example, except the one needing the Pipelines module.
            let blocks = swiftBlocks(text).filter { $0.contains("MeanBaseline") && !$0.contains("import Pipelines") }
            #expect(blocks.count >= 2, "\(doc): the example's declarations and its use")
            for block in blocks {
                // A block's imports are among this file's; the rest of it is here line by line.
                let lines = normalizedLines(block)
                let imports = Set(lines.compactMap(importedModule))
                let shown = contains(source, lines.filter { importedModule($0) == nil })
                #expect(imports.isSubset(of: sourceImports), "\(doc): imports \(imports.subtracting(sourceImports).sorted())")
                #expect(shown, "\(doc): this block is not in \(thisFile.lastPathComponent):\n\(block)")
            }
        }
    }
}

/// The contents of the ```swift fenced blocks of a Markdown text.
private func swiftBlocks(_ markdown: String) -> [String] {
    var blocks: [String] = [], current: [Substring]?
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if current == nil, trimmed == "```swift" {
            current = []
        } else if let lines = current, trimmed == "```" {
            blocks.append(lines.joined(separator: "\n"))
            current = nil
        } else {
            current?.append(line)
        }
    }
    return blocks
}

/// Non-empty lines without their indentation and trailing spaces.
private func normalizedLines(_ text: String) -> [String] {
    text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// The module an `import` line imports, or `nil` for another line.
private func importedModule(_ line: String) -> String? {
    let words = line.split(separator: " ")
    return words.count >= 2 && words[0] == "import" ? String(words[1]) : nil
}

/// Whether `lines` occur in `source` as consecutive lines.
private func contains(_ source: [String], _ lines: [String]) -> Bool {
    guard !lines.isEmpty, lines.count <= source.count else { return lines.isEmpty }
    return (0...(source.count - lines.count)).contains { start in Array(source[start..<(start + lines.count)]) == lines }
}
