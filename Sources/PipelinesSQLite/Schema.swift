import Foundation
import GRDB
import Pipelines
import Tabular

/// The database schema, as a sequence of versioned migrations.
///
/// A migration is never edited once released: a change of schema is a new migration
/// ("v2", …) appended to ``migrator``. GRDB records the applied migrations in the
/// `grdb_migrations` table and runs only the missing ones, each in its own transaction.
enum Schema {
    /// Every migration, oldest first.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1", migrate: createVersion1)
        migrator.registerMigration("v2", migrate: migrateToVersion2)
        migrator.registerMigration("v3", migrate: migrateToVersion3)
        migrator.registerMigration("v4", migrate: migrateToVersion4)
        migrator.registerMigration("v5", migrate: migrateToVersion5)
        migrator.registerMigration("v6", migrate: migrateToVersion6)
        migrator.registerMigration("v7", migrate: migrateToVersion7)
        migrator.registerMigration("v8", migrate: migrateToVersion8)
        return migrator
    }()

    /// Brings the database at `path` up to the latest schema.
    ///
    /// Processes opening a new file at once may all try to migrate it: GRDB decides which
    /// migrations are pending before it takes the write lock of each, so a process can run a
    /// migration another one has just committed, and fail (its tables exist already, or a
    /// column it reads is gone). The attempt is rolled back and the migration retried, up
    /// to five times 50 ms apart, each time from the migrations recorded as applied by then.
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the migrations fail, or when the
    ///   file was migrated by a newer version of this module (unknown migrations).
    static func migrate(_ pool: DatabasePool, path: String) throws {
        do {
            var attempt = 1
            while true {
                do {
                    try migrator.migrate(pool)
                    break
                } catch where attempt < 5 {
                    attempt += 1
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
            if try pool.read(migrator.hasBeenSuperseded) {
                let applied = try pool.read(migrator.appliedIdentifiers).sorted()
                throw StoreError.backend("\(path) was written by a newer version of PipelinesSQLite "
                    + "(migrations \(applied), this version knows \(migrator.migrations))")
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.backend("migrating the schema of \(path): \(error)")
        }
    }

    /// Version 1: every table of the store.
    ///
    /// Each record is kept whole as JSON (`record`), so it reads back exactly; the columns
    /// beside it are copies of the fields that are queried, sorted or joined on, written
    /// from the record in the same statement. Dates are `REAL` seconds since 2001 (a
    /// `Date`'s own representation, so exact).
    private static func createVersion1(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE repositories (
                id TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL UNIQUE,
                created_at REAL NOT NULL,
                record TEXT NOT NULL
            );

            CREATE TABLE pipelines (
                id TEXT PRIMARY KEY NOT NULL,
                repository_id TEXT NOT NULL REFERENCES repositories(id) ON DELETE RESTRICT,
                name TEXT NOT NULL,
                configuration_version INTEGER NOT NULL CHECK (configuration_version >= 1),
                created_at REAL NOT NULL,
                record TEXT NOT NULL,
                UNIQUE (repository_id, name)
            );

            CREATE TABLE configurations (
                pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
                version INTEGER NOT NULL CHECK (version >= 1),
                saved_at REAL NOT NULL,
                record TEXT NOT NULL,
                PRIMARY KEY (pipeline_id, version)
            ) WITHOUT ROWID;

            CREATE TABLE dataset_snapshots (
                pipeline_id TEXT PRIMARY KEY NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
                generation INTEGER NOT NULL,
                saved_at REAL NOT NULL,
                encoded BLOB NOT NULL
            );

            CREATE TABLE models (
                id TEXT PRIMARY KEY NOT NULL,
                pipeline_id TEXT REFERENCES pipelines(id) ON DELETE RESTRICT,
                repository_id TEXT,
                line_id TEXT,
                status TEXT NOT NULL,
                version INTEGER NOT NULL,
                created_at REAL NOT NULL,
                record TEXT NOT NULL
            );
            CREATE INDEX models_by_creation ON models(created_at, id);
            CREATE INDEX models_by_pipeline ON models(pipeline_id, created_at, id);
            CREATE INDEX models_by_repository ON models(repository_id, created_at, id);
            CREATE INDEX models_by_line ON models(line_id, created_at, id);

            CREATE TABLE model_artifacts (
                model_id TEXT PRIMARY KEY NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                bytes BLOB NOT NULL
            );

            CREATE TABLE deployment_history (
                sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                scope_kind TEXT NOT NULL CHECK (scope_kind IN ('pipeline', 'standalone')),
                scope_id TEXT NOT NULL,
                model_id TEXT,
                previous_model_id TEXT,
                deployed_at REAL NOT NULL
            );
            CREATE INDEX deployment_history_by_scope ON deployment_history(scope_kind, scope_id, sequence);
            CREATE TRIGGER deployment_history_no_update BEFORE UPDATE ON deployment_history
            BEGIN SELECT RAISE(ABORT, 'deployment_history is append-only'); END;
            CREATE TRIGGER deployment_history_no_delete BEFORE DELETE ON deployment_history
            BEGIN SELECT RAISE(ABORT, 'deployment_history is append-only'); END;

            CREATE TABLE deployment_current (
                scope_kind TEXT NOT NULL,
                scope_id TEXT NOT NULL,
                sequence INTEGER NOT NULL UNIQUE REFERENCES deployment_history(sequence),
                model_id TEXT REFERENCES models(id) ON DELETE RESTRICT,
                PRIMARY KEY (scope_kind, scope_id)
            ) WITHOUT ROWID;
            CREATE INDEX deployment_current_by_model ON deployment_current(model_id);

            CREATE TABLE runs (
                id TEXT PRIMARY KEY NOT NULL,
                pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
                status TEXT NOT NULL,
                started_at REAL NOT NULL,
                record TEXT NOT NULL
            );
            CREATE INDEX runs_by_pipeline ON runs(pipeline_id, started_at, id);

            CREATE TABLE triggers (
                id TEXT PRIMARY KEY NOT NULL,
                pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
                created_at REAL NOT NULL,
                record TEXT NOT NULL
            );
            CREATE INDEX triggers_by_creation ON triggers(created_at, id);
            CREATE INDEX triggers_by_pipeline ON triggers(pipeline_id, created_at, id);
            """)
    }

    /// Version 2: pipelines start at configuration version 0 (no configuration until the
    /// first is saved); models gain the columns the core's rules query — the imported line
    /// name, unique with the version (two racing imports never share a version), and the
    /// former pipeline of orphaned models.
    ///
    /// SQLite cannot relax a `CHECK` in place, so `pipelines` is rebuilt (foreign keys are
    /// off during migrations and checked before the commit).
    private static func migrateToVersion2(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE pipelines_v2 (
                id TEXT PRIMARY KEY NOT NULL,
                repository_id TEXT NOT NULL REFERENCES repositories(id) ON DELETE RESTRICT,
                name TEXT NOT NULL,
                configuration_version INTEGER NOT NULL CHECK (configuration_version >= 0),
                created_at REAL NOT NULL,
                record TEXT NOT NULL,
                UNIQUE (repository_id, name)
            );
            INSERT INTO pipelines_v2 (id, repository_id, name, configuration_version, created_at, record)
            SELECT id, repository_id, name, configuration_version, created_at, record FROM pipelines;
            DROP TABLE pipelines;
            ALTER TABLE pipelines_v2 RENAME TO pipelines;

            ALTER TABLE models ADD COLUMN import_name TEXT;
            ALTER TABLE models ADD COLUMN former_pipeline_id TEXT;
            UPDATE models SET import_name = json_extract(record, '$.origin.imported.name');
            CREATE UNIQUE INDEX models_import_versions ON models(import_name, version) WHERE import_name IS NOT NULL;
            CREATE INDEX models_by_former_pipeline ON models(former_pipeline_id, created_at, id)
            WHERE former_pipeline_id IS NOT NULL;
            """)
    }

    /// Version 3: what several processes sharing the file coordinate through — leases
    /// (one row per held lease; the core's run lease keeps a pipeline from running twice at
    /// once) and the latest claimed firing of each trigger (so several schedulers run each
    /// firing once). Both are small tables written in the same `IMMEDIATE` transactions
    /// that read them.
    private static func migrateToVersion3(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE leases (
                name TEXT PRIMARY KEY NOT NULL,
                owner TEXT NOT NULL,
                acquired_at REAL NOT NULL,
                expires_at REAL NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE trigger_claims (
                trigger_id TEXT PRIMARY KEY NOT NULL REFERENCES triggers(id) ON DELETE CASCADE,
                scheduled_at REAL NOT NULL,
                owner TEXT NOT NULL,
                claimed_at REAL NOT NULL
            ) WITHOUT ROWID;
            """)
    }

    /// Version 4: dataset snapshots in three parts (``Tabular/DatasetParts``: the ledger,
    /// the training rows, the testing rows), so a job reads only the part it needs; a large
    /// part lives in a file beside the database (`<part>_file`, `<part>_size`; the blob
    /// column is then empty, see ``DatasetPartFiles``), a small one in its blob column; the
    /// files of the snapshot replaced last are kept until the next save (`retired_files`,
    /// space-separated) so a reader that read the previous row can still map them. Each
    /// stored snapshot in the single "MLDS" encoding of versions 1–3 is decoded and split
    /// (the same datasets: `MLDatasets(binaryEncoded:).encodedParts()`). Bytes that do not
    /// decode are kept as the ledger with empty row parts, so the jobs that read them still
    /// report the corrupt encoding as before, and the store opens.
    private static func migrateToVersion4(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE dataset_snapshots_v4 (
                pipeline_id TEXT PRIMARY KEY NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
                generation INTEGER NOT NULL,
                saved_at REAL NOT NULL,
                ledger BLOB NOT NULL,
                training BLOB NOT NULL,
                testing BLOB NOT NULL,
                ledger_file TEXT,
                ledger_size INTEGER,
                training_file TEXT,
                training_size INTEGER,
                testing_file TEXT,
                testing_size INTEGER,
                retired_files TEXT NOT NULL DEFAULT ''
            );
            """)
        let rows = try Row.fetchCursor(db, sql: "SELECT pipeline_id, generation, saved_at, encoded FROM dataset_snapshots")
        while let row = try rows.next() {
            let encoded: Data = row["encoded"] ?? Data()
            // A snapshot that does not decode keeps its bytes (as the ledger part): nothing is
            // dropped, and reading it reports the corrupt encoding where it is used.
            var parts = DatasetParts(ledger: Array(encoded), training: [], testing: [])
            if let datasets = try? MLDatasets(binaryEncoded: Array(encoded)) { parts = datasets.encodedParts() }
            try db.execute(
                sql: """
                    INSERT INTO dataset_snapshots_v4 (pipeline_id, generation, saved_at, ledger, training, testing)
                    VALUES (?, ?, ?, coalesce(?, X''), coalesce(?, X''), coalesce(?, X''))
                    """,
                arguments: [row["pipeline_id"] as String, row["generation"] as Int, row["saved_at"] as Double,
                            Data(parts.ledger), Data(parts.training), Data(parts.testing)])
        }
        try db.execute(sql: """
            DROP TABLE dataset_snapshots;
            ALTER TABLE dataset_snapshots_v4 RENAME TO dataset_snapshots;
            """)
    }

    /// Version 5: API endpoints and their tokens. An endpoint's name is its primary key
    /// (names are unique across the store), held by one deployment scope (`scope_kind`,
    /// `scope_id`, as in `deployment_current`). A token belongs to one endpoint and is
    /// deleted with it (`ON DELETE CASCADE`); only its salt and the SHA-256 digest of salt
    /// and secret are stored.
    private static func migrateToVersion5(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE endpoints (
                name TEXT PRIMARY KEY NOT NULL,
                scope_kind TEXT NOT NULL CHECK (scope_kind IN ('pipeline', 'standalone')),
                scope_id TEXT NOT NULL,
                created_at REAL NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX endpoints_by_scope ON endpoints(scope_kind, scope_id);

            CREATE TABLE tokens (
                id TEXT PRIMARY KEY NOT NULL,
                endpoint TEXT NOT NULL REFERENCES endpoints(name) ON DELETE CASCADE,
                label TEXT NOT NULL,
                salt BLOB NOT NULL,
                digest BLOB NOT NULL,
                created_at REAL NOT NULL,
                expires_at REAL,
                revoked_at REAL
            );
            CREATE INDEX tokens_by_endpoint ON tokens(endpoint, created_at, id);
            """)
    }

    /// Version 6: the folder consumers' ledger (``Pipelines/FolderLedgerStore``). The key
    /// is the primary key, so of processes taking one file at once exactly one inserts it.
    private static func migrateToVersion6(_ db: Database) throws {
        let states = FolderFileState.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        try db.execute(sql: """
            CREATE TABLE folder_files (
                folder TEXT NOT NULL,
                name TEXT NOT NULL,
                size INTEGER NOT NULL CHECK (size >= 0),
                sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                state TEXT NOT NULL CHECK (state IN (\(states))),
                taken_at REAL NOT NULL,
                record TEXT NOT NULL,
                PRIMARY KEY (folder, name, size, sha256)
            ) WITHOUT ROWID;
            CREATE INDEX folder_files_by_time ON folder_files(folder, taken_at, name, sha256);
            """)
    }

    /// Version 7: the run queue (``Pipelines/RunQueueStore``). A trigger firing is queued
    /// at most once (`UNIQUE (firing_trigger, firing_at)`; hand-queued runs have neither).
    private static func migrateToVersion7(_ db: Database) throws {
        let states = QueuedRunState.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        try db.execute(sql: """
            CREATE TABLE queued_runs (
                id TEXT PRIMARY KEY NOT NULL,
                pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
                state TEXT NOT NULL CHECK (state IN (\(states))),
                enqueued_at REAL NOT NULL,
                firing_trigger TEXT,
                firing_at REAL,
                record TEXT NOT NULL,
                UNIQUE (firing_trigger, firing_at)
            );
            CREATE INDEX queued_runs_by_state ON queued_runs(state, enqueued_at, id);
            """)
    }

    /// Version 8: viewer tokens, which open reports and no endpoint — `tokens.endpoint`
    /// may be NULL. SQLite cannot drop a NOT NULL constraint, so the table is rebuilt with
    /// the same rows (GRDB checks the foreign keys once the migration is done).
    private static func migrateToVersion8(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE tokens_v8 (
                id TEXT PRIMARY KEY NOT NULL,
                endpoint TEXT REFERENCES endpoints(name) ON DELETE CASCADE,
                label TEXT NOT NULL,
                salt BLOB NOT NULL,
                digest BLOB NOT NULL,
                created_at REAL NOT NULL,
                expires_at REAL,
                revoked_at REAL
            );
            INSERT INTO tokens_v8 (id, endpoint, label, salt, digest, created_at, expires_at, revoked_at)
                SELECT id, endpoint, label, salt, digest, created_at, expires_at, revoked_at FROM tokens;
            DROP TABLE tokens;
            ALTER TABLE tokens_v8 RENAME TO tokens;
            CREATE INDEX tokens_by_endpoint ON tokens(endpoint, created_at, id);
            """)
    }
}
