public import Foundation
import GRDB
public import Pipelines

// MARK: - EndpointStore

extension SQLiteStore {
    /// Makes `names` exactly the endpoint names `scope` holds, in one `IMMEDIATE`
    /// transaction: checks that no other scope holds any of them, frees the scope's names
    /// that are no longer listed (their tokens go with them, by cascade) and claims the new
    /// ones at `date`. Two processes racing for a name serialise: one claims it, the other
    /// gets ``Pipelines/StoreError/endpointTaken(name:holder:)``.
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
        let key = ScopeKey(scope)
        try await write("setting the endpoints of \(key.kind) \(key.id)") { db in
            if case .pipeline(let pipeline) = scope { try Self.requirePipeline(db, pipeline) }
            for name in names.sorted() {
                guard let holder = try Self.fetchEndpoint(db, name), holder.scope != scope else { continue }
                throw StoreError.endpointTaken(name: name, holder: holder.scope)
            }
            let held = try String.fetchAll(
                db, sql: "SELECT name FROM endpoints WHERE scope_kind = ? AND scope_id = ?", arguments: [key.kind, key.id])
            for name in held where !names.contains(name) {
                try Self.freeEndpoint(db, name)
            }
            for name in names.subtracting(held).sorted() {
                try db.execute(
                    sql: "INSERT INTO endpoints (name, scope_kind, scope_id, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [name, key.kind, key.id, date.timeIntervalSinceReferenceDate])
            }
        }
    }

    /// The endpoint called `name`, if a scope holds it.
    ///
    /// ```swift
    /// if let endpoint = try await store.endpoint(named: "churn") { print(endpoint.scope) }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func endpoint(named name: String) async throws -> EndpointRecord? {
        try await read("reading endpoint '\(name)'") { db in try Self.fetchEndpoint(db, name) }
    }

    /// Every endpoint, by name.
    ///
    /// ```swift
    /// for endpoint in try await store.endpoints() { print(endpoint.name) }
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func endpoints() async throws -> [EndpointRecord] {
        try await read("listing endpoints") { db in
            try Row.fetchAll(db, sql: "SELECT name, scope_kind, scope_id, created_at FROM endpoints").map(Self.endpointRecord)
        }.sorted { $0.name < $1.name }
    }

    /// Stores a new token (its salt and digest; the secret is never given to the store).
    ///
    /// ```swift
    /// try await store.insertToken(TokenRecord(id: TokenID(), endpoint: "churn", label: "billing", salt: salt, digest: digest, createdAt: .now))
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` (kind `endpoint`) when no scope
    ///   holds its endpoint (a viewer token has none); ``Pipelines/StoreError/duplicateID(kind:id:)``;
    ///   ``Pipelines/StoreError/backend(_:)``.
    public func insertToken(_ token: TokenRecord) async throws {
        try await write("inserting token \(token.id)") { db in
            if let endpoint = token.endpoint, try !Self.exists(db, "endpoints", id: endpoint, column: "name") {
                throw StoreError.notFound(kind: "endpoint", id: endpoint)
            }
            guard try !Self.exists(db, "tokens", id: token.id.rawValue) else {
                throw StoreError.duplicateID(kind: "token", id: token.id.rawValue)
            }
            try db.execute(
                sql: """
                    INSERT INTO tokens (id, endpoint, label, salt, digest, created_at, expires_at, revoked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [token.id.rawValue, token.endpoint, token.label, token.salt, token.digest,
                            token.createdAt.timeIntervalSinceReferenceDate, token.expiresAt?.timeIntervalSinceReferenceDate,
                            token.revokedAt?.timeIntervalSinceReferenceDate])
        }
    }

    /// The tokens of `endpoint` (every token when nil), oldest first (then by identifier).
    ///
    /// ```swift
    /// let tokens = try await store.tokens(of: "churn")
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func tokens(of endpoint: String?) async throws -> [TokenRecord] {
        try await read("listing the tokens of \(endpoint.map { "endpoint '\($0)'" } ?? "every endpoint")") { db in
            if let endpoint {
                return try Row.fetchAll(db, sql: "SELECT \(Self.tokenColumns) FROM tokens WHERE endpoint = ?", arguments: [endpoint])
                    .map(Self.tokenRecord)
            }
            return try Row.fetchAll(db, sql: "SELECT \(Self.tokenColumns) FROM tokens").map(Self.tokenRecord)
        }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// The token `id`, if stored: one keyed read (its primary key).
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)``.
    public func token(_ id: TokenID) async throws -> TokenRecord? {
        try await read("reading token \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.tokenColumns) FROM tokens WHERE id = ?", arguments: [id.rawValue])
                .map(Self.tokenRecord)
        }
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
        try await write("revoking token \(id)") { db in
            try db.execute(sql: "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                           arguments: [date.timeIntervalSinceReferenceDate, id.rawValue])
            guard let row = try Row.fetchOne(
                db, sql: "SELECT \(Self.tokenColumns) FROM tokens WHERE id = ?",
                arguments: [id.rawValue])
            else { throw StoreError.notFound(kind: "token", id: id.rawValue) }
            return try Self.tokenRecord(row)
        }
    }

    // MARK: Rows

    /// The columns ``tokenRecord(_:)`` reads, in its order.
    static let tokenColumns = "id, endpoint, label, salt, digest, created_at, expires_at, revoked_at"

    /// Frees every endpoint name `scope` holds, with their tokens. Runs inside the caller's
    /// transaction (deleting a pipeline).
    static func freeEndpoints(_ db: Database, of scope: DeploymentScope) throws {
        let key = ScopeKey(scope)
        let names = try String.fetchAll(
            db, sql: "SELECT name FROM endpoints WHERE scope_kind = ? AND scope_id = ?", arguments: [key.kind, key.id])
        for name in names { try freeEndpoint(db, name) }
    }

    /// Deletes one endpoint and its tokens. The tokens are deleted explicitly as well as by
    /// the foreign key's cascade, so a connection with foreign keys off leaves none behind.
    private static func freeEndpoint(_ db: Database, _ name: String) throws {
        try db.execute(sql: "DELETE FROM tokens WHERE endpoint = ?", arguments: [name])
        try db.execute(sql: "DELETE FROM endpoints WHERE name = ?", arguments: [name])
    }

    /// The endpoint row named `name`, if any.
    static func fetchEndpoint(_ db: Database, _ name: String) throws -> EndpointRecord? {
        try Row.fetchOne(db, sql: "SELECT name, scope_kind, scope_id, created_at FROM endpoints WHERE name = ?", arguments: [name])
            .map(endpointRecord)
    }

    /// An `endpoints` row as a record.
    private static func endpointRecord(_ row: Row) throws -> EndpointRecord {
        let name: String = row["name"]
        let key = ScopeKey(kind: row["scope_kind"], id: row["scope_id"])
        guard let scope = key.scope else {
            throw StoreError.backend("endpoint '\(name)' has an unknown scope kind '\(key.kind)'")
        }
        return EndpointRecord(name: name, scope: scope, createdAt: Date(timeIntervalSinceReferenceDate: row["created_at"]))
    }

    /// A `tokens` row as a record.
    private static func tokenRecord(_ row: Row) throws -> TokenRecord {
        let id: String = row["id"]
        guard let salt = row["salt"] as Data?, let digest = row["digest"] as Data? else {
            throw StoreError.backend("token \(id) has no salt or digest")
        }
        return TokenRecord(
            id: TokenID(id), endpoint: row["endpoint"] as String?, label: row["label"], salt: salt, digest: digest,
            createdAt: Date(timeIntervalSinceReferenceDate: row["created_at"]),
            expiresAt: (row["expires_at"] as Double?).map(Date.init(timeIntervalSinceReferenceDate:)),
            revokedAt: (row["revoked_at"] as Double?).map(Date.init(timeIntervalSinceReferenceDate:)))
    }
}
