import ArgumentParser
import Foundation
import PINN

@main
struct Pinn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pinn",
        abstract: "Physics-informed neural network PDE solver.",
        version: PINNVersion.current,
        subcommands: [Solve.self, Validate.self, Inspect.self, Eval.self, Compare.self, ReadCheck.self]
    )

    /// Runs on OpenBLAS's best kernels for this CPU (re-executing once when OpenBLAS fell back to older ones), then
    /// parses the command line.
    static func main() {
        BLASKernel.reexecuteWithBestKernelIfNeeded()
        main(nil)
    }
}

/// Exit codes, documented in docs/user-guide.md.
enum ExitStatus {
    /// A problem file, point file or option is wrong; nothing was written.
    static let invalidInput: Int32 = 2
    /// A result file could not be written or read.
    static let ioFailure: Int32 = 1
    /// Training diverged; the result file holds the last finite state.
    static let diverged: Int32 = 3
    /// Interrupted by Ctrl-C; the result file holds what was reached.
    static let interrupted: Int32 = 130
}

/// Prints `error: message` to standard error and exits with `code`.
func fail(_ message: String, code: Int32) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(code)
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}
