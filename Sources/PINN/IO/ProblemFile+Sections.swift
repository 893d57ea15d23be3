import Foundation

/// The reusable sections of a problem file: activation, domain, training stages.
extension ProblemFile {
    /// `"activation"`: a function name, or an object with `type` fixed, l-laaf, rowdy or kronecker.
    static func readActivation(_ net: inout JSONObjectReader) throws(ProblemFileError) -> LayerActivation {
        guard let value = net.value("activation") else { return .fixed(.tanh) }
        if case .string = value {
            return .fixed(try net.choice("activation", functionNames)!)
        }
        var a = try JSONObjectReader(value, file: net.file, path: net.childPath("activation"))
        let type = try a.choice("type", [("fixed", 0), ("l-laaf", 1), ("rowdy", 2), ("kronecker", 3), ("n-laaf", 4)])
        var activation: LayerActivation
        switch type {
        case nil:
            throw a.fail("type", "required field is missing; allowed: fixed, l-laaf, rowdy, kronecker, n-laaf")
        case 0:
            activation = .fixed(try a.choice("function", functionNames) ?? .tanh)
        case 1, 4:
            activation = .layerwiseAdaptive(try a.choice("function", functionNames) ?? .tanh,
                                            scaleFactor: try a.positiveNumber("n") ?? 10)
        case 2:
            let base = try a.choice("base", functionNames) ?? .tanh
            let terms = try a.integer("terms", minimum: 1) ?? 5
            let n = try a.positiveNumber("n") ?? 10
            let extra = try a.choice("extra", [("sin", false), ("cos", true)]) ?? false
            let published = try a.choice("convention", [("paper", false), ("published", true)]) ?? false
            activation = published ? .rowdyPublished(base: base, terms: terms, scaleFactor: n, useCosine: extra)
                                   : .rowdy(base: base, terms: terms, scaleFactor: n, useCosine: extra)
        default:
            guard let items = try a.array("terms"), !items.isEmpty else {
                throw a.fail("terms", "required: a non-empty list of terms {\"function\": …, \"scale\", \"frequency\", \"amplitude\", \"slope\", \"trainable_amplitude\", \"trainable_slope\"}")
            }
            var terms: [KroneckerTerm] = []
            for (i, item) in items.enumerated() {
                var t = try JSONObjectReader(item, file: a.file, path: a.childPath("terms[\(i)]"))
                guard let function = try t.choice("function", functionNames) else {
                    throw t.fail("function", "required field is missing; allowed: " + functionNames.map(\.0).joined(separator: ", "))
                }
                terms.append(KroneckerTerm(function, scale: try t.number("scale") ?? 1, frequency: try t.number("frequency") ?? 1,
                                           amplitude: try t.number("amplitude") ?? 1, slope: try t.number("slope") ?? 1,
                                           trainableAmplitude: try t.bool("trainable_amplitude") ?? false,
                                           trainableSlope: try t.bool("trainable_slope") ?? false))
                try t.rejectUnknownKeys()
            }
            activation = LayerActivation(terms: terms)
        }
        if let neuronWise = try a.bool("neuron_wise") { activation.neuronWise = neuronWise }
        if type == 4 { activation.neuronWise = true }
        try a.rejectUnknownKeys()
        return activation
    }

    static func readDomain(_ r: inout JSONObjectReader) throws(ProblemFileError) -> any Domain {
        let type = try r.choice("type", [("interval", 1), ("rectangle", 2), ("disk", 3), ("polygon", 4), ("box", 5),
                                         ("ball", 6), ("hypercube", 7), ("hypersphere", 8)])
        guard let type else {
            throw r.fail("type", "required field is missing; allowed: interval, rectangle, box, disk, ball, polygon, hypercube, hypersphere")
        }
        let most = Domains.maximumCoordinates
        func bounds(_ key: String, _ r: inout JSONObjectReader) throws(ProblemFileError) -> (Double, Double) {
            guard let items = try r.array(key) else { throw r.fail(key, "required field is missing (e.g. [-1, 1])") }
            guard items.count == 2, case let .number(a) = items[0], case let .number(b) = items[1] else {
                throw r.fail(key, "expected two numbers [lower, upper]")
            }
            guard a < b else { throw r.fail(key, "lower bound \(JSONObjectReader.format(a)) must be below upper bound \(JSONObjectReader.format(b))") }
            return (a, b)
        }
        func point(_ v: JSONValue, _ key: String, _ r: JSONObjectReader) throws(ProblemFileError) -> [Double] {
            guard case let .array(items) = v, items.count == 2, case let .number(x) = items[0], case let .number(y) = items[1] else {
                throw r.fail(key, "expected a point [x, y]")
            }
            return [x, y]
        }
        switch type {
        case 7:
            return try readHypercube(&r, bounds: bounds)
        case 8:
            guard let c = try r.array("center") else { throw r.fail("center", "required field is missing (e.g. [0, 0, 0, 0, 0])") }
            guard (2...most).contains(c.count) else {
                throw r.fail("center", "a hypersphere has 2 to \(most) coordinates; the center has \(c.count)")
            }
            var center: [Double] = []
            for (i, item) in c.enumerated() {
                guard case let .number(x) = item else { throw r.fail("center[\(i)]", "expected a number") }
                center.append(x)
            }
            guard let radius = try r.positiveNumber("radius") else { throw r.fail("radius", "required field is missing") }
            return Disk(center: center, radius: radius)
        case 1:
            let x = try bounds("x", &r)
            return Box.interval(x.0, x.1)
        case 2:
            let x = try bounds("x", &r), y = try bounds("y", &r)
            return Box(lower: [x.0, y.0], upper: [x.1, y.1])
        case 5:
            let x = try bounds("x", &r), y = try bounds("y", &r), z = try bounds("z", &r)
            return Box(lower: [x.0, y.0, z.0], upper: [x.1, y.1, z.1])
        case 3:
            guard let c = r.value("center") else { throw r.fail("center", "required field is missing (e.g. [0, 0])") }
            let center = try point(c, "center", r)
            guard let radius = try r.positiveNumber("radius") else { throw r.fail("radius", "required field is missing") }
            return Disk(center: center, radius: radius)
        case 6:
            guard let c = try r.array("center") else { throw r.fail("center", "required field is missing (e.g. [0, 0, 0])") }
            guard c.count == 3, case let .number(x) = c[0], case let .number(y) = c[1], case let .number(z) = c[2] else {
                throw r.fail("center", "expected a point [x, y, z]")
            }
            guard let radius = try r.positiveNumber("radius") else { throw r.fail("radius", "required field is missing") }
            return Disk.ball(center: [x, y, z], radius: radius)
        default:
            guard let items = try r.array("vertices"), items.count >= 3 else {
                throw r.fail("vertices", "required: at least 3 vertices [[x, y], …] in order")
            }
            guard items.count <= Polygon.maximumVertices else {
                throw r.fail("vertices", "\(items.count) vertices; at most \(Polygon.maximumVertices) are allowed")
            }
            var vertices: [[Double]] = []
            for (i, v) in items.enumerated() { vertices.append(try point(v, "vertices[\(i)]", r)) }
            let polygon = Polygon(vertices: vertices)
            if let (i, j) = polygon.selfIntersection() {
                let n = vertices.count
                func edge(_ k: Int) -> String { "edge \(k) (\(vertices[k]) → \(vertices[(k + 1) % n]))" }
                throw r.fail("vertices", i == j
                    ? "\(edge(i)) has zero length (a repeated vertex); the polygon must be simple"
                    : "\(edge(i)) and \(edge(j)) cross, touch or overlap; the polygon must be simple (not intersect itself)")
            }
            guard polygon.measure > 0 else { throw r.fail("vertices", "the polygon has zero area") }
            return polygon
        }
    }

    /// `{"type": "hypercube", "dimension": d, "bounds": [a, b]}` (the same bounds on every axis) or `"bounds":
    /// [[a₁, b₁], …, [a_d, b_d]]` (one pair per axis; `dimension` may then be left out). Coordinates x, y, z up to
    /// three, x1 … xd beyond.
    private static func readHypercube(
        _ r: inout JSONObjectReader,
        bounds: (String, inout JSONObjectReader) throws(ProblemFileError) -> (Double, Double)
    ) throws(ProblemFileError) -> Box {
        let most = Domains.maximumCoordinates
        let dimension = try r.integer("dimension", minimum: 1)
        if let d = dimension, d > most {
            throw r.fail("dimension", "pinn handles up to \(most) coordinates (space and time together); found \(d)")
        }
        guard let items = try r.array("bounds") else {
            throw r.fail("bounds", "required field is missing: [lower, upper] for every axis, or one pair per axis")
        }
        if items.count == 2, case .number = items[0], case .number = items[1] {
            guard let d = dimension else {
                throw r.fail("dimension", "required with one pair of bounds for every axis (e.g. \"dimension\": 5)")
            }
            let (a, b) = try bounds("bounds", &r)
            return Box(lower: Array(repeating: a, count: d), upper: Array(repeating: b, count: d))
        }
        guard !items.isEmpty else { throw r.fail("bounds", "expected [lower, upper] or one pair per axis; found an empty list") }
        guard items.count <= most else {
            throw r.fail("bounds", "pinn handles up to \(most) coordinates (space and time together); found \(items.count) pairs")
        }
        if let d = dimension, d != items.count {
            throw r.fail("bounds", "\(items.count) pairs of bounds for a hypercube of dimension \(d)")
        }
        var lower: [Double] = [], upper: [Double] = []
        for (i, item) in items.enumerated() {
            guard case let .array(pair) = item, pair.count == 2, case let .number(a) = pair[0],
                  case let .number(b) = pair[1] else {
                throw r.fail("bounds[\(i)]", "expected two numbers [lower, upper]")
            }
            guard a < b else {
                throw r.fail("bounds[\(i)]", "lower bound \(JSONObjectReader.format(a)) must be below upper bound \(JSONObjectReader.format(b))")
            }
            lower.append(a)
            upper.append(b)
        }
        return Box(lower: lower, upper: upper)
    }

    /// Levenberg–Marquardt needs a sum-of-squares loss and two |θ|×|θ| matrices in memory.
    static func checkLevenbergMarquardt(_ config: SolverConfiguration, stage s: JSONObjectReader,
                                                dimension d: Int) throws(ProblemFileError) {
        if config.slopeRecoveryWeight > 0 {
            throw s.fail("optimizer", "Levenberg–Marquardt needs a sum-of-squares loss; loss.slope_recovery is not one (set it to 0 or use adam/lbfgs)")
        }
        if let problem = LevenbergMarquardt.memoryProblem(parameterCount: config.networkLayout(inputDimension: d).parameterCount) {
            throw s.fail("optimizer", problem)
        }
    }

    static func readStage(_ s: inout JSONObjectReader) throws(ProblemFileError) -> TrainingStage {
        let optimizer = try s.choice("optimizer", [("adam", "adam"), ("lbfgs", "lbfgs"), ("lm", "lm")])
        guard let optimizer else { throw s.fail("optimizer", "required field is missing; allowed: adam, lbfgs, lm") }
        if optimizer == "lm" {
            guard let iterations = try s.integer("iterations", minimum: 1) else { throw s.fail("iterations", "required field is missing") }
            var lm = LevenbergMarquardt(initialDamping: try s.positiveNumber("initial_damping"))
            lm.gradientTolerance = try s.nonNegativeNumber("gradient_tolerance") ?? lm.gradientTolerance
            lm.relativeTolerance = try s.nonNegativeNumber("relative_tolerance") ?? lm.relativeTolerance
            lm.stepTolerance = try s.nonNegativeNumber("step_tolerance") ?? lm.stepTolerance
            lm.maximumDamping = try s.positiveNumber("max_damping") ?? lm.maximumDamping
            let drop = try s.bool("drop_extra_activation_terms") ?? false
            return TrainingStage(optimizer: .levenbergMarquardt(lm), iterations: iterations, keepOnlyBaseActivationTerm: drop)
        }
        if optimizer == "lbfgs" {
            guard let iterations = try s.integer("iterations", minimum: 1) else { throw s.fail("iterations", "required field is missing") }
            var lbfgs = LBFGS(memory: try s.integer("memory", minimum: 1) ?? 20)
            lbfgs.gradientTolerance = try s.nonNegativeNumber("gradient_tolerance") ?? lbfgs.gradientTolerance
            lbfgs.relativeTolerance = try s.nonNegativeNumber("relative_tolerance") ?? lbfgs.relativeTolerance
            lbfgs.maximumEvaluations = try s.integer("max_evaluations", minimum: 0) ?? 0
            let drop = try s.bool("drop_extra_activation_terms") ?? false
            return TrainingStage(optimizer: .lbfgs(lbfgs), iterations: iterations, keepOnlyBaseActivationTerm: drop)
        }
        guard let iterations = try s.integer("iterations", minimum: 1) else { throw s.fail("iterations", "required field is missing") }
        let rate = try s.positiveNumber("learning_rate") ?? 1e-3
        var schedule = LearningRateSchedule.constant(rate)
        if var sch = try s.object("schedule") {
            let type = try sch.choice("type", [("constant", 0), ("step", 1), ("exponential", 2)])
            switch type {
            case nil: throw sch.fail("type", "required field is missing; allowed: constant, step, exponential")
            case 1:
                guard let changes = try sch.array("changes"), !changes.isEmpty else {
                    throw sch.fail("changes", "required: a list of {\"iteration\": N, \"learning_rate\": r}")
                }
                var list: [LearningRateSchedule.Change] = []
                for (i, c) in changes.enumerated() {
                    var cr = try JSONObjectReader(c, file: sch.file, path: sch.childPath("changes[\(i)]"))
                    guard let it = try cr.integer("iteration", minimum: 1) else { throw cr.fail("iteration", "required field is missing") }
                    guard let r = try cr.positiveNumber("learning_rate") else { throw cr.fail("learning_rate", "required field is missing") }
                    try cr.rejectUnknownKeys()
                    list.append(.init(iteration: it, rate: r))
                }
                schedule = .piecewise(initial: rate, changes: list)
            case 2:
                guard let factor = try sch.positiveNumber("factor") else { throw sch.fail("factor", "required field is missing (e.g. 0.9)") }
                guard let every = try sch.integer("every", minimum: 1) else { throw sch.fail("every", "required field is missing (e.g. 1000)") }
                schedule = .exponential(initial: rate, factor: factor, every: every)
            default:
                break
            }
            try sch.rejectUnknownKeys()
        }
        let drop = try s.bool("drop_extra_activation_terms") ?? false
        return TrainingStage(optimizer: .adam(schedule), iterations: iterations, keepOnlyBaseActivationTerm: drop)
    }
}
