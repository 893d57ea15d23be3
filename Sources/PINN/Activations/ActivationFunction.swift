import CVectorMath
import RealModule

/// An elementary activation function φ with its derivatives up to third order (the reverse pass of a second
/// derivative needs φ‴).
///
/// Each function exists in three forms that tests hold equal: generic over `Real` (the dual-number oracle), a scalar
/// `derivatives(at:)` with closed-form derivatives, and a batched, vectorised `evaluate(_:count:value:first:second:third:)`.
public enum ActivationFunction: String, CaseIterable, Sendable, Codable {
    /// tanh(z).
    case tanh
    /// sin(z).
    case sin
    /// cos(z).
    case cos
    /// The logistic sigmoid 1/(1 + e⁻ᶻ).
    case sigmoid
    /// SiLU (swish): z·sigmoid(z).
    case silu
    /// softplus: log(1 + eᶻ).
    case softplus
    /// The identity z (for tests and linear models).
    case identity
    /// ReLU max(z, 0): first derivative 1 for z > 0, 0 otherwise; second and third derivatives 0 (almost
    /// everywhere) — so a ReLU network's Laplacian is 0 and it is of little use for second-order PDEs on its own;
    /// it is offered as a Kronecker term and for data fitting.
    case relu

    /// φ(z) on any `Real` type (dual numbers included).
    @inlinable
    public func callAsFunction<T: Real>(_ z: T) -> T {
        switch self {
        case .tanh: return T.tanh(z)
        case .sin: return T.sin(z)
        case .cos: return T.cos(z)
        case .sigmoid: return Self.logistic(z)
        case .silu: return z * Self.logistic(z)
        case .softplus:
            // max(z, 0) + log(1 + e^(−|z|)): no overflow for large |z|.
            return z > 0 ? z + T.log(onePlus: T.exp(-z)) : T.log(onePlus: T.exp(z))
        case .identity: return z
        case .relu: return z > 0 ? z : 0
        }
    }

    @inlinable
    static func logistic<T: Real>(_ z: T) -> T {
        z >= 0 ? 1 / (1 + T.exp(-z)) : T.exp(z) / (1 + T.exp(z))
    }

    /// (φ, φ′, φ″, φ‴) at z in closed form.
    public func derivatives(at z: Double) -> (Double, Double, Double, Double) {
        switch self {
        case .tanh:
            let t = Double.tanh(z), d1 = 1 - t * t
            return (t, d1, -2 * t * d1, d1 * (6 * t * t - 2))
        case .sin: return (Double.sin(z), Double.cos(z), -Double.sin(z), -Double.cos(z))
        case .cos: return (Double.cos(z), -Double.sin(z), -Double.cos(z), Double.sin(z))
        case .sigmoid:
            let s = Self.logistic(z), d = Self.logisticDerivatives(s)
            return (s, d.0, d.1, d.2)
        case .silu:
            let s = Self.logistic(z), d = Self.logisticDerivatives(s)
            return (z * s, s + z * d.0, 2 * d.0 + z * d.1, 3 * d.1 + z * d.2)
        case .softplus:
            let s = Self.logistic(z), d = Self.logisticDerivatives(s)
            return (self(z), s, d.0, d.1)
        case .identity: return (z, 1, 0, 0)
        case .relu: return z > 0 ? (z, 1, 0, 0) : (0, 0, 0, 0)
        }
    }

    /// σ′, σ″, σ‴ of the logistic function from its value σ.
    @inline(__always)
    static func logisticDerivatives(_ s: Double) -> (Double, Double, Double) {
        let d1 = s * (1 - s)
        return (d1, d1 * (1 - 2 * s), d1 * (1 - 6 * s + 6 * s * s))
    }

    /// Evaluates c·aᵐ·φ⁽ᵐ⁾(a·z), m = 0…3, at `count` contiguous points: with a = c = 1 (the defaults) φ, φ′, φ″, φ‴
    /// in one fused, vectorised pass (the transcendental part shared between the value and its derivatives).
    /// Outputs must not alias `z`, except `value`, which may.
    public func evaluate(_ z: UnsafePointer<Double>, count n: Int,
                         value: UnsafeMutablePointer<Double>, first: UnsafeMutablePointer<Double>,
                         second: UnsafeMutablePointer<Double>, third: UnsafeMutablePointer<Double>,
                         inputScale a: Double = 1, outputScale c: Double = 1) {
        if self == .tanh {
            // The scales are folded into the one pass (L-LAAF's φ(n·ω·z) costs what a fixed tanh does).
            pinn_tanh_derivatives_scaled(z, n, a, c, value, first, second, third)
            return
        }
        if a != 1 || c != 1 {
            // Other functions: scale the input into `value` (allowed to alias), evaluate, scale the outputs.
            for e in 0..<n { value[e] = a * z[e] }
            evaluate(value, count: n, value: value, first: first, second: second, third: third)
            let c1 = c * a, c2 = c1 * a, c3 = c2 * a
            for e in 0..<n { value[e] *= c; first[e] *= c1; second[e] *= c2; third[e] *= c3 }
            return
        }
        switch self {
        case .tanh:
            return
        case .sin:
            pinn_vsincos(z, second, first, n)  // sin into `second`, cos into `first` (z may alias value)
            for e in 0..<n {
                let s = second[e], c = first[e]
                value[e] = s; second[e] = -s; third[e] = -c
            }
        case .cos:
            pinn_vsincos(z, third, value, n)  // sin into `third`, cos into `value`
            for e in 0..<n {
                let s = third[e], c = value[e]
                first[e] = -s; second[e] = -c
            }
        case .sigmoid, .silu, .softplus:
            // logistic(z) = (1 + tanh(z/2))/2, computed in `first` as scratch.
            for e in 0..<n { first[e] = 0.5 * z[e] }
            pinn_vtanh_poly(first, first, n)
            if self == .softplus {
                // log(1 + e^(−|z|)) into `third` as scratch.
                for e in 0..<n { third[e] = -Swift.abs(z[e]) }
                pinn_vexp(third, third, n)
                pinn_vlog1p(third, third, n)
            }
            for e in 0..<n {
                let x = z[e], s = 0.5 + 0.5 * first[e]
                let d1 = s * (1 - s), d2 = d1 * (1 - 2 * s), d3 = d1 * (1 - 6 * s + 6 * s * s)
                switch self {
                case .sigmoid: value[e] = s; first[e] = d1; second[e] = d2; third[e] = d3
                case .silu: value[e] = x * s; first[e] = s + x * d1; second[e] = 2 * d1 + x * d2; third[e] = 3 * d2 + x * d3
                default: value[e] = Swift.max(x, 0) + third[e]; first[e] = s; second[e] = d1; third[e] = d2
                }
            }
        case .identity:
            for e in 0..<n {
                value[e] = z[e]; first[e] = 1; second[e] = 0; third[e] = 0
            }
        case .relu:
            for e in 0..<n {
                let x = z[e]
                value[e] = x > 0 ? x : 0; first[e] = x > 0 ? 1 : 0; second[e] = 0; third[e] = 0
            }
        }
    }
}
