import Foundation
import XCTest
@testable import PINN

final class DomainTests: XCTestCase {
    func testDiskSampling() {
        let disk = Disk(center: [1, -2], radius: 0.5)
        XCTAssertEqual(disk.measure, Double.pi / 4, accuracy: 1e-15)
        XCTAssertTrue(disk.contains([1.2, -2.1]))
        XCTAssertFalse(disk.contains([1.5, -1.5]))
        var rng = Xoshiro256(seed: 1)
        for distribution in [PointDistribution.random, .sobol, .halton] {
            let inside = disk.interiorPoints(count: 500, distribution: distribution, rng: &rng)
            XCTAssertEqual(inside.count, 1000)
            XCTAssertTrue((0..<500).allSatisfy { disk.contains([inside[2 * $0], inside[2 * $0 + 1]]) })
            // Uniform in area: the fraction within radius r/2 is about 1/4.
            let near = (0..<500).filter { p in hypot(inside[2 * p] - 1, inside[2 * p + 1] + 2) < 0.25 }.count
            XCTAssertEqual(Double(near) / 500, 0.25, accuracy: 0.06)
        }
        let boundary = disk.boundaryPoints(count: 100, includeCorners: true, rng: &rng)
        XCTAssertEqual(boundary.count, 200)
        XCTAssertTrue((0..<100).allSatisfy { disk.isOnBoundary([boundary[2 * $0], boundary[2 * $0 + 1]], tolerance: 1e-12) })
    }

    /// The ball: volume, uniform interior (a fraction 1/8 within half the radius), boundary points on the sphere
    /// spread over it, radial normals, and the hard-constraint distance vanishing on the sphere.
    func testBallSampling() throws {
        let ball = Disk.ball(center: [0.5, -1, 2], radius: 2)
        XCTAssertEqual(ball.dimension, 3)
        XCTAssertEqual(ball.measure, 32 * Double.pi / 3, accuracy: 1e-13)
        XCTAssertEqual(ball.boundaryMeasure, 16 * Double.pi, accuracy: 1e-13)
        var rng = Xoshiro256(seed: 4)
        let inside = ball.interiorPoints(count: 4000, distribution: .sobol, rng: &rng)
        func point(_ a: [Double], _ p: Int) -> [Double] { Array(a[(3 * p)..<(3 * p + 3)]) }
        func radius(_ x: [Double]) -> Double { ((x[0] - 0.5) * (x[0] - 0.5) + (x[1] + 1) * (x[1] + 1) + (x[2] - 2) * (x[2] - 2)).squareRoot() }
        XCTAssertTrue((0..<4000).allSatisfy { ball.contains(point(inside, $0)) })
        XCTAssertEqual(Double((0..<4000).filter { radius(point(inside, $0)) < 1 }.count) / 4000, 0.125, accuracy: 0.02)
        let sphere = ball.boundaryPoints(count: 3000, includeCorners: false, rng: &rng)
        var mean = [0.0, 0.0, 0.0]
        for p in 0..<3000 {
            let x = point(sphere, p)
            XCTAssertEqual(radius(x), 2, accuracy: 1e-13)
            let n = ball.outwardNormal(at: x)
            for i in 0..<3 { XCTAssertEqual(n[i], (x[i] - ball.center[i]) / 2, accuracy: 1e-14) }
            for i in 0..<3 { mean[i] += (x[i] - ball.center[i]) / 3000 }
        }
        for i in 0..<3 { XCTAssertEqual(mean[i], 0, accuracy: 0.1, "uniform on the sphere: mean direction ≈ 0") }
        let distance = DiskDistance(disk: ball)
        XCTAssertEqual(distance(point(sphere, 7)), 0, accuracy: 1e-14)
        XCTAssertEqual(distance(ball.center), 1, accuracy: 1e-15)
        let file = try ProblemFile.load(path: CommandLineTestCase.repository.appendingPathComponent("problems/poisson-ball.json").path)
        XCTAssertEqual(file.problem.domain.description, "ball of radius 1.0 around (0.0, 0.0, 0.0)")
    }

    func testLShapedPolygon() {
        let l = Polygon.lShape
        XCTAssertEqual(l.measure, 3, accuracy: 1e-15)
        XCTAssertTrue(l.contains([-0.5, 0.5]))
        XCTAssertTrue(l.contains([0.5, -0.5]))
        XCTAssertFalse(l.contains([0.5, 0.5]))
        XCTAssertTrue(l.contains([0, 0.5]))  // on the boundary
        XCTAssertTrue(l.isOnBoundary([0.5, 0], tolerance: 1e-12))
        XCTAssertFalse(l.isOnBoundary([-0.5, 0], tolerance: 1e-12))
        var rng = Xoshiro256(seed: 2)
        let inside = l.interiorPoints(count: 3000, distribution: .random, rng: &rng)
        XCTAssertTrue((0..<3000).allSatisfy { l.contains([inside[2 * $0], inside[2 * $0 + 1]]) })
        // Each of the three unit squares gets about a third.
        let lowerLeft = (0..<3000).filter { inside[2 * $0] < 0 && inside[2 * $0 + 1] < 0 }.count
        XCTAssertEqual(Double(lowerLeft) / 3000, 1.0 / 3, accuracy: 0.03)
        // Boundary points lie on edges, in proportion to edge length (the bottom edge is 2 of 8), corners first.
        let n = 4000
        let boundary = l.boundaryPoints(count: n, includeCorners: true, rng: &rng)
        XCTAssertEqual(Array(boundary.prefix(12)), l.vertices.flatMap { $0 })
        XCTAssertTrue((0..<n).allSatisfy { l.isOnBoundary([boundary[2 * $0], boundary[2 * $0 + 1]], tolerance: 1e-12) })
        let bottom = (6..<n).filter { boundary[2 * $0 + 1] == -1 }.count
        XCTAssertEqual(Double(bottom) / Double(n - 6), 0.25, accuracy: 0.03)
        // Boxes can start with their corners too.
        let corners = Box.rectangle(x: 0...2, y: 0...1).boundaryPoints(count: 10, includeCorners: true, rng: &rng)
        XCTAssertEqual(Array(corners.prefix(8)), [0, 0, 2, 0, 2, 1, 0, 1])
    }

    func testSolvingOnAnLShapeWritesNaNOutsideTheDomain() throws {
        let text = """
        {"pde": {"type": "poisson"}, "domain": {"type": "polygon", "vertices": [[-1, -1], [1, -1], [1, 0], [0, 0], [0, 1], [-1, 1]]},
         "exact_solution": "x^2 + y^2", "network": {"hidden_layers": [10, 10]},
         "collocation": {"interior": 200, "boundary": 80, "boundary_corners": true, "distribution": "sobol"},
         "diagnostics": {"erank_every": 10},
         "training": {"stages": [{"optimizer": "adam", "iterations": 20, "learning_rate": 0.01}]}, "output": {"grid": [21, 21]}}
        """
        let file = try ProblemFile.parse(text, path: "l.json")
        XCTAssertEqual(file.problem.domain.measure, 3, accuracy: 1e-15)
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        let solution = solver.solve()
        XCTAssertTrue(solution.interiorPoints.count == 400)
        XCTAssertEqual(solution.report.effectiveRanks.count, 3)
        XCTAssertTrue(solution.report.effectiveRanks.allSatisfy { $0.ranks[0].allSatisfy { $0 >= 1 && $0 <= 10 } })
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("l-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        try ResultFile.write(solution, grid: solver.evaluationGrid(), info: .init(problemText: text, problemPath: "l.json", description: "", seed: 0, threads: 1), to: out)
        let h5 = try HDF5File.open(out)
        let u = try h5.read("/solution/u").values, x = try h5.read("/grid/x").values, y = try h5.read("/grid/y").values
        for j in 0..<21 {
            for i in 0..<21 {
                XCTAssertEqual(u[j * 21 + i].isNaN, !Polygon.lShape.contains([x[i], y[j]]), "(\(x[i]), \(y[j]))")
            }
        }
        XCTAssertTrue(try h5.numberAttribute("final_rel_l2").isFinite)
    }

    /// Points on named faces lie on exactly those faces, in proportion to the faces' measures; a 1D box's faces are
    /// its end points.
    func testFacePointsLieOnTheNamedFaces() {
        let box = Box(lower: [0, 0, 0], upper: [2, 1, 1])
        XCTAssertEqual(box.faceNames, ["left", "right", "bottom", "top", "back", "front"])
        var rng = Xoshiro256(seed: 3)
        let faces = [box.faceNames.firstIndex(of: "left")!, box.faceNames.firstIndex(of: "top")!]
        let points = box.facePoints(faces, count: 3000, rng: &rng)
        XCTAssertEqual(points.count, 9000)
        var onLeft = 0
        for p in stride(from: 0, to: points.count, by: 3) {
            let x = Array(points[p..<(p + 3)])
            let left = x[0] == 0, top = x[1] == 1
            XCTAssertTrue(left || top, "\(x)")
            XCTAssertTrue(box.contains(x))
            if left { onLeft += 1 }
        }
        // left has area 1, top area 2.
        XCTAssertEqual(Double(onLeft) / 3000, 1.0 / 3, accuracy: 0.03)
        XCTAssertEqual(Box.interval(-1, 2).facePoints([1], count: 10, rng: &rng), [2])
    }
}
