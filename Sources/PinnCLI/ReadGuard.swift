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
        // posix_spawn rather than Foundation's Process, which leaks its environment and pipes on Linux (found by
        // LeakSanitizer, which then changed the exit code of every command that read a file).
        guard let pid = spawnReadCheck(path) else { return }  // cannot spawn (e.g. no /proc): read in-process
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(limit)
        while waitpid(pid, &status, WNOHANG) == 0 {
            guard Date() < deadline else {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw fail("'\(path)': the HDF5 library did not finish reading this \(what) within \(Int(limit)) s: "
                           + "it is damaged", code: ExitStatus.ioFailure)
            }
            usleep(5_000)
        }
        // read-check exits 0 whatever the file holds: a signal, or another exit status (a sanitizer's report in
        // instrumented builds), means the library failed on it.
        let signal = status & 0x7F, exitStatus = (status >> 8) & 0xFF  // WTERMSIG, WEXITSTATUS
        if signal != 0 && signal != 0x7F || signal == 0 && exitStatus != 0 {
            let how = signal != 0 ? "signal \(signal)" : "exit status \(exitStatus)"
            throw fail("'\(path)': the HDF5 library crashed reading this \(what) (\(how)): it is damaged",
                       code: ExitStatus.ioFailure)
        }
    }

    /// Starts `pinn read-check path` with its output discarded and no crash report (its crash is the answer).
    private static func spawnReadCheck(_ path: String) -> pid_t? {
        let words: [String] = ["/proc/self/exe", "read-check", path]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        var environment: [UnsafeMutablePointer<CChar>?] = [strdup("SWIFT_BACKTRACE=enable=no")]
        var entry = environ
        while let variable = entry.pointee {
            if strncmp(variable, "SWIFT_BACKTRACE=", 16) != 0 { environment.append(strdup(variable)) }
            entry += 1
        }
        environment.append(nil)
        defer { (arguments + environment).forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/proc/self/exe", &actions, nil, arguments, environment) == 0 else { return nil }
        return pid
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
