import ArgumentParser
import Foundation
import PINN

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a result with a reference solution on the reference's grid.",
        discussion: """
        The reference is HDF5 laid out like a result file: /grid/<coordinate> axes named as the result's coordinates \
        and /solution/<field> of shape (n_last, …, n_first); scripts/references/ writes such files. The trained \
        model is evaluated exactly at the reference grid's points (each point by its time window's network after \
        time marching). Prints each field's relative L2 and maximum error, and its relative L2 error over the last \
        coordinate (time).
        """)

    @Argument(help: "The result file (HDF5).")
    var result: String

    @Argument(help: "The reference file (HDF5).")
    var reference: String

    @Option(help: "Write each field's relative L2 error per slice of the last coordinate (time) to this CSV file.")
    var slices: String?

    func run() throws {
        let comparisons: [ReferenceComparison.FieldErrors]
        for path in [result, reference] where FileManager.default.fileExists(atPath: path) {
            try ReadGuard.verify(path, what: path == result ? "result file" : "reference file")
        }
        do {
            let h5 = try HDF5File.open(result)
            let model = try ResultFile.readModel(from: h5)
            let d = model.layout.inputDimension
            let coordinates = h5.hasAttribute("coordinates")
                ? try h5.stringAttribute("coordinates").split(separator: ",").map(String.init)
                : Array(["x", "y", "z"].prefix(d))
            let fields = h5.hasAttribute("fields") ? try h5.stringAttribute("fields").split(separator: ",").map(String.init) : ["u"]
            let file: HDF5File
            do {
                file = try HDF5File.open(reference)
            } catch {
                throw fail(error.description, code: ExitStatus.invalidInput)
            }
            do {
                comparisons = try ReferenceComparison.compare(model, coordinates: coordinates, fields: fields, reference: file)
            } catch {
                throw fail(error.description, code: ExitStatus.invalidInput)
            }
        } catch let error as HDF5Error {
            throw fail(error.description, code: ExitStatus.ioFailure)
        }
        for c in comparisons {
            print(String(format: "%@: relative L2 %.4e, max error %.4e on %d reference points", c.field,
                         c.metrics.relativeL2, c.metrics.maxError, c.pointCount))
            let defined = c.sliceErrors.indices.filter { !c.sliceErrors[$0].isNaN }
            if let worst = defined.max(by: { c.sliceErrors[$0] < c.sliceErrors[$1] }) {
                print(String(format: "  per slice of the last coordinate: %.3e at %g, %.3e at %g, worst %.3e at %g",
                             c.sliceErrors.first!, c.sliceAxis.first!, c.sliceErrors.last!, c.sliceAxis.last!,
                             c.sliceErrors[worst], c.sliceAxis[worst]))
            }
        }
        guard let slices else { return }
        if let problem = OutputPath.problem(slices) { throw fail(problem, code: ExitStatus.invalidInput) }
        var csv = "t," + comparisons.map { "rel_l2_" + $0.field }.joined(separator: ",") + "\n"
        for (i, t) in comparisons[0].sliceAxis.enumerated() {
            csv += "\(t)," + comparisons.map { String(format: "%.6e", $0.sliceErrors[i]) }.joined(separator: ",") + "\n"
        }
        do {
            try csv.write(toFile: slices, atomically: true, encoding: .utf8)
        } catch {
            throw fail("cannot write '\(slices)': \(error.localizedDescription)", code: ExitStatus.ioFailure)
        }
    }
}
