import Foundation
import RealModule
import XCTest
@testable import PINN

/// Residual formulas over the fields of a system: names, the streams they need, their seeds against finite
/// differences, gradients and Jacobian rows of system losses, and a small system trained end to end.
final class SystemResidualTests: XCTestCase {
    private let fields = ["u", "v", "p"]

    func testNamesAndTheStreamsAResidualNeeds() throws {
        func residual(_ source: String, dimension d: Int = 2, normals: Bool = false) throws -> SystemResidual {
            try SystemResidual(source, fields: fields, dimension: d, normals: normals)
        }
        XCTAssertEqual(try residual("u - 1").streams, .value)
        XCTAssertEqual(try residual("u*u_x + v*u_y + p_x").streams, .gradient)
        XCTAssertEqual(try residual("-(u_xx + u_yy) - 1").streams, .pureSecond)
        XCTAssertEqual(try residual("u_xx + 0.5*u_xy + u_yy").streams, .hessian)
        XCTAssertEqual(try residual("v_yx").streams, .hessian)
        XCTAssertEqual(try residual("u_x + v_y").referencedFields, [0, 1])
        XCTAssertTrue(try residual("n_x*u_x + n_y*u_y", normals: true).readsNormals)
        XCTAssertEqual(try residual("u_zz + u_xz", dimension: 3).streams, .hessian)
        // Names that do not exist are refused with what is allowed; derivatives in coordinates the problem lacks
        // with the coordinate named.
        for (source, name) in [("w_x", "w_x"), ("n_x*u_x", "n_x")] {
            XCTAssertThrowsError(try residual(source), source) { error in
                let message = (error as? FormulaError)?.description ?? ""
                XCTAssertTrue(message.contains(name), message)
                XCTAssertTrue(message.contains("allowed: ") && message.contains("u_xy"), message)
            }
        }
        for (source, coordinate) in [("u_z", "z"), ("u_xt", "t")] {
            XCTAssertThrowsError(try residual(source), source) { error in
                let message = (error as? FormulaError)?.description ?? ""
                XCTAssertTrue(message.contains("'\(source)' is a derivative in \(coordinate), which this problem does not have (its coordinates: x, y)"), message)
            }
        }
        XCTAssertEqual(SystemResidual.variableNames(fields: ["u"], dimension: 2, normals: true),
                       ["u", "u_x", "u_y", "u_xx", "u_xy", "u_yx", "u_yy", "n_x", "n_y"])
    }

    /// ∂r/∂(field, stream) from dual numbers against central differences of r, for every output the residual
    /// reads (aliases u_xy and u_yx add up), zero for the others; residuals scaled and shifted by the target.
    func testSeedsAreThePartialDerivativesOfTheResidual() throws {
        let d = 2, m = 3, n = 4
        let residual = try SystemResidual(
            "u*u_x + v*u_y + p_x - 0.025*(u_xx + u_yy) + sin(x)*u_xy + u_yx*v + n_x*exp(y*p)", fields: fields,
            dimension: d, normals: true)
        XCTAssertEqual(residual.streams, .hessian)
        let s = residual.streams.count(inputDimension: d)
        var rng = Xoshiro256(seed: 4)
        let points = randomPoints(n, dimension: d, rng: &rng)
        let normals = randomPoints(n, dimension: d, rng: &rng)
        let targets = (0..<n).map { _ in rng.nextNormal() }
        let outputs = (0..<(m * s * n)).map { _ in rng.nextNormal() }
        let scale = 0.7
        func evaluate(_ outputs: [Double]) -> (residuals: [Double], seeds: [Double]) {
            var r = [Double](repeating: 0, count: n), seeds = [Double](repeating: .nan, count: m * s * n)
            residual.scaledResiduals(points: points, normals: normals, targets: targets, outputs: outputs, count: n,
                                     outputCount: m, scale: scale, residuals: &r, seeds: &seeds)
            return (r, seeds)
        }
        let (r, seeds) = evaluate(outputs)
        // The residual itself at point 0, by hand.
        func at(_ k: Int, _ stream: Int, _ p: Int) -> Double { outputs[k + m * (stream * n + p)] }
        let (x, y) = (points[0], points[1])
        let byHand = at(0, 0, 0) * at(0, 1, 0) + at(1, 0, 0) * at(0, 2, 0) + at(2, 1, 0)
            - 0.025 * (at(0, 3, 0) + at(0, 5, 0)) + sin(x) * at(0, 4, 0) + at(0, 4, 0) * at(1, 0, 0)
            + normals[0] * exp(y * at(2, 0, 0))
        XCTAssertEqual(r[0], scale * (byHand - targets[0]), accuracy: 1e-13)
        for e in 0..<(m * s * n) {
            let p = (e / m) % n
            var plus = outputs, minus = outputs
            plus[e] += 1e-6
            minus[e] -= 1e-6
            let fd = (evaluate(plus).residuals[p] - evaluate(minus).residuals[p]) / 2e-6
            XCTAssertEqual(seeds[e], fd, accuracy: 1e-7 * max(1, abs(fd)), "output entry \(e)")
        }
        // Entries the residual does not read (v's second derivatives, p's y-derivative) are zero.
        XCTAssertEqual(seeds[1 + m * (3 * n + 0)], 0)
        XCTAssertEqual(seeds[2 + m * (2 * n + 1)], 0)
    }

    /// The loss gradient and the Levenberg–Marquardt Jacobian of a three-field system (steady Navier–Stokes in
    /// residual form plus a Neumann-type condition with normals and a point condition) against finite differences.
    func testGradientAndJacobianOfASystemLossMatchFiniteDifferences() throws {
        let d = 2
        var rowdy = LayerActivation.rowdy(base: .tanh, terms: 3, scaleFactor: 2)
        rowdy.terms[1].amplitude = 0.1
        for (name, activation) in [("tanh", LayerActivation.fixed(.tanh)), ("Rowdy-3", rowdy)] {
            var rng = Xoshiro256(seed: 12)
            let net = Network(inputDimension: d, hiddenWidths: [6, 5], activation: activation, outputs: 3, rng: &rng)
            let momentumX = try SystemResidual("u*u_x + v*u_y + p_x - 0.1*(u_xx + u_yy)", fields: fields, dimension: d)
            let momentumY = try SystemResidual("u*v_x + v*v_y + p_y - 0.1*(v_xx + v_yy) + 0.3*u_xy", fields: fields,
                                               dimension: d)
            let continuity = try SystemResidual("u_x + v_y", fields: fields, dimension: d)
            let flux = try SystemResidual("n_x*u_x + n_y*u_y - v", fields: fields, dimension: d, normals: true)
            let gauge = try SystemResidual("p", fields: fields, dimension: d)
            let interior = randomPoints(7, dimension: d, rng: &rng), boundary = randomPoints(4, dimension: d, rng: &rng)
            let zeros7 = [Double](repeating: 0, count: 7)
            // Dirichlet, Robin and data terms on one output of the three (the general form's sugar conditions).
            var dirichletV = LossTerm(kind: .dirichlet, points: boundary, targets: [0.3, -0.1, 0.2, 0], weight: 2)
            dirichletV.field = 1
            var robinP = LossTerm(kind: .robin(alpha: 0.7, beta: 1.3), points: boundary, targets: [0.1, 0.2, 0.3, 0.4],
                                  normals: randomPoints(4, dimension: d, rng: &rng))
            robinP.field = 2
            var dataU = LossTerm(kind: .data, points: [0.3, -0.4, 0.5, 0.6], targets: [0.2, -0.2], weight: 0.5)
            dataU.field = 0
            let terms = [
                LossTerm(kind: .system(momentumX), points: interior, targets: zeros7),
                LossTerm(kind: .system(momentumY), points: interior, targets: zeros7, weight: 2),
                LossTerm(kind: .system(continuity), points: interior, targets: zeros7),
                LossTerm(kind: .system(flux), points: boundary, targets: [0.1, 0.2, 0.3, 0.4], weight: 3,
                         normals: randomPoints(4, dimension: d, rng: &rng)),
                LossTerm(kind: .system(gauge), points: [0.1, 0.2], targets: [0.5]),
                dirichletV, robinP, dataU,
            ]
            let objective = Objective(layout: net.layout, terms: terms, chunkSize: 3)
            XCTAssertEqual(objective.residualCount, 7 * 3 + 4 + 1 + 4 + 4 + 2)
            assertGradientAndJacobianMatchFiniteDifferences(objective, net, columnStride: 7, name)
        }
    }

    /// Terms on the same points share one forward and one reverse sweep (their seeds summed): the loss terms and
    /// the gradient equal those of the same terms swept one by one (kept apart here by a zero-weight term on other
    /// points between each pair) up to summation order.
    func testTermsSharingPointsAreSweptTogetherWithTheSameGradient() throws {
        let d = 2
        var rng = Xoshiro256(seed: 31)
        let net = Network(inputDimension: d, hiddenWidths: [7, 6], activation: .fixed(.tanh), outputs: 3, rng: &rng)
        let points = randomPoints(9, dimension: d, rng: &rng), other = randomPoints(2, dimension: d, rng: &rng)
        func system(_ source: String) throws -> LossTerm.Kind { .system(try SystemResidual(source, fields: fields, dimension: d)) }
        var dirichlet = LossTerm(kind: .dirichlet, points: points, targets: (0..<9).map { 0.1 * Double($0) }, weight: 3)
        dirichlet.field = 2
        let shared = [
            LossTerm(kind: try system("u*u_x + v*u_y + p_x - 0.1*(u_xx + u_yy)"), points: points, targets: [Double](repeating: 0.2, count: 9)),
            LossTerm(kind: try system("u_x + v_y"), points: points, targets: [Double](repeating: 0, count: 9), weight: 2),
            dirichlet,
            LossTerm(kind: try system("v_xy - p"), points: points, targets: [Double](repeating: -0.1, count: 9)),
        ]
        let spacer = LossTerm(kind: .data, points: other, targets: [0, 0], weight: 0)
        let apart = shared.flatMap { [$0, spacer] }
        var together = [Double](repeating: 0, count: net.parameters.count), separate = together
        let a = Objective(layout: net.layout, terms: shared, chunkSize: 4)
        let b = Objective(layout: net.layout, terms: apart, chunkSize: 4)
        XCTAssertEqual(a.sweptSetCount, 1)
        XCTAssertEqual(b.sweptSetCount, 8)
        let la = together.withUnsafeMutableBufferPointer { a.evaluate(net, gradient: $0.baseAddress!) }
        let lb = separate.withUnsafeMutableBufferPointer { b.evaluate(net, gradient: $0.baseAddress!) }
        for k in shared.indices { XCTAssertEqual(la[k], lb[2 * k], accuracy: 1e-14 * max(1, la[k]), "term \(k)") }
        let scale = together.map(abs).max()!
        for i in together.indices { XCTAssertEqual(together[i], separate[i], accuracy: 1e-13 * scale, "∂L/∂θ\(i)") }
    }

    /// u′ − v = 0, v′ + π²u = 0 on [0, 1] with u(0) = 0 and v(0) = π: two fields, two equations, two point
    /// conditions, all as system residuals; Adam then Levenberg–Marquardt on one network with two outputs reaches
    /// u = sin πx and v = π cos πx (closed form) to 1e-4.
    func testATwoFieldSystemTrainsToItsClosedFormSolution() throws {
        let names = ["u", "v"]
        let interior = (0..<64).map { (Double($0) + 0.5) / 64 }
        let zeros = [Double](repeating: 0, count: interior.count)
        let terms = [
            LossTerm(kind: .system(try SystemResidual("u_x - v", fields: names, dimension: 1)), points: interior, targets: zeros),
            LossTerm(kind: .system(try SystemResidual("v_x + pi^2*u", fields: names, dimension: 1)), points: interior,
                     targets: zeros),
            LossTerm(kind: .system(try SystemResidual("u", fields: names, dimension: 1)), points: [0], targets: [0], weight: 10),
            LossTerm(kind: .system(try SystemResidual("v - pi", fields: names, dimension: 1)), points: [0], targets: [0],
                     weight: 10),
        ]
        var rng = Xoshiro256(seed: 3)
        var net = Network(inputDimension: 1, hiddenWidths: [12, 12], activation: .fixed(.tanh), outputs: 2, rng: &rng)
        let objective = Objective(layout: net.layout, terms: terms, chunkSize: 32)
        let trainer = Trainer(objective: objective,
                              stages: [TrainingStage(optimizer: .adam(.constant(1e-2)), iterations: 300),
                                       TrainingStage(optimizer: .levenbergMarquardt(LevenbergMarquardt()), iterations: 300)])
        _ = trainer.train(&net)
        let grid = (0...200).map { Double($0) / 200 }
        let fields = NetworkEvaluator(layout: net.layout).evaluateFields(net, at: grid)
        let u = ErrorMetrics(prediction: fields[0][0], exact: grid.map { sin(.pi * $0) })
        let v = ErrorMetrics(prediction: fields[1][0], exact: grid.map { .pi * cos(.pi * $0) })
        XCTAssertLessThan(u.relativeL2, 1e-4, "u")
        XCTAssertLessThan(v.relativeL2, 1e-4, "v")
        print("two-field system: relative L2 u \(u.relativeL2), v \(v.relativeL2)")
    }
}

/// Unknown parameters (inverse problems): trained with the network, read by residuals, with exact gradient entries
/// and Jacobian columns.
final class UnknownParameterTests: XCTestCase {
    /// The gradient entry and the Jacobian column of an unknown against finite differences, next to the network's.
    func testUnknownsHaveExactGradientEntriesAndJacobianColumns() throws {
        for ranges in [[], [UnknownRange.positive, .interval(-1, 0.5)]] {
            try checkUnknownDerivatives(ranges: ranges)
        }
    }

    /// With ranges the optimizers move θ and the residuals read λ = map(θ): the entries checked here are ∂/∂θ.
    private func checkUnknownDerivatives(ranges: [UnknownRange]) throws {
        var rng = Xoshiro256(seed: 8)
        var net = Network(inputDimension: 2, hiddenWidths: [5, 4], activation: .fixed(.tanh), outputs: 2,
                          unknowns: [0.7, -0.3], rng: &rng)
        net.constrainUnknowns(to: ranges)
        XCTAssertEqual(net.unknowns[0], 0.7, accuracy: 1e-15)
        XCTAssertEqual(net.unknowns[1], -0.3, accuracy: 1e-15)
        let names = ["k", "c"], fields = ["u", "v"]
        let equation = try SystemResidual("u_xx + u_yy + k^2*u + c*v_xy", fields: fields, dimension: 2, unknowns: names)
        let coupling = try SystemResidual("v - exp(c)*u_x", fields: fields, dimension: 2, unknowns: names)
        let data = try SystemResidual("u", fields: fields, dimension: 2)
        let terms = [
            LossTerm(kind: .system(equation), points: randomPoints(6, dimension: 2, rng: &rng), targets: [Double](repeating: 0.1, count: 6)),
            LossTerm(kind: .system(coupling), points: randomPoints(5, dimension: 2, rng: &rng), targets: [Double](repeating: 0, count: 5)),
            LossTerm(kind: .system(data), points: randomPoints(4, dimension: 2, rng: &rng), targets: [0.3, 0.1, -0.2, 0.5]),
        ]
        let objective = Objective(layout: net.layout, terms: terms, chunkSize: 4)
        let p = net.parameters.count
        let outputBias = net.layout.dense.last!.biasOffset  // the last network parameter with a gradient (fixed tanh)
        let (g, residuals, jacobian) = assertGradientAndJacobianMatchDifferences(
            objective, net, parameters: [0, 7, outputBias + 1, net.layout.unknownOffset, net.layout.unknownOffset + 1],
            label: "\(ranges)")
        // 2Jᵀρ is the gradient, unknowns included.
        for i in [net.layout.unknownOffset, net.layout.unknownOffset + 1] {
            let jtr = residuals.indices.reduce(0.0) { $0 + 2 * jacobian[$1 * p + i] * residuals[$1] }
            XCTAssertEqual(jtr, g[i], accuracy: 1e-12 * max(1, abs(g[i])))
        }
    }

    /// u″ + k²u = 0 on [0, 1] with k unknown (starting from 0.5; the data come from k = 2, u = sin 2x, observed at
    /// 20 points): Adam then Levenberg–Marquardt recover k to 1e-6.
    func testAWaveNumberIsRecoveredFromObservations() throws {
        let names = ["u"], unknowns = ["k"]
        let interior = (0..<48).map { (Double($0) + 0.5) / 48 }
        var rng = Xoshiro256(seed: 21)
        let observed = (0..<20).map { _ in rng.nextUniform(in: 0, 1) }
        let terms = [
            LossTerm(kind: .system(try SystemResidual("u_xx + k^2*u", fields: names, dimension: 1, unknowns: unknowns)),
                     points: interior, targets: [Double](repeating: 0, count: interior.count)),
            LossTerm(kind: .system(try SystemResidual("u", fields: names, dimension: 1)), points: observed,
                     targets: observed.map { sin(2 * $0) }, weight: 10),
        ]
        var net = Network(inputDimension: 1, hiddenWidths: [10, 10], activation: .fixed(.tanh), unknowns: [0.5], rng: &rng)
        let trainer = Trainer(objective: Objective(layout: net.layout, terms: terms, chunkSize: 32),
                              stages: [TrainingStage(optimizer: .adam(.constant(1e-2)), iterations: 500),
                                       TrainingStage(optimizer: .levenbergMarquardt(LevenbergMarquardt()), iterations: 400)])
        _ = trainer.train(&net)
        let k = net.unknowns[0]
        XCTAssertLessThan(abs(abs(k) - 2) / 2, 1e-6, "k = \(k)")
        print("inverse problem: k = \(k) (exact 2), relative error \(abs(abs(k) - 2) / 2)")
    }

}

/// An inverse problem from a problem file, end to end through the command line.
final class InverseProblemFileTests: CommandLineTestCase {
    /// u″ + k²u = 0 on [0, 1], u(0) = 0, u(1) = sin 2, 12 observations of sin 2x, k unknown from 0.5: the result file
    /// records k's history and final value (2 to 1e-6), and `pinn inspect` shows it.
    func testAnUnknownCoefficientIsIdentifiedAndRecorded() throws {
        let xs = (0..<12).map { 0.04 + 0.08 * Double($0) }
        let text = """
        {"pde": {"type": "custom", "residual": "u_xx + k^2*u"}, "unknowns": {"k": 0.5},
         "domain": {"type": "interval", "x": [0, 1]}, "exact_solution": "sin(2*x)", "forcing": "0",
         "network": {"hidden_layers": [10, 10]}, "collocation": {"interior": 40, "distribution": "grid"},
         "loss": {"boundary_weight": 10},
         "data": {"points": [\(xs.map { "\($0)" }.joined(separator: ", "))],
                  "values": [\(xs.map { "\(sin(2 * $0))" }.joined(separator: ", "))], "weight": 10},
         "training": {"stages": [{"optimizer": "adam", "iterations": 400, "learning_rate": 0.01}, {"optimizer": "lm", "iterations": 300}]},
         "output": {"grid": [101], "history_interval": 50}}
        """
        try text.write(to: scratch.appendingPathComponent("inverse.json"), atomically: true, encoding: .utf8)
        let run = try pinn(["solve", "inverse.json", "-o", "inverse.h5", "--quiet"], in: scratch)
        XCTAssertEqual(run.status, 0, run.stderr)
        let file = try HDF5File.open(scratch.appendingPathComponent("inverse.h5").path)
        let k = try file.numberAttribute("unknown_k")
        XCTAssertLessThan(abs(abs(k) - 2) / 2, 1e-6, "k = \(k)")
        let history = try file.read("/history/parameters/k").values
        XCTAssertEqual(history.first, 0.5)
        XCTAssertEqual(history.last, k)
        XCTAssertEqual(try file.stringAttribute("pde"), "u_xx + k^2*u = f (unknown: k)")
        file.close()
        let inspect = try pinn(["inspect", scratch.appendingPathComponent("inverse.h5").path])
        XCTAssertTrue(inspect.stdout.contains("  unknowns     k = \(String(format: "%.10g", k)) (from 0.5)"), inspect.stdout)
    }
}
