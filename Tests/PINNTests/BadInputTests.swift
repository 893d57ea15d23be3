import Foundation
import XCTest
@testable import PINN

/// The bad-input table: every mistake gets a message naming the file, the field and what is allowed, a non-zero
/// exit code, and nothing written. Messages and codes are checked verbatim.
final class BadInputTests: CommandLineTestCase {
    private static let base = """
    {
      "pde": {"type": "poisson"},
      "domain": {"type": "rectangle", "x": [0, 1], "y": [0, 1]},
      "exact_solution": "sin(pi*x)*sin(pi*y)",
      "network": {"hidden_layers": [8, 8], "activation": "tanh"},
      "collocation": {"interior": 50, "boundary": 20},
      "training": {"stages": [{"optimizer": "adam", "iterations": 5, "learning_rate": 0.001}]},
      "output": {"grid": [11, 11]}
    }
    """

    /// (case name, file text, expected stderr after "error: <name>.json: ", exit code)
    private static let cases: [(String, String, String, Int32)] = [
        ("malformed", "{\"pde\": {\"type\": \"poisson\"},\n  \"domain\": }",
         "malformed JSON at line 2, column 13: unexpected character '}'", 2),
        ("trailing-comma", "{\"pde\": {\"type\": \"poisson\"},}",
         "malformed JSON at line 1, column 29: expected a quoted key", 2),
        ("duplicate-key", "{\"seed\": 1, \"seed\": 2}",
         "malformed JSON at line 1, column 13: duplicate key \"seed\"", 2),
        ("missing-training", base.replacingOccurrences(of: ",\n  \"training\": {\"stages\": [{\"optimizer\": \"adam\", \"iterations\": 5, \"learning_rate\": 0.001}]}", with: ""),
         "training: required field is missing", 2),
        ("unknown-key", base.replacingOccurrences(of: "\"network\"", with: "\"netwrk\": 1, \"network\""),
         "netwrk: unknown key; allowed here: boundary_condition, boundary_conditions, boundary_value, collocation, conditions, data, description, diagnostics, domain, equations, exact_solution, fields, forcing, loss, network, output, parameters, pde, periodic, seed, time, training, unknowns", 2),
        ("wrong-type", base.replacingOccurrences(of: "\"interior\": 50", with: "\"interior\": \"many\""),
         "collocation.interior: expected a number, found a string", 2),
        ("unknown-face", base.replacingOccurrences(of: "\"network\"", with: "\"boundary_conditions\": [{\"faces\": [\"left\", \"north\"], \"type\": \"dirichlet\"}], \"network\""),
         "boundary_conditions[0].faces[1]: unknown face \"north\"; allowed for this 2D box: left, right, bottom, top", 2),
        ("face-twice", base.replacingOccurrences(of: "\"network\"", with: "\"boundary_conditions\": [{\"faces\": [\"left\"], \"type\": \"dirichlet\"}, {\"faces\": [\"top\", \"left\"], \"type\": \"neumann\"}], \"network\""),
         "boundary_conditions[1].faces[1]: face 'left' already has a condition in boundary_conditions[0]; give each face one condition", 2),
        ("faces-of-a-disk", base.replacingOccurrences(of: "{\"type\": \"rectangle\", \"x\": [0, 1], \"y\": [0, 1]}", with: "{\"type\": \"disk\", \"center\": [0, 0], \"radius\": 1}")
            .replacingOccurrences(of: "\"network\"", with: "\"boundary_conditions\": [{\"faces\": [\"left\"], \"type\": \"dirichlet\"}], \"network\""),
         "boundary_conditions: named boundary parts need an interval, rectangle or box domain; the domain is a disk of radius 1.0 around (0.0, 0.0)", 2),
        ("both-boundary-keys", base.replacingOccurrences(of: "\"network\"", with: "\"boundary_condition\": {\"type\": \"neumann\"}, \"boundary_conditions\": [{\"faces\": [\"left\"], \"type\": \"dirichlet\"}], \"network\""),
         "boundary_conditions: give either boundary_condition (the whole boundary) or boundary_conditions (named faces), not both", 2),
        ("unknown-not-read", base.replacingOccurrences(of: "{\"type\": \"poisson\"}", with: "{\"type\": \"custom\", \"residual\": \"-u_xx - u_yy\"}, \"unknowns\": {\"k\": 0.5}, \"forcing\": \"1\""),
         "pde.residual: does not read the unknown 'k'; an unknown must appear in the residual", 2),
        ("unknown-with-builtin-pde", base.replacingOccurrences(of: "{\"type\": \"poisson\"}", with: "{\"type\": \"poisson\"}, \"unknowns\": {\"k\": 0.5}"),
         "unknowns: are read by a custom PDE's residual formula; the pde is poisson (write it as \"type\": \"custom\" with the unknown in the formula)", 2),
        ("unknown-without-forcing", base.replacingOccurrences(of: "{\"type\": \"poisson\"}", with: "{\"type\": \"custom\", \"residual\": \"-u_xx - k*u_yy\"}, \"unknowns\": {\"k\": 0.5}"),
         "forcing: required with unknowns: the forcing cannot be derived from the exact solution while a coefficient is unknown", 2),
        ("unknown-is-a-parameter", base.replacingOccurrences(of: "{\"type\": \"poisson\"}", with: "{\"type\": \"poisson\"}, \"parameters\": {\"k\": 1}, \"unknowns\": {\"k\": 0.5}"),
         "unknowns.k: 'k' is also a parameter; a name is either a known constant or an unknown", 2),
        ("unknown-reserved", base.replacingOccurrences(of: "{\"type\": \"poisson\"}", with: "{\"type\": \"poisson\"}, \"unknowns\": {\"u_x\": 0.5}"),
         "unknowns.u_x: 'u_x' is reserved (coordinates, the fields u and their derivatives, pi, e, function names)", 2),
        ("unknown-pde", base.replacingOccurrences(of: "\"poisson\"", with: "\"wave\""),
         "pde.type: unknown value 'wave'; allowed: helmholtz, poisson, custom", 2),
        ("custom-without-residual", base.replacingOccurrences(of: "{\"type\": \"poisson\"}", with: "{\"type\": \"custom\"}"),
         "pde.residual: required for a custom PDE: a formula in the coordinates, u and its derivatives (u, u_x, u_y, u_xx, u_yy, u_xy, u_yx), e.g. \"-(u_xx + u_yy) + u^3\"", 2),
        ("custom-bad-variable", base.replacingOccurrences(of: "{\"type\": \"poisson\"}", with: "{\"type\": \"custom\", \"residual\": \"-u_xx + u_z\"}"),
         "pde.residual: unknown variable 'u_z' at position 9 in '-u_xx + u_z'; allowed: x, y, u, u_x, u_y, u_xx, u_yy, u_xy, u_yx, pi, e", 2),
        ("robin-without-beta", base.replacingOccurrences(of: "\"network\"", with: "\"boundary_condition\": {\"type\": \"robin\", \"alpha\": 1}, \"network\""),
         "boundary_condition.beta: required for a Robin condition α·u + β·∂u/∂n = g", 2),
        ("unknown-activation", base.replacingOccurrences(of: "\"tanh\"", with: "\"gelu\""),
         "network.activation: unknown value 'gelu'; allowed: tanh, sin, cos, sigmoid, silu, softplus, identity, relu", 2),
        ("unknown-optimizer", base.replacingOccurrences(of: "\"adam\"", with: "\"sgd\""),
         "training.stages[0].optimizer: unknown value 'sgd'; allowed: adam, lbfgs, lm", 2),
        ("lm-slope-recovery", base.replacingOccurrences(of: "{\"optimizer\": \"adam\", \"iterations\": 5, \"learning_rate\": 0.001}", with: "{\"optimizer\": \"lm\", \"iterations\": 5}")
            .replacingOccurrences(of: "\"output\"", with: "\"loss\": {\"slope_recovery\": 1}, \"output\""),
         "training.stages[0].optimizer: Levenberg–Marquardt needs a sum-of-squares loss; loss.slope_recovery is not one (set it to 0 or use adam/lbfgs)", 2),
        ("lm-too-large", base.replacingOccurrences(of: "{\"optimizer\": \"adam\", \"iterations\": 5, \"learning_rate\": 0.001}", with: "{\"optimizer\": \"lm\", \"iterations\": 5}")
            .replacingOccurrences(of: "[8, 8]", with: "[400, 400]"),
         // The budget is this machine's.
         "training.stages[0].optimizer: " + LevenbergMarquardt.memoryProblem(
            parameterCount: NetworkLayout(inputDimension: 2, hiddenWidths: [400, 400], termCounts: [1, 1]).parameterCount)!, 2),
        ("negative-count", base.replacingOccurrences(of: "\"interior\": 50", with: "\"interior\": -5"),
         "collocation.interior: must be a positive whole number, found -5", 2),
        ("zero-iterations", base.replacingOccurrences(of: "\"iterations\": 5", with: "\"iterations\": 0"),
         "training.stages[0].iterations: must be a positive whole number, found 0", 2),
        ("fractional-count", base.replacingOccurrences(of: "\"boundary\": 20", with: "\"boundary\": 20.5"),
         "collocation.boundary: expected a whole number, found 20.5", 2),
        ("non-finite", base.replacingOccurrences(of: "0.001", with: "1e999"),
         "malformed JSON at line 7, column 83: number '1e999' is out of range", 2),
        ("negative-rate", base.replacingOccurrences(of: "0.001", with: "-1"),
         "training.stages[0].learning_rate: must be positive, found -1", 2),
        ("formula-syntax", base.replacingOccurrences(of: "sin(pi*x)*sin(pi*y)", with: "sin(pi*x"),
         "exact_solution: expected ')' but found end of formula at position 9 in 'sin(pi*x'", 2),
        ("formula-function", base.replacingOccurrences(of: "sin(pi*x)*sin(pi*y)", with: "sinc(x)"),
         "exact_solution: unknown function 'sinc' at position 1 in 'sinc(x)'; allowed: sin, cos, tan, exp, log, sqrt, tanh, abs, sinh, cosh, asin, acos, atan", 2),
        ("formula-variable", base.replacingOccurrences(of: "sin(pi*x)*sin(pi*y)", with: "sin(q*x)"),
         "exact_solution: unknown variable 'q' at position 5 in 'sin(q*x)'; allowed: x, y, pi, e", 2),
        ("formula-nan", base.replacingOccurrences(of: "sin(pi*x)*sin(pi*y)", with: "log(x - 0.5)"),
         "exact_solution: formula 'log(x - 0.5)' is NaN at (x, y) = (0, 0)", 2),
        ("reversed-bounds", base.replacingOccurrences(of: "\"x\": [0, 1]", with: "\"x\": [1, 0]"),
         "domain.x: lower bound 1 must be below upper bound 0", 2),
        ("no-forcing", base.replacingOccurrences(of: "\"exact_solution\": \"sin(pi*x)*sin(pi*y)\",", with: ""),
         "forcing: required when 'exact_solution' is not given (give one or both)", 2),
        ("grid-dimension", base.replacingOccurrences(of: "[11, 11]", with: "[11]"),
         "output.grid: expected 2 numbers (points per axis of the 2D domain), found 1", 2),
        ("layer-width", base.replacingOccurrences(of: "[8, 8]", with: "[8, 0]"),
         "network.hidden_layers[1]: expected a positive whole number (a layer width), found 0", 2),
        ("not-an-object", "[1, 2]", "expected an object, found an array", 2),
        ("empty", "", "is empty; expected a JSON object, e.g. problems/helmholtz.json", 2),
        ("deep-json", String(repeating: "[", count: 30_000) + String(repeating: "]", count: 30_000),
         "malformed JSON at line 1, column 257: arrays and objects nested deeper than 256 levels", 2),
        ("deep-formula", base.replacingOccurrences(of: "\"sin(pi*x)*sin(pi*y)\"", with: "\"" + String(repeating: "(", count: 5000) + "x" + String(repeating: ")", count: 5000) + "\""),
         "exact_solution: nesting deeper than 200 levels (parentheses, function calls, signs and powers) at position 201 in '" + String(repeating: "(", count: 60) + "…' (10001 characters)", 2),
        ("huge-count", base.replacingOccurrences(of: "\"interior\": 50", with: "\"interior\": 1e15"),
         "collocation.interior: 1e+15 is too large: whole numbers here are below 10^15 (sizes are also limited by memory, checked before the run)", 2),
        ("million-threads", base.replacingOccurrences(of: "\"stages\"", with: "\"threads\": 1000000, \"stages\""),
         "training.threads: must be at most 1024, found 1000000", 2),
        ("bow-tie", base.replacingOccurrences(of: "{\"type\": \"rectangle\", \"x\": [0, 1], \"y\": [0, 1]}", with: "{\"type\": \"polygon\", \"vertices\": [[0, 0], [1, 1], [1, 0], [0, 1]]}"),
         "domain.vertices: edge 0 ([0.0, 0.0] → [1.0, 1.0]) and edge 2 ([1.0, 0.0] → [0.0, 1.0]) cross, touch or overlap; the polygon must be simple (not intersect itself)", 2),
        ("infinite-on-grid", base.replacingOccurrences(of: "\"exact_solution\": \"sin(pi*x)*sin(pi*y)\"", with: "\"forcing\": \"1/(x*y)\", \"boundary_value\": \"0\""),
         "forcing: formula '1/(x*y)' is infinite at (x, y) = (0, 0)", 2),
        ("data-count", base.replacingOccurrences(of: "\"seed\"", with: "\"x\"").replacingOccurrences(of: "\"collocation\"", with: "\"data\": {\"points\": [[0, 0], [1, 1]], \"values\": [1]}, \"collocation\""),
         "data.values: expected 2 values (one per point), found 1", 2),
    ]

    func testEveryBadProblemFileGetsItsMessageAndExitCode() throws {
        for (name, text, message, code) in Self.cases {
            let file = "\(name).json"
            try text.write(to: scratch.appendingPathComponent(file), atomically: true, encoding: .utf8)
            for command in ["solve", "validate"] {
                let run = try pinn([command, file, "-o", "out.h5"].filter { command == "solve" || ($0 != "-o" && $0 != "out.h5") }, in: scratch)
                XCTAssertEqual(run.stderr, "error: \(file): \(message)\n", "\(command) \(name)")
                XCTAssertEqual(run.status, code, "\(command) \(name)")
                XCTAssertEqual(run.stdout, "", "\(command) \(name)")
            }
        }
        let written = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { !$0.hasSuffix(".json") }
        XCTAssertEqual(written, [], "nothing may be written for bad input")
    }

    func testBadPathsAndOptions() throws {
        try Self.base.write(to: scratch.appendingPathComponent("good.json"), atomically: true, encoding: .utf8)
        let table: [([String], String, Int32)] = [
            (["solve", "missing.json"], "error: missing.json: no such file\n", 2),
            (["solve", "good.json", "-o", "no/such/folder/out.h5"], "error: output 'no/such/folder/out.h5': folder '\(scratch.path)/no/such/folder' does not exist\n", 2),
            (["solve", "good.json", "-o", scratch.path], "error: output '\(scratch.path)' is a folder; give a file name such as result.h5\n", 2),
            (["inspect", "missing.h5"], "error: no such file 'missing.h5'\n", 1),
            (["inspect", "good.json"], "error: 'good.json' is not an HDF5 file\n", 1),
        ]
        for (arguments, message, code) in table {
            let run = try pinn(arguments, in: scratch)
            XCTAssertEqual(run.stderr, message, arguments.joined(separator: " "))
            XCTAssertEqual(run.status, code, arguments.joined(separator: " "))
        }
        // Numeric options: negative, zero, fractional and huge values each say what is allowed (ArgumentParser used
        // to read "-1" as an option name and report a missing value).
        let options: [([String], String)] = [
            (["--iterations", "0"], "--iterations must be a whole number from 1 to 1000000000000, found '0'"),
            (["--iterations", "1e15"], "--iterations must be a whole number from 1 to 1000000000000, found '1e15'"),
            (["--threads", "-1"], "--threads must be a whole number from 1 to 1024, found '-1'"),
            (["--threads", "1000000"], "--threads must be a whole number from 1 to 1024, found '1000000'"),
            (["--seed", "-1"], "--seed must be a whole number from 0 to 18446744073709551615, found '-1'"),
            (["--time-limit", "-5"], "--time-limit must be a positive number of seconds, found '-5'"),
            (["--erank-every", "2.5"], "--erank-every must be a whole number from 1 to 1000000000000, found '2.5'"),
        ]
        for (option, message) in options {
            let run = try pinn(["solve", "good.json"] + option, in: scratch)
            XCTAssertEqual(run.status, 64, option.joined(separator: " "))
            XCTAssertTrue(run.stderr.hasPrefix("Error: \(message)\n"), run.stderr)
        }
        let folder = try pinn(["validate", scratch.path], in: scratch)
        XCTAssertEqual(folder.stderr, "error: \(scratch.path): is a folder; give a problem file (JSON), e.g. problems/helmholtz.json\n")
        XCTAssertEqual(folder.status, 2)
        // A bad points file for eval names the file and line.
        let out = scratch.appendingPathComponent("r.h5").path
        XCTAssertEqual(try pinn(["solve", "good.json", "-o", out, "--quiet"], in: scratch).status, 0)
        try "x,y\n0.1,0.2\n0.3\n".write(to: scratch.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        let eval = try pinn(["eval", out, "--points", "p.csv"], in: scratch)
        XCTAssertEqual(eval.stderr, "error: p.csv:3: expected 2 comma-separated numbers per line, found 1\n")
        XCTAssertEqual(eval.status, 2)
    }
}
