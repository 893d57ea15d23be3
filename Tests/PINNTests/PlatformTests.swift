import Foundation
import XCTest
@testable import PINN

/// The choice of OpenBLAS kernels (a pure function of the loaded core, the CPU and the environment), the CPU
/// description, and the machine record in result files.
final class PlatformTests: CommandLineTestCase {
    private func cpu(_ level: CPU.VectorLevel, vendor: String = "GenuineIntel") -> CPU {
        CPU(vendor: vendor, brand: "test CPU", family: 6, model: 207, stepping: 2, vectorLevel: level)
    }

    func testFallbackKernelsAreReplacedByTheBestForTheInstructionSet() {
        let decide = BLASKernelSelection.decide
        XCTAssertEqual(decide("Prescott", cpu(.avx512), [:]), .select("SkylakeX"))
        XCTAssertEqual(decide("Prescott", cpu(.avx2), [:]), .select("Haswell"))
        XCTAssertEqual(decide("Core2", cpu(.avx2, vendor: "AuthenticAMD"), [:]), .select("Zen"))
        XCTAssertEqual(decide("Nehalem", cpu(.avx), [:]), .select("Sandybridge"))
        XCTAssertEqual(decide("Haswell", cpu(.avx512), [:]), .select("SkylakeX"))
        XCTAssertEqual(decide("Zen", cpu(.avx512, vendor: "AuthenticAMD"), [:]), .select("SkylakeX"))  // Zen 4
        // OpenBLAS's choice is kept when it is already the best, or newer, or a name pinn does not know.
        XCTAssertEqual(decide("SkylakeX", cpu(.avx512), [:]), .keep)
        XCTAssertEqual(decide("COOPERLAKE", cpu(.avx512), [:]), .keep)
        XCTAssertEqual(decide("Zen", cpu(.avx2, vendor: "AuthenticAMD"), [:]), .keep)
        XCTAssertEqual(decide("Haswell", cpu(.avx2, vendor: "AuthenticAMD"), [:]), .keep)
        XCTAssertEqual(decide("Prescott", cpu(.sse), [:]), .keep)
        XCTAssertEqual(decide("SomeFutureCore", cpu(.avx512), [:]), .keep)
    }

    func testTheUsersSettingAlwaysWinsAndNoLoopIsPossible() {
        let decide = BLASKernelSelection.decide
        // An explicit OPENBLAS_CORETYPE is never overridden, even a slow one, even when OpenBLAS did not know it.
        XCTAssertEqual(decide("Prescott", cpu(.avx512), ["OPENBLAS_CORETYPE": "Prescott"]), .userSetting)
        XCTAssertEqual(decide("Prescott", cpu(.avx512), ["OPENBLAS_CORETYPE": "NoSuchCore"]), .userSetting)
        XCTAssertEqual(decide("Prescott", cpu(.avx512), ["PINN_BLAS_AUTOSELECT": "0"]), .selectionSwitchedOff)
        // The re-executed process never re-executes again, whatever OpenBLAS then loaded.
        let ours = ["OPENBLAS_CORETYPE": "SkylakeX", "PINN_BLAS_SELECTED": "SkylakeX", "PINN_BLAS_DETECTED": "Prescott"]
        XCTAssertEqual(decide("SkylakeX", cpu(.avx512), ours), .alreadySelected("SkylakeX"))
        XCTAssertEqual(decide("Prescott", cpu(.avx512), ours), .alreadySelected("SkylakeX"))
        // A user who changes OPENBLAS_CORETYPE in a shell that still has pinn's marker is a user setting.
        var changed = ours
        changed["OPENBLAS_CORETYPE"] = "Haswell"
        XCTAssertEqual(decide("Haswell", cpu(.avx512), changed), .userSetting)
        // Applying the decision reaches a fixed point: after selecting, the next decision is "already selected".
        if case .select(let core) = decide("Prescott", cpu(.avx512), [:]) {
            XCTAssertEqual(decide(core, cpu(.avx512), ["OPENBLAS_CORETYPE": core, "PINN_BLAS_SELECTED": core]),
                           .alreadySelected(core))
        } else {
            XCTFail("expected a selection")
        }
    }

    /// The CPU description agrees with the kernel's view of the instruction sets (/proc/cpuinfo flags).
    func testCPUDescriptionMatchesTheOperatingSystem() throws {
        let current = CPU.current
        XCTAssertFalse(current.vendor.isEmpty)
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else {
            throw XCTSkip("no /proc/cpuinfo")
        }
        let flags = Set(flagsLine.split(separator: ":")[1].split(separator: " ").map(String.init))
        let expected: CPU.VectorLevel
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"].allSatisfy(flags.contains) {
            expected = .avx512
        } else if flags.contains("avx2") && flags.contains("fma") {
            expected = .avx2
        } else if flags.contains("avx") {
            expected = .avx
        } else {
            expected = .sse
        }
        XCTAssertEqual(current.vectorLevel, expected)
        if let model = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model\t") || $0.hasPrefix("model ") }) {
            XCTAssertEqual(Int(model.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)), current.model)
        }
    }

    /// `pinn solve` runs on the best kernels without the user setting anything, records the machine in the result
    /// file, and `pinn inspect` names the kernels; a user's OPENBLAS_CORETYPE wins.
    func testSolveRunsOnTheBestKernelsAndRecordsTheMachine() throws {
        let clean: [String: String?] = ["OPENBLAS_CORETYPE": ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], "PINN_BLAS_SELECTED": nil, "PINN_BLAS_DETECTED": nil,
                                        "PINN_BLAS_AUTOSELECT": nil]
        let out = scratch.appendingPathComponent("m.h5").path
        var run = try pinn(["solve", "problems/poisson-1d.json", "-o", out, "--iterations", "5", "--quiet"],
                           environment: clean)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertFalse(run.stderr.contains("warning"), run.stderr)
        var file = try HDF5File.open(out)
        let kernel = try file.stringAttribute("blas_kernel")
        // What OpenBLAS chose in this (test) process, which pinn did not re-execute.
        let detected = BLASKernel.current.core
        if BLASKernel.current.origin != .detected {
            XCTAssertTrue(kernel.hasPrefix(detected), "the test process's own OPENBLAS_CORETYPE was passed on: \(kernel)")
        } else if let best = BLASKernelSelection.bestCore(for: .current),
           let detectedLevel = BLASKernelSelection.level(ofCore: detected),
           let bestLevel = BLASKernelSelection.level(ofCore: best), detectedLevel < bestLevel {
            XCTAssertEqual(kernel, "\(best) (selected by pinn; OpenBLAS chose \(detected))")
        } else {
            XCTAssertEqual(kernel, "\(detected) (chosen by OpenBLAS)")
        }
        XCTAssertEqual(try file.stringAttribute("cpu"), CPU.current.description)
        XCTAssertTrue(try file.stringAttribute("blas_library").hasPrefix("OpenBLAS"))
        XCTAssertEqual(try file.numberAttribute("logical_cores"), Double(ProcessInfo.processInfo.activeProcessorCount))
        XCTAssertTrue(try file.stringAttribute("swift_version").hasPrefix("6."))
        file.close()
        let inspect = try pinn(["inspect", out])
        XCTAssertTrue(inspect.stdout.contains("  blas         \(kernel), OpenBLAS"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("  machine      \(CPU.current.description)"), inspect.stdout)

        var user = clean
        user["OPENBLAS_CORETYPE"] = "Sandybridge"
        run = try pinn(["solve", "problems/poisson-1d.json", "-o", out, "--iterations", "5", "--quiet"], environment: user)
        XCTAssertEqual(run.status, 0, run.stderr)
        file = try HDF5File.open(out)
        XCTAssertEqual(try file.stringAttribute("blas_kernel"), "Sandybridge (OPENBLAS_CORETYPE set by the user)")
        file.close()
    }
}
