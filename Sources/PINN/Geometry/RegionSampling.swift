import Foundation

extension Domain {
    /// The measure of ∂Ω (the number of end points in 1D): perimeter in 2D, surface area in 3D.
    public var boundaryMeasure: Double {
        switch self {
        case let box as Box: return (0..<(2 * box.dimension)).map(box.faceMeasure).reduce(0, +)
        case let polygon as Polygon: return polygon.edgeLengths.reduce(0, +)
        case let disk as Disk: return disk.dimension == 2 ? 2 * Double.pi * disk.radius : 4 * Double.pi * disk.radius * disk.radius
        case let spaceTime as SpaceTime: return spaceTime.space.boundaryMeasure * spaceTime.duration
        case is NoSpace: return 0
        default: return 1
        }
    }

    /// The measure of a boundary region (faces, edges, the whole boundary), nil for other regions.
    public func measure(of region: Region) -> Double? {
        switch region {
        case .boundary: return boundaryMeasure
        case let .faces(faces):
            if let spaceTime = self as? SpaceTime { return spaceTime.space.measure(of: region).map { $0 * spaceTime.duration } }
            return (self as? Box).map { box in faces.map(box.faceMeasure).reduce(0, +) }
        case let .edges(edges): return (self as? Polygon).map { polygon in edges.map { polygon.edgeLengths[$0] }.reduce(0, +) }
        case .interior, .predicate, .points, .initial: return nil
        }
    }

    /// Points of a region, point-major: `count` of them for the interior and boundary parts (in 1D, each selected
    /// end point once); for a predicate, the points of `count` boundary draws that satisfy it (possibly none); the
    /// given points themselves.
    public func points(in region: Region, count: Int, distribution: PointDistribution, includeCorners: Bool,
                       rng: inout Xoshiro256) -> [Double] {
        switch region {
        case .interior:
            return interiorPoints(count: count, distribution: distribution, rng: &rng)
        case .boundary:
            return boundaryPoints(count: count, includeCorners: includeCorners, rng: &rng)
        case let .faces(faces):
            if let spaceTime = self as? SpaceTime { return spaceTime.facePoints(faces, count: count, rng: &rng) }
            guard let box = self as? Box else { return [] }
            return box.facePoints(faces, count: count, rng: &rng)
        case .initial:
            guard let spaceTime = self as? SpaceTime else { return [] }
            return spaceTime.initialPoints(count: count, distribution: distribution, rng: &rng)
        case let .edges(edges):
            guard let polygon = self as? Polygon else { return [] }
            return polygon.edgePoints(edges, count: count, rng: &rng)
        case let .predicate(phi, tolerance):
            let d = dimension
            let candidates = boundaryPoints(count: count, includeCorners: includeCorners, rng: &rng)
            var kept: [Double] = []
            for p in 0..<(candidates.count / d) {
                let x = Array(candidates[(p * d)..<(p * d + d)])
                if abs(phi(x)) <= tolerance { kept += x }
            }
            return kept
        case let .points(points):
            return points
        }
    }
}

extension Polygon {
    /// The length of each edge.
    public var edgeLengths: [Double] { edges.map { Self.distance($0.1, toSegment: $0.0, $0.0) } }

    /// n points on the edges `indices` (edge i from vertex i to vertex i + 1), each edge chosen with probability
    /// proportional to its length, uniform on it.
    public func edgePoints(_ indices: [Int], count n: Int, rng: inout Xoshiro256) -> [Double] {
        let lengths = indices.map { edgeLengths[$0] }
        var points: [Double] = []
        points.reserveCapacity(2 * n)
        while points.count < 2 * n {
            let (a, b) = edges[indices[Self.pick(lengths, &rng)]]
            let t = rng.nextUniform()
            points += [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
        }
        return points
    }
}
