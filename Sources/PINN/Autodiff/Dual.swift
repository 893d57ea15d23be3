import RealModule

/// A first-order dual number `v + d·ε` with `ε² = 0`: evaluating a function on `Dual(x, 1)` yields `f(x)` and
/// `f′(x)` at once (forward-mode automatic differentiation).
///
/// ```
/// f(v + d·ε) = f(v) + f′(v)·d·ε
/// ```
///
/// `Dual` conforms to swift-numerics' `Real`, so a formula written once as generic Swift,
/// `func u<T: Real>(_ x: T, _ y: T) -> T`, runs on `Double` and on dual numbers. Nesting gives higher orders:
/// `Dual<Dual<Double>>` is a hyper-dual number whose `ε₁ε₂` part is the second derivative (see ``HyperDual``).
/// Comparisons, rounding and classification look at the value part only; piecewise-constant operations have a
/// zero derivative.
public struct Dual<Value: Real> {
    /// The value part `v`.
    public var value: Value
    /// The derivative (tangent) part `d`.
    public var derivative: Value

    /// Creates `value + derivative·ε`.
    @inlinable
    public init(_ value: Value, derivative: Value) {
        self.value = value
        self.derivative = derivative
    }

    /// A constant: `value + 0·ε`.
    @inlinable
    public init(constant value: Value) {
        self.value = value
        self.derivative = 0
    }

    /// The independent variable `value + 1·ε`, whose derivative is seeded with one.
    @inlinable
    public static func variable(_ value: Value) -> Dual { Dual(value, derivative: 1) }

    /// Applies the chain rule: `f(v + dε) = f(v) + f′(v)·d·ε`, given `f(v)` and `f′(v)`.
    @inlinable
    func chain(_ f: Value, _ fPrime: Value) -> Dual { Dual(f, derivative: fPrime * derivative) }
}

/// A second-order (hyper-dual) number: `Dual<Dual<Double>>`. Seeding `x = ((v, 1), (1, 0))` gives
/// `f(x).value.value = f(v)`, `f(x).value.derivative = f(x).derivative.value = f′(v)` and
/// `f(x).derivative.derivative = f″(v)`.
public typealias HyperDual = Dual<Dual<Double>>

extension Dual: CustomStringConvertible {
    public var description: String { "\(value) + \(derivative)ε" }
}

extension Dual: Sendable where Value: Sendable {}
