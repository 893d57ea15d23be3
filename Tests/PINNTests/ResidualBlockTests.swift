import Foundation
import XCTest
@testable import PINN

/// Residual (ResNet) blocks H_l = H_{l−1} + σ(W_l·H_{l−1} + b_l): streams, parameter gradients and Jacobian rows.
final class ResidualBlockTests: XCTestCase {
    private func network(dimension d: Int, outputs m: Int = 1, activation: LayerActivation, seed: UInt64) -> Network {
        var rng = Xoshiro256(seed: seed)
        var net = Network(inputDimension: d, hiddenWidths: [5, 5, 4, 4], activation: activation, outputs: m,
                          residual: true, rng: &rng)
        for layer in net.layout.dense {
            for j in 0..<layer.fanOut { net.parameters[layer.biasOffset + j] = 0.3 * rng.nextNormal() }
        }
        return net
    }

    /// Blocks 2 and 4 are residual (their widths match their inputs'), block 3 is not; the skip changes the function.
    func testWhichLayersAreBlocks() {
        let net = network(dimension: 2, activation: .fixed(.tanh), seed: 1)
        XCTAssertEqual((0..<4).map { net.layout.isResidual($0) }, [false, true, false, true])
        var plain = net
        plain = Network(layout: NetworkLayout(inputDimension: 2, hiddenWidths: [5, 5, 4, 4], termCounts: [1, 1, 1, 1]),
                        activations: net.activations, parameters: net.parameters)
        XCTAssertGreaterThan(abs(net([0.3, -0.2]) - plain([0.3, -0.2])), 1e-3)
    }

    /// Every stream set against the hyper-dual derivatives of the scalar path, in 1–3 dimensions.
    func testStreamsAgreeWithDualNumbers() {
        for d in 1...3 {
            for activation in [LayerActivation.fixed(.tanh), .rowdy(base: .tanh, terms: 2, scaleFactor: 2)] {
                let net = network(dimension: d, activation: activation, seed: UInt64(10 + d))
                var rng = Xoshiro256(seed: 3)
                let points = randomPoints(5, dimension: d, rng: &rng)
                let batched = TaylorEngineTests.batched(net, points, streams: .hessian)
                for p in 0..<5 {
                    let x = Array(points[(p * d)..<(p * d + d)])
                    XCTAssertEqual(batched[0][p], net(x), accuracy: 1e-13)
                    let g = DifferentialOperators.gradient(of: net, at: x), h = DifferentialOperators.hessian(of: net, at: x)
                    for i in 0..<d { XCTAssertEqual(batched[1 + i][p], g[i], accuracy: 1e-12 * max(1, abs(g[i])), "d=\(d) ∂\(i)") }
                    for q in h.indices { XCTAssertEqual(batched[1 + d + q][p], h[q], accuracy: 1e-12 * max(1, abs(h[q])), "d=\(d) pair \(q)") }
                }
            }
        }
    }

    /// The summed gradient (every stream set) and per-point Jacobian rows against central differences, one and two
    /// outputs, layer-wise and neuron-wise activation parameters.
    func testGradientAndJacobianRowsMatchFiniteDifferences() {
        var neuronWise = LayerActivation.rowdy(base: .tanh, terms: 2, scaleFactor: 2)
        neuronWise.neuronWise = true
        var seed: UInt64 = 30
        for activation in [LayerActivation.fixed(.tanh), .rowdy(base: .tanh, terms: 2, scaleFactor: 2), neuronWise] {
            for (d, m) in [(1, 1), (2, 2)] {
                for streams in DerivativeStreams.allCases {
                    seed += 1
                    let net = network(dimension: d, outputs: m, activation: activation, seed: seed)
                    var rng = Xoshiro256(seed: seed)
                    let points = randomPoints(4, dimension: d, rng: &rng)
                    let label = "\(activation.terms.count) terms neuron-wise \(activation.neuronWise) d=\(d) m=\(m) \(streams)"
                    assertReversePassMatchesFiniteDifferences(net, points: points, streams: streams, rng: &rng,
                                                              rowsToCheck: [0], label)
                }
            }
        }
    }
}

extension ResidualBlockTests {
    /// `"residual_blocks": true` in a problem file trains a residual network, and its result file reads back as one.
    func testProblemFileAndResultFileRoundTrip() throws {
        let text = """
        {"pde": {"type": "poisson"}, "domain": {"type": "interval", "x": [0, 1]}, "exact_solution": "sin(pi*x)",
         "network": {"hidden_layers": [8, 8, 8], "activation": "tanh", "residual_blocks": true},
         "collocation": {"interior": 50, "boundary": 2},
         "training": {"stages": [{"optimizer": "adam", "iterations": 30, "learning_rate": 0.01}]}, "output": {"grid": [11]}}
        """
        let file = try ProblemFile.parse(text, path: "resnet.json")
        XCTAssertTrue(file.configuration.residualBlocks)
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        let solution = solver.solve()
        XCTAssertEqual((0..<3).map { solution.network.layout.isResidual($0) }, [false, true, true])
        let (path, folder) = try writeTemporaryResult(solution, solver: solver, problemText: text, name: "resnet")
        defer { try? FileManager.default.removeItem(at: folder) }
        let read = try ResultFile.readNetwork(path: path)
        XCTAssertTrue(read.layout.residual)
        XCTAssertEqual(read([0.37]), solution.network([0.37]))
    }
}
