import Foundation

/// How a perceptron's fit went: scikit-learn's `n_iter_`, `t_`, `loss_`, `loss_curve_`,
/// `best_loss_`, `validation_scores_` and `best_validation_score_`.
///
/// ```swift
/// let model = try MLPClassifier(parameters).fit(x, y, context: FitContext()) as? MLPClassifierModel
/// print(model?.history.lossCurve.last, model?.history.iterations)
/// ```
public struct MLPFitHistory: Sendable, Hashable {
    /// Epochs run (sgd, adam) or L-BFGS iterations (`n_iter_`).
    public var iterations: Int
    /// Training rows seen by the optimizer, epochs × training rows (`t_`; 0 for lbfgs).
    public var samplesSeen: Int
    /// The training loss of the last epoch, penalty included (`loss_`).
    public var loss: Double
    /// The training loss of each epoch (`loss_curve_`; empty for lbfgs).
    public var lossCurve: [Double]
    /// The lowest training loss (`best_loss_`), or `nil` under `early_stopping` and for lbfgs.
    public var bestLoss: Double?
    /// The validation score after each epoch under `early_stopping` (`validation_scores_`:
    /// accuracy or r2, NaN when the outputs were not finite), else `nil`.
    public var validationScores: [Double]?
    /// The best validation score under `early_stopping`, whose weights the model keeps
    /// (`best_validation_score_`), else `nil`.
    public var bestValidationScore: Double?
    /// Whether the fit stopped by its own rule (no improvement of `tol` for
    /// `n_iter_no_change` epochs, or L-BFGS convergence) rather than after `max_iter`
    /// (when scikit-learn warns `ConvergenceWarning`).
    public var converged: Bool

    /// A history (normally made by the fit).
    ///
    /// - Parameters:
    ///   - iterations: `n_iter_`.
    ///   - samplesSeen: `t_`.
    ///   - loss: `loss_`.
    ///   - lossCurve: `loss_curve_`.
    ///   - bestLoss: `best_loss_`.
    ///   - validationScores: `validation_scores_`.
    ///   - bestValidationScore: `best_validation_score_`.
    ///   - converged: Whether the stopping rule ended the fit.
    public init(
        iterations: Int, samplesSeen: Int, loss: Double, lossCurve: [Double], bestLoss: Double?, validationScores: [Double]?,
        bestValidationScore: Double?, converged: Bool
    ) {
        self.iterations = iterations
        self.samplesSeen = samplesSeen
        self.loss = loss
        self.lossCurve = lossCurve
        self.bestLoss = bestLoss
        self.validationScores = validationScores
        self.bestValidationScore = bestValidationScore
        self.converged = converged
    }
}

extension MLPFitHistory: Codable {
    private enum CodingKeys: String, CodingKey {
        case iterations, samplesSeen, loss, lossCurve, bestLoss, validationScores, bestValidationScore, converged
    }

    /// Decodes a history written by ``encode(to:)``.
    ///
    /// - Throws: `DecodingError` for a malformed value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iterations = try container.decode(Int.self, forKey: .iterations)
        samplesSeen = try container.decode(Int.self, forKey: .samplesSeen)
        converged = try container.decode(Bool.self, forKey: .converged)
        loss = try MLPPacking.decodeScalar(forKey: .loss, in: container)
        lossCurve = try MLPPacking.decode(forKey: .lossCurve, in: container)
        bestLoss = try container.contains(.bestLoss) ? MLPPacking.decodeScalar(forKey: .bestLoss, in: container) : nil
        validationScores = try container.contains(.validationScores)
            ? MLPPacking.decode(forKey: .validationScores, in: container) : nil
        bestValidationScore = try container.contains(.bestValidationScore)
            ? MLPPacking.decodeScalar(forKey: .bestValidationScore, in: container) : nil
    }

    /// Encodes every real number as the base64 of its IEEE 754 bits, so NaN and infinite
    /// scores (which JSON has no numbers for) survive exactly.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(iterations, forKey: .iterations)
        try container.encode(samplesSeen, forKey: .samplesSeen)
        try container.encode(converged, forKey: .converged)
        try container.encode(MLPPacking.packed([loss]), forKey: .loss)
        try container.encode(MLPPacking.packed(lossCurve), forKey: .lossCurve)
        if let bestLoss { try container.encode(MLPPacking.packed([bestLoss]), forKey: .bestLoss) }
        if let validationScores { try container.encode(MLPPacking.packed(validationScores), forKey: .validationScores) }
        if let bestValidationScore { try container.encode(MLPPacking.packed([bestValidationScore]), forKey: .bestValidationScore) }
    }
}

/// Real arrays in perceptron payloads: base64 strings of little-endian IEEE 754 bits, 8
/// bytes per value (exact, compact, and NaN-safe), as tree payloads store their nodes.
enum MLPPacking {
    /// The base64 of `values`' little-endian bits.
    static func packed(_ values: [Double]) -> String {
        var bytes = [UInt8](repeating: 0, count: values.count * 8)
        bytes.withUnsafeMutableBytes { raw in
            for (index, value) in values.enumerated() {
                raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: index * 8, as: UInt64.self)
            }
        }
        return Data(bytes).base64EncodedString()
    }

    /// The values of a string written by ``packed(_:)``, or `nil` when it is not one.
    static func unpacked(_ text: String) -> [Double]? {
        guard let data = Data(base64Encoded: text), data.count % 8 == 0 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 8)).map { index in
                Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)))
            }
        }
    }

    /// Decodes a packed array under `key`.
    static func decode<Key: CodingKey>(forKey key: Key, in container: KeyedDecodingContainer<Key>) throws -> [Double] {
        guard let values = unpacked(try container.decode(String.self, forKey: key)) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "'\(key.stringValue)' is not base64 of whole 8-byte little-endian values")
        }
        return values
    }

    /// Decodes a packed single value under `key`.
    static func decodeScalar<Key: CodingKey>(forKey key: Key, in container: KeyedDecodingContainer<Key>) throws -> Double {
        let values = try decode(forKey: key, in: container)
        guard values.count == 1, let value = values.first else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "'\(key.stringValue)' must hold one value")
        }
        return value
    }
}
