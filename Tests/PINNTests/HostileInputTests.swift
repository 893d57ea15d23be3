import Foundation
import XCTest
@testable import PINN

/// Hostile and huge inputs: deep nesting, long formulas, self-intersecting polygons, non-finite data on the output
/// grid — refused with a clear message, never a crash or a hang.
final class HostileInputTests: XCTestCase {
    private func parseError(_ text: String) -> String {
        do {
            _ = try ProblemFile.parse(text, path: "h.json")
            return "accepted"
        } catch {
            return error.description
        }
    }

    /// JSON nested far deeper than any problem file is refused at the first level too deep, for arrays and objects.
    func testDeeplyNestedJSONIsRefused() {
        let depth = 100_000
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        XCTAssertEqual(parseError(arrays), "h.json: malformed JSON at line 1, column 257: arrays and objects nested deeper than 256 levels")
        let objects = String(repeating: "{\"a\": ", count: depth) + "1" + String(repeating: "}", count: depth)
        XCTAssertEqual(parseError(objects), "h.json: malformed JSON at line 1, column 1537: arrays and objects nested deeper than 256 levels")
        XCTAssertNoThrow(try JSONParser.parse(String(repeating: "[", count: 256) + String(repeating: "]", count: 256)))
    }

    /// Formulas nested deeper than 200 levels — parentheses, calls, signs, powers — are refused with the position;
    /// 200 levels parse and evaluate.
    func testDeeplyNestedFormulasAreRefused() throws {
        let n = 20_000
        let cases = [
            String(repeating: "(", count: n) + "x" + String(repeating: ")", count: n),
            String(repeating: "sin(", count: n / 2) + "x" + String(repeating: ")", count: n / 2),
            String(repeating: "-", count: n) + "x",
            Array(repeating: "x", count: n).joined(separator: "^"),
        ]
        for source in cases {
            XCTAssertThrowsError(try Formula(source, dimension: 1), String(source.prefix(10))) { error in
                let e = error as! FormulaError
                XCTAssertEqual(e.message, "nesting deeper than 200 levels (parentheses, function calls, signs and powers)")
                XCTAssertLessThan(e.position, 1000)
            }
        }
        let deep = try Formula(String(repeating: "(", count: 199) + "x+1" + String(repeating: ")", count: 199), dimension: 1)
        XCTAssertEqual(deep([2.0]), 3)
        XCTAssertEqual(try Formula(String(repeating: "-", count: 200) + "x", dimension: 1)([2.0]), 2)
    }

    /// A long flat formula (a sum of 12,000 products, ~100 KB) parses, folds its constants and evaluates — on a
    /// worker thread's small stack too, where a binary tree 12,000 deep would overflow — and one character more than
    /// the limit is refused at once. (Parsing was quadratic: 2.9 s for 16 KB, 47 s for 128 KB.)
    func testLongFormulasAreLinearAndLimited() throws {
        let terms = (0..<12_000).map { k in k % 3 == 0 ? "2*x" : k % 3 == 1 ? "y/4" : "3" }
        let source = terms.joined(separator: "+")
        XCTAssertLessThan(source.count, FormulaParser.maximumLength)
        let start = Date()
        let formula = try Formula(source, dimension: 2)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "parsing must not hang")
        let expected: Double = 4000 * 2 + 4000 * 0.5 + 4000 * 3
        XCTAssertEqual(formula([1.0, 2.0]), expected)
        let value = DispatchQueue.global().sync { formula([Dual<Double>(1, derivative: 1), Dual<Double>(constant: 2)]) }
        XCTAssertEqual(value.derivative, 8000)
        XCTAssertEqual(try Formula("1+2*3-4/2+x", dimension: 1).root.constantValue, nil)
        if case let .sum(parts) = try Formula("1+2*3-4/2+x", dimension: 1).root {
            XCTAssertEqual(parts.count, 4)  // 1, 6, 2 (subtracted), x: products folded, the sum kept in order
        } else {
            XCTFail("expected a sum")
        }
        XCTAssertEqual(try Formula("2*3-1", dimension: 1).root.constantValue, 5)
        let tooLong = String(repeating: "x", count: FormulaParser.maximumLength + 1)
        XCTAssertThrowsError(try Formula(tooLong, dimension: 1)) { error in
            XCTAssertEqual((error as! FormulaError).message, "the formula has 100001 characters; at most 100000 are allowed")
        }
    }

    /// Every pair of edges is tested: a bow tie, a touching vertex, an edge folding back, a repeated vertex; simple
    /// polygons (convex, L-shaped, a comb) pass.
    func testSelfIntersectingPolygonsAreFound() {
        XCTAssertEqual(Polygon(vertices: [[0, 0], [1, 1], [1, 0], [0, 1]]).selfIntersection()?.0, 0)
        XCTAssertEqual(Polygon(vertices: [[0, 0], [1, 1], [1, 0], [0, 1]]).selfIntersection()?.1, 2)
        // A vertex touching another edge (area not zero, signed area unchanged).
        XCTAssertNotNil(Polygon(vertices: [[0, 0], [4, 0], [4, 4], [2, 0], [0, 4]]).selfIntersection())
        XCTAssertNotNil(Polygon(vertices: [[0, 0], [2, 0], [1, 0], [1, 1]]).selfIntersection())  // folds back
        XCTAssertEqual(Polygon(vertices: [[0, 0], [1, 0], [1, 0], [0, 1]]).selfIntersection()?.0, 1)  // repeated
        XCTAssertNil(Polygon.lShape.selfIntersection())
        XCTAssertNil(Polygon(vertices: [[0, 0], [1, 0], [2, 0], [2, 1], [0, 1]]).selfIntersection())  // collinear, straight
        var comb: [[Double]] = [[0, 0], [10, 0]]
        for k in stride(from: 9, through: 0, by: -1) {
            comb += [[Double(k) + 1, 2], [Double(k) + 0.5, 2], [Double(k) + 0.5, 1], [Double(k), 1]]
        }
        XCTAssertNil(Polygon(vertices: comb).selfIntersection())
        XCTAssertEqual(parseError("""
        {"pde": {"type": "poisson"}, "domain": {"type": "polygon", "vertices": [[0, 0], [1, 1], [1, 0], [0, 1]]},
         "exact_solution": "x", "network": {"hidden_layers": [4]}, "collocation": {"interior": 10, "boundary": 10},
         "training": {"stages": [{"optimizer": "adam", "iterations": 1}]}}
        """), "h.json: domain.vertices: edge 0 ([0.0, 0.0] → [1.0, 1.0]) and edge 2 ([1.0, 0.0] → [0.0, 1.0]) cross, touch or overlap; the polygon must be simple (not intersect itself)")
    }

    /// A forcing that is finite at every collocation point but infinite on the output grid (x = 0) is refused where
    /// it is evaluated, before any training.
    func testNonFiniteForcingOnTheOutputGridIsRefused() {
        XCTAssertEqual(parseError("""
        {"pde": {"type": "poisson"}, "domain": {"type": "interval", "x": [0, 1]}, "forcing": "1/x",
         "boundary_value": "0", "network": {"hidden_layers": [4]}, "collocation": {"interior": 10},
         "training": {"stages": [{"optimizer": "adam", "iterations": 1}]}, "output": {"grid": [11]}}
        """), "h.json: forcing: formula '1/x' is infinite at (x) = (0)")
    }

    /// Sizes that cannot fit are refused before anything is allocated (they used to end the process with "failed to
    /// allocate"): collocation points, output grids and histories, each naming the field; verbatim for a 1 GiB
    /// machine (10,000,020 points × 160 bytes = 1.6 GB; 4,613,585 fit in 0.8 GB beside 67 MB of the rest).
    func testSizesThatCannotFitAreRefusedBeforeAllocating() throws {
        let base = """
        {"pde": {"type": "poisson"}, "domain": {"type": "rectangle", "x": [0, 1], "y": [0, 1]}, "exact_solution": "x*y",
         "network": {"hidden_layers": [8]}, "collocation": {"interior": 50, "boundary": 20},
         "training": {"stages": [{"optimizer": "adam", "iterations": 5}]}, "output": {"grid": [11, 11]}}
        """
        let cases = [
            ("\"interior\": 50", "\"interior\": 3000000000", "h.json: collocation: the run needs about 480.1 GB (collocation points 480.0 GB); three quarters of this machine's memory is "),
            ("\"boundary\": 20", "\"boundary\": 3000000000", "h.json: collocation: the run needs about 480.1 GB (collocation points 480.0 GB); three quarters of this machine's memory is "),
            ("[11, 11]", "[100000, 100000]", "h.json: output.grid: the run needs about 1920.1 GB (output grid points 1920.0 GB); three quarters of this machine's memory is "),
            ("\"iterations\": 5", "\"iterations\": 100000000000", "h.json: output.history_interval: the run needs about 320.1 GB (history records 320.0 GB); three quarters of this machine's memory is "),
        ]
        for (old, new, prefix) in cases {
            let message = parseError(base.replacingOccurrences(of: old, with: new))
            XCTAssertTrue(message.hasPrefix(prefix), message)
            XCTAssertTrue(message.hasSuffix("fit with the rest as it is"), message)
        }
        let file = try ProblemFile.parse(base, path: "h.json")
        var configuration = file.configuration
        configuration.interiorPoints = 10_000_000  // validated, not allocated
        let solver = try Solver(problem: file.problem, configuration: configuration)
        XCTAssertEqual(solver.memoryProblem(physicalMemory: 1 << 30)?.description,
                       "configuration.interiorPoints: the run needs about 1.7 GB (collocation points 1.6 GB); three quarters of this machine's memory is 0.8 GB: at most 4613585 collocation points fit with the rest as it is")
        XCTAssertNil(solver.memoryProblem(physicalMemory: 4 << 30))
    }

    /// A system with thousands of equations (the fuzzer's one hang: 2354 copies of an elasticity equation took minutes
    /// to validate, 0.3 s each) is refused at once; 16 equations, 16 fields and 64 conditions are the limits.
    func testTooManyEquationsAreRefused() {
        let equation = "{\"residual\": \"u_xx + u_yy\"}"
        let text = """
        {"domain": {"type": "rectangle", "x": [0, 1], "y": [0, 1]},
         "equations": [\(Array(repeating: equation, count: 2354).joined(separator: ", "))],
         "conditions": [{"on": "boundary", "type": "dirichlet"}], "exact_solution": "x*y",
         "network": {"hidden_layers": [4]}, "training": {"stages": [{"optimizer": "adam", "iterations": 1}]}}
        """
        XCTAssertEqual(parseError(text), "h.json: equations: 2354 equations; at most 16 are allowed")
    }
}
