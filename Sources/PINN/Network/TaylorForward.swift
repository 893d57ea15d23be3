import CVectorMath

/// The batched Taylor-mode forward pass (equations in docs/derivatives.md):
/// ```
/// Z = W·A + b·1,  Żᵢ = W·Dᵢ,  Z̈ = W·S                       (one GEMM over all stream blocks)
/// A = σ(Z),  Dᵢ = σ′(Z)⊙Żᵢ,  Sᵢ = σ″(Z)⊙Żᵢ² + σ′(Z)⊙Z̈ᵢ      (or Λ = σ″⊙Σᵢ Żᵢ² + σ′⊙Z̈,
///                                                             or Sᵢⱼ = σ″⊙Żᵢ⊙Żⱼ + σ′⊙Z̈ᵢⱼ)
/// ```
/// Points are the columns: `points` holds N points of dimension d contiguously (point p at `points[p·d ..< p·d+d]`).
public enum TaylorForward {
    /// Runs the forward pass for `count` points and returns the output streams in `workspace.output`:
    /// `u` at `[0 ..< N]`, `∂u/∂xᵢ` at block i, then the Laplacian or the second derivatives; with m outputs each
    /// block is m × N (field k of point p at `k + m·p` within the block).
    ///
    /// With a hard Dirichlet constraint on the network, `constraintJets` may hold the jets of its g and D at these
    /// points (``HardDirichletConstraint/jets(points:count:dimension:into:)``); without them they are computed here.
    /// `partitionOfUnity: false` leaves a partition's ψ off the last hidden layer (its raw features, for the
    /// continuity rows between subdomains).
    public static func run(_ network: Network, points: UnsafePointer<Double>, count n: Int,
                           streams: DerivativeStreams, workspace ws: TaylorWorkspace,
                           constraintJets: UnsafePointer<Double>? = nil, partitionOfUnity: Bool = true) {
        let layout = network.layout
        let d = layout.inputDimension
        let s = streams.count(inputDimension: d)
        precondition(n <= ws.capacity && s <= ws.maxStreams, "workspace too small")
        let plan = streams.jetPlan
        if let plan {
            precondition(plan.maximumOrder <= ws.jetOrder, "workspace too small for the jets")
            precondition(layout.partition == nil && network.outputConstraint == nil,
                         "Taylor jets do not yet run through partitions of unity or hard constraints")
            if let embedding = layout.embedding {
                embedding.seedJets(points: points, count: n, plan: plan, into: ws.input)
            } else {
                JetKernels.seedInputs(points: points, count: n, dimension: d, plan: plan, into: ws.input)
            }
        } else if let embedding = layout.embedding {
            embedding.seedStreams(points: points, count: n, streams: streams, into: ws.input)
        } else {
            seedInputStreams(points: points, count: n, dimension: d, streams: streams, into: ws.input)
        }

        network.parameters.withUnsafeBufferPointer { theta in
            let theta = theta.baseAddress!
            var previous = UnsafePointer(ws.input)
            for (l, layer) in layout.dense.enumerated() {
                let isOutput = l == layout.depth
                let z = isOutput ? ws.output : ws.preActivation[l]
                BLAS.gemm(m: layer.fanOut, n: s * n, k: layer.fanIn,
                          a: theta + layer.weightOffset, lda: layer.fanOut,
                          b: previous, ldb: layer.fanIn, c: z, ldc: layer.fanOut)
                addBias(theta + layer.biasOffset, to: z, rows: layer.fanOut, columns: n)
                if isOutput { break }
                let width = layer.fanOut
                let place = layout.activation[l]
                if let plan {
                    JetKernels.evaluate(network.activations[l], amplitudes: theta + place.amplitudeOffset,
                                        slopes: theta + place.slopeOffset, rows: place.neuronCount, width: width,
                                        z: z, count: width * n, order: plan.maximumOrder, value: ws.activation[l],
                                        sigma: ws.jetSlopes[l])
                    JetKernels.propagate(plan: plan, z: z, a: ws.activation[l], sigma: ws.jetSlopes[l],
                                         count: width * n, scratch: ws.jetScratch)
                } else {
                    ActivationKernels.evaluate(network.activations[l],
                                               amplitudes: theta + place.amplitudeOffset, slopes: theta + place.slopeOffset,
                                               z: z, count: width * n,
                                               value: ws.activation[l], first: ws.slope1[l], second: ws.slope2[l],
                                               third: ws.slope3[l], cache: ws.termCache[l], scratch: ws.scratch[0],
                                               rows: place.neuronCount)
                    propagateStreams(z: z, a: ws.activation[l], slope1: ws.slope1[l], slope2: ws.slope2[l],
                                     block: width * n, dimension: d, streams: streams)
                }
                if l == layout.depth - 1, partitionOfUnity, let partition = layout.partition {
                    partition.apply(to: ws.activation[l], width: width, points: points, count: n, dimension: d,
                                    streams: streams)
                }
                if let block = ws.blockOutput[l] {
                    // Residual block: H_l = H_{l−1} + σ(Z_l), stream by stream (the skip is linear).
                    let a = ws.activation[l]
                    for e in 0..<(width * s * n) { block[e] = previous[e] + a[e] }
                    previous = UnsafePointer(block)
                } else {
                    previous = UnsafePointer(ws.activation[l])
                }
            }
        }
        if let constraint = network.outputConstraint {
            var jets = constraintJets
            if jets == nil {
                constraint.jets(points: points, count: n, dimension: d, into: ws.constraintJets)
                jets = UnsafePointer(ws.constraintJets)
            }
            constraint.apply(to: ws.output, jets: jets!, count: n, dimension: d, streams: streams,
                             outputs: layout.outputDimension, distanceStreams: ws.distanceStreams)
        }
    }

    /// A⁰ = X, Dᵢ⁰ = eᵢ·1, S⁰ = 0.
    static func seedInputStreams(points: UnsafePointer<Double>, count n: Int, dimension d: Int,
                                 streams: DerivativeStreams, into input: UnsafeMutablePointer<Double>) {
        let block = d * n
        input.update(from: points, count: block)
        let s = streams.count(inputDimension: d)
        guard s > 1 else { return }
        (input + block).update(repeating: 0, count: (s - 1) * block)
        if streams.hasFirst {
            for i in 0..<d {
                let stream = input + (1 + i) * block
                for p in 0..<n { stream[p * d + i] = 1 }
            }
        }
    }

    /// Adds b to every column of the value block (rows × columns).
    @inline(__always)
    static func addBias(_ b: UnsafePointer<Double>, to z: UnsafeMutablePointer<Double>, rows: Int, columns: Int) {
        pinn_add_bias(z, b, rows, columns)
    }

    /// Carries the derivative streams through the activation, given σ(Z) already in the value block of `a` and
    /// σ′, σ″ at Z: Dᵢ = σ′Żᵢ, then Λ = σ″ΣᵢŻᵢ² + σ′Z̈, Sᵢ = σ″Żᵢ² + σ′Z̈ᵢ or Sᵢⱼ = σ″ŻᵢŻⱼ + σ′Z̈ᵢⱼ, in one C pass
    /// compiled for the CPU's vector width.
    static func propagateStreams(z: UnsafeMutablePointer<Double>, a: UnsafeMutablePointer<Double>,
                                 slope1 s1: UnsafeMutablePointer<Double>, slope2 s2: UnsafeMutablePointer<Double>,
                                 block: Int, dimension d: Int, streams: DerivativeStreams) {
        pinn_propagate_streams(z, a, s1, s2, block, d, Int32(streams.kernelMode))
    }
}
