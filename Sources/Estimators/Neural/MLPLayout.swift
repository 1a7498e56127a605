import Foundation
import LinearAlgebra

/// Where each layer's weights live in a perceptron's packed parameters, in scikit-learn's
/// `_pack` order: every `coefs_[l]` (`units[l] × units[l+1]`, row-major), then every
/// `intercepts_[l]` (`units[l+1]`).
struct MLPLayout: Sendable, Hashable {
    /// Units per layer: the features, the hidden layers, the outputs.
    let units: [Int]
    /// The offset of `coefs_[l]`.
    let coefficientOffsets: [Int]
    /// The offset of `intercepts_[l]`.
    let interceptOffsets: [Int]
    /// All coefficients and intercepts.
    let parameterCount: Int

    /// The layout of `units`, or `nil` when there are fewer than two layers, a layer has no
    /// unit, or the parameter count overflows.
    init?(units: [Int]) {
        guard units.count >= 2, units.allSatisfy({ $0 >= 1 }) else { return nil }
        var offset = 0
        var coefficients: [Int] = [], intercepts: [Int] = []
        for layer in 0..<(units.count - 1) {
            coefficients.append(offset)
            let (count, overflow) = units[layer].multipliedReportingOverflow(by: units[layer + 1])
            let (next, overflowSum) = offset.addingReportingOverflow(count)
            guard !overflow, !overflowSum else { return nil }
            offset = next
        }
        for layer in 0..<(units.count - 1) {
            intercepts.append(offset)
            let (next, overflow) = offset.addingReportingOverflow(units[layer + 1])
            guard !overflow else { return nil }
            offset = next
        }
        self.units = units
        self.coefficientOffsets = coefficients
        self.interceptOffsets = intercepts
        self.parameterCount = offset
    }

    /// The number of weight layers (hidden layers + 1).
    var layerCount: Int { units.count - 1 }
    /// The number of coefficients (the penalised parameters): they come first.
    var coefficientCount: Int { interceptOffsets[0] }
}

/// The element-wise steps of the forward and backward passes, on row-major buffers.
enum MLPKernels {
    /// `z ← f(z + b)` for each of `rows` rows of `columns` values.
    ///
    /// - Complexity: O(rows × columns).
    static func activate(
        _ z: UnsafeMutablePointer<Double>, rows: Int, columns: Int, bias: UnsafePointer<Double>, _ activation: MLPActivation
    ) {
        for r in 0..<rows {
            let row = z + r * columns
            switch activation {
            case .identity:
                for j in 0..<columns { row[j] += bias[j] }
            case .relu:
                for j in 0..<columns {
                    let v = row[j] + bias[j]
                    row[j] = v > 0 ? v : 0
                }
            case .tanh:
                for j in 0..<columns { row[j] = Foundation.tanh(row[j] + bias[j]) }
            case .logistic:
                for j in 0..<columns { row[j] = sigmoid(row[j] + bias[j]) }
            }
        }
    }

    /// `δ ← δ ⊙ f′`, with `f′` computed from the layer's activations `a` as scikit-learn
    /// does: relu `a == 0 → 0`, tanh `1 − a²`, logistic `a·(1 − a)`.
    ///
    /// - Complexity: O(count), four values per step.
    static func derive(_ delta: UnsafeMutablePointer<Double>, activations a: UnsafePointer<Double>, count: Int, _ activation: MLPActivation) {
        let whole = count / 4 * 4
        switch activation {
        case .identity:
            return
        case .relu:
            for i in stride(from: 0, to: whole, by: 4) {
                store(load(delta, i).replacing(with: 0, where: load(a, i) .== 0), delta, i)
            }
            for i in whole..<count where a[i] == 0 { delta[i] = 0 }
        case .tanh:
            for i in stride(from: 0, to: whole, by: 4) {
                let v = load(a, i)
                store(load(delta, i) * (1 - v * v), delta, i)
            }
            for i in whole..<count { delta[i] *= 1 - a[i] * a[i] }
        case .logistic:
            for i in stride(from: 0, to: whole, by: 4) {
                let v = load(a, i)
                store(load(delta, i) * v * (1 - v), delta, i)
            }
            for i in whole..<count { delta[i] = delta[i] * a[i] * (1 - a[i]) }
        }
    }

    /// Four values from `p + i`.
    @inline(__always)
    static func load(_ p: UnsafePointer<Double>, _ i: Int) -> SIMD4<Double> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD4<Double>.self)
    }

    /// Four values from `p + i`.
    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Double>, _ i: Int) -> SIMD4<Double> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD4<Double>.self)
    }

    /// Stores four values at `p + i`.
    @inline(__always)
    static func store(_ v: SIMD4<Double>, _ p: UnsafeMutablePointer<Double>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD4<Double>.self)
    }

    /// The hidden layers' forward pass of `rows` rows: `activations[l] ← f(A·W + b)` for
    /// every layer but the last, whose raw `A·W` is left in `activations[last]` (the
    /// caller adds the intercepts as it applies the output activation).
    ///
    /// - Parameters:
    ///   - input: `rows × units[0]` features, row-major.
    ///   - parameters: Packed as ``MLPLayout`` says.
    ///   - activations: One buffer per weight layer, each at least `rows × units[l+1]`.
    /// - Complexity: O(rows × Σ units[l]·units[l+1]), one gemm per layer.
    static func forward(
        rows: Int, input: UnsafePointer<Double>, layout: MLPLayout, parameters: UnsafePointer<Double>,
        activation: MLPActivation, activations: [UnsafeMutablePointer<Double>]
    ) {
        let units = layout.units
        for layer in 0..<layout.layerCount {
            let source = layer == 0 ? input : UnsafePointer(activations[layer - 1])
            BLAS.gemm(
                m: rows, n: units[layer + 1], k: units[layer], source, lda: units[layer],
                parameters + layout.coefficientOffsets[layer], ldb: units[layer + 1], beta: 0,
                into: activations[layer], ldc: units[layer + 1])
            if layer < layout.layerCount - 1 {
                activate(activations[layer], rows: rows, columns: units[layer + 1],
                         bias: parameters + layout.interceptOffsets[layer], activation)
            }
        }
    }
}
