import RealModule

/// The kind of boundary condition on ∂Ω, with data g (``Problem/boundaryValue``) and n the outward unit normal.
public enum BoundaryCondition: Sendable, Equatable {
    /// u = g.
    case dirichlet
    /// ∂u/∂n = n·∇u = g.
    case neumann
    /// α·u + β·∂u/∂n = g.
    case robin(alpha: Double, beta: Double)

    /// The boundary operator B(u) at one point, given u, ∇u and the normal n (for manufactured data g = B(u*)).
    public func apply<T: Real>(value u: T, gradient: [T], normal n: [Double]) -> T {
        var flux: T = 0
        for i in gradient.indices { flux += T.converting(n[i]) * gradient[i] }
        switch self {
        case .dirichlet: return u
        case .neumann: return flux
        case let .robin(alpha, beta): return T.converting(alpha) * u + T.converting(beta) * flux
        }
    }
}

/// A condition on part of the boundary of a box: the faces it covers (indices of ``Box/faceNames``), its kind and
/// its data g.
public struct BoundaryPart: Sendable {
    /// A name for histories and result files, e.g. "left_right".
    public var name: String
    public var faces: [Int]
    public var condition: BoundaryCondition
    public var value: any ScalarField

    public init(name: String, faces: [Int], condition: BoundaryCondition, value: any ScalarField) {
        self.name = name
        self.faces = faces
        self.condition = condition
        self.value = value
    }
}

/// A boundary-value problem: a PDE on a domain with boundary data, a forcing term, and optionally the exact
/// solution (for error metrics).
public struct Problem: Sendable {
    /// The domain Ω.
    public var domain: any Domain
    /// The PDE 𝓛u = f in Ω (ignored when ``residual`` is set).
    public var pde: PDE
    /// A user-defined PDE r(x, u, ∇u, ∂²u) = f in Ω, replacing ``pde`` when set.
    public var residual: (any PointwiseResidual)?
    /// The forcing term f.
    public var forcing: any ScalarField
    /// The boundary data g.
    public var boundaryValue: any ScalarField
    /// How g constrains u on ∂Ω.
    public var boundaryCondition: BoundaryCondition = .dirichlet
    /// The exact solution, when known.
    public var exactSolution: (any ScalarField)?
    /// A residual over u that reads unknown coefficients (inverse problems), replacing ``pde`` and ``residual`` when
    /// set; its targets are the forcing.
    public var systemResidual: SystemResidual?
    /// The names of the unknown coefficients, in θ's order (their initial values are in the configuration).
    public var unknowns: [String] = []
    /// Conditions on named parts of a box's boundary, replacing ``boundaryCondition`` and ``boundaryValue`` when not
    /// empty (each part gets its own loss term and points, in proportion to its measure).
    public var boundaryParts: [BoundaryPart] = []

    public init(domain: any Domain, pde: PDE, forcing: any ScalarField, boundaryValue: any ScalarField,
                exactSolution: (any ScalarField)? = nil) {
        self.domain = domain
        self.pde = pde
        self.forcing = forcing
        self.boundaryValue = boundaryValue
        self.exactSolution = exactSolution
    }

    /// A problem with a user-defined PDE r(x, u, ∇u, ∂²u) = f.
    public init(domain: any Domain, residual: any PointwiseResidual, forcing: any ScalarField,
                boundaryValue: any ScalarField, boundaryCondition: BoundaryCondition = .dirichlet,
                exactSolution: (any ScalarField)? = nil) {
        self.init(domain: domain, pde: .poisson, forcing: forcing, boundaryValue: boundaryValue,
                  exactSolution: exactSolution)
        self.residual = residual
        self.boundaryCondition = boundaryCondition
    }

    /// A manufactured problem: f = 𝓛u* derived from the exact solution u* with hyper-dual numbers, and g = u*
    /// (or ∂u*/∂n, α·u* + β·∂u*/∂n for Neumann and Robin conditions).
    public static func manufactured(domain: any Domain, pde: PDE, exactSolution: any ScalarField,
                                    boundaryCondition: BoundaryCondition = .dirichlet) -> Problem {
        var problem = Problem(domain: domain, pde: pde, forcing: ManufacturedForcing(pde: pde, solution: exactSolution),
                              boundaryValue: exactSolution, exactSolution: exactSolution)
        problem.boundaryCondition = boundaryCondition
        problem.boundaryValue = ManufacturedBoundaryData(condition: boundaryCondition, domain: domain, solution: exactSolution)
        return problem
    }

    /// A manufactured problem for a user-defined PDE: f = r(x, u*, ∇u*, ∂²u*) and the boundary data of u*.
    public static func manufactured(domain: any Domain, residual: any PointwiseResidual, exactSolution: any ScalarField,
                                    boundaryCondition: BoundaryCondition = .dirichlet) -> Problem {
        Problem(domain: domain, residual: residual, forcing: ResidualForcing(residual: residual, solution: exactSolution),
                boundaryValue: ManufacturedBoundaryData(condition: boundaryCondition, domain: domain, solution: exactSolution),
                boundaryCondition: boundaryCondition, exactSolution: exactSolution)
    }

    /// A short human-readable form of the PDE and its boundary condition, e.g. "Δu + 1.0²·u = f, u = g on ∂Ω".
    public var equation: String {
        let interior: String
        switch residual {
        case nil where systemResidual != nil: interior = "\(systemResidual!.formula.source) = f (unknown: \(unknowns.joined(separator: ", ")))"
        case nil: interior = pde.equation
        case let formula as FormulaResidual: interior = "\(formula.formula.source) = f"
        default: interior = "r(x, u, ∇u, ∂²u) = f (user-defined)"
        }
        if !boundaryParts.isEmpty, let box = domain as? Box {
            return interior + boundaryParts.map { part in
                let faces = part.faces.map { box.faceNames[$0] }.joined(separator: ", ")
                return ", " + Self.conditionText(part.condition) + " on " + faces
            }.joined()
        }
        switch boundaryCondition {
        case .dirichlet: return interior
        default: return interior + ", " + Self.conditionText(boundaryCondition) + " on ∂Ω"
        }
    }

    private static func conditionText(_ condition: BoundaryCondition) -> String {
        switch condition {
        case .dirichlet: return "u = g"
        case .neumann: return "∂u/∂n = g"
        case let .robin(alpha, beta): return "\(alpha)·u + \(beta)·∂u/∂n = g"
        }
    }

    /// The PDE-residual loss term at interior points (targets: the forcing there).
    public func interiorTerm(points: [Double], weight: Double = 1) -> LossTerm {
        let kind: LossTerm.Kind = systemResidual.map { .system($0) } ?? residual.map { .customResidual($0) } ?? .residual(pde)
        return LossTerm(kind: kind, points: points, targets: forcing.values(at: points), weight: weight)
    }

    /// The boundary-condition loss term at boundary points (targets: the data g there; normals for Neumann and
    /// Robin conditions).
    public func boundaryTerm(points: [Double], weight: Double = 1) -> LossTerm {
        boundaryTerm(condition: boundaryCondition, value: boundaryValue, points: points, weight: weight)
    }

    /// The loss term of one boundary part at its points, named "boundary_" + its name.
    public func boundaryTerm(part: BoundaryPart, points: [Double], weight: Double = 1) -> LossTerm {
        var term = boundaryTerm(condition: part.condition, value: part.value, points: points, weight: weight)
        term.label = "boundary_" + part.name
        return term
    }

    private func boundaryTerm(condition: BoundaryCondition, value: any ScalarField, points: [Double],
                              weight: Double) -> LossTerm {
        let targets = value.values(at: points)
        switch condition {
        case .dirichlet:
            return LossTerm(kind: .dirichlet, points: points, targets: targets, weight: weight)
        case .neumann:
            return .neumann(points: points, normals: domain.outwardNormals(at: points), targets: targets, weight: weight)
        case let .robin(alpha, beta):
            return LossTerm(kind: .robin(alpha: alpha, beta: beta), points: points, targets: targets, weight: weight,
                            normals: domain.outwardNormals(at: points))
        }
    }

    /// 𝓛u (or r(x, u, ∇u, ∂²u)) − f at points, from the network's value, first and second derivative streams
    /// (`streams` as ``NetworkEvaluator`` returns them for ``DerivativeStreams/hessian``).
    func residuals(streams: [[Double]], points: [Double], forcing f: [Double]) -> [Double] {
        let d = domain.dimension
        return f.indices.map { p in
            guard let residual else {
                var laplacian = 0.0
                for i in 0..<d { laplacian += streams[1 + d + DerivativeStreams.hessianIndex(i, i, dimension: d)][p] }
                return pde.apply(value: streams[0][p], laplacian: laplacian) - f[p]
            }
            var state = PointState<Double>(dimension: d, target: f[p])
            state.u = streams[0][p]
            for i in 0..<d {
                state.x[i] = points[p * d + i]
                state.du[i] = streams[1 + i][p]
            }
            for (q, (i, j)) in DerivativeStreams.hessianPairs(dimension: d).enumerated() {
                state.setSecondDerivative(i, j, streams[1 + d + q][p])
            }
            return residual(state) - f[p]
        }
    }
}

/// Boundary data g = B(u*) of a known solution u* (u*, ∂u*/∂n or α·u* + β·∂u*/∂n), with the domain's normals.
public struct ManufacturedBoundaryData: ScalarField {
    public let condition: BoundaryCondition
    public let domain: any Domain
    public let solution: any ScalarField
    public var inputDimension: Int { solution.inputDimension }

    public func callAsFunction<T: Real>(_ x: [T]) -> T {
        if condition == .dirichlet { return solution(x) }
        // Normals are geometry, not differentiated: read them at the point's value.
        let normal = domain.outwardNormal(at: x.map { ($0 as? any PrimalValue)?.primalValue ?? .nan })
        return condition.apply(value: solution(x), gradient: DifferentialOperators.gradient(of: solution, at: x), normal: normal)
    }
}

/// f = a·Δu* + c·u*, evaluated by nesting dual numbers over the caller's scalar type (so it stays differentiable).
public struct ManufacturedForcing: ScalarField {
    public let pde: PDE
    public let solution: any ScalarField
    public var inputDimension: Int { solution.inputDimension }

    public func callAsFunction<T: Real>(_ x: [T]) -> T {
        let lap = DifferentialOperators.laplacian(of: solution, at: x)
        return T.converting(pde.laplacianCoefficient) * lap + T.converting(pde.valueCoefficient) * solution(x)
    }
}

extension ScalarField {
    /// The field at every point of a point-major array.
    public func values(at points: [Double]) -> [Double] {
        let d = inputDimension
        return (0..<(points.count / d)).map { p in self(Array(points[(p * d)..<(p * d + d)])) }
    }
}
