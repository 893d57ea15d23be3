import ArgumentParser
import Foundation
import PINN

struct Solve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a PINN on a problem file and write the results to HDF5.")

    @Argument(help: "The problem file (JSON).")
    var file: String

    @Option(name: .shortAndLong, help: "The result file (default: the problem file's name with .h5, in the current folder).")
    var output: String?

    // Numbers are read as text and checked here: ArgumentParser would take "-1" for an option name and report a
    // missing value instead of the real problem.
    @Option(parsing: .unconditional, help: ArgumentHelp("Total iterations, overriding the file's (for quick runs).",
                                                        valueName: "n"))
    var iterations: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Random seed, overriding the file's.", valueName: "seed"))
    var seed: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Worker threads (1–\(CommandLineNumber.maximumThreads)), overriding the file's.", valueName: "n"))
    var threads: String?

    @Option(name: .customLong("time-limit"), parsing: .unconditional,
            help: ArgumentHelp("Stop training cleanly after this many seconds (the result is complete).", valueName: "seconds"))
    var timeLimit: String?

    @Option(name: .customLong("erank-every"), parsing: .unconditional,
            help: ArgumentHelp("Record the ε-rank of the last hidden layer every M iterations.", valueName: "M"))
    var erankEvery: String?

    @Option(name: .customLong("checkpoint-every"), parsing: .unconditional,
            help: ArgumentHelp("Write a checkpoint every N iterations, or every so much training time (30s, 10m, 2h).",
                               valueName: "N|time"))
    var checkpointEvery: String?

    @Option(help: ArgumentHelp("The checkpoint file (default: the result's name with .checkpoint.h5).", valueName: "file"))
    var checkpoint: String?

    @Option(help: ArgumentHelp("Continue the run that wrote this checkpoint file, or this interrupted or time-limited "
                               + "result file, with the same problem file.", valueName: "file"))
    var resume: String?

    @Option(name: .customLong("sweep-index"), parsing: .unconditional,
            help: ArgumentHelp("Solve run I of the file's parameter study (its \"sweep\" field); the result defaults to NAME-I.h5.",
                               valueName: "I"))
    var sweepIndex: String?

    @Flag(name: .customLong("weak-scaling"),
          help: "Under MPI: the file's interior, boundary and initial point counts are per process (default: totals).")
    var weakScaling = false

    @Flag(help: "No progress output.")
    var quiet = false

    func validate() throws {
        _ = try numbers()
        _ = try sweepIndex.map { try CommandLineNumber.whole($0, option: "--sweep-index", in: 0...ProblemSweep.maximumRuns - 1) }
        _ = try checkpointEvery.map(Checkpoints.interval)
        if checkpoint != nil && checkpointEvery == nil {
            throw ValidationError("--checkpoint names the checkpoint file; give --checkpoint-every too")
        }
    }

    /// The numeric options, checked: each names what is allowed.
    func numbers() throws -> (iterations: Int?, seed: UInt64?, threads: Int?, timeLimit: Double?, erankEvery: Int?) {
        typealias N = CommandLineNumber
        return (try iterations.map { try N.whole($0, option: "--iterations", in: 1...N.maximumIterations) },
                try seed.map { try N.seed($0) },
                try threads.map { try N.whole($0, option: "--threads", in: 1...N.maximumThreads) },
                try timeLimit.map { try N.seconds($0, option: "--time-limit") },
                try erankEvery.map { try N.whole($0, option: "--erank-every", in: 1...N.maximumIterations) })
    }

    func run() throws {
        var problemFile: ProblemFile
        let (iterations, seed, threads, timeLimit, erankEvery) = try numbers()  // checked already by validate()
        let sweepRun = try sweepIndex.map { try CommandLineNumber.whole($0, option: "--sweep-index", in: 0...ProblemSweep.maximumRuns - 1) }
        var sweep: (index: Int, label: String)?
        do throws(ProblemFileError) {
            var text = try ProblemFile.readText(path: file)
            if let sweepRun {
                let variant = try ProblemSweep.variant(text, path: file, index: sweepRun)
                (text, sweep) = (variant.text, (sweepRun, variant.run.label))
            }
            problemFile = try ProblemFile.parse(text, path: file)
            if let seed { problemFile.configuration.seed = seed }
            if let threads { problemFile.configuration.threads = threads }
            if let timeLimit { problemFile.configuration.timeLimit = timeLimit }
            if let erankEvery { problemFile.configuration.effectiveRankEvery = erankEvery }
            if let iterations { problemFile.configuration.stages = Solve.truncate(problemFile.configuration.stages, to: iterations) }
            if seed != nil { try problemFile.checkFormulasAreFinite() }
        } catch {
            throw fail(error.description, code: ExitStatus.invalidInput)
        }
        var resumeFrom: TrainingCheckpoint?
        if let resume {
            resumeFrom = try Checkpoints.load(resume, for: &problemFile, seedGiven: seed != nil,
                                              iterationsGiven: iterations != nil)
        }
        let group = try ProcessGroup.start()
        try ProcessGroup.checkSameProblem(problemFile.text, file: file, in: group)
        if weakScaling { problemFile.configuration = problemFile.configuration.weakScaled(processes: group.size) }
        problemFile.configuration.communicator = group
        let outputPath = output ?? (URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
                                    + (sweep.map { "-\($0.index)" } ?? "") + ".h5")
        let checkpointPath = checkpointEvery.map { _ in checkpoint ?? Checkpoints.defaultPath(for: outputPath) }
        // Process 0 writes: it alone checks the paths, and a problem there stops every process.
        try ProcessGroup.stopIfAny(group.isRoot ? outputProblem(outputPath, checkpointPath, problemFile) : nil,
                                   code: ExitStatus.invalidInput, in: group)

        let config = problemFile.configuration
        let solver: Solver
        do {
            solver = try Solver(problem: problemFile.problem, configuration: config)
        } catch {
            if !group.isRoot { throw ExitCode(ExitStatus.invalidInput) }
            throw fail("\(file): \(error.description)", code: ExitStatus.invalidInput)
        }
        if group.isRoot { for warning in problemFile.warnings { printError("warning: " + warning) } }
        let progress = ProgressReporter(quiet: quiet || !group.isRoot,
                                        hasExactSolution: problemFile.problem.exactSolutions.contains { $0 != nil })
        progress.header(problemFile, output: outputPath, processes: group.size)
        for stale in group.isRoot ? ResultFile.removeStaleTemporaries(for: outputPath) : [] {
            printError("note: removed '\(stale)', left by a run that was killed")
        }
        if let checkpointPath, group.isRoot {
            for stale in ResultFile.removeStaleTemporaries(for: checkpointPath) {
                printError("note: removed '\(stale)', left by a run that was killed")
            }
        }
        let interrupt = InterruptFlag.install(temporaries: ([outputPath, ResultFile.sidecarPath(for: outputPath)]
            + (checkpointPath.map { [$0] } ?? [])).map { ResultFile.temporaryPath(for: $0) })
        progress.interruptFlag = interrupt
        let checkpointing = try checkpointPath.map { path in
            Checkpointing(every: try Checkpoints.interval(checkpointEvery!), save: Checkpoints.writer(
                to: path, origin: .init(problemText: problemFile.text, problemPath: file, seed: config.seed,
                                        schedule: CheckpointFile.schedule(of: config.stages))))
        }
        let solution: Solution
        if let resumeFrom {
            progress.resumedAt = resumeFrom.iteration
            if !quiet && group.isRoot { printError("resuming from '\(resume!)' at iteration \(resumeFrom.iteration) (stage \(resumeFrom.stage + 1))") }
            do {
                solution = try solver.resume(from: resumeFrom, observer: progress, checkpointing: checkpointing)
            } catch {
                interrupt.uninstall()
                throw fail("--resume: '\(resume!)' cannot continue \(file): \(error.message)", code: ExitStatus.invalidInput)
            }
        } else {
            solution = solver.solve(observer: progress, checkpointing: checkpointing)
        }
        interrupt.uninstall()
        progress.finish()
        guard group.isRoot else {  // process 0 writes the result and reports
            switch solution.report.stopReason {
            case .completed, .timeLimit: return
            case .interrupted: throw ExitCode(ExitStatus.interrupted)
            case .diverged, .inconsistent: throw ExitCode(ExitStatus.diverged)
            }
        }

        do {
            try ResultFile.write(solution, grid: solver.evaluationGrid(),
                                 info: .init(problemText: problemFile.text, problemPath: file,
                                             description: problemFile.description, seed: config.seed,
                                             threads: config.threads, effectiveRankEpsilons: config.effectiveRankEpsilons,
                                             processes: group.size, sweepIndex: sweep?.index,
                                             sweepValues: sweep?.label ?? ""),
                                 to: outputPath)
        } catch {
            throw fail(error.description, code: ExitStatus.ioFailure)
        }
        // The result is in place: it holds the final state (and, for a stopped run, a newer checkpoint).
        if let checkpointPath { try? FileManager.default.removeItem(atPath: checkpointPath) }
        progress.summary(solution, output: outputPath)
        let resumeHint = "continue it with: pinn solve \(file) --resume \(outputPath)"
        switch solution.report.stopReason {
        case .completed: return
        case .timeLimit:
            if !quiet { printError("time limit reached; \(resumeHint)") }
            return
        case let .interrupted(i):
            printError("interrupted at iteration \(i); the result file holds the state reached; \(resumeHint)")
            throw ExitCode(ExitStatus.interrupted)
        case let .inconsistent(i):
            throw fail("the processes' parameters differed at iteration \(i); '\(outputPath)' holds process 0's. "
                       + "See docs/scaling.md (processes must run the same binary on the same kind of CPU).",
                       code: ExitStatus.diverged)
        case let .diverged(i):
            throw fail("training diverged at iteration \(i) (the loss or its gradient became NaN or infinite); "
                       + "'\(outputPath)' holds the last finite state. Try a smaller learning rate.", code: ExitStatus.diverged)
        }
    }

    /// What is wrong with the result and checkpoint paths (nil: nothing).
    func outputProblem(_ outputPath: String, _ checkpointPath: String?, _ problemFile: ProblemFile) -> String? {
        if let problem = OutputPath.problem(outputPath) { return problem }
        guard let checkpointPath else { return nil }
        if let problem = OutputPath.problem(checkpointPath, sidecar: false) {
            return problem.replacingOccurrences(of: "output", with: "checkpoint")
        }
        if problemFile.configuration.leastSquares != nil {
            return "--checkpoint-every: \(file) is solved by the least-squares method, in one step without iterations; "
                + "there is nothing to checkpoint"
        }
        if checkpointPath == outputPath { return "--checkpoint: '\(checkpointPath)' is also the result file; give another name" }
        return nil
    }

    /// The stages cut (or the last one extended) so that they total `n` iterations.
    static func truncate(_ stages: [TrainingStage], to n: Int) -> [TrainingStage] {
        var left = n
        var result: [TrainingStage] = []
        for var stage in stages where left > 0 {
            stage.iterations = min(stage.iterations, left)
            left -= stage.iterations
            result.append(stage)
        }
        if left > 0, var last = result.popLast() {
            last.iterations += left
            result.append(last)
        }
        return result
    }
}

/// Checks that a result path can be written before any training starts.
enum OutputPath {
    static func problem(_ path: String, sidecar: Bool = true) -> String? {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            return "output '\(path)': folder '\(folder)' does not exist"
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            return "output '\(path)': folder '\(folder)' is not writable"
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return "output '\(path)' is a folder; give a file name such as result.h5"
        }
        let sidecarPath = ResultFile.sidecarPath(for: path)
        if sidecar, FileManager.default.fileExists(atPath: sidecarPath, isDirectory: &isDirectory), isDirectory.boolValue {
            return "output '\(path)': its XDMF sidecar '\(sidecarPath)' is a folder; remove it or choose another result name"
        }
        return nil
    }
}

/// Numbers given on the command line, checked with messages that say what is allowed.
enum CommandLineNumber {
    static let maximumIterations = 1_000_000_000_000
    /// Far above any machine's cores; a million threads would only exhaust memory.
    static let maximumThreads = SolverConfiguration.maximumThreads

    static func whole(_ text: String, option: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw ValidationError("\(option) must be a whole number from \(range.lowerBound) to \(range.upperBound), found '\(text)'")
        }
        return value
    }

    static func seed(_ text: String) throws -> UInt64 {
        guard let value = UInt64(text) else {
            throw ValidationError("--seed must be a whole number from 0 to \(UInt64.max), found '\(text)'")
        }
        return value
    }

    static func seconds(_ text: String, option: String) throws -> Double {
        guard let value = Double(text), value > 0, value.isFinite else {
            throw ValidationError("\(option) must be a positive number of seconds, found '\(text)'")
        }
        return value
    }
}
