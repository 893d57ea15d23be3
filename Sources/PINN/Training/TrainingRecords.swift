import Foundation

/// One stage of a training schedule.
public struct TrainingStage: Sendable, Equatable {
    /// The optimizer of a stage.
    public enum Optimizer: Sendable, Equatable {
        /// Adam with a learning-rate schedule.
        case adam(LearningRateSchedule)
        /// L-BFGS with a strong-Wolfe line search (``LBFGS``); stops early when its tolerances are met.
        case lbfgs(LBFGS)
        /// Levenberg–Marquardt on the stacked residuals (``LevenbergMarquardt``); stops early when its tolerances
        /// are met. The loss must be a sum of squares: no slope-recovery term.
        case levenbergMarquardt(LevenbergMarquardt)
    }

    public var optimizer: Optimizer
    /// Iterations in this stage.
    public var iterations: Int
    /// Before this stage, drop every activation term but the first (the base φ₁ with its learned slope): e.g.
    /// train Rowdy, then continue as L-LAAF with the learned weights (Jagtap et al. 2022, Fig. 9).
    public var keepOnlyBaseActivationTerm: Bool

    public init(optimizer: Optimizer, iterations: Int, keepOnlyBaseActivationTerm: Bool = false) {
        self.optimizer = optimizer
        self.iterations = iterations
        self.keepOnlyBaseActivationTerm = keepOnlyBaseActivationTerm
    }

    /// A short name for histories and progress lines.
    public var name: String {
        switch optimizer {
        case .adam: return "adam"
        case .lbfgs: return "lbfgs"
        case .levenbergMarquardt: return "lm"
        }
    }
}

/// One row of the training history.
public struct HistoryRecord: Sendable, Equatable, Codable {
    /// Iterations completed (global, over all stages).
    public var iteration: Int
    /// Index of the stage the iteration belongs to.
    public var stage: Int
    /// Total loss L(θ) at the parameters before this iteration's update.
    public var loss: Double
    /// Loss of each term (same order as the objective's terms).
    public var termLosses: [Double]
    /// Relative L2 error and max error on the evaluation set, when an exact solution is known (for several fields:
    /// the largest of each over the fields).
    public var metrics: ErrorMetrics?
    /// Each field's errors (nil for fields without an exact solution); one entry for a single field.
    public var fieldMetrics: [ErrorMetrics?] = []
    /// Seconds since the start of training.
    public var wallTime: Double
    /// The learning rate used by the update (Adam), 0 (L-BFGS), or the damping μ after the step
    /// (Levenberg–Marquardt).
    public var learningRate: Double
    /// The weights of the loss terms at this record (they change under loss balancing).
    public var termWeights: [Double] = []
    /// Each hidden layer's activation amplitudes αₖ and slopes ωₖ at this record.
    public var amplitudes: [[Double]] = []
    public var slopes: [[Double]] = []
    /// The unknown coefficients' values at this record (inverse problems).
    public var unknowns: [Double] = []
    /// Causal training: the current ε and slice weights wᵢ (empty without causal training).
    public var causalEpsilon: Double?
    public var causalWeights: [Double] = []
}

/// ε-ranks of hidden layers at one iteration.
public struct EffectiveRankRecord: Sendable, Equatable, Codable {
    public var iteration: Int
    /// ranks[l][e]: hidden layer l (all layers, or only the last, as configured), tolerance e.
    public var ranks: [[Int]]
}

/// What ε-rank tracking measures (see ``EffectiveRank``).
public struct EffectiveRankTracking: Sendable {
    public var domain: any Domain
    public var every: Int
    public var epsilons: [Double]
    public var allLayers: Bool
    public var nodesPerAxis: Int?

    public init(domain: any Domain, every: Int, epsilons: [Double] = EffectiveRank.defaultEpsilons, allLayers: Bool = false,
                nodesPerAxis: Int? = nil) {
        self.domain = domain
        self.every = max(1, every)
        self.epsilons = epsilons
        self.allLayers = allLayers
        self.nodesPerAxis = nodesPerAxis
    }

    func measure(_ network: Network, iteration: Int) -> EffectiveRankRecord {
        let layers = allLayers ? Array(0..<network.layout.depth) : [network.layout.depth - 1]
        let ranks = layers.map { l in
            (try? EffectiveRank.ranks(of: network, on: domain, layer: l, nodesPerAxis: nodesPerAxis, epsilons: epsilons))
                ?? epsilons.map { _ in -1 }
        }
        return EffectiveRankRecord(iteration: iteration, ranks: ranks)
    }
}

/// Learning-rate annealing of the boundary weight (Wang, Teng & Perdikaris 2021, Algorithm 1): every `every`
/// first-order iterations,
/// ```
/// λ̂ = max|∇θ L_r| / mean|∇θ L_b|,   λ ← (1 − rate)·λ + rate·λ̂
/// ```
/// with L_r the residual term and L_b the unweighted boundary term (gradients over weights and biases).
public struct LossBalancing: Sendable, Equatable {
    public var every: Int
    public var rate: Double
    public init(every: Int = 10, rate: Double = 0.1) {
        self.every = max(1, every)
        self.rate = rate
    }
}

/// Why training ended.
public enum StopReason: Sendable, Equatable, CustomStringConvertible {
    /// All stages ran to their iteration counts.
    case completed
    /// The observer asked to stop (e.g. Ctrl-C).
    case interrupted(iteration: Int)
    /// The loss or gradient became NaN or infinite; the parameters are those of the last finite iteration.
    case diverged(iteration: Int)
    /// The wall-time limit (``Trainer/timeLimit``) was reached.
    case timeLimit(iteration: Int)
    /// Data-parallel training: the processes' parameters differed at a history record (see docs/scaling.md); the
    /// parameters are this process's at that record.
    case inconsistent(iteration: Int)

    public var description: String {
        switch self {
        case .completed: return "completed"
        case let .interrupted(i): return "interrupted at iteration \(i)"
        case let .diverged(i): return "diverged (non-finite loss or gradient) at iteration \(i)"
        case let .timeLimit(i): return "time limit reached at iteration \(i)"
        case let .inconsistent(i):
            return "the processes' parameters differ at iteration \(i) (a step that is not deterministic across them)"
        }
    }
}

/// Callbacks during training. All methods have defaults; observers see the trainer's thread.
public protocol TrainingObserver: AnyObject {
    /// After each iteration: the iteration count reached, the total iteration count, and the loss.
    func trainingDidIterate(iteration: Int, of total: Int, loss: Double, metrics: ErrorMetrics?)
    /// After each history record.
    func trainingDidRecord(_ record: HistoryRecord)
    /// Checked before every iteration; returning true stops training cleanly.
    func trainingShouldStop() -> Bool
}

extension TrainingObserver {
    public func trainingDidIterate(iteration: Int, of total: Int, loss: Double, metrics: ErrorMetrics?) {}
    public func trainingDidRecord(_ record: HistoryRecord) {}
    public func trainingShouldStop() -> Bool { false }
}

/// The result of ``Trainer/train(_:observer:continuing:recordFinal:)``.
public struct TrainingReport: Sendable {
    public var history: [HistoryRecord]
    /// Seconds of each optimizer iteration (loss, gradient and update; history evaluations excluded).
    public var iterationTimes: [Double]
    public var stopReason: StopReason
    /// Iterations completed.
    public var iterations: Int
    /// Wall-clock seconds of the whole training (evaluations included).
    public var totalTime: Double
    /// What each entry of ``HistoryRecord/termLosses`` is: pde, boundary, data, slope_recovery.
    public var lossNames: [String] = []
    /// ε-ranks recorded during training (empty unless tracking was on).
    public var effectiveRanks: [EffectiveRankRecord] = []
    /// Why each L-BFGS or Levenberg–Marquardt stage stopped ("stage 1: gradient norm … below tolerance after 812 iterations").
    public var stageNotes: [String] = []
    /// Where training stood when it was interrupted or reached its time limit: resume from it to continue (nil when
    /// training completed or diverged).
    public var checkpoint: TrainingCheckpoint?
    /// Mean milliseconds per iteration, over the whole training (evaluations included).
    public var millisecondsPerIteration: Double { iterations > 0 ? 1000 * totalTime / Double(iterations) : 0 }
    /// Median milliseconds of one optimizer iteration.
    public var medianMillisecondsPerIteration: Double {
        guard !iterationTimes.isEmpty else { return 0 }
        let sorted = iterationTimes.sorted()
        let mid = sorted.count / 2
        return 1000 * (sorted.count % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]))
    }
    /// Milliseconds of the fastest optimizer iteration (on a machine shared with others, the steadier figure).
    public var fastestMillisecondsPerIteration: Double { 1000 * (iterationTimes.min() ?? 0) }
}

/// Points where the error against the exact solution is measured during training.
public struct EvaluationSet: Sendable {
    public var points: [Double]
    /// Each field's exact values at the points (nil for fields without an exact solution).
    public var fields: [[Double]?]
    /// The first field's exact values.
    public var exact: [Double] { fields.first.flatMap { $0 } ?? [] }

    /// A set for a single-field problem.
    public init(points: [Double], exact: [Double]) { self.init(points: points, fields: [exact]) }

    public init(points: [Double], fields: [[Double]?]) {
        self.points = points
        self.fields = fields
    }
}
