import Foundation

/// The memory a run needs for what grows with its input — collocation points, the output grid, the history — is
/// estimated before anything is allocated, so that sizes that cannot fit are refused with a message instead of
/// ending the process in an allocation failure. (The Levenberg–Marquardt and least-squares matrices have their own
/// plans: ``LevenbergMarquardt/memoryProblem(parameterCount:physicalMemory:)``,
/// ``Solver/leastSquaresMemoryProblem(rows:columns:physicalMemory:)``.)
extension Solver {
    /// One part of the estimate: what it is, the configuration field that sets its size, the size, and the bytes per
    /// unit of size.
    struct MemoryItem {
        let what: String
        let field: String
        let count: Double
        let bytesPerUnit: Double
        var bytes: Double { count * bytesPerUnit }
    }

    /// The estimate, part by part (sizes as Double: they may exceed Int before they are refused).
    func memoryItems() -> [MemoryItem] {
        let c = configuration, d = Double(problem.domain.dimension), m = Double(problem.fields.count)
        // Per collocation point: its coordinates and normal, and per term the targets, residuals and the output
        // streams of one forward pass (kept per point for the residual-based refinement and the checks).
        let points = constraints.reduce(0.0) { $0 + Double(pointCount(of: $1)) }
            + Double(c.refinement?.candidates ?? 0)
        let perPoint = 8 * (3 * d + 8 + m * (2 + 2 * d))
        // Per output-grid point: the coordinates (twice, grid and in-domain copy), per field the prediction, the
        // exact value and the error, per equation the residual, and the evaluation's streams.
        let gridPoints = c.resolution(dimension: problem.domain.dimension).reduce(1.0) { $0 * Double($1) }
        let equations = Double(equationCount)
        let perGridPoint = 8 * (2 * d + 3 * m + equations + m * (2 + d)) * 2
        // Per history record: the losses of every term, the metrics and rates (a few hundred bytes), and the ε-ranks.
        let windows = Double(max(1, c.timeWindows.count - 1))
        let iterations = windows * c.stages.reduce(0.0) { $0 + Double($1.iterations) }
        let records = iterations / Double(max(1, c.historyInterval)) + 2 * Double(c.stages.count) * windows
        let perRecord = 256 + 16 * Double(constraints.count) + 32 * m
        let rankRecords = c.effectiveRankEvery > 0 ? iterations / Double(c.effectiveRankEvery) : 0
        let perRankRecord = 64 + 8 * Double(c.effectiveRankEpsilons.count)
            * Double(c.effectiveRankAllLayers ? c.hiddenWidths.count : 1)
        return [
            MemoryItem(what: "collocation points", field: "configuration.interiorPoints", count: points,
                       bytesPerUnit: perPoint),
            MemoryItem(what: "output grid points", field: "configuration.evaluationResolution", count: gridPoints,
                       bytesPerUnit: perGridPoint),
            MemoryItem(what: "history records", field: "configuration.historyInterval", count: records,
                       bytesPerUnit: perRecord),
            MemoryItem(what: "ε-rank records", field: "configuration.effectiveRankEvery", count: rankRecords,
                       bytesPerUnit: perRankRecord),
        ]
    }

    /// Why the run does not fit ``LevenbergMarquardt/memoryShare`` of `physicalMemory` (nil when it does): the
    /// estimate, its largest part, and how large that part may be with the others as they are.
    func memoryProblem(physicalMemory: UInt64 = ProcessInfo.processInfo.physicalMemory) -> SolverError? {
        let items = memoryItems(), budget = Double(physicalMemory) * LevenbergMarquardt.memoryShare
        let total = items.reduce(0) { $0 + $1.bytes } + Double(64 << 20)  // workspaces, code, small buffers
        guard total > budget else { return nil }
        let largest = items.max { $0.bytes < $1.bytes }!
        let room = max(0, budget - (total - largest.bytes))
        let fitting = Int(min(room / largest.bytesPerUnit, 1e18))
        func gb(_ b: Double) -> String { String(format: "%.1f GB", b / 1e9) }
        let parts = items.filter { $0.bytes >= 1e6 }.map { "\($0.what) \(gb($0.bytes))" }.joined(separator: ", ")
        return SolverError(field: largest.field, message: "the run needs about \(gb(total)) (\(parts)); three quarters of this machine's memory is \(gb(budget)): at most \(fitting) \(largest.what) fit with the rest as it is")
    }
}
