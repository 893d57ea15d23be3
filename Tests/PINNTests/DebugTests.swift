import Foundation
import RealModule
import XCTest
@testable import PINN
private struct HE: ScalarField {
    let inputDimension = 2
    func callAsFunction<T: Real>(_ x: [T]) -> T { T.sin(T.pi * x[0]) * T.sin(4 * T.pi * x[1]) }
}
final class DebugTests: XCTestCase {
    func testDebug() {
        for (threads, chunk) in [(1, 256), (1, 512), (1, 1024), (1, 6300), (2, 512), (2, 1024), (2,3150)] {
        var config = SolverConfiguration()
        config.hiddenWidths = [30, 30, 30]
        config.interiorPoints = 6000
        config.boundaryPoints = 300
        config.stages = [TrainingStage(optimizer: .adam(.constant(8e-3)), iterations: 200)]
        config.evaluationResolution = [11, 11]
        config.historyInterval = 1000
        config.threads = threads; config.chunkSize = chunk
        let problem = Problem.manufactured(domain: .rectangle(x: -1...1, y: -1...1), pde: .helmholtz(waveNumber: 1), exactSolution: HE())
        let s = Solver(problem: problem, configuration: config).solve()
        print("threads", threads, "chunk", chunk, "ms/it", s.report.millisecondsPerIteration)
        }
    }
}
