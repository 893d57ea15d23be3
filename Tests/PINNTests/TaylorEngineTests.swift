import Foundation
import RealModule
import XCTest
@testable import PINN

/// The batched Taylor-mode engine against the scalar dual-number path and central finite differences.
final class TaylorEngineTests: XCTestCase {
    /// Batched outputs for `points` as [stream][point].
    static func batched(_ net: Network, _ points: [Double], streams: DerivativeStreams) -> [[Double]] {
        let d = net.layout.inputDimension, n = points.count / d
        let ws = TaylorWorkspace(layout: net.layout, capacity: n, streams: streams)
        points.withUnsafeBufferPointer { TaylorForward.run(net, points: $0.baseAddress!, count: n, streams: streams, workspace: ws) }
        let s = streams.count(inputDimension: d)
        return (0..<s).map { k in (0..<n).map { ws.output[k * n + $0] } }
    }

    private func check(activation: LayerActivation, widths: [Int], dimension d: Int, seed: UInt64,
                       pointScale: Double = 1, weightScale: Double = 1, checkFiniteDifferences: Bool = true,
                       periodic: [PeriodicEmbedding.Coordinate] = [],
                       file: StaticString = #filePath, line: UInt = #line) {
        var rng = Xoshiro256(seed: seed)
        let embedding = periodic.isEmpty ? nil : PeriodicEmbedding(inputDimension: d, coordinates: periodic)
        var net = Network(inputDimension: d, hiddenWidths: widths, activation: activation, embedding: embedding,
                          rng: &rng)
        for i in 0..<net.parameters.count where i < net.layout.activation.first?.amplitudeOffset ?? net.parameters.count {
            net.parameters[i] *= weightScale
            if net.parameters[i] == 0 { net.parameters[i] = 0.1 * rng.nextNormal() }  // non-zero biases
        }
        let n = 5
        let points = randomPoints(n, dimension: d, in: -pointScale, pointScale, rng: &rng)
        let pure = Self.batched(net, points, streams: .pureSecond)
        let lap = Self.batched(net, points, streams: .laplacian)
        let value = Self.batched(net, points, streams: .value)
        let gradient = Self.batched(net, points, streams: .gradient)
        let hessian = Self.batched(net, points, streams: .hessian)
        let pairs = DerivativeStreams.hessianPairs(dimension: d)
        let label = "\(activation.terms.map(\.function)) widths \(widths) d \(d) periodic \(periodic.map(\.index))"
        for p in 0..<n {
            let x = Array(points[(p * d)..<(p * d + d)])
            let u = net(x)
            let g = DifferentialOperators.gradient(of: net, at: x)
            let h = DifferentialOperators.pureSecondDerivatives(of: net, at: x)
            let scale = max(1, abs(u))
            XCTAssertLessThan(abs(pure[0][p] - u) / scale, 1e-12, "u \(label)", file: file, line: line)
            XCTAssertLessThan(abs(value[0][p] - u) / scale, 1e-12, "u (value streams) \(label)", file: file, line: line)
            for i in 0..<d {
                XCTAssertLessThan(relativeError(pure[1 + i][p], g[i]), 1e-12, "∂u/∂x\(i) \(label)", file: file, line: line)
                XCTAssertLessThan(relativeError(gradient[1 + i][p], g[i]), 1e-12, "∂u/∂x\(i) (gradient) \(label)", file: file, line: line)
                XCTAssertLessThan(relativeError(pure[1 + d + i][p], h[i]), 1e-12, "∂²u/∂x\(i)² \(label)", file: file, line: line)
            }
            XCTAssertLessThan(relativeError(lap[1 + d][p], h.reduce(0, +)), 1e-12, "Δu \(label)", file: file, line: line)
            // Every second derivative, mixed included, against the hyper-dual path (and the pure ones of both sets).
            let mixed = DifferentialOperators.hessian(of: net, at: x)
            XCTAssertLessThan(abs(hessian[0][p] - u) / scale, 1e-12, "u (hessian streams) \(label)", file: file, line: line)
            for (q, (i, j)) in pairs.enumerated() {
                XCTAssertLessThan(relativeError(hessian[1 + d + q][p], mixed[q]), 1e-12, "∂²u/∂x\(i)∂x\(j) \(label)",
                                  file: file, line: line)
                if i == j { XCTAssertLessThan(relativeError(mixed[q], h[i]), 1e-12, "hyper-dual pairs \(label)") }
            }
            for i in 0..<d {
                XCTAssertLessThan(relativeError(hessian[1 + i][p], g[i]), 1e-12, "∂u/∂x\(i) (hessian) \(label)", file: file, line: line)
            }
            if checkFiniteDifferences {
                // First derivatives against central differences of u; second derivatives against central
                // differences of the engine's own first-derivative stream (step 1e-5: error ~1e-10).
                let f: ([Double]) -> Double = { net($0) }
                for i in 0..<d {
                    XCTAssertLessThan(relativeError(pure[1 + i][p], centralDifference(f, at: x, coordinate: i)),
                                      finiteDifferenceTolerance, "FD ∂u/∂x\(i) \(label)", file: file, line: line)
                    let slope: ([Double]) -> Double = { Self.batched(net, $0, streams: .gradient)[1 + i][0] }
                    XCTAssertLessThan(relativeError(pure[1 + d + i][p], centralDifference(slope, at: x, coordinate: i)),
                                      finiteDifferenceTolerance, "FD ∂²u/∂x\(i)² \(label)", file: file, line: line)
                }
                // Mixed: ∂/∂xⱼ of the engine's ∂u/∂xᵢ stream.
                for (q, (i, j)) in pairs.enumerated() where i != j {
                    let slope: ([Double]) -> Double = { Self.batched(net, $0, streams: .gradient)[1 + i][0] }
                    XCTAssertLessThan(relativeError(hessian[1 + d + q][p], centralDifference(slope, at: x, coordinate: j)),
                                      finiteDifferenceTolerance, "FD ∂²u/∂x\(i)∂x\(j) \(label)", file: file, line: line)
                }
            }
        }
    }

    func testEveryActivationDepthWidthAndDimension() {
        var seed: UInt64 = 10
        for function in ActivationFunction.allCases {
            for depth in 1...4 {
                for width in [1, 5, 64] where !(width == 64 && depth > 2) {
                    for d in 1...3 {
                        seed += 1
                        check(activation: .fixed(function), widths: Array(repeating: width, count: depth),
                              dimension: d, seed: seed, checkFiniteDifferences: width <= 5)
                    }
                }
            }
        }
    }

    /// Periodic input embeddings (1–3 harmonics, one or two periodic coordinates, periods other than 2π): every
    /// stream through the embedding equals the hyper-dual derivatives of the scalar path (≤ 1e-12) and central
    /// differences, in 1–3 dimensions.
    func testStreamsThroughAPeriodicEmbedding() {
        var seed: UInt64 = 7_000
        let cases: [(Int, [PeriodicEmbedding.Coordinate])] = [
            (1, [.init(index: 0, period: 2, harmonics: 1)]),
            (1, [.init(index: 0, period: 0.7, harmonics: 3)]),
            (2, [.init(index: 0, period: 2, harmonics: 2)]),
            (2, [.init(index: 1, period: 1.5, harmonics: 1)]),
            (3, [.init(index: 0, period: 2, harmonics: 2), .init(index: 2, period: 3, harmonics: 1)]),
        ]
        for activation in [LayerActivation.fixed(.tanh), .fixed(.sin), .rowdy(base: .tanh, terms: 3, scaleFactor: 2)] {
            for (d, periodic) in cases {
                seed += 1
                check(activation: activation, widths: [5, 4], dimension: d, seed: seed, pointScale: 1.3,
                      periodic: periodic)
            }
        }
    }

    /// Networks with m = 1–3 outputs: every field's streams (value, gradient, Laplacian, pure and mixed second
    /// derivatives) equal the hyper-dual derivatives of that field (≤ 1e-12) and central differences (≤ 1e-6), in
    /// 1–3 dimensions, for fixed, Kronecker and neuron-wise activations.
    func testEveryFieldOfASystemAgreesWithTheScalarPath() {
        var rowdy = LayerActivation.rowdy(base: .tanh, terms: 3, scaleFactor: 2)
        rowdy.terms[1].amplitude = 0.2
        rowdy.terms[2].amplitude = -0.15
        let activations: [LayerActivation] = [.fixed(.tanh), .fixed(.sin), rowdy, .neuronwiseAdaptive(.tanh, scaleFactor: 3)]
        var seed: UInt64 = 700
        for activation in activations {
            for m in 1...3 {
                for d in 1...3 {
                    seed += 1
                    var rng = Xoshiro256(seed: seed)
                    var net = Network(inputDimension: d, hiddenWidths: [6, 5], activation: activation, outputs: m, rng: &rng)
                    for layer in net.layout.dense {
                        for j in 0..<layer.fanOut { net.parameters[layer.biasOffset + j] = 0.3 * rng.nextNormal() }
                    }
                    let n = 4
                    let points = randomPoints(n, dimension: d, rng: &rng)
                    let evaluator = NetworkEvaluator(layout: net.layout, chunkSize: 3)  // two chunks
                    let hessian = evaluator.evaluateFields(net, at: points, streams: .hessian)
                    let laplacian = evaluator.evaluateFields(net, at: points, streams: .laplacian)
                    let pure = evaluator.evaluateFields(net, at: points, streams: .pureSecond)
                    XCTAssertEqual(hessian.count, m)
                    let label = "\(activation.terms.map(\.function)) m \(m) d \(d)"
                    for k in 0..<m {
                        let field = net.field(k)
                        for p in 0..<n {
                            let x = Array(points[(p * d)..<(p * d + d)])
                            let u = field(x), g = DifferentialOperators.gradient(of: field, at: x)
                            let second = DifferentialOperators.hessian(of: field, at: x)
                            XCTAssertLessThan(relativeError(hessian[k][0][p], u), 1e-12, "u field \(k) \(label)")
                            for i in 0..<d {
                                XCTAssertLessThan(relativeError(hessian[k][1 + i][p], g[i]), 1e-12, "∂\(i) field \(k) \(label)")
                                let fd = centralDifference({ field($0) }, at: x, coordinate: i)
                                XCTAssertLessThan(relativeError(hessian[k][1 + i][p], fd), finiteDifferenceTolerance,
                                                  "FD ∂\(i) field \(k) \(label)")
                                let ii = DerivativeStreams.hessianIndex(i, i, dimension: d)
                                XCTAssertLessThan(relativeError(pure[k][1 + d + i][p], second[ii]), 1e-12, "∂\(i)\(i) \(label)")
                            }
                            for q in second.indices {
                                XCTAssertLessThan(relativeError(hessian[k][1 + d + q][p], second[q]), 1e-12,
                                                  "pair \(q) field \(k) \(label)")
                            }
                            let trace = (0..<d).map { second[DerivativeStreams.hessianIndex($0, $0, dimension: d)] }.reduce(0, +)
                            XCTAssertLessThan(relativeError(laplacian[k][1 + d][p], trace), 1e-12, "Δ field \(k) \(label)")
                        }
                    }
                }
            }
        }
    }

    /// A network with three outputs and two unknown parameters is stored and rebuilt with both; files without the
    /// attributes (written before systems existed) read as one output and no unknowns.
    func testSeveralOutputsRoundTripThroughTheModelGroup() throws {
        var rng = Xoshiro256(seed: 5)
        let net = Network(inputDimension: 2, hiddenWidths: [5, 4], activation: .fixed(.tanh), outputs: 3,
                          unknowns: [1.5, -0.25], rng: &rng)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try HDF5File.create(path)
        try ResultFile.writeModel(net, to: file)
        XCTAssertEqual(try file.read("/model/output/weights").shape, [3, 4])
        let read = try ResultFile.readNetwork(from: file)
        XCTAssertEqual(read, net)
        XCTAssertEqual(read.unknowns, [1.5, -0.25])
        file.close()
    }

    func testUnequalWidths() {
        check(activation: .fixed(.tanh), widths: [3, 17, 8], dimension: 2, seed: 99)
        check(activation: .fixed(.silu), widths: [64, 2], dimension: 3, seed: 98)
    }

    func testSaturatedPreActivations() {
        // Inputs of size ~50 drive |z| to tens: tanh and sigmoid saturate, their derivatives underflow gracefully.
        for function in ActivationFunction.allCases {
            check(activation: .fixed(function), widths: [6, 6], dimension: 2, seed: 7, pointScale: 50,
                  checkFiniteDifferences: false)
        }
    }

    func testKroneckerActivationsAgreeWithTheScalarPath() {
        var rowdy = LayerActivation.rowdy(base: .tanh, terms: 4, scaleFactor: 2)
        for k in 1..<rowdy.terms.count { rowdy.terms[k].amplitude = 0.1 * Double(k) }  // non-trivial terms
        check(activation: rowdy, widths: [5, 5], dimension: 2, seed: 21)
        check(activation: .layerwiseAdaptive(.sin, scaleFactor: 3), widths: [4, 4, 4], dimension: 3, seed: 22)
        let mixed = LayerActivation(terms: [KroneckerTerm(.sigmoid, scale: 0.5, frequency: 2, amplitude: 1.3, slope: 0.7),
                                            KroneckerTerm(.cos, scale: 2, frequency: 1.5, amplitude: -0.4, slope: 1.1)])
        check(activation: mixed, widths: [6], dimension: 1, seed: 23)
        var neuronWise = mixed
        neuronWise.neuronWise = true
        check(activation: neuronWise, widths: [6, 3], dimension: 2, seed: 24)
        check(activation: .neuronwiseAdaptive(.silu, scaleFactor: 2), widths: [5], dimension: 3, seed: 25)
    }

    func testHugeSineArgumentsFallBackToLibm() {
        // Arguments beyond 2^20 leave the fast sin/cos reduction; they must still match the scalar path.
        let huge = LayerActivation(terms: [KroneckerTerm(.tanh),
                                           KroneckerTerm(.sin, scale: 1e-7, frequency: 3e6, amplitude: 0.5, slope: 1, trainableAmplitude: true),
                                           KroneckerTerm(.cos, scale: 1e-7, frequency: 2e6, amplitude: 0.3, slope: 1)])
        check(activation: huge, widths: [3], dimension: 1, seed: 31, checkFiniteDifferences: false)
        // Around the threshold: |a·z| = 5e5·|z| crosses 2^20 for some pre-activations and not for others. One
        // layer and d = 1, so that z is rounded alike on both paths (a = 5e5 turns one ulp of z into 1e-10 of sin).
        let straddling = LayerActivation(terms: [KroneckerTerm(.tanh),
                                                 KroneckerTerm(.sin, scale: 1e-6, frequency: 5e5, amplitude: 0.5, slope: 1),
                                                 KroneckerTerm(.cos, scale: 1e-6, frequency: 1e5, amplitude: 0.3, slope: 1)])
        check(activation: straddling, widths: [7], dimension: 1, seed: 32, pointScale: 3, checkFiniteDifferences: false)
        // The same network and points as `check` builds: some |5e5·z| are beyond 2^20 and some are not.
        var rng = Xoshiro256(seed: 32)
        var net = Network(inputDimension: 1, hiddenWidths: [7], activation: straddling, rng: &rng)
        for i in 0..<net.layout.activation[0].amplitudeOffset where net.parameters[i] == 0 { net.parameters[i] = 0.1 * rng.nextNormal() }
        let points = randomPoints(5, dimension: 1, in: -3, 3, rng: &rng)
        let layer = net.layout.dense[0]
        let arguments = points.flatMap { x in
            (0..<7).map { j in abs(5e5 * (net.parameters[layer.weightOffset + j] * x + net.parameters[layer.biasOffset + j])) }
        }
        XCTAssertTrue(arguments.contains { $0 > 1_048_576 } && arguments.contains { $0 < 1_048_576 }, "\(arguments)")
    }

    func testChunkedPointsGiveTheSameOutputsAsOneBatch() {
        var rng = Xoshiro256(seed: 5)
        let net = Network(inputDimension: 2, hiddenWidths: [8, 8], activation: .fixed(.tanh), rng: &rng)
        let points = randomPoints(37, dimension: 2, rng: &rng)
        let whole = Self.batched(net, points, streams: .laplacian)
        let first = Self.batched(net, Array(points[0..<20]), streams: .laplacian)
        let second = Self.batched(net, Array(points[20...]), streams: .laplacian)
        // 37 points against 20 + 17: different GEMM shapes, so equal up to summation order only.
        for s in 0..<whole.count {
            let joined = first[s] + second[s], scale = whole[s].map(abs).max() ?? 1
            XCTAssertEqual(whole[s].count, joined.count)
            for (a, b) in zip(whole[s], joined) { assertEqualUpToSummationOrder(a, b, scale: scale, "stream \(s)") }
        }
    }
}

final class KroneckerActivationTests: XCTestCase {
    /// Rowdy starts with all extra amplitudes at zero and n·ω₁ = 1: the network equals the fixed one with the same
    /// weights, values and derivatives alike.
    func testRowdyAndLLAAFAtInitialisationEqualTheFixedNetwork() {
        for preset in [LayerActivation.rowdy(base: .tanh, terms: 5, scaleFactor: 10),
                       .rowdy(base: .sin, terms: 3, scaleFactor: 2, useCosine: true),
                       .layerwiseAdaptive(.tanh, scaleFactor: 10)] {
            var rngA = Xoshiro256(seed: 42), rngB = Xoshiro256(seed: 42)
            let base = preset.terms[0].function
            let fixed = Network(inputDimension: 2, hiddenWidths: [7, 7], activation: .fixed(base), rng: &rngA)
            let adaptive = Network(inputDimension: 2, hiddenWidths: [7, 7], activation: preset, rng: &rngB)
            var rng = Xoshiro256(seed: 1)
            let points = randomPoints(11, dimension: 2, rng: &rng)
            let a = TaylorEngineTests.batched(fixed, points, streams: .pureSecond)
            let b = TaylorEngineTests.batched(adaptive, points, streams: .pureSecond)
            for s in a.indices {
                for p in a[s].indices {
                    XCTAssertEqual(a[s][p], b[s][p], accuracy: 1e-13 * max(1, abs(a[s][p])), "\(preset.terms.count) terms, stream \(s)")
                }
            }
        }
    }

    func testProblemFileActivationPresets() throws {
        let rowdy = try ProblemFile.load(path: CommandLineTests.repository.appendingPathComponent("problems/helmholtz-rowdy.json").path)
        XCTAssertEqual(rowdy.configuration.activations, [.rowdy(base: .tanh, terms: 5, scaleFactor: 10)])
        let laaf = try ProblemFile.load(path: CommandLineTests.repository.appendingPathComponent("problems/helmholtz-llaaf.json").path)
        XCTAssertEqual(laaf.configuration.activations, [.layerwiseAdaptive(.tanh, scaleFactor: 10)])
        let text = """
        {"pde": {"type": "poisson"}, "domain": {"type": "interval", "x": [0, 1]}, "exact_solution": "sin(pi*x)",
         "network": {"hidden_layers": [4], "activation": {"type": "kronecker", "terms": [
            {"function": "tanh"}, {"function": "sin", "scale": 2, "frequency": 3, "amplitude": 0, "slope": 1, "trainable_amplitude": true}]}},
         "training": {"stages": [{"optimizer": "adam", "iterations": 1}]}}
        """
        let file = try ProblemFile.parse(text, path: "k.json")
        XCTAssertEqual(file.configuration.activations[0].terms[1],
                       KroneckerTerm(.sin, scale: 2, frequency: 3, amplitude: 0, slope: 1, trainableAmplitude: true))
        XCTAssertThrowsError(try ProblemFile.parse(text.replacingOccurrences(of: "\"kronecker\"", with: "\"rowdy2\""), path: "k.json")) {
            XCTAssertEqual(($0 as? ProblemFileError)?.description,
                           "k.json: network.activation.type: unknown value 'rowdy2'; allowed: fixed, l-laaf, rowdy, kronecker, n-laaf")
        }
    }

    func testSlopeRecoveryValueAndGradient() {
        var rng = Xoshiro256(seed: 8)
        var net = Network(inputDimension: 2, hiddenWidths: [4, 4, 4], activation: .layerwiseAdaptive(.tanh, scaleFactor: 5), rng: &rng)
        for l in 0..<3 { net.parameters[net.layout.activation[l].slopeOffset] = 0.2 + 0.1 * Double(l) }
        let recovery = SlopeRecovery(weight: 0.7)
        // S = 1 / mean(exp(ω₁), exp(ω₂), exp(ω₃)).
        let expected = 0.7 * 3 / (exp(0.2) + exp(0.3) + exp(0.4))
        XCTAssertEqual(recovery.evaluate(net, gradient: nil), expected, accuracy: 1e-15)
        var g = [Double](repeating: 0, count: net.parameters.count)
        _ = g.withUnsafeMutableBufferPointer { recovery.evaluate(net, gradient: $0.baseAddress!) }
        for l in 0..<3 {
            let o = net.layout.activation[l].slopeOffset
            var plus = net, minus = net
            plus.parameters[o] += 1e-6
            minus.parameters[o] -= 1e-6
            let fd = (recovery.evaluate(plus, gradient: nil) - recovery.evaluate(minus, gradient: nil)) / 2e-6
            XCTAssertEqual(g[o], fd, accuracy: 1e-8)
        }
        XCTAssertEqual(g.enumerated().filter { $0.element != 0 }.count, 3)
    }

    func testSwitchingFromRowdyToLLAAFKeepsWeightsAndContinuesTheHistory() throws {
        var rng = Xoshiro256(seed: 3)
        let rowdy = Network(inputDimension: 2, hiddenWidths: [5, 5], activation: .rowdy(base: .tanh, terms: 4, scaleFactor: 10), rng: &rng)
        let reduced = rowdy.keepingOnlyBaseActivationTerms()
        XCTAssertEqual(reduced.activations.map(\.termCount), [1, 1])
        XCTAssertEqual(reduced.activations[0].terms[0], rowdy.activations[0].terms[0])
        // With the extra amplitudes still zero, dropping the terms changes nothing.
        var prng = Xoshiro256(seed: 4)
        let points = randomPoints(9, dimension: 2, rng: &prng)
        XCTAssertEqual(TaylorEngineTests.batched(rowdy, points, streams: .laplacian)[3],
                       TaylorEngineTests.batched(reduced, points, streams: .laplacian)[3])

        let text = """
        {"pde": {"type": "helmholtz", "k": 1}, "domain": {"type": "rectangle", "x": [-1, 1], "y": [-1, 1]},
         "exact_solution": "sin(pi*x)*sin(pi*y)",
         "network": {"hidden_layers": [6, 6], "activation": {"type": "rowdy", "terms": 3, "n": 10}},
         "collocation": {"interior": 60, "boundary": 20}, "loss": {"slope_recovery": 0.1},
         "training": {"stages": [{"optimizer": "adam", "iterations": 20, "learning_rate": 0.005},
                                 {"optimizer": "adam", "iterations": 10, "learning_rate": 0.005, "drop_extra_activation_terms": true}]},
         "output": {"grid": [9, 9], "history_interval": 5}}
        """
        let file = try ProblemFile.parse(text, path: "switch.json")
        let solver = try Solver(problem: file.problem, configuration: file.configuration)
        let solution = solver.solve()
        XCTAssertEqual(solution.report.stopReason, .completed)
        XCTAssertEqual(solution.report.iterations, 30)
        XCTAssertEqual(solution.network.activations.map(\.termCount), [1, 1])
        XCTAssertEqual(solution.report.history.map(\.iteration), [0, 5, 10, 15, 20, 25, 30])
        XCTAssertEqual(solution.report.history.map(\.stage), [0, 0, 0, 0, 1, 1, 1])
        XCTAssertEqual(solution.report.history.map { $0.amplitudes[0].count }, [3, 3, 3, 3, 1, 1, 1])
        XCTAssertEqual(solution.report.lossNames, ["pde", "boundary", "slope_recovery"])
        XCTAssertEqual(solution.report.iterationTimes.count, 30)

        let out = FileManager.default.temporaryDirectory.appendingPathComponent("switch-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        try ResultFile.write(solution, grid: solver.evaluationGrid(),
                             info: .init(problemText: text, problemPath: "switch.json", description: "", seed: 0, threads: 1), to: out)
        let h5 = try HDF5File.open(out)
        let slopes = try h5.read("/history/activation/layer_1/slopes")
        XCTAssertEqual(slopes.shape, [7, 3])
        XCTAssertTrue(slopes.values[5 * 3 + 1].isNaN)  // the dropped terms are NaN after the switch
        XCTAssertEqual(try h5.read("/history/loss_slope_recovery").values.count, 7)
        XCTAssertEqual(try ResultFile.readNetwork(from: h5), solution.network)
    }
}
