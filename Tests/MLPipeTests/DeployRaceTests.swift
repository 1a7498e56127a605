import Foundation
import Testing

/// What the racing processes saw, filled in from several threads.
private final class RaceLog: @unchecked Sendable {
    private let lock = NSLock()
    private var _deploys: [(process: Int, model: String, invocation: Invocation)] = []
    private var _listings: [Invocation] = []
    private var _finished = false

    func deployed(_ process: Int, _ model: String, _ invocation: Invocation) { lock.withLock { _deploys.append((process, model, invocation)) } }
    func listed(_ invocation: Invocation) { lock.withLock { _listings.append(invocation) } }
    func finish() { lock.withLock { _finished = true } }
    var finished: Bool { lock.withLock { _finished } }
    var deploys: [(process: Int, model: String, invocation: Invocation)] { lock.withLock { _deploys } }
    var listings: [Invocation] { lock.withLock { _listings } }
}

/// Starts `body` on a thread of its own (the blocking `mlpipe` helper must not hold the
/// cooperative pool, which has one thread per core) and returns a semaphore signalled when
/// it ends.
extension DispatchSemaphore {
    /// Waits for a signal on a Dispatch thread, not on the cooperative pool.
    func signalled() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.wait()
                continuation.resume()
            }
        }
    }
}

private func onThread(_ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        body()
        done.signal()
    }
    thread.start()
    return done
}

extension MLPipeTests {
    static let deployers = 8
    static let deploysPerProcess = 15

    @Test("8 concurrent `mlpipe deploy` processes × 15 deploys: every one succeeds, every listing shows one deployed model",
          arguments: CLIStore.available)
    func concurrentDeploys(_ backend: CLIStore) async throws {
        let store = try backend.arguments()
        try await withExample { directory in
            // One pipeline with two models: the first run deploys the first.
            let first = try await mlpipe(["run", "--spec", "spec.json", "--json"] + store, in: directory)
            try #require(first.status == 0, "\(first.stderr)")
            let second = try await mlpipe(["run", "--spec", "spec.json", "--json", "--jobs", "training,testing"] + store, in: directory)
            try #require(second.status == 0, "\(second.stderr)")
            let models = try #require(((try second.json() as? [String: Any])?["models"] as? [[String: Any]])?.compactMap { $0["id"] as? String })
            try #require(models.count == 2)
            let historyBefore = try #require(
                try await mlpipe(["history", "--pipeline", "breast-cancer", "--json"] + store, in: directory).json() as? [[String: Any]])

            let log = RaceLog()
            let deployers = (0..<Self.deployers).map { process in
                onThread {
                    for round in 0..<Self.deploysPerProcess {
                        // Alternate, half the processes starting with each model.
                        let model = models[(process + round) % 2]
                        let invocation: Invocation
                        do {
                            invocation = try mlpipeBlocking(["deploy", "--pipeline", "breast-cancer", model, "--json"] + store, in: directory)
                        } catch {
                            invocation = Invocation(status: -1, stdout: "", stderr: "could not start mlpipe: \(error)")
                        }
                        log.deployed(process, model, invocation)
                    }
                }
            }
            let lister = onThread {
                repeat {
                    do {
                        log.listed(try mlpipeBlocking(["models", "list", "--pipeline", "breast-cancer", "--json"] + store, in: directory))
                    } catch {
                        log.listed(Invocation(status: -1, stdout: "", stderr: "could not start mlpipe: \(error)"))
                    }
                } while !log.finished
            }
            for deployer in deployers { await deployer.signalled() }
            log.finish()
            await lister.signalled()

            // Every deploy succeeded and deployed what it asked for.
            let deploys = log.deploys
            #expect(deploys.count == Self.deployers * Self.deploysPerProcess)
            let failures = deploys.filter { $0.invocation.status != 0 }
            #expect(failures.isEmpty, "\(failures.count) deploy(s) failed; first: \(failures.first.map { $0.invocation.stderr } ?? "")")
            var changing = 0
            for deploy in deploys where deploy.invocation.status == 0 {
                let object = try #require(try deploy.invocation.json() as? [String: Any])
                #expect(object["model"] as? String == deploy.model)
                let changed = try #require(object["changed"] as? Bool)
                if changed {
                    changing += 1
                    #expect(object["previous"] as? String != deploy.model)
                }
            }

            // Every listing taken meanwhile shows exactly one deployed model.
            let listings = log.listings
            #expect(!listings.isEmpty)
            for listing in listings {
                #expect(listing.status == 0, "\(listing.stderr)")
                guard listing.status == 0 else { continue }
                let listed = try #require(try listing.json() as? [[String: Any]])
                #expect(listed.count == 2)
                let deployedCount = listed.filter { $0["deployed"] as? Bool == true }.count
                #expect(deployedCount == 1, "a listing shows \(deployedCount) deployed models")
            }

            // The history gained one record per changing deploy, each replacing the model before it.
            let history = try #require(
                try await mlpipe(["history", "--pipeline", "breast-cancer", "--json"] + store, in: directory).json() as? [[String: Any]])
            #expect(history.count - historyBefore.count == changing)
            #expect(changing >= 1)
            for (earlier, later) in zip(history, history.dropFirst()) {
                #expect(later["previous"] as? String == earlier["model"] as? String)
                #expect(later["model"] as? String != later["previous"] as? String)
            }
            let deployedNow = try #require(
                try await mlpipe(["models", "list", "--pipeline", "breast-cancer", "--deployed", "--json"] + store, in: directory).json() as? [[String: Any]])
            #expect(deployedNow.compactMap { $0["id"] as? String } == [history.last?["model"] as? String].compactMap { $0 })
            print("""
                mlpipe deploy race (\(backend.testDescription)): \(deploys.count - failures.count) of \(deploys.count) deploys succeeded \
                (\(changing) changed the deployment), \(listings.count) listings, \(history.count) history records
                """)
        }
    }
}
