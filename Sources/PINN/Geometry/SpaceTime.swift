import Foundation

/// A space-time domain Ω × [t₀, T]: points are (x…, t) with time the last coordinate, named `t`. Its boundary, for
/// boundary conditions, is the spatial boundary over time, ∂Ω × [t₀, T] (outward normals (n_Ω, 0)); the initial
/// slice Ω × {t₀} is the region ``Region/initial``.
public struct SpaceTime: Domain {
    public let space: any Domain
    public let start: Double
    public let end: Double

    public init(space: any Domain, start: Double, end: Double) {
        precondition(end > start && !(space is SpaceTime))
        self.space = space
        self.start = start
        self.end = end
    }

    public var dimension: Int { space.dimension + 1 }
    var names: [String] { space.dimension == 0 ? ["t"] : space.coordinateNames + ["t"] }
    /// Whether this is the time interval of an ODE (no spatial coordinates).
    public var isTimeOnly: Bool { space.dimension == 0 }
    public var boundingBox: Box {
        guard !isTimeOnly else { return Box(lower: [start], upper: [end]) }
        let box = space.boundingBox
        return Box(lower: box.lower + [start], upper: box.upper + [end])
    }
    public var measure: Double { space.measure * (end - start) }
    public var duration: Double { end - start }
    public var description: String { "\(space) × [\(start), \(end)] in time" }

    private func spatial(_ p: [Double]) -> [Double] { Array(p.prefix(space.dimension)) }

    public func contains(_ p: [Double]) -> Bool {
        p[space.dimension] >= start && p[space.dimension] <= end && space.contains(spatial(p))
    }

    /// On the spatial boundary (the time ends are the initial slice and the final time, not boundary).
    public func isOnBoundary(_ p: [Double], tolerance: Double) -> Bool {
        space.isOnBoundary(spatial(p), tolerance: tolerance)
    }

    public func outwardNormal(at p: [Double]) -> [Double] { space.outwardNormal(at: spatial(p)) + [0] }

    /// Boxes in space: the distribution over the whole space-time box (Sobol, Halton, Latin hypercube stay
    /// low-discrepancy in (x, t)); other domains: rejection from the bounding box.
    public func interiorPoints(count n: Int, distribution: PointDistribution, rng: inout Xoshiro256) -> [Double] {
        if space is Box || isTimeOnly { return boundingBox.interiorPoints(count: n, distribution: distribution, rng: &rng) }
        return rejectionSample(count: n, distribution: distribution, rng: &rng)
    }

    /// n points of ∂Ω × [t₀, T], uniform in time.
    public func boundaryPoints(count n: Int, includeCorners: Bool, rng: inout Xoshiro256) -> [Double] {
        if isTimeOnly { return [] }
        return attachTimes(spatialBoundary(count: n, faces: nil, rng: &rng), rng: &rng)
    }

    /// n points on faces of the spatial box over time.
    public func facePoints(_ faces: [Int], count n: Int, rng: inout Xoshiro256) -> [Double] {
        attachTimes(spatialBoundary(count: n, faces: faces, rng: &rng), rng: &rng)
    }

    /// n points of the initial slice Ω × {t₀} (the spatial distribution's interior points).
    public func initialPoints(count n: Int, distribution: PointDistribution, rng: inout Xoshiro256) -> [Double] {
        // An ODE's initial slice is the one point t₀.
        if isTimeOnly { return [start] }
        let x = space.interiorPoints(count: n, distribution: distribution, rng: &rng)
        let d = space.dimension
        return (0..<(x.count / d)).flatMap { Array(x[($0 * d)..<($0 * d + d)]) + [start] }
    }

    /// n spatial boundary points (in 1D, each drawn end point is one of the selected ends).
    private func spatialBoundary(count n: Int, faces: [Int]?, rng: inout Xoshiro256) -> [Double] {
        if let box = space as? Box, box.dimension == 1 {
            let ends = (faces ?? [0, 1]).sorted().map { $0 % 2 == 1 ? box.upper[0] : box.lower[0] }
            return (0..<n).map { _ in ends[min(ends.count - 1, Int(rng.nextUniform() * Double(ends.count)))] }
        }
        if let faces, let box = space as? Box { return box.facePoints(faces, count: n, rng: &rng) }
        return space.boundaryPoints(count: n, includeCorners: false, rng: &rng)
    }

    private func attachTimes(_ x: [Double], rng: inout Xoshiro256) -> [Double] {
        let d = space.dimension
        return (0..<(x.count / d)).flatMap { Array(x[($0 * d)..<($0 * d + d)]) + [rng.nextUniform(in: start, end)] }
    }
}

/// The space of an ODE: one point with no coordinates, so that ``SpaceTime`` over it is the time interval alone
/// (`"time": [t0, T]` without a `domain`). It has no boundary; its initial slice is the point t₀.
public struct NoSpace: Domain {
    public init() {}
    public var dimension: Int { 0 }
    /// Never used: ``SpaceTime`` gives the time interval as its box.
    public var boundingBox: Box { preconditionFailure("a point has no bounding box") }
    public var measure: Double { 1 }
    public var description: String { "no space (an ODE)" }
    public func contains(_ point: [Double]) -> Bool { true }
    public func isOnBoundary(_ point: [Double], tolerance: Double) -> Bool { false }
    public func interiorPoints(count n: Int, distribution: PointDistribution, rng: inout Xoshiro256) -> [Double] { [] }
    public func boundaryPoints(count n: Int, includeCorners: Bool, rng: inout Xoshiro256) -> [Double] { [] }
    public func outwardNormal(at point: [Double]) -> [Double] { [] }
}
