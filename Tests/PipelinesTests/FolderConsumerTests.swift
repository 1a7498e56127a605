import Foundation
import Pipelines
import Synchronization
import Tabular
import Testing

@Suite("Folder consumer: files dropped into a folder predicted once, moved to processed or failed")
struct FolderConsumerTests {
    /// A watched folder layout in a fresh temporary directory, with the y = 2·x + 1 line deployed.
    struct Setup {
        let workspace: Workspace
        let store: InMemoryStore
        let pipeline: Pipeline
        let model: ModelID
        let root: URL
        var inbox: URL { root.appendingPathComponent("inbox") }
        var outbox: URL { root.appendingPathComponent("outbox") }

        func consumer(settle: Double = 0, options: BatchOptions = BatchOptions(keys: ["id"], columnMapping: ["value": "x"])) -> FolderConsumer {
            FolderConsumer(input: inbox.path, output: outbox.path, settleSeconds: settle, pollSeconds: 0.05, options: options)
        }

        func watcher(_ consumer: FolderConsumer? = nil, lease: RunLeasePolicy? = nil) throws -> FolderWatcher {
            try FolderWatcher(deployment: pipeline.deployment, consumer: consumer ?? self.consumer(), lease: lease)
        }

        /// Writes a CSV into the inbox, modified `age` seconds ago.
        func drop(_ name: String, _ text: String, age: TimeInterval = 10) throws {
            try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
            let url = inbox.appendingPathComponent(name)
            try text.write(to: url, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: url.path)
        }

        func files(_ folder: URL) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        }

        func text(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

        /// Whether an output holds `id,prediction` and these (id, 2·x + 1) rows, to 1e-9.
        func predicted(_ name: String, _ expected: [(Int, Double)]) throws -> Bool {
            let lines = try text(outbox.appendingPathComponent(name)).split(separator: "\n").map(String.init)
            guard lines.first == "id,prediction", lines.count == expected.count + 1 else { return false }
            return zip(lines.dropFirst(), expected).allSatisfy { line, row in
                let fields = line.split(separator: ",")
                return fields.count == 2 && Int(fields[0]) == row.0 && Double(fields[1]).map { abs($0 - row.1) < 1e-9 } == true
            }
        }

        func ledger() async throws -> [FolderFileRecord] {
            await store.folderFiles(in: inbox.resolvingSymlinksInPath().path, unfinishedOnly: false)
        }
    }

    static func setup() async throws -> Setup {
        let (workspace, store) = try Fixtures.workspaceAndStore()
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        let run = try await pipeline.run(jobs: [.datasetGeneration, .training]).result()
        try #require(run.status == .succeeded, "\(run.outcomes)")
        let model = try #require(try await pipeline.models().first).id
        try await pipeline.deployment.deploy(model, ifCurrent: nil)
        return Setup(workspace: workspace, store: store, pipeline: pipeline, model: model, root: try BatchPredictionTests.directory())
    }

    static func names(_ events: [FolderEvent]) -> [String] {
        events.map { event in
            switch event {
            case .predicted(let entry): return "predicted \(entry.name)"
            case .failed(let entry): return "failed \(entry.name)"
            case .duplicate(let name, _, _): return "duplicate \(name)"
            case .abandoned(let entry): return "abandoned \(entry.name)"
            case .waiting(let error): return "waiting \(error)"
            }
        }
    }

    @Test("each settled CSV is predicted into the outbox under its name (keys, mapping), then moved to processed; the ledger says so")
    func predictsAndMoves() async throws {
        let s = try await Self.setup()
        defer { try? FileManager.default.removeItem(at: s.root) }
        try s.drop("a.csv", "id,value\n1,3\n2,abc\n")
        try s.drop("b.csv", "id,value\n7,0.5\n")
        try s.drop("notes.txt", "not a CSV")
        try s.drop(".hidden.csv", "id,value\n1,1\n")
        let watcher = try s.watcher()
        let events = await watcher.poll()
        await watcher.stop()
        #expect(Self.names(events) == ["predicted a.csv", "predicted b.csv"])
        #expect(try s.predicted("a.csv", [(1, 7)]))
        #expect(try s.predicted("b.csv", [(7, 2)]))
        let rejects = try s.text(s.outbox.appendingPathComponent("rejects/a.csv"))
        #expect(rejects.hasPrefix("line,reason,id\n3,") && rejects.contains("abc"), "\(rejects)")
        #expect(try s.text(s.outbox.appendingPathComponent("rejects/b.csv")) == "line,reason,id\n", "a header alone: no row rejected")
        #expect(s.files(s.inbox) == [".hidden.csv", "notes.txt", "processed"], "only visible CSV files are taken")
        #expect(s.files(s.inbox.appendingPathComponent("processed")) == ["a.csv", "b.csv"])
        let ledger = try await watcher.ledger()
        #expect(try await s.ledger() == ledger)
        #expect(ledger.map(\.name) == ["a.csv", "b.csv"])
        #expect(ledger.allSatisfy { $0.state == .archived && $0.model == s.model && $0.modelVersion == 1 && $0.owner == watcher.owner })
        #expect(ledger.first?.rowsRead == 2 && ledger.first?.rowsPredicted == 1 && ledger.first?.rowsRejected == 1)
        #expect(ledger.first?.archivedAs == s.inbox.appendingPathComponent("processed/a.csv").path)
        #expect(await watcher.poll().isEmpty, "a second pass finds nothing to do")
    }

    @Test("a file modified within the settle time is left alone until it has settled")
    func settleTime() async throws {
        let s = try await Self.setup()
        defer { try? FileManager.default.removeItem(at: s.root) }
        try s.drop("fresh.csv", "id,value\n1,1\n", age: 0)
        let watcher = try s.watcher(s.consumer(settle: 30))
        #expect(await watcher.poll().isEmpty)
        #expect(s.files(s.inbox) == ["fresh.csv"])
        #expect(try await s.ledger().isEmpty, "nothing is taken before it settles")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-31)],
                                              ofItemAtPath: s.inbox.appendingPathComponent("fresh.csv").path)
        #expect(Self.names(await watcher.poll()) == ["predicted fresh.csv"])
        await watcher.stop()
    }

    @Test("a file that cannot be predicted goes to failed/ beside NAME.error.txt saying why; no output is written for it")
    func failedFiles() async throws {
        let s = try await Self.setup()
        defer { try? FileManager.default.removeItem(at: s.root) }
        try s.drop("nocolumn.csv", "id,other\n1,3\n")
        try s.drop("badrow.csv", "id,value\n1,3\n2,abc\n")
        try s.drop("empty.csv", "")
        var consumer = s.consumer()
        consumer.options.badRows = .fail
        let watcher = try s.watcher(consumer)
        let events = await watcher.poll()
        await watcher.stop()
        #expect(Self.names(events) == ["failed badrow.csv", "failed empty.csv", "failed nocolumn.csv"])
        let failed = s.inbox.appendingPathComponent("failed")
        #expect(s.files(failed) == ["badrow.csv", "badrow.csv.error.txt", "empty.csv", "empty.csv.error.txt", "nocolumn.csv",
                                    "nocolumn.csv.error.txt"])
        let reason = try s.text(failed.appendingPathComponent("badrow.csv.error.txt"))
        #expect(reason.hasPrefix("badrow.csv could not be predicted: ") && reason.contains("badrow.csv:3") && reason.contains("abc"), "\(reason)")
        #expect(try s.text(failed.appendingPathComponent("nocolumn.csv.error.txt")).contains("'x'"))
        #expect(s.files(s.outbox).filter { $0.hasSuffix(".csv") }.isEmpty, "no output for a failed file")
        #expect(try await s.ledger().allSatisfy { $0.state == .archived && $0.error != nil && $0.model == nil })
    }

    @Test("the same bytes under the same name again are a duplicate (failed/, ledger unchanged); new bytes under the name are predicted")
    func duplicatesAndNewVersions() async throws {
        let s = try await Self.setup()
        defer { try? FileManager.default.removeItem(at: s.root) }
        let watcher = try s.watcher()
        try s.drop("a.csv", "id,value\n1,3\n")
        #expect(Self.names(await watcher.poll()) == ["predicted a.csv"])
        try s.drop("a.csv", "id,value\n1,3\n")
        let events = await watcher.poll()
        #expect(Self.names(events) == ["duplicate a.csv"])
        let note = try s.text(s.inbox.appendingPathComponent("failed/a.csv.error.txt"))
        #expect(note.contains("not predicted") && note.contains("processed/a.csv"), "\(note)")
        #expect(try await s.ledger().count == 1)

        try s.drop("a.csv", "id,value\n1,4\n")
        #expect(Self.names(await watcher.poll()) == ["predicted a.csv"])
        await watcher.stop()
        #expect(try s.predicted("a.csv", [(1, 9)]), "the newer file's predictions replace the output")
        let processed = s.files(s.inbox.appendingPathComponent("processed"))
        #expect(processed.count == 2 && processed.contains("a.csv"), "the earlier input is kept; the new one has its digest in its name: \(processed)")
        let ledger = try await s.ledger()
        #expect(ledger.count == 2 && Set(ledger.map(\.sha256)).count == 2)
        #expect(processed.contains("a.\(ledger[1].sha256.prefix(12)).csv"))
    }

    @Test("a watcher finishes what a killed one left: taken (predicted again), predicted (only moved), moved (only recorded), failed, removed")
    func recoversEveryState() async throws {
        let s = try await Self.setup()
        defer { try? FileManager.default.removeItem(at: s.root) }
        let folder = s.inbox.resolvingSymlinksInPath().path
        let processed = s.inbox.appendingPathComponent("processed"), failed = s.inbox.appendingPathComponent("failed")
        try FileManager.default.createDirectory(at: processed, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: s.outbox, withIntermediateDirectories: true)
        func entry(_ name: String, _ text: String, _ state: FolderFileState, archivedAs: URL? = nil) async throws -> FolderFileRecord {
            let data = Data(text.utf8)
            let digest = try FolderFilesProbe.sha256(data)
            var record = FolderFileRecord(folder: folder, name: name, size: Int64(data.count), sha256: digest, state: .taken,
                                          owner: "dead pid 1", takenAt: Date(timeIntervalSinceNow: -60))
            _ = await s.store.takeFolderFile(record)
            record.state = state
            record.archivedAs = archivedAs?.path
            record.error = state == .failed ? "line 2: broken" : nil
            try await s.store.updateFolderFile(record)
            return record
        }
        // taken: the killed watcher left a partial output; the file is predicted again.
        try s.drop("taken.csv", "id,value\n1,1\n")
        _ = try await entry("taken.csv", "id,value\n1,1\n", .taken)
        try "half".write(to: s.outbox.appendingPathComponent(".taken.csv.partial-0a1b2c3d"), atomically: false, encoding: .utf8)
        // predicted: its output is there (written by the dead watcher); only the move is left.
        try s.drop("predicted.csv", "id,value\n2,2\n")
        _ = try await entry("predicted.csv", "id,value\n2,2\n", .predicted, archivedAs: processed.appendingPathComponent("predicted.csv"))
        try "id,prediction\n2,written by the dead watcher\n".write(to: s.outbox.appendingPathComponent("predicted.csv"), atomically: false, encoding: .utf8)
        // moved: the input is in processed/ already; only the ledger is behind.
        try "id,value\n3,3\n".write(to: processed.appendingPathComponent("moved.csv"), atomically: false, encoding: .utf8)
        _ = try await entry("moved.csv", "id,value\n3,3\n", .predicted, archivedAs: processed.appendingPathComponent("moved.csv"))
        // failed, moved, error file never written.
        try FileManager.default.createDirectory(at: failed, withIntermediateDirectories: true)
        try "id,value\n4,x\n".write(to: failed.appendingPathComponent("broken.csv"), atomically: false, encoding: .utf8)
        _ = try await entry("broken.csv", "id,value\n4,x\n", .failed, archivedAs: failed.appendingPathComponent("broken.csv"))
        // taken, then removed by someone.
        _ = try await entry("removed.csv", "id,value\n5,5\n", .taken)

        let watcher = try s.watcher()
        let events = await watcher.poll()
        await watcher.stop()
        #expect(Self.names(events) == ["predicted predicted.csv", "predicted taken.csv", "predicted moved.csv", "failed broken.csv",
                                       "abandoned removed.csv"], "\(events)")
        #expect(try s.predicted("taken.csv", [(1, 3)]))
        #expect(try s.text(s.outbox.appendingPathComponent("predicted.csv")) == "id,prediction\n2,written by the dead watcher\n",
                "a predicted file is not predicted again")
        #expect(!s.files(s.outbox).contains { $0.contains(".partial-") }, "the dead watcher's partial output is removed")
        #expect(s.files(processed) == ["moved.csv", "predicted.csv", "taken.csv"])
        #expect(try s.text(failed.appendingPathComponent("broken.csv.error.txt")) == "broken.csv could not be predicted: line 2: broken\n")
        #expect(s.files(s.inbox) == ["failed", "processed"])
        let states = Dictionary(uniqueKeysWithValues: try await s.ledger().map { ($0.name, $0.state) })
        #expect(states == ["taken.csv": .archived, "predicted.csv": .archived, "moved.csv": .archived, "broken.csv": .archived,
                           "removed.csv": .abandoned])
    }

    @Test("with nothing deployed the pass waits and the file stays; once a model is deployed it is predicted")
    func waitsForADeployment() async throws {
        let s = try await Self.setup()
        defer { try? FileManager.default.removeItem(at: s.root) }
        try await s.pipeline.deployment.undeploy()
        try s.drop("a.csv", "id,value\n1,3\n")
        let watcher = try s.watcher()
        let events = await watcher.poll()
        guard case .waiting(.nothingDeployed)? = events.last, events.count == 1 else { Issue.record("\(events)"); return }
        #expect(s.files(s.inbox) == ["a.csv"])
        try await s.pipeline.deployment.deploy(s.model)
        #expect(Self.names(await watcher.poll()) == ["predicted a.csv"])
        await watcher.stop()
    }

    @Test("one watcher per folder: a second waits with folderBusy until the first gives the lease back")
    func oneWatcherPerFolder() async throws {
        let s = try await Self.setup()
        defer { try? FileManager.default.removeItem(at: s.root) }
        let first = try s.watcher(), second = try s.watcher()
        #expect(await first.poll().isEmpty)
        try s.drop("a.csv", "id,value\n1,3\n")
        let refused = await second.poll()
        guard case .waiting(.folderBusy(_, let holder))? = refused.first, refused.count == 1 else { Issue.record("\(refused)"); return }
        #expect(holder.contains(first.owner))
        #expect(s.files(s.inbox) == ["a.csv"])
        await first.stop()
        #expect(Self.names(await second.poll()) == ["predicted a.csv"])
        await second.stop()
    }

    @Test("run() predicts files dropped while it runs, reports each once, and gives the lease back when cancelled")
    func runUntilCancelled() async throws {
        let s = try await Self.setup()
        defer { try? FileManager.default.removeItem(at: s.root) }
        let watcher = try s.watcher()
        let seen = Mutex<[String]>([])
        let task = Task { await watcher.run { event in seen.withLock { $0.append(Self.names([event])[0]) } } }
        try s.drop("a.csv", "id,value\n1,3\n")
        for _ in 0..<200 where seen.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(25)) }
        try s.drop("b.csv", "id,value\n2,3\n")
        for _ in 0..<200 where seen.withLock({ $0.count < 2 }) { try await Task.sleep(for: .milliseconds(25)) }
        task.cancel()
        await task.value
        #expect(seen.withLock { $0 } == ["predicted a.csv", "predicted b.csv"])
        let lease = await s.store.lease("folder-watch:\(s.inbox.resolvingSymlinksInPath().path)")
        #expect(lease == nil, "the lease is given back")
    }

    @Test("folder consumers are validated at their key path and round-trip through the configuration")
    func configuration() async throws {
        let s = try await Self.setup()
        defer { try? FileManager.default.removeItem(at: s.root) }
        let bad = FolderConsumer(input: "in", output: "in/", settleSeconds: -1, pollSeconds: 0, options: BatchOptions(chunkRows: 0))
        let error = await #expect(throws: PipelineError.self) {
            try await s.pipeline.configure { $0.deployment.consumers = [.inProcess, .folder(bad)] }
        }
        guard case .invalidConfiguration(_, let problems)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(problems.map(\.path) == ["deployment.consumers[1].folder.settleSeconds", "deployment.consumers[1].folder.pollSeconds",
                                         "deployment.consumers[1].folder.chunkRows"], "\(problems)")
        let same = FolderConsumer(input: "in", output: "./in")
        let sameError = await #expect(throws: PipelineError.self) {
            try await s.pipeline.configure { $0.deployment.consumers = [.folder(same)] }
        }
        guard case .invalidConfiguration(_, let sameProblems)? = sameError else { Issue.record("\(String(describing: sameError))"); return }
        #expect(sameProblems.map(\.path) == ["deployment.consumers[0].folder.output"])

        let good = s.consumer()
        try await s.pipeline.configure { $0.deployment.consumers = [.folder(good)] }
        #expect(try await s.pipeline.configuration().configuration.deployment.consumers == [.folder(good)])
        let watchers = try await s.pipeline.folderWatchers()
        let refused = #expect(throws: PipelineError.self) {
            try FolderWatcher(deployment: s.pipeline.deployment, consumer: FolderConsumer(input: "x", output: "x/./"))
        }
        #expect(refused?.description == "cannot predict the batch: folder consumer output: must not be the input folder",
                "a watcher never writes into the folder it watches")
        #expect(watchers.map(\.folders.input) == [s.inbox.standardizedFileURL])
        #expect(watchers.first?.options.keys == ["id"])
    }
}

/// SHA-256 of bytes in hex, as the ledger records it (computed here independently).
enum FolderFilesProbe {
    static func sha256(_ data: Data) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString)")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64).description
    }
}
