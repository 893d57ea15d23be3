import Foundation
import XCTest
@testable import PINN

/// The random feature method's indicator partition of unity: every point in exactly one subdomain, the continuity
/// rows between subdomains against the raw features and finite differences, and whole solves against closed forms.
final class PartitionInterfaceTests: XCTestCase {
    private let box = (lower: [0.0, -1.0], upper: [2.0, 1.0])

    private func indicator(counts: [Int], features: Int) -> PartitionOfUnity {
        PartitionOfUnity(lower: box.lower, upper: box.upper, counts: counts, featuresPerSubdomain: features,
                         variant: .indicator)
    }

    /// Σₖ ψₖ = 1 with exactly one ψₖ = 1 at random points, on the inner edges (which belong to the upper cell) and on
    /// the box's own sides; the dual-number path decides the same way, and the batched streams equal it.
    func testIndicatorPutsEveryPointInExactlyOneSubdomain() {
        let partition = indicator(counts: [3, 2], features: 2)
        var rng = Xoshiro256(seed: 21)
        var points = (0..<300).map { _ in [rng.nextUniform(in: 0, 2), rng.nextUniform(in: -1, 1)] }
        points += [[2.0 / 3, 0], [4.0 / 3, -1], [0, 0], [2, 1], [2, -1], [0, 1], [1, 1e-300]]
        for x in points {
            let weights = (0..<6).map { partition.weight(subdomain: $0, at: x) }
            XCTAssertEqual(weights.reduce(0, +), 1, "\(x)")
            XCTAssertEqual(weights.filter { $0 == 1 }.count, 1, "\(x)")
            let k = weights.firstIndex(of: 1)!
            let cell = partition.subdomain(k)
            for i in 0..<2 {
                XCTAssertTrue(x[i] >= cell.lower[i] - 1e-15 && x[i] <= cell.upper[i] + 1e-15, "\(x) in \(cell)")
            }
            let dual = x.map { Dual<Double>(constant: $0) }
            XCTAssertEqual((0..<6).map { partition.weight(subdomain: $0, at: dual).value }, weights, "\(x)")
        }
        XCTAssertEqual(partition.weight(subdomain: 4, at: [2.0 / 3, 0.5]), 1)  // an inner edge: the upper cell
        XCTAssertEqual(partition.weight(subdomain: 5, at: [2, 1]), 1)  // the box's far corner: the last cell

        var net = Network(inputDimension: 2, hiddenWidths: [12], activation: .fixed(.tanh), partition: partition,
                          rng: &rng)
        net.parameters = net.parameters.map { $0 + 0.1 }
        let flat = points.prefix(40).flatMap { $0 }
        for streams in DerivativeStreams.allCases {
            let batched = TaylorEngineTests.batched(net, flat, streams: streams)
            for p in 0..<40 {
                let x = points[p]
                XCTAssertEqual(batched[0][p], net(x), accuracy: 1e-13, "\(streams) u at \(x)")
                guard streams.hasFirst else { continue }
                let g = DifferentialOperators.gradient(of: net, at: x)
                for i in 0..<2 { XCTAssertEqual(batched[1 + i][p], g[i], accuracy: 1e-12 * max(1, abs(g[i]))) }
            }
        }
    }

    /// The continuity points lie on the faces between neighbours, `perEdge`^(d−1) of them per face, with the
    /// subdomains on either side named correctly; points outside the domain are dropped.
    func testInterfacePointsLieOnTheFacesBetweenNeighbours() {
        let partition = indicator(counts: [3, 2], features: 1)
        let points = partition.interfacePoints(perEdge: 4)
        // Axis 0: 2 inner edges × 2 rows of cells; axis 1: 1 inner edge × 3 columns of cells; 4 points each.
        XCTAssertEqual(points.count, 28)
        XCTAssertEqual(partition.interfacePointCount(perEdge: 4), 28)
        for face in points {
            let below = partition.subdomain(face.below), above = partition.subdomain(face.above)
            let i = face.axis, other = 1 - i
            XCTAssertEqual(face.point[i], below.upper[i], accuracy: 1e-15)
            XCTAssertEqual(face.point[i], above.lower[i], accuracy: 1e-15)
            XCTAssertEqual(below.lower[other], above.lower[other])
            XCTAssertTrue(face.point[other] > above.lower[other] && face.point[other] < above.upper[other])
            XCTAssertEqual(partition.weight(subdomain: face.above, at: face.point), 1)
        }
        XCTAssertEqual(Set(points.filter { $0.axis == 0 }.map(\.point[0])).count, 2)
        let kept = partition.interfacePoints(perEdge: 4) { $0[1] < 0 }
        XCTAssertEqual(kept.count, 2 * 4 + 3 * 0)  // the faces on axis 0 below y = 0; the y = 0 face is not < 0
        XCTAssertEqual(PartitionOfUnity(lower: [0], upper: [1], counts: [5], featuresPerSubdomain: 1, variant: .indicator)
            .interfacePoints(perEdge: 7).map(\.point), [[0.2], [0.4], [0.6000000000000001], [0.8]])
    }

    /// Each continuity row times the output weights is √(w/P)·(u⁺ − u⁻) (u^± summed from the raw features of the two
    /// subdomains) and √(w/P)·rᵢ·(∂ᵢu⁺ − ∂ᵢu⁻) against central differences of those sums; the biases cancel.
    func testContinuityRowsAgreeWithTheRawFeaturesAndFiniteDifferences() {
        let partition = indicator(counts: [2, 3], features: 3)
        var rng = Xoshiro256(seed: 5)
        for m in [1, 2] {
            var net = Network(inputDimension: 2, hiddenWidths: [18], activation: .fixed(.tanh), outputs: m,
                              partition: partition, rng: &rng)
            let layout = net.layout, output = layout.dense[1]
            for j in 0..<(m * 19) { net.parameters[output.weightOffset + j] = rng.nextUniform(in: -1, 1) }
            let faces = partition.interfacePoints(perEdge: 3)
            let rows = InterfaceContinuity(network: net, points: faces, weight: 4)
            XCTAssertEqual(rows.rowCount, 2 * m * faces.count)
            let c = (0..<(m * 19)).map { net.parameters[output.weightOffset + $0] }
            let rho = rows.residuals(c)
            let scale = (4 / Double(faces.count)).squareRoot(), h = 1e-5
            let evaluator = NetworkEvaluator(layout: layout)
            func side(_ k: Int, field: Int, at x: [Double]) -> Double {
                let a = evaluator.hiddenStreams(net, at: x, layer: 0, partitionOfUnity: false)[0]
                return (0..<3).reduce(0.0) { $0 + c[(k * 3 + $1) * m + field] * a[k * 3 + $1] }
            }
            for (p, face) in faces.enumerated() {
                let i = face.axis, r = 0.5 * (partition.subdomain(face.above).upper[i] - partition.subdomain(face.above).lower[i])
                var plus = face.point, minus = face.point
                plus[i] += h
                minus[i] -= h
                for k in 0..<m {
                    let jump = side(face.above, field: k, at: face.point) - side(face.below, field: k, at: face.point)
                    XCTAssertEqual(rho[2 * (p * m + k)], scale * jump, accuracy: 1e-14, "value row, face \(p)")
                    let upper: Double = side(face.above, field: k, at: plus) - side(face.above, field: k, at: minus)
                    let lower: Double = side(face.below, field: k, at: plus) - side(face.below, field: k, at: minus)
                    let slope = (upper - lower) / (2 * h)
                    XCTAssertEqual(rho[2 * (p * m + k) + 1], scale * r * slope, accuracy: 1e-8, "slope row, face \(p)")
                }
            }
            // The bias columns are zero: a constant added to every subdomain does not jump.
            for row in 0..<rows.rowCount {
                for k in 0..<m { XCTAssertEqual(rows.matrix[row + rows.rowCount * (18 * m + k)], 0) }
            }
        }
    }

    private func solve(_ text: String) throws -> (Solution, Solver) {
        let file = try ProblemFile.parse(text, path: "pou.json")
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        return (solver.solve(), solver)
    }

    /// −u'' = 16π² sin 4πx on [−1, 1] with four subdomains of 25 features joined by continuity rows: ≤ 1e-6 against the
    /// closed form (measured 7.6e-8), no visible jump at the inner edges, and the continuity loss reported; in 2D a
    /// 2 × 2 partition of the Poisson problem ≤ 1e-5 (measured 8.4e-7). The result file keeps the variant.
    func testIndicatorPartitionSolvesPoissonWithContinuityRows() throws {
        let text = """
        {"pde": {"type": "poisson"}, "domain": {"type": "interval", "x": [-1, 1]}, "exact_solution": "sin(4*pi*x)",
         "network": {"hidden_layers": [100], "activation": "tanh", "first_layer": {"type": "udi", "gamma": 0.5},
                     "partition_of_unity": {"subdomains": [4], "variant": "indicator"}},
         "collocation": {"interior": 400, "distribution": "sobol"}, "loss": {"boundary_weight": 10},
         "training": {"method": "least_squares", "least_squares": {"solver": "svd", "cutoff": 1e-14}},
         "output": {"grid": [2001]}}
        """
        let (solution, solver) = try solve(text)
        XCTAssertLessThan(solution.errors(at: solver.evaluationPointsInDomain())!.relativeL2, 1e-6)
        XCTAssertEqual(solution.report.lossNames.last, "interface_continuity")
        XCTAssertEqual(solution.leastSquares?.last.rows, 402 + 2 * 3)
        for edge in [-0.5, 0.0, 0.5] {
            let jump = solution.network([edge]) - solution.network([edge.nextDown])
            XCTAssertLessThan(abs(jump), 1e-6, "jump at \(edge)")
        }
        let (path, folder) = try writeTemporaryResult(solution, solver: solver, problemText: text, name: "pou")
        defer { try? FileManager.default.removeItem(at: folder) }
        let read = try ResultFile.readNetwork(path: path)
        XCTAssertEqual(read.layout.partition?.variant, .indicator)
        XCTAssertEqual(read([0.3]), solution.network([0.3]))

        let (square, squareSolver) = try solve("""
        {"pde": {"type": "poisson"}, "domain": {"type": "rectangle", "x": [0, 1], "y": [0, 1]},
         "exact_solution": "sin(pi*x) * sin(pi*y)",
         "network": {"hidden_layers": [800], "activation": "tanh", "first_layer": {"type": "udi", "gamma": 1},
                     "partition_of_unity": {"subdomains": [2, 2], "variant": "indicator", "interface_points": 40}},
         "collocation": {"interior": 3000, "boundary": 600, "distribution": "sobol"}, "loss": {"boundary_weight": 10},
         "training": {"method": "least_squares", "least_squares": {"solver": "svd"}, "threads": 2},
         "output": {"grid": [41, 41]}}
        """)
        XCTAssertLessThan(square.errors(at: squareSolver.evaluationPointsInDomain())!.relativeL2, 1e-5)
        XCTAssertEqual(square.leastSquares?.last.rows, 3600 + 2 * 4 * 40)
    }

    /// Bad partition input: an unknown variant, continuity options on the smooth partition, too many points.
    func testBadPartitionInput() {
        let base = """
        {"pde": {"type": "poisson"}, "domain": {"type": "rectangle", "x": [0, 1], "y": [0, 1]}, "exact_solution": "x*y",
         "network": {"hidden_layers": [40], "partition_of_unity": {"subdomains": [2, 2], PARTITION}},
         "collocation": {"interior": 100, "boundary": 40}, "training": {"method": "least_squares"}}
        """
        let cases: [(String, String)] = [
            ("\"variant\": \"step\"",
             "network.partition_of_unity.variant: unknown partition of unity 'step'; expected smooth (the C¹ bump) or indicator (with continuity rows)"),
            ("\"interface_points\": 10",
             "network.partition_of_unity.interface_points: continuity rows belong to the indicator partition (\"variant\": \"indicator\"); the smooth one overlaps and needs none"),
            ("\"variant\": \"indicator\", \"interface_points\": 20000",
             "network.partition_of_unity.interface_points: expected at most 10000 points per face edge, found 20000"),
            ("\"variant\": \"indicator\", \"interface_weight\": -1",
             "network.partition_of_unity.interface_weight: must be positive, found -1"),
        ]
        for (partition, message) in cases {
            let text = base.replacingOccurrences(of: "PARTITION", with: partition)
            XCTAssertThrowsError(try ProblemFile.parse(text, path: "p.json"), message) { error in
                XCTAssertEqual((error as? ProblemFileError)?.description, "p.json: \(message)")
            }
        }
        XCTAssertNoThrow(try ProblemFile.parse(base.replacingOccurrences(of: "PARTITION", with: "\"variant\": \"indicator\""),
                                               path: "p.json"))
    }

    /// The smooth ψ is C¹ and no more: at s = ±3/4 and ±5/4 its value and first derivative agree from both sides to
    /// rounding, its second derivative jumps by 2π² (the stated smoothness); 1 on [−3/4, 3/4], 0 beyond ±5/4, and
    /// neighbours' bumps sum to 1 across the overlap.
    func testSmoothBumpIsContinuouslyDifferentiable() {
        let h = 1e-9
        for edge in [-1.25, -0.75, 0.75, 1.25] {
            let below = PartitionOfUnity.bump(edge - h, flatBelow: false, flatAbove: false)
            let above = PartitionOfUnity.bump(edge + h, flatBelow: false, flatAbove: false)
            XCTAssertEqual(below.0, above.0, accuracy: 1e-7, "ψ at \(edge)")
            XCTAssertEqual(below.1, above.1, accuracy: 1e-7, "ψ' at \(edge)")
            XCTAssertEqual(abs(below.2 - above.2), 2 * Double.pi * Double.pi, accuracy: 1e-6, "ψ'' jump at \(edge)")
        }
        for s in stride(from: -0.7, through: 0.7, by: 0.1) {
            XCTAssertEqual(PartitionOfUnity.bump(s, flatBelow: false, flatAbove: false).0, 1)
        }
        XCTAssertEqual(PartitionOfUnity.bump(1.3, flatBelow: false, flatAbove: false).0, 0)
        for s in stride(from: 0.75, through: 1.25, by: 0.05) {
            // Neighbour centred 2 half-widths to the right: its coordinate is s − 2.
            let sum = PartitionOfUnity.bump(s, flatBelow: false, flatAbove: false).0
                + PartitionOfUnity.bump(s - 2, flatBelow: false, flatAbove: false).0
            XCTAssertEqual(sum, 1, accuracy: 1e-14, "overlap at \(s)")
        }
    }
}
