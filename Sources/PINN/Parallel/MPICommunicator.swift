import CMPIShim
import Foundation

/// MPI_COMM_WORLD: the processes `mpirun -np R` or `srun` started. Available when pinn was built with the MPI trait
/// (`swift build -c release --traits MPI`, scripts/build-mpi.sh).
public final class MPICommunicator: Communicator, @unchecked Sendable {
    public let rank: Int
    public let size: Int

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// Whether this build can run over MPI.
    public static var isAvailable: Bool { pinn_mpi_available() != 0 }

    /// The MPI library's version string (empty without MPI).
    public static var library: String { String(cString: pinn_mpi_library()) }

    /// Whether the process was started by an MPI launcher with more than one process (Open MPI, MPICH/Hydra, PMIx,
    /// Slurm), read from the launchers' environment variables; works in builds without MPI, to say what is missing.
    public static var launchedProcesses: Int? {
        let environment = ProcessInfo.processInfo.environment
        for name in ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"] {
            if let value = environment[name].flatMap(Int.init), value > 0 { return value }
        }
        return nil
    }

    /// Initialises MPI (once) and returns the world communicator; nil when this build has no MPI or MPI_Init
    /// fails.
    public static func world() -> MPICommunicator? {
        guard isAvailable else { return nil }
        var rank: Int32 = 0, size: Int32 = 1
        guard pinn_mpi_init(&rank, &size) == 0 else { return nil }
        return MPICommunicator(rank: Int(rank), size: Int(size))
    }

    public func sum(_ values: UnsafeMutablePointer<Double>, count: Int) {
        check(pinn_mpi_sum(values, count), "sum")
    }

    public func maximum(_ values: UnsafeMutablePointer<Double>, count: Int) {
        check(pinn_mpi_max(values, count), "maximum")
    }

    public func broadcast(_ values: UnsafeMutablePointer<Double>, count: Int, root: Int) {
        check(pinn_mpi_broadcast(values, count, Int32(root)), "broadcast")
    }

    /// Ends every process of the job (after one of them found an error the others cannot see).
    public func abort(code: Int32) -> Never {
        pinn_mpi_abort(code)
        exit(code)
    }

    private func check(_ status: Int32, _ what: String) {
        // MPI's default error handler aborts the job first; this is for handlers that return.
        if status != 0 {
            FileHandle.standardError.write(Data("pinn: MPI \(what) failed on process \(rank)\n".utf8))
            abort(code: 1)
        }
    }
}
