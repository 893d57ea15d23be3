import CBLAS
import Foundation

/// Which OpenBLAS kernels this process runs, and the choice of better ones when OpenBLAS falls back.
///
/// Debian 12's OpenBLAS 0.3.21 picks its kernels from the CPU model when the library is loaded and falls back to its
/// oldest x86-64 kernels ("Prescott", SSE3) on CPUs it does not know, such as recent Xeons with AVX-512: pinn's
/// iterations then take 2–3× as long. OpenBLAS reads `OPENBLAS_CORETYPE` only while it loads, so the `pinn` command
/// re-executes itself once with the variable set (``reexecuteWithBestKernelIfNeeded()``); a program that embeds the
/// library can call that function first thing in `main`, or set the variable before it starts.
public struct BLASKernel: Sendable, CustomStringConvertible {
    /// How the kernels in use were chosen.
    public enum Origin: Sendable, Equatable {
        /// OpenBLAS's own choice from the CPU model.
        case detected
        /// `OPENBLAS_CORETYPE` set by the user (always respected).
        case userSetting
        /// OpenBLAS's own choice kept because the user set `PINN_BLAS_AUTOSELECT=0`.
        case selectionSwitchedOff
        /// Chosen by pinn after OpenBLAS had chosen `detected`.
        case selectedByPinn(detected: String)
    }

    /// OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64".
    public var library: String
    /// The kernel set ("core") in use, e.g. "SkylakeX".
    public var core: String
    public var origin: Origin
    /// The best kernel set this OpenBLAS has for the CPU, if pinn knows one.
    public var bestCore: String?

    /// The kernels of this process.
    public static let current: BLASKernel = {
        let core = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        let library = openblas_get_config().map { String(cString: $0) } ?? "unknown BLAS"
        let environment = ProcessInfo.processInfo.environment
        let origin: Origin
        switch BLASKernelSelection.decide(loadedCore: core, cpu: .current, environment: environment) {
        case .userSetting: origin = .userSetting
        case .selectionSwitchedOff: origin = .selectionSwitchedOff
        case .alreadySelected: origin = .selectedByPinn(detected: environment[BLASKernelSelection.detectedVariable] ?? "?")
        case .keep, .select: origin = .detected
        }
        return BLASKernel(library: library, core: core, origin: origin,
                          bestCore: BLASKernelSelection.bestCore(for: .current))
    }()

    public init(library: String, core: String, origin: Origin, bestCore: String?) {
        self.library = library
        self.core = core
        self.origin = origin
        self.bestCore = bestCore
    }

    /// Whether the kernels in use are for an older instruction set than the CPU runs (pinn then runs slower).
    public var isSlowerThanTheCPUAllows: Bool {
        guard let level = BLASKernelSelection.level(ofCore: core), let best = bestCore,
              let bestLevel = BLASKernelSelection.level(ofCore: best) else { return false }
        return level < bestLevel
    }

    /// "SkylakeX (selected by pinn; OpenBLAS chose Prescott)".
    public var description: String {
        switch origin {
        case .detected: return "\(core) (chosen by OpenBLAS)"
        case .userSetting: return "\(core) (OPENBLAS_CORETYPE set by the user)"
        case .selectionSwitchedOff: return "\(core) (chosen by OpenBLAS; PINN_BLAS_AUTOSELECT=0)"
        case .selectedByPinn(let detected): return "\(core) (selected by pinn; OpenBLAS chose \(detected))"
        }
    }

    /// Re-executes the running program once with `OPENBLAS_CORETYPE` set to the best kernels for this CPU when
    /// OpenBLAS chose older ones. Does nothing when the user set `OPENBLAS_CORETYPE` (or `PINN_BLAS_AUTOSELECT=0`),
    /// when OpenBLAS's choice is already the best, or in the re-executed process itself (so no loop is possible).
    /// Call it before anything else: threads and open files do not survive `execv`. Returns only if it did not
    /// re-execute (or `execv` failed, which leaves the process as it was).
    public static func reexecuteWithBestKernelIfNeeded() {
        let environment = ProcessInfo.processInfo.environment
        guard let loaded = openblas_get_corename().map({ String(cString: $0) }),
              case .select(let core) = BLASKernelSelection.decide(loadedCore: loaded, cpu: .current,
                                                                  environment: environment) else { return }
        setenv(BLASKernelSelection.coreTypeVariable, core, 1)
        setenv(BLASKernelSelection.selectedVariable, core, 1)
        setenv(BLASKernelSelection.detectedVariable, loaded, 1)
        fflush(nil)  // every output stream: nothing printed so far may be lost by execv
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        for name in [BLASKernelSelection.coreTypeVariable, BLASKernelSelection.selectedVariable,
                     BLASKernelSelection.detectedVariable] { unsetenv(name) }
    }

    /// Prints, once per process, a note on standard error when the BLAS kernels are slower than the CPU allows
    /// and the user did not choose them. Called by ``Solver``.
    public static func warnOnceIfSlow() { _ = slowKernelWarning }

    private static let slowKernelWarning: Void = {
        let kernel = BLASKernel.current
        guard kernel.isSlowerThanTheCPUAllows, kernel.origin == .detected || kernel.origin.isSelectedByPinn,
              let best = kernel.bestCore else { return }
        FileHandle.standardError.write(Data(("pinn: warning: OpenBLAS runs its \(kernel.core) kernels on this "
            + "\(CPU.current); its \(best) kernels are faster here. Set OPENBLAS_CORETYPE=\(best) before the program "
            + "starts, or call BLASKernel.reexecuteWithBestKernelIfNeeded() first in main (the pinn command does).\n")
            .utf8))
    }()
}

/// The decision of which OpenBLAS kernels to run, as a pure function of what OpenBLAS loaded, the CPU and the
/// environment (tested on its own).
public enum BLASKernelSelection {
    /// Read by OpenBLAS when it loads.
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"
    /// Set by pinn with the core it selected, so the re-executed process knows `OPENBLAS_CORETYPE` is pinn's.
    public static let selectedVariable = "PINN_BLAS_SELECTED"
    /// Set by pinn with OpenBLAS's own choice before the re-execution.
    public static let detectedVariable = "PINN_BLAS_DETECTED"
    /// `PINN_BLAS_AUTOSELECT=0` keeps OpenBLAS's own choice.
    public static let switchVariable = "PINN_BLAS_AUTOSELECT"

    public enum Decision: Sendable, Equatable {
        /// OpenBLAS's choice is the best pinn knows for this CPU, or pinn does not know the loaded core's name.
        case keep
        /// The user set `OPENBLAS_CORETYPE`: never overridden.
        case userSetting
        /// The user set `PINN_BLAS_AUTOSELECT=0`.
        case selectionSwitchedOff
        /// This process was re-executed by pinn with this core: never again.
        case alreadySelected(String)
        /// Re-execute with `OPENBLAS_CORETYPE` set to this core.
        case select(String)
    }

    /// The instruction-set level of each x86-64 kernel set ("core") of OpenBLAS 0.3.x's DYNAMIC_ARCH builds.
    static let coreLevels: [String: CPU.VectorLevel] = {
        var levels: [String: CPU.VectorLevel] = [:]
        for name in ["katmai", "coppermine", "northwood", "prescott", "banias", "core2", "penryn", "dunnington",
                     "nehalem", "atom", "athlon", "opteron", "opteron_sse3", "barcelona", "bobcat", "nano"] {
            levels[name] = .sse
        }
        for name in ["sandybridge", "bulldozer", "piledriver", "steamroller", "excavator"] { levels[name] = .avx }
        for name in ["haswell", "zen"] { levels[name] = .avx2 }
        for name in ["skylakex", "cooperlake", "sapphirerapids"] { levels[name] = .avx512 }
        return levels
    }()

    /// The level of a core name (case-insensitive), nil for names pinn does not know.
    public static func level(ofCore name: String) -> CPU.VectorLevel? { coreLevels[name.lowercased()] }

    /// The kernel set pinn selects for a CPU's vector level. Debian's OpenBLAS 0.3.21 has no Cooperlake or
    /// SapphireRapids kernels ("Core not found"); SkylakeX is its AVX-512 set, which later OpenBLAS releases also
    /// run on Zen 4. AMD CPUs with AVX2 get Zen, Intel ones Haswell (the same double-precision kernels).
    public static func bestCore(for cpu: CPU) -> String? {
        switch cpu.vectorLevel {
        case .avx512: return "SkylakeX"
        case .avx2: return cpu.vendor == "AuthenticAMD" ? "Zen" : "Haswell"
        case .avx: return "Sandybridge"
        case .sse: return nil
        }
    }

    public static func decide(loadedCore: String, cpu: CPU, environment: [String: String]) -> Decision {
        if let selected = environment[selectedVariable], environment[coreTypeVariable] == selected {
            return .alreadySelected(selected)
        }
        if environment[coreTypeVariable] != nil { return .userSetting }
        if environment[switchVariable] == "0" { return .selectionSwitchedOff }
        guard let loadedLevel = level(ofCore: loadedCore), let best = bestCore(for: cpu),
              let bestLevel = level(ofCore: best), loadedLevel < bestLevel else { return .keep }
        return .select(best)
    }
}

extension BLASKernel.Origin {
    var isSelectedByPinn: Bool {
        if case .selectedByPinn = self { return true }
        return false
    }
}
