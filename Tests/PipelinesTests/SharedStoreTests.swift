import Estimators
import Foundation
@testable import Pipelines
import PipelinesSQLite
import Synchronization
import Tabular
import Testing

/// Several workspaces on one store, as several processes sharing a SQLite file would be:
/// run leases, firing claims, and the compare-and-swaps of datasets and configurations.
@Suite("Several workspaces on one store")
struct SharedStoreTests {
    /// A workspace on the SQLite file at `path` (its own connection, as another process
    /// would have), with the slow test estimator, on `clock`.
    static func workspace(on path: String, clock: ManualWallClock, runLease: RunLeasePolicy = .standard) throws -> Workspace {
        var catalog = EstimatorCatalog.standard
        try catalog.register(SlowRegressor.self)
        return Workspace(store: try SQLiteStore(path: path, clock: clock), estimators: catalog, clock: clock,
                         baseDirectory: try Fixtures.directory, runLease: runLease)
    }

    struct HookFailure: Error {}

    @Test("a pipeline running in one workspace is refused in another (clearly), waited for, and blocks deletion and reset")
    func refusedOrWaited() async throws {
        let directory = try TemporaryDirectory("shared-lease")
        defer { directory.remove() }
        let path = directory.newPath()
        let clock = ManualWallClock(now: Fixtures.start)
        let first = try Self.workspace(on: path, clock: clock)
        let second = try Self.workspace(on: path, clock: clock)
        let running = try await WorkspaceTests.regressionPipeline(first, estimator: "SlowRegressor")
        let other = try await second.pipeline(named: "line")
        let run = try await running.run()

        await expectPipelineError({ _ = try await other.run() }, "a second workspace's run") { error in
            error == .alreadyRunning(pipeline: "line") && error.description.contains("another one using the same store")
        }
        let started = ContinuousClock.now
        await #expect(throws: PipelineError.alreadyRunning(pipeline: "line")) {
            _ = try await other.run(ifRunning: .wait(timeout: .milliseconds(300)))
        }
        #expect(ContinuousClock.now - started >= .milliseconds(300), "it waited for the timeout before refusing")
        await #expect(throws: PipelineError.alreadyRunning(pipeline: "line")) { try await other.delete() }
        await #expect(throws: PipelineError.alreadyRunning(pipeline: "line")) { try await other.resetDatasets() }
        await #expect(throws: PipelineError.alreadyRunning(pipeline: "line")) {
            try await second.repository(named: "R").delete(includingPipelines: true)
        }

        // A run told to wait starts once the other ends, and builds on its datasets.
        let waiting = Task { try await other.run(jobs: [.datasetGeneration], ifRunning: .wait(timeout: .seconds(60))).result() }
        try await Task.sleep(for: .milliseconds(200))
        run.cancel()
        #expect(await run.result().status == .cancelled)
        let waited = try await waiting.value
        #expect(waited.status == .succeeded, "\(waited.error ?? "")")
        #expect(waited.outcomes.first?.summary.hasPrefix("generation 2:") == true, "\(waited.outcomes.first?.summary ?? "")")
        let store = try SQLiteStore(path: path)
        #expect(try await store.lease(Workspace.runLeaseName(running.id)) == nil, "both runs gave their lease back")
    }

    @Test("a lease left behind by a killed process blocks the pipeline until it expires, then is taken over")
    func expiredLeaseTakenOver() async throws {
        let directory = try TemporaryDirectory("shared-expiry")
        defer { directory.remove() }
        let path = directory.newPath()
        let clock = ManualWallClock(now: Fixtures.start)
        let workspace = try Self.workspace(on: path, clock: clock)
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        let store = try SQLiteStore(path: path, clock: clock)
        let name = Workspace.runLeaseName(pipeline.id)
        _ = try await store.acquireLease(name, owner: "killed-host pid 4242 run 0badc0de", for: RunLeasePolicy.standard.duration)

        await #expect(throws: PipelineError.alreadyRunning(pipeline: "line")) { _ = try await pipeline.run(jobs: [.datasetGeneration]) }
        clock.advance(by: RunLeasePolicy.standard.duration - 1)
        await #expect(throws: PipelineError.alreadyRunning(pipeline: "line")) { _ = try await pipeline.run(jobs: [.datasetGeneration]) }
        clock.advance(by: 1)
        let record = try await pipeline.run(jobs: [.datasetGeneration]).result()
        #expect(record.status == .succeeded)
        #expect(try await store.lease(name) == nil, "the run released the lease it took over")
    }

    @Test("the heartbeat renews the lease; a run whose lease was taken over is stopped and says why")
    func lostLeaseStopsTheRun() async throws {
        let clock = ManualWallClock(now: Fixtures.start)
        let (workspace, store) = try WorkspaceTests.customWorkspaceAndStore(clock: clock)
        let fast = Workspace(store: store, estimators: workspace.estimators, clock: clock, baseDirectory: try Fixtures.directory,
                             runLease: RunLeasePolicy(duration: 3, heartbeat: .milliseconds(20)))
        let pipeline = try await fast.pipeline(try await WorkspaceTests.regressionPipeline(workspace, estimator: "SlowRegressor").id)
        let name = Workspace.runLeaseName(pipeline.id)
        let run = try await pipeline.run()

        clock.advance(by: 2)
        var renewed = false
        for _ in 0..<200 where !renewed {
            try await Task.sleep(for: .milliseconds(10))
            renewed = await store.lease(name)?.expiresAt == clock.now.addingTimeInterval(3)
        }
        #expect(renewed, "the heartbeat renewed the lease from the store's clock")

        // Another process takes the lease over once it expired (between two beats).
        var takenOver = false
        for _ in 0..<50 where !takenOver {
            clock.advance(by: 10)
            if case .acquired = await store.acquireLease(name, owner: "another process", for: 30) { takenOver = true }
        }
        try #require(takenOver)
        let record = await run.result()
        #expect(record.status == .cancelled)
        #expect(record.error?.contains("lost its lease on pipeline 'line'") == true, "\(record.error ?? "")")
        #expect(record.error?.contains("another process took it over") == true, "\(record.error ?? "")")
        #expect(try await pipeline.runs().first?.error == record.error, "the reason is stored with the run")
        #expect(await store.lease(name)?.owner == "another process", "the stopped run left the new holder's lease alone")
    }

    @Test("a generation whose datasets changed meanwhile fails cleanly, naming pipeline and generations; nothing is written")
    func datasetConflictFailsCleanly() async throws {
        let clock = ManualWallClock(now: Fixtures.start)
        let store = InterposedStore(clock: clock)
        let workspace = Workspace(store: store, clock: clock, baseDirectory: try Fixtures.directory)
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        #expect(try await pipeline.run(jobs: [.datasetGeneration]).result().status == .succeeded)
        let intruder = DatasetSnapshot(
            pipelineID: pipeline.id, generation: 2, datasets: MLDatasets(), savedAt: clock.now)
        store.beforeNextDatasetSave { base in try await base.saveDatasets(intruder, replacing: 1) }

        let record = try await pipeline.run(jobs: [.datasetGeneration, .training]).result()
        #expect(record.status == .failed)
        let expected = PipelineError.datasetConflict(pipeline: "line", read: 1, found: 2)
        #expect(record.outcomes.first?.error == expected.description)
        #expect(expected.description.contains("it read generation 1, the store is now at generation 2"))
        #expect(record.outcomes.map(\.status) == [.failed, .skipped])
        #expect(try await store.base.datasets(of: pipeline.id) == intruder, "the other generation's snapshot stands")
        #expect(try await pipeline.models().isEmpty)
    }

    @Test("a configuration saved by someone else meanwhile is a plain-worded conflict; saving again re-reads")
    func configurationConflictInPlainWords() async throws {
        let clock = ManualWallClock(now: Fixtures.start)
        let store = InterposedStore(clock: clock)
        let workspace = Workspace(store: store, clock: clock, baseDirectory: try Fixtures.directory)
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        let id = pipeline.id
        store.beforeNextConfigurationSave { base in
            guard var theirs = await base.configuration(of: id, version: nil) else { throw HookFailure() }
            theirs.version = 2
            theirs.configuration.preferences.description = "someone else's"
            try await base.appendConfiguration(theirs)
        }
        let conflict = PipelineError.configurationConflict(pipeline: "line", version: 2)
        await #expect(throws: conflict) { try await pipeline.configure { $0.preferences.description = "mine" } }
        #expect(conflict.description
            == "the configuration of pipeline 'line' was changed by someone else (now at version 2); re-read it and apply the change again")
        #expect(StoreError.versionConflict(pipeline: id, expected: 2, found: 2).description.contains("was changed by someone else"))
        let again = try await pipeline.configure { $0.preferences.description = "mine" }
        #expect(again.record.version == 3)
        #expect(try await pipeline.configurationHistory().map(\.configuration.preferences.description) == ["", "someone else's", "mine"])
    }

    @Test("a run can name the configuration version it runs")
    func runsTheNamedVersion() async throws {
        let workspace = try Fixtures.workspace()
        let pipeline = try await WorkspaceTests.regressionPipeline(workspace)
        try await pipeline.configure { $0.preferences.description = "version 2" }
        let record = try await pipeline.run(jobs: [.datasetGeneration], configurationVersion: 1).result()
        #expect(record.configurationVersion == 1)
        #expect(record.status == .succeeded)
        await expectPipelineError({ _ = try await pipeline.run(configurationVersion: 7) }) { error in
            if case .notFound(.other("configuration version", "7 of pipeline 'line'")) = error { return true }
            return false
        }
    }

    /// What the schedulers reported, from several tasks.
    final class Reports: Sendable {
        private let reports = Mutex<[(scheduler: Int, report: TriggerFiringReport)]>([])
        func append(_ scheduler: Int, _ report: TriggerFiringReport) { reports.withLock { $0.append((scheduler, report)) } }
        var all: [(scheduler: Int, report: TriggerFiringReport)] { reports.withLock { $0 } }
    }

    @Test("three schedulers on one SQLite file run every firing of a `* * * * *` trigger exactly once over 5 minutes")
    func threeSchedulersFireOnce() async throws {
        let directory = try TemporaryDirectory("shared-schedulers")
        defer { directory.remove() }
        let path = directory.newPath()
        let clock = ManualWallClock(now: Fixtures.start)
        let workspaces = try (0..<3).map { _ in try Self.workspace(on: path, clock: clock) }
        let pipeline = try await WorkspaceTests.regressionPipeline(workspaces[0])
        let trigger = try await pipeline.addTrigger(
            schedule: try TriggerSchedule(parsing: "* * * * *", now: clock.now), jobs: [.datasetGeneration])
        let reports = Reports()
        let loops = workspaces.enumerated().map { index, workspace in
            Task { try await workspace.runScheduler(refresh: 3_600) { reports.append(index, $0) } }
        }
        let minutes = 5
        for minute in 1...minutes {
            await clock.waitForSleepers(count: 6)  // each scheduler and its refresh loop
            clock.advance(to: Fixtures.start.addingTimeInterval(60 * Double(minute)))
            for _ in 0..<1_000 where reports.all.count < 3 * minute { try await Task.sleep(for: .milliseconds(10)) }
        }
        for loop in loops {
            loop.cancel()
            _ = await loop.result
        }
        let all = reports.all
        #expect(all.count == 3 * minutes, "every scheduler reported every firing")
        for minute in 1...minutes {
            let scheduledAt = Fixtures.start.addingTimeInterval(60 * Double(minute))
            let firing = all.filter { $0.report.scheduledAt == scheduledAt }
            let ran = firing.compactMap { if case .ran(let run) = $0.report.outcome { return run } else { return nil } }
            let elsewhere = firing.filter { if case .claimedElsewhere = $0.report.outcome { return true } else { return false } }
            #expect(ran.count == 1 && elsewhere.count == 2, "minute \(minute): \(firing.map(\.report.outcome))")
            #expect(ran.first?.status == .succeeded)
        }
        let runs = try await pipeline.runs()
        let scheduled = runs.compactMap { run -> Date? in
            if case .trigger(trigger.id, let scheduledAt) = run.origin { return scheduledAt } else { return nil }
        }
        #expect(scheduled.sorted() == (1...minutes).map { Fixtures.start.addingTimeInterval(60 * Double($0)) }, "one run per firing")
        #expect(Set(runs.compactMap { $0.outcomes.first?.summary.split(separator: ":").first }).count == minutes,
                "each run made its own generation")
    }
}
