import Foundation
import RealModule
import XCTest
@testable import PINN

private struct Sine1D: ScalarField {
    let inputDimension = 1
    func callAsFunction<T: Real>(_ x: [T]) -> T { T.sin(T.pi * x[0]) }
}

private struct HelmholtzExact: ScalarField {
    let inputDimension = 2
    func callAsFunction<T: Real>(_ x: [T]) -> T { T.sin(T.pi * x[0]) * T.sin(2 * T.pi * x[1]) }
}

final class TrainingTests: XCTestCase {
    func testAdamFindsTheMinimumOfAQuadratic() {
        // f(θ) = Σ cᵢ(θᵢ − tᵢ)², minimum at t.
        let c = [1.0, 10.0, 0.1], t = [3.0, -2.0, 0.5]
        var theta = [0.0, 0.0, 0.0]
        var adam = Adam(parameterCount: 3)
        for step in 0..<5000 {
            let g = (0..<3).map { 2 * c[$0] * (theta[$0] - t[$0]) }
            g.withUnsafeBufferPointer { adam.update(&theta, gradient: $0.baseAddress!, learningRate: step < 3000 ? 0.05 : 0.005) }
        }
        for i in 0..<3 { XCTAssertEqual(theta[i], t[i], accuracy: 1e-3) }
    }

    func testAdamFirstStepIsLearningRateTimesSign() {
        // With bias correction the first step is η·g/(|g| + ε) ≈ η·sign(g) (PyTorch's behaviour).
        var theta = [1.0, 1.0]
        var adam = Adam(parameterCount: 2)
        [4.0, -0.001].withUnsafeBufferPointer { adam.update(&theta, gradient: $0.baseAddress!, learningRate: 0.1) }
        XCTAssertEqual(theta[0], 0.9, accuracy: 1e-9)
        XCTAssertEqual(theta[1], 1.1, accuracy: 1e-5)
    }

    func testAdamStepScalesScaleEachParametersStep() {
        var theta = [1.0, 1.0, 1.0]
        var adam = Adam(parameterCount: 3)
        adam.stepScales = [1, 0.5, 0]
        [2.0, 2.0, 2.0].withUnsafeBufferPointer { adam.update(&theta, gradient: $0.baseAddress!, learningRate: 0.1) }
        XCTAssertEqual(theta[0], 0.9, accuracy: 1e-9)
        XCTAssertEqual(theta[1], 0.95, accuracy: 1e-9)
        XCTAssertEqual(theta[2], 1.0)
        // Rowdy (n = 10): the slope of term k moves by η/cₖ, its amplitude by η/sₖ.
        var rng = Xoshiro256(seed: 1)
        let net = Network(inputDimension: 2, hiddenWidths: [3], activation: .rowdy(base: .tanh, terms: 3, scaleFactor: 10), rng: &rng)
        let scales = net.activationStepScales, place = net.layout.activation[0]
        XCTAssertEqual(scales[0], 1)
        XCTAssertEqual(Array(scales[place.amplitudeOffset..<(place.amplitudeOffset + 3)]), [1, 0.1, 0.1])
        XCTAssertEqual(scales[place.slopeOffset], 0.1, accuracy: 1e-15)
        XCTAssertEqual(scales[place.slopeOffset + 2], 1.0 / 20, accuracy: 1e-15)
    }

    func testLearningRateSchedules() {
        let step = LearningRateSchedule.piecewise(initial: 4e-3, changes: [.init(iteration: 500, rate: 1e-4)])
        XCTAssertEqual(step.rate(at: 499), 4e-3)
        XCTAssertEqual(step.rate(at: 500), 1e-4)
        let decay = LearningRateSchedule.exponential(initial: 1e-3, factor: 0.9, every: 1000)
        XCTAssertEqual(decay.rate(at: 999), 1e-3)
        XCTAssertEqual(decay.rate(at: 2500), 1e-3 * 0.81, accuracy: 1e-15)
    }

    func testPoisson1DTrainsToTheExactSolution() throws {
        // −u″ = π² sin(πx) on [−1, 1], u(±1) = 0; u = sin(πx). The zero predictor has relative L2 error 1.
        var config = SolverConfiguration()
        config.hiddenWidths = [20, 20]
        config.interiorPoints = 64
        config.stages = [TrainingStage(optimizer: .adam(.piecewise(initial: 1e-2, changes: [.init(iteration: 1500, rate: 2e-3)])), iterations: 2500)]
        config.evaluationResolution = [201]
        config.seed = 1
        let problem = Problem.manufactured(domain: .interval(-1, 1), pde: .poisson, exactSolution: Sine1D())
        let solution = try Solver(problem: problem, configuration: config).solve()
        XCTAssertEqual(solution.report.stopReason, .completed)
        let metrics = solution.errors(at: Box.interval(-1, 1).grid(resolution: [201]).points)!
        XCTAssertLessThan(metrics.relativeL2, 1e-2, "relative L2 \(metrics.relativeL2)")
        XCTAssertLessThan(metrics.maxError, 2e-2)
        // The forcing came from the dual numbers: π² sin(πx).
        XCTAssertEqual(problem.forcing([0.3]), Double.pi * Double.pi * sin(0.3 * .pi), accuracy: 1e-12)
    }

    func testSmallHelmholtz2DTrains() throws {
        // Δu + u = f on [−1, 1]², u = sin(πx)·sin(2πy).
        var config = SolverConfiguration()
        config.hiddenWidths = [20, 20]
        config.interiorPoints = 400
        config.boundaryPoints = 120
        config.stages = [TrainingStage(optimizer: .adam(.constant(5e-3)), iterations: 5000)]
        config.boundaryWeight = 10  // the residual starts ~400× larger than the boundary misfit
        config.evaluationResolution = [41, 41]
        config.threads = 2
        config.seed = 3
        let problem = Problem.manufactured(domain: .rectangle(x: -1...1, y: -1...1), pde: .helmholtz(waveNumber: 1),
                                           exactSolution: HelmholtzExact())
        let solution = try Solver(problem: problem, configuration: config).solve()
        let metrics = solution.report.history.last!.metrics!
        XCTAssertLessThan(metrics.relativeL2, 0.1, "relative L2 \(metrics.relativeL2)")
        XCTAssertLessThan(solution.report.history.last!.loss, 1e-2 * solution.report.history.first!.loss)
    }

    func testSameSeedGivesBitIdenticalTraining() throws {
        var config = SolverConfiguration()
        config.hiddenWidths = [8, 8]
        config.interiorPoints = 100
        config.boundaryPoints = 40
        config.stages = [TrainingStage(optimizer: .adam(.constant(5e-3)), iterations: 50)]
        config.evaluationResolution = [11, 11]
        let problem = Problem.manufactured(domain: .rectangle(x: -1...1, y: -1...1), pde: .poisson, exactSolution: HelmholtzExact())
        let a = try Solver(problem: problem, configuration: config).solve()
        config.threads = 2
        let b = try Solver(problem: problem, configuration: config).solve()
        XCTAssertEqual(a.network.parameters, b.network.parameters)
        config.seed = 1
        let c = try Solver(problem: problem, configuration: config).solve()
        XCTAssertNotEqual(a.network.parameters, c.network.parameters)
    }

    func testDivergenceStopsAndKeepsTheLastFiniteParameters() throws {
        var config = SolverConfiguration()
        config.hiddenWidths = [4]
        config.interiorPoints = 20
        config.boundaryPoints = 8
        config.activations = [.fixed(.softplus)]
        // An absurd learning rate blows the weights up until softplus overflows the loss.
        config.stages = [TrainingStage(optimizer: .adam(.constant(1e200)), iterations: 100)]
        config.evaluationResolution = [5, 5]
        let problem = Problem.manufactured(domain: .rectangle(x: -1...1, y: -1...1), pde: .helmholtz(waveNumber: 1), exactSolution: HelmholtzExact())
        let solution = try Solver(problem: problem, configuration: config).solve()
        guard case .diverged = solution.report.stopReason else { return XCTFail("expected divergence, got \(solution.report.stopReason)") }
        XCTAssertTrue(solution.network.parameters.allSatisfy(\.isFinite))
    }

    func testFunctionFittingThroughTheDataTerm() throws {
        // Fit u(x) = x² − 0.5 from 12 samples with the residual and boundary terms switched off.
        let xs = (0..<12).map { -1 + 2 * Double($0) / 11 }
        let text = """
        {"pde": {"type": "poisson"}, "domain": {"type": "interval", "x": [-1, 1]},
         "exact_solution": "x^2 - 0.5", "forcing": "0", "boundary_value": "0",
         "network": {"hidden_layers": [16], "activation": "tanh"}, "collocation": {"interior": 1},
         "loss": {"residual_weight": 0, "boundary_weight": 0},
         "data": {"points": \(xs), "values": \(xs.map { $0 * $0 - 0.5 })},
         "training": {"stages": [{"optimizer": "adam", "iterations": 3000, "learning_rate": 0.01}]},
         "output": {"grid": [101]}}
        """
        let file = try ProblemFile.parse(text, path: "fit.json")
        XCTAssertEqual(file.configuration.dataPoints, xs)
        let solution = try Solver(problem: file.problem, configuration: file.configuration).solve()
        XCTAssertEqual(solution.report.lossNames, ["pde", "boundary", "data"])
        let last = solution.report.history.last!
        XCTAssertEqual(last.termLosses[0], 0)
        XCTAssertLessThan(last.termLosses[2], 1e-4)
        XCTAssertLessThan(last.metrics!.relativeL2, 0.05)  // u ≡ 0 has relative L2 error 1
    }

    func testResamplingAndResidualBasedRefinement() throws {
        let text = """
        {"pde": {"type": "poisson"}, "domain": {"type": "rectangle", "x": [0, 1], "y": [0, 1]},
         "exact_solution": "sin(pi*x)*sin(pi*y)", "network": {"hidden_layers": [8, 8]},
         "collocation": {"interior": 100, "boundary": 40, "refinement": {"every": 10, "candidates": 500, "add": 7}},
         "training": {"stages": [{"optimizer": "adam", "iterations": 35, "learning_rate": 0.005}]}, "output": {"grid": [5, 5]}}
        """
        let file = try ProblemFile.parse(text, path: "rar.json")
        XCTAssertEqual(file.configuration.refinement, ResidualRefinement(every: 10, candidates: 500, add: 7))
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        let initial = solver.makeCollocation().interior
        let solution = solver.solve()
        // Refinements at iterations 10, 20, 30 added 3 × 7 points to the original 100.
        XCTAssertEqual(solution.interiorPoints.count, (100 + 21) * 2)
        XCTAssertEqual(Array(solution.interiorPoints.prefix(200)), initial)
        XCTAssertEqual(try Solver(problem: file.problem, configuration: file.configuration).solve().network.parameters,
                       solution.network.parameters)  // reproducible

        // The refinement picks the candidates of largest |residual|: directly, for one network and candidate set.
        var config = file.configuration
        config.refinement = ResidualRefinement(every: 1, candidates: 300, add: 5)
        let refresh = try Solver(problem: file.problem, configuration: config).makePointRefresh(initialInterior: initial)!
        let net = solver.makeNetwork()
        let term = refresh.refresh(net, iteration: 1)![0]
        let added = Array(term.points.suffix(10))
        let r = Solver.equationResiduals(of: net, problem: file.problem, at: added)[0]
        var replay = Xoshiro256(seed: 0)
        _ = replay.split(); _ = replay.split()
        var stream = replay.split()
        let candidates = file.problem.domain.interiorPoints(count: 300, distribution: .random, rng: &stream)
        let all = Solver.equationResiduals(of: net, problem: file.problem, at: candidates)[0]
        let fifthLargest = all.map(abs).sorted(by: >)[4]
        XCTAssertTrue(r.allSatisfy { abs($0) >= fifthLargest })

        // RAR-D draws in proportion to |r|²/mean + c: with c = 0, zero-residual candidates are never picked, and
        // large residuals are picked far more often than small ones.
        var draw = Xoshiro256(seed: 12)
        let density = ResidualRefinement(every: 1, candidates: 4, add: 2, selection: .density(exponent: 2, constant: 0))
        var counts = [0, 0, 0, 0]
        for _ in 0..<2000 {
            for i in density.choose(residuals: [0, 1, 0, 3], rng: &draw) { counts[i] += 1 }
        }
        XCTAssertEqual(counts[0] + counts[2], 0)
        XCTAssertEqual(counts[1] + counts[3], 4000)

        var resample = file.configuration
        resample.refinement = nil
        resample.resampleEvery = 10
        let resampled = try Solver(problem: file.problem, configuration: resample).solve()
        XCTAssertEqual(resampled.interiorPoints.count, 200)
        XCTAssertNotEqual(resampled.interiorPoints, initial)  // fresh points since iteration 30
    }

    func testAdamThenLBFGSReachesAFarLowerErrorThanAdamAlone() throws {
        func run(_ stages: String) throws -> Solution {
            let text = """
            {"pde": {"type": "poisson"}, "domain": {"type": "interval", "x": [-1, 1]}, "exact_solution": "sin(pi*x)",
             "network": {"hidden_layers": [16, 16]}, "collocation": {"interior": 128},
             "training": {"stages": [\(stages)]}, "output": {"grid": [201], "history_interval": 50}}
            """
            let file = try ProblemFile.parse(text, path: "s.json")
            return try Solver(problem: file.problem, configuration: file.configuration).solve()
        }
        let adam = try run(#"{"optimizer": "adam", "iterations": 2000, "learning_rate": 0.01}"#)
        let mixed = try run(#"{"optimizer": "adam", "iterations": 500, "learning_rate": 0.01}, {"optimizer": "lbfgs", "iterations": 1500}"#)
        let adamError = adam.report.history.last!.metrics!.relativeL2
        let mixedError = mixed.report.history.last!.metrics!.relativeL2
        XCTAssertLessThan(mixedError, 1e-3)
        XCTAssertLessThan(mixedError, 0.1 * adamError, "Adam \(adamError), Adam → L-BFGS \(mixedError)")
        XCTAssertLessThan(mixed.report.history.last!.loss, 1e-3 * adam.report.history.last!.loss)
        XCTAssertEqual(mixed.report.stageNotes.count, 1)
        XCTAssertTrue(mixed.report.stageNotes[0].hasPrefix("stage 2 (L-BFGS): "), mixed.report.stageNotes[0])
        XCTAssertEqual(mixed.report.history.filter { $0.stage == 1 }.isEmpty, false)
    }

    func testBoundaryWeightAnnealing() throws {
        let text = """
        {"pde": {"type": "helmholtz", "k": 1}, "domain": {"type": "rectangle", "x": [-1, 1], "y": [-1, 1]},
         "exact_solution": "sin(pi*x)*sin(2*pi*y)", "network": {"hidden_layers": [8, 8]},
         "collocation": {"interior": 200, "boundary": 60}, "loss": {"balancing": {"every": 10, "rate": 0.1}},
         "training": {"stages": [{"optimizer": "adam", "iterations": 30, "learning_rate": 0.001}]},
         "output": {"grid": [5, 5], "history_interval": 10}}
        """
        let file = try ProblemFile.parse(text, path: "b.json")
        XCTAssertEqual(file.configuration.lossBalancing, LossBalancing(every: 10, rate: 0.1))
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        // The first update, at iteration 0, from the initial network's gradients: λ = 0.9·1 + 0.1·max|∇L_r| / mean|∇L_b|.
        let network = solver.makeNetwork()
        let objective = Objective(layout: network.layout, terms: solver.makeTerms(solver.makeCollocation()))
        var g = [Double](repeating: 0, count: network.parameters.count)
        _ = g.withUnsafeMutableBufferPointer { objective.evaluate(network, gradient: $0.baseAddress!) }
        let stats = objective.termGradientStatistics()
        let expected = 0.9 + 0.1 * stats[0].maximum / stats[1].mean
        let solution = solver.solve()
        let weights = solution.report.history.map { $0.termWeights[1] }
        XCTAssertEqual(weights[0], 1)
        XCTAssertEqual(weights[1], expected, accuracy: 1e-12 * expected)
        XCTAssertGreaterThan(weights[1], 1)  // the residual's gradients dominate: the boundary weight grows
        XCTAssertNotEqual(weights[2], weights[1])
    }
}
