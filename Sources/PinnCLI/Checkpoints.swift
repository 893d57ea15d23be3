import ArgumentParser
import Foundation
import PINN

/// `pinn solve`'s checkpoint options: when to write checkpoints, where, and how a run resumes from one.
enum Checkpoints {
    /// "500" (iterations) or "30s", "10m", "2h" (training time).
    static func interval(_ text: String) throws -> Checkpointing.Interval {
        let units: [(Character, Double)] = [("s", 1), ("m", 60), ("h", 3600)]
        if let last = text.last, let unit = units.first(where: { $0.0 == last }) {
            guard let value = Double(text.dropLast()), value > 0, value.isFinite else {
                throw ValidationError("--checkpoint-every must be a whole number of iterations or a time such as 30s, "
                                      + "10m or 2h, found '\(text)'")
            }
            return .seconds(value * unit.1)
        }
        return .iterations(try CommandLineNumber.whole(text, option: "--checkpoint-every",
                                                       in: 1...CommandLineNumber.maximumIterations))
    }

    /// The default checkpoint file of a result: `NAME.checkpoint.h5` beside `NAME.h5`.
    static func defaultPath(for output: String) -> String {
        URL(fileURLWithPath: output).deletingPathExtension().path + ".checkpoint.h5"
    }

    /// Reads the checkpoint in `path` and makes `problemFile` the run that wrote it: the same problem text, and the
    /// seed and schedule it ran with unless given again (then they must agree). Errors say what differs.
    static func load(_ path: String, for problemFile: inout ProblemFile, seedGiven: Bool,
                     iterationsGiven: Bool) throws -> TrainingCheckpoint {
        let (checkpoint, origin): (TrainingCheckpoint, CheckpointFile.Origin)
        if FileManager.default.fileExists(atPath: path) { try ReadGuard.verify(path, what: "checkpoint") }
        do {
            (checkpoint, origin) = try CheckpointFile.read(path)
        } catch {
            throw fail("--resume: \(error)", code: ExitStatus.invalidInput)
        }
        guard origin.problemText == problemFile.text else {
            throw fail("--resume: '\(path)' was written for the problem file '\(origin.problemPath)', whose text differs "
                       + "from '\(problemFile.path)'; resume with the problem file the run started from",
                       code: ExitStatus.invalidInput)
        }
        var config = problemFile.configuration
        if config.seed != origin.seed {
            guard !seedGiven else {
                throw fail("--resume: '\(path)' was written by a run with seed \(origin.seed), not \(config.seed); "
                           + "leave out --seed or give that one", code: ExitStatus.invalidInput)
            }
            config.seed = origin.seed
        }
        let total = origin.schedule.split(separator: ",").compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
            .reduce(0, +)
        if CheckpointFile.schedule(of: config.stages) != origin.schedule, !iterationsGiven, total > 0 {
            config.stages = Solve.truncate(config.stages, to: total)  // the run that wrote it had --iterations
        }
        guard CheckpointFile.schedule(of: config.stages) == origin.schedule else {
            throw fail("--resume: '\(path)' was written by a run with the schedule '\(origin.schedule)'; this run's is "
                       + "'\(CheckpointFile.schedule(of: config.stages))': give the --iterations that run had",
                       code: ExitStatus.invalidInput)
        }
        problemFile.configuration = config
        return checkpoint
    }

    /// Writes each checkpoint to `path`; a checkpoint that cannot be written is reported and training goes on.
    static func writer(to path: String, origin: CheckpointFile.Origin) -> @Sendable (TrainingCheckpoint) -> Void {
        { checkpoint in
            do {
                try CheckpointFile.write(checkpoint, origin: origin, to: path)
            } catch {
                printError("warning: checkpoint at iteration \(checkpoint.iteration) not written: \(error); "
                           + "training goes on")
            }
        }
    }
}
