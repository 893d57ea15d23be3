import RealModule

/// Up to three components (one per input dimension, or one per mixed pair) stored inline, so building one per
/// point allocates nothing.
public struct Components<T: Real> {
    private var storage: (T, T, T)
    /// The number of components (0…3).
    public let count: Int

    /// `count` components, all zero.
    public init(count: Int) {
        precondition((0...3).contains(count), "pinn handles 1 to 3 input dimensions")
        self.count = count
        storage = (0, 0, 0)
    }

    /// Component i (0 ≤ i < d).
    public subscript(i: Int) -> T {
        get {
            switch i {
            case 0: return storage.0
            case 1: return storage.1
            default: return storage.2
            }
        }
        set {
            switch i {
            case 0: storage.0 = newValue
            case 1: storage.1 = newValue
            default: storage.2 = newValue
            }
        }
    }

    /// Σᵢ of the components (e.g. the Laplacian from the pure second derivatives).
    public var sum: T {
        if count == 0 { return 0 }
        var s = storage.0
        if count > 1 { s += storage.1 }
        if count > 2 { s += storage.2 }
        return s
    }
}

/// What a pointwise residual sees at one point x: the point itself, u(x), the first derivatives ∂u/∂xᵢ and the pure
/// second derivatives ∂²u/∂xᵢ² of the network, as scalars of type `T` (`Double` for the residual, dual numbers for
/// its partial derivatives). Entries a residual does not declare (see ``PointwiseResidual/order``) are zero.
public struct PointState<T: Real> {
    /// The point's coordinates (constants for the engine: their derivative parts are zero), so coefficients and
    /// forcing terms can be written as generic formulas in x.
    public var x: Components<T>
    /// u(x).
    public var u: T
    /// ∂u/∂xᵢ.
    public var du: Components<T>
    /// ∂²u/∂xᵢ².
    public var d2u: Components<T>
    /// The mixed second derivatives ∂²u/∂xᵢ∂xⱼ, i < j, in the order xy, xz, yz (none in 1D, one in 2D, three in 3D);
    /// filled only for residuals that declare ``PointwiseResidual/readsMixedDerivatives``.
    public var mixed: Components<T>
    /// The term's target at this point (the forcing f of a problem, or 0), which the engine subtracts from the
    /// residual; available here for residuals that need it inside a nonlinearity.
    public var target: Double

    /// Δu = Σᵢ ∂²u/∂xᵢ².
    public var laplacian: T { d2u.sum }

    /// ∂²u/∂xᵢ∂xⱼ for any i, j (pure or mixed).
    public func secondDerivative(_ i: Int, _ j: Int) -> T {
        if i == j { return d2u[i] }
        return mixed[PointState.mixedIndex(i, j, dimension: x.count)]
    }

    /// Sets ∂²u/∂xᵢ∂xⱼ (pure or mixed).
    public mutating func setSecondDerivative(_ i: Int, _ j: Int, _ value: T) {
        if i == j { d2u[i] = value } else { mixed[PointState.mixedIndex(i, j, dimension: x.count)] = value }
    }

    /// Where ∂²/∂xᵢ∂xⱼ (i ≠ j) sits in ``mixed``.
    public static func mixedIndex(_ i: Int, _ j: Int, dimension d: Int) -> Int {
        let (a, b) = i < j ? (i, j) : (j, i)
        return a * d - a * (a + 1) / 2 + (b - a - 1)
    }

    /// A state with every entry zero, for d dimensions.
    public init(dimension d: Int, target: Double = 0) {
        self.init(x: Components(count: d), u: 0, du: Components(count: d), d2u: Components(count: d),
                  mixed: Components(count: d * (d - 1) / 2), target: target)
    }

    public init(x: Components<T>, u: T, du: Components<T>, d2u: Components<T>,
                mixed: Components<T>? = nil, target: Double) {
        self.x = x
        self.u = u
        self.du = du
        self.d2u = d2u
        self.mixed = mixed ?? Components(count: x.count * (x.count - 1) / 2)
        self.target = target
    }

    /// A plain number as `T` (constants and coefficients in generic code).
    @inlinable
    public func constant(_ value: Double) -> T { T.converting(value) }
}

extension Components: Sendable where T: Sendable {}
extension PointState: Sendable where T: Sendable {}

/// A user-defined PDE residual r(x, u, ∇u, ∂²u), written once as generic Swift over `Real`.
///
/// The engine evaluates it on `Double` for the residual and on ``Dual`` numbers for its partial derivatives
/// ∂r/∂u, ∂r/∂(∂u/∂xᵢ), ∂r/∂(∂²u/∂xᵢ²) at every collocation point; the batched reverse pass turns those into
/// exact parameter gradients (and, for Levenberg–Marquardt, Jacobian rows). The loss term is
/// ```
/// (w/N) Σₚ (r(xₚ, u, ∇u, ∂²u) − fₚ)²
/// ```
/// with fₚ the term's targets (the problem's forcing; zero when the residual includes it). For example
/// −Δu + u³ = f:
/// ```swift
/// struct CubicPoisson: PointwiseResidual {
///     var order: Int { 2 }
///     func callAsFunction<T: Real>(_ s: PointState<T>) -> T { -s.laplacian + s.u * s.u * s.u }
/// }
/// ```
public protocol PointwiseResidual: Sendable {
    /// The highest derivative order the residual reads: 0 (u only), 1 (u and ∇u) or 2 (also ∂²u/∂xᵢ²). Lower
    /// orders let the engine carry fewer derivative streams.
    var order: Int { get }
    /// Whether it reads mixed second derivatives (``PointState/mixed``); the engine then carries all second
    /// derivatives. Provided: false.
    var readsMixedDerivatives: Bool { get }
    /// r at one point.
    func callAsFunction<T: Real>(_ state: PointState<T>) -> T
    /// r on plain numbers. Provided (it calls ``callAsFunction(_:)``): a concrete entry point, so that the engine's
    /// calls through `any PointwiseResidual` reach code specialised for `Double` instead of generic code.
    func residual(_ state: PointState<Double>) -> Double
    /// r on first-order dual numbers (its partial derivatives). Provided, like ``residual(_:)``.
    func residual(_ state: PointState<Dual<Double>>) -> Dual<Double>
}

extension PointwiseResidual {
    public var readsMixedDerivatives: Bool { false }
    @inlinable
    public func residual(_ state: PointState<Double>) -> Double { self(state) }
    @inlinable
    public func residual(_ state: PointState<Dual<Double>>) -> Dual<Double> { self(state) }
}

extension PointwiseResidual {
    /// The derivative streams the engine must compute.
    var streams: DerivativeStreams {
        switch order {
        case ...0: return .value
        case 1: return .gradient
        default: return readsMixedDerivatives ? .hessian : .pureSecond
        }
    }

    /// Writes, for n points, ρₚ = scale·(r(xₚ) − targetₚ) and the seeds scale·∂r/∂(stream) (layout of `outputs`,
    /// S·n entries for this residual's streams). One `Double` evaluation and one dual evaluation per input of r.
    func scaledResiduals(points: UnsafePointer<Double>, targets: UnsafePointer<Double>, outputs: UnsafePointer<Double>,
                         count n: Int, dimension d: Int, scale: Double,
                         residuals: UnsafeMutablePointer<Double>, seeds: UnsafeMutablePointer<Double>) {
        let streams = self.streams
        let s = streams.count(inputDimension: d)
        // Inputs of r in stream order: u, ∂u/∂xᵢ (order ≥ 1), ∂²u/∂xᵢ² (order 2) or all ∂²u/∂xᵢ∂xⱼ, i ≤ j (mixed).
        // Concrete types only: generic code here would look up type metadata at run time for every point.
        var plain = PointState<Double>(dimension: d)
        var dual = PointState<Dual<Double>>(dimension: d)
        let hessian = streams == .hessian
        func slot(_ b: Int) -> PointStateSlot {
            if b == 0 { return .value }
            if b <= d { return .first(b - 1) }
            let q = b - 1 - d
            guard hessian else { return .pure(q) }
            var k = 0
            for i in 0..<d {
                for j in i..<d {
                    if k == q { return i == j ? .pure(i) : .mixed(PointState<Double>.mixedIndex(i, j, dimension: d)) }
                    k += 1
                }
            }
            return .value
        }
        // Two concrete setters (a generic one would look up type metadata at run time for every point).
        func setPlain(_ b: Int, _ value: Double) {
            switch slot(b) {
            case .value: plain.u = value
            case let .first(i): plain.du[i] = value
            case let .pure(i): plain.d2u[i] = value
            case let .mixed(m): plain.mixed[m] = value
            }
        }
        func setInput(_ b: Int, _ value: Double, seeded: Bool) {
            let v = Dual(value, derivative: seeded ? 1 : 0)
            switch slot(b) {
            case .value: dual.u = v
            case let .first(i): dual.du[i] = v
            case let .pure(i): dual.d2u[i] = v
            case let .mixed(m): dual.mixed[m] = v
            }
        }
        for p in 0..<n {
            for i in 0..<d {
                plain.x[i] = points[p * d + i]
                dual.x[i] = Dual(constant: points[p * d + i])
            }
            plain.target = targets[p]
            dual.target = targets[p]
            for b in 0..<s { setPlain(b, outputs[b * n + p]) }
            for b in 0..<s { setInput(b, outputs[b * n + p], seeded: false) }
            residuals[p] = scale * (residual(plain) - targets[p])
            for b in 0..<s {
                setInput(b, outputs[b * n + p], seeded: true)
                seeds[b * n + p] = scale * residual(dual).derivative
                setInput(b, outputs[b * n + p], seeded: false)
            }
        }
    }
}

/// Where one stream block of the engine's output goes in a ``PointState``.
enum PointStateSlot { case value, first(Int), pure(Int), mixed(Int) }

/// The forcing f = r(x, u*, ∇u*, ∂²u*) that makes a known u* the exact solution of r(…) = f (manufactured
/// solutions for user-defined PDEs); the derivatives of u* come from nested dual numbers.
public struct ResidualForcing: ScalarField {
    public let residual: any PointwiseResidual
    public let solution: any ScalarField
    public var inputDimension: Int { solution.inputDimension }

    public init(residual: any PointwiseResidual, solution: any ScalarField) {
        self.residual = residual
        self.solution = solution
    }

    public func callAsFunction<T: Real>(_ x: [T]) -> T {
        let d = x.count
        var state = PointState<T>(dimension: d)
        state.u = solution(x)
        let gradient = residual.order >= 1 ? DifferentialOperators.gradient(of: solution, at: x) : []
        let second = residual.order >= 2 ? DifferentialOperators.hessian(of: solution, at: x) : []
        for i in 0..<d {
            state.x[i] = x[i]
            if residual.order >= 1 { state.du[i] = gradient[i] }
        }
        for (q, (i, j)) in DerivativeStreams.hessianPairs(dimension: d).enumerated() where residual.order >= 2 {
            state.setSecondDerivative(i, j, second[q])
        }
        return residual(state)
    }
}

/// The built-in linear residual a·Δu + c·u of ``PDE`` as a ``PointwiseResidual`` (the engine keeps a fused fast path
/// for it; this form serves as a reference and a template).
public struct LinearPDEResidual: PointwiseResidual {
    public var pde: PDE
    public init(_ pde: PDE) { self.pde = pde }
    public var order: Int { 2 }
    public func callAsFunction<T: Real>(_ s: PointState<T>) -> T {
        s.constant(pde.laplacianCoefficient) * s.laplacian + s.constant(pde.valueCoefficient) * s.u
    }
}

/// A PDE residual given as a ``Formula`` in the coordinates, u and its derivatives (problem files:
/// `"pde": {"type": "custom", "residual": "-(u_xx + u_yy) + u^3"}`). Variable names: `u`, `u_x`, `u_y`, `u_z`
/// (first derivatives), `u_xx`, `u_yy`, `u_zz` (pure second derivatives) and the mixed `u_xy`, `u_xz`, `u_yz` (also
/// written `u_yx`, `u_zx`, `u_zy`); the order is the highest one used, and a mixed derivative makes the engine carry
/// all second derivatives.
public struct FormulaResidual: PointwiseResidual {
    public let formula: Formula
    public let dimension: Int
    public let order: Int
    public let readsMixedDerivatives: Bool

    /// The names of u and its derivatives in a d-dimensional residual formula, in the order they are stored: u, the
    /// first derivatives, the pure second derivatives, then each mixed pair i < j under both spellings.
    public static func fieldNames(dimension d: Int) -> [String] {
        let axes = FormulaParser.coordinates(dimension: d)
        var names = ["u"] + axes.map { "u_" + $0 } + axes.map { "u_" + $0 + $0 }
        for i in 0..<d {
            for j in (i + 1)..<max(i + 1, d) { names += ["u_" + axes[i] + axes[j], "u_" + axes[j] + axes[i]] }
        }
        return names
    }

    /// Parses a residual formula for a d-dimensional domain.
    public init(_ source: String, dimension d: Int, parameters: [String: Double] = [:]) throws(FormulaError) {
        formula = try Formula(source, dimension: d, parameters: parameters, fields: Self.fieldNames(dimension: d))
        dimension = d
        let used = formula.referencedVariables
        // Variables: coordinates 0..<d, u at d, first derivatives d+1…2d, pure second 2d+1…3d, mixed after.
        readsMixedDerivatives = used.contains { $0 > 3 * d }
        order = used.contains { $0 >= 2 * d + 1 } ? 2 : used.contains { $0 > d } ? 1 : 0
    }

    public func callAsFunction<T: Real>(_ s: PointState<T>) -> T {
        let d = dimension
        var values = [T](repeating: 0, count: 3 * d + 1 + d * (d - 1))
        for i in 0..<d {
            values[i] = s.x[i]
            values[d + 1 + i] = s.du[i]
            values[2 * d + 1 + i] = s.d2u[i]
        }
        values[d] = s.u
        for m in 0..<(d * (d - 1) / 2) {
            values[3 * d + 1 + 2 * m] = s.mixed[m]
            values[3 * d + 2 + 2 * m] = s.mixed[m]
        }
        return formula(values)
    }
}
