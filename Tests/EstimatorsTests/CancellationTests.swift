import LinearAlgebra
import Scoring
import Testing
@testable import Estimators

@Suite("Cancellation: iterative fits stop when their FitCancellation is cancelled")
struct CancellationTests {
    static let iterative = [
        "LogisticRegression", "Lasso", "ElasticNet", "RandomForestClassifier", "RandomForestRegressor",
        "GradientBoostingClassifier", "GradientBoostingRegressor", "MLPClassifier", "MLPRegressor",
    ]

    /// A small separable problem: two blobs.
    static func data(task: PredictionTask) -> (Matrix, Targets) {
        var random = RandomSource(seed: 3)
        var x = Matrix(rows: 60, columns: 3)
        var classes: [Int] = []
        for i in 0..<60 {
            let label = i % 2
            for j in 0..<3 { x[i, j] = random.normal() + Double(label) * 2 }
            classes.append(label)
        }
        return (x, task == .classification ? .classes(classes, classCount: 2) : .values(classes.map { Double($0) * 10 + 0.1 }))
    }

    @Test("a cancelled flag stops the fit with EstimatorError.cancelled", arguments: iterative)
    func cancelledFitThrows(_ name: String) throws {
        let type = try EstimatorCatalog.standard.estimatorType(named: name)
        let estimator = try EstimatorCatalog.standard.makeEstimator(named: name)
        let (x, y) = Self.data(task: type.task)
        let cancellation = FitCancellation()
        cancellation.cancel()
        #expect(throws: EstimatorError.cancelled(estimator: name)) {
            try estimator.fit(x, y, context: FitContext(threads: 2, cancellation: cancellation))
        }
    }

    @Test("a flag with a timeout counts as cancelled once it passes, with no timer and no cancel() call")
    func deadlineWithoutTimer() throws {
        // Read before the flag is made: its deadline counts from its own creation, a moment later.
        let started = ContinuousClock.now
        let flag = FitCancellation(timeout: .milliseconds(80))
        #expect(!flag.isCancelled && !flag.isPastDeadline)
        let context = FitContext(threads: 1, cancellation: flag)
        #expect(throws: Never.self) { try context.checkCancellation("Test") }
        while !flag.isPastDeadline && ContinuousClock.now - started < .seconds(10) {}  // a fitting loop's busy wait
        #expect(ContinuousClock.now - started >= .milliseconds(80), "not before its deadline")
        #expect(flag.isCancelled && flag.isPastDeadline)
        #expect(throws: EstimatorError.cancelled(estimator: "Test")) { try context.checkCancellation("Test") }
        #expect(!FitCancellation().isPastDeadline && !FitCancellation(timeout: .seconds(3_600)).isCancelled)
        let cancelled = FitCancellation(timeout: .seconds(3_600))
        cancelled.cancel()
        #expect(cancelled.isCancelled && !cancelled.isPastDeadline)
    }

    @Test("an uncancelled flag changes nothing", arguments: iterative)
    func uncancelledFitSucceeds(_ name: String) throws {
        let type = try EstimatorCatalog.standard.estimatorType(named: name)
        let estimator = try EstimatorCatalog.standard.makeEstimator(named: name)
        let (x, y) = Self.data(task: type.task)
        let plain = try estimator.fit(x, y, context: FitContext(threads: 2)).predict(x)
        let flagged = try estimator.fit(x, y, context: FitContext(threads: 2, cancellation: FitCancellation())).predict(x)
        #expect(plain == flagged)
    }
}
