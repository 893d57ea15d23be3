import Foundation
import XCTest
@testable import PINN

/// Problems of any derivative order and any number of coordinates, and ODEs: the objective's gradient and
/// Levenberg–Marquardt Jacobian of fourth-order residuals, closed-form solutions reached by the shipped files, the
/// domains beyond three dimensions, and the bad-input list.
final class OrderAndDimensionTests: XCTestCase {
    /// A nonlinear fourth-order system with an unknown: the loss gradient and every Jacobian column against central
    /// differences of the loss and of the residual vector.
    func testGradientAndJacobianOfAFourthOrderSystemMatchFiniteDifferences() throws {
        for (d, activation) in [(1, LayerActivation.rowdy(base: .tanh, terms: 2, scaleFactor: 2)), (2, .fixed(.tanh)),
                                (3, .layerwiseAdaptive(.sin, scaleFactor: 2))] {
            var rng = Xoshiro256(seed: UInt64(40 + d))
            let net = Network(inputDimension: d, hiddenWidths: [5, 4], activation: activation, outputs: 2,
                              unknowns: [0.6], rng: &rng)
            let axes = FormulaParser.coordinates(dimension: d)
            let x = axes[0], last = axes[d - 1]
            let fields = ["u", "v"], names = ["k"]
            let plate = try SystemResidual("u_\(x)\(x)\(x)\(x) + 2*u_\(x)\(x)\(last)\(last) + k*u*v_\(x)\(x)\(x)",
                                           fields: fields, dimension: d, unknowns: names)
            let shear = try SystemResidual("v_\(last)\(last)\(last) - sin(u)", fields: fields, dimension: d, unknowns: names)
            XCTAssertNotNil(plate.streams.jetPlan)
            let terms = [
                LossTerm(kind: .system(plate), points: randomPoints(6, dimension: d, rng: &rng),
                         targets: [Double](repeating: 0.2, count: 6)),
                LossTerm(kind: .system(shear), points: randomPoints(5, dimension: d, rng: &rng),
                         targets: [Double](repeating: 0, count: 5)),
            ]
            let objective = Objective(layout: net.layout, terms: terms, chunkSize: 4)
            let mask = net.trainableMask
            let indices = (0..<net.parameters.count).filter { mask[$0] != 0 || $0 >= net.layout.unknownOffset }
            assertGradientAndJacobianMatchDifferences(objective, net, parameters: indices, label: "d \(d)")
        }
    }

    /// The manufactured data of a fourth-order residual are its value at the exact solution (nested dual numbers):
    /// for w = sin πx sin πy, Δ²w = 4π⁴ w.
    func testManufacturedDataOfTheBiharmonic() throws {
        let residual = try SystemResidual("w_xxxx + 2*w_xxyy + w_yyyy", fields: ["w"], dimension: 2)
        let exact = try Formula("sin(pi*x)*sin(pi*y)", dimension: 2)
        let value = ManufacturedResidualValue(residual: residual, solutions: [exact], domain: Box.rectangle(x: 0...1, y: 0...1))
        for point in [[0.3, 0.7], [0.11, 0.52]] {
            let expected = 4 * pow(Double.pi, 4) * sin(Double.pi * point[0]) * sin(Double.pi * point[1])
            XCTAssertEqual(value(point), expected, accuracy: 1e-11 * abs(expected))
        }
    }

    private static func repository() -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The cantilever beam u'''' = −1 of problems/euler-beam.json against its closed form −x⁴/24 + x³/6 − x²/4.
    func testEulerBeamReachesItsClosedForm() throws {
        let file = try ProblemFile.load(path: Self.repository().appendingPathComponent("problems/euler-beam.json").path)
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        let solution = solver.solve()
        let points = (0...200).map { Double($0) / 200 }
        let values = solution.evaluate(at: points)[0]
        var error = 0.0, norm = 0.0
        for (x, u) in zip(points, values) {
            let exact = -pow(x, 4) / 24 + pow(x, 3) / 6 - x * x / 4
            error += (u - exact) * (u - exact)
            norm += exact * exact
        }
        XCTAssertLessThan((error / norm).squareRoot(), 1e-8)
    }

    /// The fourth-order Swift example of docs/custom-pdes.md, as written there: trained, against the closed form.
    func testTheFourthOrderSwiftExampleOfTheDocs() throws {
        var rng = Xoshiro256(seed: 0)
        let f = ["u"]
        func r(_ s: String) throws -> SystemResidual { try SystemResidual(s, fields: f, dimension: 1) }
        let xs = (0..<200).map { (Double($0) + 0.5) / 200 }
        let terms = [
            LossTerm(kind: .system(try r("u_xxxx + 1")), points: xs, targets: [Double](repeating: 0, count: xs.count)),
            LossTerm(kind: .system(try r("u")), points: [0], targets: [0], weight: 10),
            LossTerm(kind: .system(try r("u_x")), points: [0], targets: [0], weight: 10),
            LossTerm(kind: .system(try r("u_xx")), points: [1], targets: [0], weight: 10),
            LossTerm(kind: .system(try r("u_xxx")), points: [1], targets: [0], weight: 10),
        ]
        var net = Network(inputDimension: 1, hiddenWidths: [20, 20], activation: .fixed(.tanh), rng: &rng)
        let trainer = Trainer(objective: Objective(layout: net.layout, terms: terms),
                              stages: [TrainingStage(optimizer: .adam(.constant(1e-3)), iterations: 1000),
                                       TrainingStage(optimizer: .levenbergMarquardt(LevenbergMarquardt()), iterations: 300)])
        _ = trainer.train(&net)
        let grid = (0...100).map { Double($0) / 100 }
        let values = NetworkEvaluator(layout: net.layout).evaluate(net, at: grid)[0]
        var error = 0.0, norm = 0.0
        for (x, u) in zip(grid, values) {
            let exact = -pow(x, 4) / 24 + pow(x, 3) / 6 - x * x / 4
            error += (u - exact) * (u - exact)
            norm += exact * exact
        }
        XCTAssertLessThan((error / norm).squareRoot(), 1e-4)
    }

    /// An ODE system (time without a domain): the harmonic oscillator x′ = y, y′ = −x, x(0) = 1, y(0) = 0, whose
    /// fields may be called x and y (t is the only coordinate), against cos t and −sin t.
    func testAnODESystemInTimeAlone() throws {
        let text = """
        {
          "time": [0, 3],
          "fields": ["x", "y"],
          "equations": [{"residual": "x_t - y"}, {"residual": "y_t + x"}],
          "conditions": [{"on": "initial", "type": "dirichlet", "field": "x", "value": "1"},
                         {"on": "initial", "type": "dirichlet", "field": "y", "value": "0"}],
          "network": {"hidden_layers": [120], "activation": "tanh", "first_layer": {"type": "random", "scale": 3}},
          "collocation": {"interior": 300},
          "training": {"method": "least_squares"}
        }
        """
        let file = try ProblemFile.parse(text, path: "oscillator.json")
        XCTAssertEqual(file.problem.domain.coordinateNames, ["t"])
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        let solution = solver.solve()
        let times = (0...60).map { 3 * Double($0) / 60 }
        let fields = solution.model.evaluateFields(at: times)
        for (k, t) in times.enumerated() {
            XCTAssertEqual(fields[0][0][k], cos(t), accuracy: 1e-7, "x(\(t))")
            XCTAssertEqual(fields[1][0][k], -sin(t), accuracy: 1e-7, "y(\(t))")
        }
    }

    func testDomainsBeyondThreeDimensions() throws {
        let ball = Disk(center: [0, 0, 0, 0, 0], radius: 2)
        XCTAssertEqual(ball.measure, 8 * pow(Double.pi, 2) / 15 * 32, accuracy: 1e-12)
        var rng = Xoshiro256(seed: 3)
        let inside = ball.interiorPoints(count: 500, distribution: .sobol, rng: &rng)
        XCTAssertEqual(inside.count, 2500)
        for p in 0..<500 { XCTAssertTrue(ball.contains(Array(inside[(5 * p)..<(5 * p + 5)]))) }
        // Mean squared radius of the uniform 5-ball: 5/7·r².
        var sumOfSquares = 0.0
        for value in inside { sumOfSquares += value * value }
        let meanSquare = sumOfSquares / 500
        XCTAssertEqual(meanSquare, 5.0 / 7 * 4, accuracy: 0.15)
        let surface = ball.boundaryPoints(count: 200, includeCorners: false, rng: &rng)
        for p in 0..<200 {
            var squared = 0.0
            for i in 0..<5 { squared += surface[5 * p + i] * surface[5 * p + i] }
            XCTAssertEqual(squared.squareRoot(), 2, accuracy: 1e-12)
        }
        let cube = Box(lower: [Double](repeating: 0, count: 6), upper: [Double](repeating: 1, count: 6))
        XCTAssertEqual(cube.faceNames.prefix(3), ["x1_min", "x1_max", "x2_min"])
        XCTAssertEqual(cube.boundaryMeasure, 12, accuracy: 1e-12)
        let faces = cube.boundaryPoints(count: 300, includeCorners: false, rng: &rng)
        for p in 0..<300 { XCTAssertTrue(cube.isOnBoundary(Array(faces[(6 * p)..<(6 * p + 6)]), tolerance: 1e-12)) }
        for distribution in [PointDistribution.sobol, .halton, .latinHypercube] {
            let points = distribution.unitCube(count: 256, dimension: 21, rng: &rng)
            XCTAssertEqual(points.count, 256 * 21)
            XCTAssertTrue(points.allSatisfy { (0..<1).contains($0) }, "\(distribution)")
            // Each coordinate's mean is near 1/2 (low-discrepancy in every dimension up to 21).
            for i in 0..<21 {
                var sum = 0.0
                for p in 0..<256 { sum += points[p * 21 + i] }
                let mean = sum / 256
                XCTAssertEqual(mean, 0.5, accuracy: 0.03, "\(distribution) coordinate \(i)")
            }
        }
        let file = try ProblemFile.parse("""
        {"domain": {"type": "hypercube", "bounds": [[0, 1], [-1, 1], [0, 2], [0, 1]]}, "time": [0, 1],
         "equations": [{"residual": "u_t - (u_x1x1 + u_x2x2 + u_x3x3 + u_x4x4)"}],
         "conditions": [{"on": "boundary", "type": "dirichlet", "value": "0"},
                        {"on": "initial", "type": "dirichlet", "value": "x1*x4"},
                        {"on": ["x2_max"], "residual": "u_x2"}],
         "network": {"hidden_layers": [8]}, "training": {"stages": [{"optimizer": "adam", "iterations": 3}]}}
        """, path: "heat4.json")
        XCTAssertEqual(file.problem.domain.coordinateNames, ["x1", "x2", "x3", "x4", "t"])
        XCTAssertEqual(file.problem.domain.boundingBox.upper, [1, 1, 2, 1, 1])
    }

    /// Every bad input of the order-and-dimension work: its message, verbatim, naming the JSON path.
    func testBadInputForOrdersCoordinatesAndODEs() {
        let line = """
        "network": {"hidden_layers": [10]}, "training": {"stages": [{"optimizer": "adam", "iterations": 10}]}
        """
        func beam(_ domain: String, _ residual: String, extra: String = "") -> String {
            """
            {"domain": \(domain), \(extra)"equations": [{"residual": "\(residual)"}],
             "conditions": [{"on": "boundary", "type": "dirichlet", "value": "0"}], \(line)}
            """
        }
        let interval = #"{"type": "interval", "x": [0, 1]}"#, square = #"{"type": "rectangle", "x": [0, 1], "y": [0, 1]}"#
        let ode = #"{"time": [0, 1], "equations": [{"residual": "u_t + u"}], "conditions": [{"on": "initial", "type": "dirichlet", "value": "1"}"#
        let cases: [(String, String)] = [
            (beam(interval, "u_xxxxxxx + 1"),
             "equations[0].residual: 'u_xxxxxxx' is a derivative of order 7; pinn computes derivatives up to order 6 at position 1 in 'u_xxxxxxx + 1'"),
            (beam(square, "u_xxxx + u_z"),
             "equations[0].residual: 'u_z' is a derivative in z, which this problem does not have (its coordinates: x, y) at position 10 in 'u_xxxx + u_z'"),
            (beam(#"{"type": "hypercube", "dimension": 5, "bounds": [0, 1]}"#, "u_x1x1 + u_x6"),
             "equations[0].residual: 'u_x6' is a derivative in x6, which this problem does not have (its coordinates: x1, x2, x3, x4, x5) at position 10 in 'u_x1x1 + u_x6'"),
            (beam(interval, "u_t - u_xx"),
             "equations[0].residual: 'u_t' is a derivative in t, which this problem does not have (its coordinates: x) (a time-dependent problem has \"time\": [t0, T]) at position 1 in 'u_t - u_xx'"),
            (beam(#"{"type": "hypercube", "dimension": 22, "bounds": [0, 1]}"#, "u_x1x1"),
             "domain.dimension: pinn handles up to 21 coordinates (space and time together); found 22"),
            (beam(#"{"type": "hypercube", "dimension": 21, "bounds": [0, 1]}"#, "u_t - u_x1x1", extra: #""time": [0, 1], "#),
             "time: pinn handles up to 21 coordinates, space and time together; the domain is 21D"),
            (beam(#"{"type": "hypercube", "dimension": 3, "bounds": [[0, 1], [0, 1]]}"#, "u_xx"),
             "domain.bounds: 2 pairs of bounds for a hypercube of dimension 3"),
            (beam(#"{"type": "hypercube", "dimension": 3, "bounds": []}"#, "u_xx"),
             "domain.bounds: expected [lower, upper] or one pair per axis; found an empty list"),
            (beam(#"{"type": "hypercube", "dimension": 3, "bounds": [[0, 1], [1, 0], [0, 1]]}"#, "u_xx"),
             "domain.bounds[1]: lower bound 1 must be below upper bound 0"),
            (beam(#"{"type": "hypercube", "bounds": [0, 1]}"#, "u_xx"),
             "domain.dimension: required with one pair of bounds for every axis (e.g. \"dimension\": 5)"),
            (beam(#"{"type": "hypersphere", "center": [0], "radius": 1}"#, "u_xx"),
             "domain.center: a hypersphere has 2 to 21 coordinates; the center has 1"),
            (ode + #", {"on": "boundary", "type": "dirichlet", "value": "0"}], "# + line + "}",
             "conditions[1].on: an ODE (time without a domain) has no boundary: conditions are \"initial\", {\"point\": [t]} or {\"observations\": \"file.csv\"}"),
            (ode + #"], "periodic": ["t"], "# + line + "}",
             "periodic: an ODE (time without a domain) has no spatial coordinate to be periodic in"),
            (#"{"equations": [{"residual": "u"}], "# + line + "}",
             "domain: required field is missing (an ODE has \"time\": [t0, T] and no domain)"),
            (beam(interval, "u_ttt - u_xx", extra: #""time": [0, 1], "#)
                .replacingOccurrences(of: #""value": "0"}]"#, with: #""value": "0"}, {"on": "initial", "type": "dirichlet", "value": "0"}, {"on": "initial", "residual": "u_t"}]"#),
             "conditions: the equations are of order 3 in time for 'u' (u_ttt) but no initial condition gives u_tt: add {\"on\": \"initial\", \"residual\": \"u_tt - ...\"}"),
            (beam(square, "u_xxxx").replacingOccurrences(of: #""value": "0"}"#, with: #""value": "0", "hard": true}"#),
             "equations[0]: 'pde' reads a derivative above the second order, which exact Dirichlet conditions do not support yet; make the Dirichlet condition soft (remove \"hard\")"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try ProblemFile.parse(text, path: "p.json"), message) { error in
                XCTAssertEqual("\(error)", "p.json: \(message)")
            }
        }
    }
}
