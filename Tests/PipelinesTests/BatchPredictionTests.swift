import Foundation
import Pipelines
import Synchronization
import Tabular
import Testing

@Suite("Batch predictions: table to table, streamed in chunks, bad rows rejected, one model per batch")
struct BatchPredictionTests {
    /// A workspace with the line y = 2·x + 1 trained and deployed (pipeline `line`, key `id`).
    static func deployedLine() async throws -> (Workspace, Pipeline, ModelID) {
        let workspace = try Fixtures.workspace()
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        let run = try await pipeline.run(jobs: [.datasetGeneration, .training]).result()
        try #require(run.status == .succeeded, "\(run.outcomes)")
        let model = try #require(try await pipeline.models().first).id
        try await pipeline.deployment.deploy(model, ifCurrent: nil)
        return (workspace, pipeline, model)
    }

    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }

    static let input = """
        patient,value,ward
        1,3,north
        2,abc,south
        3,,east
        4,10
        "5",0.5,"we""st, wing"

        6,NA,north
        7,7,NA
        """

    @Test("mapping value→x, keys and pass-through copied, bad rows to the rejects file with line and reason; small chunks")
    func rejectsAndMapping() async throws {
        let (_, pipeline, model) = try await Self.deployedLine()
        let folder = try Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.csv"), output = folder.appendingPathComponent("out.csv")
        let rejects = folder.appendingPathComponent("rejects.csv")
        try Self.input.write(to: input, atomically: true, encoding: .utf8)
        let seen = Mutex<[Int]>([])
        let summary = try await pipeline.deployment.predictCSV(
            input: input, output: output, rejects: rejects,
            options: BatchOptions(keys: ["patient"], columnMapping: ["value": "x"], passThrough: ["ward"], chunkRows: 2),
            progress: { progress in seen.withLock { $0.append(progress.rowsDone) } })
        #expect(summary.rowsRead == 7 && summary.rowsPredicted == 3 && summary.rowsRejected == 4, "\(summary)")
        #expect(summary.model == model && summary.modelVersion == 1)
        #expect(seen.withLock { $0 } == [2, 4, 6, 7], "progress after each chunk of 2")
        let written = try Self.lines(output)
        #expect(written.first == "patient,ward,prediction")
        let table = try CSV.read(contentsOf: output)
        #expect(table["patient"]?.values == .integer([1, 5, 7]))
        #expect(table["ward"].map { column in (0..<column.count).map { column.isMissing($0) ? nil : column[$0].description } }
                == ["north", #"we"st, wing"#, nil], "text passed through as read; NA stays missing")
        guard case .numeric(let values)? = table["prediction"]?.values else { Issue.record("\(written)"); return }
        #expect(zip(values, [7.0, 2.0, 15.0]).allSatisfy { abs($0 - $1) < 1e-9 }, "\(values)")
        let rejected = try CSV.read(contentsOf: rejects)
        #expect(rejected["line"]?.values == .integer([3, 4, 5, 8]))
        let keys = try #require(rejected["patient"])
        #expect([0, 1, 3].map { keys[$0] } == [.integer(2), .integer(3), .integer(6)])
        #expect(keys.isMissing(2), "a record with the wrong number of fields has no key values; its line identifies it")
        let reasons = try #require(rejected["reason"]).values
        guard case .categorical(let texts) = reasons else { Issue.record("reasons: \(reasons)"); return }
        #expect(texts[0].contains("feature 'x'") && texts[0].contains("abc"), "\(texts[0])")
        #expect(texts[1].contains("feature 'x': missing, and the model does not impute it"), "\(texts[1])")
        #expect(texts[2].contains("2") && texts[2].contains("3"), "a short record says how many fields: \(texts[2])")
        #expect(texts[3].contains("feature 'x': missing"), "NA is a missing value, not a number: \(texts[3])")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["in.csv", "out.csv", "rejects.csv"],
                "no temporary file left behind")

        // Again: the outputs are replaced whole; the input is never the output.
        let again = try await pipeline.deployment.predictCSV(
            input: input, output: output, rejects: rejects,
            options: BatchOptions(keys: ["patient"], columnMapping: ["value": "x"], passThrough: ["ward"], chunkRows: 5))
        #expect(again.rowsPredicted == 3)
        #expect(try Self.lines(output) == written)
        await expectPipelineError({
            _ = try await pipeline.deployment.predictCSV(input: input, output: folder.appendingPathComponent("./in.csv"),
                                                         options: BatchOptions(columnMapping: ["value": "x"]))
        }) { error in
            if case .invalidBatch(let reason) = error { return reason.contains("three different files") }
            return false
        }
        #expect(try String(contentsOf: input, encoding: .utf8) == Self.input)
    }

    @Test("a chunk larger than a slice: bad rows far into it are named by their own lines; every good row predicted in order")
    func largeChunk() async throws {
        let (_, pipeline, _) = try await Self.deployedLine()
        let folder = try Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.csv"), output = folder.appendingPathComponent("out.csv")
        let rejects = folder.appendingPathComponent("rejects.csv")
        let badRows: Set<Int> = [0, 8_191, 8_192, 16_500, 19_999]
        var text = "id,x\n"
        for row in 0..<20_000 { text += badRows.contains(row) ? "\(row),oops\n" : "\(row),\(row % 100)\n" }
        try text.write(to: input, atomically: true, encoding: .utf8)
        let summary = try await pipeline.deployment.predictCSV(input: input, output: output, rejects: rejects, options: BatchOptions(keys: ["id"]))
        #expect(summary.rowsRead == 20_000 && summary.rowsPredicted == 19_995 && summary.rowsRejected == 5)
        let rejected = try CSV.read(contentsOf: rejects)
        #expect(rejected["line"]?.values == .integer(badRows.sorted().map { $0 + 2 }))
        #expect(rejected["id"]?.values == .integer(badRows.sorted()))
        let predicted = try CSV.read(contentsOf: output)
        guard case .integer(let ids)? = predicted["id"]?.values, case .numeric(let values)? = predicted["prediction"]?.values else {
            Issue.record("\(predicted.schema)"); return
        }
        #expect(ids == (0..<20_000).filter { !badRows.contains($0) })
        #expect(zip(ids, values).allSatisfy { id, value in abs(value - Double(2 * (id % 100) + 1)) < 1e-9 })
    }

    @Test("table consumers declared in the deployment step run in order, paths from the base directory, keys from the dataset step")
    func declaredConsumers() async throws {
        let folder = try Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clock = ManualWallClock(now: Fixtures.start)
        let workspace = Workspace(store: InMemoryStore(clock: clock), clock: clock, baseDirectory: folder)
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        try "id,value\n1,3\n2,x\n".write(to: folder.appendingPathComponent("a.csv"), atomically: true, encoding: .utf8)
        try "id,x\n9,1\n".write(to: folder.appendingPathComponent("b.csv"), atomically: true, encoding: .utf8)
        try await pipeline.configure { config in
            config.deployment.consumers = [
                .inProcess,
                .table(TableConsumer(input: "a.csv", output: "out/a.csv", options: BatchOptions(columnMapping: ["value": "x"]))),
                .table(TableConsumer(input: "b.csv", output: "out/b.csv")),
            ]
        }
        let run = try await pipeline.run(jobs: [.datasetGeneration, .training]).result()
        try #require(run.status == .succeeded, "\(run.outcomes)")
        try await pipeline.deployment.deploy(try #require(try await pipeline.models().first).id, ifCurrent: nil)

        let summaries = try await pipeline.runTableConsumers()
        #expect(summaries.map(\.rowsPredicted) == [1, 1] && summaries.map(\.rowsRejected) == [1, 0])
        #expect(try Self.lines(folder.appendingPathComponent("out/a.csv")).first == "id,prediction", "keys from the dataset step")
        #expect(try Self.lines(folder.appendingPathComponent("out/a.rejects.csv")).count == 2)
        #expect(try Self.lines(folder.appendingPathComponent("out/b.csv")).count == 2)

        // The deployment job (by hand or from a trigger) runs them too, with the model deployed then.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("out"))
        let deploymentRun = try await pipeline.run(jobs: [.deployment]).result()
        #expect(deploymentRun.status == .succeeded, "\(deploymentRun.outcomes)")
        let summary = deploymentRun.outcomes.first?.summary ?? ""
        #expect(summary.contains("a.csv → out/a.csv: 1 predicted, 1 rejected") && summary.contains("b.csv → out/b.csv: 1 predicted, 0 rejected"),
                "\(summary)")
        #expect(try Self.lines(folder.appendingPathComponent("out/b.csv")).count == 2)

        await expectPipelineError({
            try await pipeline.configure { config in
                config.deployment.consumers = [
                    .table(TableConsumer(input: "a.csv", output: "a.csv", options: BatchOptions(chunkRows: 0))),
                    .table(TableConsumer(input: " ", output: "c.csv", options: BatchOptions(columnMapping: ["p": "x", "q": "x"]))),
                ]
            }
        }) { error in
            guard case let .invalidConfiguration(_, problems) = error else { return false }
            return problems.map(\.path) == [
                "deployment.consumers[0].table.output", "deployment.consumers[0].table.chunkRows",
                "deployment.consumers[1].table.input", "deployment.consumers[1].table.columnMapping",
            ]
        }
    }

    @Test("fail on the first bad row: the error names file and line; an earlier output stays as it was, no temporary file left")
    func failFast() async throws {
        let (_, pipeline, _) = try await Self.deployedLine()
        let folder = try Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.csv"), output = folder.appendingPathComponent("out.csv")
        try Self.input.write(to: input, atomically: true, encoding: .utf8)
        try "earlier\n".write(to: output, atomically: true, encoding: .utf8)
        await expectPipelineError({
            _ = try await pipeline.deployment.predictCSV(
                input: input, output: output, options: BatchOptions(columnMapping: ["value": "x"], chunkRows: 100, badRows: .fail))
        }) { error in
            guard case let .badBatchRow(location, reason) = error else { return false }
            return location == "\(input.path):3" && reason.contains("abc")
        }
        #expect(try String(contentsOf: output, encoding: .utf8) == "earlier\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["in.csv", "out.csv"])
    }

    @Test("a column the model needs, a key or a mapping that is not there: refused before anything is written", arguments: [
        BatchOptions(), BatchOptions(keys: ["id"], columnMapping: ["value": "x"]), BatchOptions(columnMapping: ["value": "z"]),
        BatchOptions(columnMapping: ["value": "x", "patient": "x"]), BatchOptions(columnMapping: ["value": "x"], passThrough: ["prediction"]),
    ])
    func invalidBatches(_ options: BatchOptions) async throws {
        let (_, pipeline, _) = try await Self.deployedLine()
        let folder = try Self.directory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.csv"), output = folder.appendingPathComponent("out.csv")
        try "patient,value,prediction\n1,2,3\n".write(to: input, atomically: true, encoding: .utf8)
        await expectPipelineError({ _ = try await pipeline.deployment.predictCSV(input: input, output: output, options: options) }) { error in
            if case .invalidBatch = error { return true }
            return false
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["in.csv"])
    }

    /// A source that hands out chunks of a table and waits before the second chunk until released.
    final class HeldSource: BatchTableSource, @unchecked Sendable {
        let table: Table
        let name = "held"
        private let state = Mutex((next: 0, held: true, firstServed: false))
        private let condition = NSCondition()

        init(_ table: Table) { self.table = table }
        var columnNames: [String] { table.columnNames }
        var fractionRead: Double? { nil }
        var firstServed: Bool { state.withLock { $0.firstServed } }

        func release() {
            condition.lock()
            state.withLock { $0.held = false }
            condition.broadcast()
            condition.unlock()
        }

        func nextChunk(maxRows: Int) throws(PipelineError) -> BatchChunk? {
            let start = state.withLock { state in
                defer { state.next += maxRows; state.firstServed = true }
                return state.next
            }
            if start > 0 {
                condition.lock()
                while state.withLock({ $0.held }) { condition.wait() }
                condition.unlock()
            }
            guard start < table.rowCount else { return nil }
            let rows = Array(start..<min(table.rowCount, start + maxRows))
            let table = self.table
            return BatchChunk(
                rowCount: rows.count, locations: rows.map { $0 + 2 },
                column: { index, _, name, slice in
                    var column = table.columns[index].selecting(slice.map { rows[$0] })
                    column.name = name
                    return (column, [:])
                })
        }
    }

    /// Collects a batch's output rows.
    final class TableSink: BatchTableSink, @unchecked Sendable {
        let tables = Mutex<[Table]>([])
        let committed = Mutex(false)
        let abandoned = Mutex(false)
        func begin(columns: [String]) throws(PipelineError) {}
        func write(_ rows: Table) throws(PipelineError) { tables.withLock { $0.append(rows) } }
        func commit() throws(PipelineError) { committed.withLock { $0 = true } }
        func abandon() { abandoned.withLock { $0 = true } }
    }

    @Test("cancelling the task stops the batch before its next slice: cancelled, the output abandoned, never committed")
    func cancellation() async throws {
        let (_, pipeline, _) = try await Self.deployedLine()
        let input = try Table([Column(name: "id", integer: Array(0..<6)), Column(name: "x", numeric: (0..<6).map(Double.init))])
        let source = HeldSource(input)
        let sink = TableSink()
        let batch = Task { try await pipeline.deployment.predictBatch(from: source, to: sink, options: BatchOptions(keys: ["id"], chunkRows: 3)) }
        while !source.firstServed { try await Task.sleep(for: .milliseconds(2)) }
        batch.cancel()
        source.release()
        await expectPipelineError({ _ = try await batch.value }) { error in
            if case .cancelled(job: .deployment) = error { return true }
            return false
        }
        #expect(sink.abandoned.withLock { $0 } && !sink.committed.withLock { $0 })
    }

    @Test("a deploy during a batch does not change its model: every row is the first model's, and the summary says which")
    func oneModelPerBatch() async throws {
        let (workspace, pipeline, first) = try await Self.deployedLine()
        // A second model of the same pipeline, on y = 2·x + 1 ± 10: predictions differ.
        try await pipeline.configure { config in
            config.dataset.training = .table(try Fixtures.zigzagRegressionTable())
        }
        let again = try await pipeline.run(jobs: [.datasetGeneration, .training]).result()
        try #require(again.status == .succeeded, "\(again.outcomes)")
        let second = try #require(try await pipeline.models().first { $0.id != first }).id
        _ = workspace

        let input = try Table([Column(name: "id", integer: Array(0..<6)), Column(name: "x", numeric: (0..<6).map(Double.init))])
        let source = HeldSource(input)
        let sink = TableSink()
        let batch = Task { try await pipeline.deployment.predictBatch(from: source, to: sink, options: BatchOptions(keys: ["id"], chunkRows: 3)) }
        while !source.firstServed { try await Task.sleep(for: .milliseconds(2)) }
        try await pipeline.deployment.deploy(second, ifCurrent: first)
        source.release()
        let summary = try await batch.value
        #expect(summary.model == first && summary.rowsPredicted == 6)
        let predictions = sink.tables.withLock { $0 }.flatMap { table -> [Double] in
            guard case .numeric(let values)? = table["prediction"]?.values else { return [] }
            return values
        }
        #expect(predictions.count == 6)
        for (x, value) in predictions.enumerated() { #expect(abs(value - Double(2 * x + 1)) < 1e-9, "row \(x): \(value)") }
        #expect(sink.committed.withLock { $0 })
        let next = try await pipeline.deployment.predictBatch(from: HeldSource(input).released(), to: TableSink(), options: BatchOptions(keys: ["id"]))
        #expect(next.model == second, "the next batch takes the model deployed now")
    }
}

extension BatchPredictionTests.HeldSource {
    func released() -> Self {
        release()
        return self
    }
}
