import Foundation
import ImageDecoding
import Testing

/// Decoding keeps no shared state: the whole corpus, good and bad, decoded from many tasks
/// at once gives what one serial pass gives.
@Suite("Concurrent decoding")
struct ConcurrencyTests {
    /// What one decode gave: the image, or the error.
    enum Outcome: Hashable, Sendable {
        case image(DecodedImage)
        case error(ImageDecodingError)
    }

    static func outcome(_ url: URL) -> Outcome {
        do {
            return .image(try ImageDecoder.decode(fileAt: url))
        } catch {
            return .error(error)
        }
    }

    @Test("64 tasks decoding the corpus 8 times over agree with a serial pass")
    func manyTasks() async throws {
        let fixtures = try Fixtures.load()
        let urls = try (fixtures.images.map(\.file) + fixtures.bad.map(\.file)).map(Fixtures.url)
        let serial = urls.map(Self.outcome)

        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<64 {
                group.addTask {
                    var mismatches = 0
                    for round in 0..<8 {
                        // Each task walks the corpus from its own starting point.
                        for offset in urls.indices {
                            let index = (offset + task * 7 + round) % urls.count
                            if Self.outcome(urls[index]) != serial[index] { mismatches += 1 }
                        }
                    }
                    return mismatches
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

    @Test("threads (not only tasks) decoding different files at once")
    func threads() throws {
        let fixtures = try Fixtures.load()
        let urls = try fixtures.images.map { try Fixtures.url($0.file) }
        let serial = urls.map(Self.outcome)
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 32) { thread in
            for round in 0..<4 {
                let index = (thread + round * 5) % urls.count
                if Self.outcome(urls[index]) != serial[index] { failures.add() }
            }
        }
        #expect(failures.count == 0)
    }
}

/// A thread-safe counter.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func add() {
        lock.lock()
        value += 1
        lock.unlock()
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
