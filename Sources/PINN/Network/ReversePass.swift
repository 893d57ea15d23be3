import CVectorMath

/// The hand-derived reverse pass through ``TaylorForward`` (docs/derivatives.md): given the seeds ∂L/∂u,
/// ∂L/∂(∂u/∂xᵢ), ∂L/∂(Δu or ∂²u/∂xᵢ²) per point, one backward sweep of GEMMs gives ∂L/∂θ for every weight, bias
/// and activation parameter. Through an activation (σ′, σ″, σ‴ at Z):
/// ```
/// Z̈̄ᵢ = S̄ᵢ⊙σ′,   Ż̄ᵢ = D̄ᵢ⊙σ′ + 2S̄ᵢ⊙σ″⊙Żᵢ
/// Z̄  = Ā⊙σ′ + Σᵢ [D̄ᵢ⊙σ″⊙Żᵢ + S̄ᵢ⊙(σ‴⊙Żᵢ² + σ″⊙Z̈ᵢ)]
/// ```
/// and with mixed second derivatives (``DerivativeStreams/hessian``), over the pairs i ≤ j,
/// ```
/// Z̈̄ᵢⱼ = S̄ᵢⱼ⊙σ′,   Ż̄ₖ = D̄ₖ⊙σ′ + σ″⊙Σ_{pairs ∋ k} (1 + δᵢⱼ) S̄ᵢⱼ⊙Ż_(other index)
/// Z̄  = Ā⊙σ′ + Σᵢ D̄ᵢ⊙σ″⊙Żᵢ + Σᵢ≤ⱼ S̄ᵢⱼ⊙(σ‴⊙Żᵢ⊙Żⱼ + σ″⊙Z̈ᵢⱼ)
/// ```
/// and through a dense layer `Ḡ(W) = Z̄_all·A_allᵀ`, `Ḡ(b) = Z̄·1ᵀ`, `Ā_all = Wᵀ·Z̄_all`.
public enum ReversePass {
    /// Where the parameter derivatives go.
    public enum Sink {
        /// ∂L/∂θ summed over the points, added to |θ| entries.
        case sum(UnsafeMutablePointer<Double>)
        /// One row per point, overwritten: row p (at `rows + p·stride`, |θ| entries, stride ≥ |θ|) receives
        /// ∂ρₚ/∂θ for the seeds of point p alone, i.e. the Jacobian of per-point quantities (Levenberg–Marquardt).
        case perPoint(rows: UnsafeMutablePointer<Double>, stride: Int)
    }

    /// Adds ∂L/∂θ to `gradient` (|θ| entries), for the points of the preceding
    /// ``TaylorForward/run(_:points:count:streams:workspace:constraintJets:)`` with the same workspace and streams.
    /// `seeds` holds ∂L/∂(output stream) laid out like `workspace.output` (m·S·N entries).
    public static func run(_ network: Network, seeds: UnsafePointer<Double>, count n: Int,
                           streams: DerivativeStreams, workspace ws: TaylorWorkspace,
                           gradient: UnsafeMutablePointer<Double>) {
        run(network, seeds: seeds, count: n, streams: streams, workspace: ws, into: .sum(gradient))
    }

    /// The reverse sweep for the points of the preceding ``TaylorForward/run(_:points:count:streams:workspace:)``, delivering the parameter
    /// derivatives summed (``Sink/sum(_:)``) or per point (``Sink/perPoint(rows:stride:)``). The adjoint
    /// propagation is the same; only the three places where adjoints meet activations differ: the GEMM
    /// `Z̄_all·A_allᵀ` becomes one outer-product sum over the S streams per point, and the activation-parameter
    /// reductions run over one point's neurons.
    public static func run(_ network: Network, seeds: UnsafePointer<Double>, count n: Int,
                           streams: DerivativeStreams, workspace ws: TaylorWorkspace, into sink: Sink) {
        let layout = network.layout
        let d = layout.inputDimension
        let s = streams.count(inputDimension: d)
        if case let .perPoint(rows, stride) = sink {
            for p in 0..<n { (rows + p * stride).update(repeating: 0, count: layout.parameterCount) }
        }
        var seeds = seeds
        if let constraint = network.outputConstraint {
            // Seeds of u's streams → seeds of N's (the constraint is linear in N), in the workspace's own buffer.
            let pulled = ws.constrainedSeeds, m = layout.outputDimension
            pulled.update(from: seeds, count: m * s * n)
            constraint.pullBack(seeds: pulled, count: n, dimension: d, streams: streams, outputs: m,
                                distanceStreams: ws.distanceStreams)
            seeds = UnsafePointer(pulled)
        }
        network.parameters.withUnsafeBufferPointer { theta in
            let theta = theta.baseAddress!
            var adjoint = ws.adjointA, spare = ws.adjointB
            let output = layout.dense[layout.depth]
            let last = ws.layerOutput(layout.depth - 1)
            // Output layer (linear, m outputs): Ḡ(W) = ū·A_Lᵀ, Ḡ(b) = Σ ū (value block), Ā_L = Wᵀ·ū.
            let m = output.fanOut
            accumulateDenseGradient(sink, adjoint: seeds, previous: last, width: m, fanIn: output.fanIn, count: n,
                                    streams: s, weightOffset: output.weightOffset, biasOffset: output.biasOffset)
            transpose(theta + output.weightOffset, rows: m, columns: output.fanIn, into: ws.transposedWeights)
            BLAS.gemm(m: output.fanIn, n: s * n, k: m, a: ws.transposedWeights, lda: output.fanIn,
                      b: seeds, ldb: m, c: adjoint, ldc: output.fanIn)

            for l in stride(from: layout.depth - 1, through: 0, by: -1) {
                let layer = layout.dense[l]
                let width = layer.fanOut, block = width * n
                let z = ws.preActivation[l]
                let activation = network.activations[l]
                let place = layout.activation[l]
                let sigma = (UnsafePointer(ws.activation[l]), UnsafePointer(ws.slope1[l]),
                             UnsafePointer(ws.slope2[l]), UnsafePointer(ws.slope3[l]))
                let amplitudes = theta + place.amplitudeOffset, slopes = theta + place.slopeOffset
                func backward(offset: Int = 0, count: Int, throughActivation: Bool,
                              into gradient: UnsafeMutablePointer<Double>?) {
                    ActivationKernels.backward(
                        activation, amplitudes: amplitudes, slopes: slopes, z: z, adjoint: adjoint, offset: offset,
                        count: count, stride: block, dimension: d, streams: streams, cache: ws.termCache[l],
                        sigma: sigma, throughActivation: throughActivation,
                        parameterGradient: gradient.map { ($0 + place.amplitudeOffset, $0 + place.slopeOffset) })
                }
                // A residual block's output adjoint also flows straight to its input: keep it before the activation's
                // backward pass overwrites it with Z̄.
                let skip = layout.isResidual(l)
                if skip { ws.skipAdjoint.update(from: adjoint, count: block * s) }
                let trainable = activation.hasTrainableParameters
                if let plan = streams.jetPlan {
                    // Taylor jets: parameter derivatives and the adjoints' way back in one pass.
                    let target: JetKernels.ParameterTarget?
                    switch sink {
                    case let .sum(gradient):
                        target = .sum(amplitudes: gradient + place.amplitudeOffset, slopes: gradient + place.slopeOffset)
                    case let .perPoint(rows, stride):
                        target = .perPoint(rows: rows, stride: stride, amplitudeOffset: place.amplitudeOffset,
                                           slopeOffset: place.slopeOffset)
                    }
                    JetKernels.backward(activation, amplitudes: amplitudes, slopes: slopes, rows: place.neuronCount,
                                        width: width, plan: plan, z: z, sigma: ws.jetSlopes[l], adjoint: adjoint,
                                        count: block, target: trainable ? target : nil, scratch: ws.jetScratch)
                } else {
                    switch sink {
                    case let .sum(gradient) where place.neuronCount == 1:
                        // The hot path: the parameter gradients and the adjoints' way back in one pass.
                        backward(count: block, throughActivation: true, into: gradient)
                    case let .perPoint(rows, stride) where place.neuronCount == 1:
                        // Point p's elements are the p-th column of every n_l × N block: one reduction per point, then
                        // the adjoints of all points.
                        if trainable {
                            for p in 0..<n { backward(offset: p * width, count: width, throughActivation: false, into: rows + p * stride) }
                        }
                        backward(count: block, throughActivation: true, into: nil)
                    default:
                        // Neuron-wise parameters, from contracted adjoints.
                        if trainable {
                            accumulateNeuronWiseGradient(network, layer: l, sink: sink, adjoint: adjoint, count: n,
                                                         streams: streams, workspace: ws)
                        }
                        backward(count: block, throughActivation: true, into: nil)
                    }
                }
                let previous = l == 0 ? UnsafePointer(ws.input) : UnsafePointer(ws.layerOutput(l - 1))
                accumulateDenseGradient(sink, adjoint: adjoint, previous: previous, width: width, fanIn: layer.fanIn,
                                        count: n, streams: s, weightOffset: layer.weightOffset,
                                        biasOffset: layer.biasOffset)
                if l > 0 {
                    transpose(theta + layer.weightOffset, rows: width, columns: layer.fanIn, into: ws.transposedWeights)
                    BLAS.gemm(m: layer.fanIn, n: s * n, k: width, a: ws.transposedWeights, lda: layer.fanIn,
                              b: adjoint, ldb: width, c: spare, ldc: layer.fanIn)
                    if skip { for e in 0..<(block * s) { spare[e] += ws.skipAdjoint[e] } }
                    swap(&adjoint, &spare)
                }
            }
        }
    }

    /// `into` ← `matrix`ᵀ, both column-major (rows × columns in, columns × rows out).
    static func transpose(_ matrix: UnsafePointer<Double>, rows: Int, columns: Int,
                          into result: UnsafeMutablePointer<Double>) {
        for j in 0..<columns {
            for i in 0..<rows { result[j + i * columns] = matrix[i + j * rows] }
        }
    }

    /// A dense layer's weight and bias derivatives from its pre-activation adjoints Z̄ (width × S·N) and its
    /// input streams A (fanIn × S·N): summed, `Ḡ(W) += Z̄_all·A_allᵀ` (GEMMs over blocks of columns) and `Ḡ(b) += Σₚ Z̄ₚ`; per point,
    /// `Ḡₚ(W) = Σₛ Z̄ₛₚ·Aₛₚᵀ` and `Ḡₚ(b) = Z̄₀ₚ` (the bias enters the value stream only).
    static func accumulateDenseGradient(_ sink: Sink, adjoint: UnsafePointer<Double>, previous: UnsafePointer<Double>,
                                        width: Int, fanIn: Int, count n: Int, streams s: Int,
                                        weightOffset: Int, biasOffset: Int) {
        switch sink {
        case let .sum(gradient):
            BLAS.accumulateOuterProducts(m: width, n: fanIn, k: s * n, a: adjoint, b: previous,
                                         c: gradient + weightOffset)
            pinn_sum_columns(adjoint, width, n, gradient + biasOffset)
        case let .perPoint(rows, stride):
            let adjointBlock = width * n, inputBlock = fanIn * n
            for p in 0..<n {
                let row = rows + p * stride
                let weights = row + weightOffset
                for stream in 0..<s {
                    let zbar = adjoint + stream * adjointBlock + p * width
                    let a = previous + stream * inputBlock + p * fanIn
                    for j in 0..<fanIn {
                        let aj = a[j], column = weights + j * width
                        for i in 0..<width { column[i] += zbar[i] * aj }
                    }
                }
                let bias = row + biasOffset
                for i in 0..<width { bias[i] = adjoint[p * width + i] }
            }
        }
    }

    /// Adds the neuron-wise activation-parameter derivatives of layer `l` to the sink, from the contractions of
    /// its activation-output adjoints (``contractAdjoints``).
    static func accumulateNeuronWiseGradient(_ network: Network, layer l: Int, sink: Sink,
                                             adjoint: UnsafePointer<Double>, count n: Int, streams: DerivativeStreams,
                                             workspace ws: TaylorWorkspace) {
        let layout = network.layout, d = layout.inputDimension
        let place = layout.activation[l], width = layout.dense[l].fanOut, block = width * n
        let z = UnsafePointer(ws.preActivation[l])
        let g = contractAdjoints(adjoint: adjoint, z: z, block: block, dimension: d, streams: streams,
                                 into: ws.scratch[1], ws.scratch[2], ws.scratch[3])
        network.parameters.withUnsafeBufferPointer { theta in
            let amplitudes = theta.baseAddress! + place.amplitudeOffset, slopes = theta.baseAddress! + place.slopeOffset
            switch sink {
            case let .sum(gradient):
                ActivationKernels.accumulateNeuronWiseGradient(
                    network.activations[l], amplitudes: amplitudes, slopes: slopes, z: z, count: block,
                    rows: place.neuronCount, g0: g.0, g1: g.1, g2: g.2, g3: g.3, cache: ws.termCache[l],
                    amplitudeGradient: gradient + place.amplitudeOffset, slopeGradient: gradient + place.slopeOffset)
            case let .perPoint(rows, stride):
                // Point p's elements are the p-th column of every n_l × N block: the same reduction over that
                // column alone, on pointers shifted by p·n_l.
                var cache = ws.termCache[l]
                for p in 0..<n {
                    let shift = p * width
                    for k in cache.indices { cache[k] = ws.termCache[l][k] + shift }
                    let row = rows + p * stride
                    ActivationKernels.accumulateNeuronWiseGradient(
                        network.activations[l], amplitudes: amplitudes, slopes: slopes, z: z + shift, count: width,
                        rows: place.neuronCount, g0: g.0 + shift, g1: g.1.map { $0 + shift },
                        g2: g.2.map { $0 + shift }, g3: g.3.map { $0 + shift }, cache: cache,
                        amplitudeGradient: row + place.amplitudeOffset, slopeGradient: row + place.slopeOffset)
                }
            }
        }
    }

    /// The contractions G₀…G₃ of the activation-output adjoints with the pre-activation streams that the
    /// neuron-wise activation-parameter gradients need (see ``ActivationKernels/accumulateNeuronWiseGradient``).
    static func contractAdjoints(adjoint: UnsafePointer<Double>, z: UnsafePointer<Double>, block: Int,
                                 dimension d: Int, streams: DerivativeStreams,
                                 into g1: UnsafeMutablePointer<Double>, _ g2: UnsafeMutablePointer<Double>,
                                 _ g3: UnsafeMutablePointer<Double>)
        -> (UnsafePointer<Double>, UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafePointer<Double>?) {
        let g0 = UnsafePointer(adjoint)
        guard streams.hasFirst else { return (g0, nil, nil, nil) }
        g1.update(repeating: 0, count: block)
        for i in 0..<d {
            let dbar = adjoint + (1 + i) * block, zd = z + (1 + i) * block
            for e in 0..<block { g1[e] += dbar[e] * zd[e] }
        }
        switch streams {
        case .value, .gradient:
            return (g0, UnsafePointer(g1), nil, nil)
        case .jets:
            preconditionFailure("Taylor jets take their activation-parameter gradients from JetKernels")
        case .laplacian:
            let lbar = adjoint + (1 + d) * block, zdd = z + (1 + d) * block
            g2.update(repeating: 0, count: block)
            for i in 0..<d {
                let zd = z + (1 + i) * block
                for e in 0..<block { g2[e] += lbar[e] * zd[e] * zd[e] }
            }
            for e in 0..<block { g3[e] = lbar[e] * zdd[e] }
        case .hessian:
            g2.update(repeating: 0, count: block)
            g3.update(repeating: 0, count: block)
            var q = 1 + d
            for i in 0..<d {
                for j in i..<d {
                    let sbar = adjoint + q * block, zi = z + (1 + i) * block, zj = z + (1 + j) * block
                    let zdd = z + q * block
                    for e in 0..<block {
                        g2[e] += sbar[e] * zi[e] * zj[e]
                        g3[e] += sbar[e] * zdd[e]
                    }
                    q += 1
                }
            }
        case .pureSecond:
            g2.update(repeating: 0, count: block)
            g3.update(repeating: 0, count: block)
            for i in 0..<d {
                let sbar = adjoint + (1 + d + i) * block, zd = z + (1 + i) * block, zdd = z + (1 + d + i) * block
                for e in 0..<block {
                    g2[e] += sbar[e] * zd[e] * zd[e]
                    g3[e] += sbar[e] * zdd[e]
                }
            }
        }
        return (g0, UnsafePointer(g1), UnsafePointer(g2), UnsafePointer(g3))
    }
}
