import Dispatch
import Foundation

/// Runs independent pieces of work (trees of a forest, features to bin) on a fixed number
/// of threads. Each piece writes only its own result slot, so results never depend on
/// scheduling.
enum ParallelWork {
    /// `body(0) … body(count - 1)` computed on up to `threads` threads, in index order.
    ///
    /// - Complexity: The sum of the bodies' costs, divided among the threads.
    static func map<T: Sendable>(_ count: Int, threads: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
        map(count, threads: threads) { index, _ in body(index) }
    }

    /// `body(i, worker)` for `i` in `0..<count`, in index order, where `worker` in
    /// `0..<threads` identifies the thread (for per-thread scratch buffers: no two calls
    /// with the same `worker` run at once).
    ///
    /// - Complexity: The sum of the bodies' costs, divided among the threads.
    static func map<T: Sendable>(_ count: Int, threads: Int, _ body: @escaping @Sendable (_ index: Int, _ worker: Int) -> T) -> [T] {
        let workers = min(max(1, threads), count)
        guard workers > 1 else { return (0..<count).map { body($0, 0) } }
        let slots = ResultSlots<T>(count: count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            while let index = slots.claim() { slots.store(body(index, worker), at: index) }
        }
        return slots.results()
    }
}

/// One result slot per piece of work, and the counter that hands pieces out.
///
/// Unchecked `Sendable`: `claim()` is locked and gives each index to exactly one thread,
/// which alone writes that slot; `results()` is read after every thread has finished.
private final class ResultSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private let buffer: UnsafeMutableBufferPointer<T?>

    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil)
    }

    deinit {
        _ = buffer.deinitialize()
        buffer.deallocate()
    }

    /// The next unclaimed index, or `nil` when all are taken.
    func claim() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < buffer.count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func store(_ value: T, at index: Int) { buffer[index] = value }

    func results() -> [T] { buffer.map { $0! } }
}
