import RealModule

/// A residual formula over the fields of a system: the coordinates, every field and its partial derivatives of any
/// order up to ``JetPlan/highestOrder`` (pure and mixed), and (for conditions on a boundary) the outward normal. The one form of
/// every equation and condition of a general problem: `-(u_xx + u_yy) - f` in the interior, `v - 1` on a lid,
/// `n_x*u_x + n_y*u_y - g` on a Neumann face.
///
/// Names, for fields `[u, v, …]` in d dimensions with coordinates x, y, z: `u`, `u_x`, `u_y`, `u_xx`, `u_xy` (also
/// written `u_yx`), `u_yy`, … for every field, and any higher derivative by its coordinates in any order (`u_xxx`,
/// `u_xxxx`, `u_xxyy` = `u_xyxy`, `u_xxt`); `n_x`, `n_y`, `n_z` when the residual is evaluated with normals.
/// The engine carries only the derivative streams the formula reads: values only, first derivatives, pure second
/// derivatives, all second derivatives when a mixed one appears, or Taylor jets (``JetPlan``) for the derivatives
/// it reads when one is above the second order.
///
/// At each point the residual is evaluated on `Double` and, for each network output it reads, on dual numbers
/// seeded in that output: the partial derivatives ∂r/∂(field k, stream s) are the reverse pass's seeds (gradient and
/// Levenberg–Marquardt Jacobian rows).
public struct SystemResidual: Sendable, CustomStringConvertible {
    /// What one formula variable after the coordinates reads.
    enum Input: Sendable, Equatable {
        /// ∂^α of field `field` (α: one count per coordinate; all zero for the value).
        case derivative(field: Int, orders: [Int])
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
    /// The indices (into the formula's variables) of the outputs it reads, with the derivative each is.
    let used: [(variable: Int, field: Int, orders: [Int])]
    /// Per variable after the coordinates: the field and the blocks (in this residual's stream set) with their
    /// coefficients that give the output it reads (one block with coefficient 1 except for mixed derivatives from
    /// Taylor jets), nil for normals, unknowns and outputs it does not read.
    private(set) var slots: [(field: Int, blocks: [(block: Int, coefficient: Double)])?]

    public var description: String { formula.source }

    /// The names a residual over `fields` may use in d dimensions (normals included when `normals`), in the
    /// formula's variable order after the coordinates.
    public static func variableNames(fields: [String], dimension d: Int, normals: Bool, unknowns: [String] = [],
                                     coordinates: [String]? = nil) -> [String] {
        // Without a source there are no higher derivatives to list, so this cannot throw.
        (try? variables(fields: fields, dimension: d, normals: normals, unknowns: unknowns,
                        coordinates: coordinates))?.map(\.name) ?? []
    }

    private static func variables(fields: [String], dimension d: Int, normals: Bool, unknowns: [String],
                                  coordinates: [String]?, source: String = "") throws(FormulaError)
        -> [(name: String, input: Input)] {
        let axes = coordinates ?? FormulaParser.coordinates(dimension: d)
        func orders(_ axesRead: [Int]) -> [Int] {
            var alpha = [Int](repeating: 0, count: d)
            for i in axesRead { alpha[i] += 1 }
            return alpha
        }
        var result: [(String, Input)] = []
        for (k, field) in fields.enumerated() {
            result.append((field, .derivative(field: k, orders: orders([]))))
            for i in 0..<d { result.append(("\(field)_\(axes[i])", .derivative(field: k, orders: orders([i])))) }
            for i in 0..<d {
                for j in 0..<d {
                    result.append(("\(field)_\(axes[i])\(axes[j])", .derivative(field: k, orders: orders([i, j]))))
                }
            }
        }
        if normals { for i in 0..<d { result.append(("n_\(axes[i])", .normal(i))) } }
        for (j, name) in unknowns.enumerated() { result.append((name, .unknown(j))) }
        // Derivatives above the second order: only those the source names (their spellings grow combinatorially).
        var known = Set(result.map(\.0))
        // Every coordinate name pinn knows, to tell a derivative in a coordinate this problem lacks from a typo.
        let anyAxes = ["x", "y", "z", "t"] + (1...Domains.maximumCoordinates).map { "x\($0)" }
        for (name, position) in identifiers(in: source) where !known.contains(name) {
            for (k, field) in fields.enumerated() where name.hasPrefix(field + "_") {
                let suffix = String(name.dropFirst(field.count + 1))
                guard let read = coordinateSequence(suffix, axes: axes) else {
                    if let other = coordinateSequence(suffix, axes: anyAxes) {
                        let missing = other.map { anyAxes[$0] }.first { !axes.contains($0) }!
                        let hint = missing == "t" ? " (a time-dependent problem has \"time\": [t0, T])" : ""
                        throw FormulaError(message: "'\(name)' is a derivative in \(missing), which this problem does not have (its coordinates: \(axes.joined(separator: ", ")))\(hint)", position: position)
                    }
                    continue
                }
                guard read.count > 2 else { continue }
                guard read.count <= JetPlan.highestOrder else {
                    throw FormulaError(message: "'\(name)' is a derivative of order \(read.count); pinn computes derivatives up to order \(JetPlan.highestOrder)", position: position)
                }
                result.append((name, .derivative(field: k, orders: orders(read))))
                known.insert(name)
                break
            }
        }
        return result
    }

    /// The identifiers of a formula's source with their 1-based positions.
    static func identifiers(in source: String) -> [(String, Int)] {
        var result: [(String, Int)] = [], current = "", start = 0
        for (i, c) in source.enumerated() {
            if c == "_" || c.isLetter || (c.isNumber && !current.isEmpty) {
                if current.isEmpty { start = i + 1 }
                current.append(c)
            } else {
                if !current.isEmpty { result.append((current, start)) }
                current = ""
            }
        }
        if !current.isEmpty { result.append((current, start)) }
        return result
    }

    /// The coordinates a derivative suffix names (`xxy` → [0, 0, 1]; longest names first, so `x10` before `x1`),
    /// nil if it is not a sequence of coordinate names.
    static func coordinateSequence(_ suffix: String, axes: [String]) -> [Int]? {
        var rest = Substring(suffix), read: [Int] = []
        let byLength = axes.indices.sorted { axes[$0].count > axes[$1].count }
        while !rest.isEmpty {
            guard let i = byLength.first(where: { rest.hasPrefix(axes[$0]) }) else { return nil }
            read.append(i)
            rest = rest.dropFirst(axes[i].count)
        }
        return read.isEmpty ? nil : read
    }

    /// Parses `source` as a residual over `fields` in `dimension` dimensions with the named constants
    /// `parameters` and the unknown parameters `unknowns` (values taken from the network's θ at each evaluation);
    /// `normals` allows `n_x`, `n_y`, `n_z`; `coordinates` names the coordinates (default x, y, z; in space-time
    /// the last is t, so that `u_t`, `u_tt` and `u_xt` are time derivatives).
    public init(_ source: String, fields: [String], dimension d: Int, parameters: [String: Double] = [:],
                unknowns: [String] = [], normals: Bool = false, coordinates: [String]? = nil) throws(FormulaError) {
        let variables = try Self.variables(fields: fields, dimension: d, normals: normals, unknowns: unknowns,
                                           coordinates: coordinates, source: source)
        self.unknowns = unknowns
        formula = try Formula(source, dimension: d, parameters: parameters, fields: variables.map(\.name),
                              coordinates: coordinates)
        self.fields = fields
        dimension = d
        inputs = variables.map(\.input)
        var used: [(Int, Int, [Int])] = [], usedUnknowns: [(Int, Int)] = []
        var fieldsUsed = Set<Int>(), readsNormals = false, order = 0, mixed = false
        for variable in formula.referencedVariables.sorted() where variable >= d {
            switch inputs[variable - d] {
            case let .derivative(field, alpha):
                used.append((variable, field, alpha))
                fieldsUsed.insert(field)
                let k = alpha.reduce(0, +)
                order = max(order, k)
                if k == 2, alpha.contains(1) { mixed = true }
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
        // cheaper pure-second set is used and the stream indices are mapped (see `streamIndex`). Above the second
        // order, Taylor jets for exactly the derivatives read.
        switch order {
        case 0: streams = .value
        case 1: streams = .gradient
        case 2: streams = mixed ? .hessian : .pureSecond
        default: streams = .jets(JetPlan(derivatives: Array(Set(used.map(\.2))).sorted { $0.lexicographicallyPrecedes($1) },
                                         dimension: d))
        }
        slots = Self.slots(inputs: inputs.count, used: used, streams: streams, dimension: d)
    }

    /// Where each read output sits in `streams`: its field and blocks with coefficients.
    private static func slots(inputs count: Int, used: [(variable: Int, field: Int, orders: [Int])],
                              streams: DerivativeStreams, dimension d: Int)
        -> [(field: Int, blocks: [(block: Int, coefficient: Double)])?] {
        var slots = [(field: Int, blocks: [(block: Int, coefficient: Double)])?](repeating: nil, count: count)
        for (variable, field, alpha) in used {
            if let plan = streams.jetPlan {
                slots[variable - d] = (field, plan.combination(of: alpha))
            } else {
                slots[variable - d] = (field, [(streamIndex(hessianStream(alpha), streams: streams, dimension: d), 1)])
            }
        }
        return slots
    }

    /// The stream of ∂^α (|α| ≤ 2) in the numbering of ``DerivativeStreams/hessian``.
    static func hessianStream(_ alpha: [Int]) -> Int {
        let d = alpha.count
        let axes = alpha.indices.flatMap { Array(repeating: $0, count: alpha[$0]) }
        switch axes.count {
        case 0: return 0
        case 1: return 1 + axes[0]
        default: return 1 + d + DerivativeStreams.hessianIndex(axes[0], axes[1], dimension: d)
        }
    }

    /// Whether the formula reads ∂^α of field `field` (α: one count per coordinate).
    public func reads(field: Int, orders alpha: [Int]) -> Bool {
        used.contains { $0.field == field && $0.orders == alpha }
    }

    /// The highest order of any derivative of field `field` in coordinate `i` that the formula reads.
    public func highestOrder(ofField field: Int, in i: Int) -> Int {
        used.filter { $0.field == field }.map { $0.orders[i] }.max() ?? 0
    }

    /// The same residual reading its outputs from the larger stream set `superset` (value ⊂ gradient ⊂ pure second
    /// ⊂ all second derivatives), so that it can share one sweep with residuals that need more streams.
    func reading(_ superset: DerivativeStreams) -> SystemResidual {
        var copy = self
        copy.streams = superset
        copy.slots = Self.slots(inputs: inputs.count, used: used, streams: superset, dimension: dimension)
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
                    let blocks = place.blocks
                    if blocks.count == 1 && blocks[0].coefficient == 1 {
                        value = outputs[place.field + m * (blocks[0].block * n + p)]
                    } else {
                        for (block, c) in blocks { value += c * outputs[place.field + m * (block * n + p)] }
                    }
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
                // += : aliases (u_xy, u_yx) read the same output, whose seed is the sum of their partials; a
                // derivative combined from several jet blocks seeds each with its coefficient.
                let partial = scale * formula(dual).derivative
                for (block, c) in place.blocks { seeds[place.field + m * (block * n + p)] += c * partial }
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
            return evaluate(at: point, value: { formulas[$0]!.root.evaluate(point) }, higher: { field, alpha in
                DifferentialOperators.partialDerivative(of: formulas[field]!, at: point, orders: alpha)
            }, gradient: { field in
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
                        higher: { DifferentialOperators.partialDerivative(of: solutions[$0]!, at: x, orders: $1) },
                        gradient: { DifferentialOperators.gradient(of: solutions[$0]!, at: x) },
                        hessian: { DifferentialOperators.hessian(of: solutions[$0]!, at: x) })
    }

    /// r at x given each field's value, gradient and second derivatives (asked for only where r reads them).
    private func evaluate<T: Real>(at x: [T], value: (Int) -> T, higher: (Int, [Int]) -> T, gradient: (Int) -> [T],
                                   hessian: (Int) -> [T]) -> T {
        let d = residual.dimension
        var gradients: [Int: [T]] = [:], hessians: [Int: [T]] = [:]
        var values = x
        for input in residual.inputs {
            switch input {
            case let .derivative(field, alpha):
                guard residual.referencedFields.contains(field), solutions[field] != nil else {
                    values.append(0)
                    continue
                }
                guard alpha.reduce(0, +) <= 2 else {
                    values.append(higher(field, alpha))
                    continue
                }
                let stream = SystemResidual.hessianStream(alpha)
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
