import Foundation

/// The targets of the rows of one pass, one per row.
enum MLPBatchTargets {
    /// Class positions in `0..<classes` (the model's ``MLPClassifierModel/classes``).
    case classes(UnsafePointer<Int>)
    /// Real values.
    case values(UnsafePointer<Double>)
}

/// The output layer: scikit-learn's output activations, losses and the loss's gradient
/// with respect to the output layer's raw values (`δ = output − y` for each canonical
/// pair: logistic and binary log-loss, softmax and log-loss, identity and half squared
/// error, exp and half Poisson deviance).
enum MLPOutputLayer {
    /// scikit-learn clips probabilities to `[ε, 1 − ε]` inside the log-loss.
    static let epsilon = Double.ulpOfOne

    /// Turns raw values `z` into outputs: `z + b`, then the output activation.
    ///
    /// - Complexity: O(rows × columns).
    static func apply(_ z: UnsafeMutablePointer<Double>, rows: Int, columns: Int, bias: UnsafePointer<Double>, _ output: MLPOutputActivation) {
        for r in 0..<rows {
            let row = z + r * columns
            for j in 0..<columns { row[j] += bias[j] }
            switch output {
            case .identity: break
            case .exp: for j in 0..<columns { row[j] = Foundation.exp(row[j]) }
            case .logistic: for j in 0..<columns { row[j] = sigmoid(row[j]) }
            case .softmax: softmax(row, columns)
            }
        }
    }

    /// Applies the output activation to `rows` rows of raw values `z` (in place) and writes
    /// the loss's gradient with respect to them into `delta`.
    ///
    /// - Returns: The sum over the rows of each row's loss: `−log p(y)` (log-loss),
    ///   `½ (ŷ − y)²` (squared error), `y log(y/ŷ) − y + ŷ` (Poisson).
    /// - Complexity: O(rows × columns).
    static func lossAndDelta(
        _ z: UnsafeMutablePointer<Double>, rows: Int, columns: Int, bias: UnsafePointer<Double>, _ output: MLPOutputActivation,
        targets: MLPBatchTargets, delta: UnsafeMutablePointer<Double>
    ) -> Double {
        apply(z, rows: rows, columns: columns, bias: bias, output)
        var total = 0.0
        switch (output, targets) {
        case (.softmax, .classes(let labels)):
            for r in 0..<rows {
                let row = z + r * columns, out = delta + r * columns, label = labels[r]
                for j in 0..<columns { out[j] = row[j] }
                out[label] -= 1
                total -= Foundation.log(Swift.min(Swift.max(row[label], epsilon), 1 - epsilon))
            }
        case (.logistic, .classes(let labels)):
            for r in 0..<rows {
                let p = z[r], positive = labels[r] == 1
                delta[r] = p - (positive ? 1 : 0)
                let clipped = Swift.min(Swift.max(p, epsilon), 1 - epsilon)
                total -= Foundation.log(positive ? clipped : 1 - clipped)
            }
        case (.identity, .values(let values)):
            for r in 0..<rows {
                let residual = z[r] - values[r]
                delta[r] = residual
                total += 0.5 * residual * residual
            }
        case (.exp, .values(let values)):
            for r in 0..<rows {
                let predicted = z[r], y = values[r]
                delta[r] = predicted - y
                total += (y == 0 ? 0 : y * Foundation.log(y / predicted)) - y + predicted
            }
        default:
            preconditionFailure("MLPOutputLayer: \(output) outputs do not match the targets")
        }
        return total
    }

    /// The predicted class position of one row of outputs: the first largest probability
    /// (softmax), or the second class when its probability is above 0.5 (logistic), as
    /// scikit-learn's `LabelBinarizer.inverse_transform`.
    static func predictedClass(_ row: UnsafePointer<Double>, columns: Int) -> Int {
        if columns == 1 { return row[0] > 0.5 ? 1 : 0 }
        var best = 0
        for j in 1..<columns where row[j] > row[best] { best = j }
        return best
    }

    /// `row ← softmax(row)`, shifted by the row maximum so that it never overflows.
    private static func softmax(_ row: UnsafeMutablePointer<Double>, _ columns: Int) {
        var top = -Double.infinity
        for j in 0..<columns { top = Swift.max(top, row[j]) }
        var sum = 0.0
        for j in 0..<columns {
            let e = Foundation.exp(row[j] - top)
            row[j] = e
            sum += e
        }
        for j in 0..<columns { row[j] /= sum }
    }
}
