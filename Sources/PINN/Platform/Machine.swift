import Foundation

/// The machine a result was computed on, as recorded in result files and shown by `pinn inspect`.
public struct Machine: Sendable, Equatable {
    /// The CPU's brand string, vendor, family, model, stepping and vector level.
    public var cpu: String
    /// Logical cores the operating system makes available to this process.
    public var logicalCores: Int
    /// The BLAS library's build description.
    public var blasLibrary: String
    /// The kernel set it runs and how that was chosen, e.g. "SkylakeX (selected by pinn; OpenBLAS chose Prescott)".
    public var blasKernel: String
    public var pinnVersion: String
    /// The version of the Swift compiler pinn was built with.
    public var swiftVersion: String

    public init(cpu: String, logicalCores: Int, blasLibrary: String, blasKernel: String, pinnVersion: String,
                swiftVersion: String) {
        self.cpu = cpu
        self.logicalCores = logicalCores
        self.blasLibrary = blasLibrary
        self.blasKernel = blasKernel
        self.pinnVersion = pinnVersion
        self.swiftVersion = swiftVersion
    }

    /// This process's machine.
    public static var current: Machine {
        Machine(cpu: CPU.current.description, logicalCores: ProcessInfo.processInfo.activeProcessorCount,
                blasLibrary: BLASKernel.current.library, blasKernel: BLASKernel.current.description,
                pinnVersion: PINNVersion.current, swiftVersion: compilerVersion)
    }

    /// The compiler version, to the patch release this chain knows (checked at compile time).
    static var compilerVersion: String {
        #if compiler(>=7.0)
        return "7.0 or later"
        #elseif compiler(>=6.4)
        return "6.4"
        #elseif compiler(>=6.3.1)
        return "6.3.1"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }
}
