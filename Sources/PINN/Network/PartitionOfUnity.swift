import Foundation
import RealModule

/// The random feature method's partition of unity (Chen, Chi, E & Yang, "Bridging traditional and machine learning-
/// based algorithms for solving PDEs: the random feature method", 2022): a box cut into a grid of subdomains, the
/// hidden layer's features split into equal groups, one per subdomain, and feature j of subdomain k multiplied by
/// ψₖ(x) = Πᵢ ψ((xᵢ − cₖᵢ)/rₖᵢ) (cₖ the subdomain's centre, rₖ its half-widths), with the smooth bump
/// ```
/// ψ(s) = (1 + sin 2πs)/2 on [−5/4, −3/4),  1 on [−3/4, 3/4),  (1 − sin 2πs)/2 on [3/4, 5/4),  0 elsewhere,
/// ```
/// so that neighbouring bumps overlap by a quarter of a half-width and sum to 1 there (ψ is C¹). On the sides of
/// the subdomains that lie on the box's boundary ψ stays 1 (there is no neighbour to hand over to): Σₖ ψₖ = 1 on the
/// whole box, which a smooth solution needs — with the taper there, u = ψ·v would need v'' to jump where ψ'' does,
/// and smooth features cannot fit that (measured: relative L2 0.2 on a Poisson problem). The network is then
/// u = Σₖ ψₖ·Σⱼ cₖⱼ·φₖⱼ + b; the engine applies the product rule to every stream of the last hidden layer. Meant for
/// the least-squares method (the reverse pass does not carry ψ into hidden-layer gradients, so training is refused).
///
/// The ``Variant/indicator`` variant is the papers' other choice, ψ = 1 on the subdomain and 0 elsewhere (the
/// subdomains as half-open cells, so every point belongs to exactly one): the local solutions are joined by
/// continuity rows (value and normal derivative) at points on the faces between neighbouring subdomains
/// (``interfacePoints(perEdge:)``), which the least-squares solve adds to the equations' and conditions' rows.
public struct PartitionOfUnity: Sendable, Equatable {
    /// Which ψ: the C¹ bump (`smooth`, subdomains overlap) or the subdomain's indicator (`indicator`, no overlap,
    /// continuity rows between subdomains).
    public enum Variant: String, Sendable, CaseIterable {
        case smooth, indicator
    }
    /// The box that is cut (the domain's bounding box).
    public let lower: [Double]
    public let upper: [Double]
    /// Subdomains per axis.
    public let counts: [Int]
    /// Features per subdomain J (the hidden layer has J·Πcounts units, subdomain k's are k·J ..< (k+1)·J).
    public let featuresPerSubdomain: Int
    public let variant: Variant

    /// Per subdomain and axis (k·d + i): the centre, the half-width, and whether the lower and upper sides lie on
    /// the box's boundary (computed once: the engine reads them at every point).
    private let centres: [Double], radii: [Double], flatBelow: [Bool], flatAbove: [Bool]
    /// The inner cell edges of each axis (axis i's counts[i] − 1 edges), as the indicator variant compares with them.
    let edges: [[Double]]

    public init(lower: [Double], upper: [Double], counts: [Int], featuresPerSubdomain: Int,
                variant: Variant = .smooth) {
        precondition(lower.count == upper.count && counts.count == lower.count && counts.allSatisfy { $0 >= 1 })
        precondition(zip(lower, upper).allSatisfy { $0 < $1 } && featuresPerSubdomain >= 1)
        self.lower = lower
        self.upper = upper
        self.counts = counts
        self.featuresPerSubdomain = featuresPerSubdomain
        self.variant = variant
        edges = counts.indices.map { i in
            (1..<counts[i]).map { lower[i] + Double($0) * ((upper[i] - lower[i]) / Double(counts[i])) }
        }
        var centres: [Double] = [], radii: [Double] = [], below: [Bool] = [], above: [Bool] = []
        for k in 0..<counts.reduce(1, *) {
            var rest = k
            for i in 0..<counts.count {
                let cell = rest % counts[i], width = (upper[i] - lower[i]) / Double(counts[i])
                rest /= counts[i]
                let low = lower[i] + Double(cell) * width
                let high = cell == counts[i] - 1 ? upper[i] : lower[i] + Double(cell + 1) * width
                centres.append(0.5 * (low + high))
                radii.append(0.5 * (high - low))
                below.append(cell == 0)
                above.append(cell == counts[i] - 1)
            }
        }
        (self.centres, self.radii, flatBelow, flatAbove) = (centres, radii, below, above)
    }

    public static func == (a: PartitionOfUnity, b: PartitionOfUnity) -> Bool {
        a.lower == b.lower && a.upper == b.upper && a.counts == b.counts
            && a.featuresPerSubdomain == b.featuresPerSubdomain && a.variant == b.variant
    }

    /// The cell of axis i that holds coordinate x (cells are half-open, [eₖ, eₖ₊₁); outside the box the first or
    /// the last) — the same comparisons on Double and on the dual-number path.
    func cell<T: Real>(_ x: T, axis i: Int) -> Int {
        var c = 0
        for e in edges[i] where x >= T.converting(e) { c += 1 }
        return c
    }

    /// The subdomain k (first axis fastest) whose cells hold the point.
    func subdomainIndex<T: Real>(at x: [T]) -> Int {
        var k = 0
        for i in (0..<dimension).reversed() { k = k * counts[i] + cell(x[i], axis: i) }
        return k
    }

    public var dimension: Int { counts.count }
    public var subdomainCount: Int { counts.reduce(1, *) }
    public var featureCount: Int { subdomainCount * featuresPerSubdomain }

    /// Subdomain k's box (the first axis varies fastest).
    public func subdomain(_ k: Int) -> Box {
        let d = dimension, axes = (k * d)..<(k * d + d)
        return Box(lower: axes.map { centres[$0] - radii[$0] }, upper: axes.map { centres[$0] + radii[$0] })
    }

    /// ψ(s) and its first two derivatives; `flat` sides (on the box's boundary) stay 1 beyond ±3/4.
    static func bump(_ s: Double, flatBelow: Bool, flatAbove: Bool) -> (Double, Double, Double) {
        let w = 2 * Double.pi
        if s < -0.75 && flatBelow || s >= 0.75 && flatAbove { return (1, 0, 0) }
        switch s {
        case -1.25 ..< -0.75: return ((1 + sin(w * s)) / 2, w * cos(w * s) / 2, -w * w * sin(w * s) / 2)
        case -0.75 ..< 0.75: return (1, 0, 0)
        case 0.75 ..< 1.25: return ((1 - sin(w * s)) / 2, -w * cos(w * s) / 2, w * w * sin(w * s) / 2)
        default: return (0, 0, 0)
        }
    }

    /// ψ(s) on any `Real` type (the scalar path).
    static func bump<T: Real>(_ s: T, flatBelow: Bool, flatAbove: Bool) -> T {
        let w = T.converting(2 * Double.pi), quarter = T.converting(0.75), outer = T.converting(1.25)
        if s < -quarter && flatBelow || s >= quarter && flatAbove { return 1 }
        if s < -outer || s >= outer { return 0 }
        if s < -quarter { return (1 + T.sin(w * s)) / 2 }
        if s < quarter { return 1 }
        return (1 - T.sin(w * s)) / 2
    }


    /// ψₖ at one point on any `Real` type.
    public func weight<T: Real>(subdomain k: Int, at x: [T]) -> T {
        if variant == .indicator { return subdomainIndex(at: x) == k ? 1 : 0 }
        var product: T = 1
        for i in 0..<dimension {
            let at = k * dimension + i
            product *= Self.bump((x[i] - T.converting(centres[at])) / T.converting(radii[at]), flatBelow: flatBelow[at],
                                 flatAbove: flatAbove[at])
        }
        return product
    }

    /// Multiplies the hidden layer's streams (width × S·N, as the Taylor engine lays them out) by ψ of each feature's
    /// subdomain, by the product rule: (ψa)ᵢ = ψaᵢ + ψᵢa, (ψa)ᵢⱼ = ψaᵢⱼ + ψᵢaⱼ + ψⱼaᵢ + ψᵢⱼa, Δ(ψa) = ψΔa + 2∇ψ·∇a + aΔψ.
    func apply(to streams: UnsafeMutablePointer<Double>, width: Int, points: UnsafePointer<Double>, count n: Int,
               dimension d: Int, streams set: DerivativeStreams) {
        let block = width * n, pairs = DerivativeStreams.hessianPairs(dimension: d)
        if variant == .indicator {
            // ψ is 1 on the point's own subdomain and 0 elsewhere, with no derivatives: keep its features' streams.
            let j = featuresPerSubdomain
            for p in 0..<n {
                var own = 0
                for i in (0..<d).reversed() { own = own * counts[i] + cell(points[p * d + i], axis: i) }
                for stream in 0..<set.count(inputDimension: d) {
                    let column = streams + stream * block + p * width
                    column.update(repeating: 0, count: own * j)
                    (column + (own + 1) * j).update(repeating: 0, count: width - (own + 1) * j)
                }
            }
            return
        }
        var value = [Double](repeating: 0, count: subdomainCount)
        var gradient = [Double](repeating: 0, count: subdomainCount * d)
        var second = [Double](repeating: 0, count: subdomainCount * pairs.count)
        var bumps = [(Double, Double, Double)](repeating: (0, 0, 0), count: d)
        for p in 0..<n {
            weights(at: points + p * d, value: &value, gradient: &gradient, second: &second, bumps: &bumps, pairs: pairs)
            for j in 0..<width {
                let k = j / featuresPerSubdomain
                let at = j + p * width
                let psi = value[k]
                let a = streams[at]
                switch set {
                case .value, .gradient: break
                case .jets: preconditionFailure("a partition of unity carries no Taylor jets")
                case .laplacian:
                    var sum = psi * streams[at + (1 + d) * block]
                    for i in 0..<d {
                        let gi = gradient[k * d + i]
                        sum += 2 * gi * streams[at + (1 + i) * block]
                        sum += second[k * pairs.count + DerivativeStreams.hessianIndex(i, i, dimension: d)] * a
                    }
                    streams[at + (1 + d) * block] = sum
                case .pureSecond:
                    for i in 0..<d {
                        let s = at + (1 + d + i) * block
                        streams[s] = psi * streams[s] + 2 * gradient[k * d + i] * streams[at + (1 + i) * block]
                            + second[k * pairs.count + DerivativeStreams.hessianIndex(i, i, dimension: d)] * a
                    }
                case .hessian:
                    for (q, (i, l)) in pairs.enumerated() {
                        let s = at + (1 + d + q) * block
                        streams[s] = psi * streams[s] + gradient[k * d + i] * streams[at + (1 + l) * block]
                            + gradient[k * d + l] * streams[at + (1 + i) * block] + second[k * pairs.count + q] * a
                    }
                }
                if set.hasFirst {
                    for i in 0..<d {
                        let s = at + (1 + i) * block
                        streams[s] = psi * streams[s] + gradient[k * d + i] * a
                    }
                }
                streams[at] = psi * a
            }
        }
    }

    /// ψₖ, ∇ψₖ and every ∂²ψₖ/∂xᵢ∂xⱼ (i ≤ j) of all subdomains at one point (`bumps`: scratch, d entries).
    private func weights(at x: UnsafePointer<Double>, value: inout [Double], gradient: inout [Double],
                         second: inout [Double], bumps f: inout [(Double, Double, Double)], pairs: [(Int, Int)]) {
        let d = dimension
        if variant == .indicator {
            var own = 0
            for i in (0..<d).reversed() { own = own * counts[i] + cell(x[i], axis: i) }
            for k in 0..<subdomainCount { value[k] = k == own ? 1 : 0 }
            for e in gradient.indices { gradient[e] = 0 }
            for e in second.indices { second[e] = 0 }
            return
        }
        for k in 0..<subdomainCount {
            for i in 0..<d {
                let at = k * d + i
                let b = Self.bump((x[i] - centres[at]) / radii[at], flatBelow: flatBelow[at], flatAbove: flatAbove[at])
                f[i] = (b.0, b.1 / radii[at], b.2 / (radii[at] * radii[at]))
            }
            var product = 1.0
            for i in 0..<d { product *= f[i].0 }
            value[k] = product
            for i in 0..<d {
                var g = f[i].1
                for l in 0..<d where l != i { g *= f[l].0 }
                gradient[k * d + i] = g
            }
            for (q, (i, j)) in pairs.enumerated() {
                var h = i == j ? f[i].2 : f[i].1 * f[j].1
                for l in 0..<d where l != i && l != j { h *= f[l].0 }
                second[k * pairs.count + q] = h
            }
        }
    }
}
