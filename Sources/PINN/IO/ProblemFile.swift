import Foundation

/// A problem file read and checked: the problem, the solver configuration, and the file's own text (stored in
/// result files so that every run can be reproduced). The format is documented in docs/problem-files.md.
public struct ProblemFile: Sendable {
    /// Limits on a problem's size in items (every formula of each is evaluated at all its points before training,
    /// so they bound the validation time; real systems have a few of each).
    public static let maximumFields = 16
    public static let maximumEquations = 16
    public static let maximumConditions = 64

    /// The file's path as given.
    public let path: String
    /// The full text of the file.
    public let text: String
    /// The `description` field.
    public let description: String
    /// The problem.
    public let problem: Problem
    /// Everything else.
    public var configuration: SolverConfiguration
    /// The formulas as written (for result files and `pinn inspect`).
    public let formulas: [String: String]
    /// The JSON path of each equation's and condition's targets, in the order of the problem's general form.
    var valuePaths: [String] = []
    /// The JSON path of each equation and condition (same order).
    var itemPaths: [String] = []
    /// Things the user should know that do not stop the run (printed by the command line).
    public var warnings: [String] = []

    /// Reads and checks the file at `path`.
    public static func load(path: String) throws(ProblemFileError) -> ProblemFile {
        try parse(try readText(path: path), path: path)
    }

    /// The text of the problem file at `path`, or why it cannot be read.
    public static func readText(path: String) throws(ProblemFileError) -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ProblemFileError(file: path, path: "", message: "no such file")
        }
        guard !isFolder.boolValue else {
            throw ProblemFileError(file: path, path: "", message: "is a folder; give a problem file (JSON), e.g. problems/helmholtz.json")
        }
        // An empty file is answered before reading (Foundation's contents(atPath:) leaks its buffer on one).
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size == 0 {
            throw ProblemFileError(file: path, path: "", message: "is empty; expected a JSON object, e.g. problems/helmholtz.json")
        }
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw ProblemFileError(file: path, path: "", message: "cannot be read (permission denied or not a regular file)")
        }
        let limit = 64 << 20
        guard data.count <= limit else {
            throw ProblemFileError(file: path, path: "", message: "is \(data.count) bytes; problem files are limited to 64 MiB (put large data in a CSV observation file)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ProblemFileError(file: path, path: "", message: "cannot be read as UTF-8 text")
        }
        return text
    }

    /// Parses and checks a problem file's text; `path` names it in errors.
    public static func parse(_ text: String, path: String) throws(ProblemFileError) -> ProblemFile {
        let json: JSONValue
        do {
            json = try JSONParser.parse(text)
        } catch {
            throw ProblemFileError(file: path, path: "", message: error.description)
        }
        var root = try JSONObjectReader(json, file: path, path: "")
        if root.has("sweep"), let runs = try ProblemSweep.runs(in: text, path: path) {
            throw root.fail("sweep", "describes a parameter study of \(runs.count) runs: solve one with "
                            + "pinn solve \(path) --sweep-index I (I = 0 … \(runs.count - 1))")
        }
        let description = try root.string("description") ?? ""

        // Domain.
        var domain: any Domain
        if var domainReader = try root.object("domain") {
            domain = try readDomain(&domainReader)
            try domainReader.rejectUnknownKeys()
        } else if root.has("time") {
            // An ODE or ODE system: time alone, t the only coordinate.
            domain = NoSpace()
        } else {
            throw root.fail("domain", "required field is missing (an ODE has \"time\": [t0, T] and no domain)")
        }
        // Time-dependent problems: the spatial domain × [t₀, T], time the last coordinate t.
        domain = try readTime(&root, space: domain)
        let d = domain.dimension

        // Fields (the general form names them; the short form has one, u).
        if !root.has("equations"), root.has("fields") {
            throw root.fail("fields", "are named with 'equations' (the general form); the short form has the one field u")
        }
        let fields = try readFields(&root, domain: domain)
        func clashingField(_ name: String) -> String? {
            fields.first { name == $0 || name.hasPrefix($0 + "_") }
        }

        // Named constants for formulas.
        var parameters: [String: Double] = [:]
        if let params = try root.object("parameters") {
            var p = params
            for key in params.keys {
                guard key.first?.isLetter == true, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw p.fail(key, "parameter names are letters, digits and '_', starting with a letter")
                }
                guard !(FormulaParser.coordinateNames + ["t", "pi", "e"]).contains(key) else {
                    throw p.fail(key, "'\(key)' is reserved (coordinates x, y, z, time t and the constants pi, e)")
                }
                if root.has("equations"), let field = clashingField(key) {
                    throw p.fail(key, "'\(key)' clashes with the field '\(field)' (its value and derivatives \(field)_x, …)")
                }
                guard let v = try p.number(key) else { continue }
                parameters[key] = v
            }
        }

        // Unknown coefficients (inverse problems): name → initial value, read by a custom residual.
        var unknownNames: [String] = [], unknownInitial: [Double] = [], unknownRanges: [UnknownRange] = []
        if var unknowns = try root.object("unknowns") {
            for key in unknowns.keys.sorted() {
                guard key.first?.isLetter == true, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw unknowns.fail(key, "unknown names are letters, digits and '_', starting with a letter")
                }
                let reserved = FormulaParser.coordinateNames + ["pi", "e", "n"] + FormulaFunction.allCases.map(\.rawValue)
                guard !reserved.contains(key), clashingField(key) == nil else {
                    throw unknowns.fail(key, "'\(key)' is reserved (coordinates, the fields \(fields.joined(separator: ", ")) and their derivatives, pi, e, function names)")
                }
                guard parameters[key] == nil else {
                    throw unknowns.fail(key, "'\(key)' is also a parameter; a name is either a known constant or an unknown")
                }
                var initial: Double?
                var range = UnknownRange.unbounded
                if case .object = unknowns.value(key) {
                    var spec = try unknowns.object(key)!
                    initial = try spec.number("initial")
                    guard let start = initial else { throw spec.fail("initial", "required: the unknown's initial value") }
                    let positive = try spec.bool("positive") ?? false
                    let (low, high) = (try spec.number("min"), try spec.number("max"))
                    switch (positive, low, high) {
                    case (false, nil, nil): break
                    case (true, nil, nil): range = .positive
                    case let (false, a?, b?) where a < b: range = .interval(a, b)
                    case (false, _?, _?): throw spec.fail("max", "must be above min")
                    case (true, _, _): throw spec.fail("positive", "give either positive or min and max, not both")
                    default: throw spec.fail(low == nil ? "min" : "max", "a range needs both min and max (or \"positive\": true)")
                    }
                    guard range.contains(start) else {
                        throw spec.fail("initial", "\(JSONObjectReader.format(start)) is not strictly inside the range (\(range))")
                    }
                    try spec.rejectUnknownKeys()
                } else {
                    initial = try unknowns.number(key)
                }
                guard let initial else { throw unknowns.fail(key, "expected the initial value, a number (or {\"initial\": value})") }
                unknownNames.append(key)
                unknownInitial.append(initial)
                unknownRanges.append(range)
            }
        }

        // The problem: the general form (fields, equations, conditions) or the scalar short form.
        var form: ParsedProblem
        if root.has("equations") {
            form = try readGeneralForm(&root, domain: domain, fields: fields, parameters: parameters,
                                       unknowns: unknownNames, file: path)
        } else {
            if root.has("conditions") {
                throw root.fail("conditions", "belong to the general form, with 'equations' (and 'fields'); the short form states its boundary data with boundary_condition or boundary_conditions")
            }
            _ = (root.value("equations"), root.value("conditions"))  // listed among the allowed keys
            form = try readShortForm(&root, domain: domain, parameters: parameters, unknowns: unknownNames, file: path)
        }
        form.problem.periodic = try readPeriodic(&root, domain: domain)
        let problem = form.problem
        let hard = form.hardDirichlet

        var config = SolverConfiguration()
        config.unknownInitialValues = unknownInitial
        config.unknownRanges = unknownRanges.allSatisfy { $0 == .unbounded } ? [] : unknownRanges
        config.hardDirichlet = hard
        // 1001 points in 1D, 201² in 2D, 41³ (69 thousand) in 3D by default.
        config.evaluationResolution = SolverConfiguration.defaultResolution(dimension: d)
        config.seed = UInt64(try root.integer("seed", minimum: 0) ?? 0)

        // Network.
        guard var net = try root.object("network") else { throw root.fail("network", "required field is missing") }
        if let layers = try net.array("hidden_layers") {
            guard !layers.isEmpty else { throw net.fail("hidden_layers", "must list at least one layer width") }
            config.hiddenWidths = try layers.enumerated().map { (i, v) throws(ProblemFileError) -> Int in
                guard case let .number(w) = v, w == w.rounded(), w >= 1, w <= 100_000 else {
                    throw net.fail("hidden_layers[\(i)]", "expected a positive whole number (a layer width), found \(v == .null ? "null" : describe(v))")
                }
                return Int(w)
            }
        } else {
            throw net.fail("hidden_layers", "required field is missing (e.g. [30, 30, 30])")
        }
        try readPartition(&net, into: &config, dimension: d)
        config.residualBlocks = try net.bool("residual_blocks") ?? false
        config.activations = [try readActivation(&net)]
        if var first = try net.object("first_layer") {
            let kind = try first.choice("type", [("standard", 0), ("udi", 1), ("grid", 2), ("random", 3)])
            switch kind {
            case nil: throw first.fail("type", "required field is missing; allowed: standard, udi, grid, random")
            case 3:
                config.firstLayer = .uniformRandom(scale: try first.positiveNumber("scale") ?? 1)
            case 1:
                config.firstLayer = .uniformDensity(shape: try first.positiveNumber("gamma") ?? 1,
                                                    radius: try first.positiveNumber("radius") ?? FirstLayerInitializer.defaultRadius(dimension: d))
            case 2:
                guard d == 1 else { throw first.fail("type", "'grid' is for 1D domains; use 'udi' in \(d)D") }
                config.firstLayer = .grid1D(shape: try first.positiveNumber("gamma") ?? Double(config.hiddenWidths[0]) / 2)
            default:
                config.firstLayer = .standard
            }
            try first.rejectUnknownKeys()
        }
        config.initializer = try net.choice("initializer", [("glorot_normal", WeightInitializer.glorotNormal),
                                                           ("glorot_uniform", .glorotUniform),
                                                           ("he_normal", .heNormal), ("he_uniform", .heUniform)]) ?? .glorotNormal
        try net.rejectUnknownKeys()

        // Collocation.
        if var col = try root.object("collocation") {
            config.interiorPoints = try col.integer("interior", minimum: 1) ?? config.interiorPoints
            config.boundaryPoints = try col.integer("boundary", minimum: 1) ?? config.boundaryPoints
            config.initialPoints = try col.integer("initial", minimum: 1)
            config.boundaryCorners = try col.bool("boundary_corners") ?? false
            config.distribution = try col.choice("distribution", PointDistribution.allCases.map { ($0.rawValue, $0) }) ?? .random
            config.resampleEvery = try col.integer("resample_every", minimum: 0) ?? 0
            if var rar = try col.object("refinement") {
                guard let every = try rar.integer("every", minimum: 1) else { throw rar.fail("every", "required field is missing") }
                let mode = try rar.choice("mode", [("largest", 0), ("density", 1)]) ?? 0
                let selection: ResidualRefinement.Selection = mode == 0 ? .largest
                    : .density(exponent: try rar.positiveNumber("exponent") ?? 2, constant: try rar.nonNegativeNumber("constant") ?? 0)
                config.refinement = ResidualRefinement(every: every, candidates: try rar.integer("candidates", minimum: 1) ?? 10 * config.interiorPoints,
                                                       add: try rar.integer("add", minimum: 1) ?? max(1, config.interiorPoints / 100),
                                                       selection: selection)
                try rar.rejectUnknownKeys()
            }
            try col.rejectUnknownKeys()
        }

        // Loss weights.
        if var loss = try root.object("loss") {
            config.residualWeight = try loss.nonNegativeNumber("residual_weight") ?? 1
            config.boundaryWeight = try loss.nonNegativeNumber("boundary_weight") ?? 1
            config.slopeRecoveryWeight = try loss.nonNegativeNumber("slope_recovery") ?? 0
            if var balancing = try loss.object("balancing") {
                config.lossBalancing = LossBalancing(every: try balancing.integer("every", minimum: 1) ?? 10,
                                                     rate: try balancing.positiveNumber("rate") ?? 0.1)
                try balancing.rejectUnknownKeys()
            }
            try loss.rejectUnknownKeys()
        }

        // Observations (a data-misfit term; with zero residual and boundary weights, plain function fitting).
        if var data = try root.object("data") {
            guard let points = try data.array("points") else { throw data.fail("points", "required: a list of points ([x, y] or, in 1D, x)") }
            guard let values = try data.array("values") else { throw data.fail("values", "required: one value per point") }
            guard points.count == values.count, !points.isEmpty else {
                throw data.fail("values", "expected \(points.count) values (one per point), found \(values.count)")
            }
            var coordinates: [Double] = []
            for (i, point) in points.enumerated() {
                switch point {
                case let .number(x) where d == 1: coordinates.append(x)
                case let .array(items) where items.count == d:
                    for item in items {
                        guard case let .number(x) = item else { throw data.fail("points[\(i)]", "expected \(d) numbers") }
                        coordinates.append(x)
                    }
                default: throw data.fail("points[\(i)]", "expected \(d == 1 ? "a number or " : "")a list of \(d) numbers")
                }
            }
            config.dataPoints = coordinates
            config.dataValues = try values.enumerated().map { (i, v) throws(ProblemFileError) -> Double in
                guard case let .number(x) = v else { throw data.fail("values[\(i)]", "expected a number, found \(v.typeName)") }
                return x
            }
            config.dataWeight = try data.nonNegativeNumber("weight") ?? 1
            try data.rejectUnknownKeys()
        }

        // Training.
        guard var training = try root.object("training") else { throw root.fail("training", "required field is missing") }
        config.leastSquares = try readLeastSquares(&training, layers: config.hiddenWidths.count)
        let stages = try training.array("stages") ?? []
        if config.leastSquares == nil {
            guard training.has("stages") else { throw training.fail("stages", "required field is missing") }
            guard !stages.isEmpty else { throw training.fail("stages", "must contain at least one stage") }
            config.stages = []
        } else if training.has("stages") {
            throw training.fail("stages", "do not apply with \"method\": \"least_squares\" (the output layer is solved for, not trained)")
        }
        for (i, stage) in stages.enumerated() {
            var s = try JSONObjectReader(stage, file: path, path: "training.stages[\(i)]")
            config.stages.append(try readStage(&s))
            try s.rejectUnknownKeys()
            if case .levenbergMarquardt = config.stages[i].optimizer {
                try checkLevenbergMarquardt(config, stage: s, dimension: d)
            }
        }
        config.threads = try training.integer("threads", minimum: 1) ?? 1
        guard config.threads <= SolverConfiguration.maximumThreads else {
            throw training.fail("threads", "must be at most \(SolverConfiguration.maximumThreads), found \(config.threads)")
        }
        config.timeLimit = try training.positiveNumber("time_limit")
        config.chunkSize = try training.integer("chunk_size", minimum: 1) ?? 128
        config.scaleActivationSteps = try training.bool("scale_activation_steps") ?? true
        config.causal = try readCausal(&training, domain: problem.domain)
        config.timeWindows = try readTimeMarching(&training, domain: problem.domain)
        try training.rejectUnknownKeys()

        // Diagnostics.
        if var diagnostics = try root.object("diagnostics") {
            config.effectiveRankEvery = try diagnostics.integer("erank_every", minimum: 0) ?? 0
            if let list = try diagnostics.array("erank_epsilons") {
                config.effectiveRankEpsilons = try list.enumerated().map { (i, v) throws(ProblemFileError) -> Double in
                    guard case let .number(x) = v, x > 0 else {
                        throw diagnostics.fail("erank_epsilons[\(i)]", "expected a positive number")
                    }
                    return x
                }
                guard !config.effectiveRankEpsilons.isEmpty else { throw diagnostics.fail("erank_epsilons", "must not be empty") }
            }
            config.effectiveRankAllLayers = try diagnostics.bool("erank_all_layers") ?? false
            try diagnostics.rejectUnknownKeys()
        }

        // Output.
        if var output = try root.object("output") {
            if let grid = try output.array("grid") {
                guard grid.count == d else {
                    throw output.fail("grid", "expected \(d) number\(d == 1 ? "" : "s") (points per axis of the \(d)D domain), found \(grid.count)")
                }
                config.evaluationResolution = try grid.enumerated().map { (i, v) throws(ProblemFileError) -> Int in
                    guard case let .number(n) = v, n == n.rounded(), n >= 2, n <= 100_000 else {
                        throw output.fail("grid[\(i)]", "expected a whole number of grid points from 2 to 100000, found \(describe(v))")
                    }
                    return Int(n)
                }
            }
            config.historyInterval = try output.integer("history_interval", minimum: 1) ?? config.historyInterval
            try output.rejectUnknownKeys()
        }
        try root.rejectUnknownKeys()

        var file = ProblemFile(path: path, text: text, description: description, problem: problem,
                               configuration: config, formulas: form.formulas)
        file.valuePaths = form.valuePaths
        file.itemPaths = form.itemPaths
        file.warnings = form.warnings
        try file.checkFormulasAreFinite()
        return file
    }

    static func describe(_ v: JSONValue) -> String {
        if case let .number(x) = v { return JSONObjectReader.format(x) }
        return v.typeName
    }

    static let functionNames = ActivationFunction.allCases.map { ($0.rawValue, $0) }

    /// Every formula must be finite at the collocation points and on the evaluation grid: each equation's and
    /// condition's targets at its points, and the exact solutions everywhere. Solver checks that fail are reported
    /// at the JSON path of the equation or condition they concern.
    public func checkFormulasAreFinite() throws(ProblemFileError) {
        let solver: Solver
        do {
            solver = try Solver(problem: problem, configuration: configuration)
        } catch {
            throw ProblemFileError(file: path, path: jsonPath(ofSolverField: error.field), message: error.message)
        }
        let collocation = solver.makeCollocation()
        let grid = solver.evaluationPointsInDomain()
        let d = problem.domain.dimension
        func check(_ key: String, _ values: [Double], _ points: [Double]) throws(ProblemFileError) {
            guard let p = values.firstIndex(where: { !$0.isFinite }) else { return }
            let x = Array(points[(p * d)..<(p * d + d)])
            let names = problem.domain.coordinateNames.joined(separator: ", ")
            let coords = x.map { String(format: "%.6g", $0) }.joined(separator: ", ")
            let what = formulas[key] != nil ? "formula '\(formulas[key]!)'" : "the value derived from 'exact_solution'"
            throw ProblemFileError(file: path, path: key,
                                   message: "\(what) is \(values[p].isNaN ? "NaN" : "infinite") at (\(names)) = (\(coords))")
        }
        let everywhere = grid + collocation.pointSets.joined()
        for (k, exact) in problem.exactSolutions.enumerated() {
            guard let exact else { continue }
            try check(problem.isGeneral ? "exact_solution.\(problem.fields[k])" : "exact_solution",
                      exact.values(at: everywhere), everywhere)
        }
        var sets = collocation.pointSets.makeIterator()
        let equationCount = problem.generalForm(hardDirichlet: configuration.hardDirichlet).equations.count
        for (k, item) in solver.allConstraints.enumerated() {
            let key = k < valuePaths.count ? valuePaths[k] : "data"
            // An exact condition's g is the lifting: it must be finite on the whole domain; an equation's forcing is
            // also evaluated on the output grid (the residual written to the result file).
            let points = item.hard ? everywhere : k < equationCount ? sets.next()! + grid : sets.next()!
            if item.observed == nil { try check(key, item.value.values(at: points), points) }
        }
    }

    /// The JSON path of a solver field: "problem.conditions[2]" → the condition's path in the file; other solver
    /// fields are not part of the file and give "".
    func jsonPath(ofSolverField field: String) -> String {
        let configurationPaths = ["configuration.interiorPoints": "collocation", "configuration.evaluationResolution": "output.grid",
                                  "configuration.historyInterval": "output.history_interval",
                                  "configuration.effectiveRankEvery": "diagnostics.erank_every",
                                  "configuration.threads": "training.threads"]
        if let path = configurationPaths[field] { return path }
        let equations = problem.generalForm(hardDirichlet: configuration.hardDirichlet).equations.count
        for (prefix, offset) in [("problem.equations[", 0), ("problem.conditions[", equations)] where field.hasPrefix(prefix) {
            if let k = Int(field.dropFirst(prefix.count).prefix { $0.isNumber }), offset + k < itemPaths.count {
                return itemPaths[offset + k]
            }
        }
        return ""
    }
}
