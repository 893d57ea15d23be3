import Foundation

/// Levenberg–Marquardt (damped Gauss–Newton) for least-squares objectives f(x) = ‖ρ(x)‖².
///
/// Each iteration builds the normal equations H = JᵀJ, g = Jᵀρ once (J = ∂ρ/∂x) and solves
/// ```
/// (H + μI)·δ = −g
/// ```
/// for trial steps; a step is accepted when it lowers f, and the damping μ follows the gain ratio
/// ϱ = (f(x) − f(x+δ)) / (f(x) − ‖ρ + Jδ‖²) (Nielsen's rule: μ ← μ·max(1/3, 1 − (2ϱ−1)³) on success, μ ← μ·ν,
/// ν ← 2ν on failure). Stops, and says why, when ‖∇f‖₂ = 2‖g‖₂ falls below ``gradientTolerance``, the relative
/// decrease of f over an accepted step below ``relativeTolerance``, the step below ``stepTolerance``·(‖x‖ +
/// ``stepTolerance``), μ above ``maximumDamping`` (no decreasing step is left at machine precision), or at the
/// iteration limit.
///
/// Memory: two |x|×|x| matrices (H and its Cholesky factor) and, only if a Cholesky factorisation fails, a third
/// for the eigenvectors of H (see ``memoryRequired(parameterCount:)``).
public struct LevenbergMarquardt: Sendable, Equatable {
    /// Why a minimisation stopped.
    public enum StopReason: Sendable, Equatable, Codable, CustomStringConvertible {
        case gradientTolerance(Double)
        case relativeTolerance(Double)
        case stepTolerance(Double)
        case dampingLimit(Double)
        case iterationLimit
        case nonFinite
        case linearAlgebraFailure(String)

        public var description: String {
            switch self {
            case let .gradientTolerance(g): return "gradient norm \(g) below tolerance"
            case let .relativeTolerance(r): return "relative loss change \(r) below tolerance"
            case let .stepTolerance(s): return "step length \(s) below tolerance"
            case let .dampingLimit(mu): return "damping \(mu) above its limit: no decreasing step left (loss at machine precision)"
            case .iterationLimit: return "iteration limit reached"
            case .nonFinite: return "non-finite loss or Jacobian"
            case let .linearAlgebraFailure(what): return "linear algebra failed: \(what)"
            }
        }
    }

    /// The first μ; nil: 10⁻³·max diag(H) at the first iteration.
    public var initialDamping: Double?
    /// Stop when ‖∇f‖₂ ≤ this.
    public var gradientTolerance = 1e-12
    /// Stop when an accepted step changes f by at most this relative amount.
    public var relativeTolerance = 1e-15
    /// Stop when ‖δ‖₂ ≤ this·(‖x‖₂ + this).
    public var stepTolerance = 1e-15
    /// Stop when μ exceeds this.
    public var maximumDamping = 1e16
    /// μ is never taken below this (keeps H + μI factorisable when H is singular, as PINN Gauss–Newton matrices
    /// usually are).
    public var minimumDamping = 1e-14

    public init(initialDamping: Double? = nil) { self.initialDamping = initialDamping }

    /// Bytes the solver holds for `parameterCount` unknowns: H, its factor, and the eigenvectors of the fallback.
    public static func memoryRequired(parameterCount p: Int) -> Int { 3 * 8 * p * p + 8 * 8 * p }

    /// The largest parameter count whose solver memory, plus `reserve` bytes, fits in `bytes`.
    public static func largestParameterCount(fittingIn bytes: Int, reserve: Int = 0) -> Int {
        var p = Int((Double(max(0, bytes - reserve)) / 24).squareRoot())
        while p > 0 && memoryRequired(parameterCount: p) + reserve > bytes { p -= 1 }
        return p
    }

    /// Solver memory may use at most this share of the machine's physical memory.
    public static let memoryShare = 0.75

    /// Why `parameterCount` unknowns do not fit this machine's memory (nil when they do), naming the largest count
    /// that fits.
    public static func memoryProblem(parameterCount p: Int,
                                     physicalMemory: UInt64 = ProcessInfo.processInfo.physicalMemory) -> String? {
        let budget = Int(Double(physicalMemory) * memoryShare)
        let reserve = 1 << 30  // network workspaces, Jacobian panels, points
        let needed = memoryRequired(parameterCount: p) + reserve
        guard needed > budget else { return nil }
        func gib(_ bytes: Int) -> String { String(format: "%.1f GiB", Double(bytes) / Double(1 << 30)) }
        return "Levenberg–Marquardt with \(p) network parameters needs \(gib(needed)) (three \(p)×\(p) matrices); "
            + "\(Int(memoryShare * 100)) % of this machine's memory is \(gib(budget)), enough for at most "
            + "\(largestParameterCount(fittingIn: budget, reserve: reserve)) parameters: use a smaller network or adam/lbfgs"
    }

    /// The result of ``minimize(_:iterations:normalEquations:loss:afterIteration:)``.
    public struct Result: Sendable, Equatable {
        public var reason: StopReason
        /// Accepted steps (= Jacobian evaluations after the first).
        public var iterations: Int
        /// Evaluations of f alone (trial steps, accepted or rejected).
        public var trials: Int
        /// The damping at the end.
        public var damping: Double
        /// Solves that needed the eigen-decomposition fallback.
        public var fallbacks: Int
    }

    /// Where a minimisation stands between two accepted steps: everything the next step needs (H and g are
    /// rebuilt at x), so that a run continued from a saved state takes exactly the uninterrupted run's steps.
    public struct State: Sendable, Equatable {
        /// The current point.
        public var x: [Double]
        /// The damping μ (nil before the first iteration when ``initialDamping`` is nil) and its growth factor ν.
        public var damping: Double?
        public var growth = 2.0
        /// Accepted steps, trial steps and eigen-decomposition fallbacks so far.
        public var iterations = 0
        public var trials = 0
        public var fallbacks = 0
        /// A stop decided after the last accepted step, returned before the next iteration starts.
        public var pendingStop: StopReason?

        public init(x: [Double], damping: Double?) {
            self.x = x
            self.damping = damping
        }
    }

    /// Minimises from `x` (updated in place) for at most `iterations` accepted steps.
    /// - Parameters:
    ///   - x: the starting point, replaced by the last accepted one.
    ///   - iterations: the largest number of accepted steps.
    ///   - normalEquations: writes H = JᵀJ (n×n column-major, upper triangle) and g = Jᵀρ at x, returns f(x).
    ///   - loss: f at a trial point.
    ///   - afterIteration: called after each accepted step with (k, f, x, μ); return false to stop.
    public func minimize(_ x: inout [Double], iterations: Int,
                         normalEquations: ([Double], UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Double,
                         loss: ([Double]) -> Double,
                         afterIteration: (Int, Double, [Double], Double) -> Bool = { _, _, _, _ in true }) -> Result {
        var state = State(x: x, damping: initialDamping)
        let result = minimize(&state, iterations: iterations, normalEquations: normalEquations, loss: loss) {
            afterIteration($0.iterations, $1, $0.x, $0.damping!)
        }
        x = state.x
        return result
    }

    /// Continues a minimisation from `state` (updated in place) until `iterations` accepted steps in all;
    /// `afterIteration` sees the state after each accepted step (complete: save it to continue later) and f there,
    /// and may return false to stop.
    ///
    /// Data-parallel training runs this on every process of `communicator` with the summed (identical) H and g:
    /// process 0 solves for each trial step and sends it to the others, so that a solver whose last bits differed
    /// between processes (another CPU, another LAPACK) could never make them take different branches.
    public func minimize(_ state: inout State, iterations: Int,
                         normalEquations: ([Double], UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Double,
                         loss: ([Double]) -> Double, communicator: any Communicator = SerialCommunicator.shared,
                         afterIteration: (State, Double) -> Bool) -> Result {
        let n = state.x.count
        var hessian = [Double](repeating: 0, count: n * n)
        var g = [Double](repeating: 0, count: n), delta = g, hDelta = g, negG = g
        var trialX = state.x
        var shared = [Double](repeating: 0, count: communicator.size > 1 ? n + 1 : 0)
        let solver = DampedSymmetricSolver(dimension: n)
        let fallbacksBefore = state.fallbacks
        func result(_ reason: StopReason) -> Result {
            state.fallbacks = fallbacksBefore + solver.fallbacks
            return Result(reason: reason, iterations: state.iterations, trials: state.trials,
                          damping: state.damping ?? 0, fallbacks: state.fallbacks)
        }
        if let pending = state.pendingStop { return result(pending) }
        while state.iterations < iterations {
            let f = hessian.withUnsafeMutableBufferPointer { h in
                g.withUnsafeMutableBufferPointer { normalEquations(state.x, h.baseAddress!, $0.baseAddress!) }
            }
            solver.matrixChanged()
            guard f.isFinite, g.allSatisfy(\.isFinite) else { return result(.nonFinite) }
            let gradientNorm = 2 * LBFGS.norm(g)
            if gradientNorm <= gradientTolerance { return result(.gradientTolerance(gradientNorm)) }
            var mu = state.damping ?? 1e-3 * (0..<n).map { hessian[$0 * n + $0] }.max()!
            var nu = state.growth
            for i in 0..<n { negG[i] = -g[i] }
            // Trial steps at growing damping until one lowers f.
            while true {
                mu = max(mu, minimumDamping)
                if mu > maximumDamping { state.damping = mu; return result(.dampingLimit(mu)) }
                var failure: String?
                if communicator.isRoot {
                    do {
                        try hessian.withUnsafeBufferPointer { h in
                            try negG.withUnsafeBufferPointer { b in
                                try delta.withUnsafeMutableBufferPointer { d in
                                    try solver.solve(hessian: h.baseAddress!, damping: mu, rhs: b.baseAddress!, solution: d.baseAddress!)
                                }
                            }
                        }
                    } catch {
                        failure = "\(error)"
                    }
                }
                if communicator.size > 1 {
                    for i in 0..<n { shared[i] = delta[i] }
                    shared[n] = failure == nil ? 0 : 1
                    communicator.broadcast(&shared, root: 0)
                    for i in 0..<n { delta[i] = shared[i] }
                    if shared[n] != 0 && failure == nil { failure = "on process 0" }
                }
                if let failure {
                    state.damping = mu
                    return result(.linearAlgebraFailure(failure))
                }
                // Predicted decrease f − ‖ρ + Jδ‖² = −(2gᵀδ + δᵀHδ).
                hessian.withUnsafeBufferPointer { h in
                    delta.withUnsafeBufferPointer { d in
                        hDelta.withUnsafeMutableBufferPointer { BLAS.symv(n: n, a: h.baseAddress!, lda: n, x: d.baseAddress!, y: $0.baseAddress!) }
                    }
                }
                let predicted = -(2 * LBFGS.dot(g, delta) + LBFGS.dot(delta, hDelta))
                for i in 0..<n { trialX[i] = state.x[i] + delta[i] }
                let fTrial = loss(trialX)
                state.trials += 1
                let gain = (f - fTrial) / predicted
                if fTrial.isFinite && fTrial < f && predicted > 0 {
                    mu *= max(1.0 / 3, 1 - pow(2 * gain - 1, 3))
                    nu = 2
                    let stepNorm = LBFGS.norm(delta), xNorm = LBFGS.norm(state.x)
                    swap(&state.x, &trialX)
                    state.iterations += 1
                    (state.damping, state.growth) = (mu, nu)
                    state.fallbacks = fallbacksBefore + solver.fallbacks
                    let change = (f - fTrial) / max(f, 1e-300)
                    if change <= relativeTolerance {
                        state.pendingStop = .relativeTolerance(change)
                    } else if stepNorm <= stepTolerance * (xNorm + stepTolerance) {
                        state.pendingStop = .stepTolerance(stepNorm)
                    }
                    if !afterIteration(state, fTrial) { return result(.iterationLimit) }
                    if let pending = state.pendingStop { return result(pending) }
                    break
                }
                mu *= nu
                nu *= 2
            }
        }
        return result(.iterationLimit)
    }
}
