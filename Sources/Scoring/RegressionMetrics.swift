/// Regression metrics, following scikit-learn's definitions (with `force_finite=True`:
/// r2 and explained variance of a constant truth are 1 for a perfect fit, else 0).
enum RegressionMetrics {
    static func mean(_ values: [Double]) -> Double {
        values.reduce(0, +) / Double(values.count)
    }

    static func r2(_ truth: [Double], _ predicted: [Double]) -> Double {
        let average = mean(truth)
        let residual = zip(truth, predicted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let total = truth.reduce(0) { $0 + ($1 - average) * ($1 - average) }
        return finite(numerator: residual, denominator: total)
    }

    static func explainedVariance(_ truth: [Double], _ predicted: [Double]) -> Double {
        let differences = zip(truth, predicted).map { $0 - $1 }
        let differenceMean = mean(differences)
        let numerator = mean(differences.map { ($0 - differenceMean) * ($0 - differenceMean) })
        let truthMean = mean(truth)
        let denominator = mean(truth.map { ($0 - truthMean) * ($0 - truthMean) })
        return finite(numerator: numerator, denominator: denominator)
    }

    private static func finite(numerator: Double, denominator: Double) -> Double {
        if denominator == 0 { return numerator == 0 ? 1 : 0 }
        return 1 - numerator / denominator
    }

    static func meanSquaredError(_ truth: [Double], _ predicted: [Double]) -> Double {
        mean(zip(truth, predicted).map { ($0 - $1) * ($0 - $1) })
    }

    static func rootMeanSquaredError(_ truth: [Double], _ predicted: [Double]) -> Double {
        meanSquaredError(truth, predicted).squareRoot()
    }

    static func meanAbsoluteError(_ truth: [Double], _ predicted: [Double]) -> Double {
        mean(zip(truth, predicted).map { abs($0 - $1) })
    }

    static func meanAbsolutePercentageError(_ truth: [Double], _ predicted: [Double]) -> Double {
        mean(zip(truth, predicted).map { abs($0 - $1) / max(abs($0), Double.ulpOfOne) })
    }

    static func medianAbsoluteError(_ truth: [Double], _ predicted: [Double]) -> Double {
        let errors = zip(truth, predicted).map { abs($0 - $1) }.sorted()
        let middle = errors.count / 2
        return errors.count % 2 == 1 ? errors[middle] : (errors[middle - 1] + errors[middle]) / 2
    }

    static func maxError(_ truth: [Double], _ predicted: [Double]) -> Double {
        zip(truth, predicted).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}
