import Foundation

/// What ``Solver/init(problem:configuration:)`` checks: the network and schedule, the unknowns and their ranges,
/// exact conditions, and every equation and condition (its region on this domain, the fields, unknowns and normals
/// it reads, one sugar condition per face and field, predicates that select points).
extension Solver {
    /// Periodic coordinates: spatial coordinates of a box (an interval in 1D), each once, with a period and
    /// harmonics that make sense.
    func validatePeriodicity() throws(SolverError) {
        guard !problem.periodic.isEmpty else { return }
        let space = (problem.domain as? SpaceTime)?.space ?? problem.domain
        let names = problem.domain.coordinateNames
        for (k, c) in problem.periodic.enumerated() {
            let field = "problem.periodic[\(k)]"
            guard c.index < space.dimension else {
                let name = c.index < names.count ? names[c.index] : "coordinate \(c.index)"
                throw SolverError(field: field, message: "'\(name)' cannot be periodic: only spatial coordinates can (\(names.prefix(space.dimension).joined(separator: ", ")))")
            }
            guard space is Box else {
                throw SolverError(field: field, message: "periodicity in '\(names[c.index])' needs an interval or a box (a pair of opposite faces); the domain is \(space)")
            }
            guard c.harmonics <= 64 else {
                throw SolverError(field: field, message: "\(c.harmonics) harmonics: at most 64 are allowed")
            }
        }
        guard Set(problem.periodic.map(\.index)).count == problem.periodic.count else {
            throw SolverError(field: "problem.periodic", message: "a coordinate is listed twice")
        }
        if case .grid1D = configuration.firstLayer {
            throw SolverError(field: "configuration.firstLayer", message: "the 1D grid initialisation reads one coordinate; with a periodic embedding use \"udi\" or \"standard\"")
        }
    }

    /// Causal training: a time-dependent problem, a sensible schedule, and no point refresh (it replaces the
    /// equations' terms, which causal training splits by slice).
    func validateCausalTraining() throws(SolverError) {
        guard let causal = configuration.causal else { return }
        let field = "configuration.causal"
        guard problem.domain is SpaceTime else {
            throw SolverError(field: field, message: "weights time slices of a time-dependent problem; this problem has no time")
        }
        guard (1...1024).contains(causal.slices) else {
            throw SolverError(field: field + ".slices", message: "expected 1 to 1024 slices, found \(causal.slices)")
        }
        guard !causal.epsilons.isEmpty, causal.epsilons.allSatisfy({ $0 >= 0 && $0.isFinite }),
              zip(causal.epsilons, causal.epsilons.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw SolverError(field: field + ".epsilons", message: "expected a non-empty increasing list of ε ≥ 0, found \(causal.epsilons)")
        }
        guard causal.threshold > 0 && causal.threshold < 1 else {
            throw SolverError(field: field + ".threshold", message: "must lie in (0, 1), found \(causal.threshold)")
        }
        guard causal.levenbergMarquardtSegment >= 1 else {
            throw SolverError(field: field + ".levenbergMarquardtSegment", message: "must be positive")
        }
        guard configuration.resampleEvery == 0 && configuration.refinement == nil else {
            throw SolverError(field: field, message: "cannot be combined with resampling or residual-based refinement of the interior points")
        }
    }

    /// The least-squares method: one hidden layer, no time marching or causal weights, and a matrix that fits in
    /// memory (refused up front with the largest row count that would fit).
    func validateLeastSquares() throws(SolverError) {
        let counts = configuration.partitionCounts
        if !counts.isEmpty {
            let field = "configuration.partitionCounts"
            guard configuration.leastSquares != nil else {
                throw SolverError(field: field, message: "a partition of unity is for the least-squares method (the reverse pass does not train through it)")
            }
            guard counts.count == problem.domain.dimension, counts.allSatisfy({ (1...1000).contains($0) }) else {
                throw SolverError(field: field, message: "expected \(problem.domain.dimension) subdomain counts from 1 to 1000 (one per axis), found \(counts)")
            }
            let k = counts.reduce(1, *), width = configuration.hiddenWidths.last ?? 0
            guard width % k == 0 else {
                throw SolverError(field: field, message: "the \(width) features do not split evenly over \(k) subdomains")
            }
            guard problem.periodic.isEmpty else {
                throw SolverError(field: field, message: "cannot be combined with periodic coordinates")
            }
            guard configuration.interfaceWeight > 0, configuration.interfaceWeight.isFinite,
                  (configuration.interfacePointsPerEdge ?? 1) >= 1 else {
                throw SolverError(field: "configuration.interfaceWeight", message: "continuity rows need a positive weight and at least one point per face edge")
            }
        }
        guard let settings = configuration.leastSquares else { return }
        let field = "configuration.leastSquares"
        guard configuration.hiddenWidths.count == 1 else {
            throw SolverError(field: "configuration.hiddenWidths", message: "the least-squares method needs one hidden layer (the features); found \(configuration.hiddenWidths.count)")
        }
        guard configuration.causal == nil, configuration.timeWindows.isEmpty else {
            throw SolverError(field: field, message: "cannot be combined with causal weighting or time marching (they schedule training)")
        }
        guard settings.cutoff >= 0 && settings.cutoff < 1, settings.iterations >= 1 else {
            throw SolverError(field: field, message: "needs a cut-off in [0, 1) and at least one iteration")
        }
        var rows = constraints.reduce(0) { $0 + pointCount(of: $1) }
        if let partition, partition.variant == .indicator {
            rows += 2 * problem.fields.count * partition.interfacePointCount(perEdge: interfacePointsPerEdge(partition))
        }
        let columns = problem.fields.count * (configuration.hiddenWidths[0] + 1)
        if let problem = Self.leastSquaresMemoryProblem(rows: rows, columns: columns) {
            throw SolverError(field: field, message: problem)
        }
    }

    /// Why a rows × columns least-squares solve does not fit ``LevenbergMarquardt/memoryShare`` of the machine's
    /// memory (nil when it does), naming the largest row count that fits with these columns.
    static func leastSquaresMemoryProblem(rows: Int, columns: Int,
                                          physicalMemory: UInt64 = ProcessInfo.processInfo.physicalMemory) -> String? {
        let bytes = leastSquaresBytes(rows: rows, columns: columns)
        let available = Double(physicalMemory) * LevenbergMarquardt.memoryShare
        guard Double(bytes) > available else { return nil }
        // Linear in the rows once they are at least the columns (LAPACK's workspace then grows by one vector).
        let perRow = Double(leastSquaresBytes(rows: columns + 1, columns: columns)
                            - leastSquaresBytes(rows: columns, columns: columns))
        let base = Double(leastSquaresBytes(rows: columns, columns: columns)) - Double(columns) * perRow
        let fitting = max(0, Int((available - base) / perRow))
        return String(format: "the %d × %d least-squares matrix and LAPACK's workspace need %.1f GB; three quarters of this machine's memory is %.1f GB: at most %d rows (points) fit with %d columns", rows, columns, Double(bytes) / 1e9, available / 1e9, fitting, columns)
    }

    /// Time windows: edges from t₀ to T, increasing, at least two windows.
    func validateTimeWindows() throws(SolverError) {
        let edges = configuration.timeWindows
        guard !edges.isEmpty else { return }
        let field = "configuration.timeWindows"
        guard let time = problem.domain as? SpaceTime else {
            throw SolverError(field: field, message: "time marching splits the time range of a time-dependent problem; this problem has no time")
        }
        guard edges.count >= 3, edges.first == time.start, edges.last == time.end,
              zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw SolverError(field: field, message: "expected increasing edges from \(time.start) to \(time.end) (two windows or more), found \(edges)")
        }
        guard !hardConditions.contains(where: { if case .initial = $0.region { return true } else { return false } }) else {
            throw SolverError(field: field, message: "initial conditions of later windows come from the previous window; they cannot be exact (hard)")
        }
    }

    func validate() throws(SolverError) {
        let c = configuration, d = problem.domain.dimension
        func fail(_ field: String, _ message: String) -> SolverError { SolverError(field: field, message: message) }
        guard (1...Domains.maximumCoordinates).contains(d) else {
            throw fail("problem.domain", "pinn solves in 1 to \(Domains.maximumCoordinates) coordinates, not \(d)")
        }
        guard !c.hiddenWidths.isEmpty, c.hiddenWidths.allSatisfy({ $0 > 0 }) else {
            throw fail("configuration.hiddenWidths", "needs at least one hidden layer, all widths positive; found \(c.hiddenWidths)")
        }
        guard c.activations.count == 1 || c.activations.count == c.hiddenWidths.count else {
            throw fail("configuration.activations", "give one activation for all layers or one per hidden layer (\(c.hiddenWidths.count)); found \(c.activations.count)")
        }
        guard c.interiorPoints > 0 else { throw fail("configuration.interiorPoints", "must be positive, found \(c.interiorPoints)") }
        guard c.hardDirichlet || c.boundaryPoints > 0 else { throw fail("configuration.boundaryPoints", "must be positive, found \(c.boundaryPoints)") }
        guard !c.stages.isEmpty else { throw fail("configuration.stages", "needs at least one training stage") }
        guard (1...SolverConfiguration.maximumThreads).contains(c.threads) else {
            throw fail("configuration.threads", "must be from 1 to \(SolverConfiguration.maximumThreads), found \(c.threads)")
        }
        let fieldCount = problem.fields.count
        guard fieldCount >= 1, Set(problem.fields).count == fieldCount else {
            throw fail("problem.fields", "expected distinct field names, found \(problem.fields)")
        }
        guard problem.exactSolutions.count == fieldCount else {
            throw fail("problem.exactSolutions", "expected one entry (or nil) per field (\(fieldCount)), found \(problem.exactSolutions.count)")
        }
        for field in [problem.forcing, problem.boundaryValue] + problem.exactSolutions.compactMap({ $0 })
        where field.inputDimension != d {
            throw fail("problem", "a field takes \(field.inputDimension) coordinates but the domain is \(d)-dimensional")
        }
        for (i, stage) in c.stages.enumerated() {
            guard stage.iterations > 0 else { throw fail("configuration.stages[\(i)].iterations", "must be positive, found \(stage.iterations)") }
            guard case .levenbergMarquardt = stage.optimizer else { continue }
            if c.slopeRecoveryWeight > 0 {
                throw fail("configuration.stages[\(i)]", "Levenberg–Marquardt needs a sum-of-squares loss; slopeRecoveryWeight must be 0")
            }
            let layout = c.networkLayout(inputDimension: d, outputs: fieldCount, embedding: problem.embedding)
            if let problem = LevenbergMarquardt.memoryProblem(parameterCount: layout.parameterCount) {
                throw fail("configuration.stages[\(i)]", problem)
            }
        }
        try validatePeriodicity()
        try validateCausalTraining()
        try validateTimeWindows()
        try validateLeastSquares()
        if let problem = memoryProblem() { throw problem }
        guard problem.unknowns.count == c.unknownInitialValues.count else {
            throw fail("configuration.unknownInitialValues", "the problem has \(problem.unknowns.count) unknowns, the configuration \(c.unknownInitialValues.count) initial values")
        }
        guard c.unknownRanges.isEmpty || c.unknownRanges.count == c.unknownInitialValues.count else {
            throw fail("configuration.unknownRanges", "give one range per unknown (\(c.unknownInitialValues.count)) or none; found \(c.unknownRanges.count)")
        }
        for (j, range) in c.unknownRanges.enumerated() where !range.contains(c.unknownInitialValues[j]) {
            throw fail("configuration.unknownInitialValues[\(j)]", "the initial value \(c.unknownInitialValues[j]) of '\(problem.unknowns[j])' must lie strictly inside its range (\(range))")
        }
        if c.hardDirichlet {
            guard !problem.isGeneral, problem.conditions.isEmpty else {
                throw fail("configuration.hardDirichlet", "imposes the short form's Dirichlet data on the whole boundary; the problem has conditions on regions (mark those conditions hard instead)")
            }
            guard problem.boundaryCondition == .dirichlet else {
                throw fail("configuration.hardDirichlet", "exact constraints impose Dirichlet data; the problem's condition is \(problem.boundaryCondition)")
            }
        }
        let hard = hardConditions
        for (k, item) in problem.generalForm(hardDirichlet: c.hardDirichlet).conditions.enumerated() where item.hard {
            let place = c.hardDirichlet ? "configuration.hardDirichlet" : "problem.conditions[\(k)]"
            guard case .dirichlet = item.kind, case .boundary = item.region else {
                throw fail(place, "exact constraints impose Dirichlet data on the whole boundary; this condition is \(item.text(fields: problem.fields))")
            }
            guard hard.filter({ $0.field == item.field }).count == 1 else {
                throw fail(place, "the field '\(problem.fields[item.field])' has more than one exact condition")
            }
            do {
                _ = try HardDirichletConstraint(domain: problem.domain, lifting: item.value)
            } catch {
                throw fail(place, error.description)
            }
        }
        try validateConstraints()
        try validateHigherDerivatives()
        if c.lossBalancing != nil, constraints.count != 2 {
            throw fail("configuration.lossBalancing", "balances one equation against one boundary term; the problem has \(constraints.count) terms")
        }
        if c.resampleEvery > 0 || c.refinement != nil, constraints.prefix(equationCount).contains(where: { $0.pointCount != nil || $0.distribution != nil }) {
            throw fail("configuration.refinement", "resampling and refinement redraw the shared interior points; give the equations no point counts or distributions of their own")
        }
        try validateProcesses()
    }

    /// Taylor jets (derivatives above the second order) do not yet run through exact Dirichlet constraints or a
    /// partition of unity.
    private func validateHigherDerivatives() throws(SolverError) {
        let equations = equationCount
        for (k, item) in constraints.enumerated() {
            guard case let .system(r) = item.kind, r.streams.jetPlan != nil else { continue }
            let place = k < equations ? "problem.equations[\(k)]" : "problem.conditions[\(k - equations)]"
            if !hardConditions.isEmpty {
                throw SolverError(field: place, message: "'\(item.name)' reads a derivative above the second order, which exact Dirichlet conditions do not support yet; make the Dirichlet condition soft (remove \"hard\")")
            }
            if partition != nil {
                throw SolverError(field: place, message: "'\(item.name)' reads a derivative above the second order, which a partition of unity does not support yet; remove partition_of_unity")
            }
        }
    }

    /// Data-parallel training: every process needs a point of every term; the least-squares method runs on one.
    private func validateProcesses() throws(SolverError) {
        let processes = configuration.communicator.size
        guard processes > 1 else { return }
        if configuration.leastSquares != nil {
            throw SolverError(field: "configuration.communicator", message: "the least-squares method runs on one process; "
                              + "run it without mpirun (\(processes) processes started)")
        }
        let equations = equationCount
        for (k, item) in constraints.enumerated() {
            let count = pointCount(of: item)
            guard count < processes else { continue }
            let place = k < equations ? "problem.equations[\(k)]" : "problem.conditions[\(k - equations)]"
            throw SolverError(field: place, message: "'\(item.name)' has \(count) point\(count == 1 ? "" : "s") but "
                              + "\(processes) processes share every term's points, at least one each: use at most \(count) "
                              + "processes, or more points")
        }
    }

    /// Checks each equation and condition: its region exists on this domain and selects points, the fields and
    /// unknowns it reads exist, normals only on the boundary, and no face gets two sugar conditions on one field.
    private func validateConstraints() throws(SolverError) {
        func fail(_ field: String, _ message: String) -> SolverError { SolverError(field: field, message: message) }
        let all = allConstraints, d = problem.domain.dimension, m = problem.fields.count
        let equations = equationCount, conditions = problem.generalForm(hardDirichlet: configuration.hardDirichlet).conditions.count
        var reads = Set<Int>()
        var sugarOnFace: [String: Int] = [:]
        for (k, item) in all.enumerated() {
            let place = k < equations ? "problem.equations[\(k)]"
                : k < equations + conditions ? "problem.conditions[\(k - equations)]" : "configuration.dataPoints"
            let fields = item.referencedFields
            if k < equations { reads.formUnion(fields) }
            guard fields.allSatisfy({ (0..<m).contains($0) }) else {
                throw fail(place, "reads field \(fields.sorted()) but the problem has \(m) fields \(problem.fields)")
            }
            if case let .system(r) = item.kind {
                guard r.fields == problem.fields, r.dimension == d else {
                    throw fail(place, "its residual is over the fields \(r.fields) in \(r.dimension)D; the problem's are \(problem.fields) in \(d)D")
                }
                guard r.unknowns.isEmpty || r.unknowns == problem.unknowns else {
                    throw fail(place, "reads the unknowns \(r.unknowns), the problem names \(problem.unknowns)")
                }
            }
            switch item.kind {
            case .residual, .customResidual:
                guard m == 1 else { throw fail(place, "a scalar PDE needs a single-field problem; write a residual over the fields") }
            default: break
            }
            if item.readsNormals && !item.region.isOnBoundary {
                throw fail(place, "reads the outward normal but holds on \(item.region), not on the boundary")
            }
            if case let .points(points) = item.region {
                guard !points.isEmpty, points.count % d == 0 else {
                    throw fail(place, "expected points with \(d) coordinates each, found \(points.count) numbers")
                }
                if let observed = item.observed, observed.count != points.count / d {
                    throw fail(place, "has \(points.count / d) points but \(observed.count) observed values")
                }
            }
            switch item.region {
            case .initial:
                guard problem.domain is SpaceTime else {
                    throw fail(place, "an initial condition needs a time-dependent problem (a time range); this one has none")
                }
            case let .faces(faces):
                guard let box = (problem.domain as? SpaceTime)?.space as? Box ?? problem.domain as? Box else {
                    throw fail(place, "named faces need an interval, rectangle or box; the domain is a \(problem.domain)")
                }
                guard !faces.isEmpty, faces.allSatisfy({ (0..<(2 * box.dimension)).contains($0) }) else {
                    throw fail(place, "expected face indices 0..<\(2 * box.dimension) (\(box.faceNames.joined(separator: ", "))), found \(faces)")
                }
                if item.kind.isSugar {
                    for face in faces {
                        let key = "\(face)|\(item.field)"
                        if let other = sugarOnFace[key] {
                            throw fail(place, "face '\(box.faceNames[face])' already has a condition on \(problem.fields[item.field]) (\(other < equations ? "equation" : "condition") \(other - equations)); give each face one")
                        }
                        sugarOnFace[key] = k
                    }
                }
            case let .edges(edges):
                guard let polygon = problem.domain as? Polygon else {
                    throw fail(place, "edges need a polygon domain; the domain is a \(problem.domain)")
                }
                guard !edges.isEmpty, edges.allSatisfy({ (0..<polygon.vertices.count).contains($0) }) else {
                    throw fail(place, "expected edge indices 0..<\(polygon.vertices.count), found \(edges)")
                }
            case .interior:
                if k >= equations { throw fail(place, "a condition holds on the boundary, at points or on observations; equations hold in the interior") }
            default: break
            }
        }
        if let unread = (0..<m).first(where: { !reads.contains($0) }), equations > 0 {
            throw fail("problem.equations", "no equation mentions the field '\(problem.fields[unread])'; every field needs an equation")
        }
        if all.contains(where: { if case .predicate = $0.region { return true } else { return false } }) {
            var sets = makeCollocation().pointSets.makeIterator()
            for (k, item) in all.enumerated() where !item.hard {
                guard let points = sets.next(), points.isEmpty else { continue }
                throw fail("problem.conditions[\(k - equations)]", "its region (\(item.region)) selects none of the sampled boundary points; check the predicate and its tolerance")
            }
        }
    }
}
