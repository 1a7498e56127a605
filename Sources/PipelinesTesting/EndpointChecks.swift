import Foundation
import Pipelines

// Endpoint names (unique across the store) and their tokens.
extension StorageConformance {
    /// A name belongs to one scope at a time: another pipeline or a standalone line
    /// claiming a held name — alone or among free ones — is refused with `endpointTaken`
    /// naming the name and its holder, and nothing changes (the free names of the refused
    /// call are not claimed). Claiming a set the scope holds already changes nothing (each
    /// name keeps its first claim date); a pipeline scope whose pipeline does not exist is
    /// refused with `notFound`. `endpoint(named:)` and `endpoints()` (by name) read back
    /// exactly what was claimed.
    static func endpointsUniqueAcrossScopes(_ t: CheckContext) async throws {
        let store = t.store
        let repository = Fixture.repository(1, name: "first")
        let churn = try await addPipeline(t, number: 1, name: "churn", repository: repository)
        let fraud = try await addPipeline(t, number: 2, name: "fraud", repository: repository)
        let line = DeploymentScope.standalone(Fixture.modelID(5))
        let first = Fixture.date(1_000.000_3)
        try await t.must("setEndpoints([churn, churn-eu], of: churn)") {
            try await store.setEndpoints(["churn", "churn-eu"], of: .pipeline(churn.id), at: first)
        }
        try await t.must("setEndpoints([legacy], of: line 5)") { try await store.setEndpoints(["legacy"], of: line, at: first) }
        let held = [EndpointRecord(name: "churn", scope: .pipeline(churn.id), createdAt: first),
                    EndpointRecord(name: "churn-eu", scope: .pipeline(churn.id), createdAt: first),
                    EndpointRecord(name: "legacy", scope: line, createdAt: first)]
        t.expectEqual(try await store.endpoints(), held, "endpoints() after the claims")

        let refusals: [(String, Set<String>, DeploymentScope, String, DeploymentScope)] = [
            ("[churn] of fraud", ["churn"], .pipeline(fraud.id), "churn", .pipeline(churn.id)),
            ("[fraud, churn-eu] of fraud", ["fraud", "churn-eu"], .pipeline(fraud.id), "churn-eu", .pipeline(churn.id)),
            ("[legacy] of fraud", ["legacy"], .pipeline(fraud.id), "legacy", line),
            ("[churn, spare] of line 5", ["churn", "spare"], line, "churn", .pipeline(churn.id)),
            ("[legacy] of line 6", ["legacy"], .standalone(Fixture.modelID(6)), "legacy", line),
            ("[legacy] of churn", ["legacy", "churn"], .pipeline(churn.id), "legacy", line),
        ]
        for (label, names, scope, name, holder) in refusals {
            await t.expectRefusal("setEndpoints(\(label))", .endpointTaken(name: name, holder: holder)) {
                try await store.setEndpoints(names, of: scope, at: Fixture.date(2_000))
            }
        }
        t.expectEqual(try await store.endpoints(), held, "endpoints() after the refused claims")
        t.expectEqual(try await store.endpoint(named: "fraud"), nil, "endpoint(named: fraud), a free name of a refused claim")

        try await t.must("setEndpoints([churn, churn-eu], of: churn) again") {
            try await store.setEndpoints(["churn", "churn-eu"], of: .pipeline(churn.id), at: Fixture.date(3_000))
        }
        t.expectEqual(try await store.endpoint(named: "churn"), held[0], "endpoint(named: churn) after claiming it again")
        let unknown = Fixture.pipelineID(99)
        await t.expectRefusal("setEndpoints([ghost], of: an unknown pipeline)", .notFound(id: unknown.rawValue)) {
            try await store.setEndpoints(["ghost"], of: .pipeline(unknown), at: Fixture.date(3_000))
        }
        t.expectEqual(try await store.endpoint(named: "ghost"), nil, "endpoint(named: ghost) after the refused claim")
        t.expectEqual(try await store.endpoints(), held, "endpoints() at the end")
    }

    /// `setEndpoints` makes the set exactly the scope's: new names are claimed at the
    /// call's date, names still listed keep theirs (and their tokens), names no longer
    /// listed are freed with their tokens — so a name claimed again later, by the same or
    /// another scope, starts without tokens. An empty set frees them all.
    static func endpointsReplaceExactly(_ t: CheckContext) async throws {
        let store = t.store
        let repository = Fixture.repository(1, name: "first")
        let churn = try await addPipeline(t, number: 1, name: "churn", repository: repository)
        let fraud = try await addPipeline(t, number: 2, name: "fraud", repository: repository)
        let scope = DeploymentScope.pipeline(churn.id)
        try await t.must("setEndpoints([a, b], of: churn)") { try await store.setEndpoints(["a", "b"], of: scope, at: Fixture.date(1_000)) }
        let tokens = [Fixture.token(1, endpoint: "a", createdAt: Fixture.date(1_100)),
                      Fixture.token(2, endpoint: "b", createdAt: Fixture.date(1_200))]
        for token in tokens { try await t.must("insertToken(\(token.id))") { try await store.insertToken(token) } }

        try await t.must("setEndpoints([b, c], of: churn)") { try await store.setEndpoints(["b", "c"], of: scope, at: Fixture.date(2_000)) }
        t.expectEqual(try await store.endpoints(),
                      [EndpointRecord(name: "b", scope: scope, createdAt: Fixture.date(1_000)),
                       EndpointRecord(name: "c", scope: scope, createdAt: Fixture.date(2_000))],
                      "endpoints() after replacing [a, b] by [b, c]")
        t.expectEqual(try await store.tokens(of: "a"), [], "tokens(of: a) after a was freed")
        t.expectEqual(try await store.tokens(of: nil), [tokens[1]], "tokens(of: nil) after a was freed")
        await t.expectRefusal("insertToken(for the freed name a)", .notFound(id: "a")) {
            try await store.insertToken(Fixture.token(3, endpoint: "a", createdAt: Fixture.date(2_100)))
        }

        try await t.must("setEndpoints([a], of: fraud)") {
            try await store.setEndpoints(["a"], of: .pipeline(fraud.id), at: Fixture.date(2_500))
        }
        t.expectEqual(try await store.endpoint(named: "a"),
                      EndpointRecord(name: "a", scope: .pipeline(fraud.id), createdAt: Fixture.date(2_500)),
                      "endpoint(named: a) claimed by fraud after churn freed it")
        t.expectEqual(try await store.tokens(of: "a"), [], "tokens(of: a) once fraud holds it")

        try await t.must("setEndpoints([], of: churn)") { try await store.setEndpoints([], of: scope, at: Fixture.date(3_000)) }
        t.expectEqual(try await store.endpoints().map(\.name), ["a"], "endpoints() after churn freed everything")
        t.expectEqual(try await store.tokens(of: nil), [], "tokens(of: nil) after churn freed everything")
        t.expectEqual(try await store.endpoint(named: "b"), nil, "endpoint(named: b) after churn freed everything")
    }

    /// Deleting a pipeline (alone, or with its repository) frees its endpoint names and
    /// deletes their tokens in the same deletion; other scopes' names and tokens stay, and
    /// a freed name can be claimed again.
    static func endpointsFreedByPipelineDeletion(_ t: CheckContext) async throws {
        let store = t.store
        let repository = Fixture.repository(1, name: "first")
        let other = Fixture.repository(2, name: "second")
        let churn = try await addPipeline(t, number: 1, name: "churn", repository: repository)
        let fraud = try await addPipeline(t, number: 2, name: "fraud", repository: repository)
        let billing = try await addPipeline(t, number: 3, name: "billing", repository: other)
        let line = DeploymentScope.standalone(Fixture.modelID(5))
        let claims: [(Set<String>, DeploymentScope)] = [
            (["churn", "churn-eu"], .pipeline(churn.id)), (["fraud"], .pipeline(fraud.id)), (["billing"], .pipeline(billing.id)),
            (["legacy"], line),
        ]
        for (names, scope) in claims {
            try await t.must("setEndpoints(\(names.sorted()))") { try await store.setEndpoints(names, of: scope, at: Fixture.date(1_000)) }
        }
        let tokens = ["churn", "churn-eu", "fraud", "billing", "legacy"].enumerated().map { index, name in
            Fixture.token(index + 1, endpoint: name, createdAt: Fixture.date(1_100 + Double(index)))
        }
        for token in tokens { try await t.must("insertToken(\(token.id))") { try await store.insertToken(token) } }

        try await t.must("deletePipeline(churn)") { try await store.deletePipeline(churn.id, orphaning: Fixture.orphaning) }
        t.expectEqual(try await store.endpoints().map(\.name), ["billing", "fraud", "legacy"], "endpoints() after deleting churn")
        t.expectEqual(try await store.tokens(of: nil), Array(tokens[2...]), "tokens(of: nil) after deleting churn")
        t.expectEqual(try await store.tokens(of: "churn"), [], "tokens(of: churn) after deleting churn")

        try await t.must("deleteRepository(second, includingPipelines: true)") {
            try await store.deleteRepository(other.id, includingPipelines: true, orphaning: Fixture.orphaning)
        }
        t.expectEqual(try await store.endpoints().map(\.name), ["fraud", "legacy"], "endpoints() after deleting repository second")
        t.expectEqual(try await store.tokens(of: nil), [tokens[2], tokens[4]], "tokens(of: nil) after deleting repository second")

        try await t.must("setEndpoints([churn, fraud], of: fraud)") {
            try await store.setEndpoints(["churn", "fraud"], of: .pipeline(fraud.id), at: Fixture.date(2_000))
        }
        t.expectEqual(try await store.endpoint(named: "churn"),
                      EndpointRecord(name: "churn", scope: .pipeline(fraud.id), createdAt: Fixture.date(2_000)),
                      "endpoint(named: churn) claimed again by fraud")
        t.expectEqual(try await store.tokens(of: "churn"), [], "tokens(of: churn) claimed again by fraud")
    }

    /// Tokens read back exactly (salt and digest bytes, label, sub-millisecond dates,
    /// expiry and revocation), sorted by creation date then identifier, filtered by
    /// endpoint, and one by one (`token(_:)`; nil for an unknown id). A token for an
    /// endpoint nobody holds is refused with `notFound` naming the endpoint, one under a
    /// taken identifier with `duplicateID` (the first token is unchanged). Revoking stores the date and returns the token; revoking again keeps the
    /// first date; an unknown token is refused with `notFound`.
    static func tokensInsertListRevoke(_ t: CheckContext) async throws {
        let store = t.store
        let churn = try await addPipeline(t, number: 1, name: "churn")
        let line = DeploymentScope.standalone(Fixture.modelID(5))
        try await t.must("setEndpoints([churn], of: churn)") {
            try await store.setEndpoints(["churn"], of: .pipeline(churn.id), at: Fixture.date(1_000))
        }
        try await t.must("setEndpoints([legacy], of: line 5)") { try await store.setEndpoints(["legacy"], of: line, at: Fixture.date(1_000)) }
        await t.expectRefusal("insertToken(for an endpoint nobody holds)", .notFound(id: "nowhere")) {
            try await store.insertToken(Fixture.token(9, endpoint: "nowhere", createdAt: Fixture.date(1_050)))
        }
        let same = Fixture.date(1_200.000_9)
        var tokens = [
            Fixture.token(4, endpoint: "churn", createdAt: same),
            Fixture.token(2, endpoint: "legacy", createdAt: Fixture.date(1_300), expiresAt: Fixture.date(90_000.25)),
            Fixture.token(3, endpoint: "churn", createdAt: same, expiresAt: Fixture.date(50_000.000_1)),
            Fixture.token(1, endpoint: "churn", createdAt: Fixture.date(1_100)),
        ]
        for token in tokens { try await t.must("insertToken(\(token.id))") { try await store.insertToken(token) } }
        await t.expectRefusal("insertToken(token 4's id, for legacy)", .duplicateID(id: tokens[0].id.rawValue)) {
            try await store.insertToken(Fixture.token(4, endpoint: "legacy", createdAt: Fixture.date(1_400), label: "twin"))
        }
        t.expectEqual(try await store.tokens(of: nil), [tokens[3], tokens[2], tokens[0], tokens[1]],
                      "tokens(of: nil): by creation date, then identifier")
        t.expectEqual(try await store.tokens(of: "churn"), [tokens[3], tokens[2], tokens[0]], "tokens(of: churn)")
        t.expectEqual(try await store.tokens(of: "legacy"), [tokens[1]], "tokens(of: legacy)")
        t.expectEqual(try await store.tokens(of: "nowhere"), [], "tokens(of: an unknown endpoint)")
        for token in tokens { t.expectEqual(try await store.token(token.id), token, "token(\(token.id))") }
        t.expectEqual(try await store.token(Fixture.tokenID(77)), nil, "token(an unknown id)")

        let revokedAt = Fixture.date(5_000.000_4)
        tokens[2].revokedAt = revokedAt
        t.expectEqual(try await t.must("revokeToken(3)") { try await store.revokeToken(tokens[2].id, at: revokedAt) }, tokens[2],
                      "revokeToken(3)'s result")
        t.expectEqual(try await t.must("revokeToken(3) again") { try await store.revokeToken(tokens[2].id, at: Fixture.date(6_000)) },
                      tokens[2], "revokeToken(3) again: the first revocation date stays")
        t.expectEqual(try await store.tokens(of: "churn"), [tokens[3], tokens[2], tokens[0]], "tokens(of: churn) after the revocations")
        t.expectEqual(try await store.token(tokens[2].id), tokens[2], "token(3) after its revocation")
        let unknown = Fixture.tokenID(99)
        await t.expectRefusal("revokeToken(an unknown token)", .notFound(id: unknown.rawValue)) {
            try await store.revokeToken(unknown, at: Fixture.date(6_000))
        }
    }
}

extension StorageConformance {
    /// Viewer tokens (no endpoint) are stored and read back exactly beside endpoint tokens,
    /// listed by `tokens(of: nil)` only, revoked like the others, and kept when every
    /// endpoint is freed.
    static func viewerTokens(_ t: CheckContext) async throws {
        let store = t.store
        let churn = try await addPipeline(t, number: 1, name: "churn")
        try await t.must("setEndpoints([churn], of: churn)") {
            try await store.setEndpoints(["churn"], of: .pipeline(churn.id), at: Fixture.date(1_000))
        }
        var viewer = Fixture.token(1, endpoint: nil, createdAt: Fixture.date(1_100), expiresAt: Fixture.date(9_000.5))
        let endpointToken = Fixture.token(2, endpoint: "churn", createdAt: Fixture.date(1_200))
        for token in [viewer, endpointToken] { try await t.must("insertToken(\(token.id))") { try await store.insertToken(token) } }
        t.expectEqual(try await store.token(viewer.id), viewer, "token(the viewer token)")
        t.expectEqual(try await store.tokens(of: nil), [viewer, endpointToken], "tokens(of: nil) with a viewer token")
        t.expectEqual(try await store.tokens(of: "churn"), [endpointToken], "tokens(of: churn) leaves the viewer token out")
        await t.expectRefusal("insertToken(the viewer token's id again)", .duplicateID(id: viewer.id.rawValue)) {
            try await store.insertToken(Fixture.token(1, endpoint: nil, createdAt: Fixture.date(1_300), label: "twin"))
        }
        viewer.revokedAt = Fixture.date(2_000)
        t.expectEqual(try await t.must("revokeToken(viewer)") { try await store.revokeToken(viewer.id, at: Fixture.date(2_000)) }, viewer,
                      "revokeToken(the viewer token)'s result")
        try await t.must("setEndpoints([], of: churn)") { try await store.setEndpoints([], of: .pipeline(churn.id), at: Fixture.date(3_000)) }
        t.expectEqual(try await store.tokens(of: nil), [viewer], "tokens(of: nil) once every endpoint is freed: the viewer token stays")
    }
}

extension Fixture {
    static func tokenID(_ number: Int) -> TokenID {
        let digits = String(number)
        return TokenID("f0000000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits)
    }

    /// A token of `endpoint` (a viewer token when nil) whose salt holds all 256 byte values and whose label is not
    /// ASCII (so lossy encodings show); the digest is 32 bytes derived from the number.
    static func token(_ number: Int, endpoint: String?, createdAt: Date, expiresAt: Date? = nil,
                      label: String? = nil) -> TokenRecord {
        TokenRecord(
            id: tokenID(number), endpoint: endpoint, label: label ?? "service n° \(number) — «facturation»",
            salt: Data((0...255).map { UInt8($0) } + [UInt8(number % 256)]),
            digest: Data((0..<32).map { UInt8(($0 * 7 + number) % 256) }), createdAt: createdAt, expiresAt: expiresAt)
    }
}
