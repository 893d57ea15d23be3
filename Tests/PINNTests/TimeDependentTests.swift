import Foundation
import XCTest
@testable import PINN

/// Time as the last coordinate t of a space-time domain: sampling, u_t / u_tt / u_xt in residuals, initial
/// conditions, and the problem-file checks.
final class TimeDependentTests: XCTestCase {
    /// Interior points fill Ω × [t₀, T]; boundary points lie on ∂Ω at times in [t₀, T] with normals (n, 0);
    /// initial points lie at t₀; faces of a spatial box over time.
    func testSpaceTimeSampling() {
        let domain = SpaceTime(space: Box.rectangle(x: 0...1, y: -1...1), start: 0.5, end: 2)
        XCTAssertEqual(domain.dimension, 3)
        XCTAssertEqual(domain.coordinateNames, ["x", "y", "t"])
        XCTAssertEqual(domain.measure, 3, accuracy: 1e-15)
        XCTAssertEqual(domain.boundaryMeasure, 9, accuracy: 1e-15)  // perimeter 6 × duration 1.5
        var rng = Xoshiro256(seed: 2)
        let inside = domain.interiorPoints(count: 500, distribution: .sobol, rng: &rng)
        XCTAssertTrue((0..<500).allSatisfy { domain.contains(Array(inside[(3 * $0)..<(3 * $0 + 3)])) })
        let boundary = domain.boundaryPoints(count: 200, includeCorners: false, rng: &rng)
        for p in 0..<200 {
            let x = Array(boundary[(3 * p)..<(3 * p + 3)])
            XCTAssertTrue(domain.isOnBoundary(x, tolerance: 1e-12) && x[2] >= 0.5 && x[2] <= 2, "\(x)")
            XCTAssertEqual(domain.outwardNormal(at: x)[2], 0)
        }
        let initial = domain.points(in: .initial, count: 50, distribution: .random, includeCorners: false, rng: &rng)
        XCTAssertEqual(initial.count, 150)
        XCTAssertTrue((0..<50).allSatisfy { initial[3 * $0 + 2] == 0.5 })
        let left = domain.points(in: .faces([0]), count: 40, distribution: .random, includeCorners: false, rng: &rng)
        XCTAssertTrue((0..<40).allSatisfy { left[3 * $0] == 0 })
        // 1D space: the two ends over time, both drawn.
        let rod = SpaceTime(space: Box.interval(0, 2), start: 0, end: 1)
        let ends = rod.boundaryPoints(count: 100, includeCorners: false, rng: &rng)
        let xs = Set((0..<100).map { ends[2 * $0] })
        XCTAssertEqual(xs, [0, 2])
        XCTAssertEqual(rod.outwardNormals(at: [2, 0.3, 0, 0.7]), [1, 0, -1, 0])
    }

    /// A residual reading u_t, u_tt and the mixed u_xt of a network on (x, t): its value at points through the
    /// engine equals the dual-number derivatives of the network, and those equal central differences.
    func testTimeDerivativesInResidualsMatchDualNumbersAndFiniteDifferences() throws {
        var rng = Xoshiro256(seed: 5)
        let net = Network(inputDimension: 2, hiddenWidths: [8, 7], activation: .fixed(.tanh), rng: &rng)
        let r = try SystemResidual("u_t + 0.5*u_tt - 0.3*u_xt + u_xx", fields: ["u"], dimension: 2,
                                   coordinates: ["x", "t"])
        XCTAssertEqual(r.streams, .hessian)
        let points = randomPoints(6, dimension: 2, in: 0, 1, rng: &rng)
        let term = LossTerm(kind: .system(r), points: points, targets: [Double](repeating: 0, count: 6))
        let values = term.residuals(of: net)
        for p in 0..<6 {
            let x = Array(points[(2 * p)..<(2 * p + 2)])
            let g = DifferentialOperators.gradient(of: net, at: x), h = DifferentialOperators.hessian(of: net, at: x)
            // hessian order: xx, xt, tt
            XCTAssertEqual(values[p], g[1] + 0.5 * h[2] - 0.3 * h[1] + h[0], accuracy: 1e-12 * max(1, abs(values[p])))
            let step = 1e-4
            func u(_ a: Double, _ b: Double) -> Double { net([a, b]) }
            let ut = (u(x[0], x[1] + step) - u(x[0], x[1] - step)) / (2 * step)
            let utt = (u(x[0], x[1] + step) - 2 * u(x[0], x[1]) + u(x[0], x[1] - step)) / (step * step)
            let uxt = (u(x[0] + step, x[1] + step) - u(x[0] + step, x[1] - step) - u(x[0] - step, x[1] + step)
                       + u(x[0] - step, x[1] - step)) / (4 * step * step)
            XCTAssertEqual(g[1], ut, accuracy: 1e-6)
            XCTAssertEqual(h[2], utt, accuracy: 1e-5)
            XCTAssertEqual(h[1], uxt, accuracy: 1e-5)
        }
    }

    /// The heat equation in 1D over time trains to its closed form (a short run: 1e-3), and its result holds /grid/t
    /// with (nt, nx) fields.
    func testAHeatProblemTrainsAndWritesATimeAxis() throws {
        let text = """
        {"domain": {"type": "interval", "x": [0, 1]}, "time": [0, 0.2],
         "equations": [{"residual": "u_t - u_xx"}],
         "conditions": [{"on": "boundary", "type": "dirichlet"}, {"on": "initial", "type": "dirichlet"}],
         "exact_solution": "exp(-pi^2*t)*sin(pi*x)",
         "network": {"hidden_layers": [16, 16]}, "collocation": {"interior": 400, "boundary": 80, "initial": 60, "distribution": "sobol"},
         "loss": {"boundary_weight": 10},
         "training": {"stages": [{"optimizer": "adam", "iterations": 200, "learning_rate": 0.01}, {"optimizer": "lm", "iterations": 150}]},
         "output": {"grid": [21, 11]}}
        """
        let file = try ProblemFile.parse(text, path: "heat.json")
        XCTAssertEqual(file.problem.domain.coordinateNames, ["x", "t"])
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        XCTAssertEqual(solver.makeTerms(solver.makeCollocation()).map(\.count), [400, 80, 60])
        let solution = solver.solve()
        let error = solution.errors(at: solver.evaluationPointsInDomain())!
        XCTAssertLessThan(error.relativeL2, 1e-3)
        let (path, folder) = try writeTemporaryResult(solution, solver: solver, problemText: text, name: "heat")
        defer { try? FileManager.default.removeItem(at: folder) }
        let h5 = try HDF5File.open(path)
        defer { h5.close() }
        XCTAssertEqual(try h5.read("/grid/t").values.last, 0.2)
        XCTAssertEqual(try h5.read("/solution/u").shape, [11, 21])
        XCTAssertEqual(try h5.stringAttribute("coordinates"), "x,t")
        // The error over time, per slice, recomputed here from the stored prediction and the closed form.
        let overTime = try h5.read("/solution/rel_l2_over_time").values
        XCTAssertEqual(overTime.count, 11)
        let u = try h5.read("/solution/u").values, x = try h5.read("/grid/x").values, t = try h5.read("/grid/t").values
        for k in [0, 5, 10] {
            var num = 0.0, den = 0.0
            for i in 0..<21 {
                let exact = exp(-Double.pi * Double.pi * t[k]) * sin(Double.pi * x[i])
                num += (u[k * 21 + i] - exact) * (u[k * 21 + i] - exact)
                den += exact * exact
            }
            XCTAssertEqual(overTime[k], (num / den).squareRoot(), accuracy: 1e-9 * max(1, overTime[k]))
        }
    }

    /// Time-dependent mistakes in problem files, with the JSON path.
    func testBadTimeDependentInput() {
        let base = """
        {"domain": {"type": "interval", "x": [0, 1]}, "time": [0, 1],
         "equations": [{"residual": "u_t - u_xx"}],
         "conditions": [{"on": "boundary", "type": "dirichlet", "value": "0"}, {"on": "initial", "type": "dirichlet", "value": "sin(pi*x)"}],
         "network": {"hidden_layers": [4]}, "training": {"stages": [{"optimizer": "adam", "iterations": 1, "learning_rate": 0.01}]}}
        """
        let steady = base.replacingOccurrences(of: "\"time\": [0, 1],", with: "")
            .replacingOccurrences(of: "u_t - u_xx", with: "u_xx + 1")
            .replacingOccurrences(of: ", {\"on\": \"initial\", \"type\": \"dirichlet\", \"value\": \"sin(pi*x)\"}", with: "")
        let cases: [(String, String)] = [
            (base.replacingOccurrences(of: "\"time\": [0, 1]", with: "\"time\": [1, 1]"),
             "time: the final time 1 must be after the start 1"),
            (base.replacingOccurrences(of: "\"time\": [0, 1],", with: "").replacingOccurrences(of: "u_t - u_xx", with: "u_xx + 1"),
             "conditions[1].on: \"initial\" is the slice t = t0 of a time-dependent problem; this problem has no \"time\""),
            (base.replacingOccurrences(of: "\"time\": [0, 1],", with: "").replacingOccurrences(of: "{\"on\": \"initial\", \"type\": \"dirichlet\", \"value\": \"sin(pi*x)\"}", with: "{\"on\": \"left\", \"type\": \"dirichlet\", \"value\": \"0\"}"),
             "equations[0].residual: 'u_t' is a derivative in t, which this problem does not have (its coordinates: x) (a time-dependent problem has \"time\": [t0, T]) at position 1 in 'u_t - u_xx'"),
            (base.replacingOccurrences(of: "u_t - u_xx", with: "u_tt - u_xx"),
             "conditions: the equations are second order in time for 'u' (u_tt) but no initial condition gives u_t: add {\"on\": \"initial\", \"residual\": \"u_t - ...\"}"),
            ("{\"pde\": {\"type\": \"poisson\"}, \"domain\": {\"type\": \"interval\", \"x\": [0, 1]}, \"time\": [0, 1], \"exact_solution\": \"x\", \"network\": {\"hidden_layers\": [4]}, \"training\": {\"stages\": [{\"optimizer\": \"adam\", \"iterations\": 1, \"learning_rate\": 0.01}]}}",
             "time: time-dependent problems are written in the general form (fields, equations, conditions with an \"initial\" condition)"),
            (base.replacingOccurrences(of: "\"time\": [0, 1],", with: "\"time\": [0, 1], \"periodic\": [\"t\"],"),
             "periodic[0]: 't' cannot be periodic: only spatial coordinates can (x)"),
            (base.replacingOccurrences(of: "\"time\": [0, 1],", with: "\"time\": [0, 1], \"periodic\": [\"q\"],"),
             "periodic[0]: 'q' is not a coordinate of this problem (x, t)"),
            (base.replacingOccurrences(of: "\"time\": [0, 1],", with: "\"time\": [0, 1], \"periodic\": [\"x\", \"x\"],"),
             "periodic[1]: 'x' is listed twice"),
            (base.replacingOccurrences(of: "\"time\": [0, 1],", with: "\"time\": [0, 1], \"periodic\": [{\"coordinate\": \"x\", \"harmonics\": 0}],"),
             "periodic[0].harmonics: must be a positive whole number, found 0"),
            (base.replacingOccurrences(of: "{\"type\": \"interval\", \"x\": [0, 1]}", with: "{\"type\": \"disk\", \"center\": [0, 0], \"radius\": 1}")
                .replacingOccurrences(of: "\"time\": [0, 1],", with: "\"time\": [0, 1], \"periodic\": [\"x\"],"),
             "periodic[0]: periodicity in 'x' needs an interval or a box (a pair of opposite faces); the domain is disk of radius 1.0 around (0.0, 0.0)"),
            (base.replacingOccurrences(of: "\"training\": {", with: "\"training\": {\"time_marching\": {\"windows\": [0, 0.5, 0.9]}, "),
             "training.time_marching.windows: the edges must run from the start 0 to the final time 1; found 0 … 0.9"),
            (base.replacingOccurrences(of: "\"training\": {", with: "\"training\": {\"time_marching\": {\"windows\": [0, 0.6, 0.5, 1]}, "),
             "training.time_marching.windows[2]: the edges must increase: 0.5 follows 0.6"),
            (base.replacingOccurrences(of: "\"training\": {", with: "\"training\": {\"time_marching\": {\"windows\": 1}, "),
             "training.time_marching.windows: expected a number of equal windows (2 to 1000) or the list of edges [t0, t1, …, T] from the start to the final time"),
            (base.replacingOccurrences(of: "\"training\": {", with: "\"training\": {\"time_marching\": {\"windows\": 2.5}, "),
             "training.time_marching.windows: expected a number of equal windows (2 to 1000) or the list of edges [t0, t1, …, T] from the start to the final time"),
            (base.replacingOccurrences(of: "\"training\": {", with: "\"training\": {\"causal\": {\"epsilon\": [1, 0.1]}, "),
             "training.causal.epsilon: the schedule must increase, found [1, 0.1]"),
            (base.replacingOccurrences(of: "\"training\": {", with: "\"training\": {\"causal\": {\"threshold\": 1.5}, "),
             "training.causal.threshold: must lie in (0, 1), found 1.5"),
            (steady.replacingOccurrences(of: "\"training\": {", with: "\"training\": {\"causal\": true, "),
             "training.causal: weights time slices of a time-dependent problem; this problem has no \"time\""),
            (steady.replacingOccurrences(of: "\"training\": {", with: "\"training\": {\"time_marching\": {\"windows\": 2}, "),
             "training.time_marching: splits the time range of a time-dependent problem; this problem has no \"time\""),
            (base.replacingOccurrences(of: "\"training\": {", with: "\"output\": {\"grid\": [11, 0]}, \"training\": {"),
             "output.grid[1]: expected a whole number of grid points from 2 to 100000, found 0"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try ProblemFile.parse(text, path: "t.json"), message) { error in
                XCTAssertEqual((error as? ProblemFileError)?.description, "t.json: \(message)")
            }
        }
    }
}
