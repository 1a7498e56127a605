import Crypto
public import Foundation
import Synchronization

/// An API endpoint: a name, unique across the store, through which holders of its tokens
/// reach one deployment scope's deployed model (served over HTTP by `PipelinesServer`).
public struct Endpoint: Sendable {
    /// The name and the scope that holds it.
    public let record: EndpointRecord
    /// The deployment it serves: predictions always use the model deployed now.
    public let deployment: Deployment

    /// The endpoint's name.
    public var name: String { record.name }
}

/// A token just created: its record and the secret, shown this once (only a salted hash
/// is stored).
public struct IssuedToken: Sendable, Hashable {
    /// The stored token.
    public let record: TokenRecord
    /// What the holder sends: `Authorization: Bearer <secret>`.
    public let secret: String
}

/// The store's API endpoints and their tokens.
///
/// A pipeline declares an endpoint in its deployment step
/// (`config.deployment.consumers = [.inProcess, .endpoint("churn")]`); a standalone model
/// line through ``ModelLine/setEndpoints(_:)``. Tokens are created per endpoint, listed
/// without their secrets, and revoked:
///
/// ```swift
/// let token = try await workspace.endpoints.createToken(for: "churn", label: "billing", expiresAt: nil)
/// print(token.secret)                        // give it to the caller; it is not stored
/// let endpoint = try await workspace.endpoints.authenticate(secret: token.secret)   // "churn"'s
/// ```
public struct Endpoints: Sendable {
    let workspace: Workspace

    private var store: any PipelineStorage { workspace.store }

    /// Every endpoint of the store, by name.
    ///
    /// - Throws: ``PipelineError/store(_:)``.
    public func list() async throws(PipelineError) -> [EndpointRecord] {
        try await storage { try await store.endpoints() }
    }

    /// The endpoint called `name`.
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` (``Lookup/endpoint(_:)``).
    public func endpoint(named name: String) async throws(PipelineError) -> Endpoint {
        guard let record = try await storage({ try await store.endpoint(named: name) }) else { throw .notFound(.endpoint(name)) }
        return Endpoint(record: record, deployment: Deployment(scope: record.scope, workspace: workspace))
    }

    /// Creates a token for `endpoint`.
    ///
    /// - Parameters:
    ///   - endpoint: The endpoint's name.
    ///   - label: Who holds it, for people.
    ///   - expiresAt: When it stops working (never when nil).
    /// - Returns: The token with its secret (shown once: only a salted SHA-256 is stored).
    /// - Throws: ``PipelineError/notFound(_:)`` for an unknown endpoint.
    public func createToken(for endpoint: String, label: String = "", expiresAt: Date? = nil) async throws(PipelineError) -> IssuedToken {
        try await issue(endpoint: endpoint, label: label, expiresAt: expiresAt)
    }

    /// Makes a token for `endpoint` (a viewer token when nil) and stores its digest.
    private func issue(endpoint: String?, label: String, expiresAt: Date?) async throws(PipelineError) -> IssuedToken {
        let id = TokenID()
        let secret = TokenSecret.make(id: id)
        let salt = TokenSecret.randomBytes(16)
        let record = TokenRecord(
            id: id, endpoint: endpoint, label: label, salt: salt, digest: TokenSecret.digest(secret, salt: salt),
            createdAt: workspace.clock.now, expiresAt: expiresAt)
        try await storage { try await store.insertToken(record) }
        workspace.logger.debug("\(endpoint.map { "endpoint '\($0)'" } ?? "viewer"): created token \(id)")
        return IssuedToken(record: record, secret: secret)
    }

    /// Creates a viewer token: it opens the reports `mlpipe serve` shows (every pipeline's
    /// and the registry's, read-only) and no endpoint.
    ///
    /// ```swift
    /// let viewer = try await workspace.endpoints.createViewerToken(label: "team dashboard")
    /// print(viewer.secret)  // shown once
    /// ```
    ///
    /// - Parameters:
    ///   - label: Who holds it, for people.
    ///   - expiresAt: When it stops working (never when nil).
    /// - Returns: The token with its secret (shown once: only a salted SHA-256 is stored).
    /// - Throws: ``PipelineError/store(_:)`` when the store fails.
    public func createViewerToken(label: String = "", expiresAt: Date? = nil) async throws(PipelineError) -> IssuedToken {
        try await issue(endpoint: nil, label: label, expiresAt: expiresAt)
    }

    /// The tokens of `endpoint` (of every endpoint when nil), without secrets, oldest first.
    ///
    /// - Throws: ``PipelineError/store(_:)``.
    public func tokens(for endpoint: String? = nil) async throws(PipelineError) -> [TokenRecord] {
        try await storage { try await store.tokens(of: endpoint) }
    }

    /// Revokes a token: it stops opening its endpoint at once in this workspace, and within
    /// ``Workspace/deploymentRefresh`` in other processes sharing the store.
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` for an unknown token.
    @discardableResult
    public func revokeToken(_ id: TokenID) async throws(PipelineError) -> TokenRecord {
        let record = try await storage { try await store.revokeToken(id, at: workspace.clock.now) }
        workspace.tokenCache.forget(id)
        workspace.logger.debug("\(record.endpoint.map { "endpoint '\($0)'" } ?? "viewer"): revoked token \(id)")
        return record
    }

    /// The endpoint `secret` opens: nil unless it is a token's secret, not revoked, not
    /// expired, whose endpoint still exists — without saying which part was wrong.
    ///
    /// Tokens and endpoints are read from the store at most once per
    /// ``Workspace/deploymentRefresh`` (a revocation through this workspace applies at
    /// once); the secret is compared through its salted SHA-256, in constant time.
    ///
    /// - Throws: ``PipelineError/store(_:)`` when the store fails.
    public func authenticate(secret: String) async throws(PipelineError) -> Endpoint? {
        guard let (token, endpoint) = try await validToken(secret), let endpoint, token.endpoint == endpoint.name else { return nil }
        return Endpoint(record: endpoint, deployment: Deployment(scope: endpoint.scope, workspace: workspace))
    }

    /// Whether `secret` is a valid viewer token (see ``createViewerToken(label:expiresAt:)``):
    /// not revoked, not expired — without saying which part was wrong. Read and compared as
    /// ``authenticate(secret:)`` does.
    ///
    /// - Throws: ``PipelineError/store(_:)`` when the store fails.
    public func authorizeViewer(secret: String) async throws(PipelineError) -> Bool {
        guard let (token, _) = try await validToken(secret) else { return false }
        return token.isViewer
    }

    /// The token `secret` belongs to, with its endpoint (nil for a viewer token or a freed
    /// endpoint), when it is valid now and the secret matches its digest.
    private func validToken(_ secret: String) async throws(PipelineError) -> (TokenRecord, EndpointRecord?)? {
        guard let id = TokenSecret.tokenID(in: secret) else { return nil }
        let now = workspace.refreshClock.now
        let token: TokenRecord?
        let endpoint: EndpointRecord?
        if let cached = workspace.tokenCache.lookup(id, now: now, refresh: workspace.deploymentRefresh) {
            (token, endpoint) = cached
        } else {
            defer { workspace.tokenCache.finished(id) }
            token = try await storage { try await store.token(id) }
            if let name = token?.endpoint {
                endpoint = try await storage { try await store.endpoint(named: name) }
            } else {
                endpoint = nil
            }
            workspace.tokenCache.remember(id, token: token, endpoint: endpoint, at: now)
        }
        guard let token, token.isValid(at: workspace.clock.now), TokenSecret.matches(secret, token: token) else { return nil }
        return (token, endpoint)
    }

    /// The endpoint called `name` when `secret` is a valid token for it (see
    /// ``authenticate(secret:)``); nil otherwise, without saying which part was wrong.
    ///
    /// - Throws: ``PipelineError/store(_:)`` when the store fails.
    public func authorize(endpoint name: String, secret: String) async throws(PipelineError) -> Endpoint? {
        guard let endpoint = try await authenticate(secret: secret), endpoint.name == name else { return nil }
        return endpoint
    }
}

extension Workspace {
    /// The store's API endpoints and their tokens.
    public var endpoints: Endpoints { Endpoints(workspace: self) }

    /// Who holds a deployment scope, by name: its pipeline (and the pipeline's repository)
    /// or its model line. A line whose models were all erased has no name left: its
    /// identifier stands in for it.
    ///
    /// - Throws: ``PipelineError/notFound(_:)`` for a deleted pipeline, ``PipelineError/store(_:)``.
    public func owner(of scope: DeploymentScope) async throws(PipelineError) -> ScopeOwner {
        switch scope {
        case .pipeline(let id):
            let record = try await pipeline(id).record()
            let repository = try await storage { try await store.repository(record.repositoryID) }
            return ScopeOwner(kind: .pipeline, name: record.name, id: id.rawValue, repository: repository?.name)
        case .standalone(let root):
            let name: String
            do {
                name = try await registry.line(of: root).name
            } catch .notFound {
                name = root.rawValue
            }
            return ScopeOwner(kind: .line, name: name, id: root.rawValue, repository: nil)
        }
    }
}

/// Who holds a deployment scope (``Workspace/owner(of:)``).
public struct ScopeOwner: Sendable, Hashable, CustomStringConvertible {
    /// A pipeline or a standalone model line.
    public enum Kind: String, Sendable, Hashable {
        case pipeline, line
    }

    /// A pipeline or a line.
    public var kind: Kind
    /// The pipeline's or the line's name.
    public var name: String
    /// The pipeline's or the line's identifier.
    public var id: String
    /// The pipeline's repository (nil for a line).
    public var repository: String?

    /// `pipeline 'churn' in repository 'Sales'` or `model line 'gate'`.
    public var description: String {
        switch kind {
        case .pipeline: repository.map { "pipeline '\(name)' in repository '\($0)'" } ?? "pipeline '\(name)'"
        case .line: "model line '\(name)'"
        }
    }
}

/// Token secrets: `mlpt_<token id>_<43 characters of base64url randomness>` (256 random
/// bits), so the token's record is found from the secret without scanning.
enum TokenSecret {
    static let prefix = "mlpt_"

    static func make(id: TokenID) -> String {
        prefix + id.rawValue + "_" + base64URL(randomBytes(32))
    }

    /// The token id a secret names, if it has the shape of one.
    static func tokenID(in secret: String) -> TokenID? {
        guard secret.hasPrefix(prefix), secret.utf8.count < 200 else { return nil }
        let rest = secret.dropFirst(prefix.count)
        // The id (a UUID) has no "_"; the random part, in base64url, may.
        guard let separator = rest.firstIndex(of: "_"), separator > rest.startIndex else { return nil }
        return TokenID(String(rest[..<separator]))
    }

    static func randomBytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()  // the system's cryptographic source (getrandom)
        return Data((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    static func digest(_ secret: String, salt: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: salt)
        hasher.update(data: Data(secret.utf8))
        return Data(hasher.finalize())
    }

    /// Whether `secret` hashes to the token's digest (compared in constant time).
    static func matches(_ secret: String, token: TokenRecord) -> Bool {
        let computed = digest(secret, salt: token.salt)
        guard computed.count == token.digest.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(computed, token.digest) { difference |= a ^ b }
        return difference == 0
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Tokens and their endpoints as last read, per token id, so that a request does not read
/// the store (at most once per ``Workspace/deploymentRefresh``).
final class TokenCache: Sendable {
    private struct Entry {
        var token: TokenRecord
        var endpoint: EndpointRecord?
        var readAt: ContinuousClock.Instant
    }

    private struct State {
        var entries: [TokenID: Entry] = [:]
        var refresh = RefreshGate<TokenID>()
    }

    private let state = Mutex(State())

    /// The cached token and endpoint, unless this caller is to read them from the store
    /// (then it calls ``finished(_:)`` after ``remember(_:token:endpoint:at:)``).
    func lookup(_ id: TokenID, now: ContinuousClock.Instant, refresh: Duration) -> (TokenRecord?, EndpointRecord?)? {
        state.withLock { state in
            let entry = state.entries[id]
            switch state.refresh.decide(id, readAt: entry?.readAt, now: now, refresh: refresh) {
            case .fresh, .stale: return entry.map { ($0.token, $0.endpoint) }
            case .read: return nil
            }
        }
    }

    /// The read ``lookup(_:now:refresh:)`` asked for is over.
    func finished(_ id: TokenID) {
        state.withLock { $0.refresh.finished(id) }
    }

    func remember(_ id: TokenID, token: TokenRecord?, endpoint: EndpointRecord?, at now: ContinuousClock.Instant) {
        state.withLock { state in
            // Unknown ids are not kept: guessing must not fill the cache.
            guard let token else { state.entries[id] = nil; return }
            state.entries[id] = Entry(token: token, endpoint: endpoint, readAt: now)
        }
    }

    func forget(_ id: TokenID) {
        _ = state.withLock { state in state.entries.removeValue(forKey: id) }
    }

    /// Forgets everything (endpoint names changed through this workspace: freed names'
    /// tokens are gone at once, not after the refresh).
    func forgetAll() {
        state.withLock { $0.entries.removeAll() }
    }
}

extension ModelLine {
    /// Makes `names` the endpoint names of this standalone model line (an empty set frees
    /// them, and deletes their tokens).
    ///
    /// - Throws: ``PipelineError/invalidName(kind:name:reason:)`` for a name that breaks
    ///   ``EndpointName``; ``PipelineError/store(_:)`` with
    ///   ``StoreError/endpointTaken(name:holder:)`` when another scope holds one.
    public func setEndpoints(_ names: Set<String>) async throws(PipelineError) {
        for name in names.sorted() {
            if let problem = EndpointName.problem(name) { throw .invalidName(kind: "endpoint", name: name, reason: problem) }
        }
        let workspace = deployment.workspace
        try await storage { try await workspace.store.setEndpoints(names, of: deployment.scope, at: workspace.clock.now) }
        workspace.tokenCache.forgetAll()
    }

    /// The endpoints this line holds, by name.
    ///
    /// - Throws: ``PipelineError/store(_:)``.
    public func endpoints() async throws(PipelineError) -> [EndpointRecord] {
        let scope = deployment.scope
        return try await deployment.workspace.endpoints.list().filter { $0.scope == scope }
    }
}
