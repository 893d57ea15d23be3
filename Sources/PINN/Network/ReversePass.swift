/// The hand-derived reverse pass through ``TaylorForward`` (docs/derivatives.md): given the seeds ∂L/∂u,
/// ∂L/∂(∂u/∂xᵢ), ∂L/∂(Δu or ∂²u/∂xᵢ²) per point, one backward sweep of GEMMs gives ∂L/∂θ for every weight, bias
/// and activation parameter. Through an activation (σ′, σ″, σ‴ at Z):
/// ```
/// Z̈̄ᵢ = S̄ᵢ⊙σ′,   Ż̄ᵢ = D̄ᵢ⊙σ′ + 2S̄ᵢ⊙σ″⊙Żᵢ
/// Z̄  = Ā⊙σ′ + Σᵢ [D̄ᵢ⊙σ″⊙Żᵢ + S̄ᵢ⊙(σ‴⊙Żᵢ² + σ″⊙Z̈ᵢ)]
/// ```
/// and through a dense layer `Ḡ(W) = Z̄_all·A_allᵀ`, `Ḡ(b) = Z̄·1ᵀ`, `Ā_all = Wᵀ·Z̄_all`.
public enum ReversePass {
    /// Adds ∂L/∂θ to `gradient` (|θ| entries), for the points of the preceding ``TaylorForward/run`` with the same
    /// workspace and streams. `seeds` holds ∂L/∂(output stream) laid out like `workspace.output` (S·N entries).
    public static func run(_ network: Network, seeds: UnsafePointer<Double>, count n: Int,
                           streams: DerivativeStreams, workspace ws: TaylorWorkspace,
                           gradient: UnsafeMutablePointer<Double>) {
        let layout = network.layout
        let d = layout.inputDimension
        let s = streams.count(inputDimension: d)
        network.parameters.withUnsafeBufferPointer { theta in
            let theta = theta.baseAddress!
            var adjoint = ws.adjointA, spare = ws.adjointB
            let output = layout.dense[layout.depth]
            let last = ws.activation[layout.depth - 1]
            // Output layer (linear): Ḡ(W) = ū·A_Lᵀ, Ḡ(b) = Σ ū (value block), Ā_L = Wᵀ·ū.
            BLAS.gemm(transposeB: true, m: 1, n: output.fanIn, k: s * n, a: seeds, lda: 1, b: last, ldb: output.fanIn,
                      beta: 1, c: gradient + output.weightOffset, ldc: 1)
            var biasSum = 0.0
            for p in 0..<n { biasSum += seeds[p] }
            gradient[output.biasOffset] += biasSum
            BLAS.gemm(transposeA: true, m: output.fanIn, n: s * n, k: 1, a: theta + output.weightOffset, lda: 1,
                      b: seeds, ldb: 1, c: adjoint, ldc: output.fanIn)

            for l in stride(from: layout.depth - 1, through: 0, by: -1) {
                let layer = layout.dense[l]
                let width = layer.fanOut, block = width * n
                let z = ws.preActivation[l]
                let activation = network.activations[l]
                let place = layout.activation[l]
                let sigma = (UnsafePointer(ws.activation[l]), UnsafePointer(ws.slope1[l]),
                             UnsafePointer(ws.slope2[l]), UnsafePointer(ws.slope3[l]))
                if activation.hasTrainableParameters && streams == .laplacian
                    && ActivationKernels.isSingleTerm(activation, amplitudes: theta + place.amplitudeOffset,
                                                      slopes: theta + place.slopeOffset, rows: place.neuronCount) {
                    // The PDE-residual hot path of L-LAAF: one fused pass over the streams.
                    ActivationKernels.accumulateSingleTermGradientFromStreams(
                        activation.terms[0], amplitude: theta[place.amplitudeOffset], slope: theta[place.slopeOffset],
                        z: z, adjoint: adjoint, block: block, dimension: d, sigma: sigma,
                        amplitudeGradient: gradient + place.amplitudeOffset, slopeGradient: gradient + place.slopeOffset)
                } else if activation.hasTrainableParameters {
                    let g = contractAdjoints(adjoint: adjoint, z: z, block: block, dimension: d, streams: streams,
                                             into: ws.scratch[5], ws.scratch[6], ws.scratch[7])
                    ActivationKernels.accumulateParameterGradient(
                        activation, amplitudes: theta + place.amplitudeOffset, slopes: theta + place.slopeOffset,
                        z: z, count: block, g0: g.0, g1: g.1, g2: g.2, g3: g.3, cache: ws.termCache[l],
                        scratch: ws.scratch[8..<13], rows: place.neuronCount,
                        activationDerivatives: sigma,
                        amplitudeGradient: gradient + place.amplitudeOffset, slopeGradient: gradient + place.slopeOffset)
                }
                backThroughActivation(adjoint: adjoint, z: z, slope1: ws.slope1[l], slope2: ws.slope2[l],
                                      slope3: ws.slope3[l], block: block, dimension: d, streams: streams)
                let previous = l == 0 ? UnsafePointer(ws.input) : UnsafePointer(ws.activation[l - 1])
                BLAS.gemm(transposeB: true, m: width, n: layer.fanIn, k: s * n, a: adjoint, lda: width,
                          b: previous, ldb: layer.fanIn, beta: 1, c: gradient + layer.weightOffset, ldc: width)
                let biasGradient = gradient + layer.biasOffset
                for p in 0..<n {
                    let column = adjoint + p * width
                    for j in 0..<width { biasGradient[j] += column[j] }
                }
                if l > 0 {
                    BLAS.gemm(transposeA: true, m: layer.fanIn, n: s * n, k: width, a: theta + layer.weightOffset,
                              lda: width, b: adjoint, ldb: width, c: spare, ldc: layer.fanIn)
                    swap(&adjoint, &spare)
                }
            }
        }
    }

    /// In place: turns the adjoints (Ā, D̄ᵢ, S̄ᵢ or Λ̄) of a layer's activation streams into those of its
    /// pre-activation streams (Z̄, Ż̄ᵢ, Z̈̄ᵢ). One vectorisable loop per stream block.
    static func backThroughActivation(adjoint: UnsafeMutablePointer<Double>, z: UnsafePointer<Double>,
                                      slope1 s1: UnsafePointer<Double>, slope2 s2: UnsafePointer<Double>,
                                      slope3 s3: UnsafePointer<Double>, block: Int, dimension d: Int,
                                      streams: DerivativeStreams) {
        let zbar = adjoint
        for e in 0..<block { zbar[e] *= s1[e] }
        guard streams.hasFirst else { return }
        switch streams {
        case .value:
            return
        case .gradient:
            for i in 0..<d {
                let dbar = adjoint + (1 + i) * block, zd = z + (1 + i) * block
                for e in 0..<block {
                    zbar[e] += dbar[e] * s2[e] * zd[e]
                    dbar[e] *= s1[e]
                }
            }
        case .laplacian:
            let lbar = adjoint + (1 + d) * block, zdd = z + (1 + d) * block
            for i in 0..<d {
                let dbar = adjoint + (1 + i) * block, zd = z + (1 + i) * block
                for e in 0..<block {
                    let q = zd[e]
                    zbar[e] += dbar[e] * s2[e] * q + lbar[e] * s3[e] * q * q
                    dbar[e] = dbar[e] * s1[e] + 2 * lbar[e] * s2[e] * q
                }
            }
            for e in 0..<block {
                zbar[e] += lbar[e] * s2[e] * zdd[e]
                lbar[e] *= s1[e]
            }
        case .pureSecond:
            for i in 0..<d {
                let dbar = adjoint + (1 + i) * block, sbar = adjoint + (1 + d + i) * block
                let zd = z + (1 + i) * block, zdd = z + (1 + d + i) * block
                for e in 0..<block {
                    let q = zd[e]
                    zbar[e] += dbar[e] * s2[e] * q + sbar[e] * (s3[e] * q * q + s2[e] * zdd[e])
                    dbar[e] = dbar[e] * s1[e] + 2 * sbar[e] * s2[e] * q
                    sbar[e] *= s1[e]
                }
            }
        }
    }

    /// The contractions G₀…G₃ of the activation-output adjoints with the pre-activation streams that the
    /// activation-parameter gradients need (see ``ActivationKernels/accumulateParameterGradient``).
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
        case .laplacian:
            let lbar = adjoint + (1 + d) * block, zdd = z + (1 + d) * block
            g2.update(repeating: 0, count: block)
            for i in 0..<d {
                let zd = z + (1 + i) * block
                for e in 0..<block { g2[e] += lbar[e] * zd[e] * zd[e] }
            }
            for e in 0..<block { g3[e] = lbar[e] * zdd[e] }
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
