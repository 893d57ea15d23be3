/// One term of a PINN loss: a set of points with a target per point, a pointwise misfit, and a weight w.
/// ```
/// PDE residual:   (w/N) Σₚ (a·Δu(xₚ) + c·u(xₚ) − f(xₚ))²
/// Dirichlet/data: (w/N) Σₚ (u(xₚ) − gₚ)²
/// ```
public struct LossTerm: Sendable {
    /// What the term penalises.
    public enum Kind: Sendable, Equatable {
        /// The residual of `pde` at interior points (targets are the forcing values f).
        case residual(PDE)
        /// u − g at boundary points (targets are the Dirichlet values g).
        case dirichlet
        /// u − data at observation points (plain function fitting when alone).
        case data
    }

    public var kind: Kind
    /// Points, point-major (N × d).
    public var points: [Double]
    /// One target per point.
    public var targets: [Double]
    /// The weight w.
    public var weight: Double

    public init(kind: Kind, points: [Double], targets: [Double], weight: Double = 1) {
        self.kind = kind
        self.points = points
        self.targets = targets
        self.weight = weight
    }

    /// Number of points N.
    public var count: Int { targets.count }

    /// Which derivative streams the term needs.
    public var streams: DerivativeStreams {
        if case .residual = kind { return .laplacian }
        return .value
    }

    /// The term's loss over points `range`, given the network's output streams for exactly those points, and the
    /// seeds ∂(term)/∂(output streams) written into `seeds` (same layout as `outputs`). `total` is the term's full
    /// point count N (the mean's denominator).
    func lossAndSeeds(outputs: UnsafePointer<Double>, range: Range<Int>, dimension d: Int,
                      seeds: UnsafeMutablePointer<Double>) -> Double {
        let n = range.count
        let scale = weight / Double(count)
        var sum = 0.0
        targets.withUnsafeBufferPointer { targets in
            let target = targets.baseAddress! + range.lowerBound
            switch kind {
            case let .residual(pde):
                let a = pde.laplacianCoefficient, c = pde.valueCoefficient
                let laplacian = outputs + (1 + d) * n
                seeds.update(repeating: 0, count: (2 + d) * n)
                let laplacianSeeds = seeds + (1 + d) * n
                for p in 0..<n {
                    let r = a * laplacian[p] + c * outputs[p] - target[p]
                    sum += r * r
                    seeds[p] = 2 * scale * r * c
                    laplacianSeeds[p] = 2 * scale * r * a
                }
            case .dirichlet, .data:
                for p in 0..<n {
                    let r = outputs[p] - target[p]
                    sum += r * r
                    seeds[p] = 2 * scale * r
                }
            }
        }
        return scale * sum
    }
}
