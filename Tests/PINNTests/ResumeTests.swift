import Foundation
import XCTest
@testable import PINN

/// Checkpoint and resume: a run resumed from any checkpoint ends with the parameters, history, ε-ranks, stage notes
/// and points of the uninterrupted run, bit for bit (wall times aside), for every optimizer and the schedules that
/// change the problem during training.
final class ResumeTests: XCTestCase {
    /// Collects the checkpoints a run hands out.
    final class Collector: @unchecked Sendable {
        private let lock = NSLock()
        private var saved: [TrainingCheckpoint] = []
        var checkpoints: [TrainingCheckpoint] { lock.withLock { saved } }
        func save(_ checkpoint: TrainingCheckpoint) { lock.withLock { saved.append(checkpoint) } }
    }

    /// A 2D Poisson problem with the given network, collocation and training sections.
    static func poisson(network: String = "{\"hidden_layers\": [10, 10]}", collocation: String = "",
                        loss: String = "", stages: String) -> String {
        """
        {"pde": {"type": "poisson"}, "domain": {"type": "rectangle", "x": [0, 1], "y": [0, 1]},
         "exact_solution": "sin(pi*x)*sin(pi*y)", "network": \(network),
         "collocation": {"interior": 120, "boundary": 40\(collocation)},
         "loss": {"boundary_weight": 2\(loss)}, "seed": 3,
         "training": {"stages": [\(stages)]}, "output": {"grid": [9, 9], "history_interval": 5}, "diagnostics": {"erank_every": 10}}
        """
    }

    /// A 1D heat problem on [0, 1] × [0, 0.2] with `training` (e.g. causal or time-marching settings) before its
    /// Adam → LM stages; the point counts and iterations are the caller's.
    static func heat(_ training: String, points: (interior: Int, boundary: Int, initial: Int) = (100, 30, 30),
                     adam: Int = 20, lm: Int = 12) -> String {
        """
        {"domain": {"type": "interval", "x": [0, 1]}, "time": [0, 0.2],
         "equations": [{"residual": "u_t - u_xx"}],
         "conditions": [{"on": "boundary", "type": "dirichlet"}, {"on": "initial", "type": "dirichlet"}],
         "exact_solution": "exp(-pi^2*t)*sin(pi*x)", "seed": 1, "network": {"hidden_layers": [8, 8]},
         "collocation": {"interior": \(points.interior), "boundary": \(points.boundary), "initial": \(points.initial)},
         "output": {"grid": [11, 6], "history_interval": 4},
         "training": {\(training) "stages": [{"optimizer": "adam", "iterations": \(adam), "learning_rate": 0.01},
                                          {"optimizer": "lm", "iterations": \(lm)}]}}
        """
    }

    /// The solution without wall times (the only thing a resumed run may change).
    private func comparable(_ solution: Solution) -> (parameters: [[Double]], history: [HistoryRecord],
                                                      notes: [String], ranks: [EffectiveRankRecord], points: [Double]) {
        let history = solution.report.history.map { record -> HistoryRecord in
            var r = record
            r.wallTime = 0
            return r
        }
        let networks = solution.windowNetworks.isEmpty ? [solution.network] : solution.windowNetworks
        return (networks.map(\.parameters), history, solution.report.stageNotes, solution.report.effectiveRanks,
                solution.interiorPoints)
    }

    /// Runs `text` straight through, then with a checkpoint every `every` iterations, and resumes from each of the
    /// checkpoints at `resumeAt` (iterations) on `threads` threads; every run must end identically.
    private func assertResumesBitIdentically(_ text: String, every: Int, resumeAt: [Int], threads: Int = 2,
                                             file: StaticString = #filePath, line: UInt = #line) throws {
        let problem = try ProblemFile.parse(text, path: "resume.json")
        let solver = try Solver(problem: problem.problem, configuration: problem.configuration)
        let straight = comparable(solver.solve())
        let collector = Collector()
        let checkpointed = solver.solve(checkpointing: Checkpointing(every: .iterations(every), save: collector.save))
        XCTAssertTrue(comparable(checkpointed) == straight, "taking checkpoints changed the run", file: file, line: line)
        let checkpoints = collector.checkpoints
        XCTAssertFalse(checkpoints.isEmpty, file: file, line: line)
        // Every checkpoint survives its file exactly (vectors, generator, history, pending stops).
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let origin = CheckpointFile.Origin(problemText: text, problemPath: "resume.json", seed: problem.configuration.seed,
                                           schedule: CheckpointFile.schedule(of: problem.configuration.stages))
        for checkpoint in checkpoints {
            try CheckpointFile.write(checkpoint, origin: origin, to: path)
            let (read, readOrigin) = try CheckpointFile.read(path)
            XCTAssertTrue(read == checkpoint, "checkpoint at \(checkpoint.iteration) changed in its file", file: file, line: line)
            XCTAssertEqual(readOrigin, origin, file: file, line: line)
        }
        var configuration = problem.configuration
        configuration.threads = threads
        let other = try Solver(problem: problem.problem, configuration: configuration)
        for iteration in resumeAt {
            guard let checkpoint = checkpoints.first(where: { $0.iteration == iteration }) else {
                XCTFail("no checkpoint at iteration \(iteration); have \(checkpoints.map(\.iteration))", file: file, line: line)
                continue
            }
            let resumed = comparable(try other.resume(from: checkpoint))
            XCTAssertEqual(resumed.parameters, straight.parameters, "parameters after resuming at \(iteration)",
                           file: file, line: line)
            XCTAssertEqual(resumed.history, straight.history, "history after resuming at \(iteration)", file: file, line: line)
            XCTAssertEqual(resumed.notes, straight.notes, "stage notes after resuming at \(iteration)", file: file, line: line)
            XCTAssertEqual(resumed.ranks, straight.ranks, "ε-ranks after resuming at \(iteration)", file: file, line: line)
            XCTAssertEqual(resumed.points, straight.points, "points after resuming at \(iteration)", file: file, line: line)
        }
    }

    /// Adam with resampling, RAR and loss balancing, then L-BFGS, then Levenberg–Marquardt: checkpoints inside
    /// each stage and on the boundaries between them; resumed on 1 thread after a 2-thread run and back.
    func testAdamLBFGSAndLevenbergMarquardtWithResamplingResumeBitIdentically() throws {
        let text = Self.poisson(collocation: ", \"resample_every\": 6, \"refinement\": {\"every\": 9, \"candidates\": 60, \"add\": 5}",
                                loss: ", \"balancing\": {\"every\": 4, \"rate\": 0.2}",
                                stages: """
                                {"optimizer": "adam", "iterations": 24, "learning_rate": 0.01,
                                 "schedule": {"type": "exponential", "factor": 0.5, "every": 10}},
                                {"optimizer": "lbfgs", "iterations": 15}, {"optimizer": "lm", "iterations": 10}
                                """)
        XCTAssertNotNil(try ProblemFile.parse(text, path: "resume.json").configuration.refinement)
        try assertResumesBitIdentically(text, every: 3, resumeAt: [3, 12, 24, 30, 39, 45], threads: 1)
        try assertResumesBitIdentically(text, every: 8, resumeAt: [8, 32], threads: 2)
    }

    /// Rowdy, then only its base term (the network's layout changes between segments), with ε-ranks recorded.
    func testActivationTermDroppingScheduleResumesBitIdentically() throws {
        let text = Self.poisson(network: "{\"hidden_layers\": [8, 8], \"activation\": {\"type\": \"rowdy\", \"terms\": 3}}",
                                stages: """
                                {"optimizer": "adam", "iterations": 12, "learning_rate": 0.005},
                                {"optimizer": "adam", "iterations": 10, "learning_rate": 0.005, "drop_extra_activation_terms": true},
                                {"optimizer": "lbfgs", "iterations": 8}
                                """)
        try assertResumesBitIdentically(text, every: 4, resumeAt: [4, 12, 16, 24])
    }

    /// Causal weights (Adam, then Levenberg–Marquardt in segments) and time marching over two windows.
    func testCausalTrainingAndTimeMarchingResumeBitIdentically() throws {
        let causal = Self.heat("\"causal\": {\"slices\": 4, \"epsilon\": [0.1, 10], \"lm_segment\": 5},")
        try assertResumesBitIdentically(causal, every: 2, resumeAt: [2, 20, 22, 26, 30])
        let marching = Self.heat("\"time_marching\": {\"windows\": 2},")
        try assertResumesBitIdentically(marching, every: 5, resumeAt: [5, 25, 30, 40, 55])
    }

    /// Stop reasons decided after the last step, non-finite numbers in the history and an empty L-BFGS memory
    /// survive the file exactly; a damaged record is an error, not a crash.
    func testCheckpointFileKeepsPendingStopsAndNonFiniteNumbers() throws {
        var lbfgs = LBFGS.State(x: [1, -2.5e-300, .pi], f: 0.1 + 0.2, gradient: [0, 1e300, -0.0])
        lbfgs.pendingStop = .relativeTolerance(4.9406564584124654e-324)
        var record = HistoryRecord(iteration: 7, stage: 1, loss: .infinity, termLosses: [.nan, 1], metrics: nil,
                                   wallTime: 0.5, learningRate: 1e-3)
        record.causalEpsilon = -.infinity
        var checkpoint = TrainingCheckpoint(iteration: 7, stage: 1, optimizer: .lbfgs(lbfgs), parameters: [1, 2, 3],
                                            lastGood: [1, 2, 3], termWeights: [1, 1e-200], time: 12.25)
        checkpoint.history = [record]
        checkpoint.stageNotes = ["stage 1 (adam): \"quoted\"\nnew line"]
        var lm = LevenbergMarquardt.State(x: [0.5], damping: nil)
        lm.pendingStop = .linearAlgebraFailure("ε")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pending-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let origin = CheckpointFile.Origin(problemText: "{}", problemPath: "p.json", seed: .max, schedule: "lbfgs 9")
        for optimizer in [checkpoint.optimizer, .levenbergMarquardt(.init(state: lm, segmentIterations: 4, remaining: 9))] {
            checkpoint.optimizer = optimizer
            try CheckpointFile.write(checkpoint, origin: origin, to: path)
            let (read, readOrigin) = try CheckpointFile.read(path)
            XCTAssertEqual(readOrigin, origin)
            XCTAssertEqual(read.optimizer, checkpoint.optimizer)
            XCTAssertEqual(read.history.count, 1)
            XCTAssertTrue(read.history[0].termLosses[0].isNaN)
            XCTAssertEqual(read.history[0].loss, .infinity)
            XCTAssertEqual(read.history[0].causalEpsilon, -.infinity)
            XCTAssertEqual(read.stageNotes, checkpoint.stageNotes)
            XCTAssertEqual(read.termWeights, checkpoint.termWeights)
        }
        let file = try HDF5File.openForWriting(path)
        try file.setAttribute("records", Data("bplist00 damaged".utf8).base64EncodedString(), on: "/checkpoint")
        file.close()
        XCTAssertThrowsError(try CheckpointFile.read(path)) {
            XCTAssertTrue("\($0)".contains("the checkpoint's records are damaged"), "\($0)")
        }
    }

    /// A checkpoint that does not fit the problem is refused with what differs.
    func testACheckpointOfAnotherConfigurationIsRefused() throws {
        let text = Self.poisson(stages: "{\"optimizer\": \"adam\", \"iterations\": 6, \"learning_rate\": 0.01}")
        let problem = try ProblemFile.parse(text, path: "resume.json")
        let solver = try Solver(problem: problem.problem, configuration: problem.configuration)
        let collector = Collector()
        _ = solver.solve(checkpointing: Checkpointing(every: .iterations(3), save: collector.save))
        let checkpoint = try XCTUnwrap(collector.checkpoints.first)
        var wider = problem.configuration
        wider.hiddenWidths = [12, 10]
        XCTAssertThrowsError(try Solver(problem: problem.problem, configuration: wider).resume(from: checkpoint)) {
            XCTAssertTrue("\($0)".contains("network parameters"), "\($0)")
        }
        var lbfgs = problem.configuration
        lbfgs.stages = [TrainingStage(optimizer: .lbfgs(LBFGS()), iterations: 6)]
        XCTAssertThrowsError(try Solver(problem: problem.problem, configuration: lbfgs).resume(from: checkpoint)) {
            XCTAssertTrue("\($0)".contains("runs adam, the schedule's runs lbfgs"), "\($0)")
        }
    }
}
