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
        do {
            problemFile = try ProblemFile.load(path: file)
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
              + "\(c.interiorPoints) interior points, \(iterations) iterations in \(c.stages.count) stage\(c.stages.count == 1 ? "" : "s")"
              + (problemFile.problem.exactSolutions.allSatisfy { $0 == nil } ? ", no exact solution (no error metrics)" : ""))
    }

    private func dimensionText(_ domain: any Domain) -> String {
        if let spaceTime = domain as? SpaceTime {
            return "\(spaceTime.space.dimension)D × time [\(spaceTime.start), \(spaceTime.end)]"
        }
        return "\(domain.dimension)D"
    }
}
