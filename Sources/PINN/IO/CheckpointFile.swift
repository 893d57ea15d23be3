import Foundation

/// Reads and writes a ``TrainingCheckpoint`` as the HDF5 group `/checkpoint` (layout in docs/output-format.md):
/// in a checkpoint file of its own, written atomically during training, and in the result file of a run that was
/// interrupted or reached its time limit, so that either continues with `pinn solve --resume FILE`.
///
/// Vectors (parameters, optimizer moments and memory, points) are Float64 datasets, the generator's state an Int64
/// dataset, all exact; the history, ε-ranks, stage notes and pending stop reasons a binary property list (in base64
/// text: Python's `plistlib` reads it), whose numbers are stored as their 8 bytes. (JSON was tried first: Foundation's
/// decoder refused a subnormal number such as 5e-324 in some process states.)
public enum CheckpointFile {
    /// The layout's version; a file of another version is refused.
    public static let formatVersion = 1
    static let group = "/checkpoint"

    /// What a checkpoint was written for, checked before resuming.
    public struct Origin: Sendable, Equatable {
        /// The problem file's text and path.
        public var problemText: String
        public var problemPath: String
        /// The seed of the run.
        public var seed: UInt64
        /// The schedule as text, e.g. "adam 2000, lbfgs 500" (``schedule(of:)``).
        public var schedule: String

        public init(problemText: String, problemPath: String, seed: UInt64, schedule: String) {
            self.problemText = problemText
            self.problemPath = problemPath
            self.seed = seed
            self.schedule = schedule
        }
    }

    /// The schedule's optimizers and iteration counts, e.g. "adam 2000, lbfgs 500".
    public static func schedule(of stages: [TrainingStage]) -> String {
        stages.map { "\($0.name) \($0.iterations)" }.joined(separator: ", ")
    }

    /// Writes a checkpoint file at `path` through a temporary file renamed at the end: the file under `path` is
    /// always a complete checkpoint (the previous one until the new one is in place).
    public static func write(_ checkpoint: TrainingCheckpoint, origin: Origin, to path: String) throws(HDF5Error) {
        let temporary = ResultFile.temporaryPath(for: path)
        do throws(HDF5Error) {
            let file = try HDF5File.create(temporary)
            do throws(HDF5Error) {
                try file.setAttribute("pinn_version", PINNVersion.current)
                try file.setAttribute("kind", "checkpoint")
                try file.setAttribute("problem_file", origin.problemText)
                try file.setAttribute("problem_path", origin.problemPath)
                try file.setAttribute("seed", integer: Int64(bitPattern: origin.seed))
                try fill(file, checkpoint, schedule: origin.schedule)
            } catch {
                file.close()
                throw error
            }
            file.close()
            try ResultFile.moveIntoPlace(temporary, path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Whether the file at `path` holds a checkpoint (a checkpoint file, or the result of a stopped run).
    public static func hasCheckpoint(_ path: String) -> Bool {
        guard let file = try? HDF5File.open(path) else { return false }
        defer { file.close() }
        return file.exists(group)
    }

    /// Reads the checkpoint in the file at `path` and what it was written for.
    public static func read(_ path: String) throws(HDF5Error) -> (checkpoint: TrainingCheckpoint, origin: Origin) {
        let file = try HDF5File.open(path)
        defer { file.close() }
        guard file.exists(group) else {
            let status = (try? file.stringAttribute("status")).map { " (its run is \($0))" } ?? ""
            throw HDF5Error(message: "'\(path)' holds no checkpoint\(status): only checkpoint files and the results of "
                            + "interrupted or time-limited runs can be resumed")
        }
        let version = try file.wholeNumberAttribute("format_version", on: group, in: 0...Int(Int32.max))
        guard version == formatVersion else {
            throw HDF5Error(message: "'\(path)': checkpoint format \(version); this pinn reads format \(formatVersion)")
        }
        let seed = UInt64(bitPattern: Int64(try file.wholeNumberAttribute("seed", in: Int(Int64.min)...Int(Int64.max))))
        let origin = Origin(problemText: try file.stringAttribute("problem_file"),
                            problemPath: try file.stringAttribute("problem_path"), seed: seed,
                            schedule: try file.stringAttribute("schedule", on: group))
        return (try checkpoint(in: file, path: path), origin)
    }

    // MARK: Layout

    /// The property-list part: records and pending stop reasons.
    private struct Records: Codable {
        var history: [HistoryRecord]
        var effectiveRanks: [EffectiveRankRecord]
        var stageNotes: [String]
        var lbfgsPendingStop: LBFGS.StopReason?
        var levenbergMarquardtPendingStop: LevenbergMarquardt.StopReason?
    }

    /// Writes the `/checkpoint` group into an open file.
    static func fill(_ file: HDF5File, _ c: TrainingCheckpoint, schedule: String) throws(HDF5Error) {
        let g = group
        try file.createGroup(g)
        try file.setAttribute("format_version", integer: Int64(formatVersion), on: g)
        try file.setAttribute("schedule", schedule, on: g)
        try file.setAttribute("iteration", integer: Int64(c.iteration), on: g)
        try file.setAttribute("stage", integer: Int64(c.stage), on: g)
        try file.setAttribute("window", integer: Int64(c.window), on: g)
        try file.setAttribute("time", c.time, on: g)
        try file.setAttribute("optimizer", c.optimizer.name, on: g)
        try file.write(g + "/parameters", c.parameters)
        try file.write(g + "/last_good", c.lastGood)
        try file.write(g + "/term_weights", c.termWeights)
        try file.write(g + "/iteration_times", c.iterationTimes)
        if let level = c.causalLevel {
            try file.setAttribute("causal_level", integer: Int64(level), on: g)
            try file.write(g + "/causal_weights", c.causalWeights)
        }
        if let generator = c.refreshGenerator {
            try file.write(g + "/refresh_generator", integers: generator.map { Int64(bitPattern: $0) })
            try file.write(g + "/refresh_interior", c.refreshInterior)
            try file.setAttribute("refreshed", integer: c.refreshed ? 1 : 0, on: g)
        }
        if !c.windowParameters.isEmpty {
            try file.write(g + "/window_parameters", c.windowParameters.flatMap { $0 },
                           shape: [c.windowParameters.count, c.windowParameters[0].count])
            try file.write(g + "/window_interior", c.windowInterior)
            try file.write(g + "/window_boundary", c.windowBoundary)
        }
        var records = Records(history: c.history, effectiveRanks: c.effectiveRanks, stageNotes: c.stageNotes)
        let o = g + "/optimizer"
        try file.createGroup(o)
        switch c.optimizer {
        case let .adam(m, v, step, t):
            try file.write(o + "/m", m)
            try file.write(o + "/v", v)
            try file.setAttribute("step", integer: Int64(step), on: o)
            try file.setAttribute("stage_iteration", integer: Int64(t), on: o)
        case let .lbfgs(state):
            try file.write(o + "/x", state.x)
            try file.write(o + "/gradient", state.gradient)
            try file.setAttribute("f", state.f, on: o)
            try file.setAttribute("iterations", integer: Int64(state.iterations), on: o)
            try file.setAttribute("evaluations", integer: Int64(state.evaluations), on: o)
            if !state.s.isEmpty {
                try file.write(o + "/s", state.s.flatMap { $0 }, shape: [state.s.count, state.x.count])
                try file.write(o + "/y", state.y.flatMap { $0 }, shape: [state.y.count, state.x.count])
                try file.write(o + "/rho", state.rho)
            }
            records.lbfgsPendingStop = state.pendingStop
        case let .levenbergMarquardt(progress):
            let state = progress.state
            try file.write(o + "/x", state.x)
            if let damping = state.damping { try file.setAttribute("damping", damping, on: o) }
            try file.setAttribute("growth", state.growth, on: o)
            for (name, value) in [("iterations", state.iterations), ("trials", state.trials),
                                  ("fallbacks", state.fallbacks), ("segment_iterations", progress.segmentIterations),
                                  ("remaining", progress.remaining), ("stage_iterations", progress.iterations),
                                  ("stage_trials", progress.trials), ("stage_fallbacks", progress.fallbacks)] {
                try file.setAttribute(name, integer: Int64(value), on: o)
            }
            records.levenbergMarquardtPendingStop = state.pendingStop
        }
        let encoded: Data
        do {
            let encoder = PropertyListEncoder()
            encoder.outputFormat = .binary
            encoded = try encoder.encode(records)
        } catch {
            throw HDF5Error(message: "cannot encode the checkpoint's history: \(error)")
        }
        try file.setAttribute("records", encoded.base64EncodedString(), on: g)
    }

    /// Reads the `/checkpoint` group of an open file.
    private static func checkpoint(in file: HDF5File, path: String) throws(HDF5Error) -> TrainingCheckpoint {
        let g = group, o = group + "/optimizer"
        func whole(_ name: String, on object: String = g) throws(HDF5Error) -> Int {
            try file.wholeNumberAttribute(name, on: object, in: 0...Int(Int32.max))
        }
        func vector(_ name: String) throws(HDF5Error) -> [Double] { try file.read(name).values }
        func rows(_ name: String) throws(HDF5Error) -> [[Double]] {
            guard file.exists(name) else { return [] }
            let (values, shape) = try file.read(name)
            guard shape.count == 2, shape[1] > 0 else {
                throw HDF5Error(message: "'\(path)': '\(name)' must be a matrix, found shape \(shape)")
            }
            return stride(from: 0, to: values.count, by: shape[1]).map { Array(values[$0..<($0 + shape[1])]) }
        }
        let records: Records
        do {
            guard let encoded = Data(base64Encoded: try file.stringAttribute("records", on: g)) else {
                throw HDF5Error(message: "'\(path)': the checkpoint's records are damaged (not base64 text)")
            }
            records = try PropertyListDecoder().decode(Records.self, from: encoded)
        } catch let error as HDF5Error {
            throw error
        } catch {
            throw HDF5Error(message: "'\(path)': the checkpoint's records are damaged (\(error))")
        }
        let optimizer: TrainingCheckpoint.OptimizerState
        switch try file.stringAttribute("optimizer", on: g) {
        case "adam":
            optimizer = .adam(m: try vector(o + "/m"), v: try vector(o + "/v"), step: try whole("step", on: o),
                              stageIteration: try whole("stage_iteration", on: o))
        case "lbfgs":
            var state = LBFGS.State(x: try vector(o + "/x"), f: try file.numberAttribute("f", on: o),
                                    gradient: try vector(o + "/gradient"))
            state.iterations = try whole("iterations", on: o)
            state.evaluations = try whole("evaluations", on: o)
            state.s = try rows(o + "/s")
            state.y = try rows(o + "/y")
            state.rho = file.exists(o + "/rho") ? try vector(o + "/rho") : []
            state.pendingStop = records.lbfgsPendingStop
            optimizer = .lbfgs(state)
        case "lm":
            var state = LevenbergMarquardt.State(
                x: try vector(o + "/x"), damping: file.hasAttribute("damping", on: o) ? try file.numberAttribute("damping", on: o) : nil)
            state.growth = try file.numberAttribute("growth", on: o)
            (state.iterations, state.trials, state.fallbacks) = (try whole("iterations", on: o), try whole("trials", on: o),
                                                                 try whole("fallbacks", on: o))
            state.pendingStop = records.levenbergMarquardtPendingStop
            var progress = TrainingCheckpoint.LevenbergMarquardtProgress(
                state: state, segmentIterations: try whole("segment_iterations", on: o), remaining: try whole("remaining", on: o))
            (progress.iterations, progress.trials, progress.fallbacks) = (
                try whole("stage_iterations", on: o), try whole("stage_trials", on: o), try whole("stage_fallbacks", on: o))
            optimizer = .levenbergMarquardt(progress)
        case let other:
            throw HDF5Error(message: "'\(path)': unknown optimizer '\(other)' in the checkpoint (allowed: adam, lbfgs, lm)")
        }
        var c = TrainingCheckpoint(iteration: try whole("iteration"), stage: try whole("stage"), optimizer: optimizer,
                                   parameters: try vector(g + "/parameters"), lastGood: try vector(g + "/last_good"),
                                   termWeights: try vector(g + "/term_weights"), time: try file.numberAttribute("time", on: g))
        c.window = try whole("window")
        c.iterationTimes = try vector(g + "/iteration_times")
        if file.hasAttribute("causal_level", on: g) {
            c.causalLevel = try whole("causal_level")
            c.causalWeights = try vector(g + "/causal_weights")
        }
        if file.exists(g + "/refresh_generator") {
            c.refreshGenerator = try file.readIntegers(g + "/refresh_generator").values.map { UInt64(bitPattern: $0) }
            c.refreshInterior = try vector(g + "/refresh_interior")
            c.refreshed = try whole("refreshed") == 1
        }
        c.windowParameters = try rows(g + "/window_parameters")
        if !c.windowParameters.isEmpty {
            c.windowInterior = try vector(g + "/window_interior")
            c.windowBoundary = try vector(g + "/window_boundary")
        }
        c.history = records.history
        c.effectiveRanks = records.effectiveRanks
        c.stageNotes = records.stageNotes
        return c
    }
}
