import Foundation
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
/// uᵢ = gᵢ + DᵢN + DNᵢ,   uᵢⱼ = gᵢⱼ + DᵢⱼN + DᵢNⱼ + DⱼNᵢ + DNᵢⱼ,   Δu = Δg + ΔD·N + 2∇D·∇N + DΔN
/// ```
/// g and D are evaluated with their derivatives by dual numbers once per set of points (``jets(points:count:dimension:into:)``).
public struct HardDirichletConstraint: Sendable {
    /// The liftings g, one per constrained output.
    public var liftings: [any ScalarField] {
        didSet { identity = UUID() }
    }
    /// The outputs they constrain (indices into the network's fields; [0] for a single field).
    public var fields: [Int]
    /// The lifting g of a single-field constraint (the first one).
    public var lifting: any ScalarField {
        get { liftings[0] }
        set { liftings[0] = newValue }
    }
    /// D, zero on ∂Ω.
    public var distance: any ScalarField {
        didSet { identity = UUID() }
    }
    /// Changes whenever g or D does: lets callers cache jets per constraint.
    public private(set) var identity = UUID()

    public init(lifting: any ScalarField, distance: any ScalarField) {
        self.init(liftings: [lifting], fields: [0], distance: distance)
    }

    /// Exact conditions uₖ = gₖ + D·Nₖ on the outputs `fields`, one lifting each, sharing D (the other outputs
    /// are the network's own).
    public init(liftings: [any ScalarField], fields: [Int], distance: any ScalarField) {
        precondition(liftings.count == fields.count && !fields.isEmpty && Set(fields).count == fields.count)
        self.liftings = liftings
        self.fields = fields
        self.distance = distance
    }

    public struct UnsupportedDomain: Error, CustomStringConvertible {
        public let domain: String
        public var description: String { "hard Dirichlet constraints need a box or a disk; the domain is a \(domain)" }
    }

    /// The constraint for a box or a disk with its built-in D (``BoxDistance``, ``DiskDistance``).
    public init(domain: any Domain, lifting: any ScalarField) throws(UnsupportedDomain) {
        try self.init(domain: domain, liftings: [lifting], fields: [0])
    }

    /// Constraints on several outputs of a box or a disk with its built-in D.
    public init(domain: any Domain, liftings: [any ScalarField], fields: [Int]) throws(UnsupportedDomain) {
        if let box = domain as? Box {
            self.init(liftings: liftings, fields: fields, distance: BoxDistance(box: box))
        } else if let disk = domain as? Disk {
            self.init(liftings: liftings, fields: fields, distance: DiskDistance(disk: disk))
        } else {
            throw UnsupportedDomain(domain: domain.description)
        }
    }

    /// A short description for result files.
    public var description: String {
        fields == [0] ? "u = g + D·N, D: \(distance)" : "fields \(fields.map(String.init).joined(separator: ", ")): u = g + D·N, D: \(distance)"
    }

    /// Values per point in ``jets(points:count:dimension:into:)``: for each constrained output its g, ∂g/∂xᵢ,
    /// ∂²g/∂xᵢ∂xⱼ (i ≤ j), then the same for D.
    public func jetSize(dimension d: Int) -> Int { (fields.count + 1) * Self.fieldJetSize(dimension: d) }

    /// The jet size of a single-field constraint (g and D); with `fields` constrained outputs, (fields + 1) field jets.
    public static func jetSize(dimension d: Int, fields: Int = 1) -> Int { (fields + 1) * fieldJetSize(dimension: d) }

    /// Values of one field's jet: the value, d first and d(d+1)/2 second derivatives.
    static func fieldJetSize(dimension d: Int) -> Int { 1 + d + d * (d + 1) / 2 }

    /// Where ∂²/∂xᵢ∂xⱼ sits in a field's jet.
    @inline(__always)
    static func secondIndex(_ i: Int, _ j: Int, dimension d: Int) -> Int {
        1 + d + DerivativeStreams.hessianIndex(i, j, dimension: d)
    }

    /// Writes each g and D with their first and second (mixed included) derivatives at n points
    /// (``jetSize(dimension:)`` values per point, point-major), by dual numbers. They depend on the points only:
    /// callers that sweep the same points repeatedly compute them once (``Objective`` does).
    public func jets(points: UnsafePointer<Double>, count n: Int, dimension d: Int, into out: UnsafeMutablePointer<Double>) {
        let size = jetSize(dimension: d)
        for p in 0..<n {
            let x = Array(UnsafeBufferPointer(start: points + p * d, count: d))
            let row = out + p * size
            for (f, field) in (liftings + [distance]).enumerated() {
                let base = row + f * Self.fieldJetSize(dimension: d)
                base[0] = field(x)
                let first = DifferentialOperators.gradient(of: field, at: x)
                for i in 0..<d { base[1 + i] = first[i] }
                for (q, value) in DifferentialOperators.hessian(of: field, at: x).enumerated() { base[1 + d + q] = value }
            }
        }
    }

    /// Turns the network's output streams N (layout of ``TaylorForward``: output k of stream s at point p at
    /// k + m·(s·n + p)) into those of u in place for each constrained output, given the jets at the same points, and
    /// keeps D's streams in `distanceStreams` (s·n + p) for ``pullBack(seeds:count:dimension:streams:outputs:distanceStreams:)``.
    /// No allocation.
    func apply(to outputs: UnsafeMutablePointer<Double>, jets: UnsafePointer<Double>, count n: Int, dimension d: Int,
               streams: DerivativeStreams, outputs m: Int = 1, distanceStreams dist: UnsafeMutablePointer<Double>) {
        let s = streams.count(inputDimension: d), size = jetSize(dimension: d)
        let field = Self.fieldJetSize(dimension: d)
        for (c, k) in fields.enumerated() {
            for p in 0..<n {
                let g = jets + p * size + c * field, dj = jets + p * size + fields.count * field
                // g: value g[0], first g[1+i], second g[secondIndex(i, j)]; likewise D in dj. Stream b of this output
                // at this point sits at at(b).
                @inline(__always) func at(_ b: Int) -> Int { k + m * (b * n + p) }
                let value = outputs[at(0)]
                dist[p] = dj[0]
                outputs[at(0)] = g[0] + dj[0] * value
                guard s > 1 else { continue }
                if streams == .hessian {
                    // Second derivatives first: they read the network's first derivatives Nᵢ, Nⱼ.
                    var q = 1 + d
                    for i in 0..<d {
                        for j in i..<d {
                            let h = Self.secondIndex(i, j, dimension: d), second = outputs[at(q)]
                            dist[q * n + p] = dj[h]
                            outputs[at(q)] = g[h] + dj[h] * value + dj[1 + i] * outputs[at(1 + j)]
                                + dj[1 + j] * outputs[at(1 + i)] + dj[0] * second
                            q += 1
                        }
                    }
                }
                var gradientDot = 0.0, laplacianG = 0.0, laplacianD = 0.0
                for i in 0..<d {
                    let first = outputs[at(1 + i)]  // Nᵢ, read before it is overwritten
                    let ii = Self.secondIndex(i, i, dimension: d)
                    gradientDot += dj[1 + i] * first
                    laplacianG += g[ii]
                    laplacianD += dj[ii]
                    dist[(1 + i) * n + p] = dj[1 + i]
                    outputs[at(1 + i)] = g[1 + i] + dj[1 + i] * value + dj[0] * first
                    if streams == .pureSecond {
                        let second = outputs[at(1 + d + i)]
                        dist[(1 + d + i) * n + p] = dj[ii]
                        outputs[at(1 + d + i)] = g[ii] + dj[ii] * value + 2 * dj[1 + i] * first + dj[0] * second
                    }
                }
                if streams == .laplacian {
                    let lap = outputs[at(1 + d)]
                    dist[(1 + d) * n + p] = laplacianD
                    outputs[at(1 + d)] = laplacianG + laplacianD * value + 2 * gradientDot + dj[0] * lap
                }
            }
        }
    }

    /// Turns seeds ∂L/∂(u streams) into ∂L/∂(N streams) in place for each constrained output (the transpose of
    /// the product rule above; same layout as the outputs).
    func pullBack(seeds: UnsafeMutablePointer<Double>, count n: Int, dimension d: Int, streams: DerivativeStreams,
                  outputs m: Int = 1, distanceStreams dist: UnsafePointer<Double>) {
        let s = streams.count(inputDimension: d)
        for k in fields {
            for p in 0..<n {
                @inline(__always) func at(_ b: Int) -> Int { k + m * (b * n + p) }
                let dv = dist[p]
                var valueSeed = dv * seeds[at(0)]
                if s > 1 {
                    for i in 0..<d { valueSeed += dist[(1 + i) * n + p] * seeds[at(1 + i)] }
                }
                switch streams {
                case .jets: preconditionFailure("hard constraints carry no Taylor jets yet")
                case .laplacian:
                    let lap = seeds[at(1 + d)]
                    valueSeed += dist[(1 + d) * n + p] * lap
                    for i in 0..<d { seeds[at(1 + i)] = dv * seeds[at(1 + i)] + 2 * dist[(1 + i) * n + p] * lap }
                    seeds[at(1 + d)] = dv * lap
                case .pureSecond:
                    for i in 0..<d {
                        let second = seeds[at(1 + d + i)]
                        valueSeed += dist[(1 + d + i) * n + p] * second
                        seeds[at(1 + i)] = dv * seeds[at(1 + i)] + 2 * dist[(1 + i) * n + p] * second
                        seeds[at(1 + d + i)] = dv * second
                    }
                case .hessian:
                    // Seeds of Nᵢ: D·(seed of uᵢ) + Σ over the pairs holding i of Dⱼ·(seed of uᵢⱼ), twice for j = i.
                    var q = 1 + d
                    for i in 0..<d { seeds[at(1 + i)] *= dv }
                    for i in 0..<d {
                        for j in i..<d {
                            let second = seeds[at(q)]
                            valueSeed += dist[q * n + p] * second
                            seeds[at(1 + i)] += dist[(1 + j) * n + p] * second
                            seeds[at(1 + j)] += dist[(1 + i) * n + p] * second
                            seeds[at(q)] = dv * second
                            q += 1
                        }
                    }
                case .gradient:
                    for i in 0..<d { seeds[at(1 + i)] *= dv }
                case .value:
                    break
                }
                seeds[at(0)] = valueSeed
            }
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
    public var inputDimension: Int { disk.dimension }
    public func callAsFunction<T: Real>(_ x: [T]) -> T {
        var value = T.converting(disk.radius * disk.radius)
        let r2 = value
        for i in 0..<disk.dimension {
            let delta = x[i] - T.converting(disk.center[i])
            value = value - delta * delta
        }
        return value / r2
    }
    public var description: String { "(R² − |x − c|²)/R² on the \(disk)" }
}
