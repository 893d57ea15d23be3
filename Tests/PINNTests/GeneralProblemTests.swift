import Foundation
import XCTest
@testable import PINN

/// The general problem model: fields, equations and conditions on regions, in problem files and through the
/// solver; the scalar short form as its abbreviation.
final class GeneralProblemTests: XCTestCase {
    private static let common = """
      "domain": {"type": "rectangle", "x": [0, 1], "y": [0, 1]},
      "network": {"hidden_layers": [8, 8], "activation": "tanh"},
      "collocation": {"interior": 60, "boundary": 24, "distribution": "sobol"},
      "training": {"stages": [{"optimizer": "adam", "iterations": 20, "learning_rate": 0.01},
                              {"optimizer": "lm", "iterations": 5}]},
      "output": {"grid": [11, 11]}
    """
    private static let forcing = "2*pi^2*sin(pi*x)*sin(pi*y) + (sin(pi*x)*sin(pi*y) + x*y)^3"

    private func solve(_ text: String, path: String = "test.json") throws -> Solution {
        let file = try ProblemFile.parse(text, path: path)
        return try Solver(problem: file.problem, configuration: file.configuration).solve()
    }

    /// The same nonlinear scalar problem written in the short form (pde, forcing, boundary_value) and in the
    /// general form (one equation, one Dirichlet condition on the boundary) trains to bit-identical parameters.
    func testShortAndGeneralFormsOfAScalarProblemGiveBitIdenticalResults() throws {
        let short = try solve("""
        {"pde": {"type": "custom", "residual": "-(u_xx + u_yy) + u^3"},
         "forcing": "\(Self.forcing)", "boundary_value": "x*y",
        \(Self.common)}
        """)
        let general = try solve("""
        {"fields": ["u"],
         "equations": [{"residual": "-(u_xx + u_yy) + u^3", "value": "\(Self.forcing)"}],
         "conditions": [{"on": "boundary", "type": "dirichlet", "field": "u", "value": "x*y"}],
        \(Self.common)}
        """)
        XCTAssertEqual(short.report.iterations, 25)
        XCTAssertEqual(general.network.parameters, short.network.parameters)
        XCTAssertEqual(general.report.history.map(\.loss), short.report.history.map(\.loss))
        XCTAssertEqual(general.report.lossNames, ["pde", "u_boundary"])
        XCTAssertEqual(short.report.lossNames, ["pde", "boundary"])
    }

    /// −Δu = f on [0, 1]² with u* = sin πx sin πy + x y: Dirichlet on the left face, Neumann on the bottom, Robin
    /// on the right, a residual condition (the flux plus u) on the top selected by a predicate, and a point
    /// value; each, after training, holds at its own points (|r − g| small against the data's size).
    func testEachConditionKindOnANamedPartIsSatisfiedByATrainedSolution() throws {
        let text = """
        {"equations": [{"residual": "-(u_xx + u_yy)"}],
         "conditions": [
           {"on": ["left"], "type": "dirichlet"},
           {"on": ["bottom"], "type": "neumann"},
           {"on": ["right"], "type": "robin", "alpha": 1, "beta": 0.5},
           {"name": "top_flux", "on": {"where": "y = 1"}, "type": "residual", "residual": "n_x*u_x + n_y*u_y + u"},
           {"name": "centre", "on": {"point": [0.5, 0.5]}, "type": "dirichlet", "field": "u"}
         ],
         "exact_solution": {"u": "sin(pi*x)*sin(pi*y) + x*y"},
         "domain": {"type": "rectangle", "x": [0, 1], "y": [0, 1]},
         "network": {"hidden_layers": [16, 16], "activation": "tanh"},
         "collocation": {"interior": 300, "boundary": 160, "distribution": "sobol"},
         "loss": {"boundary_weight": 10},
         "training": {"stages": [{"optimizer": "adam", "iterations": 200, "learning_rate": 0.01},
                                 {"optimizer": "lm", "iterations": 300}]},
         "output": {"grid": [41, 41]}
        }
        """
        let file = try ProblemFile.parse(text, path: "parts.json")
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        let collocation = solver.makeCollocation()
        let terms = solver.makeTerms(collocation)
        XCTAssertEqual(terms.map(\.name), ["pde", "u_left", "u_bottom", "u_right", "top_flux", "centre"])
        // Points of each part lie where they should; the predicate picked the top face's share of the boundary.
        let d = 2
        func column(_ k: Int, _ axis: Int) -> [Double] { stride(from: axis, to: terms[k].points.count, by: d).map { terms[k].points[$0] } }
        XCTAssertEqual(Set(column(1, 0)), [0])
        XCTAssertEqual(Set(column(2, 1)), [0])
        XCTAssertEqual(Set(column(3, 0)), [1])
        XCTAssertEqual(Set(column(4, 1)), [1])
        XCTAssertEqual(terms[1].count, 40)  // a quarter of the 160 boundary points
        XCTAssertGreaterThan(terms[4].count, 20)
        XCTAssertEqual(terms[5].points, [0.5, 0.5])

        let solution = solver.solve()
        for (k, term) in terms.enumerated() {
            let misfit = term.residuals(of: solution.network).map(abs).max()!
            let size = max(1, term.targets.map(abs).max()!)
            XCTAssertLessThan(misfit / size, 2e-4, "\(term.name): max |r − g| = \(misfit)")
        }
        let error = solution.errors(at: solver.evaluationPointsInDomain())!
        XCTAssertLessThan(error.relativeL2, 1e-4)
    }

    /// Observations from a CSV file (one column missing at some rows) feed data terms per field; with the
    /// unknown in the equation, the coefficient is identified.
    func testObservationsFromACSVFileIdentifyAnUnknownCoefficient() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pinn-obs-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // u = sin(πx) on [0, 1] solves u'' + k²u = 0 with k = π; v = cos(πx) is observed too, where present.
        var csv = "x,u,v\n"
        var rng = Xoshiro256(seed: 5)
        for i in 0..<40 {
            let x = rng.nextUniform()
            csv += "\(x),\(sin(.pi * x)),\(i % 3 == 0 ? "" : "\(cos(.pi * x))")\n"
        }
        try csv.write(to: folder.appendingPathComponent("obs.csv"), atomically: true, encoding: .utf8)
        let text = """
        {"domain": {"type": "interval", "x": [0, 1]},
         "fields": ["u", "v"], "unknowns": {"k": {"initial": 2.5, "positive": true}},
         "equations": [{"residual": "u_xx + k^2*u"}, {"residual": "v - u_x/k"}],
         "conditions": [{"on": {"observations": "obs.csv"}, "weight": 10}],
         "network": {"hidden_layers": [16, 16], "activation": "tanh"},
         "collocation": {"interior": 64, "distribution": "sobol"},
         "training": {"stages": [{"optimizer": "adam", "iterations": 300, "learning_rate": 0.01},
                                 {"optimizer": "lm", "iterations": 200}]},
         "output": {"grid": [101]}
        }
        """
        let file = try ProblemFile.parse(text, path: folder.appendingPathComponent("inverse.json").path)
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        XCTAssertEqual(solver.constraints.map(\.name), ["equation_1", "equation_2", "data_u", "data_v"])
        XCTAssertEqual(solver.constraints[2].observed?.count, 40)
        XCTAssertEqual(solver.constraints[3].observed?.count, 26)  // every third row has no v
        let solution = solver.solve()
        XCTAssertEqual(solution.network.unknowns[0], .pi, accuracy: 1e-4)
    }

    /// Conditions on edges of a polygon: the L-shape's bottom edge (0, length 2) and the re-entrant edges (2 and 3,
    /// length 1 each) get their share of the 80 boundary points (perimeter 8) and lie on their edges, with the
    /// edges' outward normals.
    func testConditionsOnPolygonEdges() throws {
        let text = """
        {"domain": {"type": "polygon", "vertices": [[-1, -1], [1, -1], [1, 0], [0, 0], [0, 1], [-1, 1]]},
         "equations": [{"residual": "-(u_xx + u_yy) - 1"}],
         "conditions": [{"on": {"edges": [0]}, "type": "dirichlet", "value": "0"},
                        {"on": {"edges": [2, 3]}, "type": "neumann", "value": "0"}],
         "network": {"hidden_layers": [8]}, "collocation": {"interior": 50, "boundary": 80},
         "training": {"stages": [{"optimizer": "adam", "iterations": 2, "learning_rate": 0.01}]}}
        """
        let file = try ProblemFile.parse(text, path: "edges.json")
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        let terms = solver.makeTerms(solver.makeCollocation())
        XCTAssertEqual(terms.map(\.name), ["pde", "u_edges_0", "u_edges_2_3"])
        XCTAssertEqual(terms[1].count, 20)
        XCTAssertEqual(terms[2].count, 20)
        for p in 0..<20 {
            XCTAssertEqual(terms[1].points[2 * p + 1], -1, "on the bottom edge")
            let (x, y) = (terms[2].points[2 * p], terms[2].points[2 * p + 1])
            XCTAssertTrue((y == 0 && x >= 0 && x <= 1) || (x == 0 && y >= 0 && y <= 1), "(\(x), \(y)) on edge 2 or 3")
            let normal = Array(terms[2].normals[(2 * p)..<(2 * p + 2)])
            XCTAssertEqual(normal, y == 0 && x > 0 ? [0, 1] : [1, 0], "into the notch")
        }
    }

    /// Observations from an HDF5 file: one dataset per column at the root, NaN where a field was not observed.
    func testObservationsFromAnHDF5File() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pinn-obs5-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let h5 = try HDF5File.create(folder.appendingPathComponent("obs.h5").path)
        try h5.write("/x", [0.1, 0.5, 0.9])
        try h5.write("/y", [0.2, 0.4, 0.6])
        try h5.write("/v", [1, .nan, 3])
        h5.close()
        let text = """
        {"fields": ["u", "v"], "equations": [{"residual": "u_x + v_y"}, {"residual": "v - u"}],
         "conditions": [{"on": {"observations": "obs.h5"}, "name": "probe"}],
        \(Self.common)}
        """
        let file = try ProblemFile.parse(text, path: folder.appendingPathComponent("p.json").path)
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        let data = solver.constraints.last!
        XCTAssertEqual(data.name, "probe_v")
        XCTAssertEqual(data.field, 1)
        XCTAssertEqual(data.observed, [1, 3])
        guard case let .points(points) = data.region else { return XCTFail("observations are a points region") }
        XCTAssertEqual(points, [0.1, 0.2, 0.9, 0.6])
    }

    /// A three-field result file holds every field, its exact values and error, and each equation's residual,
    /// and the XDMF sidecar lists them; `pinn eval` prints every field and its derivatives.
    func testASystemsResultFileHoldsEveryFieldAndEquation() throws {
        let kovasznay = CommandLineTestCase.repository.appendingPathComponent("problems/kovasznay.json").path
        var file = try ProblemFile.load(path: kovasznay)
        file.configuration.stages = Solve_truncate(file.configuration.stages, 3)
        file.configuration.evaluationResolution = [16, 21]
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        let solution = solver.solve()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pinn-sys-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("k.h5").path
        try ResultFile.write(solution, grid: solver.evaluationGrid(),
                             info: .init(problemText: file.text, problemPath: kovasznay, description: "", seed: 0, threads: 1),
                             to: path)
        let h5 = try HDF5File.open(path)
        defer { h5.close() }
        for name in ["u", "v", "p", "u_exact", "p_abs_error", "residual_momentum_x", "residual_continuity"] {
            XCTAssertEqual(try h5.read("/solution/" + name).shape, [21, 16], name)
        }
        for name in ["rel_l2_u", "rel_l2_v", "rel_l2_p", "loss_momentum_y", "loss_pressure_gauge"] {
            XCTAssertTrue(h5.exists("/history/" + name), name)
        }
        XCTAssertEqual(try h5.stringAttribute("fields"), "u,v,p")
        let worst = try h5.numberAttribute("final_rel_l2")
        let perField = try ["u", "v", "p"].map { try h5.numberAttribute("final_rel_l2_\($0)") }
        XCTAssertEqual(worst, perField.max()!)
        let xmf = try String(contentsOfFile: folder.appendingPathComponent("k.xmf").path, encoding: .utf8)
        XCTAssertTrue(xmf.contains("k.h5:/mesh/residual_momentum_y"))
        XCTAssertTrue(xmf.contains("<Attribute Name=\"v_abs_error\""))
        // The exact solution on the grid is the closed form, independently computed here.
        let lambda = 20 - (400 + 4 * Double.pi * Double.pi).squareRoot()
        let grid = solver.evaluationGrid().points
        let p = try h5.read("/solution/p_exact").values
        for q in stride(from: 0, to: p.count, by: 37) {
            XCTAssertEqual(p[q], 0.5 * (1 - exp(2 * lambda * grid[2 * q])), accuracy: 1e-12)
        }
    }

    private func Solve_truncate(_ stages: [TrainingStage], _ n: Int) -> [TrainingStage] {
        var stage = stages[0]
        stage.iterations = n
        return [stage]
    }
}
