import Foundation
import XCTest
@testable import PINN

final class SamplingTests: XCTestCase {
    func testLowDiscrepancySequencesBeatPseudoRandomPoints() {
        for d in [1, 2, 3] {
            let n = 512
            var rng = Xoshiro256(seed: 5)
            var randomDiscrepancy = 0.0
            for _ in 0..<5 {  // the mean over a few random sets
                randomDiscrepancy += PointDistribution.squaredL2StarDiscrepancy(PointDistribution.random.unitCube(count: n, dimension: d, rng: &rng), dimension: d) / 5
            }
            for distribution in [PointDistribution.sobol, .halton, .hammersley, .latinHypercube] {
                let points = distribution.unitCube(count: n, dimension: d, rng: &rng)
                XCTAssertEqual(points.count, n * d)
                XCTAssertTrue(points.allSatisfy { $0 >= 0 && $0 < 1 })
                let discrepancy = PointDistribution.squaredL2StarDiscrepancy(points, dimension: d)
                let factor = distribution == .latinHypercube ? 1.0 : 0.25
                XCTAssertLessThan(discrepancy, factor * randomDiscrepancy, "\(distribution) d=\(d)")
            }
        }
    }

    func testSobolFirstPointsAndNetProperty() {
        // Unshifted Sobol in 2D: (0,0), (1/2,1/2), (3/4,1/4), (1/4,3/4), …; check through the direction numbers.
        let v0 = PointDistribution.sobolDirections(dimension: 0), v1 = PointDistribution.sobolDirections(dimension: 1)
        XCTAssertEqual(Double(v0[0]) * 0x1.0p-32, 0.5)
        XCTAssertEqual(Double(v1[0]) * 0x1.0p-32, 0.5)
        XCTAssertEqual(Double(v1[1]) * 0x1.0p-32, 0.75)  // m₂ = 3 in dimension 2 gives v₂ = 3/4
        // A (0, m, 2)-net: every elementary box of area 1/64 holds exactly one of the first 64 points, also shifted.
        var rng = Xoshiro256(seed: 9)
        let points = PointDistribution.sobol.unitCube(count: 64, dimension: 2, rng: &rng)
        for (bx, by) in [(1, 64), (2, 32), (4, 16), (8, 8), (64, 1)] {
            var counts = [Int](repeating: 0, count: 64)
            for p in 0..<64 { counts[Int(points[2 * p] * Double(bx)) * by + Int(points[2 * p + 1] * Double(by))] += 1 }
            XCTAssertEqual(counts, [Int](repeating: 1, count: 64), "boxes \(bx)×\(by)")
        }
    }

    func testLatinHypercubeHasOnePointPerStratumAndSeedsReproduce() {
        var rng = Xoshiro256(seed: 3)
        let points = PointDistribution.latinHypercube.unitCube(count: 50, dimension: 3, rng: &rng)
        for i in 0..<3 {
            XCTAssertEqual(Set((0..<50).map { Int(points[3 * $0 + i] * 50) }).count, 50)
        }
        for distribution in PointDistribution.allCases {
            var a = Xoshiro256(seed: 42), b = Xoshiro256(seed: 42), c = Xoshiro256(seed: 43)
            let first = distribution.unitCube(count: 30, dimension: 2, rng: &a)
            XCTAssertEqual(first, distribution.unitCube(count: 30, dimension: 2, rng: &b), "\(distribution)")
            if distribution != .grid { XCTAssertNotEqual(first, distribution.unitCube(count: 30, dimension: 2, rng: &c)) }
        }
        // Time-stratified: one point in each of the N strata of the last coordinate.
        var s = Xoshiro256(seed: 9)
        let stratified = PointDistribution.timeStratified.unitCube(count: 40, dimension: 3, rng: &s)
        XCTAssertEqual((0..<40).map { Int(stratified[3 * $0 + 2] * 40) }, Array(0..<40))
        XCTAssertTrue(stratified.allSatisfy { $0 >= 0 && $0 < 1 })
        var g = Xoshiro256(seed: 1)
        XCTAssertEqual(PointDistribution.grid.unitCube(count: 10, dimension: 2, rng: &g).count, 16 * 2)  // rounded up to 4×4
        let box = Box.rectangle(x: 2...4, y: -1...0)
        let mapped = box.interiorPoints(count: 100, distribution: .sobol, rng: &g)
        XCTAssertTrue((0..<100).allSatisfy { box.contains([mapped[2 * $0], mapped[2 * $0 + 1]]) })
    }
}
