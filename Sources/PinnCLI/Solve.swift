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

    @Option(help: "Total iterations, overriding the file's (for quick runs).")
    var iterations: Int?

    @Option(help: "Random seed, overriding the file's.")
    var seed: UInt64?

    @Option(help: "Worker threads, overriding the file's.")
    var threads: Int?

    @Option(name: .customLong("time-limit"), help: "Stop training cleanly after this many seconds (the result is complete).")
    var timeLimit: Double?

    @Option(name: .customLong("erank-every"), help: "Record the ε-rank of the last hidden layer every M iterations.")
    var erankEvery: Int?

    @Flag(help: "No progress output.")
    var quiet = false

    func validate() throws {
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be a positive whole number, found \(iterations)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be a positive whole number, found \(threads)") }
        if let timeLimit, !(timeLimit > 0) { throw ValidationError("--time-limit must be a positive number of seconds, found \(timeLimit)") }
        if let erankEvery, erankEvery < 1 { throw ValidationError("--erank-every must be a positive whole number, found \(erankEvery)") }
    }

    func run() throws {
        var problemFile: ProblemFile
        do {
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
        let interrupt = InterruptFlag.installForSIGINT()
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
        return nil
    }
}
