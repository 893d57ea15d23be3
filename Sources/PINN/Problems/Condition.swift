import RealModule

/// Where an equation or a condition holds: the set its points are drawn from.
public enum Region: Sendable, CustomStringConvertible {
    /// The interior Ω (equations).
    case interior
    /// The whole boundary ∂Ω.
    case boundary
    /// Faces of a box (indices of ``Box/faceNames``: left, right, bottom, top, back, front).
    case faces([Int])
    /// Edges of a polygon (edge i runs from vertex i to vertex i + 1).
    case edges([Int])
    /// The boundary points where |φ(x)| ≤ tolerance, for a formula φ (`x = -0.5` is φ = x + 0.5).
    case predicate(Formula, tolerance: Double)
    /// Given points, point-major (a pressure gauge, observation points).
    case points([Double])
    /// The initial slice Ω × {t₀} of a ``SpaceTime`` domain (initial conditions).
    case initial

    public var description: String {
        switch self {
        case .interior: return "interior"
        case .boundary: return "boundary"
        case let .faces(faces):
            return faces.map { $0 < Box.faceNames.count ? Box.faceNames[$0] : "face \($0)" }.joined(separator: ", ")
        case let .edges(edges): return "edges " + edges.map(String.init).joined(separator: ", ")
        case let .predicate(phi, tolerance): return "boundary where |\(phi.source)| ≤ \(tolerance)"
        case .points: return "given points"
        case .initial: return "t = t₀"
        }
    }

    /// Whether the region lies on ∂Ω (its points have outward normals).
    public var isOnBoundary: Bool {
        switch self {
        case .boundary, .faces, .edges, .predicate: return true
        case .interior, .points, .initial: return false
        }
    }
}

/// One piece of a general problem: a residual that must vanish on a region. Equations hold in the interior;
/// conditions on the boundary, parts of it, single points or observation points. Dirichlet, Neumann and Robin
/// conditions on one field are the sugar kinds ``LossTerm/Kind/dirichlet``, ``LossTerm/Kind/robin(alpha:beta:)``
/// (with ``field``); everything else is a ``SystemResidual`` over all fields. The loss term it becomes is
/// ```
/// (w/N) Σₚ (r(xₚ) − gₚ)²
/// ```
/// with gₚ the targets: ``value`` at the points, or ``observed`` values given per point.
public struct Condition: Sendable {
    /// A name for histories and result files (`momentum_x`, `boundary_left_right`, `gauge`).
    public var name: String
    public var region: Region
    /// The residual r.
    public var kind: LossTerm.Kind
    /// The field the sugar kinds (dirichlet, robin, data) act on (index into ``Problem/fields``).
    public var field: Int
    /// The targets g as a function of x (the forcing of an equation, the data of a condition).
    public var value: any ScalarField
    /// Targets given per point (observations at a ``Region/points`` region), replacing ``value``.
    public var observed: [Double]?
    /// The weight w; nil: the configuration's residual, boundary or data weight, by role.
    public var weight: Double?
    /// Number of points; nil: the configuration's count (interior points for equations; boundary points shared in
    /// proportion to measure for conditions on parts of the boundary).
    public var pointCount: Int?
    /// How interior points are distributed; nil: the configuration's distribution.
    public var distribution: PointDistribution?
    /// Imposed exactly rather than penalised: a Dirichlet condition on the whole boundary of a box or disk becomes
    /// fieldₖ = g + D·Nₖ (``HardDirichletConstraint``; g, the value, must be smooth on the whole domain) and no loss term.
    public var hard = false

    public init(name: String, region: Region, kind: LossTerm.Kind, field: Int = 0, value: any ScalarField,
                observed: [Double]? = nil, weight: Double? = nil, pointCount: Int? = nil,
                distribution: PointDistribution? = nil) {
        self.name = name
        self.region = region
        self.kind = kind
        self.field = field
        self.value = value
        self.observed = observed
        self.weight = weight
        self.pointCount = pointCount
        self.distribution = distribution
    }

    /// A Dirichlet condition fieldₖ = g on a region.
    public static func dirichlet(_ field: Int = 0, on region: Region, value: any ScalarField,
                                 name: String? = nil) -> Condition {
        Condition(name: name ?? "boundary", region: region, kind: .dirichlet, field: field, value: value)
    }

    /// A Neumann condition ∂fieldₖ/∂n = g on a boundary region.
    public static func neumann(_ field: Int = 0, on region: Region, value: any ScalarField,
                               name: String? = nil) -> Condition {
        Condition(name: name ?? "boundary", region: region, kind: .robin(alpha: 0, beta: 1), field: field, value: value)
    }

    /// The residual r − g over the fields on a region (an equation when the region is the interior).
    public static func residual(_ residual: SystemResidual, on region: Region, value: (any ScalarField)? = nil,
                                name: String) -> Condition {
        Condition(name: name, region: region, kind: .system(residual),
                  value: value ?? Constant(0, dimension: residual.dimension))
    }

    /// The fields the residual reads.
    public var referencedFields: Set<Int> {
        switch kind {
        case let .system(r): return r.referencedFields
        default: return [field]
        }
    }

    /// Whether the residual reads outward normals (it must then hold on the boundary).
    public var readsNormals: Bool {
        switch kind {
        case .robin: return true
        case let .system(r): return r.readsNormals
        default: return false
        }
    }

    /// A short human-readable form: "u_x + v_y = 0 in the interior", "v = g on faces top".
    public func text(fields: [String]) -> String {
        let lhs: String
        switch kind {
        case let .residual(pde): lhs = pde.equation
        case let .customResidual(r as FormulaResidual): lhs = r.formula.source + " = f"
        case .customResidual: lhs = "r(x, u, ∇u, ∂²u) = f (user-defined)"
        case let .system(r): lhs = r.formula.source + (value is Constant ? " = 0" : " = g")
        case .dirichlet: lhs = "\(fields[field]) = g"
        case .data: lhs = "\(fields[field]) = data"
        case let .robin(alpha, beta):
            lhs = alpha == 0 && beta == 1 ? "∂\(fields[field])/∂n = g" : "\(alpha)·\(fields[field]) + \(beta)·∂\(fields[field])/∂n = g"
        }
        switch region {
        case .interior: return lhs + " in Ω"
        case .boundary: return lhs + " on ∂Ω"
        case .points: return lhs + " at given points"
        case .initial: return lhs + " at t = t₀"
        default: return lhs + " on " + region.description
        }
    }
}

/// A constant field (the zero target of a residual that contains its own forcing).
public struct Constant: ScalarField {
    public let value: Double
    public let inputDimension: Int
    public init(_ value: Double, dimension: Int) {
        self.value = value
        inputDimension = dimension
    }
    public func callAsFunction<T: Real>(_ x: [T]) -> T { T.converting(value) }
}
