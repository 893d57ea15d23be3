import ArgumentParser
import Foundation
import PINN

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a trained network from a result file at new points.",
        discussion: """
        The points file is CSV with one point per line and one column per coordinate (x or x,y); a first line of \
        column names is skipped. The output is CSV: the coordinates, every field (u, or the problem's fields), and \
        with --derivatives each field's first and second derivatives, mixed ones included (u_x, u_y, u_xx, u_xy, \
        u_yy, then v_x, …).
        """)

    @Argument(help: "The result file (HDF5).")
    var file: String

    @Option(help: "CSV file of points.")
    var points: String

    @Option(name: .shortAndLong, help: "Write the CSV here instead of standard output.")
    var output: String?

    @Flag(help: "Also output every field's first and second derivatives (mixed ones included).")
    var derivatives = false

    func run() throws {
        let model: TrainedModel
        var fields = ["u"], axisNames: [String]?
        if FileManager.default.fileExists(atPath: file) { try ReadGuard.verify(file, what: "result file") }
        do {
            let h5 = try HDF5File.open(file)
            model = try ResultFile.readModel(from: h5)
            if h5.hasAttribute("fields") { fields = try h5.stringAttribute("fields").split(separator: ",").map(String.init) }
            if h5.hasAttribute("coordinates") {
                axisNames = try h5.stringAttribute("coordinates").split(separator: ",").map(String.init)
            }
        } catch {
            throw fail(error.description, code: ExitStatus.ioFailure)
        }
        let d = model.layout.inputDimension
        let coordinates: [Double]
        do {
            coordinates = try PointsCSV.read(points, dimension: d)
        } catch {
            throw fail(error.description, code: ExitStatus.invalidInput)
        }
        let streams: DerivativeStreams = derivatives ? .hessian : .value
        guard fields.count == model.layout.outputDimension else {
            throw fail("\(file): names \(fields.count) fields but the network has \(model.layout.outputDimension) outputs",
                       code: ExitStatus.ioFailure)
        }
        let names = axisNames ?? Array(["x", "y", "z"].prefix(d))
        // [field][stream][point], flattened to one column per field and stream.
        // Time-marched results: each point evaluated by the network of its time window.
        let values = model.evaluateFields(at: coordinates, streams: streams).flatMap { $0 }
        var header = names
        for field in fields {
            header.append(field)
            if derivatives {
                header += names.map { "\(field)_\($0)" }
                header += DerivativeStreams.hessianPairs(dimension: d).map { "\(field)_\(names[$0.0])\(names[$0.1])" }
            }
        }
        var out = header.joined(separator: ",") + "\n"
        for p in 0..<(coordinates.count / d) {
            let row = coordinates[(p * d)..<(p * d + d)].map { "\($0)" } + values.map { String(format: "%.17g", $0[p]) }
            out += row.joined(separator: ",") + "\n"
        }
        if let output {
            if let problem = OutputPath.problem(output) { throw fail(problem, code: ExitStatus.invalidInput) }
            do {
                try out.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw fail("cannot write '\(output)': \(error.localizedDescription)", code: ExitStatus.ioFailure)
            }
        } else {
            print(out, terminator: "")
        }
    }
}
