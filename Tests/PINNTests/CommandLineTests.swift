import Foundation
import XCTest
@testable import PINN

/// Runs the built `pinn` binary in a scratch folder.
class CommandLineTestCase: XCTestCase {
    static var binary: URL {
        if let override = ProcessInfo.processInfo.environment["PINN_BINARY"] { return URL(fileURLWithPath: override) }
        // The test bundle runs from the build products folder, next to the `pinn` executable.
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("pinn")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("pinn")
    }

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    @discardableResult
    func pinn(_ arguments: [String], in directory: URL? = nil, environment changes: [String: String?] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        if !changes.isEmpty {
            var environment = ProcessInfo.processInfo.environment
            for (name, value) in changes { environment[name] = value }
            process.environment = environment
        }
        process.currentDirectoryURL = directory ?? Self.repository
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }

    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pinn-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Self.binary.path), "pinn binary not found at \(Self.binary.path)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }
}

/// End-to-end tests of the built `pinn` binary: solve, validate, inspect and eval.
final class CommandLineTests: CommandLineTestCase {
    func testSolveWritesAReadableResultAndInspectAndEvalUseIt() throws {
        let out = scratch.appendingPathComponent("p1d.h5").path
        let run = try pinn(["solve", "problems/poisson-1d.json", "-o", out, "--iterations", "300", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        let file = try HDF5File.open(out)
        XCTAssertEqual(try file.stringAttribute("status"), "completed")
        XCTAssertEqual(try file.numberAttribute("iterations"), 300)
        XCTAssertEqual(try file.read("/solution/u").shape, [1001])
        XCTAssertEqual(try file.read("/grid/x").values.first, -1)
        XCTAssertEqual(try file.read("/collocation/interior").shape, [128, 1])
        let problemText = try String(contentsOf: Self.repository.appendingPathComponent("problems/poisson-1d.json"), encoding: .utf8)
        XCTAssertEqual(try file.stringAttribute("problem_file"), problemText)
        // The saved model reproduces the saved prediction.
        let network = try ResultFile.readNetwork(from: file)
        let grid = try file.read("/grid/x").values
        let u = NetworkEvaluator(layout: network.layout).evaluate(network, at: grid)[0]
        let saved = try file.read("/solution/u").values
        let difference = zip(u, saved).map { abs($0 - $1) }.max() ?? .nan
        XCTAssertLessThan(difference, 1e-14, "saved model does not reproduce the saved prediction")
        let history = try file.read("/history/iteration").values
        XCTAssertEqual(history.first, 0)
        XCTAssertEqual(history.last, 300)
        // Every iteration's time, in ms: the median and the fastest attributes are its statistics.
        let times = try file.read("/timing/iteration_ms").values
        XCTAssertEqual(times.count, 300)
        XCTAssertTrue(times.allSatisfy { $0 > 0 && $0 < 60_000 }, "iteration times \(times.prefix(5))")
        XCTAssertEqual(try file.numberAttribute("fastest_ms_per_iteration"), times.min())
        let sorted = times.sorted()
        XCTAssertEqual(try file.numberAttribute("median_ms_per_iteration"), 0.5 * (sorted[149] + sorted[150]),
                       accuracy: 1e-12 * sorted[150])
        file.close()

        let inspect = try pinn(["inspect", out])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(inspect.stdout.contains("status       completed"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("network      1→20→20→1"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains(String(format: "fastest %.3f)", times.min()!)), inspect.stdout)

        let points = scratch.appendingPathComponent("points.csv")
        try "x\n-0.5\n0.25\n".write(to: points, atomically: true, encoding: .utf8)
        let eval = try pinn(["eval", out, "--points", points.path, "--derivatives"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let lines = eval.stdout.split(separator: "\n")
        XCTAssertEqual(lines.first, "x,u,u_x,u_xx")
        XCTAssertEqual(lines.count, 3)
        let row = lines[1].split(separator: ",").map { Double($0)! }
        let expected = NetworkEvaluator(layout: network.layout).evaluate(network, at: [-0.5], streams: .pureSecond)
        // Two points through the command line against one in process: different BLAS shapes, equal up to the
        // order of summation (not bit for bit: kernels for other CPUs round a 1- and a 2-column product apart).
        assertEqualUpToSummationOrder(row[1], expected[0][0])
        assertEqualUpToSummationOrder(row[3], expected[2][0])
    }

    /// `pinn eval --derivatives` in 2D prints all second derivatives, the mixed one included, equal to the
    /// hyper-dual derivatives of the stored network.
    func testEvalPrintsMixedSecondDerivatives() throws {
        let out = scratch.appendingPathComponent("mixed.h5").path
        let run = try pinn(["solve", "problems/poisson.json", "-o", out, "--iterations", "5", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let points = scratch.appendingPathComponent("p.csv")
        try "0.3,0.7\n0.9,0.1\n".write(to: points, atomically: true, encoding: .utf8)
        let eval = try pinn(["eval", out, "--points", points.path, "--derivatives"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let lines = eval.stdout.split(separator: "\n")
        XCTAssertEqual(lines.first, "x,y,u,u_x,u_y,u_xx,u_xy,u_yy")
        let network = try ResultFile.readNetwork(from: try HDF5File.open(out))
        for (line, x) in zip(lines.dropFirst(), [[0.3, 0.7], [0.9, 0.1]]) {
            let row = line.split(separator: ",").map { Double($0)! }
            let gradient = DifferentialOperators.gradient(of: network, at: x)
            let second = DifferentialOperators.hessian(of: network, at: x)
            let expected = [network(x)] + gradient + second
            for (k, value) in expected.enumerated() {
                XCTAssertEqual(row[2 + k], value, accuracy: 1e-12 * max(1, abs(value)), "column \(k) at \(x)")
            }
        }
    }

    /// A 3D problem writes an nz × ny × nx grid and an XDMF hexahedral mesh whose every data item points at a
    /// dataset of the result file with the stated dimensions (checked by parsing the XDMF).
    func testThreeDimensionalResultHasAGridAndAnXDMFThatPointsAtIt() throws {
        let out = scratch.appendingPathComponent("cube.h5").path
        let run = try pinn(["solve", "problems/poisson-3d.json", "-o", out, "--iterations", "5", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let file = try HDF5File.open(out)
        XCTAssertEqual(try file.read("/solution/u").shape, [41, 41, 41])
        XCTAssertEqual(try file.read("/grid/z").values.count, 41)
        let xmf = try String(contentsOfFile: scratch.appendingPathComponent("cube.xmf").path, encoding: .utf8)
        XCTAssertTrue(xmf.contains(#"<Topology TopologyType="Hexahedron" NumberOfElements="64000" NodesPerElement="8">"#), xmf)
        XCTAssertTrue(xmf.contains(#"<Geometry GeometryType="XYZ">"#), xmf)
        let items = try NSRegularExpression(pattern: #"<DataItem Dimensions="([0-9 ]+)"[^>]*>cube\.h5:([^<]+)</DataItem>"#)
        let matches = items.matches(in: xmf, range: NSRange(xmf.startIndex..., in: xmf))
        XCTAssertEqual(matches.count, 2 + 4)  // cells, points; u, residual, u_exact, abs_error
        for match in matches {
            let dimensions = String(xmf[Range(match.range(at: 1), in: xmf)!]).split(separator: " ").map { Int($0)! }
            let dataset = String(xmf[Range(match.range(at: 2), in: xmf)!])
            XCTAssertEqual(try file.read(dataset).shape, dimensions, dataset)
        }
        // The first hexahedron: nodes 0, 1, 42, 41 below and the same + 41² above.
        XCTAssertEqual(try file.read("/mesh/cells").values.prefix(8), [0, 1, 42, 41, 1681, 1682, 1723, 1722])
        file.close()
    }

    func testTwoDimensionalSolveWritesGridXDMFAndSameSeedSameResult() throws {
        let a = scratch.appendingPathComponent("a.h5").path, b = scratch.appendingPathComponent("b.h5").path
        for out in [a, b] {
            let run = try pinn(["solve", "problems/poisson.json", "-o", out, "--iterations", "20", "--quiet", "--threads", out == a ? "1" : "2"])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        let fa = try HDF5File.open(a), fb = try HDF5File.open(b)
        XCTAssertEqual(try fa.read("/solution/u").shape, [101, 101])
        XCTAssertEqual(try fa.read("/model/parameters").values, try fb.read("/model/parameters").values)
        XCTAssertTrue(fa.exists("/solution/u_exact") && fa.exists("/solution/abs_error") && fa.exists("/history/rel_l2"))
        XCTAssertFalse(fa.exists("/history/erank"))
        let xmf = try String(contentsOfFile: scratch.appendingPathComponent("a.xmf").path, encoding: .utf8)
        XCTAssertTrue(xmf.contains("a.h5:/mesh/u</DataItem>"))
        XCTAssertTrue(xmf.contains(#"TopologyType="Quadrilateral" NumberOfElements="10000""#))
        // No temporary files left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [])
    }

    func testEffectiveRankTrackingFromTheCommandLine() throws {
        let out = scratch.appendingPathComponent("er.h5").path
        let run = try pinn(["solve", "problems/poisson.json", "-o", out, "--iterations", "40", "--erank-every", "10", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let file = try HDF5File.open(out)
        XCTAssertEqual(try file.read("/history/erank_iteration").values, [0, 10, 20, 30, 40])
        let ranks = try file.read("/history/erank")
        XCTAssertEqual(ranks.shape, [5, 4])
        XCTAssertEqual(try file.numberArrayAttribute("epsilons", on: "/history/erank"), [1e-1, 1e-2, 1e-3, 1e-4])
        // Ranks are non-increasing in ε's order (a smaller ε counts more eigenvalues) and at most the width (20).
        for r in 0..<5 {
            let row = Array(ranks.values[(4 * r)..<(4 * r + 4)])
            XCTAssertEqual(row, row.sorted())
            XCTAssertLessThanOrEqual(row.last!, 20)
            XCTAssertGreaterThanOrEqual(row.first!, 1)
        }
        let inspect = try pinn(["inspect", out])
        XCTAssertTrue(inspect.stdout.contains("ε-rank       last hidden layer, ε = 0.1/0.01/0.001/0.0001: "), inspect.stdout)
    }

    func testEveryShippedProblemFileRunsAFewIterations() throws {
        let folder = Self.repository.appendingPathComponent("problems")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 5)
        for name in files {
            let out = scratch.appendingPathComponent(name.replacingOccurrences(of: ".json", with: ".h5")).path
            // A parameter study runs its first run.
            let study = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8).contains("\"sweep\"")
            let run = try pinn(["solve", "problems/\(name)", "-o", out, "--iterations", "3", "--quiet"]
                               + (study ? ["--sweep-index", "0"] : []))
            XCTAssertEqual(run.status, 0, "\(name): \(run.stderr)")
            let validate = try pinn(["validate", "problems/\(name)"])
            XCTAssertEqual(validate.status, 0, "\(name): \(validate.stderr)")
            XCTAssertTrue(validate.stdout.hasPrefix("problems/\(name): " + (study ? "a parameter study of" : "valid")))
        }
    }

    func testCtrlCStopsCleanlyAndWritesAnInterruptedResult() throws {
        let out = scratch.appendingPathComponent("int.h5").path
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["solve", "problems/poisson.json", "-o", out, "--iterations", "1000000", "--quiet"]
        process.currentDirectoryURL = Self.repository
        let err = Pipe()
        process.standardError = err
        try process.run()
        Thread.sleep(forTimeInterval: 1.5)
        process.interrupt()  // SIGINT, as Ctrl-C
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130, stderr)
        XCTAssertTrue(stderr.contains("interrupted at iteration"), stderr)
        let file = try HDF5File.open(out)
        XCTAssertEqual(try file.stringAttribute("status"), "interrupted")
        let iterations = try file.numberAttribute("iterations")
        XCTAssertGreaterThan(iterations, 0)
        XCTAssertLessThan(iterations, 1_000_000)
        XCTAssertEqual(try file.read("/solution/u").shape, [101, 101])
    }

    func testDivergedTrainingExitsWithCodeThreeAndKeepsTheLastFiniteState() throws {
        let text = """
        {"pde": {"type": "helmholtz", "k": 1}, "domain": {"type": "rectangle", "x": [-1, 1], "y": [-1, 1]},
         "exact_solution": "sin(pi*x)*sin(pi*y)", "network": {"hidden_layers": [4], "activation": "softplus"},
         "collocation": {"interior": 20, "boundary": 8},
         "training": {"stages": [{"optimizer": "adam", "iterations": 100, "learning_rate": 1e200}]}, "output": {"grid": [5, 5]}}
        """
        try text.write(to: scratch.appendingPathComponent("div.json"), atomically: true, encoding: .utf8)
        let run = try pinn(["solve", "div.json", "-o", "div.h5", "--quiet"], in: scratch)
        XCTAssertEqual(run.status, 3, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("error: training diverged at iteration "), run.stderr)
        let file = try HDF5File.open(scratch.appendingPathComponent("div.h5").path)
        XCTAssertEqual(try file.stringAttribute("status"), "diverged")
        XCTAssertTrue(try file.read("/model/parameters").values.allSatisfy(\.isFinite))
    }

    /// A hard Dirichlet constraint survives the result file: `pinn eval` rebuilds g and D from the stored problem
    /// file and returns the boundary data exactly on the boundary.
    func testHardDirichletModelIsRebuiltByEval() throws {
        let out = scratch.appendingPathComponent("hard.h5").path
        let run = try pinn(["solve", "problems/poisson-hard-dirichlet.json", "-o", out, "--iterations", "5", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        try "1,0.7\n0.25,0\n".write(to: scratch.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        let eval = try pinn(["eval", out, "--points", scratch.appendingPathComponent("p.csv").path])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertEqual(eval.stdout, "x,y,u\n1.0,0.7,0.5\n0.25,0.0,0.125\n")
        let inspect = try pinn(["inspect", out])
        XCTAssertTrue(inspect.stdout.contains("constraint   u = g + D·N, D: Πᵢ 4(xᵢ−ℓᵢ)(hᵢ−xᵢ)/(hᵢ−ℓᵢ)² on [0.0, 1.0]×[0.0, 1.0]"), inspect.stdout)
    }

    /// The embedding example (Examples/NonlinearPoisson) builds with the package, trains −Δu + u³ = f through the
    /// public API and a user-defined residual, and reaches its stated error (u ≡ 0 has relative L2 error 1).
    func testNonlinearPoissonExample() throws {
        let example = Self.binary.deletingLastPathComponent().appendingPathComponent("nonlinear-poisson-example")
        let process = Process()
        process.executableURL = example
        process.arguments = [scratch.appendingPathComponent("example.h5").path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("relative L2 error ") })
        let error = try XCTUnwrap(Double(line.split(separator: " ")[3].trimmingCharacters(in: CharacterSet(charactersIn: ","))))
        XCTAssertLessThan(error, 1e-4, text)
        let exact = Box.rectangle(x: 0...1, y: 0...1).grid(resolution: [57, 57]).points.chunked2D.map { sin(.pi * $0[0]) * sin(.pi * $0[1]) + $0[0] / 2 }
        XCTAssertGreaterThan(ErrorMetrics(prediction: [Double](repeating: 0, count: exact.count), exact: exact).relativeL2, 0.99)
        // The file it wrote is a complete result: pinn reads it back.
        let inspect = try pinn(["inspect", scratch.appendingPathComponent("example.h5").path])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(inspect.stdout.contains("r(x, u, ∇u, ∂²u) = f (user-defined)"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("stage        stage 2 (Levenberg–Marquardt): iteration limit reached after 300 iterations"), inspect.stdout)
    }
}

private extension Array where Element == Double {
    /// Point-major 2D coordinates as pairs.
    var chunked2D: [[Double]] { stride(from: 0, to: count, by: 2).map { [self[$0], self[$0 + 1]] } }
}

/// The command line on a system: every field in the result file, `pinn eval` printing every field with its first
/// and second (mixed) derivatives, `pinn inspect` listing fields and terms.
final class SystemCommandLineTests: CommandLineTestCase {
    func testEvalAndInspectOfAThreeFieldResult() throws {
        let out = scratch.appendingPathComponent("kovasznay.h5").path
        let run = try pinn(["solve", "problems/kovasznay.json", "-o", out, "--iterations", "5", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let network = try ResultFile.readNetwork(path: out)
        XCTAssertEqual(network.layout.outputDimension, 3)
        let points = scratch.appendingPathComponent("points.csv")
        try "x,y\n0.25,0.5\n-0.3,1.2\n".write(to: points, atomically: true, encoding: .utf8)
        let eval = try pinn(["eval", out, "--points", points.path, "--derivatives"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let lines = eval.stdout.split(separator: "\n")
        var header = ["x", "y"]
        for f in ["u", "v", "p"] { header += [f, f + "_x", f + "_y", f + "_xx", f + "_xy", f + "_yy"] }
        XCTAssertEqual(lines.first.map(String.init), header.joined(separator: ","))
        let row = lines[2].split(separator: ",").map { Double($0)! }
        // Against the dual-number path of each field at (−0.3, 1.2).
        for (k, _) in ["u", "v", "p"].enumerated() {
            let field = network.field(k), x = [-0.3, 1.2]
            let value: Double = field(x)
            let gradient: [Double] = DifferentialOperators.gradient(of: field, at: x)
            let second: [Double] = DifferentialOperators.hessian(of: field, at: x)
            let expected = [value] + gradient + second
            for (j, value) in expected.enumerated() {
                XCTAssertEqual(row[2 + 6 * k + j], value, accuracy: 1e-10 * max(1, abs(value)), "\(header[2 + 6 * k + j])")
            }
        }
        let inspect = try pinn(["inspect", out])
        XCTAssertTrue(inspect.stdout.contains("  fields       u, v, p"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("  term         pressure_gauge: p = g at given points (1 points, weight 100)"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("network      2→32→32→3"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("  error v       relative L2"), inspect.stdout)
    }
}

extension CommandLineTests {
    /// The least-squares memory plan: the message verbatim for a given machine (8 GiB: 200000 rows × 5001 columns
    /// need 8.0016 GB of matrix + 0.205 GB of LAPACK workspace + 6.4 MB of vectors; 155784 rows fit in 6.44 GB),
    /// and through `pinn solve`: exit 2 (invalid input), the message, and no result file.
    func testLeastSquaresMemoryPlanRefusal() throws {
        XCTAssertEqual(Solver.leastSquaresMemoryProblem(rows: 200_000, columns: 5001, physicalMemory: 8 << 30),
                       "the 200000 × 5001 least-squares matrix and LAPACK's workspace need 8.2 GB; three quarters of this machine's memory is 6.4 GB: at most 155784 rows (points) fit with 5001 columns")
        XCTAssertNil(Solver.leastSquaresMemoryProblem(rows: 155_784, columns: 5001, physicalMemory: 8 << 30))
        XCTAssertNotNil(Solver.leastSquaresMemoryProblem(rows: 155_785, columns: 5001, physicalMemory: 8 << 30))
        let text = """
        {"pde": {"type": "poisson"}, "domain": {"type": "rectangle", "x": [0, 1], "y": [0, 1]}, "exact_solution": "x*y",
         "network": {"hidden_layers": [5000]}, "collocation": {"interior": 2000000000, "boundary": 40},
         "training": {"method": "least_squares"}}
        """
        try text.write(to: scratch.appendingPathComponent("huge.json"), atomically: true, encoding: .utf8)
        let expected = Solver.leastSquaresMemoryProblem(rows: 2_000_000_040, columns: 5001)!
        let run = try pinn(["solve", "huge.json", "-o", "huge.h5", "--quiet"], in: scratch)
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertEqual(run.stderr, "error: huge.json: \(expected)\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("huge.h5").path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["huge.json"])
    }
}
