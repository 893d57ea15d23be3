import Foundation

/// A region Ω where a PDE is posed: containment, boundary tests, and collocation sampling.
public protocol Domain: Sendable, CustomStringConvertible {
    /// The dimension d.
    var dimension: Int { get }
    /// The smallest axis-aligned box containing Ω (evaluation grids, input scaling, rejection sampling).
    var boundingBox: Box { get }
    /// Length, area or volume of Ω.
    var measure: Double { get }
    /// Whether the point lies in the closed region.
    func contains(_ point: [Double]) -> Bool
    /// Whether the point lies on the boundary, within `tolerance`.
    func isOnBoundary(_ point: [Double], tolerance: Double) -> Bool
    /// N interior points with the given distribution, point-major.
    func interiorPoints(count n: Int, distribution: PointDistribution, rng: inout Xoshiro256) -> [Double]
    /// N boundary points, distributed in proportion to boundary length (area in 3D); with `includeCorners`, the
    /// corners come first (and count towards N).
    func boundaryPoints(count n: Int, includeCorners: Bool, rng: inout Xoshiro256) -> [Double]
    /// The outward unit normal at a boundary point (Neumann and Robin conditions). At corners, where it is not
    /// defined, the normalised sum of the normals of the faces that meet there.
    func outwardNormal(at point: [Double]) -> [Double]
}

/// Limits that hold for every domain.
public enum Domains {
    /// The most coordinates a problem may have, space and time together (x, y, z up to three, x1 … xd beyond).
    public static let maximumCoordinates = 21
}

extension Domain {
    /// The names of the coordinates in formulas, result files and `pinn eval`: x, y, z (a ``SpaceTime`` adds t).
    public var coordinateNames: [String] {
        (self as? SpaceTime)?.names ?? FormulaParser.coordinates(dimension: dimension)
    }

    /// The outward unit normals at boundary points (point-major, like the points).
    public func outwardNormals(at points: [Double]) -> [Double] {
        let d = dimension
        return (0..<(points.count / d)).flatMap { outwardNormal(at: Array(points[($0 * d)..<($0 * d + d)])) }
    }
}

func normalized(_ v: [Double]) -> [Double] {
    let length = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return length > 0 ? v.map { $0 / length } : v
}

extension Domain {
    /// Interior points by rejection from the bounding box: the distribution's points in the box, in order, that lie
    /// in Ω (for low-discrepancy sequences this keeps their uniformity within Ω).
    public func rejectionSample(count n: Int, distribution: PointDistribution, rng: inout Xoshiro256) -> [Double] {
        let box = boundingBox, d = dimension
        let acceptance = max(0.01, measure / box.sides.reduce(1, *))
        var batch = Int(Double(n) / acceptance * 1.2) + 16
        while true {
            let candidates = box.interiorPoints(count: batch, distribution: distribution, rng: &rng)
            var kept: [Double] = []
            kept.reserveCapacity(n * d)
            for p in 0..<(candidates.count / d) {
                let x = Array(candidates[(p * d)..<(p * d + d)])
                if contains(x) { kept += x }
                if kept.count == n * d { return kept }
            }
            batch *= 2
        }
    }

    /// Points per unit of boundary measure ≈ N / measure of the boundary, spread over `pieces` of given measures.
    static func pick(_ measures: [Double], _ rng: inout Xoshiro256) -> Int {
        var r = rng.nextUniform() * measures.reduce(0, +)
        for (i, m) in measures.enumerated() {
            if r < m { return i }
            r -= m
        }
        return measures.count - 1
    }
}

/// The disk |x − c| ≤ r.
public struct Disk: Domain {
    public let center: [Double]
    public let radius: Double

    /// A disk (2D, `center` [x, y]), a ball (3D, `center` [x, y, z]) or a hypersphere's interior in d dimensions.
    public init(center: [Double], radius: Double) {
        precondition(center.count >= 2 && radius > 0)
        self.center = center
        self.radius = radius
    }

    /// The ball of radius r around a point in 3D (a ``Disk`` of dimension 3).
    public static func ball(center: [Double], radius: Double) -> Disk {
        precondition(center.count == 3)
        return Disk(center: center, radius: radius)
    }

    public var dimension: Int { center.count }
    public var boundingBox: Box { Box(lower: center.map { $0 - radius }, upper: center.map { $0 + radius }) }
    /// πr² in 2D, 4πr³/3 in 3D, π^(d/2)·r^d/Γ(d/2 + 1) in d dimensions.
    public var measure: Double {
        switch dimension {
        case 2: return Double.pi * radius * radius
        case 3: return 4 * Double.pi * radius * radius * radius / 3
        default:
            let d = Double(dimension)
            return Foundation.pow(Double.pi, d / 2) * Foundation.pow(radius, d) / Foundation.tgamma(d / 2 + 1)
        }
    }
    public var description: String {
        let c = center.map { "\($0)" }.joined(separator: ", ")
        let kind = dimension == 2 ? "disk" : dimension == 3 ? "ball" : "\(dimension)D ball"
        return "\(kind) of radius \(radius) around (\(c))"
    }

    /// |x − c|.
    private func distanceFromCenter(_ p: [Double]) -> Double {
        var sum = 0.0
        for i in center.indices {
            let delta = p[i] - center[i]
            sum += delta * delta
        }
        return sum.squareRoot()
    }

    public func contains(_ p: [Double]) -> Bool {
        distanceFromCenter(p) <= radius * (1 + 1e-12)
    }

    public func outwardNormal(at p: [Double]) -> [Double] {
        normalized(center.indices.map { p[$0] - center[$0] })
    }

    public func isOnBoundary(_ p: [Double], tolerance: Double = 1e-12) -> Bool {
        abs(distanceFromCenter(p) - radius) <= tolerance * max(1, radius)
    }

    public func interiorPoints(count n: Int, distribution: PointDistribution, rng: inout Xoshiro256) -> [Double] {
        guard dimension > 3 else { return rejectionSample(count: n, distribution: distribution, rng: &rng) }
        // Beyond 3D the ball fills little of its box (2.5e-3 of it in 10D): uniform in the ball directly, a
        // Gaussian direction times r·U^(1/d) (random, whatever the distribution asked for).
        return (0..<n).flatMap { _ -> [Double] in
            let direction = normalized(center.indices.map { _ in rng.nextNormal() })
            let r = radius * Foundation.pow(rng.nextUniform(), 1 / Double(dimension))
            return center.indices.map { center[$0] + r * direction[$0] }
        }
    }

    /// Uniform on the circle (by angle) or on the sphere (normalised Gaussian vectors, in any dimension).
    public func boundaryPoints(count n: Int, includeCorners: Bool, rng: inout Xoshiro256) -> [Double] {
        (0..<n).flatMap { _ -> [Double] in
            if dimension == 2 {
                let t = 2 * Double.pi * rng.nextUniform()
                return [center[0] + radius * cos(t), center[1] + radius * sin(t)]
            }
            let direction = normalized(center.indices.map { _ in rng.nextNormal() })
            return center.indices.map { center[$0] + radius * direction[$0] }
        }
    }
}

/// A simple polygon (e.g. an L-shape) given by its vertices in order.
public struct Polygon: Domain {
    public let vertices: [[Double]]
    /// Problem files accept at most this many vertices (the self-intersection check tests every pair of edges).
    public static let maximumVertices = 10_000

    /// A polygon from ≥ 3 vertices in order (either orientation), not self-intersecting.
    public init(vertices: [[Double]]) {
        precondition(vertices.count >= 3 && vertices.allSatisfy { $0.count == 2 })
        self.vertices = vertices
    }

    /// The L-shaped domain [−1, 1]² minus (0, 1] × (0, 1] ... i.e. without its upper-right quarter.
    public static let lShape = Polygon(vertices: [[-1, -1], [1, -1], [1, 0], [0, 0], [0, 1], [-1, 1]])

    public var dimension: Int { 2 }
    var edges: [([Double], [Double])] { vertices.indices.map { (vertices[$0], vertices[($0 + 1) % vertices.count]) } }

    public var boundingBox: Box {
        Box(lower: [vertices.map { $0[0] }.min()!, vertices.map { $0[1] }.min()!],
            upper: [vertices.map { $0[0] }.max()!, vertices.map { $0[1] }.max()!])
    }

    /// The first pair of edges (i < j, edge i from vertex i to vertex i + 1) that cross, touch or overlap other
    /// than where neighbouring edges share their vertex, or a zero-length edge (i = j); nil for a simple polygon.
    /// Every pair is tested (n(n−1)/2 orientation tests).
    public func selfIntersection() -> (Int, Int)? {
        let e = edges, n = e.count
        func orientation(_ a: [Double], _ b: [Double], _ c: [Double]) -> Double {
            let value = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
            return value > 0 ? 1 : value < 0 ? -1 : 0
        }
        func onSegment(_ p: [Double], _ a: [Double], _ b: [Double]) -> Bool {
            orientation(a, b, p) == 0 && min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0])
                && min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
        }
        for i in 0..<n where e[i].0 == e[i].1 { return (i, i) }
        for i in 0..<n {
            let (a, b) = e[i]
            for j in (i + 1)..<n {
                let (c, d) = e[j]
                if j == i + 1 || (i == 0 && j == n - 1) {
                    // Neighbours share one vertex; they may not fold back along each other.
                    let (shared, other) = j == i + 1 ? (b, d) : (a, c)
                    let far = j == i + 1 ? a : b
                    if orientation(far, shared, other) == 0, onSegment(other, far, shared) || onSegment(far, shared, other) {
                        return (i, j)
                    }
                    continue
                }
                let o1 = orientation(a, b, c), o2 = orientation(a, b, d)
                let o3 = orientation(c, d, a), o4 = orientation(c, d, b)
                if o1 * o2 < 0 && o3 * o4 < 0 { return (i, j) }
                if onSegment(c, a, b) || onSegment(d, a, b) || onSegment(a, c, d) || onSegment(b, c, d) { return (i, j) }
            }
        }
        return nil
    }

    /// |Σ (xᵢ yᵢ₊₁ − xᵢ₊₁ yᵢ)| / 2 (the shoelace formula).
    public var measure: Double { abs(edges.reduce(0) { $0 + $1.0[0] * $1.1[1] - $1.1[0] * $1.0[1] }) / 2 }
    public var description: String { "polygon with \(vertices.count) vertices" }

    /// The outward normal of the nearest edge (of the two nearest, summed, at a vertex).
    public func outwardNormal(at p: [Double]) -> [Double] {
        let orientation: Double = edges.reduce(0) { $0 + $1.0[0] * $1.1[1] - $1.1[0] * $1.0[1] } > 0 ? 1 : -1
        let distances = edges.map { Self.distance(p, toSegment: $0.0, $0.1) }
        let nearest = distances.min()!
        let scale = boundingBox.sides.max()!
        var sum = [0.0, 0.0]
        for (edge, distance) in zip(edges, distances) where distance <= nearest + 1e-9 * scale {
            // Counter-clockwise edges have the outside on their right: (dy, −dx).
            let n = normalized([edge.1[1] - edge.0[1], edge.0[0] - edge.1[0]])
            sum[0] += orientation * n[0]
            sum[1] += orientation * n[1]
        }
        return normalized(sum)
    }

    static func distance(_ p: [Double], toSegment a: [Double], _ b: [Double]) -> Double {
        let ex = b[0] - a[0], ey = b[1] - a[1]
        let t = max(0, min(1, ((p[0] - a[0]) * ex + (p[1] - a[1]) * ey) / (ex * ex + ey * ey)))
        let dx = p[0] - a[0] - t * ex, dy = p[1] - a[1] - t * ey
        return (dx * dx + dy * dy).squareRoot()
    }

    public func isOnBoundary(_ p: [Double], tolerance: Double = 1e-12) -> Bool {
        edges.contains { Self.distance(p, toSegment: $0.0, $0.1) <= tolerance }
    }

    /// Ray casting (even–odd rule); points on the boundary count as inside.
    public func contains(_ p: [Double]) -> Bool {
        if isOnBoundary(p, tolerance: 1e-12) { return true }
        var inside = false
        for (a, b) in edges where (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1])
            if p[0] < x { inside.toggle() }
        }
        return inside
    }

    public func interiorPoints(count n: Int, distribution: PointDistribution, rng: inout Xoshiro256) -> [Double] {
        rejectionSample(count: n, distribution: distribution, rng: &rng)
    }

    public func boundaryPoints(count n: Int, includeCorners: Bool, rng: inout Xoshiro256) -> [Double] {
        let corners: [Double] = includeCorners ? Array(vertices.prefix(n).joined()) : []
        return corners + edgePoints(Array(edges.indices), count: n - corners.count / 2, rng: &rng)
    }
}

extension Box: Domain {
    public var boundingBox: Box { self }
    public var measure: Double { sides.reduce(1, *) }
    public var description: String { zip(lower, upper).map { "[\($0), \($1)]" }.joined(separator: "×") }

    public func interiorPoints(count n: Int, distribution: PointDistribution, rng: inout Xoshiro256) -> [Double] {
        let unit = distribution.unitCube(count: n, dimension: dimension, rng: &rng)
        return unit.enumerated().map { e, u in
            let i = e % dimension
            return lower[i] + (upper[i] - lower[i]) * u
        }
    }

    /// ±eᵢ for the faces xᵢ = hᵢ and xᵢ = ℓᵢ the point lies on (within 10⁻⁹ of the side length), normalised.
    public func outwardNormal(at p: [Double]) -> [Double] {
        normalized((0..<dimension).map { i -> Double in
            let tolerance = 1e-9 * (upper[i] - lower[i])
            if abs(p[i] - upper[i]) <= tolerance { return 1 }
            if abs(p[i] - lower[i]) <= tolerance { return -1 }
            return 0
        })
    }

    /// Each face chosen with probability proportional to its measure; in 1D the two end points alone, whatever N.
    /// With `includeCorners` (2D), the four corners come first.
    public func boundaryPoints(count n: Int, includeCorners: Bool, rng: inout Xoshiro256) -> [Double] {
        if dimension == 1 { return [lower[0], upper[0]] }
        var points: [Double] = []
        if includeCorners && dimension == 2 {
            points = [lower[0], lower[1], upper[0], lower[1], upper[0], upper[1], lower[0], upper[1]]
            points = Array(points.prefix(2 * n))
        }
        return points + facePoints(Array(0..<(2 * dimension)), count: n - points.count / dimension, rng: &rng)
    }

    /// The names of the faces, face f lying on xᵢ = ℓᵢ (f = 2i) or xᵢ = hᵢ (f = 2i + 1): left/right (x), bottom/top
    /// (y), back/front (z; front is the z = h face, towards a viewer with x to the right and y up).
    public static let faceNames = ["left", "right", "bottom", "top", "back", "front"]

    /// This box's face names (2d of them): beyond three dimensions x1_min, x1_max, …, xd_max.
    public var faceNames: [String] {
        guard dimension > 3 else { return Array(Box.faceNames.prefix(2 * dimension)) }
        return (1...dimension).flatMap { ["x\($0)_min", "x\($0)_max"] }
    }

    /// The measure of face f (the product of the other sides; 1 in 1D).
    public func faceMeasure(_ f: Int) -> Double {
        sides.indices.filter { $0 != f / 2 }.map { sides[$0] }.reduce(1, *)
    }

    /// n points on the faces `faces` (indices as in ``faceNames``), each face chosen with probability proportional to
    /// its measure, uniform on it; in 1D the selected end points alone, whatever n.
    public func facePoints(_ faces: [Int], count n: Int, rng: inout Xoshiro256) -> [Double] {
        if dimension == 1 { return faces.sorted().map { $0 % 2 == 1 ? upper[0] : lower[0] } }
        let measures = faces.map(faceMeasure)
        var points: [Double] = []
        points.reserveCapacity(n * dimension)
        while points.count < n * dimension {
            let face = faces[Self.pick(measures, &rng)]
            for i in 0..<dimension {
                if i == face / 2 { points.append(face % 2 == 1 ? upper[i] : lower[i]) }
                else { points.append(rng.nextUniform(in: lower[i], upper[i])) }
            }
        }
        return points
    }
}

extension Domain where Self == Box {
    /// The interval [a, b] (so that `.interval(a, b)` reads naturally where a domain is expected).
    public static func interval(_ a: Double, _ b: Double) -> Box { Box(lower: [a], upper: [b]) }

    /// The rectangle [x₀, x₁] × [y₀, y₁].
    public static func rectangle(x: ClosedRange<Double>, y: ClosedRange<Double>) -> Box {
        Box(lower: [x.lowerBound, y.lowerBound], upper: [x.upperBound, y.upperBound])
    }
}
