import Foundation
import Pipelines
@testable import PipelinesPostgres
import PostgresNIO
import Testing

@Suite("PostgreSQL keeps model totals (model_counts)", .enabled(if: PostgresTestServer.available, PostgresTestServer.skipReason))
struct PostgresModelCountsTests {
    @Test("migration 4 counts the models already stored; totals then follow new models; models cannot be truncated")
    func migrationCountsStoredModels() async throws {
        let store = try await PostgresTestServer.freshStore()
        let workspace = Workspace(store: store, baseDirectory: try Fixtures.directory)
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        _ = try await pipeline.run().result()
        let repository = try await pipeline.record().repositoryID
        let filters = [ModelFilter(), ModelFilter(pipelineID: pipeline.id), ModelFilter(repositoryID: repository)]

        // The store as migration 3 left it: models, and no counts.
        try await store.write("undoing migration 4") { connection in
            for statement in [
                "DROP TRIGGER model_counts_on_insert_or_delete ON models", "DROP TRIGGER model_counts_on_move ON models",
                "DROP TRIGGER models_no_truncate ON models", "DROP FUNCTION model_counts_track()",
                "DROP FUNCTION model_counts_add(TEXT, TEXT, TEXT, BIGINT)", "DROP FUNCTION model_counts_no_truncate()",
                "DROP TABLE model_counts", "DELETE FROM pipelines_schema_migrations WHERE version = 4",
            ] { try await connection.run(PostgresQuery(unsafeSQL: statement), store.logger) }
        }
        await store.close()

        let reopened = try await PostgresStore(configuration: store.configuration)
        #expect(try await PostgresSchema.applied(reopened) == [1, 2, 3, 4])
        for filter in filters {
            let listed = try await reopened.models(matching: filter, offset: 0, limit: nil).count
            #expect(listed > 0)
            #expect(try await reopened.countModels(matching: filter) == listed, "\(filter)")
        }
        let again = Workspace(store: reopened, baseDirectory: try Fixtures.directory)
        _ = try await again.pipeline(pipeline.id).run(jobs: [.training]).result()
        for filter in filters {
            let listed = try await reopened.models(matching: filter, offset: 0, limit: nil).count
            #expect(try await reopened.modelPage(matching: filter, offset: 0, limit: 1).total == listed, "\(filter)")
        }
        let truncation = await #expect(throws: StoreError.self) {
            try await reopened.write("truncating models") { connection in try await connection.run("TRUNCATE models CASCADE", reopened.logger) }
        }
        guard case .backend(let message)? = truncation, message.contains("models cannot be truncated") else {
            Issue.record("TRUNCATE models was not refused by its trigger: \(String(describing: truncation))"); return
        }
        await reopened.close()
    }
}
