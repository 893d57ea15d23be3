import RealModule

/// Derivatives of any order of the elementary activation functions, for the Taylor jets of ``JetPlan``:
/// ```
/// tanh⁽ᵐ⁾ = Pₘ(t),   t = tanh z,   P₀ = t,   Pₘ₊₁ = Pₘ′(t)·(1 − t²)
/// s⁽ᵐ⁾    = Qₘ(s),   s = logistic z,   Q₀ = s,   Qₘ₊₁ = Qₘ′(s)·s(1 − s)
/// silu⁽ᵐ⁾ = z·s⁽ᵐ⁾ + m·s⁽ᵐ⁻¹⁾,   softplus⁽ᵐ⁾ = s⁽ᵐ⁻¹⁾ (m ≥ 1),   sin, cos: cyclic
/// ```
extension ActivationFunction {
    /// The most derivatives ``derivatives(at:through:into:)`` gives (orders 0…`jetDerivativeLimit`).
    public static let jetDerivativeLimit = JetPlan.highestOrder + 2

    /// Coefficients of Pₘ (tanh) in powers of t, m = 0…limit.
    static let tanhPolynomials: [[Double]] = derivativePolynomials(base: [0, 1], factor: [1, 0, -1])
    /// Coefficients of Qₘ (logistic) in powers of s.
    static let logisticPolynomials: [[Double]] = derivativePolynomials(base: [0, 1], factor: [0, 1, -1])

    /// Pₘ₊₁ = Pₘ′·factor, starting from `base`, for m up to the limit.
    private static func derivativePolynomials(base: [Double], factor: [Double]) -> [[Double]] {
        var result = [base]
        for _ in 0..<jetDerivativeLimit {
            let p = result.last!
            let derivative = p.count > 1 ? (1..<p.count).map { Double($0) * p[$0] } : [0]
            var next = [Double](repeating: 0, count: derivative.count + factor.count - 1)
            for (i, a) in derivative.enumerated() {
                for (j, b) in factor.enumerated() { next[i + j] += a * b }
            }
            result.append(next)
        }
        return result
    }

    @inline(__always)
    static func horner(_ coefficients: [Double], _ x: Double) -> Double {
        var sum = 0.0
        for c in coefficients.reversed() { sum = sum * x + c }
        return sum
    }

    /// φ⁽ᵐ⁾(z) for m = 0…`order` into `result` (order ≤ ``jetDerivativeLimit``).
    public func derivatives(at z: Double, through order: Int, into result: UnsafeMutablePointer<Double>) {
        switch self {
        case .tanh:
            let t = Double.tanh(z)
            for m in 0...order { result[m] = Self.horner(Self.tanhPolynomials[m], t) }
        case .sin, .cos:
            let s = Double.sin(z), c = Double.cos(z)
            let cycle = self == .sin ? [s, c, -s, -c] : [c, -s, -c, s]
            for m in 0...order { result[m] = cycle[m % 4] }
        case .sigmoid, .silu, .softplus:
            let s = Self.logistic(z)
            // Logistic derivatives of orders 0…order into result first.
            for m in 0...order { result[m] = Self.horner(Self.logisticPolynomials[m], s) }
            if self == .silu {
                for m in stride(from: order, through: 1, by: -1) { result[m] = z * result[m] + Double(m) * result[m - 1] }
                result[0] = z * result[0]
            } else if self == .softplus {
                for m in stride(from: order, through: 1, by: -1) { result[m] = result[m - 1] }
                result[0] = self(z)
            }
        case .identity:
            for m in 0...order { result[m] = m == 0 ? z : m == 1 ? 1 : 0 }
        case .relu:
            for m in 0...order { result[m] = m == 0 ? Swift.max(z, 0) : m == 1 ? (z > 0 ? 1 : 0) : 0 }
        }
    }
}
