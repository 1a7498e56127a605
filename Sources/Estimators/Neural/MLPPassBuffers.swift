import LinearAlgebra

/// The scratch memory of one worker: a pass's gathered input rows and targets, and one
/// activation and one delta buffer per layer, each for ``capacity`` rows. Allocated once
/// per fit and reused by every pass.
final class MLPPassBuffers {
    /// The most rows one pass may take.
    let capacity: Int
    /// Gathered input rows, `capacity × units[0]`.
    let input: UnsafeMutablePointer<Double>
    /// Gathered class positions, `capacity`.
    let labels: UnsafeMutablePointer<Int>
    /// Gathered values, `capacity`.
    let values: UnsafeMutablePointer<Double>
    /// `activations[l]`: the output of weight layer `l`, `capacity × units[l+1]`.
    let activations: [UnsafeMutablePointer<Double>]
    /// `deltas[l]`: the loss's gradient with respect to weight layer `l`'s raw values.
    let deltas: [UnsafeMutablePointer<Double>]
    /// Column sums of a delta, `max(units)`.
    let columnSums: UnsafeMutablePointer<Double>

    /// Buffers for passes of up to `capacity` rows through `layout`.
    init(layout: MLPLayout, capacity: Int) {
        let capacity = Swift.max(1, capacity)
        self.capacity = capacity
        input = Self.allocate(capacity * layout.units[0])
        labels = .allocate(capacity: capacity)
        labels.initialize(repeating: 0, count: capacity)
        values = Self.allocate(capacity)
        activations = layout.units.dropFirst().map { Self.allocate(capacity * $0) }
        deltas = layout.units.dropFirst().map { Self.allocate(capacity * $0) }
        columnSums = Self.allocate(layout.units.max() ?? 1)
    }

    deinit {
        for buffer in [input, values, columnSums] + activations + deltas { buffer.deallocate() }
        labels.deallocate()
    }

    /// `count` zeroed doubles.
    static func allocate(_ count: Int) -> UnsafeMutablePointer<Double> {
        let buffer = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, count))
        buffer.initialize(repeating: 0, count: Swift.max(1, count))
        return buffer
    }

    /// The outputs of the last forward pass, `rows × units.last`.
    var outputs: UnsafeMutablePointer<Double> { activations[activations.count - 1] }
}

/// Where the rows of a batch come from: rows of the training matrix, either the
/// consecutive rows from `start` (read in place) or the rows listed in `order` (gathered
/// into the worker's buffer), with their targets.
///
/// Unchecked `Sendable`: the memory it points to is only read while a batch's workers run.
struct MLPBatchSource: @unchecked Sendable {
    /// The training matrix, row-major.
    let x: UnsafePointer<Double>
    let features: Int
    /// The batch's row indices, or `nil` for the consecutive rows from `start`.
    let order: UnsafePointer<Int>?
    let start: Int
    /// Class positions (classifiers) or values (regressors), per training row.
    let labels: UnsafePointer<Int>?
    let values: UnsafePointer<Double>?

    /// The input and targets of the batch's rows `first ..< first + count`.
    ///
    /// - Complexity: O(count × features) when gathering, O(count) otherwise.
    func fill(_ buffers: MLPPassBuffers, from first: Int, count: Int) -> (input: UnsafePointer<Double>, targets: MLPBatchTargets) {
        let input: UnsafePointer<Double>
        if let order {
            for r in 0..<count {
                (buffers.input + r * features).update(from: x + order[first + r] * features, count: features)
            }
            input = UnsafePointer(buffers.input)
        } else {
            input = x + (start + first) * features
        }
        if let labels {
            for r in 0..<count { buffers.labels[r] = labels[order?[first + r] ?? start + first + r] }
            return (input, .classes(buffers.labels))
        }
        if let values {
            for r in 0..<count { buffers.values[r] = values[order?[first + r] ?? start + first + r] }
        }
        return (input, .values(buffers.values))
    }
}
