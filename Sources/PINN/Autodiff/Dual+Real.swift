import RealModule

/// The derivative rules: each function returns `f(v)` and applies `f′(v)` to the tangent. Every rule is written with
/// `Value`'s own operations, so nested duals (`Dual<Dual<T>>`) differentiate the rules themselves and give exact
/// higher derivatives.
extension Dual: ElementaryFunctions, RealFunctions, Real {
    public static func exp(_ x: Dual) -> Dual { let e = Value.exp(x.value); return x.chain(e, e) }
    public static func expMinusOne(_ x: Dual) -> Dual { x.chain(.expMinusOne(x.value), .exp(x.value)) }
    public static func cosh(_ x: Dual) -> Dual { x.chain(.cosh(x.value), .sinh(x.value)) }
    public static func sinh(_ x: Dual) -> Dual { x.chain(.sinh(x.value), .cosh(x.value)) }
    public static func tanh(_ x: Dual) -> Dual { let t = Value.tanh(x.value); return x.chain(t, 1 - t * t) }
    public static func cos(_ x: Dual) -> Dual { x.chain(.cos(x.value), -Value.sin(x.value)) }
    public static func sin(_ x: Dual) -> Dual { x.chain(.sin(x.value), .cos(x.value)) }
    public static func tan(_ x: Dual) -> Dual { let t = Value.tan(x.value); return x.chain(t, 1 + t * t) }
    public static func log(_ x: Dual) -> Dual { x.chain(.log(x.value), 1 / x.value) }
    public static func log(onePlus x: Dual) -> Dual { x.chain(.log(onePlus: x.value), 1 / (1 + x.value)) }
    public static func acosh(_ x: Dual) -> Dual { x.chain(.acosh(x.value), 1 / .sqrt(x.value * x.value - 1)) }
    public static func asinh(_ x: Dual) -> Dual { x.chain(.asinh(x.value), 1 / .sqrt(x.value * x.value + 1)) }
    public static func atanh(_ x: Dual) -> Dual { x.chain(.atanh(x.value), 1 / (1 - x.value * x.value)) }
    public static func acos(_ x: Dual) -> Dual { x.chain(.acos(x.value), -1 / .sqrt(1 - x.value * x.value)) }
    public static func asin(_ x: Dual) -> Dual { x.chain(.asin(x.value), 1 / .sqrt(1 - x.value * x.value)) }
    public static func atan(_ x: Dual) -> Dual { x.chain(.atan(x.value), 1 / (1 + x.value * x.value)) }

    /// xʸ = exp(y·log x) for x > 0 (use `pow(_:_: Int)` for integer powers of negative numbers); the ∂/∂y term is
    /// left out when y carries no derivative, so that 0ʸ stays finite.
    public static func pow(_ x: Dual, _ y: Dual) -> Dual {
        let p = Value.pow(x.value, y.value)
        var d = y.value * Value.pow(x.value, y.value - 1) * x.derivative
        if y.derivative != 0 { d += p * Value.log(x.value) * y.derivative }
        return Dual(p, derivative: d)
    }
    public static func pow(_ x: Dual, _ n: Int) -> Dual {
        if n == 0 { return Dual(constant: 1) }
        return x.chain(.pow(x.value, n), Value(n) * .pow(x.value, n - 1))
    }
    public static func sqrt(_ x: Dual) -> Dual { let r = Value.sqrt(x.value); return x.chain(r, 1 / (2 * r)) }
    public static func root(_ x: Dual, _ n: Int) -> Dual {
        let r = Value.root(x.value, n)
        return x.chain(r, r / (Value(n) * x.value))
    }

    public static func atan2(y: Dual, x: Dual) -> Dual {
        let r2 = x.value * x.value + y.value * y.value
        return Dual(.atan2(y: y.value, x: x.value), derivative: (x.value * y.derivative - y.value * x.derivative) / r2)
    }
    public static func erf(_ x: Dual) -> Dual { x.chain(.erf(x.value), erfSlope(x.value)) }
    public static func erfc(_ x: Dual) -> Dual { x.chain(.erfc(x.value), -erfSlope(x.value)) }
    public static func exp2(_ x: Dual) -> Dual { let p = Value.exp2(x.value); return x.chain(p, p * .log(2)) }
    public static func exp10(_ x: Dual) -> Dual { let p = Value.exp10(x.value); return x.chain(p, p * .log(10)) }
    public static func hypot(_ x: Dual, _ y: Dual) -> Dual {
        let h = Value.hypot(x.value, y.value)
        return Dual(h, derivative: (x.value * x.derivative + y.value * y.derivative) / h)
    }
    public static func gamma(_ x: Dual) -> Dual { let g = Value.gamma(x.value); return x.chain(g, g * digamma(x.value)) }
    public static func log2(_ x: Dual) -> Dual { x.chain(.log2(x.value), 1 / (x.value * .log(2))) }
    public static func log10(_ x: Dual) -> Dual { x.chain(.log10(x.value), 1 / (x.value * .log(10))) }
    public static func logGamma(_ x: Dual) -> Dual { x.chain(.logGamma(x.value), digamma(x.value)) }
    public static func signGamma(_ x: Dual) -> FloatingPointSign { Value.signGamma(x.value) }

    /// d erf/dx = 2/√π · exp(−x²).
    @usableFromInline
    static func erfSlope(_ x: Value) -> Value { 2 / Value.sqrt(.pi) * Value.exp(-x * x) }
}

/// The digamma function ψ(x) = Γ′(x)/Γ(x), generic over `Real` so that on dual numbers it differentiates itself
/// (giving trigamma and beyond). Recurrence ψ(x) = ψ(x+1) − 1/x up to x ≥ 10, then the asymptotic series
/// ψ(x) ≈ ln x − 1/(2x) − Σ B₂ₖ/(2k·x²ᵏ); reflection ψ(1−x) − ψ(x) = π·cot(πx) for x < 0.5. Accuracy ≈ 1e-15.
public func digamma<T: Real>(_ x: T) -> T {
    if x < 1 / 2 {
        return digamma(1 - x) - T.pi / T.tan(T.pi * x)
    }
    var shift: T = 0
    var y = x
    while y < 10 {
        shift -= 1 / y
        y += 1
    }
    let inv2 = 1 / (y * y)
    // Bernoulli terms B₂ₖ/(2k), k = 1…7, summed by Horner's rule in 1/y².
    let coefficients: [(Int, Int)] = [(1, 12), (-1, 120), (1, 252), (-1, 240), (1, 132), (-691, 32760), (1, 12)]
    var series: T = 0
    for (numerator, denominator) in coefficients.reversed() {
        series = series * inv2 + T(numerator) / T(denominator)
    }
    series *= inv2
    return shift + T.log(y) - 1 / (2 * y) - series
}
