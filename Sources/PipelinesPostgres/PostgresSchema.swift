import Foundation
import Pipelines
import PostgresNIO

/// The database's schema, created and upgraded by numbered migrations recorded in
/// `pipelines_schema_migrations`. Processes starting at once take turns through a
/// session advisory lock, so each migration runs once.
///
/// Records are kept whole as JSON text (``Pipelines/StoredRecordCoding``) beside the
/// columns that are queried, sorted, joined or constrained; dates are `DOUBLE PRECISION`
/// seconds since 2001 (a `Date`'s own representation, so exact).
enum PostgresSchema {
    /// The advisory lock key of migrations (any 64-bit number no other tool uses).
    static let migrationLock: Int64 = 0x6D6C_7069_7065_0001

    /// Every migration, oldest first: (version, statements).
    static let migrations: [(version: Int, sql: [String])] = [(1, version1), (2, version2), (3, version3), (4, version4)]

    /// Brings the database up to date.
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when a migration fails, or when the
    ///   database was migrated by a newer version of this module.
    static func migrate(_ store: PostgresStore) async throws {
        do {
            try await store.client.withConnection { connection in
                try await connection.query("SELECT pg_advisory_lock(\(migrationLock))", logger: store.logger)
                do {
                    if let schema = store.configuration.schema, PostgresStoreConfiguration.isPlainName(schema) {
                        try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: store.logger)
                    }
                    try await connection.query(
                        "CREATE TABLE IF NOT EXISTS pipelines_schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                        logger: store.logger)
                    var applied = Set<Int>()
                    for try await version in try await connection.query("SELECT version FROM pipelines_schema_migrations", logger: store.logger)
                        .decode(Int.self) { applied.insert(version) }
                    let known = Set(migrations.map(\.version))
                    if let newer = applied.subtracting(known).max() {
                        throw StoreError.backend("the database was migrated by a newer version of PipelinesPostgres (migration \(newer); "
                            + "this version knows \(known.sorted()))")
                    }
                    for migration in migrations where !applied.contains(migration.version) {
                        try await connection.query("BEGIN", logger: store.logger)
                        do {
                            for statement in migration.sql { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: store.logger) }
                            try await connection.query("INSERT INTO pipelines_schema_migrations (version) VALUES (\(migration.version))", logger: store.logger)
                            try await connection.query("COMMIT", logger: store.logger)
                        } catch {
                            _ = try? await connection.query("ROLLBACK", logger: store.logger)  // the first error is the one thrown
                            throw error
                        }
                    }
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(\(migrationLock))", logger: store.logger)  // the session ends anyway
                    throw error
                }
                try await connection.query("SELECT pg_advisory_unlock(\(migrationLock))", logger: store.logger)
            }
        } catch {
            throw store.backendError(error, "migrating the schema")
        }
    }

    /// The migrations applied, oldest first.
    static func applied(_ store: PostgresStore) async throws -> [Int] {
        try await store.read("reading the applied migrations") { connection in
            var versions: [Int] = []
            for try await version in try await connection.query("SELECT version FROM pipelines_schema_migrations ORDER BY version", logger: store.logger)
                .decode(Int.self) { versions.append(version) }
            return versions
        }
    }

    /// Version 1: every table, as SQLiteStore's schema v6 holds them, with the database
    /// enforcing the same rules (keys, uniqueness, cascades, the append-only history).
    static let version1: [String] = [
        """
        CREATE TABLE repositories (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at DOUBLE PRECISION NOT NULL,
            record TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE pipelines (
            id TEXT PRIMARY KEY,
            repository_id TEXT NOT NULL REFERENCES repositories(id) ON DELETE RESTRICT,
            name TEXT NOT NULL,
            configuration_version INTEGER NOT NULL CHECK (configuration_version >= 0),
            created_at DOUBLE PRECISION NOT NULL,
            record TEXT NOT NULL,
            UNIQUE (repository_id, name)
        )
        """,
        """
        CREATE TABLE configurations (
            pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
            version INTEGER NOT NULL CHECK (version >= 1),
            saved_at DOUBLE PRECISION NOT NULL,
            record TEXT NOT NULL,
            PRIMARY KEY (pipeline_id, version)
        )
        """,
        // A snapshot's parts (0 ledger, 1 training, 2 testing) in chunks of 1 MiB.
        """
        CREATE TABLE dataset_snapshots (
            pipeline_id TEXT PRIMARY KEY REFERENCES pipelines(id) ON DELETE CASCADE,
            generation INTEGER NOT NULL,
            saved_at DOUBLE PRECISION NOT NULL,
            ledger_size BIGINT NOT NULL,
            training_size BIGINT NOT NULL,
            testing_size BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE dataset_chunks (
            pipeline_id TEXT NOT NULL REFERENCES dataset_snapshots(pipeline_id) ON DELETE CASCADE,
            part SMALLINT NOT NULL CHECK (part BETWEEN 0 AND 2),
            sequence INTEGER NOT NULL CHECK (sequence >= 0),
            bytes BYTEA NOT NULL,
            PRIMARY KEY (pipeline_id, part, sequence)
        )
        """,
        """
        CREATE TABLE models (
            id TEXT PRIMARY KEY,
            pipeline_id TEXT REFERENCES pipelines(id) ON DELETE RESTRICT,
            repository_id TEXT,
            line_id TEXT,
            status TEXT NOT NULL,
            version INTEGER NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            import_name TEXT,
            former_pipeline_id TEXT,
            record TEXT NOT NULL
        )
        """,
        "CREATE INDEX models_by_creation ON models(created_at, id)",
        "CREATE INDEX models_by_pipeline ON models(pipeline_id, created_at, id)",
        "CREATE INDEX models_by_repository ON models(repository_id, created_at, id)",
        "CREATE INDEX models_by_line ON models(line_id, created_at, id)",
        "CREATE UNIQUE INDEX models_import_versions ON models(import_name, version) WHERE import_name IS NOT NULL",
        "CREATE INDEX models_by_former_pipeline ON models(former_pipeline_id, created_at, id) WHERE former_pipeline_id IS NOT NULL",
        // An artifact in chunks of 1 MiB; a model has one when it has chunk 0 … n-1 (size kept on the model row's side).
        """
        CREATE TABLE model_artifacts (
            model_id TEXT PRIMARY KEY REFERENCES models(id) ON DELETE CASCADE,
            size BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE model_artifact_chunks (
            model_id TEXT NOT NULL REFERENCES model_artifacts(model_id) ON DELETE CASCADE,
            sequence INTEGER NOT NULL CHECK (sequence >= 0),
            bytes BYTEA NOT NULL,
            PRIMARY KEY (model_id, sequence)
        )
        """,
        """
        CREATE TABLE deployment_history (
            sequence BIGSERIAL PRIMARY KEY,
            scope_kind TEXT NOT NULL CHECK (scope_kind IN ('pipeline', 'standalone')),
            scope_id TEXT NOT NULL,
            model_id TEXT,
            previous_model_id TEXT,
            deployed_at DOUBLE PRECISION NOT NULL
        )
        """,
        "CREATE INDEX deployment_history_by_scope ON deployment_history(scope_kind, scope_id, sequence)",
        """
        CREATE FUNCTION deployment_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'deployment_history is append-only'; END $$
        """,
        """
        CREATE TRIGGER deployment_history_no_change BEFORE UPDATE OR DELETE ON deployment_history
        FOR EACH ROW EXECUTE FUNCTION deployment_history_append_only()
        """,
        """
        CREATE TRIGGER deployment_history_no_truncate BEFORE TRUNCATE ON deployment_history
        FOR EACH STATEMENT EXECUTE FUNCTION deployment_history_append_only()
        """,
        """
        CREATE TABLE deployment_current (
            scope_kind TEXT NOT NULL,
            scope_id TEXT NOT NULL,
            sequence BIGINT NOT NULL UNIQUE REFERENCES deployment_history(sequence),
            model_id TEXT REFERENCES models(id) ON DELETE RESTRICT,
            PRIMARY KEY (scope_kind, scope_id)
        )
        """,
        "CREATE INDEX deployment_current_by_model ON deployment_current(model_id)",
        """
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
            status TEXT NOT NULL,
            started_at DOUBLE PRECISION NOT NULL,
            record TEXT NOT NULL
        )
        """,
        "CREATE INDEX runs_by_pipeline ON runs(pipeline_id, started_at, id)",
        """
        CREATE TABLE triggers (
            id TEXT PRIMARY KEY,
            pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
            created_at DOUBLE PRECISION NOT NULL,
            record TEXT NOT NULL
        )
        """,
        "CREATE INDEX triggers_by_creation ON triggers(created_at, id)",
        "CREATE INDEX triggers_by_pipeline ON triggers(pipeline_id, created_at, id)",
        """
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            acquired_at DOUBLE PRECISION NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL
        )
        """,
        """
        CREATE TABLE trigger_claims (
            trigger_id TEXT PRIMARY KEY REFERENCES triggers(id) ON DELETE CASCADE,
            scheduled_at DOUBLE PRECISION NOT NULL,
            owner TEXT NOT NULL,
            claimed_at DOUBLE PRECISION NOT NULL
        )
        """,
        """
        CREATE TABLE endpoints (
            name TEXT PRIMARY KEY,
            scope_kind TEXT NOT NULL CHECK (scope_kind IN ('pipeline', 'standalone')),
            scope_id TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL
        )
        """,
        "CREATE INDEX endpoints_by_scope ON endpoints(scope_kind, scope_id)",
        """
        CREATE TABLE tokens (
            id TEXT PRIMARY KEY,
            endpoint TEXT NOT NULL REFERENCES endpoints(name) ON DELETE CASCADE,
            label TEXT NOT NULL,
            salt BYTEA NOT NULL,
            digest BYTEA NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            expires_at DOUBLE PRECISION,
            revoked_at DOUBLE PRECISION
        )
        """,
        "CREATE INDEX tokens_by_endpoint ON tokens(endpoint, created_at, id)",
        """
        CREATE TABLE folder_files (
            folder TEXT NOT NULL,
            name TEXT NOT NULL,
            size BIGINT NOT NULL CHECK (size >= 0),
            sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
            state TEXT NOT NULL CHECK (state IN ('taken', 'predicted', 'failed', 'archived', 'abandoned')),
            taken_at DOUBLE PRECISION NOT NULL,
            record TEXT NOT NULL,
            PRIMARY KEY (folder, name, size, sha256)
        )
        """,
        "CREATE INDEX folder_files_by_time ON folder_files(folder, taken_at, name, sha256)",
    ]
}
