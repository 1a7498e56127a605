import Foundation
import Pipelines

// Paging through models, and the filters on lines, standalone models and deployment.
extension StorageConformance {
    /// `models(matching:offset:limit:)` pages through 25 pipeline models (inserted in
    /// scrambled order, three at a time created at the same instant, with imported models
    /// in between) oldest first, ties by identifier: pages of 10 are the first 10, the
    /// next 10 and the last 5, together the whole list; a nil limit gives the rest; a
    /// limit of 0, or an offset at or past the end, gives an empty page. Pages of a
    /// filtered list page through the matches only, and `countModels` counts the
    /// matches whatever the page.
    static func modelsPaging(_ t: CheckContext) async throws {
        let store = t.store
        let pipeline = try await addPipeline(t)
        let count = 25
        let models = (1...count).map { number in
            Fixture.model(number, of: pipeline, status: number % 5 == 0 ? .saved : .tested,
                          createdAt: Fixture.date(Double((count - number) / 3) * 1.5))
        }
        let imported = (1...3).map { Fixture.importedModel(100 + $0, createdAt: Fixture.date(Double($0) * 4.5 + 0.25)) }
        for index in (0..<count).map({ ($0 * 7) % count }) {
            try await addModel(t, models[index], artifact: Fixture.artifact(index))
        }
        for model in imported { try await addModel(t, model, artifact: nil) }
        let ordered = models.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        let everything = (models + imported).sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        let ofPipeline = ModelFilter(pipelineID: pipeline.id)

        /// Compares a page with the expected models, by identifier first (clearer) then whole.
        func expectPage(_ filter: ModelFilter, _ filterName: String, offset: Int, limit: Int?,
                        _ expected: ArraySlice<ModelRecord>) async throws {
            let label = "models(matching: \(filterName), offset: \(offset), limit: \(limit.map(String.init) ?? "nil"))"
            let page = try await t.must(label) { try await store.models(matching: filter, offset: offset, limit: limit) }
            t.expectEqual(page.map(\.id), expected.map(\.id), "\(label) identifiers (oldest first, ties by id)")
            if page.map(\.id) == expected.map(\.id) { t.expectEqual(page, Array(expected), "\(label) records") }
        }
        try await expectPage(ofPipeline, "pipeline", offset: 0, limit: nil, ordered[...])
        try await expectPage(ofPipeline, "pipeline", offset: 0, limit: 10, ordered[0..<10])
        try await expectPage(ofPipeline, "pipeline", offset: 10, limit: 10, ordered[10..<20])
        try await expectPage(ofPipeline, "pipeline", offset: 20, limit: 10, ordered[20..<25])
        try await expectPage(ofPipeline, "pipeline", offset: 24, limit: 10, ordered[24..<25])
        try await expectPage(ofPipeline, "pipeline", offset: 25, limit: 10, [])
        try await expectPage(ofPipeline, "pipeline", offset: 40, limit: nil, [])
        try await expectPage(ofPipeline, "pipeline", offset: 3, limit: 0, [])
        try await expectPage(ofPipeline, "pipeline", offset: 20, limit: nil, ordered[20..<25])
        try await expectPage(ModelFilter(), "all", offset: 0, limit: nil, everything[...])
        try await expectPage(ModelFilter(), "all", offset: 5, limit: 7, everything[5..<12])
        let saved = ordered.filter { $0.status == .saved }
        try await expectPage(ModelFilter(statuses: [.saved]), "statuses [saved]", offset: 1, limit: 2, saved[1..<3])

        let counts: [(String, ModelFilter, Int)] = [
            ("all", ModelFilter(), count + imported.count), ("pipeline", ofPipeline, count),
            ("statuses [saved]", ModelFilter(statuses: [.saved]), saved.count), ("standalone", ModelFilter(standalone: true), 3),
            ("statuses []", ModelFilter(statuses: []), 0), ("unknown pipeline", ModelFilter(pipelineID: Fixture.pipelineID(99)), 0),
        ]
        for (name, filter, expected) in counts {
            let counted = try await t.must("countModels(matching: \(name))") { try await store.countModels(matching: filter) }
            t.expectEqual(counted, expected, "countModels(matching: \(name))")
        }
    }

    /// The filters `lineID`, `standalone` and `deployedOnly`, alone and combined with the
    /// others, across pipeline scopes and standalone lines: a line holds its root and its
    /// later versions, an orphaned model is its own line, a model replaced or undeployed
    /// is no longer deployed, one deployed in its line after its pipeline was deleted is;
    /// `countModels` agrees with each list.
    static func modelsFilterLinesAndDeployment(_ t: CheckContext) async throws {
        let store = t.store
        let repository = Fixture.repository(1, name: "first")
        let churn = try await addPipeline(t, number: 1, name: "churn", repository: repository)
        let fraud = try await addPipeline(t, number: 2, name: "fraud", repository: repository)
        let gone = try await addPipeline(t, number: 3, name: "gone", repository: repository)
        let models: [String: ModelRecord] = [
            "a": Fixture.model(1, of: churn), "b": Fixture.model(2, of: churn), "c": Fixture.model(3, of: fraud),
            "d": Fixture.importedModel(4), "e": Fixture.importedModel(5, line: 4, version: 2), "f": Fixture.importedModel(6),
            "g": Fixture.importedModel(7), "h": Fixture.model(8, of: gone),
        ]
        for label in ["h", "g", "f", "e", "d", "c", "b", "a"] {
            try await addModel(t, models[label]!, artifact: Fixture.artifact(label.count))
        }
        let id = { (label: String) in models[label]!.id }
        let swaps: [(String, ModelID?, DeploymentScope, ModelID?)] = [
            ("a in churn", id("a"), .pipeline(churn.id), nil), ("b in churn", id("b"), .pipeline(churn.id), id("a")),
            ("c in fraud", id("c"), .pipeline(fraud.id), nil), ("d in line 4", id("d"), .standalone(id("d")), nil),
            ("e in line 4", id("e"), .standalone(id("d")), id("d")), ("g in line 7", id("g"), .standalone(id("g")), nil),
            ("nil in line 7", nil, .standalone(id("g")), id("g")), ("h in gone", id("h"), .pipeline(gone.id), nil),
        ]
        for (label, model, scope, expected) in swaps {
            try await t.must("deploy(\(label))") { try await store.deploy(model, in: scope, expecting: expected) }
        }
        try await t.must("deletePipeline(gone)") { try await store.deletePipeline(gone.id) }
        try await t.must("deploy(h, orphaned, in its own line)") {
            try await store.deploy(id("h"), in: .standalone(id("h")), expecting: nil)
        }

        let labels = Dictionary(uniqueKeysWithValues: models.map { ($0.value.id, $0.key) })
        let cases: [(String, ModelFilter, [String])] = [
            ("lineID 4", ModelFilter(lineID: id("d")), ["d", "e"]),
            ("lineID 6", ModelFilter(lineID: id("f")), ["f"]),
            ("lineID 8 (orphaned)", ModelFilter(lineID: id("h")), ["h"]),
            ("lineID 5 (not a root)", ModelFilter(lineID: id("e")), []),
            ("standalone", ModelFilter(standalone: true), ["d", "e", "f", "g", "h"]),
            ("not standalone", ModelFilter(standalone: false), ["a", "b", "c"]),
            ("deployedOnly", ModelFilter(deployedOnly: true), ["b", "c", "e", "h"]),
            ("deployedOnly, standalone", ModelFilter(standalone: true, deployedOnly: true), ["e", "h"]),
            ("deployedOnly, not standalone", ModelFilter(standalone: false, deployedOnly: true), ["b", "c"]),
            ("deployedOnly, pipeline churn", ModelFilter(pipelineID: churn.id, deployedOnly: true), ["b"]),
            ("deployedOnly, lineID 4", ModelFilter(lineID: id("d"), deployedOnly: true), ["e"]),
            ("deployedOnly, repository first", ModelFilter(repositoryID: repository.id, deployedOnly: true), ["b", "c"]),
            ("deployedOnly, statuses [saved]", ModelFilter(statuses: [.saved], deployedOnly: true), []),
            ("lineID 4, not standalone", ModelFilter(lineID: id("d"), standalone: false), []),
            ("standalone, pipeline churn", ModelFilter(pipelineID: churn.id, standalone: true), []),
        ]
        for (name, filter, expected) in cases {
            let found = try await t.must("models(matching: \(name))") { try await store.models(matching: filter) }
            t.expectEqual(found.map { labels[$0.id] ?? $0.id.rawValue }, expected,
                          "models(matching: \(name)) (models a…h, oldest first)")
            let counted = try await t.must("countModels(matching: \(name))") { try await store.countModels(matching: filter) }
            t.expectEqual(counted, expected.count, "countModels(matching: \(name))")
        }
    }
}
