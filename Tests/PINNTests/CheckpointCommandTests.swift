import Foundation
import XCTest
@testable import PINN

/// `pinn solve --checkpoint-every` and `--resume`: after kill -9 the last checkpoint file continues the run, after
/// SIGINT or SIGTERM the result file does, and either way the result equals the uninterrupted run's bit for bit.
final class CheckpointCommandTests: CommandLineTestCase {
    /// Adam with resampling, then L-BFGS and Levenberg–Marquardt: long enough (a few seconds) to be stopped midway.
    static let problem = """
        {"pde": {"type": "poisson"}, "domain": {"type": "rectangle", "x": [0, 1], "y": [0, 1]},
         "exact_solution": "sin(pi*x)*sin(pi*y)", "network": {"hidden_layers": [20, 20]},
         "collocation": {"interior": 400, "boundary": 80, "resample_every": 50}, "seed": 3,
         "training": {"stages": [{"optimizer": "adam", "iterations": 6000, "learning_rate": 0.005},
                                 {"optimizer": "lbfgs", "iterations": 300}, {"optimizer": "lm", "iterations": 30}]},
         "output": {"grid": [21, 21], "history_interval": 50}}
        """

    private func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = scratch
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits (at most a minute) until `path` exists.
    private func waitFor(_ path: String) {
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: path) && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    }

    /// The datasets that must agree between two results: the model, the history (wall times aside), the solution and
    /// the final collocation points.
    private func assertSameResult(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let (x, y) = (try HDF5File.open(scratch.appendingPathComponent(a).path),
                      try HDF5File.open(scratch.appendingPathComponent(b).path))
        defer { x.close(); y.close() }
        for name in ["/model/parameters", "/history/iteration", "/history/loss", "/history/rel_l2", "/history/loss_pde",
                     "/solution/u", "/collocation/interior"] {
            let (u, v) = (try x.read(name).values, try y.read(name).values)
            XCTAssertEqual(u.count, v.count, name, file: file, line: line)
            XCTAssertTrue(u.elementsEqual(v) { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(name) differs", file: file, line: line)
        }
        XCTAssertEqual(try x.stringAttribute("stage_notes", on: "/history"), try y.stringAttribute("stage_notes", on: "/history"),
                       file: file, line: line)
        XCTAssertEqual(try x.stringAttribute("status"), "completed", file: file, line: line)
        XCTAssertEqual(try y.stringAttribute("status"), "completed", file: file, line: line)
    }

    func testKillNineThenResumeFromTheCheckpointFileGivesTheUninterruptedResult() throws {
        try Self.problem.write(to: scratch.appendingPathComponent("p.json"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try pinn(["solve", "p.json", "-o", "full.h5", "--quiet"], in: scratch).status, 0)
        let process = try start(["solve", "p.json", "-o", "run.h5", "--checkpoint-every", "200", "--quiet"])
        let checkpoint = scratch.appendingPathComponent("run.checkpoint.h5").path
        waitFor(checkpoint)
        Thread.sleep(forTimeInterval: 0.3)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("run.h5").path))
        let (saved, origin) = try CheckpointFile.read(checkpoint)
        XCTAssertEqual(saved.iteration % 200, 0)
        XCTAssertEqual(origin.schedule, "adam 6000, lbfgs 300, lm 30")
        // Resumed on one thread (the run had one too: any count gives the same result).
        let resumed = try pinn(["solve", "p.json", "-o", "run.h5", "--resume", "run.checkpoint.h5", "--threads", "2"], in: scratch)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resuming from 'run.checkpoint.h5' at iteration \(saved.iteration)"), resumed.stderr)
        try assertSameResult("full.h5", "run.h5")
    }

    func testInterruptedResultFileResumesAndCheckpointsAreRemovedOnceTheResultIsWritten() throws {
        try Self.problem.write(to: scratch.appendingPathComponent("p.json"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try pinn(["solve", "p.json", "-o", "full.h5", "--quiet"], in: scratch).status, 0)
        let process = try start(["solve", "p.json", "-o", "run.h5", "--checkpoint-every", "1s", "--quiet"])
        Thread.sleep(forTimeInterval: 1.0)
        process.terminate()  // SIGTERM, as a batch scheduler sends
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        let result = try HDF5File.open(scratch.appendingPathComponent("run.h5").path)
        XCTAssertEqual(try result.stringAttribute("status"), "interrupted")
        XCTAssertTrue(result.exists("/checkpoint/parameters"))
        result.close()
        let inspect = try pinn(["inspect", "run.h5"], in: scratch)
        XCTAssertTrue(inspect.stdout.contains("checkpoint   iteration "), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("(adam): continue with pinn solve p.json --resume run.h5"), inspect.stdout)
        // The result holds the newest state: the checkpoint file is gone.
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("run.checkpoint.h5").path))
        let resumed = try pinn(["solve", "p.json", "-o", "resumed.h5", "--resume", "run.h5", "--quiet"], in: scratch)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        try assertSameResult("full.h5", "resumed.h5")
    }

    /// Resuming what cannot be resumed says why: another problem file, seed or schedule, a completed result, a file
    /// that is no checkpoint, and checkpoints of the least-squares method.
    func testResumeAndCheckpointOptionsRefuseWhatDoesNotFit() throws {
        let short = Self.problem.replacingOccurrences(of: "6000", with: "40")
        try short.write(to: scratch.appendingPathComponent("p.json"), atomically: true, encoding: .utf8)
        try short.replacingOccurrences(of: "\"seed\": 3", with: "\"seed\": 4")
            .write(to: scratch.appendingPathComponent("q.json"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try pinn(["solve", "p.json", "-o", "done.h5", "--quiet"], in: scratch).status, 0)
        XCTAssertEqual(try pinn(["solve", "p.json", "-o", "stop.h5", "--quiet", "--time-limit", "0.001"], in: scratch).status, 0)
        let table: [([String], String, Int32)] = [
            (["--resume", "done.h5"], "error: --resume: 'done.h5' holds no checkpoint (its run is completed): only checkpoint files and the results of interrupted or time-limited runs can be resumed\n", 2),
            (["--resume", "p.json"], "error: --resume: 'p.json' is not an HDF5 file\n", 2),
            (["--resume", "stop.h5", "--seed", "9"], "error: --resume: 'stop.h5' was written by a run with seed 3, not 9; leave out --seed or give that one\n", 2),
            (["--resume", "stop.h5", "--iterations", "10"], "error: --resume: 'stop.h5' was written by a run with the schedule 'adam 40, lbfgs 300, lm 30'; this run's is 'adam 10': give the --iterations that run had\n", 2),
            (["--checkpoint-every", "0"], "Error: --checkpoint-every must be a whole number from 1 to 1000000000000, found '0'\n", 64),
            (["--checkpoint-every", "-3m"], "Error: --checkpoint-every must be a whole number of iterations or a time such as 30s, 10m or 2h, found '-3m'\n", 64),
            (["--checkpoint", "c.h5"], "Error: --checkpoint names the checkpoint file; give --checkpoint-every too\n", 64),
            (["--checkpoint-every", "5", "--checkpoint", "out.h5"], "error: --checkpoint: 'out.h5' is also the result file; give another name\n", 2),
        ]
        for (options, message, code) in table {
            let run = try pinn(["solve", "p.json", "-o", "out.h5"] + options, in: scratch)
            XCTAssertTrue(run.stderr.hasPrefix(message), "\(options): \(run.stderr)")
            XCTAssertEqual(run.status, code, options.joined(separator: " "))
        }
        let other = try pinn(["solve", "q.json", "-o", "out.h5", "--resume", "stop.h5"], in: scratch)
        XCTAssertEqual(other.stderr, "error: --resume: 'stop.h5' was written for the problem file 'p.json', whose text differs from 'q.json'; resume with the problem file the run started from\n")
        let leastSquares = try pinn(["solve", Self.repository.appendingPathComponent("problems/poisson-least-squares.json").path,
                                     "-o", "ls.h5", "--checkpoint-every", "5"], in: scratch)
        XCTAssertTrue(leastSquares.stderr.contains("is solved by the least-squares method, in one step without iterations"),
                      leastSquares.stderr)
        XCTAssertEqual(leastSquares.status, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("out.h5").path))
    }
}
