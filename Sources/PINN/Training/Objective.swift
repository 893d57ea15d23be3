import CVectorMath
import Dispatch

/// The loss L(θ) = Σ terms and its gradient ∂L/∂θ, evaluated over all points of all terms by the batched engine,
/// in fixed chunks of points spread over worker threads.
///
/// Reproducibility: chunks are fixed by the point counts and ``chunkSize`` (never by the thread count), each chunk
/// accumulates into its own gradient buffer, and the buffers are summed in chunk order, so the result is
/// bit-identical for any number of threads.
public final class Objective: @unchecked Sendable {
    /// The loss terms.
    public private(set) var terms: [LossTerm]
    /// The largest number of points one sweep takes.
    public let chunkSize: Int
    /// Worker threads.
    public let threads: Int
    /// An optional slope-recovery penalty, reported as the last entry of ``evaluate(_:gradient:mask:)``.
    public var slopeRecovery: SlopeRecovery?
    let layout: NetworkLayout
    private var chunks: [(term: Int, range: Range<Int>)] = []
    private let workspaces: [TaylorWorkspace]
    private let seedBuffers: [UnsafeMutablePointer<Double>]
    /// Per-chunk gradients (chunks × |θ|) and losses, as raw storage: workers write disjoint parts concurrently.
    private var chunkGradients = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    private var chunkLosses = UnsafeMutablePointer<Double>.allocate(capacity: 1)

    /// An objective over `terms` for networks of `layout`.
    public init(layout: NetworkLayout, terms: [LossTerm], threads: Int = 1, chunkSize: Int = 512) {
        self.layout = layout
        self.terms = terms
        // Parallelism is over chunks of points; OpenBLAS's own threads only contend with ours (docs/benchmarks.md).
        BLAS.setThreads(1)
        self.threads = max(1, threads)
        self.chunkSize = max(1, chunkSize)
        let streams: DerivativeStreams = .pureSecond
        workspaces = (0..<self.threads).map { _ in TaylorWorkspace(layout: layout, capacity: max(1, chunkSize), streams: streams) }
        let seedCount = streams.count(inputDimension: layout.inputDimension) * max(1, chunkSize)
        seedBuffers = (0..<self.threads).map { _ in
            let p = UnsafeMutablePointer<Double>.allocate(capacity: seedCount)
            p.initialize(repeating: 0, count: seedCount)
            return p
        }
        rebuildChunks()
    }

    deinit {
        seedBuffers.forEach { $0.deallocate() }
        chunkGradients.deallocate()
        chunkLosses.deallocate()
    }

    /// Names of the entries ``evaluate(_:gradient:mask:)`` returns: pde, boundary, data, slope_recovery.
    public var lossNames: [String] {
        terms.map { term -> String in
            switch term.kind {
            case .residual: return "pde"
            case .dirichlet: return "boundary"
            case .data: return "data"
            }
        } + (slopeRecovery == nil ? [] : ["slope_recovery"])
    }

    /// The gradient statistics of each term after the last ``evaluate(_:gradient:mask:)`` with a gradient:
    /// (max |∂Lₜ/∂θᵢ|, mean |∂Lₜ/∂θᵢ|) over the weights and biases, for loss balancing.
    public func termGradientStatistics() -> [(maximum: Double, mean: Double)] {
        let p = layout.parameterCount
        let weightsAndBiases = layout.activation.first?.amplitudeOffset ?? p
        var sums = [[Double]](repeating: [Double](repeating: 0, count: weightsAndBiases), count: terms.count)
        for (c, chunk) in chunks.enumerated() {
            let g = chunkGradients + c * p
            for i in 0..<weightsAndBiases { sums[chunk.term][i] += g[i] }
        }
        return sums.map { g in
            (g.map(abs).max() ?? 0, g.map(abs).reduce(0, +) / Double(max(1, g.count)))
        }
    }

    /// Sets the weight of term `index` (loss balancing).
    public func setWeight(_ weight: Double, ofTerm index: Int) {
        terms[index].weight = weight
    }

    /// Replaces the points and targets of term `index` (resampling).
    public func replaceTerm(_ index: Int, with term: LossTerm) {
        terms[index] = term
        rebuildChunks()
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
        chunkGradients.deallocate()
        chunkLosses.deallocate()
        chunkGradients = .allocate(capacity: max(1, chunks.count * layout.parameterCount))
        chunkLosses = .allocate(capacity: max(1, chunks.count))
    }

    /// The loss of each term (then the slope-recovery penalty, if set) and, when `gradient` is given, ∂L/∂θ
    /// (overwritten; fixed activation parameters get 0 through `mask`).
    @discardableResult
    public func evaluate(_ network: Network, gradient: UnsafeMutablePointer<Double>?, mask: [Double]? = nil) -> [Double] {
        let d = layout.inputDimension
        let wantsGradient = gradient != nil
        let work: @Sendable (Int) -> Void = { [self] (worker: Int) in
            pinn_flush_subnormals_to_zero()
            let ws = self.workspaces[worker], seeds = self.seedBuffers[worker]
            var c = worker
            while c < self.chunks.count {
                let (t, range) = self.chunks[c]
                let term = self.terms[t]
                let streams = term.streams
                term.points.withUnsafeBufferPointer { pts in
                    TaylorForward.run(network, points: pts.baseAddress! + range.lowerBound * d, count: range.count,
                                      streams: streams, workspace: ws)
                }
                self.chunkLosses[c] = term.lossAndSeeds(outputs: ws.output, range: range, dimension: d, seeds: seeds)
                if wantsGradient {
                    let g = self.chunkGradients + c * self.layout.parameterCount
                    g.update(repeating: 0, count: self.layout.parameterCount)
                    ReversePass.run(network, seeds: seeds, count: range.count, streams: streams, workspace: ws,
                                    gradient: g)
                }
                c += self.threads
            }
        }
        if threads == 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: threads, execute: work)
        }
        var losses = [Double](repeating: 0, count: terms.count)
        for (c, chunk) in chunks.enumerated() { losses[chunk.term] += chunkLosses[c] }
        if let gradient {
            gradient.update(repeating: 0, count: layout.parameterCount)
            let p = layout.parameterCount
            for c in 0..<chunks.count {
                let g = chunkGradients + c * p
                for i in 0..<p { gradient[i] += g[i] }
            }
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
}
