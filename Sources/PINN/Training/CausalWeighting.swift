import Foundation

/// Causal training for evolution problems (Wang, Sankaran & Perdikaris, "Respecting causality is all you need for
/// training physics-informed neural networks", CMAME 2024): the time range is cut into M slices, each equation's
/// residual loss into one term per slice, and slice i is weighted by
/// ```
/// wᵢ = exp(−ε·Σ_{k<i} Lₖ),   w₀ = 1,
/// ```
/// Lₖ the residual loss of slice k (its mean squared residual, times the equation's weight, summed over the
/// equations), so a slice is trained only once the slices before it fit. ε follows a schedule: training starts with
/// the first ε, and whenever every weight exceeds ``threshold`` (all slices fit at this ε) the next ε applies. The
/// weights are held at 1e-200 at least, so that every slice's loss stays measurable.
public struct CausalTraining: Sendable, Equatable {
    /// The number of time slices M.
    public var slices: Int
    /// The ε schedule (increasing).
    public var epsilons: [Double]
    /// Move to the next ε once min wᵢ exceeds this.
    public var threshold: Double
    /// Levenberg–Marquardt iterations between weight updates: the least-squares problem is fixed within a run of
    /// LM iterations, so LM stages run in segments of this many, the weights updated before each.
    public var levenbergMarquardtSegment: Int

    public init(slices: Int = 32, epsilons: [Double] = [1e-2, 1e-1, 1, 10, 100], threshold: Double = 0.99,
                levenbergMarquardtSegment: Int = 20) {
        self.slices = slices
        self.epsilons = epsilons
        self.threshold = threshold
        self.levenbergMarquardtSegment = levenbergMarquardtSegment
    }

    /// The smallest weight kept (see the type's description).
    public static let weightFloor = 1e-200

    /// wᵢ = max(exp(−ε·Σ_{k<i} Lₖ), 10⁻²⁰⁰) for the slice losses L.
    public static func weights(sliceLosses: [Double], epsilon: Double) -> [Double] {
        var sum = 0.0
        return sliceLosses.map { loss in
            defer { sum += loss }
            return max(exp(-epsilon * sum), weightFloor)
        }
    }

    /// The slice of time t among M equal slices of [t₀, T] (T itself in the last).
    static func slice(of t: Double, start: Double, end: Double, count: Int) -> Int {
        min(count - 1, max(0, Int((t - start) / (end - start) * Double(count))))
    }

    /// The terms with the first `equationCount` (the equations) split by time slice, slice-major (slice 0 of every
    /// equation, then slice 1, …: the equations of a system on the same points stay next to each other and are
    /// swept together), then the other terms unchanged; and the weighting that drives them. A slice term keeps its
    /// equation's name with the slice number appended and the weight w_eq·Nᵢ/N, so that with all wᵢ = 1 the loss is
    /// the plain one.
    func split(_ terms: [LossTerm], equationCount: Int, domain: SpaceTime) -> (terms: [LossTerm], weighting: CausalWeighting) {
        let d = domain.dimension
        var sliced: [LossTerm] = [], members = [[Int]](repeating: [], count: slices), shares: [Double] = []
        for i in 0..<slices {
            for term in terms.prefix(equationCount) {
                let inSlice = (0..<term.count).filter {
                    Self.slice(of: term.points[$0 * d + d - 1], start: domain.start, end: domain.end, count: slices) == i
                }
                guard !inSlice.isEmpty else { continue }
                var part = term
                part.points = inSlice.flatMap { term.points[($0 * d)..<($0 * d + d)] }
                part.targets = inSlice.map { term.targets[$0] }
                if !term.normals.isEmpty { part.normals = inSlice.flatMap { term.normals[($0 * d)..<($0 * d + d)] } }
                let share = Double(inSlice.count) / Double(term.count)
                part.weight = term.weight * share
                part.label = "\(term.name)_t\(i)"
                members[i].append(sliced.count)
                shares.append(share)
                sliced.append(part)
            }
        }
        let weighting = CausalWeighting(training: self, sliceTerms: members, baseWeights: sliced.map(\.weight),
                                        shares: shares)
        return (sliced + terms.dropFirst(equationCount), weighting)
    }
}

/// The state of causal training during a run: the current ε and slice weights, applied to the objective's slice
/// terms (see ``CausalTraining``).
public final class CausalWeighting: @unchecked Sendable {
    public let training: CausalTraining
    /// The objective's terms of each slice.
    let sliceTerms: [[Int]]
    /// Each slice term's weight without the causal factor (the equation's weight times the slice's share).
    let baseWeights: [Double]
    /// Each slice term's share Nᵢ/N of its equation's points.
    let shares: [Double]
    /// The index of the current ε in the schedule.
    public private(set) var level = 0
    /// The current slice weights wᵢ.
    public private(set) var weights: [Double]

    init(training: CausalTraining, sliceTerms: [[Int]], baseWeights: [Double], shares: [Double]) {
        self.training = training
        self.sliceTerms = sliceTerms
        self.baseWeights = baseWeights
        self.shares = shares
        weights = Array(repeating: 1, count: sliceTerms.count)
    }

    /// The current ε.
    public var epsilon: Double { training.epsilons[level] }

    /// The slice losses Lᵢ (mean squared residual times the equation weight, summed over the equations) from the
    /// objective's term losses, which carry the current weights: term t of slice i has loss wᵢ·w_eq·(Nᵢ/N)·mean r².
    public func sliceLosses(termLosses: [Double]) -> [Double] {
        sliceTerms.enumerated().map { i, members in
            members.reduce(0.0) { $0 + termLosses[$1] / (weights[i] * shares[$1]) }
        }
    }

    /// Sets new weights from the term losses of the current parameters (advancing ε when all weights exceed the
    /// threshold) and applies them to the objective's slice terms.
    public func update(_ objective: Objective, termLosses: [Double]) {
        let losses = sliceLosses(termLosses: termLosses)
        weights = CausalTraining.weights(sliceLosses: losses, epsilon: epsilon)
        while level + 1 < training.epsilons.count, weights.min()! > training.threshold {
            level += 1
            weights = CausalTraining.weights(sliceLosses: losses, epsilon: epsilon)
        }
        apply(to: objective)
    }

    /// Continues from a checkpoint's ε level and slice weights.
    func restore(level: Int, weights: [Double]) {
        guard (0..<training.epsilons.count).contains(level), weights.count == self.weights.count else { return }
        self.level = level
        self.weights = weights
    }

    /// Writes wᵢ times each slice term's base weight into the objective.
    func apply(to objective: Objective) {
        for (i, members) in sliceTerms.enumerated() {
            for t in members { objective.setWeight(baseWeights[t] * weights[i], ofTerm: t) }
        }
    }
}
