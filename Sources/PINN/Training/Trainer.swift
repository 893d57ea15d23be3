import Foundation

/// Runs a training schedule on an ``Objective``.
public final class Trainer {
    public let objective: Objective
    public var stages: [TrainingStage]
    /// Record the history every this many iterations (and at the first and last).
    public var historyInterval: Int
    /// Where errors are measured at each history record.
    public var evaluation: EvaluationSet?
    /// Whether Adam's steps for activation amplitudes and slopes are divided by their fixed scale and frequency
    /// (see ``Network/activationStepScales``).
    public var scaleActivationSteps = true
    /// ε-rank tracking, if wanted.
    public var effectiveRankTracking: EffectiveRankTracking?
    /// Boundary-weight annealing in Adam stages, if wanted (term 0 residual, term 1 boundary).
    public var lossBalancing: LossBalancing?
    /// Replaces the interior (first) loss terms every ``pointRefreshEvery`` iterations: resampling or
    /// residual-based adaptive refinement (see ``Solver``); term i of the result replaces term i. Returns nil to keep
    /// the points.
    public var pointRefresh: ((Network, Int) -> [LossTerm]?)?
    public var pointRefreshEvery = 0
    /// Stop cleanly once training has run this many seconds (counted over all stages and segments).
    public var timeLimit: Double?
    /// Causal weighting of the residual's time slices (see ``CausalTraining``): updated from every Adam
    /// iteration's term losses (applied from the next iteration), before every L-BFGS stage, and between segments
    /// of Levenberg–Marquardt stages.
    public var causal: CausalWeighting?
    /// Writes checkpoints during training (nil: none).
    public var checkpointing: Checkpointing?
    /// Adds what the caller owns (e.g. the solver's points and time windows) to every checkpoint taken.
    public var completeCheckpoint: ((inout TrainingCheckpoint) -> Void)?
    /// Continue from this checkpoint instead of the start: its stage, less the continuation's stage, is an index
    /// into ``stages``; the network passed to ``train(_:observer:continuing:recordFinal:)`` must hold its parameters
    /// and the objective its terms and weights.
    public var resume: TrainingCheckpoint?
    /// Put before every stage note (time marching: "window 2: ").
    public var stageNotePrefix = ""
    /// Data-parallel training: the processes that train together (the objective sums over them). Stops are decided
    /// together (any process interrupted or out of time stops all), and at every history record the processes check
    /// that their parameters are bit-identical.
    public var communicator: any Communicator = SerialCommunicator.shared
    private var effectiveRanks: [EffectiveRankRecord] = []
    private var stageNotes: [String] = []

    public init(objective: Objective, stages: [TrainingStage], historyInterval: Int = 100, evaluation: EvaluationSet? = nil) {
        self.objective = objective
        self.stages = stages
        self.historyInterval = max(1, historyInterval)
        self.evaluation = evaluation
    }

    /// Total iterations over all stages.
    public var totalIterations: Int { stages.reduce(0) { $0 + $1.iterations } }

    /// Where a training run continues from: iterations, stages and seconds already done (for schedules that change
    /// the network between stages).
    public struct Continuation: Sendable {
        public var iteration = 0
        public var stage = 0
        public var time = 0.0
        public var totalIterations: Int?
        /// Seconds of `time` that an earlier process spent (a resumed run): not counted against the time limit.
        public var resumedTime = 0.0
        public init(iteration: Int = 0, stage: Int = 0, time: Double = 0, totalIterations: Int? = nil,
                    resumedTime: Double = 0) {
            self.iteration = iteration
            self.stage = stage
            self.time = time
            self.totalIterations = totalIterations
            self.resumedTime = resumedTime
        }
    }

    /// Trains `network` in place. On divergence the network keeps the last parameters whose loss and gradient were
    /// finite. `recordFinal` adds a history record after the last stage.
    public func train(_ network: inout Network, observer: TrainingObserver? = nil,
                      continuing from: Continuation = Continuation(), recordFinal: Bool = true) -> TrainingReport {
        effectiveRanks = []
        stageNotes = []
        var report = run(&network, observer: observer, continuing: from, recordFinal: recordFinal)
        report.lossNames = objective.lossNames
        report.effectiveRanks = effectiveRanks
        report.stageNotes = stageNotes
        if var checkpoint = report.checkpoint {
            completeCheckpoint?(&checkpoint)
            report.checkpoint = checkpoint
        }
        return report
    }

    private func run(_ network: inout Network, observer: TrainingObserver?, continuing from: Continuation,
                     recordFinal: Bool) -> TrainingReport {
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { from.time + Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }
        let p = network.layout.parameterCount
        let mask = network.trainableMask
        let gradient = UnsafeMutablePointer<Double>.allocate(capacity: p)
        defer { gradient.deallocate() }
        let evaluator = evaluation.map { _ in NetworkEvaluator(layout: network.layout) }
        var history = resume?.history ?? []
        var iterationTimes = resume?.iterationTimes ?? []
        iterationTimes.reserveCapacity(totalIterations)
        var iteration = resume?.iteration ?? from.iteration
        effectiveRanks = resume?.effectiveRanks ?? []
        stageNotes = resume?.stageNotes ?? []
        let firstStage = resume.map { $0.stage - from.stage } ?? 0
        // The last parameters whose loss and gradient were finite, restored on divergence (copied in place: no
        // allocation per iteration).
        var lastGood = resume?.lastGood ?? network.parameters
        func keepAsLastGood(_ theta: [Double]) {
            lastGood.withUnsafeMutableBufferPointer { dst in theta.withUnsafeBufferPointer { dst.baseAddress!.update(from: $0.baseAddress!, count: p) } }
        }
        var lastMetrics: ErrorMetrics?
        let total = from.totalIterations ?? totalIterations

        func fieldMetrics(_ net: Network) -> [ErrorMetrics?] {
            guard let evaluation, let evaluator else { return [] }
            let values = evaluator.evaluateFields(net, at: evaluation.points)
            return evaluation.fields.enumerated().map { k, exact in
                exact.map { ErrorMetrics(prediction: values[k][0], exact: $0) }
            }
        }
        func record(stage: Int, losses: [Double], rate: Double, net: Network) {
            let perField = fieldMetrics(net)
            lastMetrics = ErrorMetrics.worst(of: perField.compactMap { $0 })
            var r = HistoryRecord(iteration: iteration, stage: from.stage + stage, loss: losses.reduce(0, +),
                                  termLosses: losses, metrics: lastMetrics, wallTime: elapsed(), learningRate: rate)
            r.fieldMetrics = perField
            r.termWeights = objective.terms.map(\.weight)
            r.unknowns = net.unknowns
            r.causalEpsilon = causal?.epsilon
            r.causalWeights = causal?.weights ?? []
            for l in 0..<net.layout.depth {
                let (a, w) = net.activationParameters(layer: l)
                r.amplitudes.append(a)
                r.slopes.append(w)
            }
            history.append(r)
            observer?.trainingDidRecord(r)
            if communicator.size > 1, inconsistentAt == nil, !communicator.agree(on: Fingerprint.of(net.parameters)) {
                inconsistentAt = iteration
            }
        }

        func timeIsUp() -> Bool { timeLimit.map { elapsed() - from.resumedTime >= $0 } ?? false }
        /// Whether to stop now, decided by all processes together: (interrupted, out of time).
        func stopNow() -> (interrupted: Bool, timedOut: Bool) {
            let interrupted = observer?.trainingShouldStop() == true
            guard communicator.size > 1 else { return (interrupted, !interrupted && timeIsUp()) }
            var votes = [interrupted ? 1.0 : 0, timeIsUp() ? 1.0 : 0]
            communicator.maximum(&votes)
            return (votes[0] > 0, votes[0] == 0 && votes[1] > 0)
        }
        /// Data-parallel training: the first history record at which the processes' parameters differed.
        var inconsistentAt: Int?

        // Checkpoints: taken between iterations, after the iteration's history record.
        var finalCheckpoint: TrainingCheckpoint?
        var lastCheckpointTime = elapsed()
        func snapshot(stage s: Int, _ optimizer: TrainingCheckpoint.OptimizerState) -> TrainingCheckpoint {
            var c = TrainingCheckpoint(iteration: iteration, stage: from.stage + s, optimizer: optimizer,
                                       parameters: network.parameters, lastGood: lastGood,
                                       termWeights: objective.terms.map(\.weight), time: elapsed())
            c.causalLevel = causal?.level
            c.causalWeights = causal?.weights ?? []
            c.history = history
            c.iterationTimes = iterationTimes
            c.effectiveRanks = effectiveRanks
            c.stageNotes = stageNotes
            return c
        }
        func checkpointIfDue(stage s: Int, _ optimizer: () -> TrainingCheckpoint.OptimizerState) {
            guard let checkpointing else { return }
            switch checkpointing.interval {
            case let .iterations(n): guard iteration % max(1, n) == 0 else { return }
            case let .seconds(t): guard elapsed() - lastCheckpointTime >= t else { return }
            }
            var checkpoint = snapshot(stage: s, optimizer())
            completeCheckpoint?(&checkpoint)
            checkpointing.save(checkpoint)
            lastCheckpointTime = elapsed()
        }
        func report(_ reason: StopReason) -> TrainingReport {
            var r = TrainingReport(history: history, iterationTimes: iterationTimes, stopReason: reason,
                                   iterations: iteration, totalTime: elapsed())
            r.checkpoint = finalCheckpoint
            return r
        }
        /// Book-keeping of an L-BFGS or Levenberg–Marquardt stage, whose optimizer drives the iterations.
        struct SecondOrderStep {
            let stage: Int
            var interrupted = false
            var timedOut = false
            var inconsistent = false
            var start = DispatchTime.now().uptimeNanoseconds
            init(_ stage: Int) { self.stage = stage }
        }
        /// The state a second-order stage starts from goes into the history on the usual grid (a schedule that
        /// starts with L-BFGS or LM records iteration 0 like one that starts with Adam).
        func beginSecondOrderStage(_ s: Int) -> SecondOrderStep {
            if iteration % historyInterval == 0, history.last?.iteration != iteration {
                record(stage: s, losses: objective.evaluate(network, gradient: nil), rate: 0, net: network)
            }
            return SecondOrderStep(s)
        }
        func afterAcceptedStep(_ step: inout SecondOrderStep, loss: Double, accepted: [Double], rate: Double,
                               state: () -> TrainingCheckpoint.OptimizerState) -> Bool {
            iterationTimes.append(Double(DispatchTime.now().uptimeNanoseconds - step.start) * 1e-9)
            network.parameters = accepted
            iteration += 1
            if iteration % historyInterval == 0 {
                record(stage: step.stage, losses: objective.evaluate(network, gradient: nil), rate: rate, net: network)
            }
            if let tracking = effectiveRankTracking, iteration % tracking.every == 0 {
                effectiveRanks.append(tracking.measure(network, iteration: iteration))
            }
            observer?.trainingDidIterate(iteration: iteration, of: total, loss: loss, metrics: lastMetrics)
            if inconsistentAt != nil { step.inconsistent = true; return false }
            checkpointIfDue(stage: step.stage, state)
            step.start = DispatchTime.now().uptimeNanoseconds
            (step.interrupted, step.timedOut) = stopNow()
            if step.interrupted || step.timedOut { finalCheckpoint = snapshot(stage: step.stage, state()) }
            return !(step.interrupted || step.timedOut)
        }
        /// Notes why the stage stopped; a report when training must end here.
        func endSecondOrderStage(_ step: SecondOrderStep, name: String, reason: String, counts: String,
                                 diverged: Bool) -> TrainingReport? {
            if step.inconsistent { return report(.inconsistent(iteration: iteration)) }
            let why = step.interrupted ? "interrupted" : step.timedOut ? "time limit reached" : reason
            stageNotes.append(stageNotePrefix + "stage \(from.stage + step.stage + 1) (\(name)): \(why) after \(counts)")
            if step.interrupted || step.timedOut {
                record(stage: step.stage, losses: objective.evaluate(network, gradient: nil), rate: 0, net: network)
                return report(step.interrupted ? .interrupted(iteration: iteration) : .timeLimit(iteration: iteration))
            }
            return diverged ? report(.diverged(iteration: iteration)) : nil
        }

        for (s, stage) in stages.enumerated() where s >= firstStage {
            let resumed = s == firstStage ? resume?.optimizer : nil
            switch stage.optimizer {
            case let .adam(schedule):
                var adam = Adam(parameterCount: p)
                if scaleActivationSteps { adam.stepScales = network.activationStepScales }
                var first = 0
                if case let .adam(m, v, step, t)? = resumed { (adam.m, adam.v, adam.step, first) = (m, v, step, t) }
                for t in first..<stage.iterations {
                    let (interrupted, timedOut) = stopNow()
                    if interrupted || timedOut {
                        finalCheckpoint = snapshot(stage: s, .adam(m: adam.m, v: adam.v, step: adam.step, stageIteration: t))
                        let losses = objective.evaluate(network, gradient: nil)
                        record(stage: s, losses: losses, rate: schedule.rate(at: t), net: network)
                        return report(interrupted ? .interrupted(iteration: iteration) : .timeLimit(iteration: iteration))
                    }
                    if let refresh = pointRefresh, pointRefreshEvery > 0, iteration > 0, iteration % pointRefreshEvery == 0,
                       let terms = refresh(network, iteration) {
                        for (i, term) in terms.enumerated() { objective.replaceTerm(i, with: term) }
                    }
                    let iterationStart = DispatchTime.now().uptimeNanoseconds
                    let losses = objective.evaluate(network, gradient: gradient, mask: mask)
                    let loss = losses.reduce(0, +)
                    if !loss.isFinite || !(0..<p).allSatisfy({ gradient[$0].isFinite }) {
                        network.parameters = lastGood
                        return report(.diverged(iteration: iteration))
                    }
                    let rate = schedule.rate(at: t)

                    if iteration % historyInterval == 0 {
                        record(stage: s, losses: losses, rate: rate, net: network)
                        if let at = inconsistentAt { return report(.inconsistent(iteration: at)) }
                    }
                    if let tracking = effectiveRankTracking, iteration % tracking.every == 0 {
                        effectiveRanks.append(tracking.measure(network, iteration: iteration))
                    }
                    if let balancing = lossBalancing, iteration % balancing.every == 0, objective.terms.count > 1,
                       objective.terms[1].name == "boundary" {
                        let stats = objective.termGradientStatistics()
                        let weight = objective.terms[1].weight
                        if weight > 0, stats[1].mean > 0 {
                            let target = stats[0].maximum / (stats[1].mean / weight)
                            objective.setWeight((1 - balancing.rate) * weight + balancing.rate * target, ofTerm: 1)
                        }
                    }
                    causal?.update(objective, termLosses: losses)
                    keepAsLastGood(network.parameters)
                    adam.update(&network.parameters, gradient: gradient, learningRate: rate)
                    iterationTimes.append(Double(DispatchTime.now().uptimeNanoseconds - iterationStart) * 1e-9)
                    iteration += 1
                    observer?.trainingDidIterate(iteration: iteration, of: total, loss: loss, metrics: lastMetrics)
                    checkpointIfDue(stage: s) { .adam(m: adam.m, v: adam.v, step: adam.step, stageIteration: t + 1) }
                }
            case let .lbfgs(optimizer):
                var current = network
                func evaluate(_ theta: [Double], _ g: inout [Double]) -> Double {
                    current.parameters = theta
                    let losses = g.withUnsafeMutableBufferPointer { objective.evaluate(current, gradient: $0.baseAddress!, mask: mask) }
                    return losses.reduce(0, +)
                }
                var step: SecondOrderStep, state: LBFGS.State
                if case let .lbfgs(saved)? = resumed {
                    (step, state) = (SecondOrderStep(s), saved)
                } else {
                    if let causal { causal.update(objective, termLosses: objective.evaluate(network, gradient: nil)) }
                    step = beginSecondOrderStage(s)
                    state = optimizer.start(at: network.parameters, evaluate: evaluate)
                }
                let reason = optimizer.minimize(&state, iterations: stage.iterations, evaluate: evaluate) { now in
                    afterAcceptedStep(&step, loss: now.f, accepted: now.x, rate: 0) { .lbfgs(now) }
                }
                network.parameters = state.x
                if let report = endSecondOrderStage(step, name: "L-BFGS", reason: reason.description,
                                                    counts: "\(state.iterations) iterations, \(state.evaluations) evaluations",
                                                    diverged: reason == .nonFinite) {
                    return report
                }
            case let .levenbergMarquardt(optimizer):
                precondition(objective.slopeRecovery == nil, "Levenberg–Marquardt needs a sum-of-squares loss")
                var current = network
                // Without causal weights one run of LM; with them, runs of `segment` iterations, the weights updated
                // before each (the least-squares problem must not change within a run).
                let segment = causal.map { $0.training.levenbergMarquardtSegment } ?? stage.iterations
                var step: SecondOrderStep, progress: TrainingCheckpoint.LevenbergMarquardtProgress
                var startsSegment = true
                if case let .levenbergMarquardt(saved)? = resumed {
                    (step, progress, startsSegment) = (SecondOrderStep(s), saved, false)
                } else {
                    step = beginSecondOrderStage(s)
                    progress = .init(state: .init(x: network.parameters, damping: optimizer.initialDamping),
                                     segmentIterations: 0, remaining: stage.iterations)
                }
                var result: LevenbergMarquardt.Result
                var moved = false
                repeat {
                    if startsSegment {
                        if let causal {
                            current.parameters = progress.state.x
                            causal.update(objective, termLosses: objective.evaluate(current, gradient: nil))
                        }
                        progress.segmentIterations = min(segment, progress.remaining)
                    }
                    startsSegment = true
                    var state = progress.state
                    let before = progress
                    result = optimizer.minimize(&state, iterations: progress.segmentIterations, normalEquations: { theta, h, g in
                        current.parameters = theta
                        return objective.accumulateNormalEquations(current, mask: mask, hessian: h, gradient: g)
                    }, loss: { theta in
                        current.parameters = theta
                        return objective.evaluate(current, gradient: nil).reduce(0, +)
                    }, communicator: communicator, afterIteration: { now, loss in
                        afterAcceptedStep(&step, loss: loss, accepted: now.x, rate: now.damping ?? 0) {
                            var inside = before
                            inside.state = now
                            return .levenbergMarquardt(inside)
                        }
                    })
                    progress.remaining -= result.iterations
                    progress.iterations += result.iterations
                    progress.trials += result.trials
                    progress.fallbacks += result.fallbacks
                    // The next segment starts afresh from here, its damping carried over.
                    progress.state = .init(x: state.x, damping: result.damping)
                    // A run that converged at these weights continues under the updated ones, as long as it moved.
                    moved = result.iterations > 0 && result.reason != .nonFinite
                        && { if case .linearAlgebraFailure = result.reason { return false } else { return true } }()
                } while causal != nil && progress.remaining > 0 && (result.reason == .iterationLimit || moved)
                    && !step.interrupted && !step.timedOut && !step.inconsistent
                network.parameters = progress.state.x
                let counts = "\(progress.iterations) iterations, \(progress.trials) trial steps, final damping \(result.damping)"
                    + (progress.fallbacks > 0 ? ", \(progress.fallbacks) eigen-decomposition fallbacks" : "")
                if let report = endSecondOrderStage(step, name: "Levenberg–Marquardt", reason: result.reason.description,
                                                    counts: counts, diverged: result.reason == .nonFinite) {
                    return report
                }
            }
        }
        let losses = objective.evaluate(network, gradient: nil)
        if !losses.reduce(0, +).isFinite {
            network.parameters = lastGood
            return report(.diverged(iteration: iteration))
        }
        if recordFinal {
            // A second-order stage may already have recorded this very iteration.
            if history.last?.iteration == iteration { history.removeLast() }
            record(stage: max(0, stages.count - 1), losses: losses, rate: 0, net: network)
            if let tracking = effectiveRankTracking, effectiveRanks.last?.iteration != iteration {
                effectiveRanks.append(tracking.measure(network, iteration: iteration))
            }
        }
        return report(.completed)
    }
}
