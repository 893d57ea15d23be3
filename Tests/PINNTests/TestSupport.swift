import Foundation
import XCTest
@testable import PINN

/// The one tolerance for central finite differences used as a test oracle (step h = 1e-5 in Float64 gives
/// truncation ~h² and rounding ~ε/h, both ≈ 1e-10 relative for well-scaled functions).
let finiteDifferenceTolerance = 1e-6

/// Relative difference |a − b| / max(|a|, |b|, floor).
func relativeError(_ a: Double, _ b: Double, floor: Double = 1) -> Double {
    abs(a - b) / max(abs(a), abs(b), floor)
}

/// Central difference of f at x along coordinate i.
func centralDifference(_ f: ([Double]) -> Double, at x: [Double], coordinate i: Int, step h: Double = 1e-5) -> Double {
    var xp = x, xm = x
    xp[i] += h
    xm[i] -= h
    return (f(xp) - f(xm)) / (2 * h)
}

/// Random points in [low, high]^d, point-major.
func randomPoints(_ count: Int, dimension d: Int, in low: Double = -1, _ high: Double = 1,
                  rng: inout Xoshiro256) -> [Double] {
    (0..<(count * d)).map { _ in rng.nextUniform(in: low, high) }
}

/// A random m×n matrix A (row-major), a random x*, and b = A·x*: a least-squares problem whose minimiser is x*.
func consistentLinearSystem(rows m: Int, columns n: Int, seed: UInt64) -> (a: [Double], solution: [Double], b: [Double]) {
    var rng = Xoshiro256(seed: seed)
    let a = (0..<(m * n)).map { _ in rng.nextNormal() }
    let solution = (0..<n).map { _ in rng.nextNormal() }
    let b = (0..<m).map { i in (0..<n).reduce(0.0) { $0 + a[i * n + $1] * solution[$1] } }
    return (a, solution, b)
}

/// Tolerance for comparing values that pinn computed through BLAS calls of different shapes or code paths (one
/// point against two, one chunk against several): BLAS promises no bit-equality there, and kernels for different
/// CPUs sum in different orders. 64 units in the last place of the values' scale covers the reordering of the
/// dot products of a small network (a few dozen terms each, through three layers); exact equality stays for
/// comparisons pinn itself guarantees (same shapes, any thread count).
func crossShapeTolerance(scale: Double) -> Double { 64 * max(abs(scale), 1).ulp }

/// Asserts |a − b| ≤ ``crossShapeTolerance(scale:)``.
func assertEqualUpToSummationOrder(_ a: Double, _ b: Double, scale: Double? = nil, _ message: String = "",
                                   file: StaticString = #filePath, line: UInt = #line) {
    let tolerance = crossShapeTolerance(scale: scale ?? max(abs(a), abs(b)))
    XCTAssertLessThanOrEqual(abs(a - b), tolerance, "\(a) vs \(b) \(message)", file: file, line: line)
}

/// Checks an objective's gradient (trainable entries) against central differences of its loss (relative error
/// ≤ 1e-6 with a floor of 1e-4 × the largest entry), and every `columnStride`-th trainable column of its
/// Levenberg–Marquardt Jacobian against differences of the scaled residuals (≤ 1e-6 relative).
func assertGradientAndJacobianMatchFiniteDifferences(_ objective: Objective, _ net: Network, columnStride: Int,
                                                     _ name: String = "", file: StaticString = #filePath,
                                                     line: UInt = #line) {
    var g = [Double](repeating: 0, count: net.parameters.count)
    g.withUnsafeMutableBufferPointer { _ = objective.evaluate(net, gradient: $0.baseAddress!) }
    let loss: (Network) -> Double = { objective.evaluate($0, gradient: nil).reduce(0, +) }
    let scale = g.map(abs).max()!
    for i in g.indices where net.trainableMask[i] == 1 {
        let h = 1e-5 * max(1, abs(net.parameters[i]))
        var plus = net, minus = net
        plus.parameters[i] += h
        minus.parameters[i] -= h
        let fd = (loss(plus) - loss(minus)) / (2 * h)
        XCTAssertLessThan(relativeError(g[i], fd, floor: 1e-4 * scale), 1e-6, "\(name) ∂L/∂θ\(i)", file: file, line: line)
    }
    let (residuals, jacobian) = objective.residualJacobian(net)
    let p = net.parameters.count
    XCTAssertEqual(residuals.map { $0 * $0 }.reduce(0, +), loss(net), accuracy: 1e-12 * loss(net), file: file, line: line)
    for j in stride(from: 0, to: p, by: columnStride) where net.trainableMask[j] == 1 {
        let h = 1e-6 * max(1, abs(net.parameters[j]))
        var plus = net, minus = net
        plus.parameters[j] += h
        minus.parameters[j] -= h
        let (rp, rm) = (objective.residualJacobian(plus).residuals, objective.residualJacobian(minus).residuals)
        for row in residuals.indices {
            let fd = (rp[row] - rm[row]) / (2 * h)
            XCTAssertEqual(jacobian[row * p + j], fd, accuracy: 1e-6 * max(1, abs(fd)), "\(name) J[\(row), \(j)]",
                           file: file, line: line)
        }
    }
}

/// Fourth-order central differences of `loss` in every parameter of `net` (step h·max(1, |θᵢ|)).
func finiteDifferenceGradient(_ net: Network, _ loss: (Network) -> Double, step h: Double = 1e-4) -> [Double] {
    (0..<net.parameters.count).map { i in
        let step = h * max(1, abs(net.parameters[i]))
        func shifted(_ k: Double) -> Double {
            var moved = net
            moved.parameters[i] += k * step
            return loss(moved)
        }
        return (-shifted(2) + 8 * shifted(1) - 8 * shifted(-1) + shifted(-2)) / (12 * step)
    }
}

/// Component-wise relative error, with a floor of 1e-4·‖g‖∞ so that components near zero are compared
/// absolutely.
/// Fixed activation amplitudes and slopes (mask 0) are not parameters of training and are skipped.
func assertGradientsMatch(_ g: [Double], _ fd: [Double], mask: [Double], _ label: String,
                          file: StaticString = #filePath, line: UInt = #line) {
    let scale = max(1e-300, fd.map(abs).max() ?? 0)
    for i in g.indices where mask[i] == 1 {
        XCTAssertLessThan(relativeError(g[i], fd[i], floor: 1e-4 * scale), finiteDifferenceTolerance,
                          "\(label) parameter \(i): \(g[i]) vs FD \(fd[i])", file: file, line: line)
    }
}

/// Writes `solution` on its solver's evaluation grid as `name`.h5 in a fresh temporary folder (the caller removes
/// `folder`).
func writeTemporaryResult(_ solution: Solution, solver: Solver, problemText: String,
                          name: String) throws -> (path: String, folder: URL) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pinn-\(name)-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent("\(name).h5").path
    try ResultFile.write(solution, grid: solver.evaluationGrid(),
                         info: .init(problemText: problemText, problemPath: "\(name).json", description: "", seed: 0,
                                     threads: 1), to: path)
    return (path, folder)
}

/// The reverse pass of `net` at `points` for ρₚ = Σₖ,ₛ cₖₛ·outₖₛ,ₚ (output k's stream s at point p; c drawn from
/// `rng` in [−1.5, 1.5]) against fourth-order central differences: the per-point Jacobian rows of the points in
/// `rowsToCheck` (all when nil) and, with `summed`, the summed gradient of Σₚ ρₚ.
func assertReversePassMatchesFiniteDifferences(_ net: Network, points: [Double], streams: DerivativeStreams,
                                               rng: inout Xoshiro256, rowsToCheck: [Int]? = nil, summed: Bool = true,
                                               _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    let d = net.layout.inputDimension, m = net.layout.outputDimension, n = points.count / d
    let s = streams.count(inputDimension: d), count = net.parameters.count
    // c[k + m·s]: the weight of field k's stream s; output (k, s, p) sits at k + m·(s·n + p).
    let c = (0..<(m * s)).map { _ in rng.nextUniform(in: -1.5, 1.5) }
    let ws = TaylorWorkspace(layout: net.layout, capacity: n, streams: streams)
    func residuals(_ net: Network) -> [Double] {
        points.withUnsafeBufferPointer {
            TaylorForward.run(net, points: $0.baseAddress!, count: n, streams: streams, workspace: ws)
        }
        return (0..<n).map { p in
            (0..<s).reduce(0.0) { sum, st in
                sum + (0..<m).reduce(0.0) { $0 + c[$1 + m * st] * ws.output[$1 + m * (st * n + p)] }
            }
        }
    }
    let seeds = (0..<(m * s * n)).map { e in c[e % m + m * (e / m / n)] }
    var rows = [Double](repeating: 0, count: n * count), gradient = [Double](repeating: 0, count: count)
    _ = residuals(net)
    rows.withUnsafeMutableBufferPointer { r in
        seeds.withUnsafeBufferPointer {
            ReversePass.run(net, seeds: $0.baseAddress!, count: n, streams: streams, workspace: ws,
                            into: .perPoint(rows: r.baseAddress!, stride: count))
        }
    }
    for p in rowsToCheck ?? Array(0..<n) {
        assertGradientsMatch(Array(rows[(p * count)..<((p + 1) * count)]), finiteDifferenceGradient(net) { residuals($0)[p] },
                             mask: net.trainableMask, "\(label) point \(p)", file: file, line: line)
    }
    guard summed else { return }
    _ = residuals(net)
    gradient.withUnsafeMutableBufferPointer { g in
        seeds.withUnsafeBufferPointer {
            ReversePass.run(net, seeds: $0.baseAddress!, count: n, streams: streams, workspace: ws, gradient: g.baseAddress!)
        }
    }
    assertGradientsMatch(gradient, finiteDifferenceGradient(net) { residuals($0).reduce(0, +) }, mask: net.trainableMask,
                         label, file: file, line: line)
}

/// Runs `executable` with `arguments` (in `directory`), standard output and error together.
func runProcess(_ executable: String, _ arguments: [String],
                in directory: URL? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}

/// The objective's loss gradient and Levenberg–Marquardt Jacobian against central differences (step 1e-6) of the loss
/// and of the residual vector, in the parameters `indices`; returns the gradient and the residuals and Jacobian.
@discardableResult
func assertGradientAndJacobianMatchDifferences(_ objective: Objective, _ net: Network, parameters indices: [Int],
                                               label: String, file: StaticString = #filePath, line: UInt = #line)
    -> (gradient: [Double], residuals: [Double], jacobian: [Double]) {
    var g = [Double](repeating: 0, count: net.parameters.count)
    g.withUnsafeMutableBufferPointer { _ = objective.evaluate(net, gradient: $0.baseAddress!) }
    let loss: (Network) -> Double = { objective.evaluate($0, gradient: nil).reduce(0, +) }
    let (residuals, jacobian) = objective.residualJacobian(net)
    let p = net.parameters.count
    for i in indices {
        let h = 1e-6
        var plus = net, minus = net
        plus.parameters[i] += h
        minus.parameters[i] -= h
        let fd = (loss(plus) - loss(minus)) / (2 * h)
        XCTAssertEqual(g[i], fd, accuracy: 1e-6 * max(1, abs(fd)), "\(label) ∂L/∂θ\(i)", file: file, line: line)
        let (rp, rm) = (objective.residualJacobian(plus).residuals, objective.residualJacobian(minus).residuals)
        for row in residuals.indices {
            let column = (rp[row] - rm[row]) / (2 * h)
            XCTAssertEqual(jacobian[row * p + i], column, accuracy: 1e-6 * max(1, abs(column)),
                           "\(label) J[\(row), \(i)]", file: file, line: line)
        }
    }
    return (g, residuals, jacobian)
}
