#if canImport(Glibc)
import Glibc
#endif

/// Large numeric arrays written once, end to end: their memory asked for in 2 MiB pages
/// where the system offers them (Linux transparent huge pages in `madvise` mode).
///
/// A fresh 80 MB buffer costs about 20,000 page faults in 4 KiB pages; on a virtual
/// machine that is 45 ms before the first useful store (measured on the project's 2-core
/// VM: 55 ms to fault and fill 80 MB, 12 ms in 2 MiB pages, 8 ms to copy it once
/// faulted). Arrays under ``threshold`` are left alone: they rarely span a whole aligned
/// 2 MiB page, and malloc serves them from memory already faulted in.
///
/// Used for design matrices (a training job's largest allocation: its encode phase
/// 0.051–0.066 s → 0.027–0.048 s on 200,000 × 50, 8 interleaved runs each). Not for the
/// dataset parts of a generation job: right after a CSV parse, the kernel's compaction
/// for huge pages stalled 3 runs in 8 by 0.17–0.31 s (against a steady 0.05–0.07 s in
/// small pages).
package enum LargeArrays {
    /// The smallest array, in bytes, whose memory is advised.
    package static let threshold = 8 << 20

    /// An array of `count` doubles, each element written by `body` (which must initialize
    /// all of them), in huge pages when `count` is large.
    ///
    /// - Complexity: O(count), in `body`.
    package static func doubles(
        count: Int, _ body: (UnsafeMutableBufferPointer<Double>) throws -> Void
    ) rethrows -> [Double] {
        try [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
            try body(buffer)
            initialized = count
        }
    }

    /// Advises the kernel to back the untouched `buffer` with huge pages (a hint: nothing
    /// happens where the system does not support it or declines).
    package static func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        guard buffer.count >= threshold, let base = buffer.baseAddress else { return }
        let page = 4_096
        let start = (Int(bitPattern: base) + page - 1) & ~(page - 1)
        let end = (Int(bitPattern: base) + buffer.count) & ~(page - 1)
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, MADV_HUGEPAGE)
        #endif
    }
}
