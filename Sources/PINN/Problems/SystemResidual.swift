import RealModule

/// A residual formula over the fields of a system: the coordinates, every field, its first derivatives and all its
/// second derivatives, mixed ones included, and (for conditions on a boundary) the outward normal. The one form of
/// every equation and condition of a general problem: `-(u_xx + u_yy) - f` in the interior, `v - 1` on a lid,
/// `n_x*u_x + n_y*u_y - g` on a Neumann face.
///
/// Names, for fields `[u, v, …]` in d dimensions with coordinates x, y, z: `u`, `u_x`, `u_y`, `u_xx`, `u_xy` (also
/// written `u_yx`), `u_yy`, … for every field; `n_x`, `n_y`, `n_z` when the residual is evaluated with normals.
/// The engine carries only the derivative streams the formula reads: values only, first derivatives, pure second
/// derivatives, or all second derivatives when a mixed one appears.
///
/// At each point the residual is evaluated on `Double` and, for each network output it reads, on dual numbers
/// seeded in that output: the partial derivatives ∂r/∂(field k, stream s) are the reverse pass's seeds (gradient and
/// Levenberg–Marquardt Jacobian rows).
public struct SystemResidual: Sendable, CustomStringConvertible {
    /// What one formula variable after the coordinates reads.
    enum Input: Sendable, Equatable {
        /// Output stream `stream` of field `field` (stream numbering of ``DerivativeStreams/hessian``).
        case output(field: Int, stream: Int)
        /// Component i of the outward normal.
        case normal(Int)
        /// Unknown parameter j (trained with the network).
        case unknown(Int)
    }

    public let formula: Formula
    /// The system's field names, in network-output order.
    public let fields: [String]
    public let dimension: Int
    /// Whether the formula reads the normal (it must then be evaluated at boundary points with normals).
    public let readsNormals: Bool
    /// The streams the engine must carry for it (or, for a copy from ``reading(_:)``, the larger set it reads from).
    public private(set) var streams: DerivativeStreams
    /// The fields the formula mentions.
    public let referencedFields: Set<Int>
    /// The names of the unknown parameters it may read: all of the network's unknowns, in θ's order (or none).
    public let unknowns: [String]
    /// The unknowns it reads: formula variable and unknown index.
    let usedUnknowns: [(variable: Int, index: Int)]
    /// Formula variables after the coordinates, in order.
    let inputs: [Input]
    /// The indices (into the formula's variables) of the outputs it reads, with where each sits in the streams.
    let used: [(variable: Int, field: Int, stream: Int)]
    /// Per variable after the coordinates: the field and the block (in this residual's stream set) of the output it
    /// reads, nil for normals, unknowns and outputs it does not read.
    private(set) var slots: [(field: Int, block: Int)?]

    public var description: String { formula.source }

    /// The names a residual over `fields` may use in d dimensions (normals included when `normals`), in the
    /// formula's variable order after the coordinates.
    public static func variableNames(fields: [String], dimension d: Int, normals: Bool, unknowns: [String] = [],
                                     coordinates: [String]? = nil) -> [String] {
        variables(fields: fields, dimension: d, normals: normals, unknowns: unknowns, coordinates: coordinates).map(\.name)
    }

    private static func variables(fields: [String], dimension d: Int, normals: Bool, unknowns: [String],
                                  coordinates: [String]?) -> [(name: String, input: Input)] {
        let axes = coordinates ?? FormulaParser.coordinates(dimension: d)
        var result: [(String, Input)] = []
        for (k, field) in fields.enumerated() {
            result.append((field, .output(field: k, stream: 0)))
            for i in 0..<d { result.append(("\(field)_\(axes[i])", .output(field: k, stream: 1 + i))) }
            for i in 0..<d {
                for j in 0..<d {
                    let stream = 1 + d + DerivativeStreams.hessianIndex(i, j, dimension: d)
                    result.append(("\(field)_\(axes[i])\(axes[j])", .output(field: k, stream: stream)))
                }
            }
        }
        if normals { for i in 0..<d { result.append(("n_\(axes[i])", .normal(i))) } }
        for (j, name) in unknowns.enumerated() { result.append((name, .unknown(j))) }
        return result
    }

    /// Parses `source` as a residual over `fields` in `dimension` dimensions with the named constants
    /// `parameters` and the unknown parameters `unknowns` (values taken from the network's θ at each evaluation);
    /// `normals` allows `n_x`, `n_y`, `n_z`; `coordinates` names the coordinates (default x, y, z; in space-time
    /// the last is t, so that `u_t`, `u_tt` and `u_xt` are time derivatives).
    public init(_ source: String, fields: [String], dimension d: Int, parameters: [String: Double] = [:],
                unknowns: [String] = [], normals: Bool = false, coordinates: [String]? = nil) throws(FormulaError) {
        let variables = Self.variables(fields: fields, dimension: d, normals: normals, unknowns: unknowns,
                                       coordinates: coordinates)
        self.unknowns = unknowns
        formula = try Formula(source, dimension: d, parameters: parameters, fields: variables.map(\.name),
                              coordinates: coordinates)
        self.fields = fields
        dimension = d
        inputs = variables.map(\.input)
        var used: [(Int, Int, Int)] = [], usedUnknowns: [(Int, Int)] = []
        var fieldsUsed = Set<Int>(), readsNormals = false, order = 0, mixed = false
        for variable in formula.referencedVariables.sorted() where variable >= d {
            switch inputs[variable - d] {
            case let .output(field, stream):
                used.append((variable, field, stream))
                fieldsUsed.insert(field)
                if stream > d {
                    order = 2
                    let pair = DerivativeStreams.hessianPairs(dimension: d)[stream - 1 - d]
                    if pair.0 != pair.1 { mixed = true }
                } else if stream > 0 {
                    order = max(order, 1)
                }
            case .normal:
                readsNormals = true
            case let .unknown(j):
                usedUnknowns.append((variable, j))
            }
        }
        self.used = used
        self.usedUnknowns = usedUnknowns
        self.referencedFields = fieldsUsed
        self.readsNormals = readsNormals
        // Pure second derivatives are carried in the hessian layout too when a mixed one is read; otherwise the
        // cheaper pure-second set is used and the stream indices are mapped (see `streamIndex`).
        streams = order == 0 ? .value : order == 1 ? .gradient : (mixed ? .hessian : .pureSecond)
        var slots = [(field: Int, block: Int)?](repeating: nil, count: inputs.count)
        for (variable, field, stream) in used {
            slots[variable - d] = (field, Self.streamIndex(stream, streams: streams, dimension: d))
        }
        self.slots = slots
    }

    /// Whether the formula reads output stream `stream` (hessian numbering) of field `field`.
    public func reads(field: Int, stream: Int) -> Bool {
        used.contains { $0.field == field && $0.stream == stream }
    }

    /// The same residual reading its outputs from the larger stream set `superset` (value ⊂ gradient ⊂ pure second
    /// ⊂ all second derivatives), so that it can share one sweep with residuals that need more streams.
    func reading(_ superset: DerivativeStreams) -> SystemResidual {
        var copy = self
        copy.streams = superset
        for (variable, field, stream) in used {
            copy.slots[variable - dimension] = (field, Self.streamIndex(stream, streams: superset, dimension: dimension))
        }
        return copy
    }

    /// Where hessian-numbered stream `stream` sits in the stream set `streams` (a pure second derivative (i, i)
    /// is block 1 + d + i of the pure-second set).
    static func streamIndex(_ stream: Int, streams: DerivativeStreams, dimension d: Int) -> Int {
        guard streams == .pureSecond, stream > d else { return stream }
        let (i, _) = DerivativeStreams.hessianPairs(dimension: d)[stream - 1 - d]
        return 1 + d + i
    }

    /// Writes, for n points, ρₚ = scale·(r(xₚ) − targetₚ) and the seeds scale·∂r/∂(output) in the layout of
    /// `outputs` (m fields × this residual's S streams × n points: field k of stream s at point p at k + m·(s·n + p);
    /// every entry is written, zero where r does not read it). `normals` holds n·d components when
    /// ``readsNormals``; `unknownValues` the values of ``unknowns``, and `unknownSeeds` (n × |unknowns|,
    /// point-major, overwritten) receives scale·∂r/∂λⱼ: the unknowns' Jacobian columns.
    func scaledResiduals(points: UnsafePointer<Double>, normals: UnsafePointer<Double>?, targets: UnsafePointer<Double>,
                         outputs: UnsafePointer<Double>, count n: Int, outputCount m: Int, scale: Double,
                         residuals: UnsafeMutablePointer<Double>, seeds: UnsafeMutablePointer<Double>,
                         unknownValues: UnsafePointer<Double>? = nil,
                         unknownSeeds: UnsafeMutablePointer<Double>? = nil) {
        precondition(unknowns.isEmpty || unknownValues != nil, "a residual with unknowns needs their values")
        unknownSeeds?.update(repeating: 0, count: n * unknowns.count)
        let d = dimension, s = streams.count(inputDimension: d)
        seeds.update(repeating: 0, count: m * s * n)
        var plain = [Double](repeating: 0, count: d + inputs.count)
        var dual = [Dual<Double>](repeating: Dual(constant: 0), count: d + inputs.count)
        // Output (field, block) of point p sits at field + m·(block·n + p); unread outputs may lie outside the
        // carried streams and stay 0.
        let slot = slots
        for p in 0..<n {
            for i in 0..<d {
                plain[i] = points[p * d + i]
                dual[i] = Dual(constant: plain[i])
            }
            for (v, input) in inputs.enumerated() {
                var value = 0.0
                if let place = slot[v] {
                    value = outputs[place.field + m * (place.block * n + p)]
                } else if case let .normal(i) = input, let normals {
                    value = normals[p * d + i]
                } else if case let .unknown(j) = input {
                    value = unknownValues![j]
                }
                plain[d + v] = value
                dual[d + v] = Dual(constant: value)
            }
            residuals[p] = scale * (formula(plain) - targets[p])
            for u in used {
                let place = slot[u.variable - d]!
                dual[u.variable] = Dual(plain[u.variable], derivative: 1)
                // += : aliases (u_xy, u_yx) read the same output, whose seed is the sum of their partials.
                seeds[place.field + m * (place.block * n + p)] += scale * formula(dual).derivative
                dual[u.variable] = Dual(constant: plain[u.variable])
            }
            if let unknownSeeds {
                for u in usedUnknowns {
                    dual[u.variable] = Dual(plain[u.variable], derivative: 1)
                    unknownSeeds[p * unknowns.count + u.index] = scale * formula(dual).derivative
                    dual[u.variable] = Dual(constant: plain[u.variable])
                }
            }
        }
    }
}

/// g = r(x, u*, ∇u*, ∂²u*, n) for known fields u*: the targets that make the exact solutions satisfy a residual
/// (a manufactured forcing or boundary datum). Derivatives of u* by hyper-dual numbers; normals from the domain.
public struct ManufacturedResidualValue: ScalarField {
    public let residual: SystemResidual
    /// The exact solution of every field the residual reads (nil for the others).
    public let solutions: [(any ScalarField)?]
    public let domain: any Domain
    public var inputDimension: Int { residual.dimension }

    public init(residual: SystemResidual, solutions: [(any ScalarField)?], domain: any Domain) {
        self.residual = residual
        self.solutions = solutions
        self.domain = domain
    }

    public func callAsFunction<T: Real>(_ x: [T]) -> T {
        let formulas = solutions.map { $0 as? Formula }
        if T.self == Double.self, zip(solutions, formulas).allSatisfy({ $0.0 == nil || $0.1 != nil }) {
            // Every solution is a formula: its derivatives through concrete dual-number types, ~5× faster on the
            // grids of result files than the generic path (which looks up type metadata at every node).
            let point = x as! [Double]
            return evaluate(at: point, value: { formulas[$0]!.root.evaluate(point) }, gradient: { field in
                (0..<point.count).map { i in
                    formulas[field]!.root.evaluate(point.indices.map { Dual(point[$0], derivative: $0 == i ? 1 : 0) }).derivative
                }
            }, hessian: { field in
                DerivativeStreams.hessianPairs(dimension: point.count).map { i, j in
                    let seeded: [Dual<Dual<Double>>] = point.indices.map { k in
                        Dual(Dual(point[k], derivative: k == i ? 1 : 0), derivative: Dual(k == j ? 1 : 0, derivative: 0))
                    }
                    return formulas[field]!.root.evaluate(seeded).derivative.derivative
                }
            }) as! T
        }
        return evaluate(at: x, value: { solutions[$0]!(x) },
                        gradient: { DifferentialOperators.gradient(of: solutions[$0]!, at: x) },
                        hessian: { DifferentialOperators.hessian(of: solutions[$0]!, at: x) })
    }

    /// r at x given each field's value, gradient and second derivatives (asked for only where r reads them).
    private func evaluate<T: Real>(at x: [T], value: (Int) -> T, gradient: (Int) -> [T], hessian: (Int) -> [T]) -> T {
        let d = residual.dimension
        var gradients: [Int: [T]] = [:], hessians: [Int: [T]] = [:]
        var values = x
        for input in residual.inputs {
            switch input {
            case let .output(field, stream):
                guard residual.referencedFields.contains(field), solutions[field] != nil else {
                    values.append(0)
                    continue
                }
                if stream == 0 {
                    values.append(value(field))
                } else if stream <= d {
                    if gradients[field] == nil { gradients[field] = gradient(field) }
                    values.append(gradients[field]![stream - 1])
                } else {
                    if hessians[field] == nil { hessians[field] = hessian(field) }
                    values.append(hessians[field]![stream - 1 - d])
                }
            case let .normal(i):
                // Geometry, not differentiated: read at the point's value.
                let normal = domain.outwardNormal(at: x.map { ($0 as? any PrimalValue)?.primalValue ?? .nan })
                values.append(T.converting(normal[i]))
            case .unknown:
                values.append(.nan)  // an unknown has no value to manufacture data from
            }
        }
        return residual.formula(values)
    }
}
