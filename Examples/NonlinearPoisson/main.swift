// Embedding pinn: solve the nonlinear Poisson problem −Δu + u³ = f on the unit square, u = g on the boundary, with
// the manufactured solution u* = sin(πx)·sin(πy) + x/2 (f and g are derived from u* by dual numbers), then check
// the error and write the HDF5 result. Run: swift run -c release nonlinear-poisson-example [result.h5]
import Foundation
import PINN
import RealModule

/// The PDE, written once, generic over the scalar type: pinn evaluates it on Double and on dual numbers.
struct CubicPoisson: PointwiseResidual {
    var order: Int { 2 }  // reads second derivatives
    func callAsFunction<T: Real>(_ s: PointState<T>) -> T { -s.laplacian + s.u * s.u * s.u }
}

/// The manufactured solution, also generic (its derivatives give f and g).
struct Exact: ScalarField {
    var inputDimension: Int { 2 }
    func callAsFunction<T: Real>(_ p: [T]) -> T { T.sin(.pi * p[0]) * T.sin(.pi * p[1]) + p[0] / 2 }
}

/// Prints a line every 100 iterations.
final class Progress: TrainingObserver {
    func trainingDidRecord(_ record: HistoryRecord) {
        let error = record.metrics.map { String(format: "%.3e", $0.relativeL2) } ?? "-"
        print(String(format: "iteration %5d  stage %d  loss %.3e  relative L2 ", record.iteration, record.stage, record.loss) + error)
    }
}

BLASKernel.reexecuteWithBestKernelIfNeeded()  // OpenBLAS's best kernels for this CPU (a no-op where it chose them)
let problem = Problem.manufactured(domain: Box.rectangle(x: 0...1, y: 0...1), residual: CubicPoisson(),
                                   exactSolution: Exact())
var config = SolverConfiguration()
config.hiddenWidths = [20, 20]
config.activations = [.fixed(.tanh)]
config.interiorPoints = 800
config.boundaryPoints = 200
config.distribution = .sobol
config.boundaryWeight = 10
config.stages = [
    TrainingStage(optimizer: .adam(.constant(1e-2)), iterations: 500),
    TrainingStage(optimizer: .levenbergMarquardt(LevenbergMarquardt()), iterations: 300),
]
config.evaluationResolution = [101, 101]
config.historyInterval = 100
config.threads = 2
config.seed = 1

let solution: Solution
do {
    solution = try Solver(problem: problem, configuration: config).solve(observer: Progress())
} catch {
    print("error: \(error)")  // e.g. "configuration.hiddenWidths: needs at least one hidden layer, …"
    exit(2)
}

// Check against u* on a fresh grid, and look at a derivative the network gives for free.
let grid = Box.rectangle(x: 0...1, y: 0...1).grid(resolution: [57, 57]).points
let errors = solution.errors(at: grid)!
let streams = solution.evaluate(at: [0.5, 0.5], streams: .laplacian)
print(String(format: "relative L2 error %.3e, max error %.3e", errors.relativeL2, errors.maxError))
print(String(format: "Δu(0.5, 0.5) = %.6f (exact %.6f)", streams[3][0], -2 * Double.pi * Double.pi))

if CommandLine.arguments.count > 1 {
    do {
        try solution.write(to: CommandLine.arguments[1], description: "nonlinear Poisson example")
        print("wrote \(CommandLine.arguments[1])")
    } catch {
        print("error: \(error)")
        exit(1)
    }
}
exit(errors.relativeL2 < 1e-4 ? 0 : 1)
