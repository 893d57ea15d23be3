/// One term of a PINN loss: a set of points with a target per point, a pointwise misfit, and a weight w.
/// ```
/// PDE residual:     (w/N) Σₚ (a·Δu(xₚ) + c·u(xₚ) − f(xₚ))²
/// custom residual:  (w/N) Σₚ (r(xₚ, u, ∇u, ∂²u) − fₚ)²
/// Dirichlet/data:   (w/N) Σₚ (u(xₚ) − gₚ)²
/// Robin:            (w/N) Σₚ (α·u(xₚ) + β·n(xₚ)·∇u(xₚ) − gₚ)²   (Neumann: α = 0, β = 1)
/// system:           (w/N) Σₚ (r(xₚ, fields and their derivatives, n(xₚ)) − gₚ)²   (any number of outputs)
/// ```
/// Dirichlet, Robin and data terms act on one output (``LossTerm/field``) of a network with any number of outputs;
/// PDE and custom residuals read a single-output network.
public struct LossTerm: Sendable {
    /// What the term penalises.
    public enum Kind: Sendable {
        /// The residual of `pde` at interior points (targets are the forcing values f).
        case residual(PDE)
        /// A user-defined residual at interior points (targets are subtracted; often 0).
        case customResidual(any PointwiseResidual)
        /// u − g at boundary points (targets are the Dirichlet values g).
        case dirichlet
        /// α·u + β·∂u/∂n − g at boundary points, with the outward unit normals in ``LossTerm/normals``
        /// (Neumann: α = 0, β = 1).
        case robin(alpha: Double, beta: Double)
        /// u − data at observation points (plain function fitting when alone).
        case data
        /// A residual over the fields of a system (an equation in the interior or a condition on a region), with
        /// the outward normals in ``LossTerm/normals`` when it reads them.
        case system(SystemResidual)

        /// Whether the kind is a Dirichlet, Neumann or Robin condition on one field.
        public var isSugar: Bool {
            switch self {
            case .dirichlet, .robin: return true
            default: return false
            }
        }
    }

    public var kind: Kind
    /// Points, point-major (N × d).
    public var points: [Double]
    /// One target per point.
    public var targets: [Double]
    /// The weight w.
    public var weight: Double
    /// Outward unit normals at the points, point-major (N × d), for Robin and Neumann terms; empty otherwise.
    public var normals: [Double]
    /// A name for histories and result files in place of the kind's (``name``), e.g. "boundary_left_right".
    public var label: String?
    /// The output a Dirichlet, Robin or data term acts on.
    public var field = 0
    /// The N of the mean (w/N)·Σ when the term is one process's block of a larger point set (data-parallel
    /// training: the blocks' sums add up to the whole set's mean); nil: the term's own points.
    public var meanCount: Int?

    public init(kind: Kind, points: [Double], targets: [Double], weight: Double = 1, normals: [Double] = []) {
        if case .robin = kind { precondition(normals.count == points.count, "a Robin term needs one normal per point") }
        if case let .system(r) = kind, r.readsNormals {
            precondition(normals.count == points.count, "a residual reading n_x… needs one normal per point")
        }
        self.kind = kind
        self.points = points
        self.targets = targets
        self.weight = weight
        self.normals = normals
    }

    /// The Neumann condition ∂u/∂n = g: a Robin term with α = 0, β = 1.
    public static func neumann(points: [Double], normals: [Double], targets: [Double], weight: Double = 1) -> LossTerm {
        LossTerm(kind: .robin(alpha: 0, beta: 1), points: points, targets: targets, weight: weight, normals: normals)
    }

    /// Number of points N.
    public var count: Int { targets.count }

    /// The term restricted to the points `range` (e.g. one process's block), its mean still over all N points.
    public func block(_ range: Range<Int>) -> LossTerm {
        var part = self
        let d = count > 0 ? points.count / count : 0
        part.points = Array(points[(range.lowerBound * d)..<(range.upperBound * d)])
        part.targets = Array(targets[range])
        if !normals.isEmpty { part.normals = Array(normals[(range.lowerBound * d)..<(range.upperBound * d)]) }
        part.meanCount = meanCount ?? count
        return part
    }

    /// Which derivative streams the term needs.
    public var streams: DerivativeStreams {
        switch kind {
        case .residual: return .laplacian
        case let .customResidual(r): return r.streams
        case let .system(r): return r.streams
        case .robin: return .gradient
        case .dirichlet, .data: return .value
        }
    }

    /// The name of the term in histories and result files: pde, boundary or data.
    public var name: String {
        if let label { return label }
        switch kind {
        case .residual, .customResidual: return "pde"
        case .dirichlet, .robin: return "boundary"
        case .data: return "data"
        case .system: return "system"
        }
    }

    /// The term's scaled residuals ρₚ = √(w/N)·rₚ over points `range` (so that Σₚ ρₚ² is the term's loss), given the
    /// network's output streams for exactly those points, and per point the partial derivatives ∂ρₚ/∂(output
    /// streams) written into `jacobianSeeds` (same S·n layout as `outputs`; entries of streams ρ does not depend on
    /// are set to 0). These seeds drive the per-point reverse pass (Levenberg–Marquardt) and, times 2ρₚ, the loss
    /// gradient.
    ///
    /// A system residual that reads unknown parameters takes their values from `unknownValues` and writes
    /// ∂ρₚ/∂λⱼ into `unknownSeeds` (n × |unknowns|, point-major); other terms leave `unknownSeeds` untouched.
    func scaledResiduals(outputs: UnsafePointer<Double>, range: Range<Int>, dimension d: Int, outputCount m: Int = 1,
                         residuals: UnsafeMutablePointer<Double>, jacobianSeeds seeds: UnsafeMutablePointer<Double>,
                         unknownValues: UnsafePointer<Double>? = nil,
                         unknownSeeds: UnsafeMutablePointer<Double>? = nil) {
        let n = range.count
        let scale = (weight / Double(meanCount ?? count)).squareRoot()
        switch kind {
        case .residual, .customResidual: precondition(m == 1, "PDE and custom residuals read a single-output network")
        case .dirichlet, .data, .robin: if m > 1 { seeds.update(repeating: 0, count: m * streams.count(inputDimension: d) * n) }
        case .system: break
        }
        // Output k of stream s at point p sits at k + m·(s·n + p).
        let k = field
        targets.withUnsafeBufferPointer { targets in
            let target = targets.baseAddress! + range.lowerBound
            switch kind {
            case let .system(r):
                points.withUnsafeBufferPointer { pts in
                    normals.withUnsafeBufferPointer { normals in
                        r.scaledResiduals(points: pts.baseAddress! + range.lowerBound * d,
                                          normals: r.readsNormals ? normals.baseAddress! + range.lowerBound * d : nil,
                                          targets: target, outputs: outputs, count: n, outputCount: m, scale: scale,
                                          residuals: residuals, seeds: seeds, unknownValues: unknownValues,
                                          unknownSeeds: r.unknowns.isEmpty ? nil : unknownSeeds)
                    }
                }
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
            case let .customResidual(r):
                points.withUnsafeBufferPointer { pts in
                    r.scaledResiduals(points: pts.baseAddress! + range.lowerBound * d, targets: target, outputs: outputs,
                                      count: n, dimension: d, scale: scale, residuals: residuals, seeds: seeds)
                }
            case let .robin(alpha, beta):
                normals.withUnsafeBufferPointer { normals in
                    let normal = normals.baseAddress! + range.lowerBound * d
                    for p in 0..<n {
                        var flux = 0.0
                        for i in 0..<d {
                            flux += normal[p * d + i] * outputs[k + m * ((1 + i) * n + p)]
                            seeds[k + m * ((1 + i) * n + p)] = scale * beta * normal[p * d + i]
                        }
                        residuals[p] = scale * (alpha * outputs[k + m * p] + beta * flux - target[p])
                        seeds[k + m * p] = scale * alpha
                    }
                }
            case .dirichlet, .data:
                for p in 0..<n {
                    residuals[p] = scale * (outputs[k + m * p] - target[p])
                    seeds[k + m * p] = scale
                }
            }
        }
    }

    /// The term's loss Σₚ ρₚ² over points `range` and the seeds ∂(loss)/∂(output streams) = 2ρₚ·∂ρₚ/∂(streams)
    /// written into `seeds` (same layout as `outputs`). `residuals` is scratch for n values.
    /// With unknowns, adds ∂(loss)/∂λⱼ = Σₚ 2ρₚ·∂ρₚ/∂λⱼ to `unknownGradient` (`unknownScratch`: n × |unknowns|).
    func lossAndSeeds(outputs: UnsafePointer<Double>, range: Range<Int>, dimension d: Int, outputCount m: Int = 1,
                      seeds: UnsafeMutablePointer<Double>, residuals: UnsafeMutablePointer<Double>,
                      unknownValues: UnsafePointer<Double>? = nil, unknownScratch: UnsafeMutablePointer<Double>? = nil,
                      unknownGradient: UnsafeMutablePointer<Double>? = nil) -> Double {
        let n = range.count
        scaledResiduals(outputs: outputs, range: range, dimension: d, outputCount: m, residuals: residuals,
                        jacobianSeeds: seeds, unknownValues: unknownValues, unknownSeeds: unknownScratch)
        if case let .system(r) = kind, !r.unknowns.isEmpty, let unknownScratch, let unknownGradient {
            let u = r.unknowns.count
            for p in 0..<n {
                for j in 0..<u { unknownGradient[j] += 2 * residuals[p] * unknownScratch[p * u + j] }
            }
        }
        var sum = 0.0
        for p in 0..<n { sum += residuals[p] * residuals[p] }
        for block in 0..<streams.count(inputDimension: d) {
            let column = seeds + block * n * m
            for p in 0..<n {
                for k in 0..<m { column[k + m * p] *= 2 * residuals[p] }
            }
        }
        return sum
    }
}
