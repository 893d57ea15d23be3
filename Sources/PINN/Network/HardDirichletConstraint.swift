import RealModule

/// Exact (hard) Dirichlet conditions: the model is
/// ```
/// u(x) = g(x) + D(x)·N(x)
/// ```
/// with N the network, g a lifting of the boundary data (any smooth function equal to the data on ∂Ω) and D a
/// distance-like function that vanishes on ∂Ω and is positive inside, so u = g on ∂Ω whatever the weights. The
/// engine applies it to all derivative streams after the output layer (product rule) and pulls the seeds back
/// before the reverse sweep:
/// ```
/// uᵢ = gᵢ + DᵢN + DNᵢ,   uᵢᵢ = gᵢᵢ + DᵢᵢN + 2DᵢNᵢ + DNᵢᵢ,   Δu = Δg + ΔD·N + 2∇D·∇N + DΔN
/// ```
/// g and D are evaluated with their derivatives by dual numbers at every point of every sweep.
public struct HardDirichletConstraint: Sendable {
    /// The lifting g.
    public var lifting: any ScalarField
    /// D, zero on ∂Ω.
    public var distance: any ScalarField

    public init(lifting: any ScalarField, distance: any ScalarField) {
        self.lifting = lifting
        self.distance = distance
    }

    /// Why a domain has no built-in distance function.
    public struct UnsupportedDomain: Error, CustomStringConvertible {
        public let domain: String
        public var description: String { "hard Dirichlet constraints need a box or a disk; the domain is a \(domain)" }
    }

    /// The constraint for a box or a disk with its built-in D (``BoxDistance``, ``DiskDistance``).
    public init(domain: any Domain, lifting: any ScalarField) throws(UnsupportedDomain) {
        if let box = domain as? Box {
            self.init(lifting: lifting, distance: BoxDistance(box: box))
        } else if let disk = domain as? Disk {
            self.init(lifting: lifting, distance: DiskDistance(disk: disk))
        } else {
            throw UnsupportedDomain(domain: domain.description)
        }
    }

    /// A short description for result files.
    public var description: String { "u = g + D·N, D: \(distance)" }

    /// Value, first and pure second derivatives of a field at one point.
    private static func jet(_ f: any ScalarField, at x: [Double]) -> (Double, [Double], [Double]) {
        (f(x), DifferentialOperators.gradient(of: f, at: x), DifferentialOperators.pureSecondDerivatives(of: f, at: x))
    }

    /// Turns the network's output streams N (layout of ``TaylorForward``) into those of u in place, and keeps D's
    /// streams in `distanceStreams` (same layout) for ``pullBack(seeds:count:dimension:streams:distanceStreams:)``.
    func apply(to outputs: UnsafeMutablePointer<Double>, points: UnsafePointer<Double>, count n: Int, dimension d: Int,
               streams: DerivativeStreams, distanceStreams dist: UnsafeMutablePointer<Double>) {
        let s = streams.count(inputDimension: d)
        for p in 0..<n {
            let x = Array(UnsafeBufferPointer(start: points + p * d, count: d))
            let (g, gd, gdd) = Self.jet(lifting, at: x)
            let (dv, dd, ddd) = Self.jet(distance, at: x)
            // N's streams at this point, read before any is overwritten.
            let value = outputs[p]
            let first = (0..<d).map { s > 1 ? outputs[(1 + $0) * n + p] : 0 }
            dist[p] = dv
            outputs[p] = g + dv * value
            guard s > 1 else { continue }
            for i in 0..<d {
                dist[(1 + i) * n + p] = dd[i]
                outputs[(1 + i) * n + p] = gd[i] + dd[i] * value + dv * first[i]
            }
            switch streams {
            case .laplacian:
                var gradientDot = 0.0
                for i in 0..<d { gradientDot += dd[i] * first[i] }
                let lap = outputs[(1 + d) * n + p]
                dist[(1 + d) * n + p] = ddd.reduce(0, +)
                outputs[(1 + d) * n + p] = gdd.reduce(0, +) + ddd.reduce(0, +) * value + 2 * gradientDot + dv * lap
            case .pureSecond:
                for i in 0..<d {
                    let second = outputs[(1 + d + i) * n + p]
                    dist[(1 + d + i) * n + p] = ddd[i]
                    outputs[(1 + d + i) * n + p] = gdd[i] + ddd[i] * value + 2 * dd[i] * first[i] + dv * second
                }
            case .value, .gradient:
                break
            }
        }
    }

    /// Turns seeds ∂L/∂(u streams) into ∂L/∂(N streams) in place (the transpose of the product rule above).
    static func pullBack(seeds: UnsafeMutablePointer<Double>, count n: Int, dimension d: Int, streams: DerivativeStreams,
                         distanceStreams dist: UnsafePointer<Double>) {
        let s = streams.count(inputDimension: d)
        for p in 0..<n {
            let dv = dist[p]
            var valueSeed = dv * seeds[p]
            if s > 1 {
                for i in 0..<d { valueSeed += dist[(1 + i) * n + p] * seeds[(1 + i) * n + p] }
            }
            switch streams {
            case .laplacian:
                let lap = seeds[(1 + d) * n + p]
                valueSeed += dist[(1 + d) * n + p] * lap
                for i in 0..<d { seeds[(1 + i) * n + p] = dv * seeds[(1 + i) * n + p] + 2 * dist[(1 + i) * n + p] * lap }
                seeds[(1 + d) * n + p] = dv * lap
            case .pureSecond:
                for i in 0..<d {
                    let second = seeds[(1 + d + i) * n + p]
                    valueSeed += dist[(1 + d + i) * n + p] * second
                    seeds[(1 + i) * n + p] = dv * seeds[(1 + i) * n + p] + 2 * dist[(1 + i) * n + p] * second
                    seeds[(1 + d + i) * n + p] = dv * second
                }
            case .gradient:
                for i in 0..<d { seeds[(1 + i) * n + p] *= dv }
            case .value:
                break
            }
            seeds[p] = valueSeed
        }
    }
}

/// D(x) = Πᵢ 4(xᵢ − ℓᵢ)(hᵢ − xᵢ)/(hᵢ − ℓᵢ)²: zero on every face of the box, 1 at its centre.
public struct BoxDistance: ScalarField, CustomStringConvertible {
    public let box: Box
    public var inputDimension: Int { box.dimension }
    public func callAsFunction<T: Real>(_ x: [T]) -> T {
        var product: T = 1
        for i in 0..<box.dimension {
            let l = T.converting(box.lower[i]), h = T.converting(box.upper[i])
            product *= 4 * (x[i] - l) * (h - x[i]) / ((h - l) * (h - l))
        }
        return product
    }
    public var description: String { "Πᵢ 4(xᵢ−ℓᵢ)(hᵢ−xᵢ)/(hᵢ−ℓᵢ)² on \(box)" }
}

/// D(x) = (R² − |x − c|²)/R²: zero on the circle, 1 at the centre.
public struct DiskDistance: ScalarField, CustomStringConvertible {
    public let disk: Disk
    public var inputDimension: Int { 2 }
    public func callAsFunction<T: Real>(_ x: [T]) -> T {
        let dx = x[0] - T.converting(disk.center[0]), dy = x[1] - T.converting(disk.center[1])
        let r2 = T.converting(disk.radius * disk.radius)
        return (r2 - dx * dx - dy * dy) / r2
    }
    public var description: String { "(R² − |x − c|²)/R² on the \(disk)" }
}
