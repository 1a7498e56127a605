import Foundation
import GRDB
import Pipelines

extension SQLiteStore {
    /// Checks the file and the store's invariants; returns every problem found, or an
    /// empty array when the store is healthy.
    ///
    /// It runs SQLite's `PRAGMA integrity_check` and `PRAGMA foreign_key_check`, then
    /// checks, on one consistent snapshot:
    /// - every scope's current deployment is its latest history record, and names an
    ///   existing model (or none) that has an artifact and belongs to the scope;
    /// - every history record's previous model is the model of the scope's prior record;
    /// - every artifact belongs to a model;
    /// - every token belongs to an endpoint, and every endpoint held by a pipeline to an
    ///   existing pipeline;
    /// - every pipeline's configuration versions are 1…its current version (none at 0);
    /// - every stored record decodes, and agrees with the columns beside it;
    /// - every dataset part kept in a file (``DatasetPartFiles``) is there, of its size.
    ///
    /// ```swift
    /// let problems = try store.integrityCheck()
    /// if !problems.isEmpty { logger.error("store damaged: \(problems)") }
    /// ```
    ///
    /// - Returns: One line per problem, saying where it is.
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file cannot be read at all.
    public func integrityCheck() throws -> [String] {
        do {
            let files = partFiles
            return try pool.read { db in try Self.problems(db) + Self.partFileProblems(db, files) }
        } catch {
            throw backendError(error, "checking integrity")
        }
    }

    private static func problems(_ db: Database) throws -> [String] {
        var problems: [String] = []
        let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
        if integrity != ["ok"] { problems += integrity.map { "integrity_check: \($0)" } }
        for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
            problems.append("foreign_key_check: a row of \(row[0] as String? ?? "?") (rowid \(row[1] as Int64? ?? -1)) "
                + "references a missing row of \(row[2] as String? ?? "?")")
        }
        try checkDeployments(db, &problems)
        for row in try Row.fetchAll(db, sql: "SELECT model_id FROM model_artifacts WHERE model_id NOT IN (SELECT id FROM models)") {
            problems.append("model_artifacts: the artifact of model \(row[0] as String) belongs to no model")
        }
        for row in try Row.fetchAll(db, sql: "SELECT id, endpoint FROM tokens WHERE endpoint IS NOT NULL AND endpoint NOT IN (SELECT name FROM endpoints)") {
            problems.append("tokens: token \(row[0] as String) belongs to endpoint '\(row[1] as String)', which no scope holds")
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT name, scope_id FROM endpoints WHERE scope_kind = 'pipeline' AND scope_id NOT IN (SELECT id FROM pipelines)
            """) {
            problems.append("endpoints: endpoint '\(row[0] as String)' is held by pipeline \(row[1] as String), which does not exist")
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT id, configuration_version,
                   (SELECT count(*) FROM configurations WHERE pipeline_id = p.id) AS count,
                   coalesce((SELECT max(version) FROM configurations WHERE pipeline_id = p.id), 0) AS latest
            FROM pipelines AS p
            WHERE configuration_version IS NOT count OR configuration_version IS NOT latest
            """) {
            problems.append("configurations: pipeline \(row["id"] as String) is at version \(row["configuration_version"] as Int) "
                + "but stores \(row["count"] as Int) version(s), the latest \(row["latest"] as Int)")
        }
        try checkRecords(db, &problems)
        return problems
    }

    /// The deployment invariants: the current pointer of each scope, the chain of the
    /// history, and what the current models are.
    private static func checkDeployments(_ db: Database, _ problems: inout [String]) throws {
        for row in try Row.fetchAll(db, sql: """
            SELECT DISTINCT scope_kind, scope_id FROM deployment_history AS h
            WHERE NOT EXISTS (SELECT 1 FROM deployment_current AS c WHERE c.scope_kind = h.scope_kind AND c.scope_id = h.scope_id)
            """) {
            problems.append("deployment_current: \(row[0] as String) scope \(row[1] as String) has a history but no current record")
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT c.scope_kind, c.scope_id, c.sequence, c.model_id, h.model_id AS recorded,
                   (SELECT max(sequence) FROM deployment_history
                    WHERE scope_kind = c.scope_kind AND scope_id = c.scope_id) AS latest
            FROM deployment_current AS c LEFT JOIN deployment_history AS h ON h.sequence = c.sequence
            """) {
            let scope = "\(row["scope_kind"] as String) scope \(row["scope_id"] as String)"
            let sequence: Int64 = row["sequence"]
            if (row["latest"] as Int64?) != sequence || (row["recorded"] as String?) != (row["model_id"] as String?) {
                problems.append("deployment_current: \(scope) points at history record \(sequence), which is not its latest "
                    + "record or deployed another model")
            }
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT c.scope_kind, c.scope_id, c.model_id, m.id AS found, m.pipeline_id, m.line_id,
                   EXISTS (SELECT 1 FROM model_artifacts WHERE model_id = c.model_id) AS has_artifact
            FROM deployment_current AS c LEFT JOIN models AS m ON m.id = c.model_id
            WHERE c.model_id IS NOT NULL
            """) {
            let kind: String = row["scope_kind"]
            let scopeID: String = row["scope_id"]
            let model: String = row["model_id"]
            let scope = "\(kind) scope \(scopeID)"
            guard row["found"] as String? != nil else {
                problems.append("deployment_current: \(scope) deploys model \(model), which does not exist")
                continue
            }
            if !(row["has_artifact"] as Bool) {
                problems.append("deployment_current: \(scope) deploys model \(model), which has no artifact")
            }
            let pipeline: String? = row["pipeline_id"]
            let line: String? = row["line_id"]
            let belongs = kind == "pipeline" ? pipeline == scopeID : (pipeline == nil && line == scopeID)
            if !belongs {
                problems.append("deployment_current: \(scope) deploys model \(model), which belongs to "
                    + (pipeline.map { "pipeline \($0)" } ?? "line \(line ?? "none")"))
            }
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT scope_kind, scope_id, sequence, previous_model_id, prior FROM (
                SELECT *, lag(model_id) OVER (PARTITION BY scope_kind, scope_id ORDER BY sequence) AS prior
                FROM deployment_history)
            WHERE previous_model_id IS NOT prior
            """) {
            problems.append("deployment_history: record \(row["sequence"] as Int64) of \(row["scope_kind"] as String) scope "
                + "\(row["scope_id"] as String) replaced \(row["previous_model_id"] as String? ?? "nothing"), but the prior "
                + "record deployed \(row["prior"] as String? ?? "nothing")")
        }
    }

    /// Every record decodes and agrees with its columns.
    private static func checkRecords(_ db: Database, _ problems: inout [String]) throws {
        func seconds(_ date: Date) -> Double { date.timeIntervalSinceReferenceDate }
        try check(db, RepositoryRecord.self, table: "repositories", columns: ["id", "name", "created_at"], into: &problems) {
            [$0.id.rawValue, $0.name, seconds($0.createdAt)]
        }
        try check(db, PipelineRecord.self, table: "pipelines",
                  columns: ["id", "repository_id", "name", "configuration_version", "created_at"], into: &problems) {
            [$0.id.rawValue, $0.repositoryID.rawValue, $0.name, $0.configurationVersion, seconds($0.createdAt)]
        }
        try check(db, ConfigurationRecord.self, table: "configurations", key: "pipeline_id || ' version ' || version",
                  columns: ["pipeline_id", "version", "saved_at"], into: &problems) {
            [$0.pipelineID.rawValue, $0.version, seconds($0.savedAt)]
        }
        try check(db, ModelRecord.self, table: "models",
                  columns: ["id", "pipeline_id", "repository_id", "line_id", "status", "version", "created_at", "import_name",
                            "former_pipeline_id"],
                  into: &problems) { $0.columnValues }
        try check(db, RunRecord.self, table: "runs", columns: ["id", "pipeline_id", "status", "started_at"], into: &problems) {
            [$0.id.rawValue, $0.pipelineID.rawValue, $0.status.rawValue, seconds($0.startedAt)]
        }
        try check(db, TriggerRecord.self, table: "triggers", columns: ["id", "pipeline_id", "created_at"], into: &problems) {
            [$0.id.rawValue, $0.pipelineID.rawValue, seconds($0.createdAt)]
        }
    }

    /// Decodes every `record` of `table` and compares `columns` with `values` of it.
    private static func check<T: Decodable>(
        _ db: Database, _ type: T.Type, table: String, key: String = "id", columns: [String],
        into problems: inout [String], values: (T) -> [(any DatabaseValueConvertible)?]
    ) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT \(key) AS row_key, \(columns.joined(separator: ", ")), record FROM \(table)")
        while let row = try rows.next() {
            let where_ = "\(table) \(row["row_key"] as String? ?? "?")"
            let record: T
            do {
                record = try RecordCoding.decode(T.self, from: row["record"], where_)
            } catch {
                problems.append("\(where_): \(error)")
                continue
            }
            for (column, value) in zip(columns, values(record)) {
                let expected = value?.databaseValue ?? .null
                let stored: DatabaseValue = row[column]
                if stored != expected {
                    problems.append("\(where_): column \(column) holds \(stored) but the record says \(expected)")
                }
            }
        }
    }
}

extension SQLiteStore {
    /// A snapshot's part file that is missing or of another size than its row says.
    static func partFileProblems(_ db: Database, _ files: DatasetPartFiles) throws -> [String] {
        var problems: [String] = []
        let rows = try Row.fetchAll(
            db, sql: "SELECT pipeline_id, ledger_file, ledger_size, training_file, training_size, testing_file, testing_size FROM dataset_snapshots")
        for row in rows {
            for part in ["ledger", "training", "testing"] {
                guard let name: String = row["\(part)_file"] else { continue }
                let size: Int = row["\(part)_size"] ?? -1
                let path = files.directory.appendingPathComponent(name).path
                let actual = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
                if actual != size {
                    problems.append("dataset_snapshots: the \(part) part of pipeline \(row["pipeline_id"] as String) is "
                        + (actual.map { "\($0) bytes in \(path), not \(size)" } ?? "missing (\(path))"))
                }
            }
        }
        return problems
    }
}
