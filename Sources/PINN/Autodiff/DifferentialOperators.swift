import RealModule

/// A scalar function of a point, written once generically over `Real` so that it runs on `Double` and on dual
/// numbers: exact solutions, forcing terms, boundary data and parsed formulas all conform.
///
/// The point is passed as an array of coordinates `[x, y, …]` of length ``inputDimension``.
public protocol ScalarField: Sendable {
    /// The number of coordinates the field takes.
    var inputDimension: Int { get }
    /// Evaluates the field at `point`.
    func callAsFunction<T: Real>(_ point: [T]) -> T
}

/// Derivatives of a ``ScalarField`` by forward-mode dual numbers: exact to rounding, one evaluation per
/// direction (first derivatives) or per pair of directions (second derivatives). Generic over the scalar type, so
/// the result is itself differentiable (a manufactured forcing term built from an exact solution is a
/// ``ScalarField`` again).
public enum DifferentialOperators {
    /// ∇f(x): the d first partial derivatives, one dual-number evaluation per direction.
    public static func gradient<T: Real>(of f: some ScalarField, at x: [T]) -> [T] {
        (0..<x.count).map { i in f(seeded(x, direction: i)).derivative }
    }

    /// The pure second derivatives ∂²f/∂xᵢ² (i = 1…d), one hyper-dual evaluation per direction.
    public static func pureSecondDerivatives<T: Real>(of f: some ScalarField, at x: [T]) -> [T] {
        (0..<x.count).map { i in f(hyperSeeded(x, direction: i)).derivative.derivative }
    }

    /// Every second derivative ∂²f/∂xᵢ∂xⱼ, i ≤ j, in the order of ``DerivativeStreams/hessianPairs(dimension:)``
    /// (xx, xy, …): one hyper-dual evaluation per pair, the inner tangent along xᵢ and the outer along xⱼ.
    public static func hessian<T: Real>(of f: some ScalarField, at x: [T]) -> [T] {
        DerivativeStreams.hessianPairs(dimension: x.count).map { i, j in
            let point: [Dual<Dual<T>>] = x.indices.map { k in
                Dual(Dual(x[k], derivative: k == i ? 1 : 0), derivative: Dual(k == j ? 1 : 0, derivative: 0))
            }
            return f(point).derivative.derivative
        }
    }

    /// The Laplacian Δf(x) = Σᵢ ∂²f/∂xᵢ².
    public static func laplacian<T: Real>(of f: some ScalarField, at x: [T]) -> T {
        pureSecondDerivatives(of: f, at: x).reduce(0, +)
    }

    /// The partial derivative ∂^α f(x) of any order, α given as one count per coordinate (`[2, 1]` = ∂³f/∂x²∂y):
    /// nested dual numbers, one level per order (2^|α| work per evaluation), exact to rounding. The reference for
    /// the engine's Taylor jets and the manufactured data of higher-order residuals.
    public static func partialDerivative<T: Real>(of f: some ScalarField, at x: [T], orders alpha: [Int]) -> T {
        precondition(alpha.count == x.count, "one count per coordinate")
        let axes = alpha.indices.flatMap { Array(repeating: $0, count: alpha[$0]) }
        return nestedPartial(of: f, at: x, axes: axes[...])
    }

    /// ∂_{axes} f by polymorphic recursion: each level seeds one axis on a new dual layer.
    private static func nestedPartial<T: Real>(of f: some ScalarField, at x: [T], axes: ArraySlice<Int>) -> T {
        guard let first = axes.first else { return f(x) }
        return nestedPartial(of: f, at: seeded(x, direction: first), axes: axes.dropFirst()).derivative
    }

    /// The point as duals, with the tangent seeded in coordinate `direction`.
    public static func seeded<T: Real>(_ x: [T], direction: Int) -> [Dual<T>] {
        x.indices.map { Dual(x[$0], derivative: $0 == direction ? 1 : 0) }
    }

    /// The point as hyper-duals, with both tangents seeded in coordinate `direction`.
    public static func hyperSeeded<T: Real>(_ x: [T], direction: Int) -> [Dual<Dual<T>>] {
        x.indices.map { j in
            let s: T = j == direction ? 1 : 0
            return Dual(Dual(x[j], derivative: s), derivative: Dual(s, derivative: 0))
        }
    }
}
