import CVectorMath

extension Objective {
    /// The number of output-layer parameters q = m·(n_L + 1): the columns of ``outputLayerSystem(_:into:residuals:)``.
    public var outputLayerParameterCount: Int {
        let output = layout.dense[layout.depth]
        return output.fanOut * (output.fanIn + 1)
    }

    /// The least-squares system of the output layer: the scaled residuals ρ (one per point of every term, in order)
    /// and their derivatives A = ∂ρ/∂c with respect to the output layer's parameters c — column j·m + k is the
    /// weight W_kj of field k and hidden unit j, columns m·n_L + k the biases — written column-major into `matrix`
    /// (rows = ``residualCount``, leading dimension the row count). For a residual linear in u, ρ is affine in c and
    /// ρ(c + δ) = ρ(c) + A·δ exactly; the random-feature and extreme-learning-machine solvers solve
    /// min ‖A·δ + ρ‖ for δ.
    ///
    /// Row p of A is Σₛ seedₖₛₚ·a_{js,p} (the seeds ∂ρₚ/∂uₖₛ of field k's stream s, pulled back through a hard
    /// constraint; a the last hidden layer's streams), computed per chunk from one forward pass. The matrix's
    /// leading dimension is `leadingDimension` (at least ``residualCount``; more leaves room for further rows).
    public func outputLayerSystem(_ network: Network, into matrix: UnsafeMutablePointer<Double>,
                                  residuals: UnsafeMutablePointer<Double>, leadingDimension: Int? = nil) {
        let d = layout.inputDimension, rows = leadingDimension ?? residualCount
        precondition(rows >= residualCount)
        let output = layout.dense[layout.depth], m = output.fanOut, width = output.fanIn
        prepareConstraintJets(network)
        let (lambda, _) = unknownValues(network)
        let (starts, _) = rowOffsets(of: 0..<chunks.count)
        struct Destination: @unchecked Sendable {
            let matrix: UnsafeMutablePointer<Double>, residuals: UnsafeMutablePointer<Double>, offsets: [Int]
        }
        let destination = Destination(matrix: matrix, residuals: residuals, offsets: starts)
        forEachItemInParallel(count: chunks.count, threads: threads) { [self] worker, i in
            pinn_flush_subnormals_to_zero()
            let ws = self.workspaces[worker], seeds = self.seedBuffers[worker]
            let (t, points) = self.chunks[i]
            let term = self.terms[t], n = points.count, streams = term.streams
            let s = streams.count(inputDimension: d)
            self.forward(network, term: t, range: points, streams: streams, workspace: ws)
            lambda.withUnsafeBufferPointer { lambda in
                term.scaledResiduals(outputs: ws.output, range: points, dimension: d, outputCount: m,
                                     residuals: destination.residuals + destination.offsets[i], jacobianSeeds: seeds,
                                     unknownValues: lambda.baseAddress, unknownSeeds: self.unknownSeedBuffers[worker])
            }
            var pulled = UnsafePointer(seeds)
            if let constraint = network.outputConstraint {
                ws.constrainedSeeds.update(from: seeds, count: m * s * n)
                constraint.pullBack(seeds: ws.constrainedSeeds, count: n, dimension: d, streams: streams, outputs: m,
                                    distanceStreams: ws.distanceStreams)
                pulled = UnsafePointer(ws.constrainedSeeds)
            }
            let hidden = ws.activation[layout.depth - 1], block = width * n
            for q in 0..<n {
                let row = destination.offsets[i] + q
                for k in 0..<m {
                    var bias = 0.0
                    for j in 0..<width { destination.matrix[row + rows * (j * m + k)] = 0 }
                    for stream in 0..<s {
                        let seed = pulled[k + m * (stream * n + q)]
                        if seed == 0 { continue }
                        if stream == 0 { bias += seed }
                        let a = hidden + stream * block + q * width
                        for j in 0..<width { destination.matrix[row + rows * (j * m + k)] += seed * a[j] }
                    }
                    destination.matrix[row + rows * (m * width + k)] = bias
                }
            }
        }
    }
}
