/// Filling several features' histograms in one pass over a node's rows.
///
/// A node's histogram set needs every feature's histogram. Filling them one feature at a
/// time reads each row's sample index, weight and target once per feature; reading them
/// once for four features roughly halves the time per row × feature on the benchmark data
/// (200,000 × 50 and 50,000 × 20). Each bin still adds its rows in row order with
/// ``SplitCriterion/add(weight:target:to:)``, so the sums are the same as ``SplitCriterion/fill(_:codes:samples:weights:targets:count:touched:)``'s.
extension SplitCriterion {
    /// Adds rows `samples[0..<count]` to the histograms of `histograms.count` (1…4)
    /// features: feature `j`'s codes are `columns[j]` (indexed by sample) and its
    /// histogram is `histograms[j]` (`width` statistics per bin).
    ///
    /// - Complexity: O(count × features).
    func fillBlock(
        _ histograms: FeatureBlock<UnsafeMutablePointer<Double>>, columns: FeatureBlock<UnsafePointer<UInt16>>,
        samples: UnsafePointer<Int32>, weights: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int
    ) {
        let width = width
        let (h0, h1, h2, h3) = histograms.lanes, (c0, c1, c2, c3) = columns.lanes
        switch histograms.count {
        case 4:
            for p in 0..<count {
                let s = Int(samples[p]), w = weights[p], t = targets[p]
                add(weight: w, target: t, to: h0 + Int(c0[s]) &* width)
                add(weight: w, target: t, to: h1 + Int(c1[s]) &* width)
                add(weight: w, target: t, to: h2 + Int(c2[s]) &* width)
                add(weight: w, target: t, to: h3 + Int(c3[s]) &* width)
            }
        case 3:
            for p in 0..<count {
                let s = Int(samples[p]), w = weights[p], t = targets[p]
                add(weight: w, target: t, to: h0 + Int(c0[s]) &* width)
                add(weight: w, target: t, to: h1 + Int(c1[s]) &* width)
                add(weight: w, target: t, to: h2 + Int(c2[s]) &* width)
            }
        case 2:
            for p in 0..<count {
                let s = Int(samples[p]), w = weights[p], t = targets[p]
                add(weight: w, target: t, to: h0 + Int(c0[s]) &* width)
                add(weight: w, target: t, to: h1 + Int(c1[s]) &* width)
            }
        default:
            for p in 0..<count { add(weight: weights[p], target: targets[p], to: h0 + Int(c0[Int(samples[p])]) &* width) }
        }
    }
}

/// One to four values, one per feature of a block filled together (unused lanes repeat
/// the first).
struct FeatureBlock<Element> {
    /// The values, lanes past `count` equal to the first.
    let lanes: (Element, Element, Element, Element)
    /// The number of lanes in use (1…4).
    let count: Int

    /// The block of `values` (1…4 of them).
    init(_ values: some Collection<Element>) {
        let array = Array(values.prefix(4))
        precondition(!array.isEmpty, "a feature block needs at least one feature")
        count = array.count
        lanes = (array[0], array[min(1, count - 1)], array[min(2, count - 1)], array[min(3, count - 1)])
    }
}
