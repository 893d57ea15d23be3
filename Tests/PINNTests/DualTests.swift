import Foundation
import RealModule
import XCTest
@testable import PINN

/// One row of the derivative rule table: a function on any Real type with its closed-form first and second
/// derivatives and a domain to sample.
private struct Rule: Sendable {
    let name: String
    let f: @Sendable (HyperDual) -> HyperDual
    let d1: @Sendable (Double) -> Double
    let d2: @Sendable (Double) -> Double
    let domain: ClosedRange<Double>
}

private let rules: [Rule] = [
    Rule(name: "exp", f: { .exp($0) }, d1: { exp($0) }, d2: { exp($0) }, domain: -3...3),
    Rule(name: "expMinusOne", f: { .expMinusOne($0) }, d1: { exp($0) }, d2: { exp($0) }, domain: -3...3),
    Rule(name: "sin", f: { .sin($0) }, d1: { cos($0) }, d2: { -sin($0) }, domain: -4...4),
    Rule(name: "cos", f: { .cos($0) }, d1: { -sin($0) }, d2: { -cos($0) }, domain: -4...4),
    Rule(name: "tan", f: { .tan($0) }, d1: { 1 / (cos($0) * cos($0)) }, d2: { 2 * tan($0) / (cos($0) * cos($0)) }, domain: -1.2...1.2),
    Rule(name: "tanh", f: { .tanh($0) }, d1: { 1 - tanh($0) * tanh($0) }, d2: { -2 * tanh($0) * (1 - tanh($0) * tanh($0)) }, domain: -3...3),
    Rule(name: "sinh", f: { .sinh($0) }, d1: { cosh($0) }, d2: { sinh($0) }, domain: -3...3),
    Rule(name: "cosh", f: { .cosh($0) }, d1: { sinh($0) }, d2: { cosh($0) }, domain: -3...3),
    Rule(name: "log", f: { .log($0) }, d1: { 1 / $0 }, d2: { -1 / ($0 * $0) }, domain: 0.1...5),
    Rule(name: "log1p", f: { .log(onePlus: $0) }, d1: { 1 / (1 + $0) }, d2: { -1 / ((1 + $0) * (1 + $0)) }, domain: -0.9...5),
    Rule(name: "sqrt", f: { .sqrt($0) }, d1: { 0.5 / sqrt($0) }, d2: { -0.25 / ($0 * sqrt($0)) }, domain: 0.1...5),
    Rule(name: "asin", f: { .asin($0) }, d1: { 1 / sqrt(1 - $0 * $0) }, d2: { $0 / pow(1 - $0 * $0, 1.5) }, domain: -0.9...0.9),
    Rule(name: "acos", f: { .acos($0) }, d1: { -1 / sqrt(1 - $0 * $0) }, d2: { -$0 / pow(1 - $0 * $0, 1.5) }, domain: -0.9...0.9),
    Rule(name: "atan", f: { .atan($0) }, d1: { 1 / (1 + $0 * $0) }, d2: { -2 * $0 / pow(1 + $0 * $0, 2) }, domain: -3...3),
    Rule(name: "asinh", f: { .asinh($0) }, d1: { 1 / sqrt($0 * $0 + 1) }, d2: { -$0 / pow($0 * $0 + 1, 1.5) }, domain: -3...3),
    Rule(name: "acosh", f: { .acosh($0) }, d1: { 1 / sqrt($0 * $0 - 1) }, d2: { -$0 / pow($0 * $0 - 1, 1.5) }, domain: 1.1...4),
    Rule(name: "atanh", f: { .atanh($0) }, d1: { 1 / (1 - $0 * $0) }, d2: { 2 * $0 / pow(1 - $0 * $0, 2) }, domain: -0.9...0.9),
    Rule(name: "pow(x,3)", f: { .pow($0, 3) }, d1: { 3 * $0 * $0 }, d2: { 6 * $0 }, domain: -2...2),
    Rule(name: "pow(x,2.5)", f: { .pow($0, HyperDual(constant: Dual(constant: 2.5))) }, d1: { 2.5 * pow($0, 1.5) }, d2: { 3.75 * pow($0, 0.5) }, domain: 0.1...3),
    Rule(name: "root(x,3)", f: { .root($0, 3) }, d1: { pow($0, -2.0 / 3) / 3 }, d2: { -2 * pow($0, -5.0 / 3) / 9 }, domain: 0.1...3),
    Rule(name: "exp2", f: { .exp2($0) }, d1: { log(2) * exp2($0) }, d2: { log(2) * log(2) * exp2($0) }, domain: -3...3),
    Rule(name: "log2", f: { .log2($0) }, d1: { 1 / ($0 * log(2)) }, d2: { -1 / ($0 * $0 * log(2)) }, domain: 0.1...5),
    Rule(name: "log10", f: { .log10($0) }, d1: { 1 / ($0 * log(10)) }, d2: { -1 / ($0 * $0 * log(10)) }, domain: 0.1...5),
    Rule(name: "erf", f: { .erf($0) }, d1: { 2 / sqrt(.pi) * exp(-$0 * $0) }, d2: { -4 * $0 / sqrt(.pi) * exp(-$0 * $0) }, domain: -2...2),
    Rule(name: "erfc", f: { .erfc($0) }, d1: { -2 / sqrt(.pi) * exp(-$0 * $0) }, d2: { 4 * $0 / sqrt(.pi) * exp(-$0 * $0) }, domain: -2...2),
    Rule(name: "reciprocal", f: { 1 / $0 }, d1: { -1 / ($0 * $0) }, d2: { 2 / ($0 * $0 * $0) }, domain: 0.2...3),
    Rule(name: "logGamma", f: { .logGamma($0) }, d1: { digamma($0) },
         d2: { x in (0..<200_000).reduce(0.0) { $0 + 1 / ((x + Double($1)) * (x + Double($1))) } + 1 / (x + 200_000) },
         domain: 0.5...4),
]

final class DualTests: XCTestCase {
    func testRuleTableValueFirstAndSecondDerivatives() {
        var rng = Xoshiro256(seed: 1)
        for rule in rules {
            for _ in 0..<20 {
                let x = rng.nextUniform(in: rule.domain.lowerBound, rule.domain.upperBound)
                let r = rule.f(HyperDual(Dual(x, derivative: 1), derivative: Dual(1, derivative: 0)))
                let plain = rule.f(HyperDual(constant: Dual(constant: x))).value.value
                XCTAssertLessThan(relativeError(r.value.value, plain), 1e-15, "\(rule.name) value at \(x)")
                XCTAssertLessThan(relativeError(r.value.derivative, rule.d1(x)), 1e-12, "\(rule.name)′ at \(x)")
                XCTAssertLessThan(relativeError(r.derivative.value, rule.d1(x)), 1e-12, "\(rule.name)′ (ε₂) at \(x)")
                XCTAssertLessThan(relativeError(r.derivative.derivative, rule.d2(x)), 1e-9, "\(rule.name)″ at \(x)")
            }
        }
    }

    func testDigammaKnownValues() {
        // ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2, ψ(10) from the recurrence.
        let euler = 0.577_215_664_901_532_9
        XCTAssertEqual(digamma(1.0), -euler, accuracy: 1e-14)
        XCTAssertEqual(digamma(0.5), -euler - 2 * log(2), accuracy: 1e-14)
        let psi10 = -euler + (1...9).reduce(0.0) { $0 + 1 / Double($1) }
        XCTAssertEqual(digamma(10.0), psi10, accuracy: 1e-14)
        XCTAssertEqual(digamma(-0.5), digamma(0.5) + 2, accuracy: 1e-12)
    }

    private struct SineProduct: ScalarField {
        let inputDimension = 2
        func callAsFunction<T: Real>(_ p: [T]) -> T { T.sin(T.pi * p[0]) * T.sin(T.pi * p[1]) }
    }

    func testLaplacianOfSineProduct() {
        var rng = Xoshiro256(seed: 2)
        let f = SineProduct()
        for _ in 0..<50 {
            let x = [rng.nextUniform(in: -1, 1), rng.nextUniform(in: -1, 1)]
            let expected = -2 * Double.pi * Double.pi * sin(.pi * x[0]) * sin(.pi * x[1])
            XCTAssertEqual(DifferentialOperators.laplacian(of: f, at: x), expected, accuracy: 1e-12)
            let g = DifferentialOperators.gradient(of: f, at: x)
            XCTAssertEqual(g[0], .pi * cos(.pi * x[0]) * sin(.pi * x[1]), accuracy: 1e-13)
            XCTAssertEqual(g[1], .pi * sin(.pi * x[0]) * cos(.pi * x[1]), accuracy: 1e-13)
        }
    }

    func testFloatingPointBehaviourFollowsTheValue() {
        let a = Dual(2.0, derivative: 3), b = Dual(5.0, derivative: -1)
        XCTAssertTrue(a < b)
        XCTAssertEqual((a * b).derivative, 2 * -1 + 3 * 5)
        XCTAssertEqual((a / b).derivative, (3 * 5 - 2 * -1) / 25, accuracy: 1e-15)
        let literal: Dual<Double> = 0.1
        XCTAssertEqual(literal.value, 0.1)
        XCTAssertEqual(Double.converting(0.1), 0.1)
        XCTAssertEqual(Dual<Double>.converting(-3.25e-300).value, -3.25e-300)
        XCTAssertEqual(Dual(7.0, derivative: 1).rounded(.down).derivative, 0)
        XCTAssertEqual(Dual.hypot(Dual(3.0, derivative: 1), Dual(4.0, derivative: 0)).derivative, 0.6, accuracy: 1e-15)
        XCTAssertEqual(Dual.atan2(y: Dual(1.0, derivative: 1), x: Dual(1.0, derivative: 0)).derivative, 0.5, accuracy: 1e-15)
    }
}
