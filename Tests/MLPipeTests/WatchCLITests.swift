import Foundation
import LinearAlgebra
import Testing

extension MLPipeTests {
    /// The breast cancer example with one small forest (fast to train) and a folder consumer
    /// `inbox` → `outbox`, trained and deployed.
    static func folderExample(in directory: URL) async throws {
        let url = directory.appendingPathComponent("spec.json")
        var spec = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        spec["tuning"] = ["max_depth": [5], "n_estimators": [20], "random_state": 0]
        spec["deployment"] = ["consumers": ["inProcess", ["folder": ["input": "inbox", "output": "outbox", "settleSeconds": 0]]]]
        try JSONSerialization.data(withJSONObject: spec, options: [.prettyPrinted, .sortedKeys]).write(to: url)
        let run = try await mlpipe(["run", "--spec", "spec.json", "--json"], in: directory)
        try #require(run.status == 0, "\(run.stderr)")
    }

    /// 30 input files made from the example's rows (4,000 rows each, ids unique per file):
    /// file 7 has a row that cannot be predicted, file 13 lacks a feature column.
    static func folderInputs(from directory: URL) throws -> [(name: String, text: String)] {
        let rows = try String(contentsOf: directory.appendingPathComponent("data/breast_cancer.csv"), encoding: .utf8)
            .split(whereSeparator: \.isNewline).map(String.init)
        let header = rows[0], body = Array(rows.dropFirst())
        let radius = try #require(header.split(separator: ",").firstIndex(of: "mean_radius"))
        var files: [(String, String)] = []
        for file in 0..<30 {
            var lines = [file == 13 ? header.replacingOccurrences(of: "mean_radius", with: "radius") : header]
            for row in 0..<4_000 {
                var fields = body[(row + file * 37) % body.count].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                fields[0] = String(file * 10_000 + row)
                if file == 7 && row == 100 { fields[radius] = "abc" }
                lines.append(fields.joined(separator: ","))
            }
            files.append((String(format: "batch-%02d.csv", file), lines.joined(separator: "\n") + "\n"))
        }
        return files
    }

    /// Every file under `folder` (relative path → bytes), with `prefix` replaced by `FOLDER`
    /// inside error files (they name the input's path).
    static func tree(_ folder: URL, replacing prefix: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(folder.standardizedFileURL.path.count + 1))
            var data = try Data(contentsOf: url)
            if relative.hasSuffix(".error.txt") {
                data = Data(String(decoding: data, as: UTF8.self).replacingOccurrences(of: prefix, with: "FOLDER").utf8)
            }
            files[relative] = data
        }
        return files
    }

    @Test("mlpipe watch killed with SIGKILL 20 times at random moments over 30 files: every file predicted once, outputs identical to one clean run")
    func watchSurvivesKills() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlpipe-watch-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Examples/BreastCancer"), to: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await Self.folderExample(in: directory)
        let inputs = try Self.folderInputs(from: directory)
        for run in ["clean", "killed"] {
            let inbox = directory.appendingPathComponent("\(run)/inbox")
            try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
            for (name, text) in inputs { try text.write(to: inbox.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        }
        func watch(_ run: String, _ extra: [String]) -> [String] {
            ["watch", "--pipeline", "breast-cancer", "--input", "\(run)/inbox", "--output", "\(run)/outbox", "--settle", "0", "--poll", "0.05",
             "--lease", "1"] + extra
        }

        // One clean run.
        let clean = try await mlpipe(watch("clean", ["--once"]), in: directory)
        #expect(clean.status == 0, "\(clean.stderr)")

        // The same files, with the watcher killed at random moments, then started once more.
        var random = RandomSource(seed: 15)
        var killedWithWorkLeft = 0
        for round in 0..<20 {
            let child = Process()
            child.executableURL = try mlpipeExecutable()
            child.arguments = watch("killed", [])
            child.currentDirectoryURL = directory
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            try await Task.sleep(for: .milliseconds(200 + random.nextInt(below: 1_300)))
            let left = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("killed/inbox").path)
                .filter { $0.hasSuffix(".csv") }.count
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            #expect(child.terminationReason == .uncaughtSignal, "round \(round): the watcher ended before it was killed")
            if left > 0 { killedWithWorkLeft += 1 }
        }
        let last = try await mlpipe(watch("killed", ["--once"]), in: directory)
        #expect(last.status == 0, "\(last.stderr)")
        #expect(killedWithWorkLeft >= 5, "the kills should land while files are left: \(killedWithWorkLeft) of 20 did")

        // Identical outputs, rejects, processed and failed folders; no temporary file anywhere.
        let expected = try Self.tree(directory.appendingPathComponent("clean"), replacing: directory.appendingPathComponent("clean").path)
        let actual = try Self.tree(directory.appendingPathComponent("killed"), replacing: directory.appendingPathComponent("killed").path)
        #expect(actual.keys.sorted() == expected.keys.sorted())
        for (name, data) in expected where actual[name] != data { Issue.record("\(name) differs from the clean run's") }
        #expect(expected.keys.filter { $0.hasPrefix("outbox/") && !$0.hasPrefix("outbox/rejects/") }.count == 29, "29 outputs, one failed")
        #expect(expected.keys.contains("inbox/failed/batch-13.csv.error.txt"))
        let rejects = String(decoding: expected["outbox/rejects/batch-07.csv"] ?? Data(), as: UTF8.self)
        #expect(rejects.split(separator: "\n").count == 2 && rejects.contains("abc"), "\(rejects)")

        // The ledger: each file taken once and finished.
        let ledger = try await mlpipe(watch("killed", ["--ledger", "--json"]), in: directory)
        let entries = try #require(try ledger.json() as? [[String: Any]], "\(ledger.stderr)")
        #expect(entries.count == 30)
        #expect(Set(entries.compactMap { $0["file"] as? String }) == Set(inputs.map(\.name)))
        #expect(entries.allSatisfy { $0["state"] as? String == "archived" }, "\(entries.filter { $0["state"] as? String != "archived" })")
    }
}

extension MLPipeTests {
    @Test("mlpipe serve --watch-folders: the declared folder consumer predicts a dropped file while the server answers; SIGTERM stops both")
    func serveWatchesFolders() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlpipe-serve-watch-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Examples/BreastCancer"), to: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await Self.folderExample(in: directory)
        let serving = try await ServeProcess.start(["--watch-folders"], in: directory)
        let server = serving.process, url = serving.url, output = serving.output, log = serving.log
        defer { if server.isRunning { server.terminate() } }

        // Written under a hidden name, then renamed: the watcher (settle time 0 here) never sees it half-written.
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("inbox"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: directory.appendingPathComponent("data/new_patients.csv"),
                                         to: directory.appendingPathComponent("inbox/.new.csv"))
        try FileManager.default.moveItem(at: directory.appendingPathComponent("inbox/.new.csv"), to: directory.appendingPathComponent("inbox/new.csv"))
        let predicted = directory.appendingPathComponent("outbox/new.csv")
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: directory.appendingPathComponent("inbox/processed/new.csv").path) {
            try await Task.sleep(for: .milliseconds(100))
        }
        let lines = try String(contentsOf: predicted, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "id,prediction,probability_benign,probability_malignant")
        #expect(lines.count == 31, "the 30 new patients")
        #expect(try await http("GET", url + "/health").status == 200, "the server still answers")

        server.terminate()
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        let printed = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        let event = try #require(printed.dropFirst().first.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect(event["event"] as? String == "predicted" && event["file"] as? String == "new.csv" && event["rows"] as? Int == 30, "\(event)")
        let logged = String(decoding: try Data(contentsOf: log), as: UTF8.self)
        #expect(logged.contains("watching 1 folder(s)") && logged.contains("mlpipe serve: stopped"), "\(logged.suffix(800))")
    }
}
