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
/// direction (first derivatives) or per pair of directions (second derivatives).
public enum DifferentialOperators {
    /// ∇f(x): the d first partial derivatives, one dual-number evaluation per direction.
    public static func gradient(of f: some ScalarField, at x: [Double]) -> [Double] {
        (0..<x.count).map { i in
            f(seeded(x, direction: i)).derivative
        }
    }

    /// The value and the pure second derivatives ∂²f/∂xᵢ² (i = 1…d), one hyper-dual evaluation per direction.
    public static func pureSecondDerivatives(of f: some ScalarField, at x: [Double]) -> [Double] {
        (0..<x.count).map { i in
            f(hyperSeeded(x, direction: i)).derivative.derivative
        }
    }

    /// The Laplacian Δf(x) = Σᵢ ∂²f/∂xᵢ².
    public static func laplacian(of f: some ScalarField, at x: [Double]) -> Double {
        pureSecondDerivatives(of: f, at: x).reduce(0, +)
    }

    /// The point as duals, with the tangent seeded in coordinate `direction`.
    public static func seeded(_ x: [Double], direction: Int) -> [Dual<Double>] {
        x.indices.map { Dual(x[$0], derivative: $0 == direction ? 1 : 0) }
    }

    /// The point as hyper-duals, with both tangents seeded in coordinate `direction`.
    public static func hyperSeeded(_ x: [Double], direction: Int) -> [HyperDual] {
        x.indices.map { j in
            let s: Double = j == direction ? 1 : 0
            return HyperDual(Dual(x[j], derivative: s), derivative: Dual(s, derivative: 0))
        }
    }
}
