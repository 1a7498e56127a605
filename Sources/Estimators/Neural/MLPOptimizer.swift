import Foundation

/// scikit-learn's stochastic optimizers (`_stochastic_optimizers.py`) on packed parameters:
/// Adam with its bias correction folded into the step size, and SGD with (Nesterov's)
/// momentum and the constant, inverse-scaling or adaptive learning rate.
struct MLPOptimizer {
    enum Method {
        case adam(beta1: Double, beta2: Double, epsilon: Double)
        case sgd(momentum: Double, nesterov: Bool, schedule: MLPLearningRateSchedule, powerT: Double)
    }

    let method: Method
    let learningRateInit: Double
    /// The current learning rate (Adam's includes the bias correction of the last step).
    private(set) var learningRate: Double
    /// Updates made (Adam's `t`).
    private(set) var steps = 0
    /// Adam's first moments, or SGD's velocities.
    private var first: [Double]
    /// Adam's second moments.
    private var second: [Double]

    init(_ method: Method, learningRateInit: Double, parameterCount: Int) {
        self.method = method
        self.learningRateInit = learningRateInit
        learningRate = learningRateInit
        first = [Double](repeating: 0, count: parameterCount)
        if case .adam = method {
            second = [Double](repeating: 0, count: parameterCount)
        } else {
            second = []
        }
    }

    /// The optimizer `settings` ask for.
    init(_ settings: MLPSettings, parameterCount: Int) {
        let method: Method = settings.solver == .sgd
            ? .sgd(momentum: settings.momentum, nesterov: settings.nesterovsMomentum, schedule: settings.learningRate,
                   powerT: settings.powerT)
            : .adam(beta1: settings.beta1, beta2: settings.beta2, epsilon: settings.epsilon)
        self.init(method, learningRateInit: settings.learningRateInit, parameterCount: parameterCount)
    }

    /// One step: `parameters += update(gradient)`.
    ///
    /// - Complexity: O(parameters).
    mutating func update(_ parameters: UnsafeMutablePointer<Double>, gradient: UnsafePointer<Double>) {
        let count = first.count
        switch method {
        case let .adam(beta1, beta2, epsilon):
            steps += 1
            let t = Double(steps)
            learningRate = learningRateInit * (1 - Foundation.pow(beta2, t)).squareRoot() / (1 - Foundation.pow(beta1, t))
            let rate = learningRate, whole = count / 4 * 4
            first.withUnsafeMutableBufferPointer { firstBuffer in
                second.withUnsafeMutableBufferPointer { secondBuffer in
                    guard let m = firstBuffer.baseAddress, let v = secondBuffer.baseAddress else { return }
                    // Four parameters per step, each computed exactly as the scalar tail.
                    let (b1, b2, e, r) = (SIMD4(repeating: beta1), SIMD4(repeating: beta2), SIMD4(repeating: epsilon), SIMD4(repeating: -rate))
                    for i in stride(from: 0, to: whole, by: 4) {
                        let g = MLPKernels.load(gradient, i)
                        let mi = b1 * MLPKernels.load(m, i) + (1 - b1) * g
                        let vi = b2 * MLPKernels.load(v, i) + (1 - b2) * (g * g)
                        MLPKernels.store(mi, m, i)
                        MLPKernels.store(vi, v, i)
                        MLPKernels.store(MLPKernels.load(parameters, i) + r * mi / (vi.squareRoot() + e), parameters, i)
                    }
                    for i in whole..<count {
                        let g = gradient[i]
                        m[i] = beta1 * m[i] + (1 - beta1) * g
                        v[i] = beta2 * v[i] + (1 - beta2) * (g * g)
                        parameters[i] += -rate * m[i] / (v[i].squareRoot() + epsilon)
                    }
                }
            }
        case let .sgd(momentum, nesterov, _, _):
            steps += 1
            let rate = learningRate
            first.withUnsafeMutableBufferPointer { velocity in
                for i in 0..<count {
                    let g = gradient[i]
                    let update = momentum * velocity[i] - rate * g
                    velocity[i] = update
                    parameters[i] += nesterov ? momentum * update - rate * g : update
                }
            }
        }
    }

    /// The end of an epoch: `learning_rate='invscaling'` becomes
    /// `learning_rate_init / (samples + 1)^power_t`.
    mutating func iterationEnds(samplesSeen: Int) {
        if case let .sgd(_, _, schedule, powerT) = method, schedule == .invscaling {
            learningRate = learningRateInit / Foundation.pow(Double(samplesSeen + 1), powerT)
        }
    }

    /// Whether to stop once `n_iter_no_change` epochs brought no improvement: always,
    /// except for `learning_rate='adaptive'`, which divides the rate by 5 and goes on until
    /// it is at most 1e-6.
    mutating func shouldStop() -> Bool {
        guard case let .sgd(_, _, schedule, _) = method, schedule == .adaptive else { return true }
        if learningRate <= 1e-6 { return true }
        learningRate /= 5
        return false
    }
}
