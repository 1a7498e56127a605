public import Foundation
import Logging
public import Pipelines
import PostgresNIO

// MARK: - EndpointStore

extension PostgresStore {
    /// Makes `names` exactly the endpoint names `scope` holds, in one `SERIALIZABLE`
    /// transaction: checks that no other scope holds any of them, frees the scope's names
    /// that are no longer listed (their tokens go with them, by cascade) and claims the new
    /// ones at `date`. Two processes racing for a name serialise: one claims it, the other
    /// (retried) gets ``Pipelines/StoreError/endpointTaken(name:holder:)``.
    ///
    /// ```swift
    /// try await store.setEndpoints(["churn"], of: .pipeline(id), at: .now)
    /// try await store.setEndpoints([], of: .pipeline(id), at: .now)   // frees them
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/endpointTaken(name:holder:)`` when another scope
    ///   holds one of `names` (nothing changes); ``Pipelines/StoreError/notFound(kind:id:)``
    ///   for a pipeline scope whose pipeline does not exist; ``Pipelines/StoreError/backend(_:)``.
    public func setEndpoints(_ names: Set<String>, of scope: DeploymentScope, at date: Date) async throws {
        let key = scope.storageColumns
        try await write("setting the endpoints of \(key.kind) \(key.id)") { connection in
            if case .pipeline(let pipeline) = scope { try await Self.requirePipeline(connection, pipeline, logger) }
            for name in names.sorted() {
                guard let holder = try await Self.fetchEndpoint(connection, name, logger), holder.scope != scope else { continue }
                throw StoreError.endpointTaken(name: name, holder: holder.scope)
            }
            let held = try await connection.values(
                String.self, "SELECT name FROM endpoints WHERE scope_kind = \(key.kind) AND scope_id = \(key.id)", logger)
            for name in held where !names.contains(name) {
                try await Self.freeEndpoint(connection, name, logger)
            }
            for name in names.subtracting(held).sorted() {
                // A racing claim of the name is a serialization failure (retried), not a unique violation.
                let inserted = try await connection.count(
                    """
                    INSERT INTO endpoints (name, scope_kind, scope_id, created_at) VALUES (\(name), \(key.kind), \(key.id), \(date.stored))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """, logger)
                if inserted == 0, let holder = try await Self.fetchEndpoint(connection, name, logger) {
                    throw StoreError.endpointTaken(name: name, holder: holder.scope)
                }
            }
        }
    }

    /// The endpoint called `name`, if a scope holds it.
    ///
    /// ```swift
    /// if let endpoint = try await store.endpoint(named: "churn") { print(endpoint.scope) }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func endpoint(named name: String) async throws -> EndpointRecord? {
        try await read("reading endpoint '\(name)'") { connection in try await Self.fetchEndpoint(connection, name, logger) }
    }

    /// Every endpoint, by name (Swift's `String` order).
    ///
    /// ```swift
    /// for endpoint in try await store.endpoints() { print(endpoint.name) }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func endpoints() async throws -> [EndpointRecord] {
        try await read("listing endpoints") { connection in
            try await Self.endpointRecords(connection, "SELECT name, scope_kind, scope_id, created_at FROM endpoints", logger)
        }.sorted { $0.name < $1.name }
    }

    /// Stores a new token (its salt and digest; the secret is never given to the store).
    ///
    /// ```swift
    /// try await store.insertToken(TokenRecord(id: TokenID(), endpoint: "churn", label: "billing", salt: salt, digest: digest, createdAt: .now))
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` (kind `endpoint`) when no scope
    ///   holds its endpoint; ``Pipelines/StoreError/duplicateID(kind:id:)``;
    ///   ``Pipelines/StoreError/backend(_:)``.
    public func insertToken(_ token: TokenRecord) async throws {
        let id = token.id.rawValue
        try await write("inserting token \(token.id)") { connection in
            if let endpoint = token.endpoint, try await !connection.exists("SELECT 1 FROM endpoints WHERE name = \(endpoint)", logger) {
                throw StoreError.notFound(kind: "endpoint", id: endpoint)
            }
            guard try await !connection.exists("SELECT 1 FROM tokens WHERE id = \(id)", logger) else {
                throw StoreError.duplicateID(kind: "token", id: id)
            }
            // A racing insert of the same id is a serialization failure (retried), not a unique violation.
            let inserted = try await connection.count(
                try """
                    INSERT INTO tokens (id, endpoint, label, salt, digest, created_at, expires_at, revoked_at)
                    VALUES (\(id), \(token.endpoint), \(token.label), \(token.salt), \(token.digest), \(token.createdAt.stored),
                            \(token.expiresAt?.stored), \(token.revokedAt?.stored))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """, logger)
            guard inserted == 1 else { throw StoreError.duplicateID(kind: "token", id: id) }
        }
    }

    /// The tokens of `endpoint` (every token when nil), oldest first (then by identifier).
    ///
    /// ```swift
    /// let tokens = try await store.tokens(of: "churn")
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func tokens(of endpoint: String?) async throws -> [TokenRecord] {
        try await read("listing the tokens of \(endpoint.map { "endpoint '\($0)'" } ?? "every endpoint")") { connection in
            if let endpoint {
                return try await Self.tokenRecords(
                    connection,
                    "SELECT id, endpoint, label, salt, digest, created_at, expires_at, revoked_at FROM tokens WHERE endpoint = \(endpoint)",
                    logger)
            }
            return try await Self.tokenRecords(
                connection, "SELECT id, endpoint, label, salt, digest, created_at, expires_at, revoked_at FROM tokens", logger)
        }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// The token `id`, if stored: one keyed read (its primary key).
    ///
    /// ```swift
    /// if let token = try await store.token(id), token.isValid(at: .now) { … }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func token(_ id: TokenID) async throws -> TokenRecord? {
        try await read("reading token \(id)") { connection in try await Self.fetchToken(connection, id, logger) }
    }

    /// Marks a token revoked at `date`; a token revoked already keeps its first date.
    ///
    /// ```swift
    /// let revoked = try await store.revokeToken(id, at: .now)
    /// ```
    ///
    /// - Returns: The token as stored now.
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)``, ``Pipelines/StoreError/backend(_:)``.
    @discardableResult
    public func revokeToken(_ id: TokenID, at date: Date) async throws -> TokenRecord {
        try await write("revoking token \(id)") { connection in
            try await connection.run(
                "UPDATE tokens SET revoked_at = \(date.stored) WHERE id = \(id.rawValue) AND revoked_at IS NULL", logger)
            guard let token = try await Self.fetchToken(connection, id, logger) else {
                throw StoreError.notFound(kind: "token", id: id.rawValue)
            }
            return token
        }
    }

    // MARK: Rows

    /// Frees every endpoint name `scope` holds, with their tokens. Runs inside the caller's
    /// transaction (deleting a pipeline).
    static func freeEndpoints(_ connection: PostgresConnection, of scope: DeploymentScope, _ logger: Logger) async throws {
        let key = scope.storageColumns
        let names = try await connection.values(
            String.self, "SELECT name FROM endpoints WHERE scope_kind = \(key.kind) AND scope_id = \(key.id)", logger)
        for name in names { try await freeEndpoint(connection, name, logger) }
    }

    /// Deletes one endpoint and its tokens (explicitly, as well as by the foreign key's cascade).
    private static func freeEndpoint(_ connection: PostgresConnection, _ name: String, _ logger: Logger) async throws {
        try await connection.run("DELETE FROM tokens WHERE endpoint = \(name)", logger)
        try await connection.run("DELETE FROM endpoints WHERE name = \(name)", logger)
    }

    /// The endpoint row named `name`, if any.
    static func fetchEndpoint(_ connection: PostgresConnection, _ name: String, _ logger: Logger) async throws -> EndpointRecord? {
        try await endpointRecords(connection, "SELECT name, scope_kind, scope_id, created_at FROM endpoints WHERE name = \(name)", logger)
            .first
    }

    /// The token row `id`, if any.
    private static func fetchToken(_ connection: PostgresConnection, _ id: TokenID, _ logger: Logger) async throws -> TokenRecord? {
        try await tokenRecords(
            connection,
            "SELECT id, endpoint, label, salt, digest, created_at, expires_at, revoked_at FROM tokens WHERE id = \(id.rawValue)", logger
        ).first
    }

    /// The rows of `query` (`name, scope_kind, scope_id, created_at`) as records.
    private static func endpointRecords(_ connection: PostgresConnection, _ query: PostgresQuery, _ logger: Logger) async throws
        -> [EndpointRecord]
    {
        var records: [EndpointRecord] = []
        let rows = try await connection.query(query, logger: logger).decode((String, String, String, Double).self)
        for try await (name, kind, id, createdAt) in rows {
            guard let scope = DeploymentScope(storageKind: kind, id: id) else {
                throw StoreError.backend("endpoint '\(name)' has an unknown scope kind '\(kind)'")
            }
            records.append(EndpointRecord(name: name, scope: scope, createdAt: Date(stored: createdAt)))
        }
        return records
    }

    /// The rows of `query` (`id, endpoint, label, salt, digest, created_at, expires_at,
    /// revoked_at`) as records.
    private static func tokenRecords(_ connection: PostgresConnection, _ query: PostgresQuery, _ logger: Logger) async throws
        -> [TokenRecord]
    {
        var records: [TokenRecord] = []
        let rows = try await connection.query(query, logger: logger)
            .decode((String, String?, String, Data, Data, Double, Double?, Double?).self)
        for try await (id, endpoint, label, salt, digest, createdAt, expiresAt, revokedAt) in rows {
            records.append(TokenRecord(
                id: TokenID(id), endpoint: endpoint, label: label, salt: salt, digest: digest, createdAt: Date(stored: createdAt),
                expiresAt: expiresAt.map(Date.init(stored:)), revokedAt: revokedAt.map(Date.init(stored:))))
        }
        return records
    }
}

extension PostgresSchema {
    /// Version 3: viewer tokens, which open reports and no endpoint (`tokens.endpoint` NULL).
    static let version3: [String] = [
        "ALTER TABLE tokens ALTER COLUMN endpoint DROP NOT NULL"
    ]
}
