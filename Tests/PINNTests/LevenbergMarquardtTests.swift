import Foundation
import XCTest
@testable import PINN

/// Levenberg–Marquardt: the optimizer on problems with known minima, the per-point Jacobian of the PINN residuals
/// against finite differences, its normal equations, and training.
final class LevenbergMarquardtTests: XCTestCase {
    /// Minimises ‖ρ(x)‖² given ρ and its Jacobian (row-major m×n) by LM, building H and g by hand.
    private func minimize(_ x: inout [Double], residuals: @escaping ([Double]) -> [Double],
                          jacobian: @escaping ([Double]) -> [Double], iterations: Int = 500) -> LevenbergMarquardt.Result {
        var optimizer = LevenbergMarquardt()
        optimizer.gradientTolerance = 1e-10
        optimizer.relativeTolerance = 0
        optimizer.stepTolerance = 0
        let n = x.count
        return optimizer.minimize(&x, iterations: iterations, normalEquations: { x, h, g in
            let r = residuals(x), j = jacobian(x), m = r.count
            for a in 0..<n {
                g[a] = (0..<m).reduce(0.0) { $0 + j[$1 * n + a] * r[$1] }
                for b in 0..<n { h[b * n + a] = (0..<m).reduce(0.0) { $0 + j[$1 * n + a] * j[$1 * n + b] } }
            }
            return r.reduce(0.0) { $0 + $1 * $1 }
        }, loss: { residuals($0).reduce(0.0) { $0 + $1 * $1 } })
    }

    func testRosenbrockConvergesToTheMinimum() {
        // ρ = (10(x₂ − x₁²), 1 − x₁): ‖ρ‖² is Rosenbrock's function, minimum 0 at (1, 1); classic start (−1.2, 1).
        var x = [-1.2, 1.0]
        let result = minimize(&x, residuals: { [10 * ($0[1] - $0[0] * $0[0]), 1 - $0[0]] },
                              jacobian: { [-20 * $0[0], 10, -1, 0] })
        guard case let .gradientTolerance(norm) = result.reason else { return XCTFail("stopped with \(result.reason)") }
        XCTAssertLessThan(norm, 1e-8)
        XCTAssertEqual(x[0], 1, accuracy: 1e-9)
        XCTAssertEqual(x[1], 1, accuracy: 1e-9)
        XCTAssertLessThan(result.iterations, 100)
    }

    func testLeastSquaresWithKnownSolutions() {
        // Linear: ρ = Ax − b with b = A·x*, from x = 0.
        let m = 40, n = 12
        let (a, solution, b) = consistentLinearSystem(rows: m, columns: n, seed: 4)
        var x = [Double](repeating: 0, count: n)
        func linearResiduals(_ x: [Double]) -> [Double] {
            (0..<m).map { i -> Double in
                var sum = -b[i]
                for j in 0..<n { sum += a[i * n + j] * x[j] }
                return sum
            }
        }
        let linear = minimize(&x, residuals: linearResiduals, jacobian: { _ in a })
        guard case let .gradientTolerance(norm) = linear.reason else { return XCTFail("stopped with \(linear.reason)") }
        XCTAssertLessThan(norm, 1e-8)
        for j in 0..<n { XCTAssertEqual(x[j], solution[j], accuracy: 1e-9) }

        // Nonlinear: fit y = p·exp(q·t) + r to exact data of (2, −1.5, 0.3).
        let t = (0..<30).map { Double($0) / 10 }
        let y = t.map { 2 * exp(-1.5 * $0) + 0.3 }
        var p = [1.0, -0.5, 0.0]
        let fit = minimize(&p, residuals: { p in t.indices.map { p[0] * exp(p[1] * t[$0]) + p[2] - y[$0] } },
                           jacobian: { p in t.flatMap { [exp(p[1] * $0), p[0] * $0 * exp(p[1] * $0), 1] } })
        guard case let .gradientTolerance(fitNorm) = fit.reason else { return XCTFail("stopped with \(fit.reason)") }
        XCTAssertLessThan(fitNorm, 1e-8)
        XCTAssertEqual(p[0], 2, accuracy: 1e-9)
        XCTAssertEqual(p[1], -1.5, accuracy: 1e-9)
        XCTAssertEqual(p[2], 0.3, accuracy: 1e-9)
    }

    func testSingularNormalMatrixFallsBackAndStillSolves() throws {
        // H = diag(1, 0, −1e-20)-like: not positive definite at tiny μ; the eigen fallback clamps and solves.
        let n = 3
        let h: [Double] = [1, 0, 0, 0, 0, 0, 0, 0, -1e-3]
        let solver = DampedSymmetricSolver(dimension: n)
        var x = [Double](repeating: 0, count: n)
        let b = [2.0, 3.0, 4.0]
        try h.withUnsafeBufferPointer { hp in
            try b.withUnsafeBufferPointer { bp in
                try x.withUnsafeMutableBufferPointer { try solver.solve(hessian: hp.baseAddress!, damping: 1e-6, rhs: bp.baseAddress!, solution: $0.baseAddress!) }
            }
        }
        XCTAssertEqual(solver.fallbacks, 1)
        XCTAssertEqual(x[0], 2 / (1 + 1e-6), accuracy: 1e-12)
        XCTAssertEqual(x[1], 3 / 1e-6, accuracy: 1e-3)
        XCTAssertEqual(x[2], 4 / 1e-6, accuracy: 1e-3)  // the negative eigenvalue is clamped to 0
    }

    private static let activations: [(String, LayerActivation)] = {
        var rowdy = LayerActivation.rowdy(base: .tanh, terms: 3, scaleFactor: 2)
        rowdy.terms[1].amplitude = 0.2
        rowdy.terms[2].amplitude = -0.1
        var neuronRowdy = rowdy
        neuronRowdy.neuronWise = true
        return [("tanh", .fixed(.tanh)), ("sin", .fixed(.sin)), ("L-LAAF tanh", .layerwiseAdaptive(.tanh, scaleFactor: 5)),
                ("Rowdy-3 tanh", rowdy), ("N-LAAF sin", .neuronwiseAdaptive(.sin, scaleFactor: 3)),
                ("neuron-wise Rowdy-3", neuronRowdy)]
    }()

    private func objective(for activation: LayerActivation, pde: PDE, dimension d: Int, widths: [Int], seed: UInt64,
                           chunkSize: Int = 4, threads: Int = 1) -> (Network, Objective) {
        var rng = Xoshiro256(seed: seed)
        var net = Network(inputDimension: d, hiddenWidths: widths, activation: activation, rng: &rng)
        for layer in net.layout.dense {
            for j in 0..<layer.fanOut { net.parameters[layer.biasOffset + j] = 0.3 * rng.nextNormal() }
        }
        let terms = [
            LossTerm(kind: .residual(pde), points: randomPoints(9, dimension: d, rng: &rng),
                     targets: (0..<9).map { _ in rng.nextNormal() }, weight: 1.3),
            LossTerm(kind: .dirichlet, points: randomPoints(5, dimension: d, rng: &rng),
                     targets: (0..<5).map { _ in rng.nextNormal() }, weight: 0.7),
            LossTerm(kind: .data, points: randomPoints(3, dimension: d, rng: &rng), targets: [0.1, 0.2, 0.3]),
        ]
        return (net, Objective(layout: net.layout, terms: terms, threads: threads, chunkSize: chunkSize))
    }

    func testResidualJacobianMatchesFiniteDifferencesColumnByColumn() {
        var seed: UInt64 = 700
        for (name, activation) in Self.activations {
            for pde in [PDE.poisson, .helmholtz(waveNumber: 1.7)] {
                for d in [1, 2] {
                    seed += 1
                    let (net, objective) = self.objective(for: activation, pde: pde, dimension: d, widths: [5, 4], seed: seed)
                    let (residuals, jacobian) = objective.residualJacobian(net)
                    let m = residuals.count, p = net.parameters.count
                    XCTAssertEqual(m, 17)
                    // Σρ² is the loss.
                    let loss = objective.evaluate(net, gradient: nil).reduce(0, +)
                    XCTAssertEqual(residuals.reduce(0) { $0 + $1 * $1 }, loss, accuracy: 1e-12 * loss)
                    let mask = net.trainableMask
                    for i in 0..<p where mask[i] == 1 {
                        // Fourth-order central difference of the whole residual vector in θᵢ.
                        let h = 1e-4 * max(1, abs(net.parameters[i]))
                        func shifted(_ k: Double) -> [Double] {
                            var moved = net
                            moved.parameters[i] += k * h
                            return objective.residualJacobian(moved).residuals
                        }
                        let (p2, p1, m1, m2) = (shifted(2), shifted(1), shifted(-1), shifted(-2))
                        let column = (0..<m).map { jacobian[$0 * p + i] }
                        let fd = (0..<m).map { (-p2[$0] + 8 * p1[$0] - 8 * m1[$0] + m2[$0]) / (12 * h) }
                        let scale = max(1e-8, fd.map(abs).max()!)
                        for r in 0..<m {
                            XCTAssertLessThan(abs(column[r] - fd[r]) / scale, finiteDifferenceTolerance,
                                              "\(name) \(pde) d=\(d) residual \(r) parameter \(i): \(column[r]) vs FD \(fd[r])")
                        }
                    }
                }
            }
        }
    }

    func testNormalEquationsAreJtJAndJtRInAnyPanelsAndThreads() {
        let (net, objective) = self.objective(for: .rowdy(base: .tanh, terms: 3, scaleFactor: 2), pde: .helmholtz(waveNumber: 2),
                                              dimension: 2, widths: [6, 5], seed: 77)
        let (r, j) = objective.residualJacobian(net)
        let m = r.count, p = net.parameters.count
        func normalEquations(_ o: Objective) -> (Double, [Double], [Double]) {
            var h = [Double](repeating: 0, count: p * p), g = [Double](repeating: 0, count: p)
            let loss = h.withUnsafeMutableBufferPointer { hp in
                g.withUnsafeMutableBufferPointer { o.accumulateNormalEquations(net, hessian: hp.baseAddress!, gradient: $0.baseAddress!) }
            }
            return (loss, h, g)
        }
        let (loss, h, g) = normalEquations(objective)
        XCTAssertEqual(loss, r.reduce(0) { $0 + $1 * $1 }, accuracy: 1e-13 * loss)
        for a in 0..<p {
            XCTAssertEqual(g[a], (0..<m).reduce(0.0) { $0 + j[$1 * p + a] * r[$1] }, accuracy: 1e-12)
            for b in a..<p {
                XCTAssertEqual(h[b * p + a], (0..<m).reduce(0.0) { $0 + j[$1 * p + a] * j[$1 * p + b] }, accuracy: 1e-11)
            }
        }
        // ∇L = 2Jᵀρ is the reverse pass's gradient.
        var gradient = [Double](repeating: 0, count: p)
        gradient.withUnsafeMutableBufferPointer { _ = objective.evaluate(net, gradient: $0.baseAddress!) }
        for a in 0..<p { XCTAssertEqual(2 * g[a], gradient[a], accuracy: 1e-12 * max(1, abs(gradient[a]))) }
        // Panels of one chunk each (4 points), and two threads: the same numbers.
        let (_, panelled) = self.objective(for: .rowdy(base: .tanh, terms: 3, scaleFactor: 2), pde: .helmholtz(waveNumber: 2),
                                           dimension: 2, widths: [6, 5], seed: 77, threads: 2)
        panelled.jacobianPanelBytes = 1
        let (loss2, h2, g2) = normalEquations(panelled)
        XCTAssertEqual(loss2, loss, accuracy: 1e-14 * loss)
        for a in 0..<p {
            XCTAssertEqual(g2[a], g[a], accuracy: 1e-13)
            for b in a..<p { XCTAssertEqual(h2[b * p + a], h[b * p + a], accuracy: 1e-12) }
        }
    }

    func testLevenbergMarquardtTrainsATinyPINNFarBeyondAdam() throws {
        // −u″ = π² sin(πx) on [−1, 1], u(±1) = 0, 2×10 tanh (141 parameters), 64 points: the same 300 iterations.
        func run(_ stage: String) throws -> Solution {
            let text = """
            {"pde": {"type": "poisson"}, "domain": {"type": "interval", "x": [-1, 1]}, "exact_solution": "sin(pi*x)",
             "network": {"hidden_layers": [10, 10]}, "collocation": {"interior": 64}, "seed": 2,
             "training": {"stages": [\(stage)]}, "output": {"grid": [201], "history_interval": 50}}
            """
            let file = try ProblemFile.parse(text, path: "s.json")
            return try Solver(problem: file.problem, configuration: file.configuration).solve()
        }
        let adam = try run(#"{"optimizer": "adam", "iterations": 300, "learning_rate": 0.01}"#)
        let lm = try run(#"{"optimizer": "lm", "iterations": 300}"#)
        let adamError = adam.report.history.last!.metrics!.relativeL2
        let lmError = lm.report.history.last!.metrics!.relativeL2
        XCTAssertLessThan(lmError, 1e-5, "LM \(lmError)")
        XCTAssertLessThan(lmError, 1e-3 * adamError, "Adam \(adamError), LM \(lmError)")
        XCTAssertEqual(lm.report.stageNotes.count, 1)
        XCTAssertTrue(lm.report.stageNotes[0].hasPrefix("stage 1 (Levenberg–Marquardt): "), lm.report.stageNotes[0])
        // The history records the damping in place of a learning rate.
        XCTAssertEqual(lm.report.history.first?.iteration, 0)
        let records = lm.report.history.dropFirst().dropLast()  // the first and final records are outside the steps
        XCTAssertFalse(records.isEmpty)
        XCTAssertTrue(records.allSatisfy { $0.learningRate > 0 }, "\(records.map(\.learningRate))")
        print("tiny PINN, 300 iterations: Adam rel. L2 \(adamError), LM \(lmError) (\(lm.report.stageNotes[0]))")
    }

    func testMemoryPlanRefusesTooLargeNetworks() {
        XCTAssertNil(LevenbergMarquardt.memoryProblem(parameterCount: 2000, physicalMemory: 24 << 30))
        let message = LevenbergMarquardt.memoryProblem(parameterCount: 40_000, physicalMemory: 24 << 30)
        XCTAssertNotNil(message)
        let largest = LevenbergMarquardt.largestParameterCount(fittingIn: Int(0.75 * Double(24 << 30)), reserve: 1 << 30)
        XCTAssertTrue(message!.contains("at most \(largest) parameters"), message!)
        XCTAssertGreaterThan(largest, 25_000)
        XCTAssertLessThan(largest, 30_000)
        XCTAssertLessThanOrEqual(LevenbergMarquardt.memoryRequired(parameterCount: largest) + (1 << 30), Int(0.75 * Double(24 << 30)))
        XCTAssertGreaterThan(LevenbergMarquardt.memoryRequired(parameterCount: largest + 1) + (1 << 30), Int(0.75 * Double(24 << 30)))
    }

    func testLevenbergMarquardtIsReproducibleAndThreadCountIndependentWithAdaptiveActivations() throws {
        // Rowdy activations (amplitudes and slopes in the Jacobian), 2000 points in 4 chunks: 1 and 2 threads, twice.
        func run(threads: Int) throws -> [Double] {
            let text = """
            {"pde": {"type": "helmholtz", "k": 1}, "domain": {"type": "rectangle", "x": [-1, 1], "y": [-1, 1]},
             "exact_solution": "sin(pi*x)*sin(2*pi*y)", "seed": 3,
             "network": {"hidden_layers": [12, 12], "activation": {"type": "rowdy", "base": "tanh", "terms": 3, "n": 2}},
             "collocation": {"interior": 1700, "boundary": 300}, "loss": {"boundary_weight": 10},
             "training": {"stages": [{"optimizer": "adam", "iterations": 20, "learning_rate": 0.01},
                                     {"optimizer": "lm", "iterations": 15}], "threads": \(threads)},
             "output": {"grid": [21, 21]}}
            """
            let file = try ProblemFile.parse(text, path: "r.json")
            let solution = try Solver(problem: file.problem, configuration: file.configuration).solve()
            XCTAssertLessThan(solution.report.history.last!.loss, 0.1 * solution.report.history.first!.loss)
            return solution.network.parameters
        }
        let one = try run(threads: 1)
        XCTAssertEqual(try run(threads: 1), one)
        XCTAssertEqual(try run(threads: 2), one)
    }
}
