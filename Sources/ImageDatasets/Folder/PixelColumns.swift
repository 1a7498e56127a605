import Dispatch
import Synchronization

/// Turns the chunks' row-major features into one `[Double]` per feature (the table's
/// columns): the one transposition of the read, spread over threads by runs of columns.
enum PixelColumns {
    /// The workers' shared state: the next run of columns to take and the finished columns,
    /// by feature index. A final class of `Sendable` members (an atomic and a mutex), so it
    /// is `Sendable` without `@unchecked`.
    private final class Columns: Sendable {
        let next = Atomic<Int>(0)
        let values: Mutex<[[Double]]>

        init(count: Int) {
            values = Mutex([[Double]](repeating: [], count: count))
        }
    }

    /// `featureCount` columns of `rowCount` values: column `j` holds feature `j` of every
    /// row of every chunk, in chunk order.
    ///
    /// - Complexity: O(rowCount × featureCount), on `threads` threads.
    static func transpose(_ chunks: [DecodedChunk], rowCount: Int, featureCount: Int, threads: Int) -> [[Double]] {
        let columns = Columns(count: featureCount)
        // Runs of 8 columns: a row's 8 values are 64 adjacent bytes of its chunk.
        let runLength = 8
        let runCount = (featureCount + runLength - 1) / runLength
        let workers = max(1, min(threads, runCount))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let run = columns.next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard run < runCount else { return }
                let features = run * runLength..<min(featureCount, (run + 1) * runLength)
                let values = transposeRun(of: chunks, features: features, rowCount: rowCount, featureCount: featureCount)
                columns.values.withLock { columns in
                    for (feature, column) in zip(features, values) { columns[feature] = column }
                }
            }
        }
        return columns.values.withLock { $0 }
    }

    /// Features `features` (a run of adjacent ones) of every row, in chunk order, one array
    /// each, filled together: a row's values for the run are adjacent in its chunk, so each
    /// cache line and page of the chunks is read once per run, not once per column.
    private static func transposeRun(
        of chunks: [DecodedChunk], features: Range<Int>, rowCount: Int, featureCount: Int
    ) -> [[Double]] {
        makeArrays(features.count, length: rowCount, buffers: []) { columns in
            var row = 0
            for chunk in chunks {
                chunk.features.withUnsafeBufferPointer { values in
                    for chunkRow in 0..<chunk.rowCount {
                        let start = chunkRow &* featureCount &+ features.lowerBound
                        for (offset, column) in columns.enumerated() {
                            column[row] = values[start &+ offset]
                        }
                        row += 1
                    }
                }
            }
            precondition(row == rowCount, "the chunks hold \(row) rows, not \(rowCount)")
        }
    }

    /// `count` arrays of `length` values, which `fill` initializes through their buffers,
    /// given all at once: each array's initializer is nested in the previous one's, so
    /// every buffer is valid while `fill` runs.
    private static func makeArrays(
        _ count: Int, length: Int, buffers: [UnsafeMutableBufferPointer<Double>],
        fill: ([UnsafeMutableBufferPointer<Double>]) -> Void
    ) -> [[Double]] {
        guard count > 0 else {
            fill(buffers)
            return []
        }
        var rest: [[Double]] = []
        let first = [Double](unsafeUninitializedCapacity: length) { buffer, initialized in
            rest = makeArrays(count - 1, length: length, buffers: buffers + [buffer], fill: fill)
            initialized = length
        }
        return [first] + rest
    }
}
