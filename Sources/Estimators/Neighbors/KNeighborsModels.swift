public import LinearAlgebra
public import Scoring

/// A fitted ``KNeighborsRegressor``: the training rows and targets it searches.
public struct KNeighborsRegressorModel: PersistableModel, Hashable {
    /// The kind written into payloads.
    public static let payloadKind = "KNeighborsRegressorModel"

    /// The estimator that produced the model.
    public let estimatorName: String
    /// The number of features the model was fitted on.
    public let featureCount: Int
    /// `n_neighbors`.
    public let neighborCount: Int
    /// `weights`.
    public let weights: NeighborWeights
    /// The training rows, row-major (`targets.count × featureCount`).
    public let trainingRows: [Double]
    /// One target per training row.
    public let targets: [Double]

    /// The prediction task: regression.
    public var task: PredictionTask { .regression }

    /// A model from its parameters (normally made by ``KNeighborsRegressor``).
    ///
    /// - Parameters:
    ///   - estimatorName: The estimator that produced it.
    ///   - featureCount: The number of features.
    ///   - neighborCount: `n_neighbors`, at most the number of training rows.
    ///   - weights: How the neighbours' targets are weighted.
    ///   - trainingRows: The training rows, row-major.
    ///   - targets: One target per training row.
    /// - Throws: ``EstimatorError/invalidPayload(_:)`` when the parameters are inconsistent
    ///   (see ``validate()``).
    public init(estimatorName: String, featureCount: Int, neighborCount: Int, weights: NeighborWeights,
                trainingRows: [Double], targets: [Double]) throws(EstimatorError) {
        self.estimatorName = estimatorName
        self.featureCount = featureCount
        self.neighborCount = neighborCount
        self.weights = weights
        self.trainingRows = trainingRows
        self.targets = targets
        try validate()
    }

    /// The mean target of each row's `n_neighbors` nearest training rows (weighted by
    /// inverse distance with `weights = 'distance'`).
    ///
    /// - Parameter x: One row per sample.
    /// - Throws: ``EstimatorError/featureCountMismatch(estimator:expected:actual:)`` or
    ///   ``EstimatorError/nonFiniteFeature(estimator:row:column:)``.
    /// - Complexity: O(rows × training rows × features), one gemm per block of rows.
    public func predict(_ x: Matrix) throws(EstimatorError) -> [Double] {
        try InputValidation.checkPredict(x, featureCount: featureCount, estimator: estimatorName)
        let k = neighborCount
        let (indices, distances) = try nearestNeighbors(x, estimator: estimatorName, trainingRows: trainingRows,
                                                        featureCount: featureCount, k: k)
        return (0..<x.rows).map { i in
            let offset = i * k
            if let w = weights.weights(distances, offset: offset, k: k) {
                var numerator = 0.0, denominator = 0.0
                for r in 0..<k {
                    numerator += w[r] * targets[indices[offset + r]]
                    denominator += w[r]
                }
                return numerator / denominator
            }
            var sum = 0.0
            for r in 0..<k { sum += targets[indices[offset + r]] }
            return sum / Double(k)
        }
    }

    /// Checks the parameters after decoding: at least one feature, `1 ≤ n_neighbors ≤`
    /// training rows, `trainingRows.count = targets.count × featureCount`, finite values.
    ///
    /// - Throws: ``EstimatorError/invalidPayload(_:)``.
    public func validate() throws(EstimatorError) {
        try validateNeighborStore(kind: Self.payloadKind, featureCount: featureCount, neighborCount: neighborCount,
                                  trainingRows: trainingRows, rowCount: targets.count)
        guard targets.allSatisfy(\.isFinite) else { throw .invalidPayload("\(Self.payloadKind) targets must be finite") }
    }
}

/// A fitted ``KNeighborsClassifier``: the training rows and classes it searches.
public struct KNeighborsClassifierModel: PersistableModel, TrainedClassifier, Hashable {
    /// The kind written into payloads.
    public static let payloadKind = "KNeighborsClassifierModel"

    /// The estimator that produced the model.
    public let estimatorName: String
    /// The number of features the model was fitted on.
    public let featureCount: Int
    /// The number of classes of the task.
    public let classCount: Int
    /// `n_neighbors`.
    public let neighborCount: Int
    /// `weights`.
    public let weights: NeighborWeights
    /// The training rows, row-major (`labels.count × featureCount`).
    public let trainingRows: [Double]
    /// One class index per training row.
    public let labels: [Int]

    /// A model from its parameters (normally made by ``KNeighborsClassifier``).
    ///
    /// - Parameters:
    ///   - estimatorName: The estimator that produced it.
    ///   - featureCount: The number of features.
    ///   - classCount: The number of classes.
    ///   - neighborCount: `n_neighbors`, at most the number of training rows.
    ///   - weights: How the neighbours' votes are weighted.
    ///   - trainingRows: The training rows, row-major.
    ///   - labels: One class index in `0..<classCount` per training row.
    /// - Throws: ``EstimatorError/invalidPayload(_:)`` when the parameters are inconsistent
    ///   (see ``validate()``).
    public init(estimatorName: String, featureCount: Int, classCount: Int, neighborCount: Int, weights: NeighborWeights,
                trainingRows: [Double], labels: [Int]) throws(EstimatorError) {
        self.estimatorName = estimatorName
        self.featureCount = featureCount
        self.classCount = classCount
        self.neighborCount = neighborCount
        self.weights = weights
        self.trainingRows = trainingRows
        self.labels = labels
        try validate()
    }

    /// The (weighted) votes of each row's nearest neighbours, one column per class.
    private func votes(_ x: Matrix) throws(EstimatorError) -> Matrix {
        try InputValidation.checkPredict(x, featureCount: featureCount, estimator: estimatorName)
        let k = neighborCount
        let (indices, distances) = try nearestNeighbors(x, estimator: estimatorName, trainingRows: trainingRows,
                                                        featureCount: featureCount, k: k)
        var votes = Matrix(rows: x.rows, columns: classCount)
        let labels = self.labels, classCount = self.classCount, weights = self.weights
        votes.withUnsafeMutableElements { v in
            for i in 0..<x.rows {
                let offset = i * k
                let w = weights.weights(distances, offset: offset, k: k)
                for r in 0..<k { v[i * classCount + labels[indices[offset + r]]] += w?[r] ?? 1 }
            }
        }
        return votes
    }

    /// The vote shares of each row's `n_neighbors` nearest training rows (weighted by
    /// inverse distance with `weights = 'distance'`).
    ///
    /// - Parameter x: One row per sample.
    /// - Returns: One row per sample, one column per class, rows summing to 1.
    /// - Throws: as ``predict(_:)``.
    /// - Complexity: O(rows × training rows × features), one gemm per block of rows.
    public func predictProbabilities(_ x: Matrix) throws(EstimatorError) -> Matrix {
        var shares = try votes(x)
        let classCount = self.classCount
        shares.withUnsafeMutableElements { v in
            for i in 0..<x.rows {
                var total = 0.0
                for c in 0..<classCount { total += v[i * classCount + c] }
                for c in 0..<classCount { v[i * classCount + c] /= total }
            }
        }
        return shares
    }

    /// The most voted class of each row's `n_neighbors` nearest training rows (the lowest
    /// class index on ties).
    ///
    /// - Parameter x: One row per sample.
    /// - Returns: Class indices as `Double`.
    /// - Throws: ``EstimatorError/featureCountMismatch(estimator:expected:actual:)`` or
    ///   ``EstimatorError/nonFiniteFeature(estimator:row:column:)``.
    /// - Complexity: O(rows × training rows × features), one gemm per block of rows.
    public func predict(_ x: Matrix) throws(EstimatorError) -> [Double] {
        let votes = try votes(x)
        let classCount = self.classCount
        return votes.withUnsafeElements { v in
            (0..<x.rows).map { i in
                var best = 0
                for c in 1..<classCount where v[i * classCount + c] > v[i * classCount + best] { best = c }
                return Double(best)
            }
        }
    }

    /// Checks the parameters after decoding: at least one feature and two classes,
    /// `1 ≤ n_neighbors ≤` training rows, `trainingRows.count = labels.count × featureCount`,
    /// finite values, labels in `0..<classCount`.
    ///
    /// - Throws: ``EstimatorError/invalidPayload(_:)``.
    public func validate() throws(EstimatorError) {
        try validateNeighborStore(kind: Self.payloadKind, featureCount: featureCount, neighborCount: neighborCount,
                                  trainingRows: trainingRows, rowCount: labels.count)
        guard classCount >= 2, labels.allSatisfy({ $0 >= 0 && $0 < classCount }) else {
            throw .invalidPayload("\(Self.payloadKind) labels must lie in 0..<classCount with classCount ≥ 2")
        }
    }
}

/// The shared checks of the neighbours models' stored training rows.
private func validateNeighborStore(
    kind: String, featureCount: Int, neighborCount: Int, trainingRows: [Double], rowCount: Int
) throws(EstimatorError) {
    guard featureCount >= 1 else { throw .invalidPayload("\(kind) needs at least one feature") }
    let (expected, overflow) = rowCount.multipliedReportingOverflow(by: featureCount)
    guard !overflow, trainingRows.count == expected else {
        throw .invalidPayload("\(kind) holds \(trainingRows.count) training values for \(rowCount) rows of \(featureCount) features")
    }
    guard neighborCount >= 1, neighborCount <= rowCount else {
        throw .invalidPayload("\(kind) n_neighbors = \(neighborCount) needs 1…\(rowCount)")
    }
    guard trainingRows.allSatisfy(\.isFinite) else { throw .invalidPayload("\(kind) training rows must be finite") }
}

/// The k nearest stored training rows of every row of `x`.
private func nearestNeighbors(
    _ x: Matrix, estimator: String, trainingRows: [Double], featureCount: Int, k: Int
) throws(EstimatorError) -> (indices: [Int], distances: [Double]) {
    do throws(LinearAlgebraError) {
        let training = try Matrix(rows: trainingRows.count / featureCount, columns: featureCount, elements: trainingRows)
        return try NeighborSearch(training).nearest(x, k: k)
    } catch {
        throw .linearAlgebra(estimator: estimator, error)
    }
}
