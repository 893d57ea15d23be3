import Foundation
import CVectorMath

/// The least-squares form of the objective for Gauss–Newton and Levenberg–Marquardt: the scaled residuals ρ (one per
/// point of every term, Σρ² = L), their Jacobian rows from the per-point reverse pass, and the normal equations
/// JᵀJ, Jᵀρ accumulated panel by panel.
extension Objective {

    /// The number of scaled residuals ρ: one per point of every term.
    public var residualCount: Int { terms.reduce(0) { $0 + $1.count } }


    /// Runs the forward pass and the per-point reverse pass over chunks `range` of ``chunks`` in parallel, writing
    /// the scaled residuals ρₚ and the Jacobian rows ∂ρₚ/∂θ (|θ| entries each, point-major) of the chunks' points
    /// one after another into `residuals` and `rows`. Returns the number of points written.
    private func fillJacobianRows(_ network: Network, chunks range: Range<Int>,
                                  residuals: UnsafeMutablePointer<Double>, rows: UnsafeMutablePointer<Double>) -> Int {
        let d = layout.inputDimension, p = layout.parameterCount
        prepareConstraintJets(network)
        let (lambda, chain) = unknownValues(network)
        let (starts, total) = rowOffsets(of: range)
        // Workers write disjoint rows of the same buffers.
        struct Destination: @unchecked Sendable {
            let residuals: UnsafeMutablePointer<Double>, rows: UnsafeMutablePointer<Double>, offsets: [Int]
        }
        let destination = Destination(residuals: residuals, rows: rows, offsets: starts)
        forEachItemInParallel(count: range.count, threads: threads) { [self] worker, i in
            pinn_flush_subnormals_to_zero()
            let ws = self.workspaces[worker], seeds = self.seedBuffers[worker]
            let (t, points) = self.chunks[range.lowerBound + i]
            let term = self.terms[t]
            self.forward(network, term: t, range: points, streams: term.streams, workspace: ws)
            let unknownSeeds = self.unknownSeedBuffers[worker], u = self.layout.unknownCount
            lambda.withUnsafeBufferPointer { lambda in
                term.scaledResiduals(outputs: ws.output, range: points, dimension: d,
                                     outputCount: self.layout.outputDimension,
                                     residuals: destination.residuals + destination.offsets[i], jacobianSeeds: seeds,
                                     unknownValues: lambda.baseAddress, unknownSeeds: unknownSeeds)
            }
            let rows = destination.rows + destination.offsets[i] * p
            ReversePass.run(network, seeds: seeds, count: points.count, streams: term.streams, workspace: ws,
                            into: .perPoint(rows: rows, stride: p))
            // The unknowns' columns come from the residual directly (the network does not read them).
            if case let .system(r) = term.kind, !r.unknowns.isEmpty {
                for q in 0..<points.count {
                    for j in 0..<r.unknowns.count {
                        rows[q * p + self.layout.unknownOffset + j] = unknownSeeds[q * u + j] * chain[j]
                    }
                }
            }
        }
        return total
    }

    /// Where each of the chunks `range` starts in a stack of their points' rows, and the total row count.
    func rowOffsets(of range: Range<Int>) -> (starts: [Int], total: Int) {
        var starts: [Int] = [], total = 0
        for c in range {
            starts.append(total)
            total += chunks[c].range.count
        }
        return (starts, total)
    }

    /// Columns of JᵀJ computed by one GEMM.
    static let gramBlock = 96

    /// H[0..<c₁, c₀..<c₁] += Jᵀ[0..<c₁, :]·J[:, c₀..<c₁] for fixed column blocks [c₀, c₁) (the upper triangle and
    /// the diagonal blocks), the blocks spread over the worker threads, each a single-threaded GEMM. The blocks
    /// do not depend on the thread count, so neither do the sums (a multi-threaded `dsyrk` does).
    private func accumulateGram(rows: UnsafeMutablePointer<Double>, count n: Int, into hessian: UnsafeMutablePointer<Double>) {
        let p = layout.parameterCount, block = Self.gramBlock
        let blocks = (p + block - 1) / block
        struct Buffers: @unchecked Sendable { let rows: UnsafePointer<Double>, hessian: UnsafeMutablePointer<Double> }
        let buffers = Buffers(rows: rows, hessian: hessian)
        forEachItemInParallel(count: blocks, threads: threads) { _, b in
            let c0 = b * block, c1 = min(p, c0 + block)
            BLAS.gemm(transposeB: true, m: c1, n: c1 - c0, k: n, a: buffers.rows, lda: p, b: buffers.rows + c0, ldb: p,
                      beta: 1, c: buffers.hessian + c0 * p, ldc: p)
        }
    }

    /// The stacked scaled residuals ρ (all points of all terms in order; Σρ² = Σ of the term losses) and their
    /// Jacobian J = ∂ρ/∂θ, row-major (ρ.count × |θ|). Holds the whole Jacobian: meant for tests and small problems;
    /// training uses ``accumulateNormalEquations(_:mask:hessian:gradient:)``.
    public func residualJacobian(_ network: Network) -> (residuals: [Double], jacobian: [Double]) {
        let n = residualCount, p = layout.parameterCount
        var residuals = [Double](repeating: 0, count: n)
        var jacobian = [Double](repeating: 0, count: n * p)
        residuals.withUnsafeMutableBufferPointer { r in
            jacobian.withUnsafeMutableBufferPointer { j in
                _ = fillJacobianRows(network, chunks: 0..<chunks.count, residuals: r.baseAddress!, rows: j.baseAddress!)
            }
        }
        return (residuals, jacobian)
    }

    /// The Gauss–Newton normal equations of L(θ) = ‖ρ(θ)‖²: writes H = JᵀJ (|θ|×|θ|, column-major, upper triangle
    /// filled) and g = Jᵀρ (|θ| entries), and returns L. Parameters with `mask` 0 get zero rows and columns.
    ///
    /// The points are processed in panels of at most ``jacobianPanelBytes`` of Jacobian rows (one blocked Gram
    /// update each); panel and block boundaries depend on the sizes only, so results do not depend on ``threads``.
    @discardableResult
    public func accumulateNormalEquations(_ network: Network, mask: [Double]? = nil,
                                          hessian: UnsafeMutablePointer<Double>,
                                          gradient: UnsafeMutablePointer<Double>) -> Double {
        let p = layout.parameterCount
        // Never more rows than there are points: the panel buffer is allocated at this size.
        let rowsPerPanel = max(chunkSize, min(residualCount, jacobianPanelBytes / (8 * p)))
        if panel == nil || panel!.capacity < rowsPerPanel {
            panel?.rows.deallocate()
            panel?.residuals.deallocate()
            panel = (.allocate(capacity: rowsPerPanel * p), .allocate(capacity: rowsPerPanel), rowsPerPanel)
        }
        let (rows, residuals, _) = panel!
        hessian.update(repeating: 0, count: p * p)
        gradient.update(repeating: 0, count: p)
        var loss = 0.0
        var first = 0
        while first < chunks.count {
            var last = first + 1, count = chunks[first].range.count
            while last < chunks.count, count + chunks[last].range.count <= rowsPerPanel {
                count += chunks[last].range.count
                last += 1
            }
            let n = fillJacobianRows(network, chunks: first..<last, residuals: residuals, rows: rows)
            // Rows of one point are contiguous: J of the panel is the column-major |θ| × n matrix Jᵀ.
            accumulateGram(rows: rows, count: n, into: hessian)
            BLAS.gemv(m: p, n: n, a: rows, lda: p, x: residuals, beta: 1, y: gradient)
            for i in 0..<n { loss += residuals[i] * residuals[i] }
            first = last
        }
        if communicator.size > 1 {
            // H, g and L of every process in one sum.
            let size = p * p + p + 1
            if reduction.count < size { reduction = [Double](repeating: 0, count: size) }
            reduction.withUnsafeMutableBufferPointer { buffer in
                let b = buffer.baseAddress!
                b.update(from: hessian, count: p * p)
                (b + p * p).update(from: gradient, count: p)
                b[p * p + p] = loss
                communicator.sum(b, count: size)
                hessian.update(from: b, count: p * p)
                gradient.update(from: b + p * p, count: p)
                loss = b[p * p + p]
            }
        }
        if let mask {
            for j in 0..<p {
                gradient[j] *= mask[j]
                for i in 0...j { hessian[j * p + i] *= mask[i] * mask[j] }
            }
        }
        return loss
    }
}
