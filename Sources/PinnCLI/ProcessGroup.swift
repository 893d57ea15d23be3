import ArgumentParser
import Foundation
import PINN

/// The processes of a `pinn solve` run: one, or all those `mpirun`/`srun` started (with an MPI build). Process 0
/// prints and writes; errors found by one process end all of them.
enum ProcessGroup {
    /// MPI's world when this is an MPI build started by an MPI launcher, else one process. An MPI launch of a build
    /// without MPI is refused (each process would otherwise train alone and write the same file).
    static func start() throws -> any Communicator {
        let launched = MPICommunicator.launchedProcesses
        if launched != nil, MPICommunicator.isAvailable {
            guard let world = MPICommunicator.world() else {
                throw fail("MPI_Init failed (started by an MPI launcher with \(launched!) processes)", code: ExitStatus.ioFailure)
            }
            return world
        }
        if let launched, launched > 1 {
            throw fail("this pinn was started as one of \(launched) MPI processes but was built without MPI; build the "
                       + "MPI-enabled pinn with scripts/build-mpi.sh (swift build -c release --traits MPI) and launch "
                       + "that executable", code: ExitStatus.invalidInput)
        }
        return SerialCommunicator.shared
    }

    /// Ends every process when any of them has a problem (each prints its own message; on process 0 alone in
    /// practice, which checks what it writes), all with exit code `code`.
    static func stopIfAny(_ problem: String?, code: Int32, in group: any Communicator) throws {
        guard group.any(problem != nil) else { return }
        if let problem { printError("error: \(problem)") }
        throw ExitCode(code)
    }

    /// Refuses a run whose processes read different problem files (e.g. an edited file on one node).
    static func checkSameProblem(_ text: String, file: String, in group: any Communicator) throws {
        guard group.size > 1, !group.agree(on: Fingerprint.of(text)) else { return }
        if group.isRoot {
            printError("error: \(file): the \(group.size) processes read different problem files (the text differs "
                       + "between them); give every process the same file")
        }
        throw ExitCode(ExitStatus.invalidInput)
    }
}
