import Logging
import Pipelines
import PostgresNIO

/// Model totals kept by the database, so that a registry page's total is not a
/// `count(*)` over every matching model (at 100,000 models the count alone took most of a
/// page's 20 ms budget).
///
/// `model_counts` holds, per scope — the whole registry (`all`), one pipeline
/// (`pipeline:ID`), one repository (`repository:ID`) — a count split over 16 slots (a
/// model goes to the slot its identifier hashes to), so that concurrent inserts rarely
/// update the same row. Triggers on `models` keep it exact in the same transaction as the
/// change; a total is the sum of its scope's slots, read on the page's snapshot.
extension PostgresSchema {
    /// Migration 4: the counts table, its triggers, and the counts of the models already stored.
    static let version4: [String] = [
        """
        CREATE TABLE model_counts (
            scope TEXT NOT NULL,
            slot SMALLINT NOT NULL CHECK (slot BETWEEN 0 AND 15),
            n BIGINT NOT NULL,
            PRIMARY KEY (scope, slot)
        )
        """,
        """
        CREATE FUNCTION model_counts_add(p_model TEXT, p_pipeline TEXT, p_repository TEXT, p_delta BIGINT) RETURNS void
        LANGUAGE plpgsql AS $$
        DECLARE
            v_slot SMALLINT := hashtext(p_model) & 15;
        BEGIN
            INSERT INTO model_counts AS c (scope, slot, n) VALUES ('all', v_slot, p_delta)
                ON CONFLICT ON CONSTRAINT model_counts_pkey DO UPDATE SET n = c.n + EXCLUDED.n;
            IF p_pipeline IS NOT NULL THEN
                INSERT INTO model_counts AS c (scope, slot, n) VALUES ('pipeline:' || p_pipeline, v_slot, p_delta)
                    ON CONFLICT ON CONSTRAINT model_counts_pkey DO UPDATE SET n = c.n + EXCLUDED.n;
            END IF;
            IF p_repository IS NOT NULL THEN
                INSERT INTO model_counts AS c (scope, slot, n) VALUES ('repository:' || p_repository, v_slot, p_delta)
                    ON CONFLICT ON CONSTRAINT model_counts_pkey DO UPDATE SET n = c.n + EXCLUDED.n;
            END IF;
        END $$
        """,
        """
        CREATE FUNCTION model_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                PERFORM model_counts_add(OLD.id, OLD.pipeline_id, OLD.repository_id, -1);
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                PERFORM model_counts_add(NEW.id, NEW.pipeline_id, NEW.repository_id, 1);
            END IF;
            RETURN NULL;
        END $$
        """,
        """
        CREATE TRIGGER model_counts_on_insert_or_delete AFTER INSERT OR DELETE ON models
        FOR EACH ROW EXECUTE FUNCTION model_counts_track()
        """,
        """
        CREATE TRIGGER model_counts_on_move AFTER UPDATE OF id, pipeline_id, repository_id ON models
        FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.pipeline_id IS DISTINCT FROM NEW.pipeline_id
            OR OLD.repository_id IS DISTINCT FROM NEW.repository_id)
        EXECUTE FUNCTION model_counts_track()
        """,
        """
        CREATE FUNCTION model_counts_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'models cannot be truncated: model_counts would no longer match'; END $$
        """,
        """
        CREATE TRIGGER models_no_truncate BEFORE TRUNCATE ON models
        FOR EACH STATEMENT EXECUTE FUNCTION model_counts_no_truncate()
        """,
        """
        INSERT INTO model_counts (scope, slot, n)
        SELECT 'all', hashtext(id) & 15, count(*) FROM models GROUP BY 2
        UNION ALL
        SELECT 'pipeline:' || pipeline_id, hashtext(id) & 15, count(*) FROM models WHERE pipeline_id IS NOT NULL GROUP BY 1, 2
        UNION ALL
        SELECT 'repository:' || repository_id, hashtext(id) & 15, count(*) FROM models WHERE repository_id IS NOT NULL GROUP BY 1, 2
        """,
    ]
}

extension PostgresStore {
    /// The `model_counts` scope whose total is the number of models `filter` matches, or
    /// nil when the filter needs a count of its own (statuses, lines, deployed only, …).
    static func countedScope(_ filter: ModelFilter) -> String? {
        if filter == ModelFilter() { return "all" }
        if let pipeline = filter.pipelineID, filter == ModelFilter(pipelineID: pipeline) { return "pipeline:\(pipeline.rawValue)" }
        if let repository = filter.repositoryID, filter == ModelFilter(repositoryID: repository) { return "repository:\(repository.rawValue)" }
        return nil
    }

    /// The kept total of `scope`: the sum of its slots (0 when it has none).
    static func countedTotal(_ connection: PostgresConnection, scope: String, _ logger: Logger) async throws -> Int {
        let query: PostgresQuery = "SELECT coalesce(sum(n), 0)::BIGINT FROM model_counts WHERE scope = \(scope)"
        return Int(try await connection.value(Int64.self, query, logger) ?? 0)
    }
}
