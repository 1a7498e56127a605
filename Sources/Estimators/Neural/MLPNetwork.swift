import Foundation
public import LinearAlgebra

/// The weights of a fitted multi-layer perceptron and its forward pass: scikit-learn's
/// `coefs_`, `intercepts_`, `activation` and `out_activation_`.
///
/// Layer `l` maps `units[l]` values to `units[l+1]`: `a[l+1] = f(a[l]·W[l] + b[l])`, with the
/// hidden activation for every layer but the last and the output activation for the last.
///
/// ```swift
/// let network = model.network
/// let firstLayer = network.coefficients[0]        // features × units of the first hidden layer
/// let outputs = try network.outputs(x)            // probabilities or predicted values
/// ```
public struct MLPNetwork: Sendable, Hashable {
    /// Units per layer: the features, each hidden layer, the outputs.
    public let units: [Int]
    /// The hidden layers' activation.
    public let activation: MLPActivation
    /// The output layer's activation.
    public let output: MLPOutputActivation
    /// Every coefficient, then every intercept, in scikit-learn's `_pack` order.
    public let parameters: [Double]
    let layout: MLPLayout

    /// A network from its parameters (normally made by the fit).
    ///
    /// - Parameters:
    ///   - units: Units per layer, at least two layers of at least one unit.
    ///   - activation: The hidden activation.
    ///   - output: The output activation.
    ///   - parameters: `Σ units[l]·units[l+1]` coefficients then `Σ units[l+1]` intercepts, finite.
    /// - Throws: ``EstimatorError/invalidPayload(_:)`` when they do not fit together.
    public init(units: [Int], activation: MLPActivation, output: MLPOutputActivation, parameters: [Double]) throws(EstimatorError) {
        guard let layout = MLPLayout(units: units) else {
            throw .invalidPayload("MLPNetwork needs at least two layers of at least one unit each, got \(units)")
        }
        guard parameters.count == layout.parameterCount else {
            throw .invalidPayload("MLPNetwork with units \(units) needs \(layout.parameterCount) parameters, got \(parameters.count)")
        }
        guard parameters.allSatisfy(\.isFinite) else { throw .invalidPayload("MLPNetwork parameters must be finite") }
        self.units = units
        self.activation = activation
        self.output = output
        self.parameters = parameters
        self.layout = layout
    }

    /// `coefs_`: one `units[l] × units[l+1]` matrix per layer.
    public var coefficients: [Matrix] {
        (0..<layout.layerCount).map { layer in
            let start = layout.coefficientOffsets[layer], columns = units[layer + 1]
            return Matrix(rows: units[layer], columns: columns) { i, j in parameters[start + i * columns + j] }
        }
    }

    /// `intercepts_`: `units[l+1]` values per layer.
    public var intercepts: [[Double]] {
        (0..<layout.layerCount).map { layer in
            let start = layout.interceptOffsets[layer]
            return Array(parameters[start..<(start + units[layer + 1])])
        }
    }

    /// Rows predicted per pass, which bounds the memory of a large prediction.
    static let chunkRows = 4_096

    /// The output layer's values for every row: probabilities (one per output unit) or
    /// predicted values.
    ///
    /// ```swift
    /// let probabilities = try model.network.outputs(x)   // before mapping to the classes
    /// ```
    /// - Parameter x: One row per sample, `units[0]` columns (finite values: the models
    ///   check them, this does not).
    /// - Returns: One row per sample, `units.last` columns.
    /// - Throws: ``EstimatorError/featureCountMismatch(estimator:expected:actual:)`` (named
    ///   `MLPNetwork`) when `x` has another number of columns.
    /// - Complexity: O(rows × Σ units[l]·units[l+1]), one gemm per layer per 4,096 rows.
    public func outputs(_ x: Matrix) throws(EstimatorError) -> Matrix {
        let width = units[units.count - 1], rows = x.rows, features = units[0]
        guard x.columns == features else {
            throw .featureCountMismatch(estimator: "MLPNetwork", expected: features, actual: x.columns)
        }
        var result = Matrix(rows: rows, columns: width)
        guard rows > 0 else { return result }
        let capacity = Swift.min(rows, Self.chunkRows)
        // Double is a trivial type: every buffer is written (gemm with beta 0) before it is read.
        let pointers = units.dropFirst().map { UnsafeMutablePointer<Double>.allocate(capacity: capacity * $0) }
        defer { for pointer in pointers { pointer.deallocate() } }
        let last = layout.layerCount - 1
        x.withUnsafeElements { xs in
            parameters.withUnsafeBufferPointer { p in
                result.withUnsafeMutableElements { out in
                    guard let xBase = xs.baseAddress, let pBase = p.baseAddress, let outBase = out.baseAddress else { return }
                    var start = 0
                    while start < rows {
                        let count = Swift.min(capacity, rows - start)
                        MLPKernels.forward(rows: count, input: xBase + start * features, layout: layout, parameters: pBase,
                                           activation: activation, activations: pointers)
                        MLPOutputLayer.apply(pointers[last], rows: count, columns: width,
                                             bias: pBase + layout.interceptOffsets[last], output)
                        (outBase + start * width).update(from: pointers[last], count: count * width)
                        start += count
                    }
                }
            }
        }
        return result
    }
}

extension MLPNetwork: Codable {
    private enum CodingKeys: String, CodingKey { case units, activation, output, parameters }

    /// Decodes a network written by ``encode(to:)``.
    ///
    /// - Throws: `DecodingError` for a malformed value or inconsistent parameters.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let units = try container.decode([Int].self, forKey: .units)
        let activation = try container.decode(MLPActivation.self, forKey: .activation)
        let output = try container.decode(MLPOutputActivation.self, forKey: .output)
        let parameters = try MLPPacking.decode(forKey: .parameters, in: container)
        do {
            try self.init(units: units, activation: activation, output: output, parameters: parameters)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .parameters, in: container, debugDescription: error.description)
        }
    }

    /// Encodes the layer sizes, the activations and the parameters (base64 of their
    /// little-endian IEEE 754 bits: exact).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(units, forKey: .units)
        try container.encode(activation, forKey: .activation)
        try container.encode(output, forKey: .output)
        try container.encode(MLPPacking.packed(parameters), forKey: .parameters)
    }
}
