import Foundation

/// Writes and reads pinn's HDF5 result file (layout in docs/output-format.md): the evaluation grid, the solution,
/// exact solution, error and residual on it, the training history, the collocation points, and the trained model.
public enum ResultFile {
    /// What a result file records about the run besides the solution.
    public struct RunInfo: Sendable {
        /// The problem file's text and path.
        public var problemText: String
        public var problemPath: String
        public var description: String
        public var seed: UInt64
        public var threads: Int
        public var effectiveRankEpsilons: [Double]
        /// The machine the run was computed on.
        public var machine: Machine
        /// Processes that trained together (MPI; 1 without).
        public var processes: Int
        /// A run of a parameter study: its index and the values it sets ("seed=1, pde.k=4").
        public var sweepIndex: Int?
        public var sweepValues: String

        public init(problemText: String, problemPath: String, description: String, seed: UInt64, threads: Int,
                    effectiveRankEpsilons: [Double] = EffectiveRank.defaultEpsilons, machine: Machine = .current,
                    processes: Int = 1, sweepIndex: Int? = nil, sweepValues: String = "") {
            self.machine = machine
            self.processes = processes
            self.sweepIndex = sweepIndex
            self.sweepValues = sweepValues
            self.problemText = problemText
            self.problemPath = problemPath
            self.description = description
            self.seed = seed
            self.threads = threads
            self.effectiveRankEpsilons = effectiveRankEpsilons
        }
    }

    /// The run's status word: completed, time_limit, interrupted or diverged.
    public static func status(_ reason: StopReason) -> String {
        switch reason {
        case .completed: return "completed"
        case .interrupted: return "interrupted"
        case .diverged: return "diverged"
        case .timeLimit: return "time_limit"
        case .inconsistent: return "inconsistent"
        }
    }

    /// Writes the result file for `solution` at `path`, through a temporary file in the same folder that is renamed
    /// at the end, so that no half-written file ever stands under the final name. Also writes the XDMF sidecar
    /// (`.xmf`) the same way; both are complete before either is renamed, and when anything fails
    /// nothing is left under the final names.
    public static func write(_ solution: Solution, grid: (axes: [[Double]], points: [Double]), info: RunInfo,
                             to path: String) throws(HDF5Error) {
        let url = URL(fileURLWithPath: path)
        let temporary = temporaryPath(for: path)
        var written: [String] = []  // final names already in place, removed again if a later step fails
        var sidecar: (temporary: String, path: String)?
        do throws(HDF5Error) {
            let file = try HDF5File.create(temporary)
            try fill(file, solution: solution, grid: grid, info: info)
            file.close()
            // No XDMF sidecar beyond three axes in space (XDMF meshes are at most 3D): the grid datasets alone.
            if let layout = meshLayout(solution.problem, grid: grid) {
                let xmfPath = sidecarPath(for: path)
                let datasets = solutionDatasetNames(solution.problem)
                let xmf = layout.times.map {
                    XDMF.temporalDocument(h5Name: url.lastPathComponent, mesh: layout.mesh, times: $0, datasets: datasets)
                } ?? XDMF.document(h5Name: url.lastPathComponent, mesh: layout.mesh, datasets: datasets)
                sidecar = (temporaryPath(for: xmfPath), xmfPath)
                do {
                    try xmf.write(toFile: sidecar!.temporary, atomically: false, encoding: .utf8)
                } catch {
                    throw HDF5Error(message: "cannot write '\(xmfPath)': \(error.localizedDescription)")
                }
                try moveIntoPlace(sidecar!.temporary, xmfPath)
                written.append(xmfPath)
            }
            try moveIntoPlace(temporary, path)
        } catch {
            for leftover in [temporary, sidecar?.temporary].compactMap({ $0 }) + written {
                try? FileManager.default.removeItem(atPath: leftover)
            }
            throw error
        }
    }

    /// How a result is drawn: a mesh over all grid axes, or for 2D and 3D space over time a spatial mesh and the
    /// output times (a 1D-in-space problem is drawn as its (x, t) plane).
    /// nil beyond three spatial axes.
    static func meshLayout(_ problem: Problem, grid: (axes: [[Double]], points: [Double]))
        -> (mesh: XDMF.Mesh, axes: [[Double]], times: [Double]?)? {
        if problem.domain is SpaceTime, grid.axes.count >= 3 {
            let axes = Array(grid.axes.dropLast())
            guard axes.count <= 3 else { return nil }
            return (XDMF.Mesh(counts: axes.map(\.count)), axes, grid.axes.last!)
        }
        guard grid.axes.count <= 3 else { return nil }
        return (XDMF.Mesh(counts: grid.axes.map(\.count)), grid.axes, nil)
    }

    /// The XDMF sidecar's path: the result's with the extension `.xmf`.
    public static func sidecarPath(for path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("xmf").path
    }

    /// Where `path` is written before it is renamed into place: `.NAME.tmp-PID` in the same folder.
    public static func temporaryPath(for path: String, processID: Int32 = getpid()) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().path + "/.\(url.lastPathComponent).tmp-\(processID)"
    }

    /// Removes the temporary files (`.NAME.tmp-PID`) that runs writing `path` or its sidecar left behind when they
    /// were killed: those whose process no longer exists. Returns the paths removed.
    @discardableResult
    public static func removeStaleTemporaries(for path: String) -> [String] {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var removed: [String] = []
        for final in [path, sidecarPath(for: path)] {
            let prefix = ".\(URL(fileURLWithPath: final).lastPathComponent).tmp-"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names where name.hasPrefix(prefix) {
                guard let pid = Int32(name.dropFirst(prefix.count)), pid > 0, pid != getpid(),
                      kill(pid, 0) != 0, errno == ESRCH else { continue }
                let stale = folder + "/" + name
                if (try? FileManager.default.removeItem(atPath: stale)) != nil { removed.append(stale) }
            }
        }
        return removed
    }

    /// The names of the datasets under /solution: per field its prediction, and with an exact solution
    /// `<field>_exact` and `<field>_abs_error` (for one field u: u, u_exact, abs_error); then the residual of each
    /// equation (`residual` for one equation, `residual_<name>` for several).
    static func solutionDatasetNames(_ problem: Problem) -> [String] {
        var names: [String] = []
        let single = problem.fields.count == 1
        for (k, field) in problem.fields.enumerated() {
            names.append(field)
            if problem.exactSolutions[k] != nil { names += [field + "_exact", single ? "abs_error" : field + "_abs_error"] }
        }
        let equations = problem.generalForm().equations
        names += equations.count == 1 ? ["residual"] : equations.map { "residual_" + $0.name }
        return names
    }

    /// The /solution datasets at `points` in the order of ``solutionDatasetNames(_:)``, and each field's errors.
    static func solutionDatasets(_ solution: Solution, at points: [Double],
                                 metrics: inout [ErrorMetrics?]) -> [(String, [Double])] {
        let problem = solution.problem
        let predictions = solution.predictFields(at: points)
        var values: [[Double]] = []
        metrics = []
        for (k, prediction) in predictions.enumerated() {
            values.append(prediction)
            guard let exact = problem.exactSolutions[k] else { metrics.append(nil); continue }
            let reference = exact.values(at: points)
            values += [reference, zip(prediction, reference).map { abs($0 - $1) }]
            metrics.append(ErrorMetrics(prediction: prediction, exact: reference))
        }
        values += solution.residuals(at: points)
        return Array(zip(solutionDatasetNames(problem), values))
    }

    static func moveIntoPlace(_ temporary: String, _ final: String) throws(HDF5Error) {
        if rename(temporary, final) != 0 {
            throw HDF5Error(message: "cannot rename '\(temporary)' to '\(final)': \(String(cString: strerror(errno)))")
        }
    }

    private static func fill(_ file: HDF5File, solution: Solution, grid: (axes: [[Double]], points: [Double]),
                             info: RunInfo) throws(HDF5Error) {
        let problem = solution.problem
        let d = problem.domain.dimension
        let shape = grid.axes.map(\.count).reversed().map { $0 }  // ny × nx: the last axis (x) fastest
        let names = problem.domain.coordinateNames
        for (i, axis) in grid.axes.enumerated() { try file.write("/grid/\(names[i])", axis) }
        // Grid points outside a non-rectangular domain are NaN in every field (the grid spans the bounding box).
        let count = grid.points.count / d
        let inside = (0..<count).map { problem.domain.contains(Array(grid.points[($0 * d)..<($0 * d + d)])) }
        let insidePoints = (0..<count).filter { inside[$0] }.flatMap { grid.points[($0 * d)..<($0 * d + d)] }
        func onGrid(_ values: [Double]) -> [Double] {
            var result = [Double](repeating: .nan, count: count), k = 0
            for p in 0..<count where inside[p] { result[p] = values[k]; k += 1 }
            return result
        }
        var finalMetrics: [ErrorMetrics?] = []
        let datasets = solutionDatasets(solution, at: insidePoints, metrics: &finalMetrics)
        // Each dataset on the grid, and the explicit mesh of the XDMF sidecar with each dataset as a flat node array
        // (per output time for space over time): what meshio and VTK read (XDMF.swift).
        let layout = meshLayout(problem, grid: grid)
        if let layout {
            let mesh = layout.mesh
            try file.write("/mesh/points", mesh.points(axes: layout.axes), shape: [mesh.pointCount, mesh.geometryColumns])
            try file.write("/mesh/cells", integers: mesh.cells(), shape: [mesh.cellCount, mesh.nodesPerCell])
        }
        for (name, values) in datasets {
            let nodes = onGrid(values)
            try file.write("/solution/" + name, nodes, shape: shape)
            guard let layout else { continue }
            let mesh = layout.mesh
            guard let times = layout.times else { try file.write("/mesh/" + name, nodes); continue }
            for k in times.indices {
                try file.write("/mesh/step_\(k)/" + name, Array(nodes[(k * mesh.pointCount)..<((k + 1) * mesh.pointCount)]))
            }
        }
        if problem.domain is SpaceTime {
            try writeErrorsOverTime(datasets.map { ($0.0, onGrid($0.1)) }, problem: problem, slices: shape[0], to: file)
        }

        // History.
        let h = solution.report.history
        try file.createGroup("/history")
        try file.write("/history/iteration", integers: h.map { Int64($0.iteration) })
        try file.write("/history/stage", integers: h.map { Int64($0.stage) })
        try file.write("/history/loss", h.map(\.loss))
        let lossNames = solution.report.lossNames.isEmpty ? ["pde", "boundary"] : solution.report.lossNames
        for (k, name) in lossNames.enumerated() {
            try file.write("/history/loss_\(name)", h.map { k < $0.termLosses.count ? $0.termLosses[k] : .nan })
        }
        try writeActivationHistory(h, to: file)
        // Unknown coefficients: their history and final values.
        for (j, name) in problem.unknowns.enumerated() {
            try file.write("/history/parameters/\(name)", h.map { j < $0.unknowns.count ? $0.unknowns[j] : .nan })
            try file.setAttribute("unknown_\(name)", solution.network.unknowns[j])
        }
        if !problem.unknowns.isEmpty {
            try file.setAttribute("unknowns", problem.unknowns.joined(separator: ","))
            try file.setAttribute("unknown_initial_values", array: solution.configuration.unknownInitialValues)
        }
        try writeEffectiveRanks(solution.report.effectiveRanks, epsilons: info.effectiveRankEpsilons, to: file)
        if problem.exactSolutions.contains(where: { $0 != nil }) {
            try file.write("/history/rel_l2", h.map { $0.metrics?.relativeL2 ?? .nan })
            try file.write("/history/max_error", h.map { $0.metrics?.maxError ?? .nan })
        }
        if problem.fields.count > 1 {
            for (k, field) in problem.fields.enumerated() where problem.exactSolutions[k] != nil {
                try file.write("/history/rel_l2_\(field)", h.map { k < $0.fieldMetrics.count ? $0.fieldMetrics[k]?.relativeL2 ?? .nan : .nan })
                try file.write("/history/max_error_\(field)", h.map { k < $0.fieldMetrics.count ? $0.fieldMetrics[k]?.maxError ?? .nan : .nan })
            }
        }
        if let ls = solution.leastSquares {
            // The least-squares method: the last linear solve and the feature set (docs/output-format.md).
            try file.setAttribute("least_squares_solver", ls.last.method.rawValue)
            try file.setAttribute("least_squares_rows", integer: Int64(ls.last.rows))
            try file.setAttribute("least_squares_columns", integer: Int64(ls.last.columns))
            try file.setAttribute("least_squares_rank", integer: Int64(ls.last.rank))
            try file.setAttribute("least_squares_cutoff", ls.last.cutoff)
            try file.setAttribute("least_squares_condition", ls.last.condition)
            try file.setAttribute("least_squares_residual_norm", ls.residualNorm)
            try file.setAttribute("least_squares_solve_seconds", ls.last.seconds)
            try file.setAttribute("least_squares_assembly_seconds", ls.assemblySeconds)
            try file.setAttribute("least_squares_solves", integer: Int64(ls.iterations))
            if !ls.featureRanks.isEmpty {
                try file.setAttribute("feature_erank", array: ls.featureRanks.map(Double.init))
                try file.setAttribute("feature_erank_epsilons", array: EffectiveRank.defaultEpsilons)
            }
        }
        if let slices = h.first?.causalWeights.count, slices > 0 {
            // Causal training: ε and the slice weights wᵢ at each record (records × slices).
            try file.write("/history/causal_epsilon", h.map { $0.causalEpsilon ?? .nan })
            try file.write("/history/causal_weights", h.flatMap { $0.causalWeights.count == slices ? $0.causalWeights
                                                                     : Array(repeating: .nan, count: slices) },
                           shape: [h.count, slices])
        }
        try file.write("/history/wall_time", h.map(\.wallTime))
        try file.write("/history/learning_rate", h.map(\.learningRate))
        if solution.configuration.lossBalancing != nil,
           h.contains(where: { $0.termWeights.count > 1 && $0.termWeights[1] != h[0].termWeights[1] }) {
            try file.write("/history/boundary_weight", h.map { $0.termWeights.count > 1 ? $0.termWeights[1] : .nan })
        }
        if !solution.report.iterationTimes.isEmpty {
            // Every optimizer iteration's time: robust statistics (quantiles, fastest) on a busy machine.
            try file.write("/timing/iteration_ms", solution.report.iterationTimes.map { 1000 * $0 })
        }
        if !solution.report.stageNotes.isEmpty {
            try file.setAttribute("stage_notes", solution.report.stageNotes.joined(separator: "\n"), on: "/history")
        }

        // Collocation points.
        try file.write("/collocation/interior", solution.interiorPoints, shape: [solution.interiorPoints.count / d, d])
        try file.write("/collocation/boundary", solution.boundaryPoints, shape: [solution.boundaryPoints.count / d, d])

        if solution.windowNetworks.count > 1 {
            // Time marching: one model per window under /model/window_<k>, the edges on /model.
            for (k, network) in solution.windowNetworks.enumerated() {
                try writeModel(network, to: file, group: "/model/window_\(k)")
            }
            try file.setAttribute("time_windows", array: solution.windowEdges, on: "/model")
        } else {
            try writeModel(solution.network, to: file)
        }

        // Root attributes.
        let report = solution.report
        try file.setAttribute("pinn_version", PINNVersion.current)
        try file.setAttribute("problem_file", info.problemText)
        try file.setAttribute("problem_path", info.problemPath)
        try file.setAttribute("description", info.description)
        try file.setAttribute("pde", problem.equation)
        try file.setAttribute("domain", problem.domain.description)
        try file.setAttribute("seed", integer: Int64(bitPattern: info.seed))
        try file.setAttribute("threads", integer: Int64(info.threads))
        try file.setAttribute("processes", integer: Int64(info.processes))
        if let index = info.sweepIndex {
            try file.setAttribute("sweep_index", integer: Int64(index))
            try file.setAttribute("sweep_values", info.sweepValues)
        }
        try file.setAttribute("status", status(report.stopReason))
        try file.setAttribute("stop_reason", report.stopReason.description)
        try file.setAttribute("iterations", integer: Int64(report.iterations))
        try file.setAttribute("final_loss", h.last?.loss ?? .nan)
        let worst = ErrorMetrics.worst(of: finalMetrics.compactMap { $0 })
        try file.setAttribute("final_rel_l2", worst?.relativeL2 ?? .nan)
        try file.setAttribute("final_max_error", worst?.maxError ?? .nan)
        try file.setAttribute("fields", problem.fields.joined(separator: ","))
        try file.setAttribute("coordinates", problem.domain.coordinateNames.joined(separator: ","))
        try file.setAttribute("terms", solution.termSummaries.joined(separator: "\n"))
        if problem.fields.count > 1 {
            for (k, field) in problem.fields.enumerated() {
                guard let metrics = finalMetrics[k] else { continue }
                try file.setAttribute("final_rel_l2_\(field)", metrics.relativeL2)
                try file.setAttribute("final_max_error_\(field)", metrics.maxError)
            }
        }
        try file.setAttribute("training_time_s", report.totalTime)
        try file.setAttribute("ms_per_iteration", report.millisecondsPerIteration)
        try file.setAttribute("median_ms_per_iteration", report.medianMillisecondsPerIteration)
        try file.setAttribute("fastest_ms_per_iteration", report.fastestMillisecondsPerIteration)
        try file.setAttribute("created", ISO8601DateFormatter().string(from: Date()))
        try file.setAttribute("cpu", info.machine.cpu)
        try file.setAttribute("logical_cores", integer: Int64(info.machine.logicalCores))
        try file.setAttribute("blas_library", info.machine.blasLibrary)
        try file.setAttribute("blas_kernel", info.machine.blasKernel)
        try file.setAttribute("swift_version", info.machine.swiftVersion)
        if let checkpoint = report.checkpoint {
            // A stopped run: everything needed to continue it (`pinn solve --resume`).
            try CheckpointFile.fill(file, checkpoint, schedule: CheckpointFile.schedule(of: solution.configuration.stages))
        }
    }

    /// Time-dependent problems: each field's relative L2 error over each time slice of the output grid,
    /// `/solution/rel_l2_over_time` (one field) or `/solution/<field>_rel_l2_over_time`, shape (nt,) — where in time a
    /// PINN goes wrong. Slices are contiguous on the grid (time is the slowest axis); NaN outside the domain is
    /// skipped.
    static func writeErrorsOverTime(_ datasets: [(String, [Double])], problem: Problem, slices: Int,
                                    to file: HDF5File) throws(HDF5Error) {
        let values = Dictionary(datasets, uniquingKeysWith: { a, _ in a })
        for field in problem.fields {
            guard let u = values[field], let exact = values[field + "_exact"] else { continue }
            let errors = ErrorMetrics.relativeL2(ofSlices: slices, prediction: u, exact: exact)
            let name = problem.fields.count == 1 ? "rel_l2_over_time" : field + "_rel_l2_over_time"
            try file.write("/solution/" + name, errors)
        }
    }

    /// The ε-ranks: `/history/erank` (R × E, the last hidden layer, or R × E per layer as `/history/erank_layer_k`
    /// when all layers were measured) at iterations `/history/erank_iteration`, with the ε list as the attribute
    /// `epsilons`.
    static func writeEffectiveRanks(_ records: [EffectiveRankRecord], epsilons: [Double], to file: HDF5File) throws(HDF5Error) {
        guard let first = records.first else { return }
        try file.write("/history/erank_iteration", integers: records.map { Int64($0.iteration) })
        let layers = first.ranks.count, e = first.ranks[0].count
        for l in 0..<layers {
            let name = l == layers - 1 ? "/history/erank" : "/history/erank_layer_\(l + 1)"
            try file.write(name, integers: records.flatMap { $0.ranks[l].map(Int64.init) }, shape: [records.count, e])
            try file.setAttribute("epsilons", array: epsilons, on: name)
        }
    }

    /// Each hidden layer's activation amplitudes and slopes at every history record, as H × K datasets under
    /// `/history/activation/layer_k/` (NaN where a record has fewer terms, after a switch that dropped terms). Written
    /// only when some activation parameter is trained.
    static func writeActivationHistory(_ h: [HistoryRecord], to file: HDF5File) throws(HDF5Error) {
        guard let first = h.first, !first.amplitudes.isEmpty else { return }
        let changes = h.contains { $0.amplitudes != first.amplitudes || $0.slopes != first.slopes }
        guard changes else { return }
        for l in first.amplitudes.indices {
            let k = h.map { $0.amplitudes[l].count }.max() ?? 0
            func matrix(_ rows: [[Double]]) -> [Double] {
                rows.flatMap { $0 + [Double](repeating: .nan, count: k - $0.count) }
            }
            try file.write("/history/activation/layer_\(l + 1)/amplitudes", matrix(h.map { $0.amplitudes[l] }), shape: [h.count, k])
            try file.write("/history/activation/layer_\(l + 1)/slopes", matrix(h.map { $0.slopes[l] }), shape: [h.count, k])
        }
    }
}
