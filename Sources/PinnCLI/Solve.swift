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

    @Flag(help: "No progress output.")
    var quiet = false

    func validate() throws {
        _ = try numbers()
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
        do throws(ProblemFileError) {
            problemFile = try ProblemFile.load(path: file)
            if let seed { problemFile.configuration.seed = seed }
            if let threads { problemFile.configuration.threads = threads }
            if let timeLimit { problemFile.configuration.timeLimit = timeLimit }
            if let erankEvery { problemFile.configuration.effectiveRankEvery = erankEvery }
            if let iterations { problemFile.configuration.stages = Solve.truncate(problemFile.configuration.stages, to: iterations) }
            if seed != nil { try problemFile.checkFormulasAreFinite() }
        } catch {
            throw fail(error.description, code: ExitStatus.invalidInput)
        }
        let outputPath = output ?? (URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent + ".h5")
        if let problem = OutputPath.problem(outputPath) { throw fail(problem, code: ExitStatus.invalidInput) }

        let config = problemFile.configuration
        let solver: Solver
        do {
            solver = try Solver(problem: problemFile.problem, configuration: config)
        } catch {
            throw fail("\(file): \(error.description)", code: ExitStatus.invalidInput)
        }
        for warning in problemFile.warnings { printError("warning: " + warning) }
        let progress = ProgressReporter(quiet: quiet,
                                        hasExactSolution: problemFile.problem.exactSolutions.contains { $0 != nil })
        progress.header(problemFile, output: outputPath)
        for stale in ResultFile.removeStaleTemporaries(for: outputPath) {
            printError("note: removed '\(stale)', left by a run that was killed")
        }
        let interrupt = InterruptFlag.install(temporaries: [outputPath, ResultFile.sidecarPath(for: outputPath)]
            .map { ResultFile.temporaryPath(for: $0) })
        progress.interruptFlag = interrupt
        let solution = solver.solve(observer: progress)
        interrupt.uninstall()
        progress.finish()

        do {
            try ResultFile.write(solution, grid: solver.evaluationGrid(),
                                 info: .init(problemText: problemFile.text, problemPath: file,
                                             description: problemFile.description, seed: config.seed,
                                             threads: config.threads, effectiveRankEpsilons: config.effectiveRankEpsilons),
                                 to: outputPath)
        } catch {
            throw fail(error.description, code: ExitStatus.ioFailure)
        }
        progress.summary(solution, output: outputPath)
        switch solution.report.stopReason {
        case .completed, .timeLimit: return
        case let .interrupted(i):
            printError("interrupted at iteration \(i); the result file holds the state reached")
            throw ExitCode(ExitStatus.interrupted)
        case let .diverged(i):
            throw fail("training diverged at iteration \(i) (the loss or its gradient became NaN or infinite); "
                       + "'\(outputPath)' holds the last finite state. Try a smaller learning rate.", code: ExitStatus.diverged)
        }
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
    static func problem(_ path: String) -> String? {
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
        let sidecar = ResultFile.sidecarPath(for: path)
        if FileManager.default.fileExists(atPath: sidecar, isDirectory: &isDirectory), isDirectory.boolValue {
            return "output '\(path)': its XDMF sidecar '\(sidecar)' is a folder; remove it or choose another result name"
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
