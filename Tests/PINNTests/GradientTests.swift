import Foundation
import RealModule
import XCTest
@testable import PINN

/// Parameter gradients of the hand-written reverse pass against central finite differences of the loss.
final class GradientTests: XCTestCase {
    /// Fourth-order central finite difference of `loss` in every parameter, step h·max(1, |θᵢ|):
    /// (−L(θ+2h) + 8L(θ+h) − 8L(θ−h) + L(θ−2h)) / 12h, truncation O(h⁴), rounding O(ε·L/h).
    private static let activations: [(String, LayerActivation)] = {
        var rowdy = LayerActivation.rowdy(base: .tanh, terms: 3, scaleFactor: 2)
        rowdy.terms[1].amplitude = 0.2
        rowdy.terms[2].amplitude = -0.1
        var published = LayerActivation.rowdy(base: .cos, terms: 3, scaleFactor: 2)
        for k in 1..<3 {  // the authors' code: n·a·sin(k·n·F·z), F = 1/n at start
            published.terms[k].frequency = Double(k) * 2
            published.terms[k].slope = 0.5
            published.terms[k].amplitude = 0.05
        }
        var neuronRowdy = rowdy
        neuronRowdy.neuronWise = true
        // Terms without a fused vector kernel (sigmoid, SiLU) are tabulated and added by the fused pass.
        let mixed = LayerActivation(terms: [
            KroneckerTerm(.sigmoid, scale: 0.5, frequency: 2, amplitude: 1.3, slope: 0.7, trainableAmplitude: true, trainableSlope: true),
            KroneckerTerm(.sin, scale: 2, frequency: 1.5, amplitude: -0.4, slope: 1.1, trainableAmplitude: true, trainableSlope: true),
            KroneckerTerm(.silu, scale: 1, frequency: 0.8, amplitude: 0.6, slope: 1.2, trainableSlope: true),
            KroneckerTerm(.tanh, scale: 1, frequency: 3, amplitude: 0.9, slope: 0.4, trainableAmplitude: true),
        ])
        return ActivationFunction.allCases.map { ("\($0)", LayerActivation.fixed($0)) } + [
            ("L-LAAF tanh", .layerwiseAdaptive(.tanh, scaleFactor: 5)),
            ("L-LAAF sin", .layerwiseAdaptive(.sin, scaleFactor: 3)),
            ("Rowdy-3 tanh", rowdy),
            ("Rowdy-3 cos (published)", published),
            ("sigmoid + sin + SiLU + tanh", mixed),
            ("N-LAAF tanh", .neuronwiseAdaptive(.tanh, scaleFactor: 5)),
            ("neuron-wise Rowdy-3", neuronRowdy),
        ]
    }()

    func testLossGradientMatchesFiniteDifferencesForBothPDEsAndEveryActivation() {
        var seed: UInt64 = 300
        for (name, activation) in Self.activations {
            for pde in [PDE.poisson, .helmholtz(waveNumber: 1.7)] {
                for d in [1, 2] {
                    seed += 1
                    var rng = Xoshiro256(seed: seed)
                    var net = Network(inputDimension: d, hiddenWidths: [5, 4], activation: activation, rng: &rng)
                    // Non-zero biases: zero biases would put ReLU's kink exactly at inputs that are all zero.
                    for layer in net.layout.dense {
                        for j in 0..<layer.fanOut { net.parameters[layer.biasOffset + j] = 0.3 * rng.nextNormal() }
                    }
                    let interior = randomPoints(9, dimension: d, rng: &rng)
                    let boundary = randomPoints(4, dimension: d, rng: &rng)
                    let terms = [
                        LossTerm(kind: .residual(pde), points: interior, targets: (0..<9).map { _ in rng.nextNormal() }, weight: 1.3),
                        LossTerm(kind: .dirichlet, points: boundary, targets: (0..<4).map { _ in rng.nextNormal() }, weight: 0.7),
                        LossTerm(kind: .data, points: randomPoints(3, dimension: d, rng: &rng), targets: [0.1, 0.2, 0.3]),
                    ]
                    let objective = Objective(layout: net.layout, terms: terms, chunkSize: 4)
                    var g = [Double](repeating: 0, count: net.parameters.count)
                    g.withUnsafeMutableBufferPointer { _ = objective.evaluate(net, gradient: $0.baseAddress!) }
                    let fd = finiteDifferenceGradient(net) { objective.evaluate($0, gradient: nil).reduce(0, +) }
                    assertGradientsMatch(g, fd, mask: net.trainableMask, "\(name) \(pde) d=\(d)")
                }
            }
        }
    }

    /// A loss that uses every output stream, L = ½ Σ c·out², so the reverse pass is exercised for all stream sets,
    /// pure second derivatives included.
    func testReversePassForEveryStreamSet() {
        var seed: UInt64 = 500
        for (name, activation) in Self.activations {
            for streams in DerivativeStreams.allCases {
                for d in [1, 3] {
                    // The mixed-derivative set draws from seeds of its own, so the networks of the other sets stay
                    // those this test always used (a ReLU network whose kink lies within a finite-difference step
                    // of a point would fail the comparison for reasons that are not the reverse pass's).
                    let caseSeed: UInt64
                    if streams == .hessian {
                        caseSeed = 10_000 + seed + UInt64(d)
                    } else {
                        seed += 1
                        caseSeed = seed
                    }
                    var rng = Xoshiro256(seed: caseSeed)
                    var net = Network(inputDimension: d, hiddenWidths: [4, 3, 4], activation: activation, rng: &rng)
                    for layer in net.layout.dense {
                        for j in 0..<layer.fanOut { net.parameters[layer.biasOffset + j] = 0.3 * rng.nextNormal() }
                    }
                    let n = 6
                    let points = randomPoints(n, dimension: d, rng: &rng)
                    let s = streams.count(inputDimension: d)
                    let weights = (0..<(s * n)).map { _ in rng.nextUniform(in: 0.5, 1.5) }
                    let ws = TaylorWorkspace(layout: net.layout, capacity: n, streams: streams)
                    func loss(_ net: Network) -> Double {
                        points.withUnsafeBufferPointer { TaylorForward.run(net, points: $0.baseAddress!, count: n, streams: streams, workspace: ws) }
                        return (0..<(s * n)).reduce(0.0) { $0 + 0.5 * weights[$1] * ws.output[$1] * ws.output[$1] }
                    }
                    _ = loss(net)
                    let seeds = (0..<(s * n)).map { weights[$0] * ws.output[$0] }
                    var g = [Double](repeating: 0, count: net.parameters.count)
                    g.withUnsafeMutableBufferPointer { gp in
                        seeds.withUnsafeBufferPointer { ReversePass.run(net, seeds: $0.baseAddress!, count: n, streams: streams, workspace: ws, gradient: gp.baseAddress!) }
                    }
                    assertGradientsMatch(g, finiteDifferenceGradient(net, loss), mask: net.trainableMask, "\(name) \(streams) d=\(d)")
                }
            }
        }
    }

    /// Per-point Jacobian rows (the Levenberg–Marquardt sink) through mixed second-derivative streams of one and of
    /// two outputs: ρₚ = Σₖ,ₛ cₖₛ·outₖₛ,ₚ for every point, rows against central differences of ρₚ, for layer-wise,
    /// Kronecker and neuron-wise activations in 2D and 3D.
    func testPerPointJacobianRowsThroughMixedSecondDerivatives() {
        let cases = Self.activations.filter { ["tanh", "Rowdy-3 tanh", "N-LAAF tanh", "neuron-wise Rowdy-3"].contains($0.0) }
        XCTAssertEqual(cases.count, 4)
        var seed: UInt64 = 900
        for (name, activation) in cases {
            for (d, m) in [(2, 1), (3, 1), (2, 2)] {
                seed += 1
                var rng = Xoshiro256(seed: seed)
                var net = Network(inputDimension: d, hiddenWidths: [4, 3], activation: activation, outputs: m, rng: &rng)
                for layer in net.layout.dense {
                    for j in 0..<layer.fanOut { net.parameters[layer.biasOffset + j] = 0.3 * rng.nextNormal() }
                }
                let points = randomPoints(3, dimension: d, rng: &rng)
                assertReversePassMatchesFiniteDifferences(net, points: points, streams: .hessian, rng: &rng, summed: false,
                                                          "\(name) d=\(d) m=\(m)")
            }
        }
    }

    /// The summed reverse pass of a network with two and three outputs, every stream set, against finite
    /// differences of L = ½ Σ c·out² over all fields, streams and points.
    func testReversePassWithSeveralOutputs() {
        var seed: UInt64 = 1_500
        for (name, activation) in Self.activations {
            for streams in DerivativeStreams.allCases {
                seed += 1
                let m = seed.isMultiple(of: 2) ? 2 : 3, d = 2
                var rng = Xoshiro256(seed: seed)
                var net = Network(inputDimension: d, hiddenWidths: [4, 3], activation: activation, outputs: m, rng: &rng)
                for layer in net.layout.dense {
                    for j in 0..<layer.fanOut { net.parameters[layer.biasOffset + j] = 0.3 * rng.nextNormal() }
                }
                let n = 5, size = m * streams.count(inputDimension: d) * n
                let points = randomPoints(n, dimension: d, rng: &rng)
                let weights = (0..<size).map { _ in rng.nextUniform(in: 0.5, 1.5) }
                let ws = TaylorWorkspace(layout: net.layout, capacity: n, streams: streams)
                func loss(_ net: Network) -> Double {
                    points.withUnsafeBufferPointer {
                        TaylorForward.run(net, points: $0.baseAddress!, count: n, streams: streams, workspace: ws)
                    }
                    return (0..<size).reduce(0.0) { $0 + 0.5 * weights[$1] * ws.output[$1] * ws.output[$1] }
                }
                _ = loss(net)
                let seeds = (0..<size).map { weights[$0] * ws.output[$0] }
                var g = [Double](repeating: 0, count: net.parameters.count)
                g.withUnsafeMutableBufferPointer { gp in
                    seeds.withUnsafeBufferPointer {
                        ReversePass.run(net, seeds: $0.baseAddress!, count: n, streams: streams, workspace: ws,
                                        gradient: gp.baseAddress!)
                    }
                }
                assertGradientsMatch(g, finiteDifferenceGradient(net, loss), mask: net.trainableMask,
                                     "\(name) \(streams) m=\(m)")
            }
        }
    }

    /// Rowdy-5 on layers wide enough that the fused gradient pass runs over several blocks of elements, the last
    /// one partial (30 points × 37 neurons). n = 2 keeps the frequencies moderate, so central differences stay
    /// accurate to 1e-6.
    func testRowdyGradientOverSeveralBlocksMatchesFiniteDifferences() {
        var activation = LayerActivation.rowdy(base: .tanh, terms: 5, scaleFactor: 2)
        for k in 1..<5 { activation.terms[k].amplitude = 0.01 * Double(k) * (k.isMultiple(of: 2) ? -1 : 1) }
        var rng = Xoshiro256(seed: 77)
        let net = Network(inputDimension: 2, hiddenWidths: [37, 37], activation: activation, rng: &rng)
        let interior = randomPoints(30, dimension: 2, rng: &rng)
        let terms = [LossTerm(kind: .residual(.helmholtz(waveNumber: 2)), points: interior,
                              targets: (0..<30).map { _ in rng.nextNormal() })]
        let objective = Objective(layout: net.layout, terms: terms, chunkSize: 30)
        var g = [Double](repeating: 0, count: net.parameters.count)
        g.withUnsafeMutableBufferPointer { _ = objective.evaluate(net, gradient: $0.baseAddress!) }
        let fd = finiteDifferenceGradient(net) { objective.evaluate($0, gradient: nil).reduce(0, +) }
        var mask = [Double](repeating: 0, count: net.parameters.count)
        for place in net.layout.activation {
            for k in 0..<(2 * place.termCount) { mask[place.amplitudeOffset + k] = net.trainableMask[place.amplitudeOffset + k] }
        }
        XCTAssertEqual(mask.reduce(0, +), 18)  // per layer: 4 amplitudes, 5 slopes
        assertGradientsMatch(g, fd, mask: mask, "Rowdy-5 activation parameters")
        assertGradientsMatch(g, fd, mask: net.trainableMask, "Rowdy-5 all parameters")
    }

    func testGradientIsIndependentOfThreadsAndBitIdentical() {
        var rng = Xoshiro256(seed: 9)
        let net = Network(inputDimension: 2, hiddenWidths: [8, 8], activation: .fixed(.tanh), rng: &rng)
        let terms = [LossTerm(kind: .residual(.helmholtz(waveNumber: 1)), points: randomPoints(300, dimension: 2, rng: &rng),
                              targets: (0..<300).map { _ in rng.nextNormal() }),
                     LossTerm(kind: .dirichlet, points: randomPoints(50, dimension: 2, rng: &rng), targets: [Double](repeating: 0.5, count: 50))]
        var results: [[Double]] = []
        for threads in [1, 2, 3] {
            let objective = Objective(layout: net.layout, terms: terms, threads: threads, chunkSize: 64)
            var g = [Double](repeating: 0, count: net.parameters.count)
            g.withUnsafeMutableBufferPointer { _ = objective.evaluate(net, gradient: $0.baseAddress!) }
            results.append(g)
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertEqual(results[0], results[2])

        // A gradient-buffer budget of 3 chunks' worth for 6 chunks makes groups of 2 consecutive chunks of a term
        // (the residual's 5 chunks as 2 + 2 + 1, the boundary's 1 alone): the same gradient up to rounding, and
        // still bit-identical for any thread count.
        var grouped: [[Double]] = []
        for threads in [1, 2] {
            let objective = Objective(layout: net.layout, terms: terms, threads: threads, chunkSize: 64)
            objective.gradientBufferBytes = 3 * net.parameters.count * 8
            var g = [Double](repeating: 0, count: net.parameters.count)
            g.withUnsafeMutableBufferPointer { _ = objective.evaluate(net, gradient: $0.baseAddress!) }
            grouped.append(g)
        }
        XCTAssertEqual(grouped[0], grouped[1])
        let scale = results[0].map(abs).max()!
        for i in results[0].indices { XCTAssertEqual(grouped[0][i], results[0][i], accuracy: 1e-13 * scale) }
        XCTAssertNotEqual(grouped[0], results[0], "grouping sums in a different order, so some bits should differ")
    }
}
