import Foundation

/// Time marching (e.g. Wight & Zhao 2020; Mattey & Ghosh 2022): the time range is cut into windows trained one
/// after the other, each window's network starting from the previous one's parameters, its initial conditions
/// (u, and u_t for equations second order in time — every condition on the initial slice) taking their targets
/// from the previous window's prediction at the window's start. The result is one model with a network per window.
extension Solver {
    /// The problem restricted to window k: the same space, times [tₖ, tₖ₊₁].
    func windowProblem(_ k: Int) -> Problem {
        let domain = problem.domain as! SpaceTime
        var window = problem
        window.domain = SpaceTime(space: domain.space, start: configuration.timeWindows[k],
                                  end: configuration.timeWindows[k + 1])
        return window
    }

    /// Trains the windows in order and stitches them into one solution: the history runs on over the windows
    /// (iterations, stages and wall time continue), the collocation points are all windows'. A time limit is shared:
    /// each window may use what is left of it divided by the windows still to train (a window that reaches its share
    /// hands over to the next); an interrupt or a divergence ends the run with the windows trained so far.
    ///
    /// A checkpoint names the window in progress and holds the windows trained before it (their networks and points).
    func solveByTimeMarching(observer: TrainingObserver?, checkpointing: Checkpointing? = nil,
                             resume: TrainingCheckpoint? = nil) -> Solution {
        let edges = configuration.timeWindows, windows = edges.count - 1
        let perWindow = configuration.stages.reduce(0) { $0 + $1.iterations }
        var networks: [Network] = [], previous: Network?
        var report: TrainingReport?, interior: [Double] = [], boundary: [Double] = [], summaries: [String] = []
        let firstWindow = resume?.window ?? 0
        if let resume {
            let trained = layout(atStage: configuration.stages.count - 1)
            var template = makeNetwork()
            if template.layout != trained { template = template.keepingOnlyBaseActivationTerms() }
            networks = resume.windowParameters.map { var n = template; n.parameters = $0; return n }
            previous = networks.last
            (interior, boundary) = (resume.windowInterior, resume.windowBoundary)
        }
        for k in firstWindow..<windows {
            var configuration = self.configuration
            configuration.timeWindows = []
            if let limit = self.configuration.timeLimit {
                // What is left of the time limit, shared equally by the windows still to train.
                let used = (report?.totalTime ?? resume?.time ?? 0) - (resume?.time ?? 0)
                configuration.timeLimit = used + max(0, limit - used) / Double(windows - k)
            }
            // The window's problem and configuration were checked with the whole range's (same space, same kinds).
            var solver: Solver
            do {
                solver = try Solver(problem: windowProblem(k), configuration: configuration)
            } catch {
                preconditionFailure("window \(k + 1) of a checked problem is invalid: \(error)")
            }
            solver.previousWindow = previous
            let from = Trainer.Continuation(iteration: report?.iterations ?? 0,
                                            stage: k * self.configuration.stages.count, time: report?.totalTime ?? 0,
                                            totalIterations: perWindow * windows, resumedTime: resume?.time ?? 0)
            let (done, doneInterior, doneBoundary) = (networks.map(\.parameters), interior, boundary)
            let part = solver.train(observer: observer, from: previous, continuing: from, checkpointing: checkpointing,
                                    resume: k == firstWindow ? resume : nil, completeCheckpoint: { checkpoint in
                if let earlier = report { checkpoint.prepend(earlier) }
                checkpoint.window = k
                checkpoint.windowParameters = done
                checkpoint.windowInterior = doneInterior
                checkpoint.windowBoundary = doneBoundary
            }, notePrefix: "window \(k + 1): ")
            networks.append(part.network)
            interior += part.interiorPoints
            boundary += part.boundaryPoints
            if summaries.isEmpty { summaries = part.termSummaries }
            var merged = part.report
            if let before = report {
                merged.history = before.history + merged.history
                merged.iterationTimes = before.iterationTimes + merged.iterationTimes
                merged.effectiveRanks = before.effectiveRanks + merged.effectiveRanks
                merged.stageNotes = before.stageNotes + merged.stageNotes
            }
            report = merged
            previous = part.network
            // A window that used up its share of the time limit hands over to the next; the last window's stop
            // (or an interrupt or divergence anywhere) ends the run.
            if case .timeLimit = merged.stopReason, k + 1 < windows { continue }
            if merged.stopReason != .completed { break }
        }
        var solution = Solution(problem: problem, network: networks.last!, report: report!, interiorPoints: interior,
                                boundaryPoints: boundary, configuration: configuration, termSummaries: summaries)
        // Windows not reached (a stopped run) are covered by the last trained network.
        solution.windowEdges = Array(edges.prefix(networks.count)) + [edges.last!]
        solution.windowNetworks = networks
        return solution
    }
}
