import ArgumentParser
import Foundation
import PINN

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a problem file without training and say what is wrong.")

    @Argument(help: "The problem file (JSON).")
    var file: String

    func run() throws {
        let problemFile: ProblemFile
        do throws(ProblemFileError) {
            let text = try ProblemFile.readText(path: file)
            if let runs = try ProblemSweep.runs(in: text, path: file) {
                // A parameter study: every run must be valid; the first is described.
                for index in runs.indices.dropFirst() {
                    do {
                        _ = try ProblemFile.parse(try ProblemSweep.variant(text, path: file, index: index).text, path: file)
                    } catch {
                        throw ProblemFileError(file: file, path: "sweep",
                                               message: "run \(index) (\(runs[index].label)): \(error.description)")
                    }
                }
                print("\(file): a parameter study of \(runs.count) runs (solve each with --sweep-index 0 … \(runs.count - 1)); run 0:")
                problemFile = try ProblemFile.parse(try ProblemSweep.variant(text, path: file, index: 0).text, path: file)
            } else {
                problemFile = try ProblemFile.parse(text, path: file)
            }
        } catch {
            throw fail(error.description, code: ExitStatus.invalidInput)
        }
        let c = problemFile.configuration
        let iterations = c.stages.reduce(0) { $0 + $1.iterations }
        for warning in problemFile.warnings { printError("warning: " + warning) }
        print("\(file): valid")
        let fields = problemFile.problem.fields
        print("  \(fields.count > 1 ? "fields " + fields.joined(separator: ", ") + "; " : "")"
              + "\(problemFile.problem.equation), \(dimensionText(problemFile.problem.domain)), "
              + "network \(c.hiddenWidths.map(String.init).joined(separator: "×")), "
              + "\(c.interiorPoints) interior points, " + schedule(c, iterations: iterations)
              + extras(problemFile)
              + (problemFile.problem.exactSolutions.allSatisfy { $0 == nil } ? ", no exact solution (no error metrics)" : ""))
    }

    private func schedule(_ c: SolverConfiguration, iterations: Int) -> String {
        if let ls = c.leastSquares { return "least squares (\(ls.method.rawValue), cut-off \(ls.cutoff))" }
        let windows = c.timeWindows.count > 2 ? " per window × \(c.timeWindows.count - 1) time windows" : ""
        return "\(iterations) iterations in \(c.stages.count) stage\(c.stages.count == 1 ? "" : "s")\(windows)"
    }

    private func extras(_ file: ProblemFile) -> String {
        let names = file.problem.domain.coordinateNames
        var parts = file.problem.periodic.map { ", periodic in \(names[$0.index]) (period \($0.period), \($0.harmonics) harmonic\($0.harmonics == 1 ? "" : "s"))" }
        if let causal = file.configuration.causal { parts.append(", causal weighting over \(causal.slices) time slices") }
        if !file.configuration.partitionCounts.isEmpty {
            parts.append(", partition of unity \(file.configuration.partitionCounts.map(String.init).joined(separator: " × "))")
        }
        if file.configuration.residualBlocks { parts.append(", residual blocks") }
        return parts.joined()
    }

    private func dimensionText(_ domain: any Domain) -> String {
        if let spaceTime = domain as? SpaceTime {
            return "\(spaceTime.space.dimension)D × time [\(spaceTime.start), \(spaceTime.end)]"
        }
        return "\(domain.dimension)D"
    }
}
