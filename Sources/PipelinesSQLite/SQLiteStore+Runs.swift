import Foundation
import GRDB
public import Pipelines

// MARK: - RunStore

extension SQLiteStore {
    /// Adds a run.
    ///
    /// ```swift
    /// try await store.insertRun(RunRecord(pipelineID: id, configurationVersion: 3, origin: .manual,
    ///                                     jobs: JobKind.allCases, status: .running, startedAt: .now))
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown pipeline,
    ///   ``Pipelines/StoreError/duplicateID(kind:id:)`` when the identifier is taken,
    ///   ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func insertRun(_ run: RunRecord) async throws {
        let json = try RecordCoding.encode(run, "run \(run.id)")
        try await write("inserting run \(run.id)") { db in
            try Self.requirePipeline(db, run.pipelineID)
            guard try !Self.exists(db, "runs", id: run.id.rawValue) else { throw StoreError.duplicateID(kind: "run", id: run.id.rawValue) }
            try db.execute(
                sql: "INSERT INTO runs (id, pipeline_id, status, started_at, record) VALUES (?, ?, ?, ?, ?)",
                arguments: [run.id.rawValue, run.pipelineID.rawValue, run.status.rawValue,
                            run.startedAt.timeIntervalSinceReferenceDate, json])
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
    ///   unknown pipeline), ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func updateRun(_ run: RunRecord) async throws {
        let json = try RecordCoding.encode(run, "run \(run.id)")
        try await write("updating run \(run.id)") { db in
            guard try Self.exists(db, "runs", id: run.id.rawValue) else { throw StoreError.notFound(kind: "run", id: run.id.rawValue) }
            try Self.requirePipeline(db, run.pipelineID)
            try db.execute(
                sql: "UPDATE runs SET pipeline_id = ?, status = ?, started_at = ?, record = ? WHERE id = ?",
                arguments: [run.pipelineID.rawValue, run.status.rawValue, run.startedAt.timeIntervalSinceReferenceDate, json,
                            run.id.rawValue])
        }
    }

    /// The run with this identifier, if any.
    ///
    /// ```swift
    /// let run = try await store.run(id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func run(_ id: RunID) async throws -> RunRecord? {
        try await read("reading run \(id)") { db in
            try RecordCoding.decodeOne(RunRecord.self, db, sql: "SELECT record FROM runs WHERE id = ?", arguments: [id.rawValue],
                                       "run \(id)")
        }
    }

    /// The pipeline's runs, newest first (ties by identifier, descending).
    ///
    /// ```swift
    /// let latest = try await store.runs(of: id).first
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func runs(of pipeline: PipelineID) async throws -> [RunRecord] {
        try await read("listing the runs of pipeline \(pipeline)") { db in
            try RecordCoding.decodeAll(
                RunRecord.self, db, sql: "SELECT record FROM runs WHERE pipeline_id = ? ORDER BY started_at DESC, id DESC",
                arguments: [pipeline.rawValue], "a run of pipeline \(pipeline)")
        }
    }
}

// MARK: - TriggerStore

extension SQLiteStore {
    /// Adds a trigger.
    ///
    /// ```swift
    /// try await store.insertTrigger(TriggerRecord(pipelineID: id, schedule: .everyDays(1, startingAt: .now), createdAt: .now))
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)`` for an unknown pipeline,
    ///   ``Pipelines/StoreError/duplicateID(kind:id:)`` when the identifier is taken,
    ///   ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func insertTrigger(_ trigger: TriggerRecord) async throws {
        let json = try RecordCoding.encode(trigger, "trigger \(trigger.id)")
        try await write("inserting trigger \(trigger.id)") { db in
            try Self.requirePipeline(db, trigger.pipelineID)
            guard try !Self.exists(db, "triggers", id: trigger.id.rawValue) else {
                throw StoreError.duplicateID(kind: "trigger", id: trigger.id.rawValue)
            }
            try db.execute(
                sql: "INSERT INTO triggers (id, pipeline_id, created_at, record) VALUES (?, ?, ?, ?)",
                arguments: [trigger.id.rawValue, trigger.pipelineID.rawValue, trigger.createdAt.timeIntervalSinceReferenceDate, json])
        }
    }

    /// Removes a trigger.
    ///
    /// ```swift
    /// try await store.deleteTrigger(id)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/notFound(kind:id:)``, ``Pipelines/StoreError/backend(_:)``.
    public func deleteTrigger(_ id: TriggerID) async throws {
        try await write("deleting trigger \(id)") { db in
            try db.execute(sql: "DELETE FROM triggers WHERE id = ?", arguments: [id.rawValue])
            guard db.changesCount == 1 else { throw StoreError.notFound(kind: "trigger", id: id.rawValue) }
        }
    }

    /// The triggers of one pipeline (or of all when nil), oldest first (ties by
    /// identifier).
    ///
    /// ```swift
    /// let schedules = try await store.triggers(of: nil).map(\.schedule)
    /// ```
    ///
    /// - Throws: ``Pipelines/StoreError/backend(_:)`` when the file fails.
    public func triggers(of pipeline: PipelineID?) async throws -> [TriggerRecord] {
        try await read("listing triggers") { db in
            if let pipeline {
                return try RecordCoding.decodeAll(
                    TriggerRecord.self, db, sql: "SELECT record FROM triggers WHERE pipeline_id = ? ORDER BY created_at, id",
                    arguments: [pipeline.rawValue], "a trigger of pipeline \(pipeline)")
            }
            return try RecordCoding.decodeAll(TriggerRecord.self, db, sql: "SELECT record FROM triggers ORDER BY created_at, id",
                                              "a trigger")
        }
    }
}
