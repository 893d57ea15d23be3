import Foundation
import RealModule
import XCTest
@testable import PINN

/// g(x) = x₀/2 + 0.3·x_last², a lifting that is not zero on the boundary.
private struct Lifting: ScalarField {
    let inputDimension: Int
    func callAsFunction<T: Real>(_ x: [T]) -> T { x[0] / 2 + T.converting(0.3) * x[inputDimension - 1] * x[inputDimension - 1] }
}

/// u* = sin(πx)·sin(πy) + x/2: equal to x/2 on the boundary of the unit square.
private struct Exact: ScalarField {
    var inputDimension: Int { 2 }
    func callAsFunction<T: Real>(_ x: [T]) -> T { T.sin(.pi * x[0]) * T.sin(.pi * x[1]) + x[0] / 2 }
}
private struct HalfX: ScalarField {
    var inputDimension: Int { 2 }
    func callAsFunction<T: Real>(_ x: [T]) -> T { x[0] / 2 }
}

final class HardConstraintTests: XCTestCase {
    private func constrainedNetwork(dimension d: Int, disk: Bool, seed: UInt64) throws -> Network {
        var rng = Xoshiro256(seed: seed)
        var net = Network(inputDimension: d, hiddenWidths: [6, 5], activation: .layerwiseAdaptive(.tanh, scaleFactor: 2), rng: &rng)
        for layer in net.layout.dense {
            for j in 0..<layer.fanOut { net.parameters[layer.biasOffset + j] = 0.3 * rng.nextNormal() }
        }
        let domain: any Domain = disk ? Disk(center: [0.2, -0.1], radius: 1.3) : Box(lower: [Double](repeating: -1, count: d), upper: [Double](repeating: 1.5, count: d))
        net.outputConstraint = try HardDirichletConstraint(domain: domain, lifting: Lifting(inputDimension: d))
        return net
    }

    func testConstrainedStreamsMatchTheDualPathForEveryStreamSet() throws {
        for (d, disk) in [(1, false), (2, false), (3, false), (2, true)] {
            let net = try constrainedNetwork(dimension: d, disk: disk, seed: 10 + UInt64(d))
            var rng = Xoshiro256(seed: 3)
            let points = randomPoints(7, dimension: d, in: -0.9, 0.9, rng: &rng)
            for streams in DerivativeStreams.allCases {
                let out = NetworkEvaluator(layout: net.layout).evaluate(net, at: points, streams: streams)
                for p in 0..<7 {
                    let x = Array(points[(p * d)..<(p * d + d)])
                    XCTAssertEqual(out[0][p], net(x), accuracy: 1e-13)
                    guard streams.hasFirst else { continue }
                    let gradient = DifferentialOperators.gradient(of: net, at: x)
                    for i in 0..<d { XCTAssertEqual(out[1 + i][p], gradient[i], accuracy: 1e-12, "d=\(d) \(streams) ∂\(i)") }
                    if streams == .laplacian {
                        XCTAssertEqual(out[1 + d][p], DifferentialOperators.laplacian(of: net, at: x), accuracy: 1e-11)
                    } else if streams == .pureSecond {
                        let second = DifferentialOperators.pureSecondDerivatives(of: net, at: x)
                        for i in 0..<d { XCTAssertEqual(out[1 + d + i][p], second[i], accuracy: 1e-11) }
                    } else if streams == .hessian {
                        let second = DifferentialOperators.hessian(of: net, at: x)
                        for q in second.indices { XCTAssertEqual(out[1 + d + q][p], second[q], accuracy: 1e-11, "d=\(d) pair \(q)") }
                    }
                }
            }
            // On the boundary u = g whatever the weights.
            if !disk {
                var x = [Double](repeating: 0.4, count: d)
                x[d - 1] = 1.5
                XCTAssertEqual(net(x), Lifting(inputDimension: d)(x), accuracy: 1e-15)
            }
        }
    }

    func testConstrainedLossGradientAndJacobianMatchFiniteDifferences() throws {
        for (d, disk) in [(1, false), (2, false), (2, true)] {
            let net = try constrainedNetwork(dimension: d, disk: disk, seed: 20 + UInt64(d))
            var rng = Xoshiro256(seed: 4)
            let objective = Objective(layout: net.layout, terms: [
                LossTerm(kind: .residual(.helmholtz(waveNumber: 1.5)), points: randomPoints(9, dimension: d, in: -0.9, 0.9, rng: &rng),
                         targets: (0..<9).map { _ in rng.nextNormal() }),
                LossTerm(kind: .data, points: randomPoints(4, dimension: d, in: -0.9, 0.9, rng: &rng), targets: [0.1, 0.2, 0.3, 0.4]),
            ], chunkSize: 4)
            var g = [Double](repeating: 0, count: net.parameters.count)
            g.withUnsafeMutableBufferPointer { _ = objective.evaluate(net, gradient: $0.baseAddress!) }
            let (_, jacobian) = objective.residualJacobian(net)
            let p = net.parameters.count, m = 13
            let scale = g.map(abs).max()!
            for i in 0..<p where net.trainableMask[i] == 1 {
                let h = 1e-4 * max(1, abs(net.parameters[i]))
                func shifted(_ k: Double) -> Network { var moved = net; moved.parameters[i] += k * h; return moved }
                func loss(_ k: Double) -> Double { objective.evaluate(shifted(k), gradient: nil).reduce(0, +) }
                let fd = (-loss(2) + 8 * loss(1) - 8 * loss(-1) + loss(-2)) / (12 * h)
                XCTAssertLessThan(relativeError(g[i], fd, floor: 1e-4 * scale), finiteDifferenceTolerance, "d=\(d) disk=\(disk) parameter \(i)")
                let (rp, rm) = (objective.residualJacobian(shifted(1)).residuals, objective.residualJacobian(shifted(-1)).residuals)
                for r in 0..<m {
                    XCTAssertEqual(jacobian[r * p + i], (rp[r] - rm[r]) / (2 * h), accuracy: 1e-6 * max(1, abs(jacobian[r * p + i])))
                }
            }
        }
    }

    func testPoissonWithExactBoundaryConditionsTrains() throws {
        // −Δu = f on [0, 1]², u = x/2 on the boundary imposed exactly; no boundary loss term.
        var problem = Problem.manufactured(domain: Box.rectangle(x: 0...1, y: 0...1), pde: .poisson, exactSolution: Exact())
        problem.boundaryValue = HalfX()
        var config = SolverConfiguration()
        config.hiddenWidths = [16, 16]
        config.interiorPoints = 300
        config.distribution = .sobol
        config.hardDirichlet = true
        config.stages = [TrainingStage(optimizer: .adam(.constant(1e-2)), iterations: 200),
                         TrainingStage(optimizer: .levenbergMarquardt(LevenbergMarquardt()), iterations: 100)]
        config.evaluationResolution = [41, 41]
        let solution = try Solver(problem: problem, configuration: config).solve()
        XCTAssertEqual(solution.report.lossNames, ["pde"])
        let error = solution.report.history.last!.metrics!.relativeL2
        XCTAssertLessThan(error, 1e-4, "relative L2 \(error)")
        let edge = [0.0, 0.37, 1.0, 0.81, 0.52, 0.0, 0.2, 1.0]
        let u = solution.predict(at: edge)
        for p in 0..<4 { XCTAssertEqual(u[p], edge[2 * p] / 2, accuracy: 1e-14) }
        // The result file keeps the constraint only as a description; a Swift-defined one cannot be rebuilt by
        // `pinn eval`, which says so.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hard-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try solution.write(to: path)
        XCTAssertThrowsError(try ResultFile.readNetwork(path: path)) { error in
            XCTAssertTrue("\(error)".contains("hard Dirichlet constraint"), "\(error)")
        }
    }

    func testInvalidConfigurationsThrowTypedErrors() {
        let square = Problem.manufactured(domain: Box.rectangle(x: 0...1, y: 0...1), pde: .poisson, exactSolution: Exact())
        var config = SolverConfiguration()
        func message(_ problem: Problem, _ c: SolverConfiguration) -> String? {
            do { _ = try Solver(problem: problem, configuration: c); return nil } catch { return error.description }
        }
        XCTAssertNil(message(square, config))
        config.hiddenWidths = []
        XCTAssertEqual(message(square, config), "configuration.hiddenWidths: needs at least one hidden layer, all widths positive; found []")
        config = SolverConfiguration()
        config.stages = [TrainingStage(optimizer: .levenbergMarquardt(LevenbergMarquardt()), iterations: 10)]
        config.slopeRecoveryWeight = 1
        XCTAssertEqual(message(square, config), "configuration.stages[0]: Levenberg–Marquardt needs a sum-of-squares loss; slopeRecoveryWeight must be 0")
        config = SolverConfiguration()
        config.hardDirichlet = true
        let lShape = Problem.manufactured(domain: Polygon.lShape, pde: .poisson, exactSolution: Exact())
        XCTAssertEqual(message(lShape, config), "configuration.hardDirichlet: hard Dirichlet constraints need a box or a disk; the domain is a polygon with 6 vertices")
        let neumann = Problem.manufactured(domain: Box.rectangle(x: 0...1, y: 0...1), pde: .poisson, exactSolution: Exact(), boundaryCondition: .neumann)
        XCTAssertEqual(message(neumann, config), "configuration.hardDirichlet: exact constraints impose Dirichlet data; the problem's condition is neumann")
    }

    func testTwoConcurrentSolvesMatchSequentialOnes() throws {
        let problem = Problem.manufactured(domain: Box.rectangle(x: 0...1, y: 0...1), pde: .poisson, exactSolution: Exact())
        func configuration(seed: UInt64) -> SolverConfiguration {
            var c = SolverConfiguration()
            c.hiddenWidths = [10, 10]
            c.interiorPoints = 200
            c.boundaryPoints = 40
            c.threads = 2
            c.seed = seed
            c.stages = [TrainingStage(optimizer: .adam(.constant(5e-3)), iterations: 100),
                        TrainingStage(optimizer: .lbfgs(LBFGS()), iterations: 20)]
            return c
        }
        let solvers = try [1, 2].map { try Solver(problem: problem, configuration: configuration(seed: $0)) }
        let sequential = try solvers.map { try $0.solve().network.parameters }
        final class Results: @unchecked Sendable { var parameters: [[Double]] = [[], []] }
        let results = Results()
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let theta = (try? solvers[i].solve().network.parameters) ?? []
            lock.lock(); results.parameters[i] = theta; lock.unlock()
        }
        XCTAssertEqual(results.parameters, sequential)
        XCTAssertNotEqual(sequential[0], sequential[1])
    }
}

/// Exact Dirichlet conditions on some outputs of a network with several (the general form's `"hard": true`).
final class FieldwiseHardConstraintTests: XCTestCase {
    /// Three outputs, the first and third constrained with their own liftings: every stream of every field against
    /// the dual-number path, then the gradient and Jacobian rows of a system loss against central differences.
    func testConstraintsOnSomeFieldsMatchTheDualPathAndFiniteDifferences() throws {
        let d = 2, fields = ["u", "v", "p"]
        var rng = Xoshiro256(seed: 21)
        var net = Network(inputDimension: d, hiddenWidths: [6, 5], activation: .fixed(.tanh), outputs: 3, rng: &rng)
        net.outputConstraint = try HardDirichletConstraint(domain: Box(lower: [-1, -1], upper: [1.5, 1.5]),
                                                           liftings: [Lifting(inputDimension: d), Formula("sin(x)*y", dimension: d)],
                                                           fields: [0, 2])
        let points = randomPoints(5, dimension: d, in: -0.9, 0.9, rng: &rng)
        let out = NetworkEvaluator(layout: net.layout).evaluateFields(net, at: points, streams: .hessian)
        for k in 0..<3 {
            for p in 0..<5 {
                let x = Array(points[(p * d)..<(p * d + d)])
                let field = net.field(k)
                XCTAssertEqual(out[k][0][p], field(x), accuracy: 1e-13)
                let gradient = DifferentialOperators.gradient(of: field, at: x)
                for i in 0..<d { XCTAssertEqual(out[k][1 + i][p], gradient[i], accuracy: 1e-12, "field \(k) ∂\(i)") }
                let second = DifferentialOperators.hessian(of: field, at: x)
                for q in second.indices { XCTAssertEqual(out[k][1 + d + q][p], second[q], accuracy: 1e-11, "field \(k) pair \(q)") }
            }
        }
        // On the boundary the constrained fields equal their liftings whatever the weights.
        XCTAssertEqual(net.outputs([1.5, 0.3])[0], Lifting(inputDimension: d)([1.5, 0.3]), accuracy: 1e-15)
        XCTAssertEqual(net.outputs([0.2, -1.0])[2], sin(0.2) * -1.0, accuracy: 1e-15)

        let terms = [
            LossTerm(kind: .system(try SystemResidual("u*u_x + v*u_y + p_x - 0.1*(u_xx + u_yy) + 0.2*p_xy", fields: fields, dimension: d)),
                     points: points, targets: [Double](repeating: 0.1, count: 5)),
            LossTerm(kind: .system(try SystemResidual("u_x + v_y + p_yy", fields: fields, dimension: d)), points: points,
                     targets: [Double](repeating: 0, count: 5), weight: 2),
            LossTerm(kind: .system(try SystemResidual("u_x + v_y", fields: fields, dimension: d)), points: points,
                     targets: [Double](repeating: 0, count: 5), weight: 0.5),
        ]
        let objective = Objective(layout: net.layout, terms: terms, chunkSize: 3)
        assertGradientAndJacobianMatchFiniteDifferences(objective, net, columnStride: 5)
    }

    /// A two-field problem file with `"hard": true` on both fields' boundary data trains without boundary terms and
    /// keeps the data exactly on the boundary.
    func testHardConditionsInAProblemFile() throws {
        let text = """
        {"domain": {"type": "rectangle", "x": [0, 1], "y": [0, 1]},
         "fields": ["u", "v"],
         "equations": [{"residual": "-(u_xx + u_yy) - v"}, {"residual": "-(v_xx + v_yy)"}],
         "conditions": [{"on": "boundary", "type": "dirichlet", "field": "u", "hard": true},
                        {"on": "boundary", "type": "dirichlet", "field": "v", "value": "x + y", "hard": true}],
         "exact_solution": {"u": "sin(pi*x)*sin(pi*y) + x*y", "v": "x + y"},
         "network": {"hidden_layers": [12, 12]}, "collocation": {"interior": 200, "distribution": "sobol"},
         "training": {"stages": [{"optimizer": "adam", "iterations": 100, "learning_rate": 0.01}, {"optimizer": "lm", "iterations": 100}]},
         "output": {"grid": [21, 21]}}
        """
        let file = try ProblemFile.parse(text, path: "hard.json")
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        XCTAssertEqual(solver.constraints.map(\.name), ["equation_1", "equation_2"])
        XCTAssertEqual(solver.hardConditions.map(\.field), [0, 1])
        let solution = solver.solve()
        let boundary: [Double] = [0, 0.3, 1, 0.7, 0.25, 0, 0.6, 1]
        let values = solution.predictFields(at: boundary)
        for q in 0..<4 {
            let (x, y) = (boundary[2 * q], boundary[2 * q + 1])
            XCTAssertEqual(values[0][q], sin(.pi * x) * sin(.pi * y) + x * y, accuracy: 1e-14)
            XCTAssertEqual(values[1][q], x + y, accuracy: 1e-14)
        }
        let errors = solution.fieldErrors(at: solver.evaluationPointsInDomain())
        XCTAssertLessThan(errors[0]!.relativeL2, 1e-3)
        XCTAssertLessThan(errors[1]!.relativeL2, 1e-3)
    }
}
