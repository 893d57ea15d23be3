import Foundation
import XCTest
@testable import PINN

final class LBFGSTests: XCTestCase {
    func testRosenbrockConvergesToTheMinimum() {
        // f = Σ 100(x_{i+1} − x_i²)² + (1 − x_i)², minimum 0 at (1, …, 1); from the classic start (−1.2, 1, …).
        for n in [2, 10] {
            var x = (0..<n).map { $0 % 2 == 0 ? -1.2 : 1.0 }
            var optimizer = LBFGS(memory: 10)
            optimizer.gradientTolerance = 1e-10
            optimizer.relativeTolerance = 0
            let result = optimizer.minimize(&x, iterations: 2000) { x, g in
                var f = 0.0
                for i in 0..<n { g[i] = 0 }
                for i in 0..<(n - 1) {
                    let a = x[i + 1] - x[i] * x[i], b = 1 - x[i]
                    f += 100 * a * a + b * b
                    g[i] += -400 * x[i] * a - 2 * b
                    g[i + 1] += 200 * a
                }
                return f
            }
            guard case let .gradientTolerance(norm) = result.reason else { return XCTFail("n=\(n): stopped with \(result.reason)") }
            XCTAssertLessThan(norm, 1e-8)
            for v in x { XCTAssertEqual(v, 1, accuracy: 1e-7) }
        }
    }

    func testLeastSquaresWithAKnownSolution() {
        // f = ½‖Ax − b‖² with b = A·x*: the minimiser is x*.
        let m = 40, n = 12
        let (a, solution, b) = consistentLinearSystem(rows: m, columns: n, seed: 4)
        var x = [Double](repeating: 0, count: n)
        var optimizer = LBFGS()
        optimizer.gradientTolerance = 1e-10
        optimizer.relativeTolerance = 0
        let result = optimizer.minimize(&x, iterations: 500) { x, g in
            var f = 0.0
            for j in 0..<n { g[j] = 0 }
            for i in 0..<m {
                let r = (0..<n).reduce(0.0) { $0 + a[i * n + $1] * x[$1] } - b[i]
                f += 0.5 * r * r
                for j in 0..<n { g[j] += r * a[i * n + j] }
            }
            return f
        }
        guard case let .gradientTolerance(norm) = result.reason else { return XCTFail("stopped with \(result.reason)") }
        XCTAssertLessThan(norm, 1e-8)
        for j in 0..<n { XCTAssertEqual(x[j], solution[j], accuracy: 1e-9) }
    }
}
