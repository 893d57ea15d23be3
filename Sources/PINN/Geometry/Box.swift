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

    /// The tensor grid with `resolution[i]` equispaced coordinates per axis (ends included), point-major with the
    /// first axis fastest: in 2D, point (i, j) = (xᵢ, yⱼ) is at index j·nx + i, so values reshape to ny × nx.
    public func grid(resolution: [Int]) -> (axes: [[Double]], points: [Double]) {
        precondition(resolution.count == dimension && resolution.allSatisfy { $0 >= 2 })
        let axes = (0..<dimension).map { i in
            let n = resolution[i], low = lower[i], step = (upper[i] - lower[i]) / Double(n - 1)
            return (0..<n).map { (k: Int) -> Double in k == n - 1 ? upper[i] : low + step * Double(k) }
        }
        return (axes, Self.tensorPoints(axes: axes))
    }

    /// Every point of the tensor grid over `axes`, point-major with the first axis fastest.
    public static func tensorPoints(axes: [[Double]]) -> [Double] {
        let d = axes.count, counts = axes.map(\.count), total = counts.reduce(1, *)
        var points = [Double](repeating: 0, count: total * d)
        for p in 0..<total {
            var rest = p
            for i in 0..<d {
                points[p * d + i] = axes[i][rest % counts[i]]
                rest /= counts[i]
            }
        }
        return points
    }
}

