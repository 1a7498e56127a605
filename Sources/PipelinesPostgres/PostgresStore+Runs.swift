import Foundation
public import Pipelines
import PostgresNIO

// MARK: - RunStore

extension PostgresStore {
    /// Adds a run.
    ///
    /// ```swift
    /// try await store.insertRun(RunRecord(pipelineID: id, configurationVersion: 3, origin: .manual,
    ///                                     jobs: JobKind.allCases, status: .running, startedAt: .now))
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown pipeline,
    ///   ``Pipelines/StoreError/duplicateID(kind:id:)`` when the identifier is taken,
    ///   ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func insertRun(_ run: RunRecord) async throws {
        let json = try StoredRecordCoding.encode(run, "run \(run.id)")
        let id = run.id.rawValue
        try await write("inserting run \(run.id)") { connection in
            try await Self.requirePipeline(connection, run.pipelineID, logger)
            guard try await !connection.exists("SELECT 1 FROM runs WHERE id = \(id)", logger) else {
                throw StoreError.duplicateID(kind: "run", id: id)
            }
            // A racing insert of the same id is a serialization failure (retried), not a unique violation.
            let inserted = try await connection.count(
                """
                INSERT INTO runs (id, pipeline_id, status, started_at, record)
                VALUES (\(id), \(run.pipelineID.rawValue), \(run.status.rawValue), \(run.startedAt.stored), \(json))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger)
            guard inserted == 1 else { throw StoreError.duplicateID(kind: "run", id: id) }
        }
    }

    /// Replaces a run.
    ///
    /// ```swift
    /// var finished = run
    /// finished.status = .succeeded
    /// try await store.updateRun(finished)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown run (or an
    ///   unknown pipeline), ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func updateRun(_ run: RunRecord) async throws {
        let json = try StoredRecordCoding.encode(run, "run \(run.id)")
        let id = run.id.rawValue
        try await write("updating run \(run.id)") { connection in
            guard try await connection.exists("SELECT 1 FROM runs WHERE id = \(id)", logger) else {
                throw StoreError.notFound(kind: "run", id: id)
            }
            try await Self.requirePipeline(connection, run.pipelineID, logger)
            try await connection.run(
                """
                UPDATE runs SET pipeline_id = \(run.pipelineID.rawValue), status = \(run.status.rawValue),
                    started_at = \(run.startedAt.stored), record = \(json)
                WHERE id = \(id)
                """, logger)
        }
    }

    /// The run with this identifier, if any.
    ///
    /// ```swift
    /// let run = try await store.run(id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func run(_ id: RunID) async throws -> RunRecord? {
        try await read("reading run \(id)") { connection in
            try await connection.record(RunRecord.self, "SELECT record FROM runs WHERE id = \(id.rawValue)", logger, "run \(id)")
        }
    }

    /// The pipeline's runs, newest first (ties by identifier, descending, byte order).
    ///
    /// ```swift
    /// let latest = try await store.runs(of: id).first
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func runs(of pipeline: PipelineID) async throws -> [RunRecord] {
        try await read("listing the runs of pipeline \(pipeline)") { connection in
            try await connection.records(
                RunRecord.self,
                """
                SELECT record FROM runs WHERE pipeline_id = \(pipeline.rawValue) ORDER BY started_at DESC, id COLLATE "C" DESC
                """, logger, "a run of pipeline \(pipeline)")
        }
    }
}

// MARK: - TriggerStore

extension PostgresStore {
    /// Adds a trigger.
    ///
    /// ```swift
    /// try await store.insertTrigger(TriggerRecord(pipelineID: id, schedule: .everyDays(1, startingAt: .now), createdAt: .now))
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown pipeline,
    ///   ``Pipelines/StoreError/duplicateID(kind:id:)`` when the identifier is taken,
    ///   ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func insertTrigger(_ trigger: TriggerRecord) async throws {
        let json = try StoredRecordCoding.encode(trigger, "trigger \(trigger.id)")
        let id = trigger.id.rawValue
        try await write("inserting trigger \(trigger.id)") { connection in
            try await Self.requirePipeline(connection, trigger.pipelineID, logger)
            guard try await !connection.exists("SELECT 1 FROM triggers WHERE id = \(id)", logger) else {
                throw StoreError.duplicateID(kind: "trigger", id: id)
            }
            // A racing insert of the same id is a serialization failure (retried), not a unique violation.
            let inserted = try await connection.count(
                """
                INSERT INTO triggers (id, pipeline_id, created_at, record)
                VALUES (\(id), \(trigger.pipelineID.rawValue), \(trigger.createdAt.stored), \(json))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger)
            guard inserted == 1 else { throw StoreError.duplicateID(kind: "trigger", id: id) }
        }
    }

    /// Removes a trigger (its firing claim goes with it, by cascade).
    ///
    /// ```swift
    /// try await store.deleteTrigger(id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)``, ``Pipelines/StoreError/backend(_:)``.
    public func deleteTrigger(_ id: TriggerID) async throws {
        try await write("deleting trigger \(id)") { connection in
            let deleted = try await connection.count("DELETE FROM triggers WHERE id = \(id.rawValue) RETURNING 1", logger)
            guard deleted == 1 else { throw StoreError.notFound(kind: "trigger", id: id.rawValue) }
        }
    }

    /// The triggers of one pipeline (or of all when nil), oldest first (ties by
    /// identifier, byte order).
    ///
    /// ```swift
    /// let schedules = try await store.triggers(of: nil).map(\.schedule)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the server fails.
    public func triggers(of pipeline: PipelineID?) async throws -> [TriggerRecord] {
        try await read("listing triggers") { connection in
            if let pipeline {
                return try await connection.records(
                    TriggerRecord.self,
                    #"SELECT record FROM triggers WHERE pipeline_id = \#(pipeline.rawValue) ORDER BY created_at, id COLLATE "C""#,
                    logger, "a trigger of pipeline \(pipeline)")
            }
            return try await connection.records(
                TriggerRecord.self, #"SELECT record FROM triggers ORDER BY created_at, id COLLATE "C""#, logger, "a trigger")
        }
    }
}
