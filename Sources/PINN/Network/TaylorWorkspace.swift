/// Preallocated buffers for one batched forward/reverse sweep over up to ``capacity`` points: nothing is allocated
/// per iteration. One workspace per thread; it holds no parameters, so one network can use many workspaces.
public final class TaylorWorkspace: @unchecked Sendable {
    /// The largest number of points a sweep may take.
    public let capacity: Int
    let layout: NetworkLayout
    let maxStreams: Int

    /// Input streams, d × S·N (the embedding's features × S·N for periodic coordinates).
    let input: UnsafeMutablePointer<Double>
    /// Pre-activation streams Z, Żᵢ, Z̈ per hidden layer, n_l × S·N.
    let preActivation: [UnsafeMutablePointer<Double>]
    /// Activation streams A, Dᵢ, Sᵢ (or Λ) per hidden layer, n_l × S·N.
    let activation: [UnsafeMutablePointer<Double>]
    /// σ′, σ″, σ‴ at Z per hidden layer, n_l × N each.
    let slope1, slope2, slope3: [UnsafeMutablePointer<Double>]
    /// Output streams u, ∂u/∂xᵢ, …, m × S·N (column-major: field k of stream s at point p at k + m·(s·N + p)).
    public let output: UnsafeMutablePointer<Double>
    /// The streams of D for a hard Dirichlet constraint, 1 × S·N (see ``HardDirichletConstraint``).
    let distanceStreams: UnsafeMutablePointer<Double>
    /// The reverse pass's seeds for N's streams under a hard constraint, 1 × S·N.
    let constrainedSeeds: UnsafeMutablePointer<Double>
    /// Jets of a hard constraint's g and D when the caller has none cached (d ≤ 3: at most 14 values per point).
    let constraintJets: UnsafeMutablePointer<Double>
    /// Ping-pong adjoint buffers for the reverse pass, n_max × S·N.
    let adjointA, adjointB: UnsafeMutablePointer<Double>
    /// Residual blocks: each block's output H_l = H_{l−1} + σ(Z_l) streams (nil for other layers), and the skip
    /// connection's adjoint in the reverse pass (n_max × S·N, allocated only for residual networks).
    let blockOutput: [UnsafeMutablePointer<Double>?]
    let skipAdjoint: UnsafeMutablePointer<Double>
    /// One hidden layer's weights transposed (fanIn × fanOut), so that the reverse pass's `Wᵀ·Z̄` is a
    /// non-transposed product: OpenBLAS runs its fast small-matrix kernels for that but not for a transposed A
    /// with a short inner dimension (measured on SkylakeX kernels: the transposed call took 1.4× as long).
    let transposedWeights: UnsafeMutablePointer<Double>
    /// Scratch, n_max × N each: [0] for scaled pre-activations of tabulated Kronecker terms, [1…3] for the adjoint
    /// contractions of neuron-wise activation parameters.
    let scratch: [UnsafeMutablePointer<Double>]
    /// Per hidden layer, 4 buffers per Kronecker term (n_l × N): the term's φ, φ′, φ″, φ‴ at aₖZ from the forward
    /// pass (sine and cosine terms keep only sin and cos in the first two), reused by the reverse pass.
    let termCache: [[UnsafeMutablePointer<Double>]]
    /// The highest jet order the workspace can carry (0: fixed stream sets only).
    let jetOrder: Int
    /// Per hidden layer, σ⁽ᵐ⁾ at Z for m = 1…jetOrder + 1 (blocks of n_l × N), for Taylor jets.
    let jetSlopes: [UnsafeMutablePointer<Double>]
    /// The Taylor-jet kernels' tile tables (``JetKernels/scratchCount(order:)``).
    let jetScratch: UnsafeMutablePointer<Double>

    /// Buffers for `capacity` points through `layout`, enough for any stream set up to `streams`.
    public convenience init(layout: NetworkLayout, capacity: Int, streams: DerivativeStreams = .pureSecond) {
        self.init(layout: layout, capacity: capacity, streamCount: streams.count(inputDimension: layout.inputDimension),
                  jetOrder: streams.jetPlan?.maximumOrder ?? 0)
    }

    /// Buffers for `capacity` points through `layout`, for any stream set of at most `s` blocks (jets up to order
    /// `jetOrder`).
    public init(layout: NetworkLayout, capacity: Int, streamCount s: Int, jetOrder: Int = 0) {
        self.capacity = capacity
        self.layout = layout
        self.maxStreams = s
        func buffer(_ count: Int) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: max(1, count))
            p.initialize(repeating: 0, count: max(1, count))
            return p
        }
        input = buffer(layout.featureCount * s * capacity)
        preActivation = layout.hiddenWidths.map { buffer($0 * s * capacity) }
        activation = layout.hiddenWidths.map { buffer($0 * s * capacity) }
        slope1 = layout.hiddenWidths.map { buffer($0 * capacity) }
        slope2 = layout.hiddenWidths.map { buffer($0 * capacity) }
        slope3 = layout.hiddenWidths.map { buffer($0 * capacity) }
        output = buffer(layout.outputDimension * s * capacity)
        distanceStreams = buffer(s * capacity)
        constrainedSeeds = buffer(layout.outputDimension * s * capacity)
        constraintJets = buffer(HardDirichletConstraint.jetSize(dimension: layout.inputDimension,
                                                                fields: layout.outputDimension) * capacity)
        let widest = layout.maximumWidth
        adjointA = buffer(widest * s * capacity)
        adjointB = buffer(widest * s * capacity)
        blockOutput = layout.hiddenWidths.indices.map { layout.isResidual($0) ? buffer(layout.hiddenWidths[$0] * s * capacity) : nil }
        skipAdjoint = buffer(layout.residual ? widest * s * capacity : 1)
        transposedWeights = buffer(layout.dense.map { $0.fanIn * $0.fanOut }.max() ?? 1)
        scratch = (0..<4).map { _ in buffer(widest * capacity) }
        self.jetOrder = jetOrder
        jetSlopes = layout.hiddenWidths.map { buffer(jetOrder > 0 ? (jetOrder + 1) * $0 * capacity : 1) }
        jetScratch = buffer(jetOrder > 0 ? JetKernels.scratchCount(order: jetOrder) : 1)
        termCache = zip(layout.hiddenWidths, layout.activation).map { width, place in
            (0..<(4 * place.termCount)).map { _ in buffer(width * capacity) }
        }
    }

    /// What hidden layer l hands to the next layer: its block output for a residual block, else its activation.
    func layerOutput(_ l: Int) -> UnsafeMutablePointer<Double> { blockOutput[l] ?? activation[l] }

    deinit {
        for p in [input, output, distanceStreams, constrainedSeeds, constraintJets, adjointA, adjointB, skipAdjoint,
                  transposedWeights, jetScratch] + blockOutput.compactMap({ $0 }) + preActivation + activation + slope1 + slope2 + slope3 + scratch + jetSlopes
                  + termCache.flatMap({ $0 }) {
            p.deallocate()
        }
    }
}
