import LinearAlgebra

/// Brute-force k-nearest-neighbour search under the Euclidean distance, as scikit-learn's
/// `algorithm="brute"` computes it: squared distances by the Gram trick
/// `‖q‖² + (−2·q·t) + ‖t‖²` (one gemm per block of queries), clamped at 0.
///
/// Among training rows at exactly the same distance the lower index comes first (a stable
/// sort by distance), so the neighbour set is a deterministic function of the data.
/// (scikit-learn keeps the k nearest in heaps filled chunk by chunk and thread by thread,
/// so which of several exactly tied rows it keeps can differ; elsewhere the sets agree.)
struct NeighborSearch {
    /// The training rows.
    let training: Matrix
    /// `‖t‖²` for every training row.
    let trainingNorms: [Double]

    /// Elements of the distance block computed at once (32 MB of doubles).
    static let blockElements = 4_000_000

    /// Prepares a search over `training`.
    ///
    /// - Complexity: O(rows × features) for the row norms.
    init(_ training: Matrix) {
        self.training = training
        self.trainingNorms = rowNorms(training)
    }

    /// The `k` nearest training rows of every query row, nearest first.
    ///
    /// - Parameters:
    ///   - queries: One row per query, as many columns as the training rows.
    ///   - k: The number of neighbours, at most the number of training rows.
    /// - Returns: `indices[i·k + r]` is the training row of the r-th neighbour of query `i`,
    ///   `distances[i·k + r]` its Euclidean distance.
    /// - Complexity: O(queries × training rows × features) for the gemm, plus
    ///   O(queries × training rows × k) in the worst case for the selection.
    func nearest(_ queries: Matrix, k: Int) throws(LinearAlgebraError) -> (indices: [Int], distances: [Double]) {
        let n = training.rows, m = queries.rows
        precondition(k >= 1 && k <= n, "NeighborSearch: k must be in 1...\(n)")
        var indices = [Int](repeating: 0, count: m * k)
        var distances = [Double](repeating: 0, count: m * k)
        let queryNorms = rowNorms(queries)
        let blockRows = Swift.max(1, Swift.min(256, Self.blockElements / Swift.max(n, 1)))
        var bestDistance = [Double](repeating: 0, count: k)
        var bestIndex = [Int](repeating: 0, count: k)
        var start = 0
        while start < m {
            let end = Swift.min(m, start + blockRows)
            // −2·Q·Tᵀ for this block of queries.
            let middle = try BLAS.gemm(queries[rows: start..<end], training, transposeB: true, alpha: -2)
            middle.withUnsafeElements { d in
                for local in 0..<(end - start) {
                    let query = start + local, row = local * n
                    var filled = 0
                    for j in 0..<n {
                        let squared = Swift.max(0, (queryNorms[query] + d[row + j]) + trainingNorms[j])
                        // Insert after every equal distance: ties keep the lower index first.
                        if filled == k {
                            guard squared < bestDistance[k - 1] else { continue }
                        } else {
                            filled += 1
                        }
                        var slot = filled - 1
                        while slot > 0 && bestDistance[slot - 1] > squared {
                            bestDistance[slot] = bestDistance[slot - 1]
                            bestIndex[slot] = bestIndex[slot - 1]
                            slot -= 1
                        }
                        bestDistance[slot] = squared
                        bestIndex[slot] = j
                    }
                    for r in 0..<k {
                        indices[query * k + r] = bestIndex[r]
                        distances[query * k + r] = bestDistance[r].squareRoot()
                    }
                }
            }
            start = end
        }
        return (indices, distances)
    }
}

/// `‖row‖²` for every row of `x`.
private func rowNorms(_ x: Matrix) -> [Double] {
    var norms = [Double](repeating: 0, count: x.rows)
    let columns = x.columns
    x.withUnsafeElements { e in
        for i in 0..<x.rows {
            var sum = 0.0
            for j in 0..<columns {
                let v = e[i * columns + j]
                sum += v * v
            }
            norms[i] = sum
        }
    }
    return norms
}

/// How neighbours' votes or values are weighted (scikit-learn's `weights`).
public enum NeighborWeights: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every neighbour counts the same.
    case uniform
    /// A neighbour counts `1 / distance`; when some neighbours are at distance 0, only
    /// they count, equally.
    case distance

    /// The weights of `k` neighbours at `distances[offset..<offset+k]`, or `nil` for
    /// uniform weights.
    func weights(_ distances: [Double], offset: Int, k: Int) -> [Double]? {
        guard self == .distance else { return nil }
        let slice = distances[offset..<(offset + k)]
        if slice.contains(0) { return slice.map { $0 == 0 ? 1 : 0 } }
        return slice.map { 1 / $0 }
    }
}
