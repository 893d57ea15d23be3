import Foundation
import CVectorMath
import Dispatch

/// The loss L(θ) = Σ terms and its gradient ∂L/∂θ, evaluated over all points of all terms by the batched engine,
/// in fixed chunks of points that worker threads take one at a time.
///
/// Reproducibility: chunks are fixed by the point counts and ``chunkSize`` (never by the thread count or by which
/// thread takes a chunk), each chunk (or fixed group of chunks) accumulates into its own gradient buffer, and the
/// buffers are summed in chunk order, so the result is bit-identical for any number of threads.
public final class Objective: @unchecked Sendable {
    /// The loss terms.
    public private(set) var terms: [LossTerm]
    /// The largest number of points one sweep takes.
    public let chunkSize: Int
    /// Worker threads.
    public let threads: Int
    /// An optional slope-recovery penalty, reported as the last entry of ``evaluate(_:gradient:mask:)``.
    public var slopeRecovery: SlopeRecovery?
    /// The processes whose terms' blocks make up the whole loss (data-parallel training): the term losses, gradients
    /// and normal equations of every process are summed (one sum per evaluation). The terms hold this process's
    /// block of points with ``LossTerm/meanCount`` the whole count.
    public var communicator: any Communicator = SerialCommunicator.shared
    /// Room for one sum over the processes (term losses and gradient, or the normal equations).
    var reduction: [Double] = []
    let layout: NetworkLayout
    /// Every term's chunks (the least-squares form sweeps each term on its own).
    var chunks: [(term: Int, range: Range<Int>)] = []
    /// The chunks of the loss-and-gradient sweeps: those of the terms that lead a fused set (see ``fusedSets``).
    private var gradientChunks: [(term: Int, range: Range<Int>)] = []
    /// Per term: the terms swept together with it when it leads a set of consecutive terms on the same points
    /// (equations of a system sharing the interior points; conditions on the same boundary points), with the stream
    /// set they share: one forward and one reverse sweep per chunk for all of them, the seeds summed (the gradient
    /// is linear in them). Empty for terms that follow a leader; [t] for a term swept alone.
    private var fusedSets: [(members: [Int], streams: DerivativeStreams)] = []
    /// Per term: its kind reading the shared stream set, when that differs from its own.
    private var fusedKinds: [LossTerm.Kind?] = []
    /// Per gradient chunk and member of its set: the member's loss.
    private var memberLosses = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    private var largestSet = 1
    /// The number of sets of terms swept together (each term alone counts as one).
    var sweptSetCount: Int { fusedSets.filter { !$0.members.isEmpty }.count }
    /// Consecutive chunks of one term whose gradients share a buffer (one chunk each unless the buffers would
    /// exceed ``gradientBufferBytes``); a worker takes a whole group and sums its chunks in order.
    private var groups: [Range<Int>] = []
    /// The most memory the per-group gradient buffers may take (groups × |θ| doubles): beyond, consecutive chunks
    /// of a term share a buffer (fewer, larger work items for the threads).
    public var gradientBufferBytes = 64 << 20 {
        didSet { rebuildChunks() }
    }
    let workspaces: [TaylorWorkspace]
    let seedBuffers: [UnsafeMutablePointer<Double>]
    /// Per worker, one member's seeds before they are added to the set's (fused sweeps).
    private let memberSeedBuffers: [UnsafeMutablePointer<Double>]
    let residualBuffers: [UnsafeMutablePointer<Double>]
    /// Per worker, ∂ρₚ/∂λⱼ of a chunk's points for the unknown parameters (chunk × |unknowns|).
    let unknownSeedBuffers: [UnsafeMutablePointer<Double>]
    /// Per-group gradients (groups × |θ|), as raw storage: workers write disjoint parts
    /// concurrently.
    private var groupGradients = UnsafeMutablePointer<Double>.allocate(capacity: 1)

    /// An objective over `terms` for networks of `layout`.
    public init(layout: NetworkLayout, terms: [LossTerm], threads: Int = 1, chunkSize: Int = 128) {
        for term in terms {
            if case let .system(r) = term.kind, !r.unknowns.isEmpty {
                precondition(r.unknowns.count == layout.unknownCount,
                             "a system residual names all \(layout.unknownCount) unknowns of the network, in θ's order")
            }
        }
        self.layout = layout
        self.terms = terms
        // Parallelism is over chunks of points; OpenBLAS's own threads only contend with ours (docs/benchmarks.md).
        BLAS.setThreads(1)
        self.threads = max(1, threads)
        self.chunkSize = max(1, chunkSize)
        // Room for the widest stream set of the terms (at least u, ∇u and the pure second derivatives).
        let d = layout.inputDimension
        let streamCount = ([DerivativeStreams.pureSecond] + terms.map(\.streams)).map { $0.count(inputDimension: d) }.max()!
        let jetOrder = terms.compactMap { $0.streams.jetPlan?.maximumOrder }.max() ?? 0
        workspaces = (0..<self.threads).map { _ in
            TaylorWorkspace(layout: layout, capacity: max(1, chunkSize), streamCount: streamCount, jetOrder: jetOrder)
        }
        let seedCount = layout.outputDimension * streamCount * max(1, chunkSize)
        seedBuffers = (0..<self.threads).map { _ in
            let p = UnsafeMutablePointer<Double>.allocate(capacity: seedCount)
            p.initialize(repeating: 0, count: seedCount)
            return p
        }
        memberSeedBuffers = (0..<self.threads).map { _ in
            let p = UnsafeMutablePointer<Double>.allocate(capacity: seedCount)
            p.initialize(repeating: 0, count: seedCount)
            return p
        }
        residualBuffers = (0..<self.threads).map { _ in .allocate(capacity: max(1, chunkSize)) }
        unknownSeedBuffers = (0..<self.threads).map { _ in .allocate(capacity: max(1, chunkSize * layout.unknownCount)) }
        rebuildChunks()
    }

    deinit {
        seedBuffers.forEach { $0.deallocate() }
        memberSeedBuffers.forEach { $0.deallocate() }
        memberLosses.deallocate()
        residualBuffers.forEach { $0.deallocate() }
        unknownSeedBuffers.forEach { $0.deallocate() }
        panel?.rows.deallocate()
        panel?.residuals.deallocate()
        groupGradients.deallocate()
    }

    /// Names of the entries ``evaluate(_:gradient:mask:)`` returns: pde, boundary, data, slope_recovery.
    public var lossNames: [String] {
        terms.map(\.name) + (slopeRecovery == nil ? [] : ["slope_recovery"])
    }

    /// The gradient statistics of each term after the last ``evaluate(_:gradient:mask:)`` with a gradient:
    /// (max |∂Lₜ/∂θᵢ|, mean |∂Lₜ/∂θᵢ|) over the weights and biases, for loss balancing (terms swept together with
    /// a leader count towards it).
    public func termGradientStatistics() -> [(maximum: Double, mean: Double)] {
        let p = layout.parameterCount
        let weightsAndBiases = layout.activation.first?.amplitudeOffset ?? p
        var sums = [[Double]](repeating: [Double](repeating: 0, count: weightsAndBiases), count: terms.count)
        for (k, group) in groups.enumerated() {
            let g = groupGradients + k * p
            for i in 0..<weightsAndBiases { sums[gradientChunks[group.lowerBound].term][i] += g[i] }
        }
        if communicator.size > 1 {
            var flat = sums.flatMap { $0 }
            communicator.sum(&flat)
            sums = (0..<terms.count).map { Array(flat[($0 * weightsAndBiases)..<(($0 + 1) * weightsAndBiases)]) }
        }
        return sums.map { g in
            (g.map(abs).max() ?? 0, g.map(abs).reduce(0, +) / Double(max(1, g.count)))
        }
    }

    /// Sums the term losses (and the gradient) over the processes: one sum of both together.
    private func sumOverProcesses(_ losses: inout [Double], _ gradient: UnsafeMutablePointer<Double>?) {
        guard communicator.size > 1 else { return }
        let t = losses.count, p = gradient == nil ? 0 : layout.parameterCount
        if reduction.count < t + p { reduction = [Double](repeating: 0, count: t + p) }
        reduction.withUnsafeMutableBufferPointer { buffer in
            let b = buffer.baseAddress!
            for i in 0..<t { b[i] = losses[i] }
            if let gradient { (b + t).update(from: gradient, count: p) }
            communicator.sum(b, count: t + p)
            for i in 0..<t { losses[i] = b[i] }
            if let gradient { gradient.update(from: b + t, count: p) }
        }
    }

    /// Sets the weight of term `index` (loss balancing).
    public func setWeight(_ weight: Double, ofTerm index: Int) {
        terms[index].weight = weight
    }

    /// Replaces the points and targets of term `index` (resampling).
    public func replaceTerm(_ index: Int, with term: LossTerm) {
        terms[index] = term
        constraintKey = nil
        rebuildChunks()
    }

    /// Jets of the network's hard Dirichlet constraint at every term's points, per term: they depend on the points
    /// only, so they are computed once per constraint and set of points, not per sweep.
    private var constraintJets: [[Double]] = []
    private var constraintKey: UUID?

    func prepareConstraintJets(_ network: Network) {
        guard let constraint = network.outputConstraint, constraintKey != constraint.identity else { return }
        let d = layout.inputDimension, size = constraint.jetSize(dimension: d)
        constraintJets = terms.map { term in
            var jets = [Double](repeating: 0, count: max(1, term.count * size))
            term.points.withUnsafeBufferPointer { pts in
                jets.withUnsafeMutableBufferPointer {
                    constraint.jets(points: pts.baseAddress!, count: term.count, dimension: d, into: $0.baseAddress!)
                }
            }
            return jets
        }
        constraintKey = constraint.identity
    }

    /// The forward pass of term t over points `range` with `streams` into the workspace (with the cached constraint
    /// jets when there is one).
    func forward(_ network: Network, term t: Int, range: Range<Int>, streams: DerivativeStreams,
                         workspace ws: TaylorWorkspace) {
        let term = terms[t]
        let d = layout.inputDimension
        term.points.withUnsafeBufferPointer { pts in
            let points = pts.baseAddress! + range.lowerBound * d
            guard network.outputConstraint != nil else {
                TaylorForward.run(network, points: points, count: range.count, streams: streams, workspace: ws)
                return
            }
            let size = network.outputConstraint!.jetSize(dimension: d)
            constraintJets[t].withUnsafeBufferPointer { jets in
                TaylorForward.run(network, points: points, count: range.count, streams: streams, workspace: ws,
                                  constraintJets: jets.baseAddress! + range.lowerBound * size)
            }
        }
    }

    /// The unknowns' values λ the residuals read and dλ/dθ for the chain rule (both empty without unknowns).
    func unknownValues(_ network: Network) -> (values: [Double], chain: [Double]) {
        let u = layout.unknownCount
        guard u > 0 else { return ([], []) }
        let theta = (0..<u).map { network.parameters[layout.unknownOffset + $0] }
        return ((0..<u).map { network.unknownRange($0).value(theta[$0]) },
                (0..<u).map { network.unknownRange($0).derivative(theta[$0]) })
    }

    /// The rank of a term's streams when it can share a sweep (value < gradient < pure second < all second
    /// derivatives), nil for kinds that read a fixed layout of their own (PDE and custom residuals).
    private static func fusableRank(_ term: LossTerm) -> Int? {
        switch term.kind {
        case .residual, .customResidual: return nil
        case .dirichlet, .data, .robin, .system:
            return [DerivativeStreams.value, .gradient, .pureSecond, .hessian].firstIndex(of: term.streams)
        }
    }

    private func rebuildFusion() {
        let ladder: [DerivativeStreams] = [.value, .gradient, .pureSecond, .hessian]
        fusedSets = []
        fusedKinds = Array(repeating: nil, count: terms.count)
        var t = 0
        while t < terms.count {
            var members = [t], rank = Self.fusableRank(terms[t])
            while let current = rank, t + members.count < terms.count,
                  let next = Self.fusableRank(terms[t + members.count]),
                  terms[t + members.count].points == terms[t].points {
                members.append(t + members.count)
                rank = max(current, next)
            }
            let streams = members.count > 1 ? ladder[rank!] : terms[t].streams
            fusedSets.append((members, streams))
            for member in members.dropFirst() { fusedSets.append(([], terms[member].streams)) }
            for member in members where members.count > 1 {
                if case let .system(r) = terms[member].kind, r.streams != streams { fusedKinds[member] = .system(r.reading(streams)) }
            }
            t += members.count
        }
        largestSet = fusedSets.map(\.members.count).max() ?? 1
    }

    private func rebuildChunks() {
        chunks = []
        for (t, term) in terms.enumerated() {
            var start = 0
            while start < term.count {
                let end = min(term.count, start + chunkSize)
                chunks.append((t, start..<end))
                start = end
            }
        }
        rebuildFusion()
        gradientChunks = chunks.filter { !fusedSets[$0.term].members.isEmpty }
        memberLosses.deallocate()
        memberLosses = .allocate(capacity: max(1, gradientChunks.count * largestSet))
        let p = layout.parameterCount
        let perGroup = max(1, (gradientChunks.count * p * 8 + gradientBufferBytes - 1) / gradientBufferBytes)
        groups = []
        var first = 0
        while first < gradientChunks.count {
            var end = first + 1
            while end < gradientChunks.count, end - first < perGroup, gradientChunks[end].term == gradientChunks[first].term {
                end += 1
            }
            groups.append(first..<end)
            first = end
        }
        groupGradients.deallocate()
        groupGradients = .allocate(capacity: max(1, groups.count * p))
    }

    /// The loss of each term (then the slope-recovery penalty, if set) and, when `gradient` is given, ∂L/∂θ
    /// (overwritten; fixed activation parameters get 0 through `mask`).
    @discardableResult
    public func evaluate(_ network: Network, gradient: UnsafeMutablePointer<Double>?, mask: [Double]? = nil) -> [Double] {
        let d = layout.inputDimension
        prepareConstraintJets(network)
        let wantsGradient = gradient != nil
        let (lambda, chain) = unknownValues(network)
        forEachItemInParallel(count: groups.count, threads: threads) { [self] worker, k in
            pinn_flush_subnormals_to_zero()
            let ws = self.workspaces[worker], seeds = self.seedBuffers[worker]
            let g = self.groupGradients + k * self.layout.parameterCount
            if wantsGradient { g.update(repeating: 0, count: self.layout.parameterCount) }
            for c in self.groups[k] {
                let (t, range) = self.gradientChunks[c]
                let (members, streams) = self.fusedSets[t]
                self.forward(network, term: t, range: range, streams: streams, workspace: ws)
                let m = self.layout.outputDimension, n = range.count
                for (i, member) in members.enumerated() {
                    var term = self.terms[member]
                    if let kind = self.fusedKinds[member] { term.kind = kind }
                    // The first member's seeds go straight into the set's buffer; the others' are added to them.
                    let own = i == 0 ? seeds : self.memberSeedBuffers[worker]
                    self.memberLosses[c * self.largestSet + i] = lambda.withUnsafeBufferPointer { lambda in
                        term.lossAndSeeds(outputs: ws.output, range: range, dimension: d, outputCount: m, seeds: own,
                                          residuals: self.residualBuffers[worker],
                                          unknownValues: lambda.baseAddress,
                                          unknownScratch: self.unknownSeedBuffers[worker],
                                          unknownGradient: wantsGradient ? g + self.layout.unknownOffset : nil)
                    }
                    let written = m * term.streams.count(inputDimension: d) * n
                    if i == 0 {
                        // Blocks past the leader's own streams belong to the shared set: start them at 0.
                        let all = m * streams.count(inputDimension: d) * n
                        if all > written { (seeds + written).update(repeating: 0, count: all - written) }
                    } else {
                        for e in 0..<written { seeds[e] += own[e] }
                    }
                }
                if wantsGradient {
                    ReversePass.run(network, seeds: seeds, count: n, streams: streams, workspace: ws, gradient: g)
                }
            }
        }
        var losses = [Double](repeating: 0, count: terms.count)
        for (c, chunk) in gradientChunks.enumerated() {
            for (i, member) in fusedSets[chunk.term].members.enumerated() { losses[member] += memberLosses[c * largestSet + i] }
        }
        if let gradient {
            gradient.update(repeating: 0, count: layout.parameterCount)
            let p = layout.parameterCount
            for k in 0..<groups.count {
                let g = groupGradients + k * p
                for i in 0..<p { gradient[i] += g[i] }
            }
        }
        sumOverProcesses(&losses, gradient)
        if let gradient {
            for (j, factor) in chain.enumerated() { gradient[layout.unknownOffset + j] *= factor }
        }
        if let slopeRecovery {
            losses.append(slopeRecovery.evaluate(network, gradient: gradient))
        }
        if let gradient {
            if let mask {
                for i in 0..<layout.parameterCount { gradient[i] *= mask[i] }
            }
        }
        return losses
    }

    /// Bytes of Jacobian rows held at once by ``accumulateNormalEquations(_:mask:hessian:gradient:)``: the points
    /// are processed in panels of at most this many bytes of rows (never fewer than one chunk of points), so memory
    /// does not grow with the number of points.
    public var jacobianPanelBytes = 512 << 20

    var panel: (rows: UnsafeMutablePointer<Double>, residuals: UnsafeMutablePointer<Double>, capacity: Int)?
}
