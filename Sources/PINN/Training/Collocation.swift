import Foundation

/// The points of each equation and condition of a problem, in the order of ``Solver/constraints`` (equations
/// first). Items on the same region with the same count (and distribution) share one point set.
public struct Collocation: Sendable {
    /// One point set (point-major) per constraint.
    public var pointSets: [[Double]]
    /// The first equation's points.
    public var interior: [Double] { pointSets.first ?? [] }
    /// The points of the conditions on the boundary, each shared set once, in order.
    public var boundary: [Double]
}

extension Solver {
    /// Every equation and condition of the problem (the short form lowered, see
    /// ``Problem/generalForm(hardDirichlet:)``), then the configuration's observations as a data term on the first
    /// field, with the weights left open filled from the configuration: residual weight for equations, data weight
    /// for data terms, boundary weight for the other conditions. Exact (hard) conditions included.
    public var allConstraints: [Condition] {
        let (equations, conditions) = problem.generalForm(hardDirichlet: configuration.hardDirichlet)
        var all = equations.map { item -> Condition in
            var item = item
            item.weight = item.weight ?? configuration.residualWeight
            return item
        }
        for var item in conditions {
            if case .data = item.kind { item.weight = item.weight ?? configuration.dataWeight }
            item.weight = item.weight ?? configuration.boundaryWeight
            all.append(item)
        }
        if !configuration.dataValues.isEmpty {
            all.append(Condition(name: "data", region: .points(configuration.dataPoints), kind: .data,
                                 value: Constant(0, dimension: problem.domain.dimension),
                                 observed: configuration.dataValues, weight: configuration.dataWeight))
        }
        return all
    }

    /// What the solver trains on: ``allConstraints`` but the exact ones, one loss term each, in this order.
    public var constraints: [Condition] { allConstraints.filter { !$0.hard } }

    /// The conditions imposed exactly (by the network's output transform, not by loss terms).
    public var hardConditions: [Condition] { allConstraints.filter(\.hard) }

    /// The number of equations among ``constraints`` (they come first).
    public var equationCount: Int { problem.generalForm(hardDirichlet: configuration.hardDirichlet).equations.count }

    /// How many points a constraint asks for: its own count, else the interior points for the interior, the
    /// boundary points for the whole boundary (and as the candidates of a predicate), and for faces or edges the
    /// boundary points' share in proportion to their measure (at least one).
    func pointCount(of item: Condition) -> Int {
        if let count = item.pointCount { return count }
        let c = configuration, domain = problem.domain
        switch item.region {
        case .interior: return c.interiorPoints
        case .boundary, .predicate: return c.boundaryPoints
        case .initial: return c.initialPoints ?? c.boundaryPoints
        case .faces, .edges:
            let share = (domain.measure(of: item.region) ?? 0) / domain.boundaryMeasure
            return max(1, Int((Double(c.boundaryPoints) * share).rounded()))
        case let .points(points): return points.count / domain.dimension
        }
    }

    /// The collocation points (deterministic in the seed), drawn in the order of ``constraints`` from one stream;
    /// constraints on the same region with the same count and distribution share the first one's points.
    public func makeCollocation() -> Collocation {
        var rng = Xoshiro256(seed: configuration.seed)
        _ = rng.split()  // the weights' stream
        var sampling = rng.split()
        let domain = problem.domain, d = domain.dimension
        var drawn: [String: [Double]] = [:]
        var sets: [[Double]] = [], boundary: [Double] = []
        for item in constraints {
            let count = pointCount(of: item)
            let distribution = item.distribution ?? configuration.distribution
            let key = "\(item.region)|\(count)|\(distribution)"
            if let shared = drawn[key] {
                sets.append(shared)
                continue
            }
            var points = domain.points(in: item.region, count: count, distribution: distribution,
                                       includeCorners: configuration.boundaryCorners, rng: &sampling)
            if case .predicate = item.region, item.pointCount != nil {
                // An asked-for count: draw more boundary points until enough satisfy the predicate.
                var rounds = 0
                while points.count < count * d, !points.isEmpty || rounds < 4, rounds < 200 {
                    points += domain.points(in: item.region, count: max(count, 64), distribution: distribution,
                                            includeCorners: false, rng: &sampling)
                    rounds += 1
                }
                points = Array(points.prefix(count * d))
            }
            drawn[key] = points
            sets.append(points)
            if item.region.isOnBoundary { boundary += points }
        }
        return Collocation(pointSets: sets, boundary: boundary)
    }

    /// The loss terms of the constraints at their points: targets from the observed values or the value field,
    /// outward normals for residuals that read them, each named after its constraint.
    public func makeTerms(_ collocation: Collocation) -> [LossTerm] {
        zip(constraints, collocation.pointSets).map { item, points in
            var term = Self.lossTerm(item, points: points, domain: problem.domain, weight: item.weight ?? 1)
            if let previous = previousWindow, case .initial = item.region {
                // Time marching: the condition's quantity (u, u_t, …) continues the previous window's prediction.
                term.targets = Array(repeating: 0, count: term.count)
                term.targets = term.residuals(of: previous)
            }
            return term
        }
    }

    static func lossTerm(_ item: Condition, points: [Double], domain: any Domain, weight: Double) -> LossTerm {
        let targets = item.observed ?? item.value.values(at: points)
        let normals = item.readsNormals ? domain.outwardNormals(at: points) : []
        var term = LossTerm(kind: item.kind, points: points, targets: targets, weight: weight, normals: normals)
        term.field = item.field
        term.label = item.name
        return term
    }

    /// Each equation's residual r(xₚ) − fₚ for `network` at `points`, [equation][point].
    public static func equationResiduals(of network: Network, problem: Problem, at points: [Double]) -> [[Double]] {
        problem.generalForm().equations.map { item in
            let term = lossTerm(item, points: points, domain: problem.domain, weight: 1)
            return term.residuals(of: network)
        }
    }
}

extension LossTerm {
    /// The unscaled misfits r(xₚ) − gₚ of the term at its points for `network` (its unknowns included).
    public func residuals(of network: Network) -> [Double] {
        let n = count, m = network.layout.outputDimension, d = network.layout.inputDimension
        guard n > 0 else { return [] }
        let values = NetworkEvaluator(layout: network.layout).evaluateFields(network, at: points, streams: streams)
        let s = streams.count(inputDimension: d)
        var outputs = [Double](repeating: 0, count: m * s * n)
        for k in 0..<m {
            for block in 0..<s {
                for p in 0..<n { outputs[k + m * (block * n + p)] = values[k][block][p] }
            }
        }
        var unit = self
        unit.weight = Double(n)  // scale √(w/N) = 1
        unit.meanCount = nil
        var residuals = [Double](repeating: 0, count: n), seeds = [Double](repeating: 0, count: m * s * n)
        var unknownSeeds = [Double](repeating: 0, count: max(1, n * network.layout.unknownCount))
        let unknowns = network.unknowns
        outputs.withUnsafeBufferPointer { out in
            unknowns.withUnsafeBufferPointer { lambda in
                unit.scaledResiduals(outputs: out.baseAddress!, range: 0..<n, dimension: d, outputCount: m,
                                     residuals: &residuals, jacobianSeeds: &seeds,
                                     unknownValues: lambda.baseAddress, unknownSeeds: &unknownSeeds)
            }
        }
        return residuals
    }
}
