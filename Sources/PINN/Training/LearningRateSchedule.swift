/// The learning rate η as a function of the iteration t (0-based, counted within a training stage).
public enum LearningRateSchedule: Sendable, Equatable {
    /// η(t) = η₀.
    case constant(Double)
    /// Piecewise constant ("annealing", Jagtap et al. §4.2.1): η₀ until the first change, then each change's rate
    /// from its iteration on. E.g. `.piecewise(initial: 4e-3, changes: [(500, 1e-4)])`.
    case piecewise(initial: Double, changes: [Change])
    /// η(t) = η₀ · factor^⌊t / every⌋, e.g. ×0.9 every 1000 iterations.
    case exponential(initial: Double, factor: Double, every: Int)

    /// A change of rate at an iteration.
    public struct Change: Sendable, Equatable {
        public let iteration: Int
        public let rate: Double
        public init(iteration: Int, rate: Double) { self.iteration = iteration; self.rate = rate }
    }

    /// η at iteration t.
    public func rate(at t: Int) -> Double {
        switch self {
        case let .constant(eta): return eta
        case let .piecewise(initial, changes):
            var eta = initial
            for change in changes where t >= change.iteration { eta = change.rate }
            return eta
        case let .exponential(initial, factor, every):
            return initial * Foundation.pow(factor, Double(t / max(1, every)))
        }
    }

    /// The initial rate η(0).
    public var initialRate: Double { rate(at: 0) }
}

import Foundation
