/// Classification metrics on class indices, following scikit-learn's definitions: labels
/// are those present in the truth or the predictions, and a ratio whose denominator is
/// zero counts as 0 (scikit-learn's `zero_division="warn"` value).
enum ClassificationMetrics {
    /// The per-class quantity that ``score(_:_:_:classCount:average:name:)`` averages; its raw
    /// value is the scoring name's prefix.
    enum Quantity: String { case precision, recall, f1 }

    /// The scoring name of a quantity with an averaging: `f1`, `f1_macro`, `f1_weighted`.
    static func name(_ quantity: Quantity, _ average: MetricAverage) -> String {
        switch average {
        case .binary: return quantity.rawValue
        case .macro: return quantity.rawValue + "_macro"
        case .weighted: return quantity.rawValue + "_weighted"
        }
    }

    /// The share of correct predictions.
    static func accuracy(_ truth: [Int], _ predicted: [Int]) -> Double {
        Double(zip(truth, predicted).filter { $0 == $1 }.count) / Double(truth.count)
    }

    /// The mean recall over the classes present in the truth.
    static func balancedAccuracy(_ truth: [Int], _ predicted: [Int], classCount: Int) -> Double {
        var support = [Int](repeating: 0, count: classCount)
        var correct = [Int](repeating: 0, count: classCount)
        for (t, p) in zip(truth, predicted) {
            support[t] += 1
            if t == p { correct[t] += 1 }
        }
        let recalls = (0..<classCount).filter { support[$0] > 0 }.map { Double(correct[$0]) / Double(support[$0]) }
        return recalls.reduce(0, +) / Double(recalls.count)
    }

    /// Precision, recall or F1 with the given averaging.
    static func score(
        _ quantity: Quantity, _ truth: [Int], _ predicted: [Int], classCount: Int, average: MetricAverage, name: String
    ) throws(ScoringError) -> Double {
        var tp = [Int](repeating: 0, count: classCount)
        var fp = [Int](repeating: 0, count: classCount)
        var fn = [Int](repeating: 0, count: classCount)
        var present = [Bool](repeating: false, count: classCount)
        for (t, p) in zip(truth, predicted) {
            present[t] = true
            present[p] = true
            if t == p { tp[t] += 1 } else { fp[p] += 1; fn[t] += 1 }
        }
        func value(_ c: Int) -> Double {
            let (numerator, denominator): (Int, Int)
            switch quantity {
            case .precision: (numerator, denominator) = (tp[c], tp[c] + fp[c])
            case .recall: (numerator, denominator) = (tp[c], tp[c] + fn[c])
            case .f1: (numerator, denominator) = (2 * tp[c], 2 * tp[c] + fp[c] + fn[c])
            }
            return denominator == 0 ? 0 : Double(numerator) / Double(denominator)
        }
        switch average {
        case .binary:
            guard classCount <= 2 else { throw .notBinary(score: name, classCount: classCount) }
            return classCount < 2 ? 0 : value(1)
        case .macro:
            let labels = (0..<classCount).filter { present[$0] }
            return labels.map(value).reduce(0, +) / Double(labels.count)
        case .weighted:
            let labels = (0..<classCount).filter { present[$0] }
            let support = labels.map { tp[$0] + fn[$0] }
            let total = support.reduce(0, +)
            guard total > 0 else { return 0 }
            return zip(labels, support).reduce(0) { $0 + value($1.0) * Double($1.1) } / Double(total)
        }
    }
}
