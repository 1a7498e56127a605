import Foundation
import GRDB
import Pipelines
@testable import PipelinesSQLite
import Testing

@Suite("SQLite store: endpoints and tokens")
struct SQLiteEndpointTests {
    static let start = Date(timeIntervalSinceReferenceDate: 800_000_000.25)

    /// A store with repository `r`, pipelines `p1` and `p2`, `churn` held by `p1` with one token.
    static func populated(_ path: String) async throws -> SQLiteStore {
        let store = try SQLiteStore(path: path, clock: ManualWallClock(now: start))
        try await store.insertRepository(RepositoryRecord(id: RepositoryID("r"), name: "R", createdAt: start))
        for id in ["p1", "p2"] {
            try await store.insertPipeline(PipelineRecord(id: PipelineID(id), repositoryID: RepositoryID("r"), name: id, createdAt: start))
        }
        try await store.setEndpoints(["churn"], of: .pipeline(PipelineID("p1")), at: start)
        try await store.insertToken(TokenRecord(
            id: TokenID("t1"), endpoint: "churn", label: "billing", salt: Data([1, 2, 3]), digest: Data(repeating: 7, count: 32),
            createdAt: start))
        return store
    }

    @Test("integrityCheck reports a token whose endpoint is gone, and an endpoint whose pipeline is gone")
    func integrity() async throws {
        let directory = try TemporaryDirectory("endpoints-integrity")
        defer { directory.remove() }
        let store = try await Self.populated(directory.newPath())
        #expect(try store.integrityCheck() == [])
        try store.executeUnchecked("DELETE FROM endpoints WHERE name = 'churn'")  // foreign keys off: the token stays
        try store.executeUnchecked("INSERT INTO endpoints (name, scope_kind, scope_id, created_at) VALUES ('ghost', 'pipeline', 'p9', 0)")
        let problems = try store.integrityCheck()
        #expect(problems.contains { $0.hasPrefix("foreign_key_check: a row of tokens") }, "\(problems)")
        #expect(problems.contains("tokens: token t1 belongs to endpoint 'churn', which no scope holds"), "\(problems)")
        #expect(problems.contains("endpoints: endpoint 'ghost' is held by pipeline p9, which does not exist"), "\(problems)")
    }

    @Test("the store of another process sees claims at once; racing claims of one name: exactly one wins")
    func twoStoresRaceForAName() async throws {
        let directory = try TemporaryDirectory("endpoints-race")
        defer { directory.remove() }
        let path = directory.newPath()
        let first = try await Self.populated(path)
        let second = try SQLiteStore(path: path, clock: ManualWallClock(now: Self.start))
        #expect(try await second.endpoint(named: "churn")?.scope == .pipeline(PipelineID("p1")))
        let ids = (3...10).map { PipelineID("p\($0)") }
        for id in ids {
            try await first.insertPipeline(PipelineRecord(id: id, repositoryID: RepositoryID("r"), name: id.rawValue, createdAt: Self.start))
        }
        let outcomes = await withTaskGroup(of: (PipelineID, Bool).self) { group in
            for (index, id) in ids.enumerated() {
                let store = index.isMultiple(of: 2) ? first : second
                group.addTask {
                    do {
                        try await store.setEndpoints(["fraud"], of: .pipeline(id), at: Self.start)
                        return (id, true)
                    } catch {
                        return (id, false)
                    }
                }
            }
            return await group.reduce(into: [(PipelineID, Bool)]()) { $0.append($1) }
        }
        let winners = outcomes.filter(\.1).map(\.0)
        #expect(winners.count == 1)
        #expect(try await first.endpoint(named: "fraud")?.scope == winners.first.map { .pipeline($0) })
        #expect(try first.integrityCheck() == [])
    }

    @Test("deleting a pipeline frees its names and tokens in the deletion; the v5 tables survive reopening")
    func deletionAndReopen() async throws {
        let directory = try TemporaryDirectory("endpoints-delete")
        defer { directory.remove() }
        let path = directory.newPath()
        do {
            let store = try await Self.populated(path)
            try await store.setEndpoints(["fraud"], of: .pipeline(PipelineID("p2")), at: Self.start)
            try await store.setEndpoints(["legacy"], of: .standalone(ModelID("m9")), at: Self.start)
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.endpoints().map(\.name) == ["churn", "fraud", "legacy"])
        #expect(try await reopened.tokens(of: nil).map(\.id) == [TokenID("t1")])
        #expect(try await reopened.tokens(of: nil).first?.salt == Data([1, 2, 3]))
        try await reopened.deletePipeline(PipelineID("p1"), orphaning: StoreFixtures.orphan)
        #expect(try await reopened.endpoints().map(\.name) == ["fraud", "legacy"])
        #expect(try await reopened.tokens(of: nil).isEmpty)
        try await reopened.deleteRepository(RepositoryID("r"), includingPipelines: true, orphaning: StoreFixtures.orphan)
        #expect(try await reopened.endpoints().map(\.name) == ["legacy"])
        #expect(try reopened.integrityCheck() == [])
    }

    @Test("a v7 store's tokens survive the v8 migration; a viewer token (no endpoint) is stored beside them; freeing an endpoint still deletes its tokens")
    func migratesTokensToVersion8() async throws {
        let directory = try TemporaryDirectory("endpoints-v8")
        defer { directory.remove() }
        let path = directory.newPath()
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v7")
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO endpoints (name, scope_kind, scope_id, created_at) VALUES ('legacy', 'standalone', 'm1', 0)")
                try db.execute(sql: """
                    INSERT INTO tokens (id, endpoint, label, salt, digest, created_at, expires_at, revoked_at)
                    VALUES ('t1', 'legacy', 'old', x'010203', x'0405', 1.5, NULL, 3.25)
                    """)
            }
        }
        let store = try SQLiteStore(path: path)
        #expect(try store.appliedMigrations().last == "v8")
        let old = TokenRecord(
            id: TokenID("t1"), endpoint: "legacy", label: "old", salt: Data([1, 2, 3]), digest: Data([4, 5]),
            createdAt: Date(timeIntervalSinceReferenceDate: 1.5), revokedAt: Date(timeIntervalSinceReferenceDate: 3.25))
        #expect(try await store.tokens(of: "legacy") == [old])
        let viewer = TokenRecord(
            id: TokenID("t2"), endpoint: nil, label: "viewer", salt: Data([9]), digest: Data([8]), createdAt: Date(timeIntervalSinceReferenceDate: 2))
        try await store.insertToken(viewer)
        #expect(try await store.token(TokenID("t2")) == viewer)
        try await store.setEndpoints([], of: .standalone(ModelID("m1")), at: Date(timeIntervalSinceReferenceDate: 4))
        #expect(try await store.tokens(of: nil) == [viewer], "the freed endpoint's token is gone, the viewer token stays")
        #expect(try store.integrityCheck() == [])
    }
}
