import Foundation

/// Everything a training run needs to continue exactly where it stood: a run resumed from a checkpoint takes the
/// same steps, draws the same points and records the same history as the uninterrupted run (bit for bit, on any
/// thread count; only wall times differ).
///
/// Taken between two iterations: after an iteration's update and its history record, before the next iteration's
/// point refresh. The file layout is in docs/output-format.md (``CheckpointFile``).
public struct TrainingCheckpoint: Sendable, Equatable {
    /// The optimizer's state inside the stage in progress.
    public enum OptimizerState: Sendable, Equatable {
        /// Adam's moments and step count, and the stage's iterations done (the learning-rate schedule's t).
        case adam(m: [Double], v: [Double], step: Int, stageIteration: Int)
        /// L-BFGS between two iterations.
        case lbfgs(LBFGS.State)
        /// Levenberg–Marquardt between two accepted steps.
        case levenbergMarquardt(LevenbergMarquardtProgress)

        /// The optimizer's name as in ``TrainingStage/name``.
        public var name: String {
            switch self {
            case .adam: return "adam"
            case .lbfgs: return "lbfgs"
            case .levenbergMarquardt: return "lm"
            }
        }
    }

    /// A Levenberg–Marquardt stage's progress: with causal weights it runs in segments, each a fresh minimisation
    /// at fixed weights whose damping carries over.
    public struct LevenbergMarquardtProgress: Sendable, Equatable {
        /// The segment in progress.
        public var state: LevenbergMarquardt.State
        /// Its iteration budget.
        public var segmentIterations: Int
        /// Iterations of the stage left when the segment started.
        public var remaining: Int
        /// Iterations, trial steps and fallbacks of the stage's earlier segments.
        public var iterations = 0
        public var trials = 0
        public var fallbacks = 0
    }

    /// Iterations completed (over all stages and time windows).
    public var iteration: Int
    /// The stage in progress: its index in the configuration's schedule.
    public var stage: Int
    /// The optimizer's state in that stage.
    public var optimizer: OptimizerState
    /// All parameters θ of the network being trained (its layout is the stage's).
    public var parameters: [Double]
    /// The last parameters whose loss and gradient were finite (restored if the next iteration diverges).
    public var lastGood: [Double]
    /// The weight of every loss term (loss balancing and causal weighting change them).
    public var termWeights: [Double]
    /// Causal training: the index of the current ε and the slice weights.
    public var causalLevel: Int?
    public var causalWeights: [Double] = []
    /// Resampling and refinement: the generator's state, the current interior points, and whether they have
    /// changed since the start (nil without resampling or refinement).
    public var refreshGenerator: [UInt64]?
    public var refreshInterior: [Double] = []
    public var refreshed = false
    /// The history so far, each iteration's time, ε-ranks and stage notes.
    public var history: [HistoryRecord] = []
    public var iterationTimes: [Double] = []
    public var effectiveRanks: [EffectiveRankRecord] = []
    public var stageNotes: [String] = []
    /// Seconds of training so far.
    public var time: Double
    /// Time marching: the window in progress, the parameters of the windows trained before it, and their
    /// collocation points (interior and boundary, point-major, all windows one after the other).
    public var window = 0
    public var windowParameters: [[Double]] = []
    public var windowInterior: [Double] = []
    public var windowBoundary: [Double] = []
}

extension TrainingCheckpoint {
    /// Puts the records of the training before this checkpoint's part (earlier segments or time windows) first.
    mutating func prepend(_ earlier: TrainingReport) {
        history = earlier.history + history
        iterationTimes = earlier.iterationTimes + iterationTimes
        effectiveRanks = earlier.effectiveRanks + effectiveRanks
        stageNotes = earlier.stageNotes + stageNotes
    }
}

/// When a run writes checkpoints, and where they go.
public struct Checkpointing: Sendable {
    /// How often: every so many iterations, or every so many seconds of training.
    public enum Interval: Sendable, Equatable {
        case iterations(Int)
        case seconds(Double)
    }

    public var interval: Interval
    /// Receives each checkpoint (e.g. writes it to a file); called on the training thread.
    public var save: @Sendable (TrainingCheckpoint) -> Void

    public init(every interval: Interval, save: @escaping @Sendable (TrainingCheckpoint) -> Void) {
        self.interval = interval
        self.save = save
    }
}

extension Solver {
    /// Why `checkpoint` cannot continue this problem and configuration (nil when it can): its stage, optimizer and
    /// sizes must be those this solver would have at that point.
    func checkpointProblem(_ checkpoint: TrainingCheckpoint) -> String? {
        let c = configuration
        if c.leastSquares != nil { return "the least-squares method is not trained iteratively: nothing to resume" }
        guard checkpoint.stage >= 0, checkpoint.stage < c.stages.count else {
            return "it is at stage \(checkpoint.stage + 1), but the schedule has \(c.stages.count) stages"
        }
        let stage = c.stages[checkpoint.stage]
        guard stage.name == checkpoint.optimizer.name else {
            return "its stage \(checkpoint.stage + 1) runs \(checkpoint.optimizer.name), the schedule's runs \(stage.name)"
        }
        let windows = max(1, c.timeWindows.count - 1)
        guard checkpoint.window >= 0, checkpoint.window < windows, checkpoint.windowParameters.count == checkpoint.window
        else { return "it is in time window \(checkpoint.window + 1), but there are \(windows)" }
        // Windows after the first start from the previous window's trained network, in the schedule's last layout.
        let p = layout(atStage: checkpoint.window > 0 ? c.stages.count - 1 : checkpoint.stage).parameterCount
        guard checkpoint.parameters.count == p, checkpoint.lastGood.count == p else {
            return "it holds \(checkpoint.parameters.count) network parameters, this problem's network has \(p)"
        }
        let finalCount = layout(atStage: c.stages.count - 1).parameterCount
        guard checkpoint.windowParameters.allSatisfy({ $0.count == finalCount }) else {
            return "its earlier time windows' networks do not match this problem's network"
        }
        switch checkpoint.optimizer {
        case let .adam(m, v, step, t):
            guard m.count == p, v.count == p, step >= 0, (0...stage.iterations).contains(t) else {
                return "its Adam state does not fit the network or the stage's \(stage.iterations) iterations"
            }
        case let .lbfgs(state):
            guard state.x.count == p, state.gradient.count == p, state.s.count == state.y.count,
                  state.rho.count == state.s.count, (state.s + state.y).allSatisfy({ $0.count == p }),
                  (0...stage.iterations).contains(state.iterations) else {
                return "its L-BFGS state does not fit the network or the stage's \(stage.iterations) iterations"
            }
        case let .levenbergMarquardt(progress):
            guard progress.state.x.count == p, progress.remaining <= stage.iterations,
                  (0...progress.segmentIterations).contains(progress.state.iterations) else {
                return "its Levenberg–Marquardt state does not fit the network or the stage's iterations"
            }
        }
        guard (c.resampleEvery > 0 || c.refinement != nil) == (checkpoint.refreshGenerator != nil) else {
            return "it was written by a run \(checkpoint.refreshGenerator == nil ? "without" : "with") resampling or refinement"
        }
        if let generator = checkpoint.refreshGenerator, Xoshiro256(state: generator) == nil {
            return "its point generator's state is not valid"
        }
        guard (c.causal != nil) == (checkpoint.causalLevel != nil) else {
            return "it was written by a run \(checkpoint.causalLevel == nil ? "without" : "with") causal weighting"
        }
        return nil
    }

    /// The network layout stage `s` trains (stages that keep only the base activation term change it).
    func layout(atStage s: Int) -> NetworkLayout {
        var network = makeNetwork()
        if configuration.stages.prefix(s + 1).contains(where: \.keepOnlyBaseActivationTerm) {
            network = network.keepingOnlyBaseActivationTerms()
        }
        return network.layout
    }
}
