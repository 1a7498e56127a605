import LinearAlgebra

/// A limited-memory BFGS minimizer for smooth unconstrained problems, configured like
/// SciPy's L-BFGS-B as scikit-learn calls it for `LogisticRegression(solver="lbfgs")`:
/// 10 correction pairs, the Moré–Thuente line search (MINPACK-2 `dcsrch`, with
/// `ftol = 1e-3`, `gtol = 0.9`, `xtol = 0.1`) of at most `maxls = 50` evaluations, a first
/// step of `1/‖d‖` whenever there is no curvature information, and SciPy's stopping rules:
/// `max|∇f| ≤ gtol` (`tol`), or a relative decrease `(fₖ − fₖ₊₁)/max(|fₖ|, |fₖ₊₁|, 1)` of at
/// most `64·ε` (`ftol`), or `maxiter` iterations.
struct LBFGS {
    /// Why the minimizer stopped.
    enum Status: Equatable {
        /// `max|∇f| ≤ gradientTolerance`.
        case gradientConverged
        /// The relative decrease of `f` fell to `functionTolerance`.
        case functionConverged
        /// `maxIterations` iterations ran.
        case maxIterations
        /// The line search found no acceptable step even along `−∇f`.
        case lineSearchFailed
        /// `isCancelled` returned true between iterations.
        case cancelled
    }

    /// The minimizer's outcome.
    struct Result {
        var x: [Double]
        var value: Double
        var gradient: [Double]
        var iterations: Int
        var status: Status
    }

    /// The objective: its value and gradient at a point.
    typealias Objective = (_ x: [Double]) throws(LinearAlgebraError) -> (value: Double, gradient: [Double])

    var maxIterations: Int
    var gradientTolerance: Double
    var functionTolerance = 64 * Double.ulpOfOne
    var memory = 10
    var maxLineSearchEvaluations = 50
    /// Checked before every iteration; `true` stops the minimizer with ``Status/cancelled``.
    var isCancelled: () -> Bool = { false }
    /// Called after every iteration with the iteration count and the objective's value.
    var iterationEnded: (_ iteration: Int, _ value: Double) -> Void = { _, _ in }

    /// Minimizes `objective` from `start`.
    ///
    /// - Throws: whatever `objective` throws.
    /// - Complexity: O(memory × n) per iteration plus the objective evaluations.
    func minimize(from start: [Double], _ objective: Objective) throws(LinearAlgebraError) -> Result {
        var x = start
        var (f, g) = try objective(x)
        if maxAbs(g) <= gradientTolerance {
            return Result(x: x, value: f, gradient: g, iterations: 0, status: .gradientConverged)
        }
        var pairs: [(s: [Double], y: [Double], rho: Double)] = []
        var iterations = 0
        while iterations < maxIterations {
            if isCancelled() { return Result(x: x, value: f, gradient: g, iterations: iterations, status: .cancelled) }
            var direction = try searchDirection(g, pairs)
            var slope = try BLAS.dot(g, direction)
            if !(slope < 0) {
                // Rounding made the quasi-Newton direction uphill: restart from −∇f.
                pairs.removeAll()
                direction = g.map { -$0 }
                slope = try BLAS.dot(g, direction)
            }
            let initialStep = pairs.isEmpty ? Swift.min(1 / (try BLAS.nrm2(direction)), 1e10) : 1
            guard let step = try lineSearch(x, f, slope, direction, initialStep: initialStep, objective) else {
                if pairs.isEmpty {
                    return Result(x: x, value: f, gradient: g, iterations: iterations, status: .lineSearchFailed)
                }
                pairs.removeAll()  // as L-BFGS-B: forget the curvature pairs and retry along −∇f
                continue
            }
            iterations += 1
            var s = step.x, y = step.gradient
            try BLAS.axpy(-1, x, &s)
            try BLAS.axpy(-1, g, &y)
            let previous = f
            (x, f, g) = (step.x, step.value, step.gradient)
            iterationEnded(iterations, f)
            if maxAbs(g) <= gradientTolerance {
                return Result(x: x, value: f, gradient: g, iterations: iterations, status: .gradientConverged)
            }
            if previous - f <= functionTolerance * Swift.max(abs(previous), abs(f), 1) {
                return Result(x: x, value: f, gradient: g, iterations: iterations, status: .functionConverged)
            }
            let sy = try BLAS.dot(s, y), yy = try BLAS.dot(y, y)
            if sy > Double.ulpOfOne * yy {
                if pairs.count == memory { pairs.removeFirst() }
                pairs.append((s, y, 1 / sy))
            }
        }
        return Result(x: x, value: f, gradient: g, iterations: iterations, status: .maxIterations)
    }

    /// `−H·g` by the two-loop recursion, with `H₀ = (sᵀy / yᵀy)·I` from the newest pair.
    private func searchDirection(_ g: [Double], _ pairs: [(s: [Double], y: [Double], rho: Double)]) throws(LinearAlgebraError) -> [Double] {
        var q = g.map { -$0 }
        guard let newest = pairs.last else { return q }
        var alphas = [Double](repeating: 0, count: pairs.count)
        for i in pairs.indices.reversed() {
            alphas[i] = pairs[i].rho * (try BLAS.dot(pairs[i].s, q))
            try BLAS.axpy(-alphas[i], pairs[i].y, &q)
        }
        try BLAS.scal(1 / (newest.rho * (try BLAS.dot(newest.y, newest.y))), &q)
        for i in pairs.indices {
            let beta = pairs[i].rho * (try BLAS.dot(pairs[i].y, q))
            try BLAS.axpy(alphas[i] - beta, pairs[i].s, &q)
        }
        return q
    }

    /// A step satisfying the strong Wolfe conditions along `direction`, or `nil`.
    private func lineSearch(
        _ x: [Double], _ f: Double, _ slope: Double, _ direction: [Double], initialStep: Double, _ objective: Objective
    ) throws(LinearAlgebraError) -> (x: [Double], value: Double, gradient: [Double])? {
        var search = MoreThuenteSearch(value: f, slope: slope, step: initialStep, stepMax: 1e10)
        var step = initialStep
        for _ in 0..<maxLineSearchEvaluations {
            var trial = x
            try BLAS.axpy(step, direction, &trial)
            let (value, gradient) = try objective(trial)
            guard value.isFinite, gradient.allSatisfy(\.isFinite) else { return nil }
            let trialSlope = try BLAS.dot(gradient, direction)
            switch search.next(value: value, slope: trialSlope, step: &step) {
            case .accept: return (trial, value, gradient)
            case .evaluate: continue
            case .fail: return nil
            }
        }
        return nil
    }

    private func maxAbs(_ v: [Double]) -> Double {
        v.reduce(0) { Swift.max($0, abs($1)) }
    }
}

/// The Moré–Thuente line search (MINPACK-2 `dcsrch` / `dcstep`), which finds a step
/// satisfying the strong Wolfe conditions `f(t) ≤ f(0) + ftol·t·f′(0)` and
/// `|f′(t)| ≤ gtol·|f′(0)|` by safeguarded cubic and quadratic interpolation.
struct MoreThuenteSearch {
    enum Outcome { case accept, evaluate, fail }

    let ftol = 1e-3, gtol = 0.9, xtol = 0.1
    let stepMin = 0.0, stepMax: Double
    let initialValue: Double, initialSlope: Double
    var bracketed = false
    var stage = 1
    var width: Double, previousWidth: Double
    var stx = 0.0, fx: Double, gx: Double
    var sty = 0.0, fy: Double, gy: Double
    var lower = 0.0, upper: Double

    /// Starts a search from `f(0) = value`, `f′(0) = slope < 0` with a first trial `step`.
    init(value: Double, slope: Double, step: Double, stepMax: Double) {
        self.stepMax = stepMax
        initialValue = value
        initialSlope = slope
        width = stepMax - stepMin
        previousWidth = 2 * width
        fx = value; gx = slope
        fy = value; gy = slope
        upper = step + 4 * step
    }

    /// Takes the value and slope at the current `step` and either accepts it or moves
    /// `step` to the next trial.
    mutating func next(value f: Double, slope g: Double, step: inout Double) -> Outcome {
        let gtest = ftol * initialSlope
        let ftest = initialValue + step * gtest
        if stage == 1 && f <= ftest && g >= 0 { stage = 2 }
        if f <= ftest && abs(g) <= gtol * -initialSlope { return .accept }
        // Warnings of dcsrch: the step is accepted as it is (as L-BFGS-B does), except at
        // the lower bound 0, where there is no step to take.
        if step == stepMin && (f > ftest || g >= gtest) { return .fail }
        if bracketed && (step <= lower || step >= upper) { return .accept }
        if bracketed && upper - lower <= xtol * upper { return .accept }
        if step == stepMax && f <= ftest && g <= gtest { return .accept }

        var stp = step
        if stage == 1 && f <= fx && f > ftest {
            // A modified function (f − t·gtest) while the sufficient decrease is not met.
            var fm = f - stp * gtest, fxm = fx - stx * gtest, fym = fy - sty * gtest
            var gm = g - gtest, gxm = gx - gtest, gym = gy - gtest
            Self.cstep(&stx, &fxm, &gxm, &sty, &fym, &gym, &stp, &fm, &gm, &bracketed, lower, upper)
            fx = fxm + stx * gtest; fy = fym + sty * gtest
            gx = gxm + gtest; gy = gym + gtest
        } else {
            var fp = f, gp = g
            Self.cstep(&stx, &fx, &gx, &sty, &fy, &gy, &stp, &fp, &gp, &bracketed, lower, upper)
        }
        if bracketed {
            if abs(sty - stx) >= 0.66 * previousWidth { stp = stx + 0.5 * (sty - stx) }
            previousWidth = width
            width = abs(sty - stx)
        }
        if bracketed {
            lower = Swift.min(stx, sty)
            upper = Swift.max(stx, sty)
        } else {
            lower = stp + 1.1 * (stp - stx)
            upper = stp + 4 * (stp - stx)
        }
        stp = Swift.min(Swift.max(stp, stepMin), stepMax)
        if (bracketed && (stp <= lower || stp >= upper)) || (bracketed && upper - lower <= xtol * upper) { stp = stx }
        step = stp
        return .evaluate
    }

    /// MINPACK-2 `dcstep`: a safeguarded step from the interval `[stx, sty]` and the trial
    /// `stp`, updating the interval.
    private static func cstep(
        _ stx: inout Double, _ fx: inout Double, _ dx: inout Double,
        _ sty: inout Double, _ fy: inout Double, _ dy: inout Double,
        _ stp: inout Double, _ fp: inout Double, _ dp: inout Double,
        _ bracketed: inout Bool, _ stpmin: Double, _ stpmax: Double
    ) {
        let sgnd = dp * (dx / abs(dx))
        let stpf: Double
        if fp > fx {
            // Higher value: the minimum is bracketed; cubic or a cubic/quadratic mix.
            let theta = 3 * (fx - fp) / (stp - stx) + dx + dp
            let s = Swift.max(abs(theta), abs(dx), abs(dp))
            var gamma = s * ((theta / s) * (theta / s) - (dx / s) * (dp / s)).squareRoot()
            if stp < stx { gamma = -gamma }
            let p = (gamma - dx) + theta
            let q = ((gamma - dx) + gamma) + dp
            let stpc = stx + (p / q) * (stp - stx)
            let stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2) * (stp - stx)
            stpf = abs(stpc - stx) < abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2
            bracketed = true
        } else if sgnd < 0 {
            // Lower value, derivatives of opposite sign: bracketed; cubic or secant.
            let theta = 3 * (fx - fp) / (stp - stx) + dx + dp
            let s = Swift.max(abs(theta), abs(dx), abs(dp))
            var gamma = s * ((theta / s) * (theta / s) - (dx / s) * (dp / s)).squareRoot()
            if stp > stx { gamma = -gamma }
            let p = (gamma - dp) + theta
            let q = ((gamma - dp) + gamma) + dx
            let stpc = stp + (p / q) * (stx - stp)
            let stpq = stp + (dp / (dp - dx)) * (stx - stp)
            stpf = abs(stpc - stp) > abs(stpq - stp) ? stpc : stpq
            bracketed = true
        } else if abs(dp) < abs(dx) {
            // Lower value, same-sign derivative decreasing in magnitude.
            let theta = 3 * (fx - fp) / (stp - stx) + dx + dp
            let s = Swift.max(abs(theta), abs(dx), abs(dp))
            var gamma = s * Swift.max(0, (theta / s) * (theta / s) - (dx / s) * (dp / s)).squareRoot()
            if stp > stx { gamma = -gamma }
            let p = (gamma - dp) + theta
            let q = (gamma + (dx - dp)) + gamma
            let r = p / q
            let stpc: Double
            if r < 0 && gamma != 0 {
                stpc = stp + r * (stx - stp)
            } else {
                stpc = stp > stx ? stpmax : stpmin
            }
            let stpq = stp + (dp / (dp - dx)) * (stx - stp)
            if bracketed {
                var candidate = abs(stpc - stp) < abs(stpq - stp) ? stpc : stpq
                candidate = stp > stx ? Swift.min(stp + 0.66 * (sty - stp), candidate)
                    : Swift.max(stp + 0.66 * (sty - stp), candidate)
                stpf = candidate
            } else {
                let candidate = abs(stpc - stp) > abs(stpq - stp) ? stpc : stpq
                stpf = Swift.max(stpmin, Swift.min(stpmax, candidate))
            }
        } else {
            // Lower value, same-sign derivative not decreasing: cubic on [stp, sty] or a bound.
            if bracketed {
                let theta = 3 * (fp - fy) / (sty - stp) + dy + dp
                let s = Swift.max(abs(theta), abs(dy), abs(dp))
                var gamma = s * ((theta / s) * (theta / s) - (dy / s) * (dp / s)).squareRoot()
                if stp > sty { gamma = -gamma }
                let p = (gamma - dp) + theta
                let q = ((gamma - dp) + gamma) + dy
                stpf = stp + (p / q) * (sty - stp)
            } else {
                stpf = stp > stx ? stpmax : stpmin
            }
        }
        if fp > fx {
            sty = stp; fy = fp; dy = dp
        } else {
            if sgnd < 0 {
                sty = stx; fy = fx; dy = dx
            }
            stx = stp; fx = fp; dx = dp
        }
        stp = stpf
    }
}
