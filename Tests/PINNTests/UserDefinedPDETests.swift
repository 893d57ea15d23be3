import Foundation
import RealModule
import XCTest
@testable import PINN

/// Helmholtz Δu + k²u written by a user: must match the built-in fast path.
private struct UserHelmholtz: PointwiseResidual {
    let k: Double
    var order: Int { 2 }
    func callAsFunction<T: Real>(_ s: PointState<T>) -> T { s.laplacian + s.constant(k * k) * s.u }
}

/// A nonlinear, variable-coefficient operator touching every input: −∇·(a∇u) expanded for a = 1 + x₀², plus u³ and
/// a drift term, r = −(1 + x₀²)Δu − 2x₀·∂u/∂x₀ + u³ + sin(x₁)·∂u/∂x_last.
private struct NonlinearOperator: PointwiseResidual {
    var order: Int { 2 }
    func callAsFunction<T: Real>(_ s: PointState<T>) -> T {
        let x0 = s.x[0], last = s.x.count - 1
        return -(1 + x0 * x0) * s.laplacian - 2 * x0 * s.du[0] + s.u * s.u * s.u + T.sin(s.x[last]) * s.du[last]
    }
}

/// −∇·(A∇u) + u²·u_xy with a constant symmetric A (off-diagonal 0.6 in 2D, also 0.3 and −0.2 in 3D): reads every
/// mixed second derivative.
private struct Anisotropic: PointwiseResidual {
    var order: Int { 2 }
    var readsMixedDerivatives: Bool { true }
    func callAsFunction<T: Real>(_ s: PointState<T>) -> T {
        let d = s.x.count
        var r = -2 * s.d2u[0] - s.d2u[1] - s.constant(1.2) * s.secondDerivative(0, 1) + s.u * s.u * s.mixed[0]
        if d == 3 {
            r += -s.d2u[2] - s.constant(0.6) * s.secondDerivative(0, 2) + s.constant(0.4) * s.secondDerivative(2, 1)
        }
        return r
    }
}

/// u* = sin(πx)·sin(πy) + x/2 in 2D, cos(x) + x/3 in 1D: non-zero on the boundary and in its normal derivative.
private struct Smooth: ScalarField {
    let inputDimension: Int
    func callAsFunction<T: Real>(_ x: [T]) -> T {
        inputDimension == 1 ? T.cos(x[0]) + x[0] / 3 : T.sin(T.pi * x[0]) * T.sin(T.pi * x[1]) + x[0] / 2
    }
}

final class UserDefinedPDETests: XCTestCase {
    private func lossAndGradient(_ objective: Objective, _ net: Network) -> (Double, [Double]) {
        var g = [Double](repeating: 0, count: net.parameters.count)
        let loss = g.withUnsafeMutableBufferPointer { objective.evaluate(net, gradient: $0.baseAddress!).reduce(0, +) }
        return (loss, g)
    }

    func testUserHelmholtzMatchesTheBuiltInLossGradientAndJacobian() {
        for d in [1, 2] {
            var rng = Xoshiro256(seed: 40 + UInt64(d))
            let net = Network(inputDimension: d, hiddenWidths: [8, 6], activation: .rowdy(base: .tanh, terms: 2, scaleFactor: 2), rng: &rng)
            let points = randomPoints(37, dimension: d, rng: &rng)
            let f = (0..<37).map { _ in rng.nextNormal() }
            let builtIn = Objective(layout: net.layout, terms: [LossTerm(kind: .residual(.helmholtz(waveNumber: 1.3)), points: points, targets: f, weight: 2)], chunkSize: 16)
            let user = Objective(layout: net.layout, terms: [LossTerm(kind: .customResidual(UserHelmholtz(k: 1.3)), points: points, targets: f, weight: 2)], chunkSize: 16)
            let (l1, g1) = lossAndGradient(builtIn, net), (l2, g2) = lossAndGradient(user, net)
            XCTAssertEqual(l2, l1, accuracy: 1e-13 * l1)
            let scale = g1.map(abs).max()!
            for i in g1.indices { XCTAssertEqual(g2[i], g1[i], accuracy: 1e-12 * scale, "d=\(d) parameter \(i)") }
            let (r1, j1) = builtIn.residualJacobian(net), (r2, j2) = user.residualJacobian(net)
            for i in r1.indices { XCTAssertEqual(r2[i], r1[i], accuracy: 1e-12 * max(1, abs(r1[i]))) }
            let jScale = j1.map(abs).max()!
            for i in j1.indices { XCTAssertEqual(j2[i], j1[i], accuracy: 1e-12 * jScale) }
        }
    }

    /// A residual with mixed derivatives: its formula form gives the same loss, gradient and Jacobian as the Swift
    /// form; the gradient matches finite differences; the manufactured forcing matches a hand computation.
    func testMixedDerivativeResidualsInSwiftAndAsFormulas() throws {
        for d in [2, 3] {
            var rng = Xoshiro256(seed: 120 + UInt64(d))
            var net = Network(inputDimension: d, hiddenWidths: [6, 5], activation: .fixed(.tanh), rng: &rng)
            for layer in net.layout.dense {
                for j in 0..<layer.fanOut { net.parameters[layer.biasOffset + j] = 0.3 * rng.nextNormal() }
            }
            let points = randomPoints(9, dimension: d, rng: &rng)
            let targets = (0..<9).map { _ in rng.nextNormal() }
            let source = d == 2 ? "-2*u_xx - u_yy - 1.2*u_xy + u^2*u_yx"
                : "-2*u_xx - u_yy - 1.2*u_xy + u^2*u_yx - u_zz - 0.6*u_zx + 0.4*u_yz"
            let formula = try FormulaResidual(source, dimension: d)
            XCTAssertTrue(formula.readsMixedDerivatives)
            XCTAssertEqual(LossTerm(kind: .customResidual(formula), points: points, targets: targets).streams, .hessian)
            let swift = Objective(layout: net.layout, terms: [LossTerm(kind: .customResidual(Anisotropic()), points: points, targets: targets)], chunkSize: 4)
            let parsed = Objective(layout: net.layout, terms: [LossTerm(kind: .customResidual(formula), points: points, targets: targets)], chunkSize: 4)
            let (l1, g1) = lossAndGradient(swift, net), (l2, g2) = lossAndGradient(parsed, net)
            XCTAssertEqual(l2, l1, accuracy: 1e-12 * l1)
            let scale = g1.map(abs).max()!
            for i in g1.indices { XCTAssertEqual(g2[i], g1[i], accuracy: 1e-12 * scale, "d=\(d) parameter \(i)") }
            for i in g1.indices where net.trainableMask[i] == 1 {
                let h = 1e-5 * max(1, abs(net.parameters[i]))
                var plus = net, minus = net
                plus.parameters[i] += h
                minus.parameters[i] -= h
                let fd = (swift.evaluate(plus, gradient: nil)[0] - swift.evaluate(minus, gradient: nil)[0]) / (2 * h)
                XCTAssertLessThan(relativeError(g1[i], fd, floor: 1e-4 * scale), finiteDifferenceTolerance, "d=\(d) FD \(i)")
            }
            let (_, j1) = swift.residualJacobian(net), (_, j2) = parsed.residualJacobian(net)
            let jScale = j1.map(abs).max()!
            for i in j1.indices { XCTAssertEqual(j2[i], j1[i], accuracy: 1e-12 * jScale) }
        }
        // f = r(u*) for u* = sin(πx)·sin(πy) in 2D, by hand: −2u_xx − u_yy = 3π²s, u_xy = π² cos(πx) cos(πy).
        let forcing = ResidualForcing(residual: Anisotropic(), solution: Smooth(inputDimension: 2))
        for point in [[0.3, 0.7], [0.55, 0.1]] {
            let (sx, sy, cx, cy) = (sin(.pi * point[0]), sin(.pi * point[1]), cos(.pi * point[0]), cos(.pi * point[1]))
            let u = sx * sy + point[0] / 2, uxy = .pi * .pi * cx * cy
            let expected = 3 * .pi * .pi * sx * sy - 1.2 * uxy + u * u * uxy
            XCTAssertEqual(forcing(point), expected, accuracy: 1e-12 * max(1, abs(expected)))
        }
    }

    func testNonlinearResidualGradientMatchesFiniteDifferences() {
        for d in [1, 2, 3] {
            var rng = Xoshiro256(seed: 90 + UInt64(d))
            var net = Network(inputDimension: d, hiddenWidths: [6, 5], activation: .layerwiseAdaptive(.tanh, scaleFactor: 3), rng: &rng)
            for layer in net.layout.dense {
                for j in 0..<layer.fanOut { net.parameters[layer.biasOffset + j] = 0.3 * rng.nextNormal() }
            }
            let points = randomPoints(11, dimension: d, rng: &rng)
            let objective = Objective(layout: net.layout, terms: [
                LossTerm(kind: .customResidual(NonlinearOperator()), points: points, targets: (0..<11).map { _ in rng.nextNormal() }),
            ], chunkSize: 4)
            let (_, g) = lossAndGradient(objective, net)
            let mask = net.trainableMask
            let scale = g.map(abs).max()!
            for i in g.indices where mask[i] == 1 {
                let h = 1e-4 * max(1, abs(net.parameters[i]))
                func loss(_ k: Double) -> Double {
                    var moved = net
                    moved.parameters[i] += k * h
                    return objective.evaluate(moved, gradient: nil).reduce(0, +)
                }
                let fd = (-loss(2) + 8 * loss(1) - 8 * loss(-1) + loss(-2)) / (12 * h)
                XCTAssertLessThan(relativeError(g[i], fd, floor: 1e-4 * scale), finiteDifferenceTolerance, "d=\(d) parameter \(i): \(g[i]) vs FD \(fd)")
            }
        }
    }

    func testManufacturedForcingOfAUserResidual() {
        // r(u*) at a point, by hand: u* = cos x + x/3: u′ = −sin x + 1/3, u″ = −cos x.
        let forcing = ResidualForcing(residual: NonlinearOperator(), solution: Smooth(inputDimension: 1))
        let x = 0.7, u = cos(x) + x / 3, du = -sin(x) + 1.0 / 3, d2u = -cos(x)
        let expected = -(1 + x * x) * d2u - 2 * x * du + u * u * u + sin(x) * du
        XCTAssertEqual(forcing([x]), expected, accuracy: 1e-13)
    }

    func testOutwardNormals() {
        let box = Box.rectangle(x: 0...2, y: -1...1)
        XCTAssertEqual(box.outwardNormal(at: [2, 0.3]), [1, 0])
        XCTAssertEqual(box.outwardNormal(at: [0.5, -1]), [0, -1])
        let corner = box.outwardNormal(at: [0, 1])
        XCTAssertEqual(corner[0], -1 / 2.0.squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(corner[1], 1 / 2.0.squareRoot(), accuracy: 1e-15)
        let disk = Disk(center: [1, 1], radius: 2)
        let n = disk.outwardNormal(at: [1 + 2 * cos(0.4), 1 + 2 * sin(0.4)])
        XCTAssertEqual(n[0], cos(0.4), accuracy: 1e-15)
        XCTAssertEqual(n[1], sin(0.4), accuracy: 1e-15)
        // L-shape (counter-clockwise) and the same polygon clockwise: the re-entrant edges point into the notch.
        for polygon in [Polygon.lShape, Polygon(vertices: Polygon.lShape.vertices.reversed())] {
            XCTAssertEqual(polygon.outwardNormal(at: [0.5, 0]), [0, 1])
            XCTAssertEqual(polygon.outwardNormal(at: [0, 0.5]), [1, 0])
            XCTAssertEqual(polygon.outwardNormal(at: [-1, 0.2]), [-1, 0])
        }
    }

    /// Trains −Δu + u³ = f (manufactured from u*) with the given boundary condition by Adam then LM.
    private func trainNonlinear(_ condition: BoundaryCondition, dimension d: Int) throws -> ErrorMetrics {
        struct CubicPoisson: PointwiseResidual {
            var order: Int { 2 }
            func callAsFunction<T: Real>(_ s: PointState<T>) -> T { -s.laplacian + s.u * s.u * s.u }
        }
        let domain: Box = d == 1 ? .interval(-1, 1) : .rectangle(x: 0...1, y: 0...1)
        let problem = Problem.manufactured(domain: domain, residual: CubicPoisson(), exactSolution: Smooth(inputDimension: d),
                                           boundaryCondition: condition)
        var config = SolverConfiguration()
        config.hiddenWidths = [12, 12]
        config.interiorPoints = d == 1 ? 40 : 300
        config.boundaryPoints = 80
        config.distribution = .sobol
        config.stages = [TrainingStage(optimizer: .adam(.constant(1e-2)), iterations: 200),
                         TrainingStage(optimizer: .levenbergMarquardt(LevenbergMarquardt()), iterations: 150)]
        config.evaluationResolution = [41, 41]
        config.seed = 5
        return try Solver(problem: problem, configuration: config).solve().report.history.last!.metrics!
    }

    func testNeumannAndRobinConditionsTrainToTheManufacturedSolution() throws {
        // A pure Neumann problem is well posed here: u³ fixes the constant that −Δu alone would leave free.
        for condition in [BoundaryCondition.neumann, .robin(alpha: 1, beta: 0.5), .dirichlet] {
            for d in [1, 2] {
                let metrics = try trainNonlinear(condition, dimension: d)
                print("nonlinear Poisson, \(condition), d=\(d): relative L2 \(metrics.relativeL2)")
                XCTAssertLessThan(metrics.relativeL2, 1e-3, "\(condition) d=\(d): relative L2 \(metrics.relativeL2)")
            }
        }
    }

    func testSolutionWrittenFromSwiftReadsBackAsTheSameModel() throws {
        struct CubicPoisson: PointwiseResidual {
            var order: Int { 2 }
            func callAsFunction<T: Real>(_ s: PointState<T>) -> T { -s.laplacian + s.u * s.u * s.u }
        }
        let problem = Problem.manufactured(domain: Box.interval(-1, 1), residual: CubicPoisson(),
                                           exactSolution: Smooth(inputDimension: 1), boundaryCondition: .robin(alpha: 1, beta: 2))
        var config = SolverConfiguration()
        config.hiddenWidths = [8, 8]
        config.interiorPoints = 30
        config.stages = [TrainingStage(optimizer: .adam(.constant(1e-2)), iterations: 50)]
        config.evaluationResolution = [51]
        let solution = try Solver(problem: problem, configuration: config).solve()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("swift-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try solution.write(to: path, description: "round trip")
        let network = try ResultFile.readNetwork(path: path)
        XCTAssertEqual(network, solution.network)
        let points = [-0.9, -0.2, 0.4, 1.0]
        XCTAssertEqual(NetworkEvaluator(layout: network.layout).evaluate(network, at: points)[0], solution.predict(at: points))
        // Derivatives for free at new points: the engine's u″ equals the dual-number second derivative.
        let streams = solution.evaluate(at: [0.3], streams: .pureSecond)
        XCTAssertEqual(streams[2][0], DifferentialOperators.pureSecondDerivatives(of: solution.network, at: [0.3])[0], accuracy: 1e-12)
    }

    /// Dirichlet on two faces and Neumann on the other two: each part gets its own term and points, and a trained
    /// solution (12×12 tanh, 200 Adam + 200 LM iterations) satisfies each condition at its own points to 1e-3 (the
    /// data are O(1)).
    func testConditionsOnNamedFacesAreEachSatisfiedByATrainedSolution() throws {
        let text = """
        {"pde": {"type": "poisson"}, "domain": {"type": "rectangle", "x": [0, 1], "y": [0, 1]},
         "exact_solution": "sin(pi*x) * cos(pi*y) + x*y",
         "boundary_conditions": [{"faces": ["left", "right"], "type": "dirichlet"},
                                 {"faces": ["bottom", "top"], "type": "neumann"}],
         "network": {"hidden_layers": [12, 12]}, "collocation": {"interior": 200, "boundary": 80, "distribution": "sobol"},
         "loss": {"boundary_weight": 10}, "seed": 1,
         "training": {"stages": [{"optimizer": "adam", "iterations": 200, "learning_rate": 0.01}, {"optimizer": "lm", "iterations": 200}]},
         "output": {"grid": [21, 21]}}
        """
        let file = try ProblemFile.parse(text, path: "parts.json")
        XCTAssertEqual(file.problem.equation, "-Δu = f, u = g on left, right, ∂u/∂n = g on bottom, top")
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        XCTAssertEqual(solver.makeTerms(solver.makeCollocation()).map(\.count), [200, 40, 40])
        let solution = solver.solve()
        XCTAssertEqual(solution.report.lossNames, ["pde", "boundary_left_right", "boundary_bottom_top"])
        let boundary = solution.boundaryPoints
        XCTAssertEqual(boundary.count, 160)
        let exact = try Formula("sin(pi*x) * cos(pi*y) + x*y", dimension: 2)
        let streams = solution.evaluate(at: boundary, streams: .gradient)
        for p in 0..<80 {
            let x = Array(boundary[(2 * p)..<(2 * p + 2)])
            if p < 40 {
                XCTAssertTrue(x[0] == 0 || x[0] == 1, "\(x) should be on left or right")
                XCTAssertEqual(streams[0][p], exact(x), accuracy: 1e-3, "u = g at \(x)")
            } else {
                XCTAssertTrue(x[1] == 0 || x[1] == 1, "\(x) should be on bottom or top")
                let normal = x[1] == 1 ? 1.0 : -1.0
                let g = normal * DifferentialOperators.gradient(of: exact, at: x)[1]
                XCTAssertEqual(normal * streams[2][p], g, accuracy: 1e-3, "∂u/∂n = g at \(x)")
            }
        }
        XCTAssertLessThan(solution.report.history.last!.metrics!.relativeL2, 1e-3)
    }
}
