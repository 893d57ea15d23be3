import Foundation
import RealModule
import XCTest
@testable import PINN

/// Derivatives of order 3–6 by Taylor jets (``JetPlan``) against nested dual numbers and central differences, and
/// their parameter gradients and Jacobian rows against finite differences of the parameters.
final class JetEngineTests: XCTestCase {
    /// Every field's ∂^α at every point, as [field][α][point], from the engine's jets.
    static func jetDerivatives(_ net: Network, _ points: [Double], plan: JetPlan, alphas: [[Int]]) -> [[[Double]]] {
        let d = net.layout.inputDimension, n = points.count / d, m = net.layout.outputDimension
        let ws = TaylorWorkspace(layout: net.layout, capacity: n, streams: .jets(plan))
        points.withUnsafeBufferPointer {
            TaylorForward.run(net, points: $0.baseAddress!, count: n, streams: .jets(plan), workspace: ws)
        }
        return (0..<m).map { k in
            alphas.map { alpha in
                (0..<n).map { p in
                    plan.combination(of: alpha).reduce(0.0) { $0 + $1.coefficient * ws.output[k + m * ($1.block * n + p)] }
                }
            }
        }
    }

    static let derivativeSets: [Int: [[Int]]] = [
        1: [[0], [1], [2], [3], [4], [5], [6]],
        2: [[3, 0], [0, 4], [2, 2], [1, 2], [4, 0], [1, 1], [3, 1], [0, 1]],
        3: [[2, 1, 0], [0, 2, 2], [1, 1, 1], [0, 0, 3], [4, 0, 0]],
        4: [[1, 1, 1, 1], [0, 0, 0, 4], [2, 0, 0, 1]],
        5: [[0, 0, 0, 0, 4], [1, 0, 0, 0, 2], [0, 3, 0, 0, 0]],
    ]

    private func check(_ activation: LayerActivation, dimension d: Int, outputs m: Int, seed: UInt64,
                       residual: Bool = false, periodic: [PeriodicEmbedding.Coordinate] = [],
                       file: StaticString = #filePath, line: UInt = #line) {
        var rng = Xoshiro256(seed: seed)
        let embedding = periodic.isEmpty ? nil : PeriodicEmbedding(inputDimension: d, coordinates: periodic)
        var net = Network(inputDimension: d, hiddenWidths: [6, 6, 5], activation: activation, outputs: m,
                          embedding: embedding, residual: residual, rng: &rng)
        for layer in net.layout.dense {
            for j in 0..<layer.fanOut { net.parameters[layer.biasOffset + j] = 0.3 * rng.nextNormal() }
        }
        let alphas = Self.derivativeSets[d]!
        let plan = JetPlan(derivatives: alphas, dimension: d)
        let points = randomPoints(3, dimension: d, rng: &rng)
        let jets = Self.jetDerivatives(net, points, plan: plan, alphas: alphas)
        let label = "\(activation.terms.map(\.function)) d \(d) m \(m) residual \(residual) periodic \(!periodic.isEmpty)"
        for p in 0..<3 {
            let x = Array(points[(p * d)..<(p * d + d)])
            for k in 0..<m {
                for (q, alpha) in alphas.enumerated() {
                    let exact = DifferentialOperators.partialDerivative(of: net.field(k), at: x, orders: alpha)
                    XCTAssertLessThan(relativeError(jets[k][q][p], exact, floor: 1e-3), 1e-11,
                                      "∂^\(alpha) field \(k) \(label)", file: file, line: line)
                }
            }
        }
        // Central differences: ∂^α along a coordinate i with α_i > 0 is the difference of the engine's ∂^(α − eᵢ).
        for alpha in alphas where alpha.reduce(0, +) >= 3 {
            guard let i = alpha.firstIndex(where: { $0 > 0 }) else { continue }
            var lower = alpha
            lower[i] -= 1
            let lowerPlan = JetPlan(derivatives: [lower], dimension: d)
            let x = Array(points[0..<d])
            let g: ([Double]) -> Double = { Self.jetDerivatives(net, $0, plan: lowerPlan, alphas: [lower])[0][0][0] }
            // Fourth-order stencil: truncation h⁴/30·|∂^(α+4eᵢ)|, rounding 1e-16·|∂^(α−eᵢ)|/h.
            func at(_ delta: Double) -> Double {
                var y = x
                y[i] += delta
                return g(y)
            }
            // Shorter steps for high-frequency embeddings (truncation grows like (w·h)⁴).
            let w = periodic.map { 2 * Double.pi * Double($0.harmonics) / $0.period }.max() ?? 0
            let h = 5e-4 / (1 + w / 10)
            let fd = (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h)
            let value = Self.jetDerivatives(net, x, plan: plan, alphas: [alpha])[0][0][0]
            XCTAssertLessThan(relativeError(value, fd, floor: 1e-2), 1e-6, "FD ∂^\(alpha) \(label)", file: file, line: line)
        }
    }

    func testPlansInterpolateMixedDerivativesExactly() {
        // Pure derivatives use the axes only; ∂⁴/∂x²∂y² the five directions (4,0) (3,1) (2,2) (1,3) (0,4) up to scale.
        XCTAssertEqual(JetPlan(derivatives: [[4, 0], [0, 3]], dimension: 2).directions, [[1, 0], [0, 1]])
        XCTAssertEqual(JetPlan(derivatives: [[4, 0], [0, 3]], dimension: 2).orders, [4, 3])
        let biharmonic = JetPlan(derivatives: [[4, 0], [2, 2], [0, 4]], dimension: 2)
        XCTAssertEqual(biharmonic.directions.count, 5)
        XCTAssertEqual(biharmonic.count, 21)
        // On the polynomial x²y², ∂⁴/∂x²∂y² = 4 and (v·∇)⁴ of it is 4!·vx²vy² along v.
        let combination = biharmonic.combination(of: [2, 2])
        var value = 0.0
        for (block, c) in combination {
            let j = (0..<biharmonic.directions.count).first { biharmonic.block(direction: $0, order: 4) == block }!
            let v = biharmonic.directions[j].map(Double.init)
            value += c * 24 * v[0] * v[0] * v[1] * v[1]
        }
        XCTAssertEqual(value, 4, accuracy: 1e-12)
    }

    func testJetsAgreeWithNestedDualsAndFiniteDifferences() {
        var rowdy = LayerActivation.rowdy(base: .tanh, terms: 3, scaleFactor: 2)
        rowdy.terms[1].amplitude = 0.2
        rowdy.terms[2].amplitude = -0.15
        let activations: [LayerActivation] = [.fixed(.tanh), .fixed(.sin), .fixed(.cos), .fixed(.sigmoid), .fixed(.silu),
                                              .fixed(.softplus), .layerwiseAdaptive(.tanh, scaleFactor: 5), rowdy,
                                              .neuronwiseAdaptive(.tanh, scaleFactor: 3)]
        var seed: UInt64 = 31_000
        for activation in activations {
            for d in 1...5 {
                seed += 1
                check(activation, dimension: d, outputs: 1 + Int(seed % 3), seed: seed)
            }
        }
    }

    func testJetsThroughResidualBlocksAndPeriodicEmbeddings() {
        check(.fixed(.tanh), dimension: 2, outputs: 2, seed: 5, residual: true)
        check(.rowdy(base: .tanh, terms: 2, scaleFactor: 2), dimension: 3, outputs: 1, seed: 6, residual: true)
        check(.fixed(.tanh), dimension: 2, outputs: 1, seed: 7, periodic: [.init(index: 0, period: 2, harmonics: 2)])
        check(.fixed(.sin), dimension: 1, outputs: 2, seed: 8, periodic: [.init(index: 0, period: 0.7, harmonics: 3)])
    }

    /// L = Σ seeds·(output streams): the reverse pass's gradient (summed) and Jacobian rows (per point) against
    /// fourth-order central differences of L in every parameter, activation parameters included.
    func testParameterGradientsAndJacobianRowsOfJets() {
        var rowdy = LayerActivation.rowdy(base: .tanh, terms: 3, scaleFactor: 2)
        rowdy.terms[1].amplitude = 0.2
        rowdy.terms[2].amplitude = -0.15
        let cases: [(LayerActivation, Int, Bool)] = [
            (.fixed(.tanh), 1, false), (.layerwiseAdaptive(.sin, scaleFactor: 2), 2, false), (rowdy, 2, false),
            (.neuronwiseAdaptive(.tanh, scaleFactor: 3), 1, false), (rowdy, 3, true),
        ]
        var seed: UInt64 = 900
        for (activation, d, residual) in cases {
            seed += 1
            var rng = Xoshiro256(seed: seed)
            var net = Network(inputDimension: d, hiddenWidths: [5, 5], activation: activation, outputs: 2,
                              residual: residual, rng: &rng)
            for layer in net.layout.dense {
                for j in 0..<layer.fanOut { net.parameters[layer.biasOffset + j] = 0.3 * rng.nextNormal() }
            }
            let alphas = Self.derivativeSets[d]!.filter { $0.reduce(0, +) <= 4 }
            let plan = JetPlan(derivatives: alphas, dimension: d)
            let n = 3, m = 2, s = plan.count
            let points = randomPoints(n, dimension: d, rng: &rng)
            let seeds = (0..<(m * s * n)).map { _ in rng.nextNormal() }
            let ws = TaylorWorkspace(layout: net.layout, capacity: n, streams: .jets(plan))
            func loss(_ network: Network) -> Double {
                points.withUnsafeBufferPointer {
                    TaylorForward.run(network, points: $0.baseAddress!, count: n, streams: .jets(plan), workspace: ws)
                }
                return (0..<(m * s * n)).reduce(0.0) { $0 + seeds[$1] * ws.output[$1] }
            }
            func pointLoss(_ network: Network, _ p: Int) -> Double {
                _ = loss(network)
                var sum = 0.0
                for b in 0..<s { for k in 0..<m { sum += seeds[k + m * (b * n + p)] * ws.output[k + m * (b * n + p)] } }
                return sum
            }
            let count = net.parameters.count
            var gradient = [Double](repeating: 0, count: count)
            var rows = [Double](repeating: 0, count: count * n)
            _ = loss(net)
            seeds.withUnsafeBufferPointer { sp in
                gradient.withUnsafeMutableBufferPointer {
                    ReversePass.run(net, seeds: sp.baseAddress!, count: n, streams: .jets(plan), workspace: ws,
                                    gradient: $0.baseAddress!)
                }
            }
            _ = loss(net)
            seeds.withUnsafeBufferPointer { sp in
                rows.withUnsafeMutableBufferPointer {
                    ReversePass.run(net, seeds: sp.baseAddress!, count: n, streams: .jets(plan), workspace: ws,
                                    into: .perPoint(rows: $0.baseAddress!, stride: count))
                }
            }
            let h = 5e-4
            let mask = net.trainableMask
            let scale = gradient.map(abs).max()!
            for i in 0..<count where mask[i] != 0 {
                func shifted(_ delta: Double) -> Network {
                    var copy = net
                    copy.parameters[i] += delta
                    return copy
                }
                let fd = (8 * (loss(shifted(h)) - loss(shifted(-h))) - (loss(shifted(2 * h)) - loss(shifted(-2 * h)))) / (12 * h)
                XCTAssertLessThan(relativeError(gradient[i], fd, floor: 1e-3 * scale), 1e-6, "∂L/∂θ\(i) \(activation.terms.map(\.function)) d \(d)")
                let p = i % n
                let fdPoint = (8 * (pointLoss(shifted(h), p) - pointLoss(shifted(-h), p))
                               - (pointLoss(shifted(2 * h), p) - pointLoss(shifted(-2 * h), p))) / (12 * h)
                XCTAssertLessThan(relativeError(rows[p * count + i], fdPoint, floor: 1e-3 * scale), 1e-6,
                                  "Jacobian row \(p) column \(i) \(activation.terms.map(\.function)) d \(d)")
            }
        }
    }
}
