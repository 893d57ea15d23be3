/// The problem file's sections for evolution problems, periodic coordinates and the least-squares method: `time`,
/// `periodic`, `training.causal`, `training.time_marching`, `training.method`.
extension ProblemFile {
    /// `"time": [t0, T]`: the spatial domain × [t₀, T], time the last coordinate t (general form only).
    static func readTime(_ root: inout JSONObjectReader, space domain: any Domain) throws(ProblemFileError) -> any Domain {
        guard let time = try root.array("time") else { return domain }
        guard time.count == 2, case let .number(start) = time[0], case let .number(end) = time[1] else {
            throw root.fail("time", "expected [t0, T], two numbers")
        }
        guard end > start else {
            throw root.fail("time", "the final time \(JSONObjectReader.format(end)) must be after the start \(JSONObjectReader.format(start))")
        }
        guard domain.dimension + 1 <= Domains.maximumCoordinates else {
            throw root.fail("time", "pinn handles up to \(Domains.maximumCoordinates) coordinates, space and time together; the domain is \(domain.dimension)D")
        }
        guard root.has("equations") else {
            throw root.fail("time", "time-dependent problems are written in the general form (fields, equations, conditions with an \"initial\" condition)")
        }
        return SpaceTime(space: domain, start: start, end: end)
    }

    /// `"periodic": ["x", {"coordinate": "y", "period": 2, "harmonics": 3}]`: spatial coordinates of a box in
    /// which the solution is periodic, imposed exactly by the network's input embedding. The period defaults to
    /// the box's extent in that coordinate, the harmonics to 1.
    static func readPeriodic(_ root: inout JSONObjectReader,
                             domain: any Domain) throws(ProblemFileError) -> [PeriodicEmbedding.Coordinate] {
        guard let list = try root.array("periodic") else { return [] }
        if (domain as? SpaceTime)?.isTimeOnly == true {
            throw root.fail("periodic", "an ODE (time without a domain) has no spatial coordinate to be periodic in")
        }
        let names = domain.coordinateNames
        let space = (domain as? SpaceTime)?.space ?? domain
        let spatial = names.prefix(space.dimension).joined(separator: ", ")
        var result: [PeriodicEmbedding.Coordinate] = []
        for (k, item) in list.enumerated() {
            let place = "periodic[\(k)]"
            var name: String, period: Double?, harmonics = 1
            switch item {
            case let .string(text):
                name = text
            case .object:
                var reader = try JSONObjectReader(item, file: root.file, path: root.childPath(place))
                guard let text = try reader.string("coordinate") else {
                    throw reader.fail("coordinate", "required: the periodic coordinate's name (\(spatial))")
                }
                name = text
                period = try reader.positiveNumber("period")
                harmonics = try reader.integer("harmonics", minimum: 1) ?? 1
                guard harmonics <= 64 else { throw reader.fail("harmonics", "at most 64, found \(harmonics)") }
                try reader.rejectUnknownKeys()
            default:
                throw root.fail(place, "expected a coordinate name (\"x\") or {\"coordinate\": \"x\", \"period\": P, \"harmonics\": K}")
            }
            guard let index = names.firstIndex(of: name) else {
                throw root.fail(place, "'\(name)' is not a coordinate of this problem (\(names.joined(separator: ", ")))")
            }
            guard index < space.dimension else {
                throw root.fail(place, "'\(name)' cannot be periodic: only spatial coordinates can (\(spatial))")
            }
            guard let box = space as? Box else {
                throw root.fail(place, "periodicity in '\(name)' needs an interval or a box (a pair of opposite faces); the domain is \(space)")
            }
            guard !result.contains(where: { $0.index == index }) else {
                throw root.fail(place, "'\(name)' is listed twice")
            }
            // A period shorter than the extent is allowed (the solution repeats within the domain).
            let extent = box.upper[index] - box.lower[index]
            result.append(PeriodicEmbedding.Coordinate(index: index, period: period ?? extent, harmonics: harmonics))
        }
        return result
    }

    /// `"causal": true` or `{"slices": 32, "epsilon": [0.01, 0.1, 1, 10, 100] or 1, "threshold": 0.99,
    /// "lm_segment": 20}` in the training section (see ``CausalTraining``).
    static func readCausal(_ training: inout JSONObjectReader,
                           domain: any Domain) throws(ProblemFileError) -> CausalTraining? {
        guard let value = training.value("causal") else { return nil }
        guard domain is SpaceTime else {
            throw training.fail("causal", "weights time slices of a time-dependent problem; this problem has no \"time\"")
        }
        var causal = CausalTraining()
        switch value {
        case .bool(true): return causal
        case .bool(false): return nil
        case .object: break
        default: throw training.fail("causal", "expected true, false or {\"slices\": M, \"epsilon\": [...], \"threshold\": 0.99}")
        }
        var reader = try JSONObjectReader(value, file: training.file, path: training.childPath("causal"))
        causal.slices = try reader.integer("slices", minimum: 1) ?? causal.slices
        guard causal.slices <= 1024 else { throw reader.fail("slices", "at most 1024 time slices, found \(causal.slices)") }
        switch reader.value("epsilon") {
        case nil: break
        case let .number(x)? where x >= 0 && x.isFinite: causal.epsilons = [x]
        case let .array(list)? where !list.isEmpty:
            causal.epsilons = try list.enumerated().map { (i, v) throws(ProblemFileError) -> Double in
                guard case let .number(x) = v, x >= 0, x.isFinite else {
                    throw reader.fail("epsilon[\(i)]", "expected a number ≥ 0")
                }
                return x
            }
            guard zip(causal.epsilons, causal.epsilons.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                throw reader.fail("epsilon", "the schedule must increase, found [\(causal.epsilons.map(JSONObjectReader.format).joined(separator: ", "))]")
            }
        default: throw reader.fail("epsilon", "expected a number ≥ 0 or an increasing list of them (the ε schedule)")
        }
        if let threshold = try reader.number("threshold") {
            guard threshold > 0 && threshold < 1 else { throw reader.fail("threshold", "must lie in (0, 1), found \(JSONObjectReader.format(threshold))") }
            causal.threshold = threshold
        }
        causal.levenbergMarquardtSegment = try reader.integer("lm_segment", minimum: 1) ?? causal.levenbergMarquardtSegment
        try reader.rejectUnknownKeys()
        return causal
    }

    /// `"time_marching": {"windows": W}` (W equal windows) or `{"windows": [t0, t1, …, T]}` (the edges) in the
    /// training section: the edges of the time windows.
    static func readTimeMarching(_ training: inout JSONObjectReader,
                                 domain: any Domain) throws(ProblemFileError) -> [Double] {
        guard var reader = try training.object("time_marching") else { return [] }
        guard let time = domain as? SpaceTime else {
            throw training.fail("time_marching", "splits the time range of a time-dependent problem; this problem has no \"time\"")
        }
        let allowed = "a number of equal windows (2 to 1000) or the list of edges [t0, t1, …, T] from the start to the final time"
        let edges: [Double]
        switch reader.value("windows") {
        case let .number(count)? where count == count.rounded() && count >= 2 && count <= 1000:
            let w = Int(count)
            edges = (0...w).map { $0 == w ? time.end : time.start + time.duration * Double($0) / Double(w) }
        case let .array(list)?:
            edges = try list.enumerated().map { (i, v) throws(ProblemFileError) -> Double in
                guard case let .number(t) = v else { throw reader.fail("windows[\(i)]", "expected a number (a window edge)") }
                return t
            }
            let format = JSONObjectReader.format
            guard edges.count >= 3, edges.count <= 1001 else {
                throw reader.fail("windows", "expected \(allowed); found \(edges.count) edge\(edges.count == 1 ? "" : "s")")
            }
            guard edges.first == time.start, edges.last == time.end else {
                throw reader.fail("windows", "the edges must run from the start \(format(time.start)) to the final time \(format(time.end)); found \(format(edges.first!)) … \(format(edges.last!))")
            }
            if let k = (0..<(edges.count - 1)).first(where: { edges[$0] >= edges[$0 + 1] }) {
                throw reader.fail("windows[\(k + 1)]", "the edges must increase: \(format(edges[k + 1])) follows \(format(edges[k]))")
            }
        case nil: throw reader.fail("windows", "required: \(allowed)")
        default: throw reader.fail("windows", "expected \(allowed)")
        }
        try reader.rejectUnknownKeys()
        return edges
    }

    /// `"method": "least_squares"` with optional `"least_squares": {"solver": "cod" | "svd" | "qr", "cutoff": 1e-13,
    /// "iterations": 20, "tolerance": 1e-12}` in the training section (``LeastSquaresSettings``); `"method":
    /// "train"` (the default) trains with the stages.
    static func readLeastSquares(_ training: inout JSONObjectReader,
                                 layers: Int) throws(ProblemFileError) -> LeastSquaresSettings? {
        let method = try training.choice("method", [("train", false), ("least_squares", true)]) ?? false
        guard method else {
            if training.has("least_squares") {
                throw training.fail("least_squares", "applies with \"method\": \"least_squares\"")
            }
            return nil
        }
        guard layers == 1 else {
            throw training.fail("method", "the least-squares method solves for the output layer of a network with one hidden layer (the features); network.hidden_layers has \(layers)")
        }
        var settings = LeastSquaresSettings()
        guard var reader = try training.object("least_squares") else { return settings }
        settings.method = try reader.choice("solver", LinearLeastSquares.Method.allCases.map { ($0.rawValue, $0) }) ?? settings.method
        if let cutoff = try reader.number("cutoff") {
            guard cutoff >= 0 && cutoff < 1 else { throw reader.fail("cutoff", "expected a relative cut-off in [0, 1), found \(JSONObjectReader.format(cutoff))") }
            settings.cutoff = cutoff
        }
        settings.iterations = try reader.integer("iterations", minimum: 1) ?? settings.iterations
        settings.tolerance = try reader.positiveNumber("tolerance") ?? settings.tolerance
        try reader.rejectUnknownKeys()
        return settings
    }

    /// `"partition_of_unity": {"subdomains": [4, 4], "variant": "smooth" | "indicator", "interface_points": P,
    /// "interface_weight": w}` in the network section: the random feature method's subdomains per axis (the hidden
    /// layer's width must split evenly over them), its ψ, and for indicators the continuity rows between subdomains.
    static func readPartition(_ net: inout JSONObjectReader, into config: inout SolverConfiguration,
                              dimension d: Int) throws(ProblemFileError) {
        guard var reader = try net.object("partition_of_unity") else { return }
        guard let list = try reader.array("subdomains") else {
            throw reader.fail("subdomains", "required: subdomains per axis, \(d) whole number\(d == 1 ? "" : "s")")
        }
        let counts = try list.enumerated().map { (i, v) throws(ProblemFileError) -> Int in
            guard case let .number(x) = v, x == x.rounded(), x >= 1, x <= 1000 else {
                throw reader.fail("subdomains[\(i)]", "expected a whole number from 1 to 1000")
            }
            return Int(x)
        }
        guard counts.count == d else {
            throw reader.fail("subdomains", "expected \(d) count\(d == 1 ? "" : "s") (one per axis), found \(counts.count)")
        }
        let k = counts.reduce(1, *), widths = config.hiddenWidths
        guard widths.count == 1, widths[0] % k == 0 else {
            throw reader.fail("subdomains", "the one hidden layer's features must split evenly over the \(k) subdomains; hidden_layers is \(widths)")
        }
        config.partitionCounts = counts
        if let name = try reader.string("variant") {
            guard let variant = PartitionOfUnity.Variant(rawValue: name) else {
                throw reader.fail("variant", "unknown partition of unity '\(name)'; expected smooth (the C¹ bump) or indicator (with continuity rows)")
            }
            config.partitionVariant = variant
        }
        let points = try reader.integer("interface_points", minimum: 1)
        let weight = try reader.positiveNumber("interface_weight")
        if points != nil || weight != nil, config.partitionVariant != .indicator {
            throw reader.fail(points != nil ? "interface_points" : "interface_weight", "continuity rows belong to the indicator partition (\"variant\": \"indicator\"); the smooth one overlaps and needs none")
        }
        if let points {
            guard points <= 10_000 else { throw reader.fail("interface_points", "expected at most 10000 points per face edge, found \(points)") }
            config.interfacePointsPerEdge = points
        }
        config.interfaceWeight = weight ?? config.interfaceWeight
        try reader.rejectUnknownKeys()
    }
}
