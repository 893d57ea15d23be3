import ArgumentParser
import Foundation
import PINN

/// Reads an HDF5 file once in a child process before this process reads it: libhdf5 1.10 (Debian 12) can crash
/// (a wild `memcpy` in `H5HG_read`) or loop forever on a file whose global heap is damaged, which no check on our
/// side can prevent. A child that dies or takes over ``limit`` seconds marks the file as damaged, and the command
/// stops with a message instead of crashing or hanging. Found by the libFuzzer harness (docs/reliability.md).
enum ReadGuard {
    /// Seconds the child may take: it reads attributes, the model and the checkpoint, not the large datasets, which
    /// takes well under a second even for large results.
    static let limit = 10.0

    /// Throws a clear error when reading `path` crashes or hangs the HDF5 library.
    static func verify(_ path: String, what: String = "file") throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        child.arguments = ["read-check", path]
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        // No crash report from the child: its crash is the answer.
        child.environment = ProcessInfo.processInfo.environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }
        do {
            try child.run()
        } catch {
            return  // cannot spawn (e.g. no /proc): read in-process as before
        }
        let deadline = Date().addingTimeInterval(limit)
        while child.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        if child.isRunning {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            throw fail("'\(path)': the HDF5 library did not finish reading this \(what) within \(Int(limit)) s: "
                       + "it is damaged", code: ExitStatus.ioFailure)
        }
        if child.terminationReason == .uncaughtSignal {
            throw fail("'\(path)': the HDF5 library crashed reading this \(what) (signal \(child.terminationStatus)): "
                       + "it is damaged", code: ExitStatus.ioFailure)
        }
    }
}

/// `pinn read-check FILE` (hidden): reads the variable-length data the other commands read from a result or
/// checkpoint file — the string attributes, the model, the checkpoint (fixed-size datasets do not touch the global
/// heap) — and exits 0 whatever the outcome, unless the HDF5 library crashes or hangs (see ``ReadGuard``).
struct ReadCheck: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "read-check", shouldDisplay: false)

    @Argument var file: String

    func run() throws {
        guard let h5 = try? HDF5File.open(file) else { return }
        for name in ["pinn_version", "created", "description", "problem_path", "problem_file", "pde", "fields",
                     "coordinates", "terms", "status", "stop_reason", "cpu", "blas_kernel", "blas_library",
                     "swift_version", "unknowns", "least_squares_solver", "kind"] {
            _ = try? h5.stringAttribute(name)
        }
        _ = try? h5.stringAttribute("stage_notes", on: "/history")
        _ = try? ResultFile.readModel(from: h5)
        h5.close()
        _ = try? CheckpointFile.read(file)
    }
}
