import Foundation
import Pipelines

// Paging through models, and the filters on lines, standalone models, deployment and
// former pipelines.
extension StorageConformance {
    /// `models(matching:offset:limit:)` pages through 25 pipeline models (inserted in
    /// scrambled order, three at a time created at the same instant, with imported models
    /// in between) oldest first, ties by identifier: pages of 10 are the first 10, the
    /// next 10 and the last 5, together the whole list; a nil limit gives the rest; a
    /// limit of 0, or an offset at or past the end, gives an empty page. Pages of a
    /// filtered list page through the matches only, and `countModels` counts the
    /// matches whatever the page; `modelPage` gives each page with that count (pages near the
    /// end too, which a store may read from the newest end).
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
            // The page with its total, read together: the same page, and countModels' number.
            let count = try await t.must("countModels(matching: \(filterName))") { try await store.countModels(matching: filter) }
            let both = try await t.must("model\(label.dropFirst(6))") { try await store.modelPage(matching: filter, offset: offset, limit: limit) }
            t.expectEqual(both.models.map(\.id), expected.map(\.id), "modelPage\(label.dropFirst(6)) identifiers")
            t.expectEqual(both.total, count, "modelPage\(label.dropFirst(6)) total")
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
        // Pages nearer the end than the start (a store may read them from the newest end).
        try await expectPage(ofPipeline, "pipeline", offset: 14, limit: 7, ordered[14..<21])
        try await expectPage(ModelFilter(), "all", offset: 17, limit: 6, everything[17..<23])
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
            try await deploy(t, model, in: scope, expecting: .current(expected), label)
        }
        try await t.must("deletePipeline(gone)") { try await store.deletePipeline(gone.id, orphaning: Fixture.orphaning) }
        try await deploy(t, id("h"), in: .standalone(id("h")), expecting: .current(nil), "h, orphaned, in its own line")

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

    /// The filter `formerPipelineID` finds the models orphaned from that pipeline — by its
    /// deletion, whatever their status — oldest first, and nothing else: not the models of
    /// a live pipeline of that id nor of another deleted pipeline, not an orphaned model
    /// without its former pipeline's id even under the same name, not imported models.
    /// Combined with the other filters it narrows; pages of it page through its matches
    /// only; `countModels` agrees with each list.
    static func modelsFilterFormerPipeline(_ t: CheckContext) async throws {
        let store = t.store
        let repository = Fixture.repository(1, name: "first")
        let churn = try await addPipeline(t, number: 1, name: "churn", repository: repository)
        let gone = try await addPipeline(t, number: 2, name: "gone", repository: repository)
        let lost = try await addPipeline(t, number: 3, name: "lost", repository: repository, configured: false)
        var legacy = Fixture.importedModel(8, version: 3)
        legacy.origin = .orphaned(formerPipeline: nil, name: "gone")
        let models: [String: ModelRecord] = [
            "a": Fixture.model(1, of: churn, createdAt: Fixture.date(10)),
            "b": Fixture.model(2, of: gone, status: .tested, createdAt: Fixture.date(40)),
            "c": Fixture.model(3, of: gone, status: .saved, createdAt: Fixture.date(20)),
            "d": Fixture.model(4, of: gone, status: .rejected, createdAt: Fixture.date(30)),
            "e": Fixture.model(5, of: gone, status: .saved, createdAt: Fixture.date(30)),
            "f": Fixture.model(6, of: lost, createdAt: Fixture.date(25)),
            "g": Fixture.importedModel(7, createdAt: Fixture.date(5)), "h": legacy,
        ]
        for label in ["h", "g", "f", "e", "d", "c", "b", "a"] {
            try await addModel(t, models[label]!, artifact: label == "d" ? nil : Fixture.artifact(label.count))
        }
        let id = { (label: String) in models[label]!.id }
        try await t.must("deletePipeline(gone)") { try await store.deletePipeline(gone.id, orphaning: Fixture.orphaning) }
        try await t.must("deletePipeline(lost)") { try await store.deletePipeline(lost.id, orphaning: Fixture.orphaning) }
        try await deploy(t, id("e"), in: .standalone(id("e")), expecting: .current(nil), "e, orphaned from gone, in its own line")

        let labels = Dictionary(uniqueKeysWithValues: models.map { ($0.value.id, $0.key) })
        let formerGone = ModelFilter(formerPipelineID: gone.id)
        let cases: [(String, ModelFilter, [String])] = [
            ("formerPipelineID gone", formerGone, ["c", "d", "e", "b"]),
            ("formerPipelineID lost", ModelFilter(formerPipelineID: lost.id), ["f"]),
            ("formerPipelineID churn (a live pipeline)", ModelFilter(formerPipelineID: churn.id), []),
            ("formerPipelineID unknown", ModelFilter(formerPipelineID: Fixture.pipelineID(99)), []),
            ("pipelineID gone (deleted)", ModelFilter(pipelineID: gone.id), []),
            ("formerPipelineID gone, statuses [saved]", ModelFilter(statuses: [.saved], formerPipelineID: gone.id), ["c", "e"]),
            ("formerPipelineID gone, deployedOnly", ModelFilter(deployedOnly: true, formerPipelineID: gone.id), ["e"]),
            ("formerPipelineID gone, standalone", ModelFilter(standalone: true, formerPipelineID: gone.id), ["c", "d", "e", "b"]),
            ("formerPipelineID gone, not standalone", ModelFilter(standalone: false, formerPipelineID: gone.id), []),
            ("formerPipelineID gone, lineID d", ModelFilter(lineID: id("d"), formerPipelineID: gone.id), ["d"]),
            ("formerPipelineID gone, repository first", ModelFilter(repositoryID: repository.id, formerPipelineID: gone.id), []),
            ("formerPipelineID gone, pipelineID churn", ModelFilter(pipelineID: churn.id, formerPipelineID: gone.id), []),
            ("standalone", ModelFilter(standalone: true), ["g", "c", "f", "d", "e", "b", "h"]),
        ]
        for (name, filter, expected) in cases {
            let found = try await t.must("models(matching: \(name))") { try await store.models(matching: filter) }
            t.expectEqual(found.map { labels[$0.id] ?? $0.id.rawValue }, expected, "models(matching: \(name)) (models a…h, oldest first)")
            let counted = try await t.must("countModels(matching: \(name))") { try await store.countModels(matching: filter) }
            t.expectEqual(counted, expected.count, "countModels(matching: \(name))")
        }
        let pages: [(offset: Int, limit: Int?, expected: [String])] = [
            (0, 2, ["c", "d"]), (2, 2, ["e", "b"]), (1, 2, ["d", "e"]), (3, nil, ["b"]), (3, 5, ["b"]), (4, 1, []), (0, 0, []),
        ]
        for page in pages {
            let label = "models(matching: formerPipelineID gone, offset: \(page.offset), limit: \(page.limit.map(String.init) ?? "nil"))"
            let found = try await t.must(label) { try await store.models(matching: formerGone, offset: page.offset, limit: page.limit) }
            t.expectEqual(found.map { labels[$0.id] ?? $0.id.rawValue }, page.expected, label)
        }
    }
}
