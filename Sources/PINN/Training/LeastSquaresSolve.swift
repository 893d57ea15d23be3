import Foundation

/// The least-squares method (extreme learning machines; ε-rank paper §4.2): one hidden layer of fixed features
/// (UDI by default), and the output layer's coefficients c found by a linear least-squares solve of every
/// equation's rows at its points and every condition's rows at theirs, each block weighted by √(w/N) like the loss.
/// For a residual linear in u one solve gives the minimiser of the loss over c; for a nonlinear one (−Δu + u³ = f),
/// Gauss–Newton iterations on c with the features fixed, each a least-squares solve, with step halving when the loss
/// would rise.
public struct LeastSquaresSettings: Sendable, Equatable {
    /// The LAPACK driver (rank-revealing by default).
    public var method: LinearLeastSquares.Method
    /// The relative cut-off for singular values (SVD) or pivots (COD).
    public var cutoff: Double
    /// Gauss–Newton iterations at most (a residual found to be affine in c stops after one solve).
    public var iterations: Int
    /// Stop when a Gauss–Newton step is below tolerance·(‖c‖ + tolerance).
    public var tolerance: Double
    /// Stop when a Gauss–Newton step lowers the loss by less than this fraction (it has reached the floor that the
    /// features and rounding allow; Gauss–Newton converges quadratically until then).
    public var minimumDecrease = 0.01

    public init(method: LinearLeastSquares.Method = .completeOrthogonal, cutoff: Double = 1e-13, iterations: Int = 20,
                tolerance: Double = 1e-12) {
        self.method = method
        self.cutoff = cutoff
        self.iterations = iterations
        self.tolerance = tolerance
    }
}

/// What a least-squares solve did: the last linear solve's report, the residual norm ‖ρ‖ at the solution, the
/// Gauss–Newton iterations, the assembly time, and the ε-rank of the feature set.
public struct LeastSquaresOutcome: Sendable, Equatable {
    public var last: LinearLeastSquares.Report
    public var residualNorm: Double
    public var iterations: Int
    public var assemblySeconds: Double
    /// The feature set's ε-ranks on the domain for ``EffectiveRank/defaultEpsilons`` (empty when not measured).
    public var featureRanks: [Int]
}

extension Solver {
    /// Bytes the least-squares solve needs: the rows × columns matrix, LAPACK's workspace, residual vectors.
    static func leastSquaresBytes(rows: Int, columns: Int) -> Int {
        8 * rows * columns + LinearLeastSquares.workspaceBytes(rows: rows, columns: columns) + 8 * 4 * rows
    }

    /// Solves by least squares on the output layer (see ``LeastSquaresSettings``).
    func solveByLeastSquares(_ settings: LeastSquaresSettings, observer: TrainingObserver?) -> Solution {
        let clock = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - clock) * 1e-9 }
        var network = makeNetwork()
        let collocation = makeCollocation()
        let terms = makeTerms(collocation)
        let objective = Objective(layout: network.layout, terms: terms, threads: configuration.threads,
                                  chunkSize: configuration.chunkSize)
        let continuity = interfaceContinuity(network)
        let equations = objective.residualCount, q = objective.outputLayerParameterCount
        let rows = equations + (continuity?.rowCount ?? 0)
        let output = network.layout.dense[network.layout.depth]
        let m = output.fanOut, width = output.fanIn
        // Column j·m + k (unit j's weight for field k), then the m biases: θ's own order from the weights' offset
        // (W is column-major m × n_L, the bias follows it).
        precondition(output.biasOffset == output.weightOffset + m * width)
        func parameterIndex(_ column: Int) -> Int { output.weightOffset + column }
        // Gauss–Newton starts from u = 0, not from the initialiser's random output layer (with many features that
        // u is large and far from any solution; a linear problem does not depend on the start).
        for j in 0..<q { network.parameters[parameterIndex(j)] = 0 }
        func continuityResiduals() -> [Double] {
            continuity?.residuals((0..<q).map { network.parameters[parameterIndex($0)] }) ?? []
        }
        /// The loss terms, with the continuity rows' ‖ρ‖² as one more term.
        func losses() -> [Double] {
            let terms = objective.evaluate(network, gradient: nil)
            return continuity == nil ? terms : terms + [continuityResiduals().reduce(0) { $0 + $1 * $1 }]
        }
        var evaluation: EvaluationSet?
        if problem.exactSolutions.contains(where: { $0 != nil }) {
            let inside = evaluationPointsInDomain()
            evaluation = EvaluationSet(points: inside, fields: problem.exactSolutions.map { $0?.values(at: inside) })
        }
        var history: [HistoryRecord] = []
        func record(_ iteration: Int) -> Double {
            let losses = losses()
            var metrics: [ErrorMetrics?] = []
            if let evaluation {
                let values = NetworkEvaluator(layout: network.layout).evaluateFields(network, at: evaluation.points)
                metrics = evaluation.fields.enumerated().map { k, exact in
                    exact.map { ErrorMetrics(prediction: values[k][0], exact: $0) }
                }
            }
            var r = HistoryRecord(iteration: iteration, stage: 0, loss: losses.reduce(0, +), termLosses: losses,
                                  metrics: ErrorMetrics.worst(of: metrics.compactMap { $0 }), wallTime: elapsed(),
                                  learningRate: 0)
            r.fieldMetrics = metrics
            r.termWeights = objective.terms.map(\.weight) + (continuity == nil ? [] : [configuration.interfaceWeight])
            history.append(r)
            observer?.trainingDidRecord(r)
            return r.loss
        }
        var loss = record(0)
        var matrix = [Double](repeating: 0, count: rows * q), residuals = [Double](repeating: 0, count: rows)
        var previous: (residuals: [Double], step: [Double])?
        var report: LinearLeastSquares.Report?
        var assembly = 0.0, iterations = 0, stop = StopReason.completed
        var notes: [String] = []
        while iterations < settings.iterations {
            let started = DispatchTime.now().uptimeNanoseconds
            matrix.withUnsafeMutableBufferPointer { a in
                residuals.withUnsafeMutableBufferPointer {
                    objective.outputLayerSystem(network, into: a.baseAddress!, residuals: $0.baseAddress!,
                                                leadingDimension: rows)
                }
            }
            if let continuity {
                continuity.copy(into: &matrix, offset: equations, leadingDimension: rows)
                for (r, value) in continuityResiduals().enumerated() { residuals[equations + r] = value }
            }
            assembly += Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
            if let (before, step) = previous, Self.isAffine(matrix, rows: rows, step: step, before: before, after: residuals) {
                notes.append("the residuals are affine in the output layer: one solve is the least-squares solution")
                break
            }
            if observer?.trainingShouldStop() == true { stop = .interrupted(iteration: iterations); break }
            let solved: (solution: [Double], report: LinearLeastSquares.Report)
            do {
                solved = try LinearLeastSquares.solve(&matrix, rows: rows, columns: q, rhs: residuals.map { -$0 },
                                                      method: settings.method, cutoff: settings.cutoff)
            } catch {
                notes.append("least squares: \(error.description)")
                stop = .diverged(iteration: iterations)
                break
            }
            report = solved.report
            // Step halving when a (nonlinear) step would raise the loss.
            let start = (0..<q).map { network.parameters[parameterIndex($0)] }
            var fraction = 1.0, accepted = false
            for _ in 0..<30 {
                for j in 0..<q { network.parameters[parameterIndex(j)] = start[j] + fraction * solved.solution[j] }
                let trial = losses().reduce(0, +)
                if trial.isFinite && trial <= loss * (1 + 1e-12) + 1e-300 { accepted = true; break }
                fraction /= 2
            }
            iterations += 1
            if !accepted {
                for j in 0..<q { network.parameters[parameterIndex(j)] = start[j] }
                notes.append("Gauss–Newton: no decreasing step after 30 halvings at iteration \(iterations)")
                break
            }
            let before = loss
            loss = record(iterations)
            observer?.trainingDidIterate(iteration: iterations, of: settings.iterations, loss: loss, metrics: history.last?.metrics)
            let stepNorm = fraction * solved.solution.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let size = start.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if stepNorm <= settings.tolerance * (size + settings.tolerance) { break }
            if iterations > 1, before - loss < settings.minimumDecrease * before {
                notes.append("Gauss–Newton: the loss fell by less than \(settings.minimumDecrease) of itself at iteration \(iterations)")
                break
            }
            previous = (residuals, solved.solution.map { $0 * fraction })
        }
        let ranks = (try? EffectiveRank.ranks(of: network, on: problem.domain, layer: 0, nodesPerAxis: nil,
                                              epsilons: EffectiveRank.defaultEpsilons)) ?? []
        let outcome = report.map {
            LeastSquaresOutcome(last: $0, residualNorm: loss.squareRoot(), iterations: iterations,
                                assemblySeconds: assembly, featureRanks: ranks)
        }
        if let o = outcome {
            notes.insert(String(format: "least squares (%@, cut-off %g): %d rows × %d columns, rank %d, condition %.3g, residual norm %.4g, solve %.3f s, assembly %.3f s, %d solve%@",
                                o.last.method.rawValue, o.last.cutoff, o.last.rows, o.last.columns, o.last.rank,
                                o.last.condition, o.residualNorm, o.last.seconds, o.assemblySeconds, o.iterations,
                                o.iterations == 1 ? "" : "s"), at: 0)
        }
        var trainingReport = TrainingReport(history: history, iterationTimes: [], stopReason: stop,
                                            iterations: iterations, totalTime: elapsed())
        trainingReport.lossNames = objective.lossNames + (continuity == nil ? [] : ["interface_continuity"])
        trainingReport.stageNotes = notes
        var solution = Solution(problem: problem, network: network, report: trainingReport,
                                interiorPoints: collocation.interior, boundaryPoints: collocation.boundary,
                                configuration: configuration, termSummaries: termSummaries(terms))
        solution.leastSquares = outcome
        return solution
    }

    /// Whether ρ(c + δ) = ρ(c) + A·δ to rounding (A at c + δ): then A does not depend on c and the last solve was
    /// exact.
    static func isAffine(_ a: [Double], rows: Int, step: [Double], before: [Double], after: [Double]) -> Bool {
        var predicted = before
        a.withUnsafeBufferPointer { a in
            step.withUnsafeBufferPointer { x in
                predicted.withUnsafeMutableBufferPointer {
                    BLAS.gemv(m: rows, n: step.count, a: a.baseAddress!, lda: rows, x: x.baseAddress!, beta: 1, y: $0.baseAddress!)
                }
            }
        }
        // Against the sizes of ρ and of A·δ: with badly conditioned features δ is large and A·δ cancels ρ to
        // rounding, so the comparison has to allow rounding at the scale of A·δ.
        var difference = 0.0, scale = 0.0, change = 0.0
        for i in 0..<rows {
            difference += (after[i] - predicted[i]) * (after[i] - predicted[i])
            scale += before[i] * before[i] + after[i] * after[i]
            change += (predicted[i] - before[i]) * (predicted[i] - before[i])
        }
        return difference.squareRoot() <= 1e-8 * max(scale.squareRoot() + change.squareRoot(), 1e-300)
    }
}
