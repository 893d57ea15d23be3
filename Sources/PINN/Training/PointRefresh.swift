/// Resampling and residual-based adaptive refinement of the interior points during training: every ``every``
/// iterations the equations' terms are rebuilt on new points. Deterministic in the seed: it draws from its own
/// generator, split off after the collocation points'. Its state (generator and current points) is part of a
/// checkpoint, so a resumed run draws what the uninterrupted one draws.
public final class PointRefresh: @unchecked Sendable {
    /// Iterations between refreshes (the gcd of the resampling and refinement intervals).
    public let every: Int
    /// The generator of new points and of RAR-D's choices.
    public internal(set) var rng: Xoshiro256
    /// The current interior points (point-major).
    public internal(set) var interior: [Double]
    /// Whether the points have changed since the start.
    public internal(set) var refreshed = false
    private let problem: Problem
    private let configuration: SolverConfiguration
    private let equations: [Condition]

    init(solver: Solver, initialInterior: [Double]) {
        let c = solver.configuration
        var seeds = Xoshiro256(seed: c.seed)
        _ = seeds.split(); _ = seeds.split()
        rng = seeds.split()
        interior = initialInterior
        every = [c.resampleEvery, c.refinement?.every ?? 0].filter { $0 > 0 }.reduce(0) { $0 == 0 ? $1 : Solver.gcd($0, $1) }
        problem = solver.problem
        configuration = c
        equations = Array(solver.constraints.prefix(solver.equationCount))
    }

    /// Continues from a checkpoint's state.
    func restore(rng: Xoshiro256, interior: [Double], refreshed: Bool) {
        self.rng = rng
        self.interior = interior
        self.refreshed = refreshed
    }

    /// The equations' terms on the current interior points.
    func equationTerms() -> [LossTerm] {
        equations.map { Solver.lossTerm($0, points: interior, domain: problem.domain, weight: $0.weight ?? 1) }
    }

    /// New terms for the equations at `iteration`, or nil when the points stay. RAR ranks candidates by
    /// √(Σₑ rₑ²) over the equations.
    func refresh(_ network: Network, iteration: Int) -> [LossTerm]? {
        let c = configuration
        var changed = false
        if c.resampleEvery > 0, iteration % c.resampleEvery == 0 {
            interior = problem.domain.interiorPoints(count: c.interiorPoints, distribution: c.distribution, rng: &rng)
            changed = true
        }
        if let rar = c.refinement, iteration % rar.every == 0 {
            let candidates = problem.domain.interiorPoints(count: rar.candidates, distribution: .random, rng: &rng)
            let residuals = equations.map {
                Solver.lossTerm($0, points: candidates, domain: problem.domain, weight: 1).residuals(of: network)
            }
            let r = residuals.count == 1 ? residuals[0]
                : residuals[0].indices.map { p in residuals.reduce(0) { $0 + $1[p] * $1[p] }.squareRoot() }
            let d = problem.domain.dimension
            for p in rar.choose(residuals: r, rng: &rng) { interior += candidates[(p * d)..<(p * d + d)] }
            changed = true
        }
        guard changed else { return nil }
        refreshed = true
        return equationTerms()
    }
}
