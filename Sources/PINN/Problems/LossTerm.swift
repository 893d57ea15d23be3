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

    /// The term's scaled residuals ρₚ = √(w/N)·rₚ over points `range` (so that Σₚ ρₚ² is the term's loss), given the
    /// network's output streams for exactly those points, and per point the partial derivatives ∂ρₚ/∂(output
    /// streams) written into `jacobianSeeds` (same S·n layout as `outputs`; entries of streams ρ does not depend on
    /// are set to 0). These seeds drive the per-point reverse pass (Levenberg–Marquardt) and, times 2ρₚ, the loss
    /// gradient.
    func scaledResiduals(outputs: UnsafePointer<Double>, range: Range<Int>, dimension d: Int,
                         residuals: UnsafeMutablePointer<Double>, jacobianSeeds seeds: UnsafeMutablePointer<Double>) {
        let n = range.count
        let scale = (weight / Double(count)).squareRoot()
        targets.withUnsafeBufferPointer { targets in
            let target = targets.baseAddress! + range.lowerBound
            switch kind {
            case let .residual(pde):
                let a = pde.laplacianCoefficient, c = pde.valueCoefficient
                let laplacian = outputs + (1 + d) * n
                seeds.update(repeating: 0, count: (2 + d) * n)
                let laplacianSeeds = seeds + (1 + d) * n
                for p in 0..<n {
                    residuals[p] = scale * (a * laplacian[p] + c * outputs[p] - target[p])
                    seeds[p] = scale * c
                    laplacianSeeds[p] = scale * a
                }
            case .dirichlet, .data:
                for p in 0..<n {
                    residuals[p] = scale * (outputs[p] - target[p])
                    seeds[p] = scale
                }
            }
        }
    }

    /// The term's loss Σₚ ρₚ² over points `range` and the seeds ∂(loss)/∂(output streams) = 2ρₚ·∂ρₚ/∂(streams)
    /// written into `seeds` (same layout as `outputs`). `residuals` is scratch for n values.
    func lossAndSeeds(outputs: UnsafePointer<Double>, range: Range<Int>, dimension d: Int,
                      seeds: UnsafeMutablePointer<Double>, residuals: UnsafeMutablePointer<Double>) -> Double {
        let n = range.count
        scaledResiduals(outputs: outputs, range: range, dimension: d, residuals: residuals, jacobianSeeds: seeds)
        var sum = 0.0
        for p in 0..<n { sum += residuals[p] * residuals[p] }
        for block in 0..<streams.count(inputDimension: d) {
            let column = seeds + block * n
            for p in 0..<n { column[p] *= 2 * residuals[p] }
        }
        return sum
    }
}
