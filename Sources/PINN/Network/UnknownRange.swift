import Foundation

/// Where an unknown coefficient λ may lie. The optimizers work on an unconstrained θ and the residuals read
/// λ = map(θ), so every step keeps λ in its range:
/// ```
/// unbounded:      λ = θ
/// positive:       λ = exp θ                     (dλ/dθ = λ)
/// interval(a, b): λ = a + (b − a)·σ(θ), σ(θ) = 1/(1 + e^{−θ})   (dλ/dθ = (λ − a)(b − λ)/(b − a))
/// ```
/// The gradient entry and Levenberg–Marquardt column of θ are those of λ times dλ/dθ.
public enum UnknownRange: Sendable, Equatable, Codable, CustomStringConvertible {
    case unbounded
    case positive
    case interval(Double, Double)

    /// λ for the stored θ.
    public func value(_ theta: Double) -> Double {
        switch self {
        case .unbounded: return theta
        case .positive: return exp(theta)
        case let .interval(a, b): return a + (b - a) / (1 + exp(-theta))
        }
    }

    /// dλ/dθ at θ.
    public func derivative(_ theta: Double) -> Double {
        switch self {
        case .unbounded: return 1
        case .positive: return exp(theta)
        case let .interval(a, b):
            let s = 1 / (1 + exp(-theta))
            return (b - a) * s * (1 - s)
        }
    }

    /// The θ that gives λ (λ strictly inside the range).
    public func parameter(for lambda: Double) -> Double {
        switch self {
        case .unbounded: return lambda
        case .positive: return log(lambda)
        case let .interval(a, b):
            let s = (lambda - a) / (b - a)
            return log(s / (1 - s))
        }
    }

    /// Whether λ lies strictly inside the range (an initial value must).
    public func contains(_ lambda: Double) -> Bool {
        switch self {
        case .unbounded: return lambda.isFinite
        case .positive: return lambda > 0 && lambda.isFinite
        case let .interval(a, b): return lambda > a && lambda < b
        }
    }

    public var description: String {
        switch self {
        case .unbounded: return "unbounded"
        case .positive: return "positive"
        case let .interval(a, b): return "in (\(a), \(b))"
        }
    }
}
