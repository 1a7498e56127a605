import Foundation
import Pipelines
import Testing

/// What one killed `mlpipe` process held: the queued run it was running when killed.
private struct Killed {
    let queued: QueuedRunID
    let process: Int32
}

extension MLPipeTests {
    /// Polls the store's queue until a run claimed by one of `candidates` (by pid) has
    /// started (its run is named in the claim) and at least `after` runs have finished,
    /// then kills that process with SIGKILL.
    private static func killMidRun(
        _ candidates: [RunningMLPipe], store: any PipelineStorage, after finished: Int, timeout: Duration = .seconds(120)
    ) async throws -> Killed? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            let queued = try await store.queuedRuns(in: nil)
            if queued.filter({ $0.state == .finished }).count >= finished {
                for run in queued where run.state == .claimed && !run.runs.isEmpty {
                    guard let victim = candidates.first(where: { run.worker?.contains("pid \($0.process.processIdentifier) ") == true }) else {
                        continue
                    }
                    kill(victim.process.processIdentifier, SIGKILL)
                    return Killed(queued: run.id, process: victim.process.processIdentifier)
                }
            }
            try await Task.sleep(for: .milliseconds(15))
        }
        return nil
    }

    /// The killed attempt's run was marked failed, its retry succeeded, and the two did not overlap.
    private static func expectRetried(_ killed: Killed, store: any PipelineStorage) async throws {
        let queued = try #require(try await store.queuedRun(killed.queued))
        #expect(queued.state == .finished && queued.attempts == 2 && queued.runs.count == 2, "the killed process's run: \(queued)")
        guard queued.runs.count == 2 else { return }
        let lost = try #require(try await store.run(queued.runs[0]))
        let retry = try #require(try await store.run(queued.runs[1]))
        #expect(lost.status == .failed && lost.error?.contains("lost") == true, "the attempt of the killed process: \(lost.status) \(lost.error ?? "")")
        #expect(retry.status == .succeeded, "the retry: \(retry.status) \(retry.error ?? "")")
        #expect(retry.startedAt >= (lost.finishedAt ?? .distantFuture), "the retry started once the lost attempt was marked")
    }

    @Test("two `mlpipe worker` processes drain 20 queued runs, each run once; a worker killed mid-run loses its claim and its run is retried once by the other",
          arguments: CLIStore.available)
    func workersDrainQueue(_ backend: CLIStore) async throws {
        let arguments = try backend.arguments()
        try await withExampleAsync { directory in
            let first = try await mlpipe(["run", "--spec", "spec.json", "--jobs", "dataset", "--json"] + arguments, in: directory)
            try #require(first.status == 0, "\(first.stderr)")
            var queuedIDs: [String] = []
            for _ in 0..<20 {
                let queued = try await mlpipe(["run", "--spec", "spec.json", "--jobs", "training,testing", "--queue", "--json"] + arguments, in: directory)
                try #require(queued.status == 0, "\(queued.stderr)")
                queuedIDs.append(try #require((try queued.json() as? [String: Any])?["queued"] as? String))
            }
            let store = try await CLIStore.open(arguments, in: directory)
            #expect(try await store.queuedRuns(in: [.queued]).map(\.id.rawValue) == queuedIDs, "20 runs queued, oldest first")

            let workers = try (0..<2).map { _ in
                try RunningMLPipe(["worker", "--json", "--lease", "6", "--poll", "0.1"] + arguments, in: directory)
            }
            defer { for worker in workers where worker.process.isRunning { worker.process.terminate() } }
            let killed = try await Self.killMidRun([workers[0]], store: store, after: 2)
            try #require(killed != nil, "worker A never held a started run")
            let deadline = ContinuousClock.now + .seconds(180)
            while try await !store.queuedRuns(in: [.queued, .claimed]).isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            workers[1].process.terminate()
            let survivor = try await workers[1].finish()
            #expect(survivor.status == 0, "\(survivor.stderr)")
            _ = try await workers[0].finish()
            #expect(workers[0].process.terminationReason == .uncaughtSignal, "worker A was killed")

            let all = try await store.queuedRuns(in: nil)
            #expect(all.count == 20 && all.allSatisfy { $0.state == .finished }, "every queued run finished: \(all.map(\.state))")
            if let killed { try await Self.expectRetried(killed, store: store) }
            for queued in all where queued.id != killed?.queued {
                #expect(queued.attempts == 1 && queued.runs.count == 1, "\(queued.id): attempts \(queued.attempts), runs \(queued.runs.count)")
            }
            let pipeline = try #require(try await store.pipelines(in: nil).first)
            let runs = try await store.runs(of: pipeline.id).filter { $0.jobs == [.training, .testing] }
            #expect(runs.filter { $0.status == .succeeded }.count == 20,
                    "20 runs succeeded, one per queued run; the others: \(runs.filter { $0.status != .succeeded }.map { "\($0.status): \($0.error ?? "")" })")
            #expect(runs.count == 21, "and one failed: the killed worker's")
            // The pipeline never ran twice at once: the runs that ended by themselves do not
            // overlap (the killed one's end is unknown: it is marked when its retry starts).
            let spans = runs.filter { $0.status == .succeeded }.compactMap { run in run.finishedAt.map { (run.startedAt, $0) } }
                .sorted { $0.0 < $1.0 }
            #expect(zip(spans, spans.dropFirst()).allSatisfy { $0.1 <= $1.0 }, "overlapping runs of one pipeline")
            print("mlpipe workers (\(backend.testDescription)): 20 queued runs, \(runs.count) runs, worker \(killed?.process ?? 0) killed mid-run")
        }
    }

    @Test("three `mlpipe scheduler` processes: every firing runs once, also the one whose scheduler is killed mid-run (taken over after its claim expires)",
          arguments: CLIStore.available)
    func schedulerKilledMidRun(_ backend: CLIStore) async throws {
        let arguments = try backend.arguments()
        try await withExampleAsync { directory in
            #expect(try await mlpipe(["run", "--spec", "spec.json", "--jobs", "dataset"] + arguments, in: directory).status == 0)
            let added = try await mlpipe(
                ["triggers", "add", "--pipeline", "breast-cancer", "--schedule", "* * * * *", "--jobs", "training,testing", "--json"] + arguments,
                in: directory)
            try #require(added.status == 0, "\(added.stderr)")

            // 6× time: a minute every 10 s; the three processes agree on the origin. Claims last 8 s
            // (generous: a loaded machine must not make a live scheduler lose its claim).
            let environment = ["MLPIPE_CLOCK_RATE": "6", "MLPIPE_CLOCK_ORIGIN": String(Date().timeIntervalSince1970)]
            let schedulers = try (0..<3).map { _ in
                try RunningMLPipe(["scheduler", "--json", "--lease", "8"] + arguments, in: directory, environment: environment)
            }
            defer { for scheduler in schedulers where scheduler.process.isRunning { scheduler.process.terminate() } }
            let store = try await CLIStore.open(arguments, in: directory)
            let killed = try await Self.killMidRun(schedulers, store: store, after: 1, timeout: .seconds(60))
            try #require(killed != nil, "no scheduler was seen running a firing")
            try await Task.sleep(for: .seconds(24))  // the takeover (≤ 11 s), and two more firings
            var lines: [[String: Any]] = []
            for scheduler in schedulers {
                if scheduler.process.isRunning { scheduler.process.terminate() }
                let invocation = try await scheduler.finish()
                if scheduler.process.processIdentifier == killed?.process {
                    #expect(scheduler.process.terminationReason == .uncaughtSignal)
                } else {
                    #expect(invocation.status == 0, "\(invocation.stderr)")
                }
                lines += try invocation.stdout.split(separator: "\n").map { line in
                    try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
                }
                for line in invocation.stderr.split(separator: "\n") where line.contains("error") || line.contains("warning") {
                    print("scheduler \(scheduler.process.processIdentifier): \(line)")
                }
            }
            if let killed { try await Self.expectRetried(killed, store: store) }

            // Every firing queued once, and exactly one of its runs succeeded (or was skipped).
            let firings = try await store.queuedRuns(in: nil).filter { $0.firing != nil }
            #expect(firings.count >= 3, "firings queued: \(firings.count)")
            #expect(Set(firings.compactMap { $0.firing?.scheduledAt }).count == firings.count, "a firing queued twice")
            let pipeline = try #require(try await store.pipelines(in: nil).first)
            let runs = try await store.runs(of: pipeline.id)
            for firing in firings where firing.state == .finished {
                let ofFiring = runs.filter { run in
                    if case .trigger(_, let scheduledAt) = run.origin { return scheduledAt == firing.firing?.scheduledAt } else { return false }
                }
                // (The firing running when the schedulers are stopped at the end is cancelled.)
                #expect(ofFiring.filter { [.succeeded, .skipped, .cancelled].contains($0.status) }.count == 1,
                        "firing \(firing.firing?.scheduledAt as Any): \(ofFiring.map(\.status))")
                #expect(ofFiring.count == (firing.id == killed?.queued ? 2 : 1), "firing \(firing.firing?.scheduledAt as Any): runs \(ofFiring.count)")
            }
            let ran = lines.filter { $0["outcome"] as? String == "ran" }
            #expect(ran.count == Set(ran.compactMap { $0["scheduledAt"] as? String }).count, "a firing reported as run twice: \(ran)")
            print("mlpipe schedulers (\(backend.testDescription)): \(firings.count) firings, scheduler \(killed?.process ?? 0) killed mid-run, \(lines.count) lines")
        }
    }
}
