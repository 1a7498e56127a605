public import LinearAlgebra
public import Scoring

/// Checks shared by every estimator before fitting and every model before predicting.
public enum InputValidation {
    /// Throws naming the first NaN or infinity in `x`.
    ///
    /// - Complexity: O(rows × columns): a vectorizable sum of `v · 0` (NaN exactly when
    ///   some `v` is NaN or infinite), then a search only when that finds one.
    public static func requireFinite(_ x: Matrix, estimator: String) throws(EstimatorError) {
        let poisoned = x.withUnsafeElements { elements -> Bool in
            // Four independent lanes so the adds pipeline (and vectorize).
            var lanes = SIMD4<Double>()
            let count = elements.count, whole = count / 4 * 4
            var index = 0
            while index < whole {
                lanes += SIMD4(elements[index], elements[index + 1], elements[index + 2], elements[index + 3]) * 0
                index += 4
            }
            var tail = 0.0
            while index < count { tail += elements[index] * 0; index += 1 }
            return (lanes.sum() + tail).isNaN
        }
        guard poisoned else { return }
        let offset: Int? = x.withUnsafeElements { $0.firstIndex { !$0.isFinite } }
        if let offset {
            throw .nonFiniteFeature(estimator: estimator, row: offset / max(x.columns, 1), column: offset % max(x.columns, 1))
        }
    }

    /// Checks `x` and `y` for fitting: equal row counts, at least `minimumRows` rows,
    /// finite values, class indices in range and at least two classes present for
    /// classifiers, values for regressors.
    ///
    /// Pass `checkFeatures: false` only when the estimator's own first pass over `x`
    /// propagates NaN and infinity into a result it checks (then calls
    /// ``requireFinite(_:estimator:)`` to name the culprit), saving a pass over the data.
    ///
    /// - Returns: The class indices (classifiers) or values (regressors).
    @discardableResult
    public static func checkFit(
        _ x: Matrix, _ y: Targets, estimator: String, task: PredictionTask, minimumRows: Int = 1,
        checkFeatures: Bool = true
    ) throws(EstimatorError) -> (classes: [Int], classCount: Int, values: [Double]) {
        guard x.rows == y.count else {
            throw .shapeMismatch(estimator: estimator, details: "X has \(x.rows) rows but y has \(y.count) values")
        }
        guard x.rows >= minimumRows else {
            throw .tooFewSamples(estimator: estimator, needed: minimumRows, got: x.rows, reason: "training rows")
        }
        guard x.columns > 0 else { throw .shapeMismatch(estimator: estimator, details: "X has no feature columns") }
        if checkFeatures { try requireFinite(x, estimator: estimator) }
        switch (y, task) {
        case let (.classes(classes, classCount), .classification):
            if let row = classes.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
                throw .invalidClass(estimator: estimator, row: row, value: classes[row], classCount: classCount)
            }
            guard classCount >= 2, Set(classes).count >= 2 else { throw .singleClass(estimator: estimator) }
            return (classes, classCount, [])
        case let (.values(values), .regression):
            if let row = values.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteTarget(estimator: estimator, row: row) }
            return ([], 0, values)
        case (.values, .classification):
            throw .shapeMismatch(estimator: estimator, details: "a classifier needs class indices, got real values")
        case (.classes, .regression):
            throw .shapeMismatch(estimator: estimator, details: "a regressor needs real values, got class indices")
        }
    }

    /// Checks `x` for predicting: the fitted feature count and finite values.
    public static func checkPredict(_ x: Matrix, featureCount: Int, estimator: String) throws(EstimatorError) {
        guard x.columns == featureCount else {
            throw .featureCountMismatch(estimator: estimator, expected: featureCount, actual: x.columns)
        }
        try requireFinite(x, estimator: estimator)
    }
}
