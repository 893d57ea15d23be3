import Foundation
import XCTest
@testable import PINN

final class InitializerTests: XCTestCase {
    func testWeightInitializersHaveTheirVariance() {
        let (fanIn, fanOut) = (200, 300)
        for (initializer, variance) in [(WeightInitializer.glorotNormal, 2.0 / 500), (.glorotUniform, 2.0 / 500),
                                        (.heNormal, 2.0 / 200), (.heUniform, 2.0 / 200)] {
            var rng = Xoshiro256(seed: 11)
            var w = ArraySlice([Double](repeating: 0, count: fanIn * fanOut))
            initializer.fill(&w, fanIn: fanIn, fanOut: fanOut, using: &rng)
            let mean = w.reduce(0, +) / Double(w.count)
            let sampleVariance = w.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(w.count - 1)
            XCTAssertLessThan(abs(sampleVariance / variance - 1), 0.02, "\(initializer)")  // 60000 draws: ±1.2% at 2σ
            XCTAssertLessThan(abs(mean), 4 * (variance / Double(w.count)).squareRoot(), "\(initializer)")
        }
    }

    /// Recovers UDI's directions aⱼ and offsets rⱼ from the weights in original coordinates and checks their laws.
    func testUniformDensityInitialisation() {
        for d in [2, 3] {
            let box = Box(lower: Array([0.0, -1, 5].prefix(d)), upper: Array([2.0, 3, 6].prefix(d)))
            let m = zip(box.lower, box.upper).map { 0.5 * ($0 + $1) }, s = zip(box.lower, box.upper).map { 0.5 * ($1 - $0) }
            let n = 4000, gamma = 2.5, radius = FirstLayerInitializer.defaultRadius(dimension: d)
            var rng = Xoshiro256(seed: UInt64(d))
            var net = Network(inputDimension: d, hiddenWidths: [n], activation: .fixed(.tanh), rng: &rng)
            FirstLayerInitializer.uniformDensity(shape: gamma, radius: radius).apply(to: &net, domain: box, rng: &rng)
            let layer = net.layout.dense[0]
            var meanA = [Double](repeating: 0, count: d), second = [Double](repeating: 0, count: d * d)
            var offsets: [Double] = []
            for j in 0..<n {
                let a = (0..<d).map { net.parameters[layer.weightOffset + j + $0 * n] * s[$0] / gamma }
                XCTAssertEqual(a.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-12)  // on the unit sphere
                let r = net.parameters[layer.biasOffset + j] / gamma + (0..<d).reduce(0.0) { $0 + a[$1] * m[$1] / s[$1] }
                // The hyperplane aⱼ·x̂ + rⱼ = 0 is at distance rⱼ from the centre: it cuts the ball of radius R.
                XCTAssertGreaterThanOrEqual(r, -1e-12)
                XCTAssertLessThanOrEqual(r, radius + 1e-12)
                offsets.append(r)
                for i in 0..<d {
                    meanA[i] += a[i] / Double(n)
                    for k in 0..<d { second[i * d + k] += a[i] * a[k] / Double(n) }
                }
            }
            // Uniform on the sphere: mean 0 and E[a aᵀ] = I/d (sampling error ~1/√n ≈ 0.016).
            for i in 0..<d {
                XCTAssertEqual(meanA[i], 0, accuracy: 0.05)
                for k in 0..<d { XCTAssertEqual(second[i * d + k], i == k ? 1 / Double(d) : 0, accuracy: 0.04) }
            }
            // Offsets uniform on [0, R]: mean R/2, variance R²/12, and a flat histogram.
            let mean = offsets.reduce(0, +) / Double(n)
            let variance = offsets.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
            XCTAssertEqual(mean, radius / 2, accuracy: 0.03 * radius)
            XCTAssertEqual(variance, radius * radius / 12, accuracy: 0.05 * radius * radius / 12)
            var bins = [Int](repeating: 0, count: 5)
            for r in offsets { bins[min(4, Int(r / radius * 5))] += 1 }
            for b in bins { XCTAssertEqual(Double(b), Double(n) / 5, accuracy: 4 * (Double(n) / 5 * 0.8).squareRoot()) }
        }
    }

    func testGridInitialisationCentresNeuronsOnAUniformGrid() throws {
        var rng = Xoshiro256(seed: 1)
        var net = Network(inputDimension: 1, hiddenWidths: [10], activation: .fixed(.tanh), rng: &rng)
        let box = Box.interval(2, 6)
        FirstLayerInitializer.grid1D(shape: 5).apply(to: &net, domain: box, rng: &rng)
        let layer = net.layout.dense[0]
        // Neuron j crosses zero at x = 4 + 2·cⱼ with cⱼ = −1 + (2j + 1)/10: 2.2, 2.6, …, 5.8; slope 5 in x̂ = 2.5 in x.
        for j in 0..<10 {
            let w = net.parameters[layer.weightOffset + j], b = net.parameters[layer.biasOffset + j]
            XCTAssertEqual(w, 2.5, accuracy: 1e-14)
            XCTAssertEqual(-b / w, 2.2 + 0.4 * Double(j), accuracy: 1e-12)
        }
        // Well separated neurons: the first layer's ε-rank at 1e-4 is the full width, unlike a Glorot start.
        var glorot = Network(inputDimension: 1, hiddenWidths: [10], activation: .fixed(.tanh), rng: &rng)
        let full = try EffectiveRank.ranks(of: net, on: box, epsilons: [1e-4])
        XCTAssertEqual(full, [10])
        glorot.parameters[glorot.layout.dense[0].biasOffset] = 0
        XCTAssertLessThan(try EffectiveRank.ranks(of: glorot, on: box, epsilons: [1e-4])[0], 10)
    }

    func testProblemFileFirstLayerOptions() throws {
        let text = """
        {"pde": {"type": "poisson"}, "domain": {"type": "rectangle", "x": [0, 1], "y": [0, 1]}, "exact_solution": "x*y",
         "network": {"hidden_layers": [8, 8], "first_layer": {"type": "udi", "gamma": 2}},
         "training": {"stages": [{"optimizer": "adam", "iterations": 1}]}}
        """
        XCTAssertEqual(try ProblemFile.parse(text, path: "u.json").configuration.firstLayer, .uniformDensity(shape: 2, radius: 1.5))
        XCTAssertThrowsError(try ProblemFile.parse(text.replacingOccurrences(of: "\"udi\"", with: "\"grid\""), path: "u.json")) {
            XCTAssertEqual(($0 as? ProblemFileError)?.description, "u.json: network.first_layer.type: 'grid' is for 1D domains; use 'udi' in 2D")
        }
    }
}
