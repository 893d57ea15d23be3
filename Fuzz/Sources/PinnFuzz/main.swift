import CFuzzerDriver
import Foundation
import PINN

// pinn-fuzz TARGET [libFuzzer options and corpus folders]: feeds libFuzzer's inputs to one of pinn's readers. Any
// crash, trap, leak of a sanitizer finding, or input slower than -timeout is a finding; thrown errors (bad input
// refused with a message) are the expected outcome. Built and run by scripts/fuzz.sh.

/// The readers under test: each takes one input and must return (or throw) for every byte string.
let targets: [String: (Data) -> Void] = [
    // The JSON parser (problem files are JSON).
    "json": { data in _ = try? JSONParser.parse(String(decoding: data, as: UTF8.self)) },
    // The formula parser, then evaluation on numbers and on second-order dual numbers (the engine's path for
    // derivatives of exact solutions and forcings), and printing.
    "formula": { data in
        let text = String(decoding: data, as: UTF8.self)
        guard let formula = try? Formula(text, dimension: 2, parameters: ["k": 2.5]) else { return }
        _ = formula([0.25, -0.75])
        _ = formula([Double.infinity, 0])
        let x = HyperDual(Dual(0.25, derivative: 1), derivative: Dual(1, derivative: 0))
        let y = HyperDual(constant: Dual(constant: -0.75))
        _ = formula([x, y])
        _ = formula.description
    },
    // The problem-file loader and the solver's checks of the configuration against the problem (no training).
    "problem": { data in
        guard let file = try? ProblemFile.parse(String(decoding: data, as: UTF8.self), path: "fuzz.json") else { return }
        _ = try? Solver(problem: file.problem, configuration: file.configuration)
    },
    // The points file of `pinn eval`.
    "csv": { data in _ = try? PointsCSV.parse(String(decoding: data, as: UTF8.self), name: "fuzz.csv", dimension: 2) },
    // Result and checkpoint files, as `pinn inspect`, `eval` and `solve --resume` read them.
    "result": { data in
        let path = scratchFile
        guard FileManager.default.createFile(atPath: path, contents: data) else { return }
        _ = try? ResultFile.readModel(path: path)
        _ = try? CheckpointFile.read(path)
        if let file = try? HDF5File.open(path) {
            for name in ["pinn_version", "problem_file", "status", "cpu", "terms"] { _ = try? file.stringAttribute(name) }
            for name in ["final_rel_l2", "iterations", "seed"] { _ = try? file.numberAttribute(name) }
            _ = try? file.read("/history/loss")
            _ = try? file.numberArrayAttribute("hidden_widths", on: "/model")
            file.close()
        }
    },
]

/// Where the result target writes its input (HDF5 reads files): one per process, in memory when /dev/shm exists.
let scratchFile = (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
    + "/pinn-fuzz-\(getpid()).h5"

// The target is the first argument, or PINN_FUZZ_TARGET (libFuzzer's -fork mode restarts the program with its own
// options only: the variable carries the target to those children).
var arguments = CommandLine.arguments
var name = ProcessInfo.processInfo.environment["PINN_FUZZ_TARGET"]
if arguments.count >= 2, targets[arguments[1]] != nil { name = arguments.remove(at: 1) }
guard let name, let target = targets[name] else {
    FileHandle.standardError.write(Data("""
        usage: pinn-fuzz TARGET [libFuzzer options] [CORPUS …]
        targets: \(targets.keys.sorted().joined(separator: ", "))

        """.utf8))
    exit(2)
}
setenv("PINN_FUZZ_TARGET", name, 1)
nonisolated(unsafe) var selected = target
let callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32 = { data, size in
    selected(data.map { Data(bytes: $0, count: size) } ?? Data())
    return 0
}
// libFuzzer reads its own options; the target name is ours.
var libFuzzerArguments = arguments
var cArguments: [UnsafeMutablePointer<CChar>?] = libFuzzerArguments.map { strdup($0) } + [nil]
var argc = Int32(libFuzzerArguments.count)
let status = cArguments.withUnsafeMutableBufferPointer { buffer -> Int32 in
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
    return LLVMFuzzerRunDriver(&argc, &argv, callback)
}
try? FileManager.default.removeItem(atPath: scratchFile)
exit(status)
