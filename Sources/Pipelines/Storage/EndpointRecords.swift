public import Foundation

/// Tags ``TokenID``.
public enum TokenKind: IdentifierKind {}
/// Identifies an endpoint token.
public typealias TokenID = Identifier<TokenKind>

/// An API endpoint's name, held by one deployment scope (a pipeline, or a standalone model
/// line): names are unique across the whole store.
public struct EndpointRecord: Sendable, Hashable, Codable {
    /// The endpoint's name (see ``EndpointName``).
    public var name: String
    /// Whose deployed model it serves.
    public var scope: DeploymentScope
    /// When the scope claimed the name.
    public var createdAt: Date

    public init(name: String, scope: DeploymentScope, createdAt: Date) {
        self.name = name
        self.scope = scope
        self.createdAt = createdAt
    }
}

/// A token that lets its holder call one endpoint, or, as a viewer token, read the reports
/// a server shows. The secret itself is never stored: only a random salt and the SHA-256
/// of salt and secret.
public struct TokenRecord: Sendable, Hashable, Codable {
    /// The token's identifier (also the start of the secret the holder presents).
    public var id: TokenID
    /// The endpoint it opens; nil for a viewer token (reports only, no endpoint).
    public var endpoint: String?
    /// A label for people ("billing service").
    public var label: String
    /// 16 random bytes.
    public var salt: Data
    /// SHA-256 of `salt` followed by the secret's UTF-8 bytes.
    public var digest: Data
    /// When it was created.
    public var createdAt: Date
    /// When it stops working, if ever.
    public var expiresAt: Date?
    /// When it was revoked, if it was.
    public var revokedAt: Date?

    public init(
        id: TokenID, endpoint: String?, label: String, salt: Data, digest: Data, createdAt: Date, expiresAt: Date? = nil,
        revokedAt: Date? = nil
    ) {
        self.id = id
        self.endpoint = endpoint
        self.label = label
        self.salt = salt
        self.digest = digest
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Whether it is a viewer token (it opens reports, and no endpoint).
    public var isViewer: Bool { endpoint == nil }

    /// Whether it opens its endpoint at `date`: not revoked, not expired.
    public func isValid(at date: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { date < $0 } ?? true)
    }
}

/// Endpoint names and their tokens.
///
/// The one rule a store enforces itself, in its own transaction: **a name belongs to one
/// scope at a time**. Freeing a name (a scope no longer lists it, or its pipeline is
/// deleted) deletes its tokens with it, so a name taken again later never opens to an
/// earlier holder's tokens.
public protocol EndpointStore: Sendable {
    /// Makes `names` exactly the endpoint names `scope` holds, in one transaction: claims
    /// the new ones (at `date`), frees the ones no longer listed (and deletes their tokens).
    ///
    /// - Throws: ``StoreError/endpointTaken(name:holder:)`` when another scope holds one of
    ///   `names` (nothing changes); ``StoreError/notFound(kind:id:)`` for a pipeline scope
    ///   whose pipeline does not exist.
    func setEndpoints(_ names: Set<String>, of scope: DeploymentScope, at date: Date) async throws
    /// The endpoint called `name`, if a scope holds it.
    func endpoint(named name: String) async throws -> EndpointRecord?
    /// Every endpoint, by name.
    func endpoints() async throws -> [EndpointRecord]
    /// Stores a new token.
    ///
    /// - Throws: ``StoreError/notFound(kind:id:)`` (kind `endpoint`) when no scope holds
    ///   its endpoint; ``StoreError/duplicateID(kind:id:)``.
    func insertToken(_ token: TokenRecord) async throws
    /// The tokens of `endpoint` (every token when nil), oldest first.
    func tokens(of endpoint: String?) async throws -> [TokenRecord]
    /// The token `id`, if stored (revoked and expired tokens too): what a request's secret
    /// is checked against, so it is one keyed read, not a scan.
    func token(_ id: TokenID) async throws -> TokenRecord?
    /// Marks a token revoked at `date` (a token revoked already keeps its first date).
    ///
    /// - Returns: The token as stored now.
    /// - Throws: ``StoreError/notFound(kind:id:)``.
    @discardableResult
    func revokeToken(_ id: TokenID, at date: Date) async throws -> TokenRecord
}

extension EndpointStore {
    /// The token `id`, found among every token (stores written before ``token(_:)`` existed;
    /// implement it with a keyed read instead).
    public func token(_ id: TokenID) async throws -> TokenRecord? {
        try await tokens(of: nil).first { $0.id == id }
    }
}
