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

        public init(problemText: String, problemPath: String, description: String, seed: UInt64, threads: Int,
                    effectiveRankEpsilons: [Double] = EffectiveRank.defaultEpsilons, machine: Machine = .current) {
            self.machine = machine
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
        }
    }

    /// Writes the result file for `solution` at `path`, through a temporary file in the same folder that is renamed
    /// at the end, so that no half-written file ever stands under the final name. Also writes the XDMF sidecar
    /// (`.xmf`, 2D only) the same way.
    public static func write(_ solution: Solution, grid: (axes: [[Double]], points: [Double]), info: RunInfo,
                             to path: String) throws(HDF5Error) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/.\(url.lastPathComponent).tmp-\(getpid())"
        do {
            let file = try HDF5File.create(temporary)
            try fill(file, solution: solution, grid: grid, info: info)
            file.close()
            try moveIntoPlace(temporary, path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        if grid.axes.count >= 2 {
            let xmfPath = url.deletingPathExtension().appendingPathExtension("xmf").path
            let xmf = XDMF.document(h5Name: url.lastPathComponent, counts: grid.axes.map(\.count),
                                    datasets: solutionDatasetNames(solution.problem),
                                    axes: solution.problem.domain.coordinateNames)
            let xmfTemporary = folder + "/.\(URL(fileURLWithPath: xmfPath).lastPathComponent).tmp-\(getpid())"
            do {
                try xmf.write(toFile: xmfTemporary, atomically: false, encoding: .utf8)
                try moveIntoPlace(xmfTemporary, xmfPath)
            } catch {
                try? FileManager.default.removeItem(atPath: xmfTemporary)
                throw HDF5Error(message: "cannot write '\(xmfPath)': \(error.localizedDescription)")
            }
        }
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

    private static func moveIntoPlace(_ temporary: String, _ final: String) throws(HDF5Error) {
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
        for (name, values) in datasets {
            try file.write("/solution/" + name, onGrid(values), shape: shape)
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
        try file.setAttribute("created", ISO8601DateFormatter().string(from: Date()))
        try file.setAttribute("cpu", info.machine.cpu)
        try file.setAttribute("logical_cores", integer: Int64(info.machine.logicalCores))
        try file.setAttribute("blas_library", info.machine.blasLibrary)
        try file.setAttribute("blas_kernel", info.machine.blasKernel)
        try file.setAttribute("swift_version", info.machine.swiftVersion)
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

    /// Writes the network under `/model`: the full parameter vector, each layer's weights (fanOut × fanIn) and
    /// bias, each hidden layer's activation amplitudes and slopes, and the architecture as attributes.
    static func writeModel(_ network: Network, to file: HDF5File, group: String = "/model") throws(HDF5Error) {
        let layout = network.layout
        try file.write("\(group)/parameters", network.parameters)
        for (l, layer) in layout.dense.enumerated() {
            let name = l < layout.depth ? "\(group)/layer_\(l + 1)" : "\(group)/output"
            // θ holds W column-major (fanOut × fanIn); HDF5 is row-major, so transpose into [fanOut][fanIn].
            var w = [Double](repeating: 0, count: layer.weightCount)
            for j in 0..<layer.fanOut {
                for i in 0..<layer.fanIn { w[j * layer.fanIn + i] = network.parameters[layer.weightOffset + j + i * layer.fanOut] }
            }
            try file.write("\(name)/weights", w, shape: [layer.fanOut, layer.fanIn])
            try file.write("\(name)/bias", Array(network.parameters[layer.biasOffset..<(layer.biasOffset + layer.fanOut)]))
            if l < layout.depth {
                let (amplitudes, slopes) = network.activationParameters(layer: l)
                try file.write("\(name)/activation_amplitudes", amplitudes)
                try file.write("\(name)/activation_slopes", slopes)
            }
        }
        try file.setAttribute("input_dimension", integer: Int64(layout.inputDimension), on: group)
        try file.setAttribute("hidden_widths", array: layout.hiddenWidths.map(Double.init), on: group)
        try file.setAttribute("output_dimension", integer: Int64(layout.outputDimension), on: group)
        try file.setAttribute("unknown_count", integer: Int64(layout.unknownCount), on: group)
        if let embedding = layout.embedding {
            // Periodic coordinates: the first layer reads cos(kωx), sin(kωx), k = 1…K, in place of x.
            try file.setAttribute("periodic_coordinates", array: embedding.coordinates.map { Double($0.index) }, on: group)
            try file.setAttribute("periods", array: embedding.coordinates.map(\.period), on: group)
            try file.setAttribute("harmonics", array: embedding.coordinates.map { Double($0.harmonics) }, on: group)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(network.activations)).flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
        try file.setAttribute("activations", json, on: group)
        try file.setAttribute("output_constraint", network.outputConstraint?.description ?? "none", on: group)
        if !network.unknownRanges.isEmpty {
            // θ in /model/parameters is unconstrained; the unknowns' values are λ = map(θ) in these ranges.
            let ranges = (try? encoder.encode(network.unknownRanges)).flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
            try file.setAttribute("unknown_ranges", ranges, on: group)
        }
    }

    /// Rebuilds the trained network stored in the result file at `path` (its output layer, activations and, for
    /// problem-file runs, its hard Dirichlet constraint): `ResultFile.readNetwork(path: "result.h5")(x)`.
    public static func readNetwork(path: String) throws(HDF5Error) -> Network {
        let file = try HDF5File.open(path)
        defer { file.close() }
        return try readNetwork(from: file)
    }

    /// The periodic input embedding stored in /model's attributes (nil when there is none).
    static func readEmbedding(from file: HDF5File, group: String,
                              inputDimension d: Int) throws(HDF5Error) -> PeriodicEmbedding? {
        guard file.hasAttribute("periodic_coordinates", on: group) else { return nil }
        let indices = try file.numberArrayAttribute("periodic_coordinates", on: group)
        let periods = try file.numberArrayAttribute("periods", on: group)
        let harmonics = try file.numberArrayAttribute("harmonics", on: group)
        guard indices.count == periods.count, indices.count == harmonics.count,
              indices.allSatisfy({ $0 >= 0 && $0 < Double(d) && $0 == $0.rounded() }), Set(indices).count == indices.count,
              periods.allSatisfy({ $0 > 0 && $0.isFinite }), harmonics.allSatisfy({ $0 >= 1 && $0 <= 1e4 && $0 == $0.rounded() })
        else { throw HDF5Error(message: "'\(file.path)': \(group)'s periodic embedding attributes are not valid") }
        return PeriodicEmbedding(inputDimension: d, coordinates: indices.indices.map {
            PeriodicEmbedding.Coordinate(index: Int(indices[$0]), period: periods[$0], harmonics: Int(harmonics[$0]))
        })
    }

    /// Rebuilds the trained model from a result file: its network, or one network per time window (time marching;
    /// /model/window_<k> with the edges in /model's attribute `time_windows`).
    public static func readModel(from file: HDF5File) throws(HDF5Error) -> TrainedModel {
        guard file.hasAttribute("time_windows", on: "/model") else { return TrainedModel(try readNetwork(from: file)) }
        let edges = try file.numberArrayAttribute("time_windows", on: "/model")
        guard edges.count >= 3, edges.count <= 10_001, zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw HDF5Error(message: "'\(file.path)': /model attribute 'time_windows' must increase, with at least two windows")
        }
        var networks: [Network] = []
        for k in 0..<(edges.count - 1) {
            let network = try readNetwork(from: file, group: "/model/window_\(k)")
            guard networks.isEmpty || network.layout == networks[0].layout else {
                throw HDF5Error(message: "'\(file.path)': /model/window_\(k) has another architecture than window 0")
            }
            networks.append(network)
        }
        return TrainedModel(networks: networks, windowEdges: edges)
    }

    /// Rebuilds the trained model stored in the result file at `path`.
    public static func readModel(path: String) throws(HDF5Error) -> TrainedModel {
        let file = try HDF5File.open(path)
        defer { file.close() }
        return try readModel(from: file)
    }

    /// Rebuilds the trained network from a result file.
    public static func readNetwork(from file: HDF5File, group: String = "/model") throws(HDF5Error) -> Network {
        let d = Int(try file.numberAttribute("input_dimension", on: group))
        let activationsJSON = try file.stringAttribute("activations", on: group)
        guard let activations = try? JSONDecoder().decode([LayerActivation].self, from: Data(activationsJSON.utf8)) else {
            throw HDF5Error(message: "'\(file.path)': \(group) attribute 'activations' is not valid")
        }
        var widths: [Int] = []
        while file.exists("\(group)/layer_\(widths.count + 1)/bias") {
            widths.append(try file.read("\(group)/layer_\(widths.count + 1)/bias").values.count)
        }
        guard !widths.isEmpty, widths.count == activations.count else {
            throw HDF5Error(message: "'\(file.path)': \(group) does not describe a network")
        }
        // Files written before systems existed have one output and no attribute.
        let m = file.hasAttribute("output_dimension", on: group)
            ? Int(try file.numberAttribute("output_dimension", on: group)) : 1
        guard m >= 1 else { throw HDF5Error(message: "'\(file.path)': \(group) attribute 'output_dimension' is \(m)") }
        let unknowns = file.hasAttribute("unknown_count", on: group)
            ? Int(try file.numberAttribute("unknown_count", on: group)) : 0
        guard unknowns >= 0 else { throw HDF5Error(message: "'\(file.path)': \(group) attribute 'unknown_count' is \(unknowns)") }
        let layout = NetworkLayout(inputDimension: d, hiddenWidths: widths, termCounts: activations.map(\.termCount),
                                   neuronWise: activations.map(\.neuronWise), outputDimension: m, unknownCount: unknowns,
                                   embedding: try readEmbedding(from: file, group: group, inputDimension: d))
        let theta = try file.read("\(group)/parameters").values
        guard theta.count == layout.parameterCount else {
            throw HDF5Error(message: "'\(file.path)': \(group)/parameters has \(theta.count) values, the architecture needs \(layout.parameterCount)")
        }
        var network = Network(layout: layout, activations: activations, parameters: theta)
        if file.hasAttribute("unknown_ranges", on: group) {
            let json = try file.stringAttribute("unknown_ranges", on: group)
            guard let ranges = try? JSONDecoder().decode([UnknownRange].self, from: Data(json.utf8)) else {
                throw HDF5Error(message: "'\(file.path)': \(group) attribute 'unknown_ranges' is not valid")
            }
            network.unknownRanges = ranges
        }
        if file.hasAttribute("output_constraint", on: group),
           try file.stringAttribute("output_constraint", on: group) != "none" {
            // The constraint's g and D are functions: rebuild them from the problem file stored in the result.
            let text = try file.stringAttribute("problem_file")
            guard !text.isEmpty, let parsed = try? ProblemFile.parse(text, path: try file.stringAttribute("problem_path")),
                  let constraint = (try? Solver(problem: parsed.problem, configuration: parsed.configuration))?.makeNetwork().outputConstraint
            else {
                throw HDF5Error(message: "'\(file.path)': the model has a hard Dirichlet constraint (u = g + D·N) whose g "
                                + "and D were defined in Swift code, not in a problem file; rebuild it with Network.outputConstraint")
            }
            network.outputConstraint = constraint
        }
        return network
    }
}

/// The XDMF sidecar that lets ParaView and VisIt open a 2D result directly.
enum XDMF {
    /// The sidecar of a 2D or 3D result: a rectilinear grid (`2DRectMesh` or `3DRectMesh` with `VXVY` or `VXVYVZ`
    /// geometry) over /grid/x, /grid/y (and /grid/z), and the node-centred datasets of /solution, whose HDF5 shape
    /// (ny × nx or nz × ny × nx, the last axis fastest) is XDMF's dimension order. `counts` are nx, ny (, nz).
    /// `axes` names the grid datasets (/grid/x, /grid/t, …); a time axis is drawn as the last spatial one.
    static func document(h5Name: String, counts: [Int], datasets: [String], axes names: [String]? = nil) -> String {
        precondition(counts.count == 2 || counts.count == 3)
        let axes = names ?? Array(["x", "y", "z"].prefix(counts.count))
        let geometryType = ["x", "y", "z"].prefix(counts.count).map { "V" + $0.uppercased() }.joined()
        let dimensions = counts.reversed().map(String.init).joined(separator: " ")
        func attribute(_ name: String, _ dataset: String) -> String {
            """
                  <Attribute Name="\(name)" AttributeType="Scalar" Center="Node">
                    <DataItem Dimensions="\(dimensions)" NumberType="Float" Precision="8" Format="HDF">\(h5Name):\(dataset)</DataItem>
                  </Attribute>

            """
        }
        let fields = datasets.map { attribute($0, "/solution/" + $0) }.joined()
        let geometry = zip(axes, counts).map { axis, count in
            """
                    <DataItem Dimensions="\(count)" NumberType="Float" Precision="8" Format="HDF">\(h5Name):/grid/\(axis)</DataItem>

            """
        }.joined()
        return """
        <?xml version="1.0" ?>
        <!DOCTYPE Xdmf SYSTEM "Xdmf.dtd" []>
        <Xdmf Version="3.0">
          <Domain>
            <Grid Name="pinn" GridType="Uniform">
              <Topology TopologyType="\(counts.count)DRectMesh" Dimensions="\(dimensions)"/>
              <Geometry GeometryType="\(geometryType)">
        \(geometry)      </Geometry>
        \(fields)    </Grid>
          </Domain>
        </Xdmf>

        """
    }
}
