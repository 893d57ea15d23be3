import Foundation

/// Everything about a PINN run that is not the PDE itself: network, initialisation, collocation, loss weights,
/// training schedule, history and threads. Typed values only; problem files are parsed into this at the edge.
public struct SolverConfiguration: Sendable {
    /// The most worker threads accepted (far above any machine's cores: each thread holds its own workspaces).
    public static let maximumThreads = 1024
    /// Widths of the hidden layers, e.g. [30, 30, 30].
    public var hiddenWidths: [Int] = [30, 30, 30]
    /// The activation of each hidden layer (one entry is repeated over all layers).
    public var activations: [LayerActivation] = [.fixed(.tanh)]
    /// How weights are drawn.
    public var initializer: WeightInitializer = .glorotNormal
    /// How the first hidden layer is set up (UDI, the 1D grid, or like the others).
    public var firstLayer: FirstLayerInitializer = .standard
    /// The seed of every random choice of the run (initial weights, collocation points).
    public var seed: UInt64 = 0
    /// Number of interior collocation points.
    public var interiorPoints = 1000
    /// How interior points are distributed.
    public var distribution: PointDistribution = .random
    /// Draw fresh interior points every this many iterations (0: never).
    public var resampleEvery = 0
    /// Residual-based adaptive refinement: every `every` iterations, add the `add` points of largest |residual|
    /// among `candidates` fresh random points (RAR, Lu et al. 2021) to the interior points.
    public var refinement: ResidualRefinement?
    /// Number of boundary points (ignored in 1D, where the boundary is the two end points).
    public var boundaryPoints = 100
    /// Points of the initial slice of a space-time problem, per initial condition (nil: `boundaryPoints`).
    public var initialPoints: Int?
    /// Whether the boundary points start with the domain's corners (rectangles, polygons).
    public var boundaryCorners = false
    /// Loss weights of the residual and boundary terms.
    public var residualWeight = 1.0
    public var boundaryWeight = 1.0
    /// Optional observations (points, point-major, and values) fitted with `dataWeight`.
    public var dataPoints: [Double] = []
    public var dataValues: [Double] = []
    public var dataWeight = 1.0
    /// The training schedule.
    public var stages: [TrainingStage] = [TrainingStage(optimizer: .adam(.constant(1e-3)), iterations: 1000)]
    /// Record the history every this many iterations.
    public var historyInterval = 100
    /// Points per axis of the evaluation grid (errors during training, output).
    public var evaluationResolution: [Int] = [101, 101]

    /// The grid's points per axis in d dimensions: ``evaluationResolution`` when it has d entries (or more),
    /// else the default of ``defaultResolution(dimension:)``.
    public func resolution(dimension d: Int) -> [Int] {
        evaluationResolution.count >= d ? Array(evaluationResolution.prefix(d)) : Self.defaultResolution(dimension: d)
    }

    /// 1001 points in 1D, 201 per axis in 2D, 41 in 3D, and beyond about 2·10⁵ points in all (21 per axis in 4D,
    /// 11 in 5D, 3 in 10D).
    public static func defaultResolution(dimension d: Int) -> [Int] {
        let perAxis = d <= 3 ? [1001, 201, 41][d - 1] : max(2, Int(Foundation.pow(200_000, 1 / Double(d))))
        return Array(repeating: perAxis, count: d)
    }
    /// Whether Adam's steps for activation amplitudes and slopes are divided by their fixed scale and frequency
    /// (``Network/activationStepScales``); on by default, since unscaled steps collapse Rowdy with n = 10.
    public var scaleActivationSteps = true
    /// Measure the ε-rank every this many iterations (0: never).
    public var effectiveRankEvery = 0
    /// Its tolerances ε.
    public var effectiveRankEpsilons = EffectiveRank.defaultEpsilons
    /// Whether every hidden layer is measured, not only the last.
    public var effectiveRankAllLayers = false
    /// Boundary-weight annealing for Adam stages.
    public var lossBalancing: LossBalancing?
    /// Weight of the slope-recovery term (``SlopeRecovery``); 0 switches it off.
    public var slopeRecoveryWeight = 0.0
    /// Impose the short form's Dirichlet data exactly, u = g + D·N with g = the problem's ``Problem/boundaryValue``
    /// (which must then be a smooth function on the whole domain) and D the domain's distance function (boxes,
    /// disks, balls); the boundary loss term is dropped. The lowering marks the boundary condition
    /// ``Condition/hard``; general-form problems mark their own conditions.
    public var hardDirichlet = false
    /// Stop training cleanly after this many seconds (nil: no limit).
    public var timeLimit: Double?
    /// Initial values of the problem's unknown coefficients (``Problem/unknowns``), trained with the network.
    public var unknownInitialValues: [Double] = []
    /// Causal weighting of the residual by time slices (time-dependent problems; nil: plain training).
    public var causal: CausalTraining?
    /// Time marching: the edges t₀ < t₁ < … < T of the time windows trained one after the other (empty: one network
    /// over the whole time range). Point counts, stages and iterations apply to each window.
    public var timeWindows: [Double] = []
    /// The least-squares method instead of training (one hidden layer of fixed features; see
    /// ``LeastSquaresSettings``); the stages are not used.
    public var leastSquares: LeastSquaresSettings?
    /// The random feature method's partition of unity: subdomains per axis of the domain's bounding box (empty:
    /// none). The hidden layer's width must be a multiple of their number (the features per subdomain).
    public var partitionCounts: [Int] = []
    /// The partition's ψ (``PartitionOfUnity/Variant``): the C¹ bump or the subdomains' indicators.
    public var partitionVariant = PartitionOfUnity.Variant.smooth
    /// Indicator partitions: the continuity points per edge of each face between subdomains (nil: from the
    /// interior points' density, ⌈(N/K)^(1/d)⌉ for N points and K subdomains).
    public var interfacePointsPerEdge: Int?
    /// Indicator partitions: the weight w of the continuity rows (scaled by √(w/P) over P points, like a loss term).
    public var interfaceWeight = 1.0
    /// Residual (ResNet) blocks on the hidden layers after the first whose widths match (see
    /// ``NetworkLayout/residual``).
    public var residualBlocks = false
    /// Their ranges (empty: all unbounded), kept during training by reparametrisation (``UnknownRange``).
    public var unknownRanges: [UnknownRange] = []
    /// Worker threads for the loss and gradient.
    public var threads = 1
    /// Points per engine sweep.
    public var chunkSize = 128
    /// Data-parallel training over several processes (MPI): each process trains on its block of every term's
    /// points; the point counts above are totals (see ``SolverConfiguration/weakScaled(processes:)`` for counts per
    /// process). Process 0 alone measures errors and ε-ranks and writes checkpoints.
    public var communicator: any Communicator = SerialCommunicator.shared

    public init() {}

    /// The configuration with the interior, boundary and initial point counts taken per process (weak scaling):
    /// multiplied by the number of processes.
    public func weakScaled(processes: Int) -> SolverConfiguration {
        var c = self
        c.interiorPoints *= processes
        c.boundaryPoints *= processes
        c.initialPoints = c.initialPoints.map { $0 * processes }
        c.refinement?.add *= processes
        c.refinement?.candidates *= processes
        return c
    }

    /// The activation of hidden layer l.
    public func activation(layer l: Int) -> LayerActivation {
        activations.count == 1 ? activations[0] : activations[l]
    }

    /// The parameter layout of the network this configuration describes, for inputs of dimension d.
    public func networkLayout(inputDimension d: Int, outputs: Int = 1,
                              embedding: PeriodicEmbedding? = nil) -> NetworkLayout {
        let layers = hiddenWidths.indices.map { activation(layer: $0) }
        return NetworkLayout(inputDimension: d, hiddenWidths: hiddenWidths, termCounts: layers.map(\.termCount),
                             neuronWise: layers.map(\.neuronWise), outputDimension: outputs,
                             unknownCount: unknownInitialValues.count, embedding: embedding, residual: residualBlocks)
    }
}

/// Why a problem and configuration cannot be solved: which field, what is wrong, and what is allowed.
public struct SolverError: Error, Equatable, CustomStringConvertible {
    /// The offending field, e.g. "configuration.stages[1]" or "problem.boundaryCondition".
    public let field: String
    public let message: String
    public var description: String { "\(field): \(message)" }
}

/// Sets up and trains a PINN for a ``Problem`` with a ``SolverConfiguration``.
///
/// Thread safety: a `Solver` and everything it creates (network, workspaces, objective, optimizer state) belong to
/// the call of ``solve(observer:)``; pinn keeps no global mutable state besides the OpenBLAS thread count (set to 1
/// by every objective). Two solves may run concurrently in one process, each on its own threads, and give the same
/// results as when run one after the other.
public struct Solver: Sendable {
    public let problem: Problem
    public let configuration: SolverConfiguration
    /// Time marching: the network of the window before this one, whose prediction at this window's start gives the
    /// targets of the initial conditions (nil for the first window and without marching).
    var previousWindow: Network?

    /// Checks the configuration against the problem (see ``SolverError``).
    public init(problem: Problem, configuration: SolverConfiguration) throws(SolverError) {
        self.problem = problem
        self.configuration = configuration
        try validate()
        BLASKernel.warnOnceIfSlow()
    }

    /// The interior-terms refresh for resampling and RAR (nil when neither is on).
    func makePointRefresh(initialInterior: [Double]) -> PointRefresh? {
        guard configuration.resampleEvery > 0 || configuration.refinement != nil else { return nil }
        return PointRefresh(solver: self, initialInterior: initialInterior)
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    /// The partition of unity of the configuration over the domain's bounding box (nil without one).
    var partition: PartitionOfUnity? {
        let counts = configuration.partitionCounts, box = problem.domain.boundingBox
        guard !counts.isEmpty, let width = configuration.hiddenWidths.last else { return nil }
        let k = counts.reduce(1, *)
        return PartitionOfUnity(lower: box.lower, upper: box.upper, counts: counts, featuresPerSubdomain: width / k,
                                variant: configuration.partitionVariant)
    }

    /// The initial network (deterministic in the seed).
    public func makeNetwork() -> Network {
        var rng = Xoshiro256(seed: configuration.seed)
        var weights = rng.split()
        let widths = configuration.hiddenWidths
        var network = Network(inputDimension: problem.domain.dimension, hiddenWidths: widths,
                              activations: widths.indices.map { configuration.activation(layer: $0) },
                              initializer: configuration.initializer, outputs: problem.fields.count,
                              unknowns: configuration.unknownInitialValues, embedding: problem.embedding,
                              partition: partition, residual: configuration.residualBlocks, rng: &weights)
        configuration.firstLayer.apply(to: &network, domain: problem.domain, rng: &weights)
        if !configuration.unknownRanges.isEmpty { network.constrainUnknowns(to: configuration.unknownRanges) }
        let hard = hardConditions
        if !hard.isEmpty {
            // Checked by `validate()`: Dirichlet conditions on the whole boundary of a box or a disk, one per field.
            network.outputConstraint = try? HardDirichletConstraint(domain: problem.domain, liftings: hard.map(\.value),
                                                                     fields: hard.map(\.field))
        }
        return network
    }

    /// One line per constraint: "name: statement on region (N points, weight w)".
    public func termSummaries(_ terms: [LossTerm]) -> [String] {
        zip(constraints, terms).map { item, term in
            "\(item.name): \(item.text(fields: problem.fields)) (\(term.count) points, weight \(JSONObjectReader.format(term.weight)))"
        }
    }

    /// The evaluation grid over the domain's bounding box: axes and points (point-major).
    public func evaluationGrid() -> (axes: [[Double]], points: [Double]) {
        problem.domain.boundingBox.grid(resolution: configuration.resolution(dimension: problem.domain.dimension))
    }

    /// The grid points that lie in the domain (all of them for a box).
    public func evaluationPointsInDomain() -> [Double] {
        let grid = evaluationGrid().points
        if problem.domain is Box { return grid }
        let d = problem.domain.dimension
        return (0..<(grid.count / d)).flatMap { p -> [Double] in
            let x = Array(grid[(p * d)..<(p * d + d)])
            return problem.domain.contains(x) ? x : []
        }
    }

    /// Trains from the initial network and returns the solution. Stages that drop activation terms split training
    /// into segments, each with an objective for its network's layout; the history runs on across them.
    ///
    /// With `checkpointing`, training hands a ``TrainingCheckpoint`` to its `save` at the interval it asks for; a
    /// run that stops early (interrupt, time limit) leaves its last state in the report's
    /// ``TrainingReport/checkpoint``. The least-squares method has no iterations and takes no checkpoints.
    public func solve(observer: TrainingObserver? = nil, checkpointing: Checkpointing? = nil) -> Solution {
        if let settings = configuration.leastSquares { return solveByLeastSquares(settings, observer: observer) }
        if configuration.timeWindows.count > 2, problem.domain is SpaceTime {
            return solveByTimeMarching(observer: observer, checkpointing: checkpointing)
        }
        return train(observer: observer, checkpointing: checkpointing)
    }

    /// Continues training from `checkpoint`, written by a run of this problem and configuration (on any thread
    /// count): the result is the one the uninterrupted run gives, bit for bit (wall times aside). Throws when the
    /// checkpoint does not fit this problem and configuration.
    public func resume(from checkpoint: TrainingCheckpoint, observer: TrainingObserver? = nil,
                       checkpointing: Checkpointing? = nil) throws(SolverError) -> Solution {
        if let problem = checkpointProblem(checkpoint) { throw SolverError(field: "checkpoint", message: problem) }
        if configuration.timeWindows.count > 2, problem.domain is SpaceTime {
            return solveByTimeMarching(observer: observer, checkpointing: checkpointing, resume: checkpoint)
        }
        return train(observer: observer, checkpointing: checkpointing, resume: checkpoint)
    }

    /// Trains one network (from `initial`, else from the initial network), its history continuing `from`; with
    /// `resume`, from that checkpoint (its stage an index into this configuration's stages).
    func train(observer: TrainingObserver?, from initial: Network? = nil,
               continuing from: Trainer.Continuation = Trainer.Continuation(),
               checkpointing: Checkpointing? = nil, resume: TrainingCheckpoint? = nil,
               completeCheckpoint: ((inout TrainingCheckpoint) -> Void)? = nil, notePrefix: String = "") -> Solution {
        var network = initial ?? makeNetwork()
        let collocation = makeCollocation()
        let (interior, boundary) = (collocation.interior, collocation.boundary)
        let unsplitTerms = makeTerms(collocation)
        var terms = unsplitTerms
        var causal: CausalWeighting?
        if let training = configuration.causal, let domain = problem.domain as? SpaceTime {
            (terms, causal) = training.split(terms, equationCount: equationCount, domain: domain)
        }
        let communicator = configuration.communicator
        terms = terms.map(ownBlock)
        var evaluation: EvaluationSet?
        if problem.exactSolutions.contains(where: { $0 != nil }), communicator.isRoot {
            let inside = evaluationPointsInDomain()
            evaluation = EvaluationSet(points: inside, fields: problem.exactSolutions.map { $0?.values(at: inside) })
        }
        let equations = equationCount
        var segments: [[TrainingStage]] = []
        for stage in configuration.stages {
            if stage.keepOnlyBaseActivationTerm || segments.isEmpty { segments.append([]) }
            segments[segments.count - 1].append(stage)
        }
        let total = from.totalIterations ?? configuration.stages.reduce(0) { $0 + $1.iterations }
        var report: TrainingReport?
        var stageIndex = from.stage
        let refresh = makePointRefresh(initialInterior: interior)
        var objectives: [Objective] = []
        for (i, stages) in segments.enumerated() {
            if stages[0].keepOnlyBaseActivationTerm { network = network.keepingOnlyBaseActivationTerms() }
            let first = stageIndex - from.stage  // the segment's first stage in the schedule
            if let resume, resume.stage >= first + stages.count {  // trained before the checkpoint
                stageIndex += stages.count
                continue
            }
            let objective = Objective(layout: network.layout, terms: terms, threads: configuration.threads,
                                      chunkSize: configuration.chunkSize)
            objective.communicator = communicator
            if configuration.slopeRecoveryWeight > 0 {
                objective.slopeRecovery = SlopeRecovery(weight: configuration.slopeRecoveryWeight)
            }
            if let last = objectives.last, causal == nil {  // keep refined points
                for i in 0..<equations { objective.replaceTerm(i, with: last.terms[i]) }
            }
            causal?.apply(to: objective)
            objectives.append(objective)
            let trainer = Trainer(objective: objective, stages: stages,
                                  historyInterval: configuration.historyInterval, evaluation: evaluation)
            if let refresh {
                trainer.pointRefresh = { network, iteration in refresh.refresh(network, iteration: iteration)?.map(ownBlock) }
                trainer.pointRefreshEvery = refresh.every
            }
            trainer.communicator = communicator
            trainer.causal = causal
            trainer.scaleActivationSteps = configuration.scaleActivationSteps
            trainer.lossBalancing = configuration.lossBalancing
            trainer.timeLimit = configuration.timeLimit
            if let last = objectives.dropLast().last, last.terms.count > 1 { objective.setWeight(last.terms[1].weight, ofTerm: 1) }
            if configuration.effectiveRankEvery > 0, communicator.isRoot {
                trainer.effectiveRankTracking = EffectiveRankTracking(
                    domain: problem.domain, every: configuration.effectiveRankEvery,
                    epsilons: configuration.effectiveRankEpsilons, allLayers: configuration.effectiveRankAllLayers)
            }
            let resumesHere = resume != nil && report == nil
            if let resume, resumesHere {
                restore(resume, network: &network, objective: objective, refresh: refresh, causal: causal)
                var global = resume
                global.stage += from.stage
                trainer.resume = global
            }
            trainer.checkpointing = communicator.isRoot ? checkpointing : nil
            trainer.stageNotePrefix = notePrefix
            trainer.completeCheckpoint = { checkpoint in
                checkpoint.stage -= from.stage
                if let earlier = report { checkpoint.prepend(earlier) }
                if let refresh {
                    checkpoint.refreshGenerator = refresh.rng.state
                    checkpoint.refreshInterior = refresh.interior
                    checkpoint.refreshed = refresh.refreshed
                }
                completeCheckpoint?(&checkpoint)
            }
            let start = Trainer.Continuation(iteration: report?.iterations ?? from.iteration, stage: stageIndex,
                                             time: report?.totalTime ?? (resumesHere ? resume!.time : from.time),
                                             totalIterations: total, resumedTime: resume?.time ?? from.resumedTime)
            let last = i == segments.count - 1
            var part = trainer.train(&network, observer: observer, continuing: start, recordFinal: last)
            if let previous = report {
                part.history = previous.history + part.history
                part.iterationTimes = previous.iterationTimes + part.iterationTimes
                part.effectiveRanks = previous.effectiveRanks + part.effectiveRanks
                part.stageNotes = previous.stageNotes + part.stageNotes
            }
            report = part
            stageIndex += stages.count
            if part.stopReason != .completed { break }  // interrupted, diverged or out of time: no later segment
        }
        return Solution(problem: problem, network: network, report: report ?? Self.emptyReport(resume),
                        interiorPoints: refresh?.interior ?? interior,
                        boundaryPoints: boundary,
                        configuration: configuration, termSummaries: termSummaries(unsplitTerms))
    }

    /// Puts a checkpoint's state into a segment's network, objective, point refresh and causal weights.
    private func restore(_ checkpoint: TrainingCheckpoint, network: inout Network, objective: Objective,
                         refresh: PointRefresh?, causal: CausalWeighting?) {
        network.parameters = checkpoint.parameters
        if let refresh, let generator = checkpoint.refreshGenerator.flatMap(Xoshiro256.init(state:)) {
            refresh.restore(rng: generator, interior: checkpoint.refreshInterior, refreshed: checkpoint.refreshed)
            if checkpoint.refreshed {
                for (i, term) in refresh.equationTerms().enumerated() { objective.replaceTerm(i, with: ownBlock(term)) }
            }
        }
        if let causal, let level = checkpoint.causalLevel { causal.restore(level: level, weights: checkpoint.causalWeights) }
        for (t, weight) in checkpoint.termWeights.enumerated() where t < objective.terms.count {
            objective.setWeight(weight, ofTerm: t)
        }
    }

    /// This process's block of a term's points (the whole term on one process).
    func ownBlock(_ term: LossTerm) -> LossTerm {
        let communicator = configuration.communicator
        return communicator.size > 1 ? term.block(communicator.block(of: term.count)) : term
    }

    /// The report of a resumed run with no segment left to train (unreachable for a checked checkpoint).
    static func emptyReport(_ checkpoint: TrainingCheckpoint?) -> TrainingReport {
        TrainingReport(history: checkpoint?.history ?? [], iterationTimes: checkpoint?.iterationTimes ?? [],
                       stopReason: .completed, iterations: checkpoint?.iteration ?? 0, totalTime: checkpoint?.time ?? 0)
    }
}
