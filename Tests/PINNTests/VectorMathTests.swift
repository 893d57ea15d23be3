import CVectorMath
import Foundation
import XCTest
@testable import PINN

/// The vector kernels of CVectorMath against glibc's libm, in units in the last place of the exact value, and the
/// fused Kronecker forward kernel against the scalar term functions.
final class VectorMathTests: XCTestCase {
    private func ulps(_ approximation: Double, _ exact: Double) -> Double {
        approximation == exact ? 0 : abs(approximation - exact) / exact.ulp
    }

    private func uniform(_ count: Int, in range: ClosedRange<Double>, seed: UInt64) -> [Double] {
        var rng = Xoshiro256(seed: seed)
        return (0..<count).map { _ in rng.nextUniform(in: range.lowerBound, range.upperBound) }
    }

    func testSineAndCosineWithinTwoUlpsAndTanhWithinThree() {
        // 1001 elements: full vectors and a partial last one.
        for (k, range) in [-1e-8...1e-8, -0.5...0.5, -10...10, -1000...1000, -1e6...1e6].enumerated() {
            let x = uniform(1001, in: range, seed: UInt64(40 + k))
            var s = [Double](repeating: 0, count: x.count), c = s, t = s
            pinn_vsincos_scaled(x, 1, &s, &c, x.count)
            pinn_vtanh_poly_scaled(x, 1, &t, x.count)
            let worst = x.indices.reduce((0.0, 0.0, 0.0)) { w, i in
                (max(w.0, ulps(s[i], sin(x[i]))), max(w.1, ulps(c[i], cos(x[i]))), max(w.2, ulps(t[i], tanh(x[i]))))
            }
            XCTAssertLessThanOrEqual(worst.0, 2, "sin on \(range)")
            XCTAssertLessThanOrEqual(worst.1, 2, "cos on \(range)")
            XCTAssertLessThanOrEqual(worst.2, 3, "tanh on \(range)")
        }
    }

    /// Near the zeros of sin and cos (arguments at the doubles nearest kπ/2) the reduction's absolute error is what
    /// remains: tiny, though large relative to values of 1e-16 and below.
    func testNearMultiplesOfHalfPiTheAbsoluteErrorIsTiny() {
        let x = (1...2000).map { Double($0 * 523) * Double.pi / 2 }  // k up to 1.05e6, arguments up to 1.6e6
        var s = [Double](repeating: 0, count: x.count), c = s
        pinn_vsincos_scaled(x, 1, &s, &c, x.count)
        for i in x.indices where abs(x[i]) < 1_048_576 {
            XCTAssertLessThan(abs(s[i] - sin(x[i])), 1e-24, "sin(\(x[i]))")
            XCTAssertLessThan(abs(c[i] - cos(x[i])), 1e-24, "cos(\(x[i]))")
        }
        // Beyond 2^20 libm takes over: exact agreement.
        for i in x.indices where abs(x[i]) >= 1_048_576 {
            XCTAssertEqual(s[i], sin(x[i]))
            XCTAssertEqual(c[i], cos(x[i]))
        }
    }

    /// The fused forward kernel equals the sum of its terms evaluated one by one in scalar code, to rounding.
    func testKroneckerForwardEqualsTheSumOfItsTerms() {
        let z = uniform(203, in: -3...3, seed: 50)
        let terms: [(ActivationFunction, Double, Double)] = [(.tanh, 0.9, 1.3), (.sin, 20, 0.05), (.cos, 7, -0.2),
                                                             (.sigmoid, 2, 0.4)]
        let n = z.count
        var caches = [[Double]](repeating: [Double](repeating: 0, count: n), count: 4 * terms.count)
        for (k, term) in terms.enumerated() where term.0 == .sigmoid {
            for e in 0..<n {
                let d = term.0.derivatives(at: term.1 * z[e])
                (caches[4 * k][e], caches[4 * k + 1][e], caches[4 * k + 2][e], caches[4 * k + 3][e]) = d
            }
        }
        let outputs = (0..<4).map { _ in UnsafeMutablePointer<Double>.allocate(capacity: n) }
        defer { outputs.forEach { $0.deallocate() } }
        let pointers = caches.map { _ in UnsafeMutablePointer<Double>.allocate(capacity: n) }
        defer { pointers.forEach { $0.deallocate() } }
        for (p, cache) in zip(pointers, caches) { p.update(from: cache, count: n) }
        let described = terms.indices.map { k in
            pinn_kronecker_term(kind: Int32(ActivationKernels.kernelKind(terms[k].0)), a: terms[k].1, c0: terms[k].2,
                                cache: (pointers[4 * k], pointers[4 * k + 1], pointers[4 * k + 2], pointers[4 * k + 3]))
        }
        pinn_kronecker_forward(z, n, described, described.count, outputs[0], outputs[1], outputs[2], outputs[3])
        for e in 0..<n {
            var expected = [0.0, 0.0, 0.0, 0.0]
            for term in terms {
                let d = term.0.derivatives(at: term.1 * z[e])
                let values = [d.0, d.1, d.2, d.3]
                for m in 0..<4 { expected[m] += term.2 * pow(term.1, Double(m)) * values[m] }
            }
            for m in 0..<4 {
                XCTAssertEqual(outputs[m][e], expected[m], accuracy: 1e-13 * max(1, abs(expected[m])), "φ̃ derivative \(m) at \(z[e])")
            }
            // The caches the reverse pass reads: tanh for a tanh term, sin and cos for the trigonometric ones.
            XCTAssertEqual(pointers[0][e], tanh(0.9 * z[e]), accuracy: 4 * tanh(0.9 * z[e]).ulp)
            XCTAssertEqual(pointers[4][e], sin(20 * z[e]), accuracy: 1e-15)
            XCTAssertEqual(pointers[5][e], cos(20 * z[e]), accuracy: 1e-15)
        }
    }
}
