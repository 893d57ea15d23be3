/// An axis-aligned box [ℓ₁, h₁] × … × [ℓ_d, h_d]: an interval in 1D, a rectangle in 2D.
public struct Box: Sendable, Equatable, Codable {
    /// Lower corner ℓ.
    public let lower: [Double]
    /// Upper corner h.
    public let upper: [Double]

    /// A box with the given corners; every ℓᵢ < hᵢ.
    public init(lower: [Double], upper: [Double]) {
        precondition(lower.count == upper.count && !lower.isEmpty)
        precondition(zip(lower, upper).allSatisfy { $0 < $1 }, "lower bounds must be below upper bounds")
        self.lower = lower
        self.upper = upper
    }

    /// The interval [a, b].
    public static func interval(_ a: Double, _ b: Double) -> Box { Box(lower: [a], upper: [b]) }

    /// The rectangle [x₀, x₁] × [y₀, y₁].
    public static func rectangle(x: ClosedRange<Double>, y: ClosedRange<Double>) -> Box {
        Box(lower: [x.lowerBound, y.lowerBound], upper: [x.upperBound, y.upperBound])
    }

    /// Dimension d.
    public var dimension: Int { lower.count }

    /// Side lengths hᵢ − ℓᵢ.
    public var sides: [Double] { zip(lower, upper).map { $1 - $0 } }

    /// Whether `point` lies in the closed box.
    public func contains(_ point: [Double]) -> Bool {
        zip(point, zip(lower, upper)).allSatisfy { $0 >= $1.0 && $0 <= $1.1 }
    }

    /// Whether `point` lies on the boundary (within `tolerance` of a face, and inside the box).
    public func isOnBoundary(_ point: [Double], tolerance: Double = 1e-12) -> Bool {
        contains(point) && point.indices.contains { abs(point[$0] - lower[$0]) <= tolerance || abs(point[$0] - upper[$0]) <= tolerance }
    }

    /// `count` pseudo-random points on the boundary, each face chosen with probability proportional to its
    /// measure. In 1D the boundary is the two end points, which are returned alone whatever `count` is.
    public func randomBoundary(count: Int, rng: inout Xoshiro256) -> [Double] {
        if dimension == 1 { return [lower[0], upper[0]] }
        // The 2d faces xᵢ = ℓᵢ and xᵢ = hᵢ, each of measure Πⱼ≠ᵢ sideⱼ.
        let s = sides
        let faces = (0..<dimension).flatMap { i -> [(axis: Int, atUpper: Bool, measure: Double)] in
            let measure = s.indices.filter { $0 != i }.map { s[$0] }.reduce(1, *)
            return [(i, false, measure), (i, true, measure)]
        }
        let total = faces.map(\.measure).reduce(0, +)
        var points = [Double]()
        points.reserveCapacity(count * dimension)
        for _ in 0..<count {
            var r = rng.nextUniform() * total
            var face = faces[faces.count - 1]
            for candidate in faces {
                if r < candidate.measure { face = candidate; break }
                r -= candidate.measure
            }
            for i in 0..<dimension {
                if i == face.axis { points.append(face.atUpper ? upper[i] : lower[i]) }
                else { points.append(rng.nextUniform(in: lower[i], upper[i])) }
            }
        }
        return points
    }

    /// The tensor grid with `resolution[i]` equispaced coordinates per axis (ends included), point-major with the
    /// first axis fastest: in 2D, point (i, j) = (xᵢ, yⱼ) is at index j·nx + i, so values reshape to ny × nx.
    public func grid(resolution: [Int]) -> (axes: [[Double]], points: [Double]) {
        precondition(resolution.count == dimension && resolution.allSatisfy { $0 >= 2 })
        let axes = (0..<dimension).map { i in
            let n = resolution[i], low = lower[i], step = (upper[i] - lower[i]) / Double(n - 1)
            return (0..<n).map { (k: Int) -> Double in k == n - 1 ? upper[i] : low + step * Double(k) }
        }
        let total = resolution.reduce(1, *)
        var points = [Double](repeating: 0, count: total * dimension)
        for p in 0..<total {
            var rest = p
            for i in 0..<dimension {
                points[p * dimension + i] = axes[i][rest % resolution[i]]
                rest /= resolution[i]
            }
        }
        return (axes, points)
    }
}
