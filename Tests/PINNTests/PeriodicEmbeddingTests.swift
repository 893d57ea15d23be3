import Foundation
import XCTest
@testable import PINN

/// The periodic input embedding: exact periodicity of every stream, exact parameter gradients and Jacobian rows
/// through it, its place in problem files and result files. (Streams against dual numbers and finite differences:
/// ``TaylorEngineTests/testStreamsThroughAPeriodicEmbedding``.)
final class PeriodicEmbeddingTests: XCTestCase {
    private func network(dimension d: Int, periodic: [PeriodicEmbedding.Coordinate], outputs m: Int = 1,
                         seed: UInt64) -> Network {
        var rng = Xoshiro256(seed: seed)
        var net = Network(inputDimension: d, hiddenWidths: [6, 5], activation: .rowdy(base: .tanh, terms: 2, scaleFactor: 2),
                          outputs: m, embedding: PeriodicEmbedding(inputDimension: d, coordinates: periodic), rng: &rng)
        for layer in net.layout.dense {
            for j in 0..<layer.fanOut { net.parameters[layer.biasOffset + j] = 0.3 * rng.nextNormal() }
        }
        return net
    }

    /// u and all its derivatives (mixed ones included) are equal at x = a and x = a + P, to 1e-14.
    func testEveryStreamIsEqualAtBothEndsOfThePeriod() {
        for (d, coordinate) in [(1, PeriodicEmbedding.Coordinate(index: 0, period: 2, harmonics: 1)),
                                (2, .init(index: 0, period: 2, harmonics: 3)), (3, .init(index: 1, period: 0.5, harmonics: 2))] {
            let net = network(dimension: d, periodic: [coordinate], seed: UInt64(40 + d))
            var rng = Xoshiro256(seed: 3)
            let n = 4
            var left = randomPoints(n, dimension: d, rng: &rng)
            for p in 0..<n { left[p * d + coordinate.index] = -1 }
            var right = left
            for p in 0..<n { right[p * d + coordinate.index] += coordinate.period }
            let a = TaylorEngineTests.batched(net, left, streams: .hessian)
            let b = TaylorEngineTests.batched(net, right, streams: .hessian)
            let scale = a.flatMap { $0 }.map(abs).max()!
            XCTAssertGreaterThan(scale, 1e-3, "d=\(d): the streams are not trivially zero")
            for s in a.indices {
                for p in 0..<n {
                    XCTAssertLessThan(abs(a[s][p] - b[s][p]), 1e-14 * max(1, scale), "d=\(d) stream \(s) point \(p)")
                }
            }
        }
    }

    /// The loss gradient (every stream set) and the per-point Jacobian rows through the embedding against central
    /// differences, for one and two outputs.
    func testGradientAndJacobianRowsThroughTheEmbedding() {
        var seed: UInt64 = 60
        for (d, m) in [(1, 1), (2, 1), (2, 2)] {
            for streams in DerivativeStreams.allCases {
                seed += 1
                let net = network(dimension: d, periodic: [.init(index: 0, period: 2, harmonics: 2)], outputs: m, seed: seed)
                var rng = Xoshiro256(seed: seed)
                let points = randomPoints(5, dimension: d, rng: &rng)
                assertReversePassMatchesFiniteDifferences(net, points: points, streams: streams, rng: &rng,
                                                          rowsToCheck: [0, 4], "d=\(d) m=\(m) \(streams)")
            }
        }
    }
}
