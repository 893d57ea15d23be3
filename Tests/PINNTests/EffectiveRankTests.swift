import Foundation
import XCTest
@testable import PINN

final class EffectiveRankTests: XCTestCase {
    func testGaussLegendreRulesAreExact() {
        let (x3, w3) = GaussLegendre.rule(3)
        XCTAssertEqual(x3[0], -(0.6).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(x3[1], 0, accuracy: 1e-15)
        XCTAssertEqual(w3, [5.0 / 9, 8.0 / 9, 5.0 / 9].map { $0 }, accuracy: 1e-15)
        for q in [1, 2, 5, 16, 64] {
            let (x, w) = GaussLegendre.rule(q)
            for degree in 0..<(2 * q) {
                var integral = 0.0
                for (node, weight) in zip(x, w) { integral += weight * pow(node, Double(degree)) }
                let exact = degree % 2 == 1 ? 0 : 2 / Double(degree + 1)
                XCTAssertEqual(integral, exact, accuracy: 1e-13, "q \(q) degree \(degree)")
            }
        }
        let box = Box.rectangle(x: 0...2, y: -1...3)
        let rule = GaussLegendre.tensorRule(on: box, nodesPerAxis: 4)
        XCTAssertEqual(rule.weights.reduce(0, +), 8, accuracy: 1e-13)
        // ∫∫ x²y dx dy over [0,2]×[−1,3] = (8/3)·4 = 32/3.
        var integral = 0.0
        for p in 0..<rule.weights.count {
            let x: Double = rule.points[2 * p], y: Double = rule.points[2 * p + 1]
            integral += rule.weights[p] * x * x * y
        }
        XCTAssertEqual(integral, 32.0 / 3, accuracy: 1e-12)
    }

    /// Legendre polynomials are orthogonal on [−1, 1] with ∫P_k² = 2/(2k+1): their Gram matrix is exactly diagonal.
    private func legendreValues(upTo degree: Int, at x: [Double], duplicate: Int? = nil) -> ([Double], Int) {
        var functions: [[Double]] = []
        for k in 0...degree {
            functions.append(x.map { t in
                var p0 = 1.0, p1 = t
                if k == 0 { return 1 }
                for j in stride(from: 2, through: k, by: 1) {
                    let p2 = (Double(2 * j - 1) * t * p1 - Double(j - 1) * p0) / Double(j)
                    p0 = p1; p1 = p2
                }
                return p1
            })
        }
        if let duplicate { functions.append(functions[duplicate]) }
        let n = functions.count
        var values = [Double](repeating: 0, count: n * x.count)
        for q in x.indices { for i in 0..<n { values[i + q * n] = functions[i][q] } }
        return (values, n)
    }

    func testEpsilonRankOfLegendrePolynomialsIsExact() throws {
        let (x, w) = GaussLegendre.rule(12)
        let (values, n) = legendreValues(upTo: 5, at: x)
        let gram = EffectiveRank.gramMatrix(values: values, count: n, weights: w)
        for i in 0..<n {
            for j in 0..<n {
                XCTAssertEqual(gram[i + j * n], i == j ? 2 / Double(2 * i + 1) : 0, accuracy: 1e-14)
            }
        }
        // Eigenvalues 2, 0.667, 0.4, 0.286, 0.222, 0.182.
        XCTAssertEqual(try EffectiveRank.ranks(gram: gram, count: n, epsilons: [1, 0.3, 0.25, 0.2, 1e-3]), [1, 3, 4, 5, 6])
    }

    func testEachDuplicatedFunctionLowersTheRankByOne() throws {
        let (x, w) = GaussLegendre.rule(12)
        let (values, n) = legendreValues(upTo: 5, at: x, duplicate: 3)
        XCTAssertEqual(n, 7)
        let ranks = try EffectiveRank.ranks(gram: EffectiveRank.gramMatrix(values: values, count: n, weights: w), count: n,
                                            epsilons: [1e-3, 1e-10])
        XCTAssertEqual(ranks, [6, 6])
        // In a network: neurons tanh(3(x − cⱼ)) with distinct centres are independent; copying neuron 0 onto two
        // others drops the ε-rank by two.
        var rng = Xoshiro256(seed: 2)
        var net = Network(inputDimension: 1, hiddenWidths: [6], activation: .fixed(.tanh), rng: &rng)
        let layer = net.layout.dense[0]
        func place(_ j: Int, centre: Double) {
            net.parameters[layer.weightOffset + j] = 3
            net.parameters[layer.biasOffset + j] = -3 * centre
        }
        for j in 0..<6 { place(j, centre: -0.75 + 0.3 * Double(j)) }
        let box = Box.interval(-1, 1)
        let before = try EffectiveRank.ranks(of: net, on: box, epsilons: [1e-8])
        place(1, centre: -0.75)
        place(2, centre: -0.75)
        let after = try EffectiveRank.ranks(of: net, on: box, epsilons: [1e-8])
        XCTAssertEqual(before, [6])
        XCTAssertEqual(after, [4])
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
