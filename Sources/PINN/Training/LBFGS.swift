import Foundation

/// Limited-memory BFGS with a strong-Wolfe line search (Nocedal & Wright, Algorithms 7.4, 3.5 and 3.6).
///
/// Minimises f: ℝⁿ → ℝ given a function that returns f(x) and writes ∇f(x). Stops, and says why, when the gradient
/// norm falls below ``gradientTolerance``, the relative decrease of f over an iteration below
/// ``relativeTolerance``, the iteration or evaluation limit is reached, or the line search fails.
public struct LBFGS: Sendable, Equatable {
    /// Why a minimisation stopped.
    public enum StopReason: Sendable, Equatable, Codable, CustomStringConvertible {
        case gradientTolerance(Double)
        case relativeTolerance(Double)
        case iterationLimit
        case evaluationLimit
        case lineSearchFailed
        case nonFinite

        public var description: String {
            switch self {
            case let .gradientTolerance(g): return "gradient norm \(g) below tolerance"
            case let .relativeTolerance(r): return "relative loss change \(r) below tolerance"
            case .iterationLimit: return "iteration limit reached"
            case .evaluationLimit: return "evaluation limit reached"
            case .lineSearchFailed: return "line search found no acceptable step (loss at machine precision)"
            case .nonFinite: return "non-finite loss or gradient"
            }
        }
    }

    /// Correction pairs kept.
    public var memory = 20
    /// Stop when ‖∇f‖₂ ≤ this.
    public var gradientTolerance = 1e-12
    /// Stop when (f_old − f_new) / max(|f_old|, |f_new|, 1e-300) ≤ this.
    public var relativeTolerance = 1e-15
    /// At most this many function evaluations (0: 3 per allowed iteration).
    public var maximumEvaluations = 0
    /// Wolfe constants c₁ (sufficient decrease) and c₂ (curvature).
    public var c1 = 1e-4
    public var c2 = 0.9

    public init(memory: Int = 20) { self.memory = memory }

    /// Where a minimisation stands between two iterations: everything the next iteration needs, so that a run
    /// continued from a saved state takes exactly the steps the uninterrupted run takes.
    public struct State: Sendable, Equatable {
        /// The current point, f and ∇f there.
        public var x: [Double]
        public var f: Double
        public var gradient: [Double]
        /// The correction pairs sₖ = xₖ₊₁ − xₖ, yₖ = ∇fₖ₊₁ − ∇fₖ and ρₖ = 1/(sₖᵀyₖ), oldest first.
        public var s: [[Double]] = []
        public var y: [[Double]] = []
        public var rho: [Double] = []
        /// Iterations (accepted steps) and evaluations so far.
        public var iterations = 0
        public var evaluations = 1
        /// A stop decided after the last accepted step, returned before the next iteration starts.
        public var pendingStop: StopReason?

        public init(x: [Double], f: Double, gradient: [Double]) {
            self.x = x
            self.f = f
            self.gradient = gradient
        }
    }

    /// The state at `x` before the first iteration (one evaluation).
    public func start(at x: [Double], evaluate: ([Double], inout [Double]) -> Double) -> State {
        var g = [Double](repeating: 0, count: x.count)
        let f = evaluate(x, &g)
        return State(x: x, f: f, gradient: g)
    }

    /// Minimises from `x` (updated in place) for at most `iterations` iterations; `evaluate(x, gradient)` returns
    /// f(x) and writes ∇f(x); `afterIteration(k, f, x)` is called after each accepted step and may return false to
    /// stop.
    public func minimize(_ x: inout [Double], iterations: Int,
                         evaluate: ([Double], inout [Double]) -> Double,
                         afterIteration: (Int, Double, [Double]) -> Bool = { _, _, _ in true }) -> (reason: StopReason, iterations: Int, evaluations: Int) {
        var state = start(at: x, evaluate: evaluate)
        let reason = minimize(&state, iterations: iterations, evaluate: evaluate) { afterIteration($0.iterations, $0.f, $0.x) }
        x = state.x
        return (reason, state.iterations, state.evaluations)
    }

    /// Continues a minimisation from `state` (updated in place) until `iterations` iterations in all; `afterIteration`
    /// sees the state after each accepted step (a complete state to save and continue from) and may return false to
    /// stop.
    public func minimize(_ state: inout State, iterations: Int, evaluate: ([Double], inout [Double]) -> Double,
                         afterIteration: (State) -> Bool) -> StopReason {
        let n = state.x.count
        let limit = maximumEvaluations > 0 ? maximumEvaluations : 3 * iterations + 10
        guard state.f.isFinite, state.gradient.allSatisfy(\.isFinite) else { return .nonFinite }
        if let pending = state.pendingStop { return pending }
        var d = [Double](repeating: 0, count: n)
        var xNew = state.x, gNew = state.gradient
        while state.iterations < iterations {
            let g = state.gradient
            let gNorm = Self.norm(g)
            if gNorm <= gradientTolerance { return .gradientTolerance(gNorm) }
            // Two-loop recursion: d = −H∇f.
            var q = g
            var alphas = [Double](repeating: 0, count: state.s.count)
            for i in stride(from: state.s.count - 1, through: 0, by: -1) {
                alphas[i] = state.rho[i] * Self.dot(state.s[i], q)
                for j in 0..<n { q[j] -= alphas[i] * state.y[i][j] }
            }
            let gamma = state.s.isEmpty ? min(1, 1 / gNorm)
                : Self.dot(state.s[state.s.count - 1], state.y[state.y.count - 1])
                    / Self.dot(state.y[state.y.count - 1], state.y[state.y.count - 1])
            for j in 0..<n { q[j] *= gamma }
            for i in 0..<state.s.count {
                let beta = state.rho[i] * Self.dot(state.y[i], q)
                for j in 0..<n { q[j] += state.s[i][j] * (alphas[i] - beta) }
            }
            for j in 0..<n { d[j] = -q[j] }
            var slope = Self.dot(g, d)
            if !(slope < 0) {  // not a descent direction: restart from steepest descent
                state.s.removeAll(); state.y.removeAll(); state.rho.removeAll()
                let scale = min(1, 1 / gNorm)
                for j in 0..<n { d[j] = -scale * g[j] }
                slope = Self.dot(g, d)
            }
            // Strong-Wolfe line search along d.
            let search = lineSearch(x: state.x, f: state.f, slope: slope, direction: d, evaluate: evaluate,
                                    xNew: &xNew, gNew: &gNew, evaluations: &state.evaluations, limit: limit)
            guard let fNew = search else {
                return state.evaluations >= limit ? .evaluationLimit : .lineSearchFailed
            }
            guard fNew.isFinite, gNew.allSatisfy(\.isFinite) else { return .nonFinite }
            var sk = [Double](repeating: 0, count: n), yk = [Double](repeating: 0, count: n)
            for j in 0..<n { sk[j] = xNew[j] - state.x[j]; yk[j] = gNew[j] - g[j] }
            let sy = Self.dot(sk, yk)
            if sy > 1e-300 {
                if state.s.count == memory { state.s.removeFirst(); state.y.removeFirst(); state.rho.removeFirst() }
                state.s.append(sk); state.y.append(yk); state.rho.append(1 / sy)
            }
            let change = (state.f - fNew) / max(abs(state.f), abs(fNew), 1e-300)
            state.x = xNew; state.gradient = gNew; state.f = fNew
            state.iterations += 1
            if change <= relativeTolerance {
                state.pendingStop = .relativeTolerance(change)
            } else if state.evaluations >= limit {
                state.pendingStop = .evaluationLimit
            }
            if !afterIteration(state) { return .iterationLimit }
            if let pending = state.pendingStop { return pending }
        }
        return .iterationLimit
    }

    /// Algorithm 3.5 with the zoom of Algorithm 3.6 (cubic interpolation, safeguarded by bisection). Returns f at
    /// the accepted point (written to `xNew`, `gNew`), or nil.
    private func lineSearch(x: [Double], f f0: Double, slope g0: Double, direction d: [Double],
                            evaluate: ([Double], inout [Double]) -> Double,
                            xNew: inout [Double], gNew: inout [Double], evaluations: inout Int, limit: Int) -> Double? {
        let n = x.count
        func phi(_ t: Double) -> (Double, Double) {
            for j in 0..<n { xNew[j] = x[j] + t * d[j] }
            let value = evaluate(xNew, &gNew)
            evaluations += 1
            return (value, Self.dot(gNew, d))
        }
        var tPrev = 0.0, fPrev = f0, dPrev = g0
        var t = 1.0
        for i in 0..<30 {
            if evaluations >= limit { return nil }
            let (ft, dt) = phi(t)
            if !ft.isFinite || ft > f0 + c1 * t * g0 || (i > 0 && ft >= fPrev) {
                return zoom(lo: (tPrev, fPrev, dPrev), hi: (t, ft, dt), f0: f0, g0: g0, phi: phi, exhausted: { evaluations >= limit })
            }
            if abs(dt) <= -c2 * g0 { return ft }
            if dt >= 0 {
                return zoom(lo: (t, ft, dt), hi: (tPrev, fPrev, dPrev), f0: f0, g0: g0, phi: phi, exhausted: { evaluations >= limit })
            }
            tPrev = t; fPrev = ft; dPrev = dt
            t *= 2
        }
        return nil
    }

    private func zoom(lo start: (Double, Double, Double), hi end: (Double, Double, Double), f0: Double, g0: Double,
                      phi: (Double) -> (Double, Double), exhausted: () -> Bool) -> Double? {
        var lo = start, hi = end
        for _ in 0..<40 {
            if exhausted() { return nil }
            // Cubic interpolation of (lo, hi), kept inside the middle 80 % of the interval.
            let (a, fa, da) = lo, (b, fb, db) = hi
            var t = 0.5 * (a + b)
            let d1 = da + db - 3 * (fa - fb) / (a - b)
            let disc = d1 * d1 - da * db
            if disc >= 0 {
                let d2 = (b > a ? 1.0 : -1.0) * disc.squareRoot()
                let cubic = b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2)
                let (low, high) = (min(a, b), max(a, b))
                if cubic.isFinite && cubic > low + 0.1 * (high - low) && cubic < high - 0.1 * (high - low) { t = cubic }
            }
            if abs(b - a) < 1e-16 * max(1, abs(a)) { return nil }
            let (ft, dt) = phi(t)
            if !ft.isFinite || ft > f0 + c1 * t * g0 || ft >= fa {
                hi = (t, ft, dt)
            } else {
                if abs(dt) <= -c2 * g0 { return ft }
                if dt * (b - a) >= 0 { hi = lo }
                lo = (t, ft, dt)
            }
        }
        // The best point seen satisfies sufficient decrease: accept it rather than give up.
        if lo.0 > 0 { return phi(lo.0).0 }
        return nil
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { BLAS.dot(pa.baseAddress!, $0.baseAddress!, count: a.count) } }
    }

    static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
}
