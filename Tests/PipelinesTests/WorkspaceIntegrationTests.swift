import Foundation
import Pipelines
import Tabular
import Testing

/// A temporary directory made into a Git work tree, removed afterwards.
private func withGitTree(_ body: (URL) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlpipe-git-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git", "init", "-q", directory.path]
    try process.run()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0)
    try await body(directory)
}

@Suite("Workspace with Git and triggers")
struct WorkspaceIntegrationTests {
    @Test("every saved configuration is committed to the connected Git tree as a readable file")
    func gitCommits() async throws {
        try await withGitTree { tree in
            let workspace = try Fixtures.workspace()
            let git = GitConnection(workingTree: tree)
            let repository = try await workspace.createRepository(named: "Versioned", git: git)
            let pipeline = try await repository.createPipeline(named: "Line Fit")
            let save = try await pipeline.configure { config in
                config.dataset = DatasetStep(training: .csv(path: Fixtures.tutorialCSV), label: "diagnosis", keys: ["id"])
                config.training = TrainingStep(estimator: "GaussianNB")
            }
            #expect(save.gitError == nil)
            #expect(save.gitCommit != nil)
            let fileName = "line-fit-\(pipeline.id.rawValue.prefix(8)).json"
            let file = tree.appendingPathComponent("pipelines").appendingPathComponent(fileName)
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text.contains("\"estimator\" : \"GaussianNB\""))
            #expect(text.contains("\"version\" : 1"), "a new pipeline's first configuration is version 1")
            let log = try git.log(fileName: fileName)
            #expect(log.first?.subject == "Pipeline Line Fit: configuration version 1")

            // A Git failure is reported, and the configuration is saved anyway.
            let lock = tree.appendingPathComponent(".git/index.lock")
            try Data().write(to: lock)
            let failed = try await pipeline.configure { $0.preferences.description = "locked" }
            #expect(failed.gitError != nil)
            #expect(failed.record.version == 2)
            #expect(try await pipeline.configuration().configuration.preferences.description == "locked")
            try FileManager.default.removeItem(at: lock)

            // Renaming moves the file; deleting removes it.
            try await pipeline.rename(to: "Renamed")
            let renamed = tree.appendingPathComponent("pipelines/renamed-\(pipeline.id.rawValue.prefix(8)).json")
            #expect(FileManager.default.fileExists(atPath: renamed.path))
            #expect(!FileManager.default.fileExists(atPath: file.path))
            try await pipeline.delete()
            #expect(!FileManager.default.fileExists(atPath: renamed.path))
        }
    }

    @Test("a repository cannot connect to a directory that is not a Git work tree")
    func gitCheck() async throws {
        let workspace = try Fixtures.workspace()
        let plain = FileManager.default.temporaryDirectory.appendingPathComponent("mlpipe-plain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: plain, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: plain) }
        await #expect(throws: PipelineError.git(repository: "Broken", .notAWorkTree(path: plain.path))) {
            try await workspace.createRepository(named: "Broken", git: GitConnection(workingTree: plain))
        }
        #expect(try await workspace.repositories().isEmpty)
    }

    @Test("a daily trigger runs the pipeline under a manual clock; a firing during a run is recorded as skipped")
    func triggersFire() async throws {
        let clock = ManualWallClock(now: Fixtures.start)
        let workspace = try WorkspaceTests.customWorkspace(clock: clock)
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        let trigger = try await pipeline.addTrigger(
            schedule: try TriggerSchedule(parsing: "@daily", now: clock.now), jobs: [.datasetGeneration, .training])
        #expect(try await pipeline.triggers() == [trigger])

        let loop = Task { try await workspace.runScheduler(refresh: 3_600) }
        defer { loop.cancel() }
        await clock.waitForSleepers(count: 2)  // the scheduler and its refresh loop
        clock.advance(to: Fixtures.start.addingTimeInterval(86_400))
        let runs = try await waitForRuns(pipeline, count: 1)
        let run = try #require(runs.first)
        #expect(run.origin == .trigger(trigger.id, scheduledAt: Fixtures.start.addingTimeInterval(86_400)))
        #expect(run.status == .succeeded)

        // A firing while the pipeline runs is skipped and recorded; the same firing again
        // is claimed already, so nothing more is run or recorded.
        try await pipeline.configure { $0.training.estimator = "SlowRegressor" }
        let manual = try await pipeline.run(jobs: [.training])
        let target = TriggerTarget(triggerID: trigger.id, pipelineID: pipeline.id, jobs: [.training])
        let next = clock.now.addingTimeInterval(60)
        let skipped = await workspace.fireTrigger(target, scheduledAt: next)
        guard case .ran(let skippedRun) = skipped.outcome else {
            Issue.record("the firing during a run was not recorded: \(skipped.outcome)")
            return
        }
        #expect(skippedRun.status == .skipped)
        let again = await workspace.fireTrigger(target, scheduledAt: next)
        guard case .claimedElsewhere(let claim) = again.outcome else {
            Issue.record("the same firing was handled twice: \(again.outcome)")
            return
        }
        #expect(claim.scheduledAt == next)
        manual.cancel()
        _ = await manual.result()
        let all = try await pipeline.runs()
        #expect(all.filter { $0.status == .skipped && $0.error == "the pipeline was already running" }.count == 1)

        try await pipeline.removeTrigger(trigger.id)
        #expect(try await pipeline.triggers().isEmpty)
        await #expect(throws: PipelineError.notFound(.trigger(trigger.id))) { try await pipeline.removeTrigger(trigger.id) }
    }

    /// Polls the store until the pipeline has `count` finished runs (at most ~10 s).
    private func waitForRuns(_ pipeline: Pipeline, count: Int) async throws -> [RunRecord] {
        for _ in 0..<1_000 {
            let runs = try await pipeline.runs()
            if runs.count >= count && runs.allSatisfy({ $0.finishedAt != nil }) && !pipeline.isRunning { return runs }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await pipeline.runs()
    }
}
