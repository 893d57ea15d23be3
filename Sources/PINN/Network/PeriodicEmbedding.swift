import RealModule

/// Exact periodicity in chosen coordinates: the network reads, in place of a periodic coordinate x with period P,
/// its first K harmonics cos(kωx), sin(kωx) (k = 1…K, ω = 2π/P); the other coordinates pass through unchanged.
/// Any function of these features is P-periodic in x, and so are all its derivatives, so periodic boundary
/// conditions hold exactly and need no loss term (Dong & Ni 2021; the Allen–Cahn and KdV benchmarks of JAX-PI).
///
/// Features, in coordinate order: a plain coordinate xᵢ gives one feature xᵢ; a periodic one gives 2K features
/// [cos ωxᵢ, sin ωxᵢ, cos 2ωxᵢ, sin 2ωxᵢ, …]. The batched engine seeds the first layer with the features' derivative
/// streams (∂/∂xᵢ cos kωxᵢ = −kω sin kωxᵢ, ∂²/∂xᵢ² cos kωxᵢ = −(kω)² cos kωxᵢ, mixed derivatives 0), so every
/// derivative the residuals read is exact.
public struct PeriodicEmbedding: Sendable, Equatable {
    /// One periodic coordinate.
    public struct Coordinate: Sendable, Equatable {
        /// The coordinate's index (0-based).
        public let index: Int
        /// The period P (> 0).
        public let period: Double
        /// The number of harmonics K (≥ 1).
        public let harmonics: Int

        public init(index: Int, period: Double, harmonics: Int = 1) {
            precondition(index >= 0 && period > 0 && period.isFinite && harmonics >= 1)
            self.index = index
            self.period = period
            self.harmonics = harmonics
        }

        /// ω = 2π/P.
        public var frequency: Double { 2 * Double.pi / period }
    }

    /// The dimension d of the points.
    public let inputDimension: Int
    /// The periodic coordinates, by increasing index.
    public let coordinates: [Coordinate]

    public init(inputDimension d: Int, coordinates: [Coordinate]) {
        precondition(coordinates.allSatisfy { $0.index < d } && Set(coordinates.map(\.index)).count == coordinates.count)
        inputDimension = d
        self.coordinates = coordinates.sorted { $0.index < $1.index }
    }

    /// The periodic description of coordinate i, if it is periodic.
    public func coordinate(_ i: Int) -> Coordinate? { coordinates.first { $0.index == i } }

    /// The number of features the first layer reads: d plus 2K − 1 for every periodic coordinate.
    public var featureCount: Int { inputDimension + coordinates.reduce(0) { $0 + 2 * $1.harmonics - 1 } }

    /// The features at one point (the scalar path, on any `Real` type, e.g. dual numbers).
    public func features<T: Real>(_ x: [T]) -> [T] {
        var result: [T] = []
        result.reserveCapacity(featureCount)
        for i in 0..<inputDimension {
            guard let c = coordinate(i) else { result.append(x[i]); continue }
            for k in 1...c.harmonics {
                let angle = T.converting(Double(k) * c.frequency) * x[i]
                result.append(T.cos(angle))
                result.append(T.sin(angle))
            }
        }
        return result
    }

    /// The range of each feature over a box of points: the box's own for plain coordinates, [−1, 1] for the
    /// harmonics (the first-layer initialisers map these ranges to [−1, 1]).
    public func featureBox(_ box: Box) -> Box {
        var lower: [Double] = [], upper: [Double] = []
        for i in 0..<inputDimension {
            if let c = coordinate(i) {
                lower += Array(repeating: -1, count: 2 * c.harmonics)
                upper += Array(repeating: 1, count: 2 * c.harmonics)
            } else {
                lower.append(box.lower[i])
                upper.append(box.upper[i])
            }
        }
        return Box(lower: lower, upper: upper)
    }

    /// Writes the features' streams for `n` points (point-major, dimension d) into `input`: e × S·N, one e × N
    /// block per stream of `streams` (value, ∂/∂xᵢ, then the second-derivative blocks), e = ``featureCount``.
    func seedStreams(points: UnsafePointer<Double>, count n: Int, streams: DerivativeStreams,
                     into input: UnsafeMutablePointer<Double>) {
        let d = inputDimension, e = featureCount
        let s = streams.count(inputDimension: d), block = e * n
        if let plan = streams.jetPlan {
            seedJets(points: points, count: n, plan: plan, into: input)
            return
        }
        input.update(repeating: 0, count: s * block)
        // The block index of ∂²/∂xᵢ² among all streams, if the stream set carries it separately (nil: Laplacian).
        func secondBlock(_ i: Int) -> Int? {
            switch streams {
            case .value, .gradient: return nil
            case .laplacian: return 1 + d
            case .pureSecond: return 1 + d + i
            case .hessian: return 1 + d + DerivativeStreams.hessianIndex(i, i, dimension: d)
            case .jets: preconditionFailure("jets are seeded by seedJets")
            }
        }
        var feature = 0
        for i in 0..<d {
            let first = streams.hasFirst ? input + (1 + i) * block : nil
            let second = secondBlock(i).map { input + $0 * block }
            guard let c = coordinate(i) else {
                for p in 0..<n { input[feature + p * e] = points[p * d + i] }
                if let first { for p in 0..<n { first[feature + p * e] = 1 } }
                feature += 1
                continue
            }
            seedHarmonics(c, coordinate: i, points: points, count: n, feature: feature, into: input) { w, at, cosine, sine in
                if let first {
                    first[at] = -w * sine
                    first[at + 1] = w * cosine
                }
                if let second {
                    second[at] = -w * w * cosine
                    second[at + 1] = -w * w * sine
                }
            }
            feature += 2 * c.harmonics
        }
    }

    /// The features' Taylor jets along each direction v of `plan`: a plain coordinate xᵢ + t·vᵢ has the order-1
    /// coefficient vᵢ; a harmonic cos(w·xᵢ) or sin(w·xᵢ) has dᵏ/dtᵏ = (w·vᵢ)ᵏ·cos⁽ᵏ⁾ or sin⁽ᵏ⁾ at w·xᵢ.
    func seedJets(points: UnsafePointer<Double>, count n: Int, plan: JetPlan, into input: UnsafeMutablePointer<Double>) {
        let d = inputDimension, e = featureCount, block = e * n
        input.update(repeating: 0, count: plan.count * block)
        var feature = 0
        for i in 0..<d {
            guard let c = coordinate(i) else {
                for p in 0..<n { input[feature + p * e] = points[p * d + i] }
                for (j, v) in plan.directions.enumerated() where v[i] != 0 {
                    let first = input + plan.block(direction: j, order: 1) * block
                    for p in 0..<n { first[feature + p * e] = Double(v[i]) }
                }
                feature += 1
                continue
            }
            seedHarmonics(c, coordinate: i, points: points, count: n, feature: feature, into: input) { w, at, cosine, sine in
                // cos⁽ᵏ⁾ cycles cos, −sin, −cos, sin; sin⁽ᵏ⁾ cycles sin, cos, −sin, −cos.
                let cosCycle = [cosine, -sine, -cosine, sine], sinCycle = [sine, cosine, -sine, -cosine]
                for (j, v) in plan.directions.enumerated() where v[i] != 0 {
                    var scale = 1.0
                    for k in 1...plan.orders[j] {
                        scale *= w * Double(v[i])
                        let stream = input + plan.block(direction: j, order: k) * block
                        stream[at] = scale * cosCycle[k % 4]
                        stream[at + 1] = scale * sinCycle[k % 4]
                    }
                }
            }
            feature += 2 * c.harmonics
        }
    }

    /// The value block of coordinate i's harmonics cos(w·xᵢ), sin(w·xᵢ), w = k·frequency (k = 1…harmonics), from
    /// feature `feature` on; `derivatives` gets (w, the element of the cosine, cos, sin) to write their streams.
    private func seedHarmonics(_ c: Coordinate, coordinate i: Int, points: UnsafePointer<Double>, count n: Int,
                               feature: Int, into input: UnsafeMutablePointer<Double>,
                               derivatives: (Double, Int, Double, Double) -> Void) {
        let d = inputDimension, e = featureCount
        for k in 1...c.harmonics {
            let w = Double(k) * c.frequency
            for p in 0..<n {
                let angle = w * points[p * d + i]
                let cosine = Double.cos(angle), sine = Double.sin(angle)
                let at = feature + 2 * (k - 1) + p * e
                input[at] = cosine
                input[at + 1] = sine
                derivatives(w, at, cosine, sine)
            }
        }
    }
}
