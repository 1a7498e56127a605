import Foundation
import Pipelines
import Tabular
import Testing

/// Item 8 of the data-integrity issue: every bad input is refused and leaves the store
/// exactly as it was — datasets, configuration versions, models and deployments.
@Suite("Bad data leaves the store exactly as it was")
struct BadDataLeavesStoreTests {
    /// A good source: y = 2x + 1 with a key.
    static let good = (["id,x,y"] + (0..<40).map { "\($0),\($0),\(2 * $0 + 1)" }).joined(separator: "\n") + "\n"

    /// Bad versions of the source: the CSV error corpus's kinds, and the data rules.
    static let cases: [(name: String, bytes: [UInt8])] = {
        var rows = (0..<40).map { "\($0),\($0),\(2 * $0 + 1)" }
        func csv(_ change: (inout [String]) -> Void, header: String = "id,x,y") -> [UInt8] {
            var copy = rows
            change(&copy)
            return Array(([header] + copy).joined(separator: "\n").utf8) + [10]
        }
        rows.append("40,40,81")
        return [
            ("a ragged row", csv { $0[7] = "7,7" }),
            ("an unterminated quote", csv { $0[12] = "12,\"12,25" }),
            ("text after a closing quote", csv { $0[3] = "3,\"3\"x,7" }),
            ("invalid UTF-8", Array("id,x,y\n0,0,1\n1,".utf8) + [0xFF, 0xFE] + Array(",3\n".utf8)),
            ("an empty file", []),
            ("a duplicate header", csv({ _ in }, header: "id,x,x")),
            ("infinity in a numeric column", csv { $0[20] = "20,inf,41" }),
            ("text in a numeric column", csv { $0[20] = "20,abc,41" }),
            ("a missing feature under policy error", csv { $0[21] = "21,NA,43" }),
            ("a missing label", csv { $0[22] = "22,22," }),
            ("the label column gone", csv({ $0 = $0.map { String($0.split(separator: ",").prefix(2).joined(separator: ",")) } }, header: "id,x")),
        ]
    }()

    /// Everything a failed run must leave alone.
    struct State: Equatable {
        var datasets: DatasetSnapshot?
        var configurations: [ConfigurationRecord]
        var models: [ModelRecord]
        var deployments: [DeploymentRecord]
    }

    static func state(_ pipeline: Pipeline, _ workspace: Workspace, _ store: any PipelineStorage) async throws -> State {
        State(
            datasets: try await store.datasets(of: pipeline.id), configurations: try await pipeline.configurationHistory(),
            models: try await workspace.registry.models().models, deployments: try await pipeline.deployment.history())
    }

    @Test("each bad input is refused and changes nothing", arguments: StorageBackend.available)
    func nothingLost(_ backend: StorageBackend) async throws {
        let directory = try TemporaryDirectory("bad-data-\(backend.rawValue)")
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("data.csv")
        try Data(Self.good.utf8).write(to: file)
        let clock = ManualWallClock(now: Fixtures.start)
        let store = try await backend.makeStore(clock: clock, in: directory)
        let workspace = Workspace(store: store, clock: clock, baseDirectory: directory.url)
        let pipeline = try await workspace.createRepository(named: "R").createPipeline(named: "P")
        try await pipeline.configure { config in
            config.dataset = DatasetStep(training: .csv(path: "data.csv"), split: RandomSplit(testFraction: 0.25, seed: 5), label: "y",
                                         keys: ["id"])
            config.training = TrainingStep(estimator: "LinearRegression", validation: .none)
        }
        let first = try await pipeline.run(jobs: [.datasetGeneration, .training, .testing]).result()
        try #require(first.status == .succeeded, "\(first.outcomes)")
        try await pipeline.deployment.deploy(try #require(first.savedModels.first))
        let before = try await Self.state(pipeline, workspace, store)
        try #require(before.datasets != nil && before.models.count == 1 && before.deployments.count == 1)

        for (name, bytes) in Self.cases {
            try Data(bytes).write(to: file)
            var refused = false
            do {
                let record = try await pipeline.run().result()
                refused = record.status == .failed
            } catch {
                refused = true  // refused before any job: the configuration check read the source
            }
            #expect(refused, "\(name) was accepted")
            let after = try await Self.state(pipeline, workspace, store)
            #expect(after == before, "\(name) changed the store")
            // Saving a configuration against the bad source is refused too, and saves nothing.
            await expectPipelineError({ try await pipeline.configure { $0.preferences.description = "after \(name)" } },
                                      "\(name): configure accepted the bad source") { error in
                guard case .invalidConfiguration(_, let problems) = error else { return false }
                return !problems.isEmpty
            }
            #expect(try await pipeline.configurationHistory() == before.configurations, "\(name) saved a configuration")
        }
    }
}
