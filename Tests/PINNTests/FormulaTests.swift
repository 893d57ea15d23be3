import Foundation
import RealModule
import XCTest
@testable import PINN

final class FormulaTests: XCTestCase {
    private func value(_ source: String, _ x: [Double], parameters: [String: Double] = [:]) throws -> Double {
        try Formula(source, dimension: x.count, parameters: parameters)(x)
    }

    func testEvaluationAndPrecedence() throws {
        XCTAssertEqual(try value("1 + 2*3", [0]), 7)
        XCTAssertEqual(try value("-x^2", [3]), -9)          // ^ binds tighter than unary minus
        XCTAssertEqual(try value("2^3^2", [0]), 512)         // right-associative
        XCTAssertEqual(try value("(x - 1)^2", [-2]), 9)      // integer power of a negative base
        XCTAssertEqual(try value("8 / 4 / 2", [0]), 1)       // left-associative
        XCTAssertEqual(try value("x*y - y/x", [2, 3]), 4.5)
        XCTAssertEqual(try value("abs(x) + sqrt(y)", [-2, 9]), 5)
        XCTAssertEqual(try value("pi + e", [0]), Double.pi + M_E, accuracy: 1e-15)
        XCTAssertEqual(try value("k^2 * x", [2], parameters: ["k": 3]), 18)
        XCTAssertEqual(try value("1.5e-3 * 2E2", [0]), 0.3, accuracy: 1e-15)
        XCTAssertEqual(try value("exp(log(x)) + tanh(0) + cos(0) + tan(0)", [2]), 3, accuracy: 1e-15)
        XCTAssertEqual(try value("x^0.5", [4]), 2, accuracy: 1e-15)
        XCTAssertTrue(try Formula("2*pi^2", dimension: 2).isConstant)
        XCTAssertFalse(try Formula("x*0 + 1", dimension: 1).isConstant)
    }

    func testDerivativesThroughDualNumbersMatchAnalyticForms() throws {
        let f = try Formula("sin(pi*x) * sin(4*pi*y) + x^3*y - exp(-x*y)", dimension: 2)
        var rng = Xoshiro256(seed: 4)
        for _ in 0..<20 {
            let x = rng.nextUniform(in: -1, 1), y = rng.nextUniform(in: -1, 1)
            let g = DifferentialOperators.gradient(of: f, at: [x, y])
            let h = DifferentialOperators.pureSecondDerivatives(of: f, at: [x, y])
            let pi = Double.pi
            XCTAssertEqual(g[0], pi * cos(pi * x) * sin(4 * pi * y) + 3 * x * x * y + y * exp(-x * y), accuracy: 1e-12)
            XCTAssertEqual(g[1], 4 * pi * sin(pi * x) * cos(4 * pi * y) + x * x * x + x * exp(-x * y), accuracy: 1e-12)
            XCTAssertEqual(h[0], -pi * pi * sin(pi * x) * sin(4 * pi * y) + 6 * x * y - y * y * exp(-x * y), accuracy: 1e-11)
            XCTAssertEqual(h[1], -16 * pi * pi * sin(pi * x) * sin(4 * pi * y) - x * x * exp(-x * y), accuracy: 1e-10)
        }
    }

    func testManufacturedForcingFromAFormula() throws {
        // Helmholtz with k = 1: f = Δu + u = (1 − 17π²)·u for u = sin(πx) sin(4πy).
        let u = try Formula("sin(pi*x) * sin(4*pi*y)", dimension: 2)
        let problem = Problem.manufactured(domain: .rectangle(x: -1...1, y: -1...1), pde: .helmholtz(waveNumber: 1), exactSolution: u)
        for point in [[0.1, 0.2], [-0.7, 0.33], [0.5, -0.9]] {
            XCTAssertEqual(problem.forcing(point), (1 - 17 * Double.pi * Double.pi) * u(point), accuracy: 1e-11)
        }
    }

    func testSyntaxErrorsSayWhatAndWhere() {
        let cases: [(String, Int, String, Int, [String])] = [
            ("sin(x", 1, "expected ')' but found end of formula", 6, []),
            ("x + * 2", 1, "expected a number, name or '(' but found '*'", 5, []),
            ("2 $ x", 1, "unexpected character '$'", 3, []),
            ("sinh2(x)", 1, "unknown function 'sinh2'", 1, ["sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "abs", "sinh", "cosh", "asin", "acos", "atan"]),
            ("x + q", 1, "unknown variable 'q'", 5, ["x", "pi", "e"]),
            ("x + y", 1, "unknown variable 'y'", 5, ["x", "pi", "e"]),
            ("", 2, "empty formula", 1, []),
            ("(x))", 1, "unexpected ')'", 4, []),
            ("1.2.3", 1, "malformed number '1.2.3'", 1, []),
        ]
        for (source, d, message, position, allowed) in cases {
            XCTAssertThrowsError(try Formula(source, dimension: d)) { error in
                XCTAssertEqual(error as? FormulaError, FormulaError(message: message, position: position, allowed: allowed), source)
            }
        }
    }
}
