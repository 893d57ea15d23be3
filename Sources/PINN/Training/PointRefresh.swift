import Foundation

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
            let d = problem.domain.dimension
            // Each process evaluates its block of the candidates; the zero-padded blocks summed give every process
            // all residuals (adding zeros is exact), so the selection is global and the same everywhere.
            let communicator = configuration.communicator, own = communicator.block(of: rar.candidates)
            let mine = Array(candidates[(own.lowerBound * d)..<(own.upperBound * d)])
            let residuals = equations.map { equation -> [Double] in
                let local = Solver.lossTerm(equation, points: mine, domain: problem.domain, weight: 1).residuals(of: network)
                guard communicator.size > 1 else { return local }
                var all = [Double](repeating: 0, count: rar.candidates)
                all.replaceSubrange(own, with: local)
                communicator.sum(&all)
                return all
            }
            let r = residuals.count == 1 ? residuals[0]
                : residuals[0].indices.map { p in residuals.reduce(0) { $0 + $1[p] * $1[p] }.squareRoot() }
            for p in rar.choose(residuals: r, rng: &rng) { interior += candidates[(p * d)..<(p * d + d)] }
            changed = true
        }
        guard changed else { return nil }
        refreshed = true
        return equationTerms()
    }
}

/// Residual-based adaptive refinement settings (Lu et al. 2021 for RAR; Wu et al. 2023 for RAR-D).
public struct ResidualRefinement: Sendable, Equatable {
    /// How the added points are chosen among the candidates.
    public enum Selection: Sendable, Equatable {
        /// RAR (greedy): the `add` candidates of largest |residual|.
        case largest
        /// RAR-D: `add` candidates drawn without replacement with probability ∝ |r|ᵏ / mean|r|ᵏ + c.
        case density(exponent: Double, constant: Double)
    }

    public var every: Int
    public var candidates: Int
    public var add: Int
    public var selection: Selection

    public init(every: Int, candidates: Int, add: Int, selection: Selection = .largest) {
        self.every = every
        self.candidates = candidates
        self.add = add
        self.selection = selection
    }

    /// Indices of the chosen candidates given their residuals.
    func choose(residuals r: [Double], rng: inout Xoshiro256) -> [Int] {
        switch selection {
        case .largest:
            return Array(r.indices.sorted { abs(r[$0]) > abs(r[$1]) }.prefix(add))
        case let .density(k, c):
            let powered = r.map { pow(abs($0), k) }
            let mean = max(powered.reduce(0, +) / Double(max(1, r.count)), .leastNormalMagnitude)
            var weights = powered.map { $0 / mean + c }
            var chosen: [Int] = []
            var total = weights.reduce(0, +)
            while chosen.count < min(add, r.count) && total > 0 {
                var u = rng.nextUniform() * total
                var pick = weights.count - 1
                for (i, w) in weights.enumerated() where w > 0 {
                    if u < w { pick = i; break }
                    u -= w
                }
                chosen.append(pick)
                total -= weights[pick]
                weights[pick] = 0
            }
            return chosen
        }
    }
}
