/// A linear second-order PDE with constant coefficients in residual form
/// ```
/// r(x) = a·Δu(x) + c·u(x) − f(x)
/// ```
/// whose two named cases are the ones pinn ships.
public enum PDE: Sendable, Equatable {
    /// Poisson: −Δu = f (a = −1, c = 0).
    case poisson
    /// Helmholtz: Δu + k²u = f (a = 1, c = k²).
    case helmholtz(waveNumber: Double)

    /// The coefficient a of Δu in the residual.
    public var laplacianCoefficient: Double {
        switch self {
        case .poisson: return -1
        case .helmholtz: return 1
        }
    }

    /// The coefficient c of u in the residual.
    public var valueCoefficient: Double {
        switch self {
        case .poisson: return 0
        case let .helmholtz(k): return k * k
        }
    }

    /// The differential operator 𝓛u = a·Δu + c·u, from the value and the Laplacian.
    @inline(__always)
    public func apply(value u: Double, laplacian: Double) -> Double {
        laplacianCoefficient * laplacian + valueCoefficient * u
    }

    /// A short human-readable form, e.g. "Δu + 1·u = f".
    public var equation: String {
        switch self {
        case .poisson: return "-Δu = f"
        case let .helmholtz(k): return "Δu + \(k)²·u = f"
        }
    }
}
