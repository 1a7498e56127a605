import Foundation
import Testing

/// `Examples/DigitsImages` end to end, as its README runs it: both specs train on the
/// folder of PNGs, reach the 0.95 testing accuracy and deploy; `mlpipe predict --images`
/// predicts the folder of new images into a CSV.
@Suite("mlpipe: the digits image-folder example", .serialized)
struct DigitsImagesExampleTests {
    /// A copy of the example (its images included), removed afterwards.
    static func withDigits(_ body: (URL) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlpipe-digits-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Examples/DigitsImages"), to: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory)
    }

    @Test("mlp.yaml and forest.yaml reach testing accuracy ≥ 0.95 and deploy; predict --images writes path, prediction, probabilities")
    func example() async throws {
        try await Self.withDigits { directory in
            for (spec, pipeline, estimator) in [("mlp.yaml", "digits-mlp", "MLPClassifier"), ("forest.yaml", "digits-forest", "RandomForestClassifier")] {
                let run = try await mlpipe(["run", "--spec", spec, "--json"], in: directory)
                #expect(run.status == 0, "\(spec): \(run.stderr)")
                let object = try #require(try run.json() as? [String: Any])
                #expect(object["pipeline"] as? String == pipeline)
                let model = try #require((object["models"] as? [[String: Any]])?.first)
                #expect(model["estimator"] as? String == estimator)
                let accuracy = try #require((model["testingScores"] as? [String: Double])?["accuracy"])
                #expect(accuracy >= 0.95, "\(spec): testing accuracy \(accuracy)")
                #expect(model["deployed"] as? Bool == true)
                let jobs = try #require(object["jobs"] as? [[String: Any]])
                let generation = jobs.first { $0["job"] as? String == "datasetGeneration" }?["summary"] as? String ?? ""
                #expect(generation.contains("1777 new of 1777 input rows"), "\(generation)")
            }

            let predict = try await mlpipe(
                ["predict", "--pipeline", "digits-mlp", "--images", "images/new", "--output", "digits.csv", "--json"], in: directory)
            #expect(predict.status == 0, "\(predict.stderr)")
            let summary = try #require(try predict.json() as? [String: Any])
            #expect(summary["rows"] as? Int == 20 && summary["predicted"] as? Int == 20 && summary["rejected"] as? Int == 0)
            let lines = try String(contentsOf: directory.appendingPathComponent("digits.csv"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            #expect(lines.first == "path,prediction," + (0...9).map { "probability_\($0)" }.joined(separator: ","))
            let predicted = Dictionary(uniqueKeysWithValues: lines.dropFirst().map { line in
                let fields = line.split(separator: ",").map(String.init)
                return (fields[0], fields[1])
            })
            let labels = try String(contentsOf: directory.appendingPathComponent("images/new-labels.csv"), encoding: .utf8)
                .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
            #expect(labels.count == 20 && Set(predicted.keys) == Set(labels.map { $0[0] }))
            let right = labels.filter { predicted[$0[0]] == $0[1] }.count
            #expect(right >= 18, "\(right) of 20 new images predicted right")
        }
    }
}
