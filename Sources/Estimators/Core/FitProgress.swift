/// One finished iteration of an iterative fit, as reported to ``FitContext/progress``.
///
/// Estimators that report it: ``MLPClassifier`` and ``MLPRegressor`` (one report per
/// epoch, with the training loss and, under `early_stopping`, the validation score; one
/// per iteration with the loss for `solver='lbfgs'`).
///
/// ```swift
/// let context = FitContext(threads: 2, progress: { step in
///     print("epoch \(step.iteration)/\(step.maxIterations): loss \(step.loss ?? .nan)")
/// })
/// let model = try estimator.fit(x, y, context: context)
/// ```
public struct FitProgress: Sendable, Hashable {
    /// The estimator reporting.
    public var estimator: String
    /// The iteration just finished, from 1 (an epoch, or an L-BFGS iteration, for the
    /// multi-layer perceptrons).
    public var iteration: Int
    /// The most iterations the fit may run (`max_iter`); it may stop before.
    public var maxIterations: Int
    /// The training loss after the iteration, when the estimator computes one.
    public var loss: Double?
    /// The score on the estimator's own validation rows after the iteration (accuracy
    /// for classifiers, r2 for regressors), when it keeps some aside.
    public var validationScore: Double?

    /// A progress report.
    ///
    /// - Parameters:
    ///   - estimator: The estimator reporting.
    ///   - iteration: The iteration just finished, from 1.
    ///   - maxIterations: The most iterations the fit may run.
    ///   - loss: The training loss after the iteration.
    ///   - validationScore: The validation score after the iteration.
    public init(estimator: String, iteration: Int, maxIterations: Int, loss: Double? = nil, validationScore: Double? = nil) {
        self.estimator = estimator
        self.iteration = iteration
        self.maxIterations = maxIterations
        self.loss = loss
        self.validationScore = validationScore
    }
}

extension FitContext {
    /// Passes `step` to ``progress``, if any.
    public func report(_ step: FitProgress) {
        progress?(step)
    }
}
