import Foundation
import XCTest
@testable import PINN

/// Causal weighting by time slices, time marching, the periodic problem-file section, comparison with reference
/// files, and the reference scripts themselves.
final class CausalAndMarchingTests: XCTestCase {
    /// A 1D heat problem u_t = u_xx on [0, 1] × [0, 0.2] with the closed form e^{−π²t} sin πx.
    private static func heat(training: String = "", stages: String = "{\"optimizer\": \"adam\", \"iterations\": 150, \"learning_rate\": 0.01}, {\"optimizer\": \"lm\", \"iterations\": 80}") -> String {
        """
        {"domain": {"type": "interval", "x": [0, 1]}, "time": [0, 0.2],
         "equations": [{"residual": "u_t - u_xx"}],
         "conditions": [{"on": "boundary", "type": "dirichlet"}, {"on": "initial", "type": "dirichlet"}],
         "exact_solution": "exp(-pi^2*t)*sin(pi*x)",
         "network": {"hidden_layers": [12, 12]}, "collocation": {"interior": 300, "boundary": 60, "initial": 60, "distribution": "sobol"},
         "loss": {"boundary_weight": 10},
         "training": {\(training) "stages": [\(stages)]},
         "output": {"grid": [21, 11]}}
        """
    }

    /// wᵢ = exp(−ε Σ_{k<i} Lₖ), by hand; the floor keeps them measurable.
    func testCausalWeightsAgainstAHandComputation() {
        let w = CausalTraining.weights(sliceLosses: [0.5, 1.0, 2.0, 4.0], epsilon: 0.3)
        let expected = [1, exp(-0.3 * 0.5), exp(-0.3 * 1.5), exp(-0.3 * 3.5)]
        for (a, b) in zip(w, expected) { XCTAssertEqual(a, b, accuracy: 1e-15) }
        XCTAssertEqual(CausalTraining.weights(sliceLosses: [1e3, 1], epsilon: 100), [1, CausalTraining.weightFloor])
        XCTAssertEqual(CausalTraining.slice(of: 0.2, start: 0, end: 0.2, count: 4), 3)
        XCTAssertEqual(CausalTraining.slice(of: 0.0499, start: 0, end: 0.2, count: 4), 0)
        XCTAssertEqual(CausalTraining.slice(of: 0.05, start: 0, end: 0.2, count: 4), 1)
    }

    /// The split terms: every point of the equation lands in the slice of its time; with all weights 1 the loss is
    /// the plain loss; after an update the slice losses and weights equal those computed here from the residuals,
    /// and ε moves on once every weight exceeds the threshold.
    func testCausalSlicesKeepThePlainLossAndWeightAsComputedByHand() throws {
        let file = try ProblemFile.parse(Self.heat(training: "\"causal\": {\"slices\": 5, \"epsilon\": [1, 1000], \"threshold\": 0.5},"),
                                         path: "heat.json")
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        let domain = file.problem.domain as! SpaceTime
        let terms = solver.makeTerms(solver.makeCollocation())
        let (split, weighting) = file.configuration.causal!.split(terms, equationCount: 1, domain: domain)
        XCTAssertEqual(split.count, 5 + 2)
        XCTAssertEqual(split.prefix(5).reduce(0) { $0 + $1.count }, terms[0].count)
        for (i, term) in split.prefix(5).enumerated() {
            XCTAssertEqual(term.name, "pde_t\(i)")
            for p in 0..<term.count {
                let t = term.points[2 * p + 1]
                XCTAssertTrue(t >= 0.04 * Double(i) && (t < 0.04 * Double(i + 1) || i == 4), "slice \(i): t = \(t)")
            }
        }
        let net = solver.makeNetwork()
        let plain = Objective(layout: net.layout, terms: terms).evaluate(net, gradient: nil)
        let objective = Objective(layout: net.layout, terms: split)
        let sliced = objective.evaluate(net, gradient: nil)
        XCTAssertEqual(sliced.prefix(5).reduce(0, +), plain[0], accuracy: 1e-12 * plain[0])
        XCTAssertEqual(Array(sliced.suffix(2)), Array(plain.suffix(2)))
        // Slice losses by hand: the mean squared residual of each slice's points.
        let byHand = split.prefix(5).map { term in term.residuals(of: net).reduce(0) { $0 + $1 * $1 } / Double(term.count) }
        XCTAssertEqual(weighting.epsilon, 1)
        weighting.update(objective, termLosses: sliced)
        for (a, b) in zip(weighting.sliceLosses(termLosses: objective.evaluate(net, gradient: nil)), byHand) {
            XCTAssertEqual(a, b, accuracy: 1e-12 * b)
        }
        // ε = 1 gives weights above 0.5 only if the losses are small; the untrained network's are not, so check
        // whichever case holds against the hand computation at the level reached.
        let expected = CausalTraining.weights(sliceLosses: byHand, epsilon: weighting.epsilon)
        for (a, b) in zip(weighting.weights, expected) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        XCTAssertEqual(weighting.level, CausalTraining.weights(sliceLosses: byHand, epsilon: 1).min()! > 0.5 ? 1 : 0)
        let weighted = objective.evaluate(net, gradient: nil)
        for i in 0..<5 { XCTAssertEqual(weighted[i], sliced[i] * expected[i], accuracy: 1e-12 * max(sliced[i], 1e-300)) }
        // A tiny loss: every weight above the threshold at ε = 1, so the schedule moves to ε = 1000.
        let small = sliced.enumerated().map { $0.offset < 5 ? $0.element * 1e-6 / expected[$0.offset] : $0.element }
        weighting.update(objective, termLosses: small)
        XCTAssertEqual(weighting.level, 1)
        XCTAssertEqual(weighting.epsilon, 1000)
    }

    /// Causal training runs through Adam and Levenberg–Marquardt segments and records ε and the weights.
    func testCausalTrainingRecordsItsWeightsAndTrains() throws {
        let file = try ProblemFile.parse(Self.heat(training: "\"causal\": {\"slices\": 8, \"lm_segment\": 10},"), path: "heat.json")
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        let solution = solver.solve()
        XCTAssertEqual(solution.report.iterations, 230)
        let error = solution.errors(at: solver.evaluationPointsInDomain())!
        XCTAssertLessThan(error.relativeL2, 1e-2)
        let last = solution.report.history.last!
        XCTAssertEqual(last.causalWeights.count, 8)
        XCTAssertEqual(last.causalWeights[0], 1)
        XCTAssertNotNil(last.causalEpsilon)
        XCTAssertEqual(solution.report.lossNames.prefix(2), ["pde_t0", "pde_t1"])
    }

    /// Time marching over two windows: each window's network is continuous with the previous one at the edge (to
    /// the accuracy of the initial-condition fit), each point is evaluated by its window's network, the result
    /// file stores both and `readModel` gives back the same predictions.
    func testTimeMarchingIsContinuousAcrossWindowsAndRoundTrips() throws {
        let text = Self.heat(training: "\"time_marching\": {\"windows\": [0, 0.08, 0.2]},")
        let file = try ProblemFile.parse(text, path: "heat.json")
        XCTAssertEqual(file.configuration.timeWindows, [0, 0.08, 0.2])
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        let solution = solver.solve()
        XCTAssertEqual(solution.windowNetworks.count, 2)
        XCTAssertEqual(solution.report.iterations, 2 * 230)
        let model = solution.model
        XCTAssertEqual(model.window(of: 0.0799), 0)
        XCTAssertEqual(model.window(of: 0.08), 1)
        XCTAssertEqual(model.window(of: 0.2), 1)
        // Continuity at t = 0.08: both networks there, against each other and the closed form.
        let xs = (0...20).map { Double($0) / 20 }
        let edge = xs.flatMap { [$0, 0.08] }
        let first = NetworkEvaluator(layout: model.layout).evaluate(model.networks[0], at: edge)[0]
        let second = NetworkEvaluator(layout: model.layout).evaluate(model.networks[1], at: edge)[0]
        let jump = zip(first, second).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(jump, 2e-3, "the marched solution jumps by \(jump) at the window edge")
        // Each point by its window's network.
        let probe = [0.3, 0.05, 0.3, 0.15]
        let both = model.evaluateFields(at: probe)[0][0]
        XCTAssertEqual(both[0], model.networks[0]([0.3, 0.05]), accuracy: 1e-12)
        XCTAssertEqual(both[1], model.networks[1]([0.3, 0.15]), accuracy: 1e-12)
        let error = solution.errors(at: solver.evaluationPointsInDomain())!
        XCTAssertLessThan(error.relativeL2, 1e-2)
        // The result file: two models, the edges, and the same predictions read back.
        let (path, folder) = try writeTemporaryResult(solution, solver: solver, problemText: text, name: "march")
        defer { try? FileManager.default.removeItem(at: folder) }
        let read = try ResultFile.readModel(path: path)
        XCTAssertEqual(read.windowEdges, [0, 0.08, 0.2])
        XCTAssertEqual(read.evaluateFields(at: probe)[0][0], both)
        XCTAssertThrowsError(try ResultFile.readNetwork(path: path))
    }

    /// A periodic coordinate in a problem file: the network reads its embedding, and the trained solution of a
    /// periodic heat problem (no boundary condition at all) is equal at both ends.
    func testPeriodicProblemFileTrainsAPeriodicSolution() throws {
        let text = """
        {"domain": {"type": "interval", "x": [-1, 1]}, "time": [0, 0.1], "periodic": [{"coordinate": "x", "harmonics": 2}],
         "equations": [{"residual": "u_t - 0.5*u_xx"}],
         "conditions": [{"on": "initial", "type": "dirichlet"}],
         "exact_solution": "exp(-0.5*pi^2*t)*sin(pi*x) + 0.3",
         "network": {"hidden_layers": [10, 10]}, "collocation": {"interior": 200, "initial": 50, "distribution": "sobol"},
         "training": {"stages": [{"optimizer": "adam", "iterations": 100, "learning_rate": 0.01}, {"optimizer": "lm", "iterations": 60}]},
         "output": {"grid": [21, 5]}}
        """
        let file = try ProblemFile.parse(text, path: "periodic.json")
        XCTAssertEqual(file.problem.periodic, [PeriodicEmbedding.Coordinate(index: 0, period: 2, harmonics: 2)])
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        let solution = solver.solve()
        XCTAssertEqual(solution.network.layout.featureCount, 5)
        for t in [0.0, 0.05, 0.1] {
            let ends = solution.evaluate(at: [-1, t, 1, t], streams: .gradient)
            XCTAssertEqual(ends[0][0], ends[0][1], accuracy: 1e-13)
            XCTAssertEqual(ends[1][0], ends[1][1], accuracy: 1e-12)
        }
        XCTAssertLessThan(solution.errors(at: solver.evaluationPointsInDomain())!.relativeL2, 1e-2)
    }

    /// `ReferenceComparison` on a reference file written here from the closed form: the errors equal those computed
    /// directly from the model at the same points; missing axes and wrong shapes are refused.
    func testComparisonWithAReferenceFile() throws {
        let file = try ProblemFile.parse(Self.heat(stages: "{\"optimizer\": \"adam\", \"iterations\": 40, \"learning_rate\": 0.01}"), path: "heat.json")
        let solution = try Solver(problem: file.problem, configuration: file.configuration).solve()
        let xs = (0..<13).map { Double($0) / 12 }, ts = (0..<7).map { 0.2 * Double($0) / 6 }
        let points = ts.flatMap { t in xs.flatMap { [$0, t] } }
        let exact = (0..<(points.count / 2)).map { exp(-Double.pi * Double.pi * points[2 * $0 + 1]) * sin(Double.pi * points[2 * $0]) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pinn-ref-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ref.h5").path
        let h5 = try HDF5File.create(path)
        try h5.write("/grid/x", xs)
        try h5.write("/grid/t", ts)
        try h5.write("/solution/u", exact, shape: [7, 13])
        try h5.write("/solution/v", exact, shape: [13, 7])
        h5.close()
        let reference = try HDF5File.open(path)
        defer { reference.close() }
        let result = try ReferenceComparison.compare(solution.model, coordinates: ["x", "t"], fields: ["u"], reference: reference)
        let direct = ErrorMetrics(prediction: solution.predict(at: points), exact: exact)
        XCTAssertEqual(result[0].metrics.relativeL2, direct.relativeL2, accuracy: 1e-14)
        XCTAssertEqual(result[0].metrics.maxError, direct.maxError, accuracy: 1e-14)
        XCTAssertEqual(result[0].pointCount, 91)
        XCTAssertEqual(result[0].sliceErrors.count, 7)
        let lastSlice = ErrorMetrics(prediction: Array(solution.predict(at: points).suffix(13)), exact: Array(exact.suffix(13)))
        XCTAssertEqual(result[0].sliceErrors[6], lastSlice.relativeL2, accuracy: 1e-14)
        XCTAssertThrowsError(try ReferenceComparison.compare(solution.model, coordinates: ["x", "s"], fields: ["u"], reference: reference))
        XCTAssertThrowsError(try ReferenceComparison.compare(solution.model, coordinates: ["x", "t"], fields: ["v"], reference: reference))
        XCTAssertThrowsError(try ReferenceComparison.compare(solution.model, coordinates: ["x", "t"], fields: ["w"], reference: reference))
    }

    /// The reference scripts check themselves against closed forms (Cole–Hopf with a closed-form pair and the
    /// published steepest slope of Burgers; ETDRK4 on the heat equation and on advection–diffusion). Needs python3
    /// with numpy (the CI installs python3-numpy).
    func testReferenceScriptsPassTheirClosedFormChecks() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for script in ["burgers.py", "allen_cahn.py", "kuramoto_sivashinsky.py"] {
            let (status, text) = try runProcess("/usr/bin/env", ["python3", "scripts/references/\(script)", "--check"],
                                                in: repository)
            if text.contains("No module named 'numpy'") || text.contains("No such file") {
                throw XCTSkip("python3 with numpy is not installed: \(text)")
            }
            XCTAssertEqual(status, 0, "\(script): \(text)")
        }
    }
}

extension CausalAndMarchingTests {
    /// The XDMF sidecar of a 2D-in-space time-dependent result is a temporal collection: one grid per output time,
    /// with that time's value, the spatial mesh, and each field's values at that time (/mesh/step_k/NAME).
    func testTheSidecarOfA2DEvolutionProblemIsATemporalCollection() throws {
        let text = """
        {"domain": {"type": "rectangle", "x": [0, 1], "y": [0, 2]}, "time": [0, 0.5],
         "equations": [{"residual": "u_t - (u_xx + u_yy)"}],
         "conditions": [{"on": "boundary", "type": "dirichlet"}, {"on": "initial", "type": "dirichlet"}],
         "exact_solution": "exp(-2*pi^2*t)*sin(pi*x)*sin(pi*y)",
         "network": {"hidden_layers": [6]}, "collocation": {"interior": 50, "boundary": 20, "initial": 20},
         "training": {"stages": [{"optimizer": "adam", "iterations": 2, "learning_rate": 0.01}]},
         "output": {"grid": [5, 4, 3]}}
        """
        let file = try ProblemFile.parse(text, path: "heat2d.json")
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        let (path, folder) = try writeTemporaryResult(solver.solve(), solver: solver, problemText: text, name: "heat2d")
        defer { try? FileManager.default.removeItem(at: folder) }
        let xmf = try String(contentsOfFile: path.replacingOccurrences(of: ".h5", with: ".xmf"), encoding: .utf8)
        XCTAssertTrue(xmf.contains("<Grid Name=\"pinn\" GridType=\"Collection\" CollectionType=\"Temporal\">"))
        XCTAssertEqual(xmf.components(separatedBy: "<Time Value=").count - 1, 3)
        for (k, t) in [0.0, 0.25, 0.5].enumerated() {
            XCTAssertTrue(xmf.contains("<Grid Name=\"t\(k)\" GridType=\"Uniform\">\n        <Time Value=\"\(t)\"/>"), "step \(k)")
            XCTAssertTrue(xmf.contains("heat2d.h5:/mesh/step_\(k)/u</DataItem>"), "step \(k)")
        }
        XCTAssertEqual(xmf.components(separatedBy: "<Topology TopologyType=\"Quadrilateral\" NumberOfElements=\"12\" NodesPerElement=\"4\">").count - 1, 3)
        XCTAssertTrue(xmf.contains("<DataItem Dimensions=\"20 2\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">heat2d.h5:/mesh/points</DataItem>"))
        XCTAssertTrue(xmf.contains("heat2d.h5:/mesh/step_2/abs_error"))
        XCTAssertFalse(xmf.contains("/grid/t"), "time is the collection's, not a mesh axis")
        let h5 = try HDF5File.open(path)
        defer { h5.close() }
        // Step k's flat values are slice k of the (nt, ny, nx) dataset.
        let u = try h5.read("/solution/u").values
        for k in 0..<3 { XCTAssertEqual(try h5.read("/mesh/step_\(k)/u").values, Array(u[(20 * k)..<(20 * k + 20)])) }
        XCTAssertEqual(try h5.read("/mesh/points").values.prefix(6), [0, 0, 0.25, 0, 0.5, 0])
        XCTAssertEqual(try h5.read("/solution/u").shape, [3, 4, 5])
    }
}
