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

    /// The loss-term kind that penalises it.
    public var lossKind: LossTerm.Kind {
        switch self {
        case .dirichlet: return .dirichlet
        case .neumann: return .robin(alpha: 0, beta: 1)
        case let .robin(alpha, beta): return .robin(alpha: alpha, beta: beta)
        }
    }
}

/// A boundary-value problem: fields + parameters + equations + conditions on a domain, and optionally the exact
/// solutions (for error metrics).
///
/// The general form lists ``fields``, ``equations`` (residuals in the interior) and ``conditions`` (residuals on
/// regions). The scalar short form, one field u with a PDE (``pde``, ``residual`` or ``systemResidual``), a
/// ``forcing`` and boundary data (``boundaryValue`` under ``boundaryCondition``, or ``conditions`` on named
/// parts), is the same thing written briefly: ``generalForm(hardDirichlet:)`` lowers it to one equation and its
/// conditions, and the solver only ever sees that.
public struct Problem: Sendable {
    /// The domain Ω.
    public var domain: any Domain
    /// The names of the fields (the network's outputs, in order).
    public var fields: [String] = ["u"]
    /// The equations of the general form (empty: the short form's single PDE).
    public var equations: [Condition] = []
    /// Conditions on regions (empty in the short form: ``boundaryCondition`` with ``boundaryValue`` on all of ∂Ω).
    public var conditions: [Condition] = []
    /// Each field's exact solution, when known (same order as ``fields``).
    public var exactSolutions: [(any ScalarField)?] = [nil]
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
    /// The exact solution of the first field, when known.
    public var exactSolution: (any ScalarField)? {
        get { exactSolutions.first ?? nil }
        set { exactSolutions[0] = newValue }
    }
    /// A residual over u that reads unknown coefficients (inverse problems), replacing ``pde`` and ``residual`` when
    /// set; its targets are the forcing.
    public var systemResidual: SystemResidual?
    /// The names of the unknown coefficients, in θ's order (their initial values are in the configuration).
    public var unknowns: [String] = []
    /// Coordinates in which the solution is periodic, imposed exactly by the network's input embedding (see
    /// ``PeriodicEmbedding``); spatial coordinates of a box or interval only.
    public var periodic: [PeriodicEmbedding.Coordinate] = []

    /// The network's input embedding for ``periodic`` (nil when no coordinate is periodic).
    public var embedding: PeriodicEmbedding? {
        periodic.isEmpty ? nil : PeriodicEmbedding(inputDimension: domain.dimension, coordinates: periodic)
    }
    public init(domain: any Domain, pde: PDE, forcing: any ScalarField, boundaryValue: any ScalarField,
                exactSolution: (any ScalarField)? = nil) {
        self.domain = domain
        self.pde = pde
        self.forcing = forcing
        self.boundaryValue = boundaryValue
        self.exactSolutions = [exactSolution]
    }

    /// A problem in general form: named fields, equations in the interior and conditions on regions, with the exact
    /// solutions of some fields (by name) when known.
    public init(domain: any Domain, fields: [String], equations: [Condition], conditions: [Condition],
                exactSolutions: [String: any ScalarField] = [:]) {
        self.init(domain: domain, pde: .poisson, forcing: Constant(0, dimension: domain.dimension),
                  boundaryValue: Constant(0, dimension: domain.dimension))
        self.fields = fields
        self.equations = equations
        self.conditions = conditions
        self.exactSolutions = fields.map { exactSolutions[$0] }
    }

    /// Whether the problem is written in the general form (its own equations).
    public var isGeneral: Bool { !equations.isEmpty }

    /// The equations and conditions the solver trains on: the general form's own, or the short form lowered (one
    /// equation "pde" with the forcing as target; the whole-boundary condition "boundary", marked ``Condition/hard``
    /// when the Dirichlet data are imposed exactly).
    public func generalForm(hardDirichlet: Bool = false) -> (equations: [Condition], conditions: [Condition]) {
        if isGeneral { return (equations, conditions) }
        let kind: LossTerm.Kind = systemResidual.map { .system($0) } ?? residual.map { .customResidual($0) } ?? .residual(pde)
        let equation = Condition(name: "pde", region: .interior, kind: kind, value: forcing)
        if !conditions.isEmpty { return ([equation], conditions) }
        var boundary = Condition(name: "boundary", region: .boundary, kind: boundaryCondition.lossKind,
                                 value: boundaryValue)
        boundary.hard = hardDirichlet
        return ([equation], [boundary])
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
        if isGeneral {
            return (equations + conditions).map { $0.text(fields: fields) }.joined(separator: "; ")
        }
        let interior: String
        switch residual {
        case nil where systemResidual != nil: interior = "\(systemResidual!.formula.source) = f (unknown: \(unknowns.joined(separator: ", ")))"
        case nil: interior = pde.equation
        case let formula as FormulaResidual: interior = "\(formula.formula.source) = f"
        default: interior = "r(x, u, ∇u, ∂²u) = f (user-defined)"
        }
        if !conditions.isEmpty {
            return interior + conditions.map { ", " + $0.text(fields: fields) }.joined()
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
