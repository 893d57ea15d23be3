import ArgumentParser
import Foundation
import PINN

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Summarise a result file.")

    @Argument(help: "The result file (HDF5).")
    var file: String

    func run() throws {
        if FileManager.default.fileExists(atPath: file) { try ReadGuard.verify(file, what: "result file") }
        do {
            let h5 = try HDF5File.open(file)
            func text(_ name: String) -> String { (try? h5.stringAttribute(name)) ?? "?" }
            func number(_ name: String) -> Double { (try? h5.numberAttribute(name)) ?? .nan }
            // A model with a hard constraint defined in Swift cannot be rebuilt, but can still be described.
            let model = try? ResultFile.readModel(from: h5)
            let network = model?.networks.first
            var lines = ["\(file)  (pinn \(text("pinn_version")), \(text("created")))"]
            let description = text("description")
            if !description.isEmpty && description != "?" { lines.append("  \(description)") }
            lines.append("  problem      \(text("problem_path")): \(text("pde"))")
            let widths = (network?.layout.hiddenWidths ?? []).map(String.init).joined(separator: "→")
            let acts = network?.activations.map { $0.terms.map(\.function.rawValue).joined(separator: "+") } ?? ["?"]
            let parameters = model.map { $0.networks.count * $0.layout.parameterCount } ?? 0
            let d = network?.layout.inputDimension ?? 0
            let listed = text("fields") == "?" ? [] : text("fields").split(separator: ",").map(String.init)
            let fields = listed.isEmpty ? ["u"] : listed
            if fields.count > 1 { lines.append("  fields       \(fields.joined(separator: ", "))") }
            if let terms = try? h5.stringAttribute("terms"), !terms.isEmpty {
                for term in terms.split(separator: "\n") { lines.append("  term         \(term)") }
            }
            lines.append("  network      \(d)→\(widths)→\(fields.count), activation \(Set(acts).sorted().joined(separator: ", ")), \(parameters) parameters"
                         + (network?.layout.residual == true ? ", residual blocks" : ""))
            let coordinates = text("coordinates") == "?" ? [] : text("coordinates").split(separator: ",").map(String.init)
            for c in network?.layout.embedding?.coordinates ?? [] {
                let name = c.index < coordinates.count ? coordinates[c.index] : "coordinate \(c.index)"
                lines.append(String(format: "  periodic     %@ with period %g (%d harmonic%@ in the input embedding)",
                                    name, c.period, c.harmonics, c.harmonics == 1 ? "" : "s"))
            }
            if let t = try? h5.read("/grid/t").values, let first = t.first, let last = t.last {
                lines.append(String(format: "  time         [%g, %g], %d output slices", first, last, t.count))
            }
            if let edges = model?.windowEdges, edges.count > 2 {
                lines.append("  windows      \(edges.count - 1) time windows (time marching), edges "
                             + edges.map { String(format: "%g", $0) }.joined(separator: ", "))
            }
            if let constraint = try? h5.stringAttribute("output_constraint", on: "/model"), constraint != "none" {
                lines.append("  constraint   \(constraint)")
            }
            lines.append("  machine      \(text("cpu")), \(whole(number("logical_cores"))) logical cores")
            lines.append("  blas         \(text("blas_kernel")), \(text("blas_library"))")
            lines.append("  built with   pinn \(text("pinn_version")), Swift \(text("swift_version"))")
            lines.append("  status       \(text("status")) (\(text("stop_reason"))), seed \(whole(number("seed"))), \(whole(number("threads"))) thread(s)")
            lines.append(String(format: "  iterations   %@ in %.2f s, %.3f ms/iteration (median %.3f, fastest %.3f)",
                                whole(number("iterations")), number("training_time_s"), number("ms_per_iteration"),
                                number("median_ms_per_iteration"), number("fastest_ms_per_iteration")))
            lines.append(String(format: "  final loss   %.4e", number("final_loss")))
            if h5.hasAttribute("least_squares_solver") {
                let ranks = ((try? h5.numberArrayAttribute("feature_erank")) ?? []).map { whole($0) }.joined(separator: "/")
                lines.append(String(format: "  least sq.    %@: %@ × %@, rank %@ (cut-off %g), condition %.3g, residual norm %.4g, solve %.3f s",
                                    text("least_squares_solver"), whole(number("least_squares_rows")),
                                    whole(number("least_squares_columns")), whole(number("least_squares_rank")),
                                    number("least_squares_cutoff"), number("least_squares_condition"),
                                    number("least_squares_residual_norm"), number("least_squares_solve_seconds"))
                             + (ranks.isEmpty ? "" : "; feature ε-rank \(ranks) (ε = 0.1/0.01/0.001/0.0001)"))
            }
            if h5.exists("/checkpoint") {
                let at = (try? h5.numberAttribute("iteration", on: "/checkpoint")).map(whole) ?? "?"
                let stage = (try? h5.numberAttribute("stage", on: "/checkpoint")).map { whole($0 + 1) } ?? "?"
                let optimizer = (try? h5.stringAttribute("optimizer", on: "/checkpoint")) ?? "?"
                lines.append("  checkpoint   iteration \(at), stage \(stage) (\(optimizer)): continue with "
                             + "pinn solve \(text("problem_path")) --resume \(file)")
            }
            if let notes = try? h5.stringAttribute("stage_notes", on: "/history"), !notes.isEmpty {
                for note in notes.split(separator: "\n") { lines.append("  stage        \(note)") }
            }
            if let names = try? h5.stringAttribute("unknowns"), !names.isEmpty {
                let initial = (try? h5.numberArrayAttribute("unknown_initial_values")) ?? []
                let values = names.split(separator: ",").enumerated().map { j, name in
                    var start = j < initial.count ? String(format: " (from %g", initial[j]) : " ("
                    if let range = network?.unknownRange(j), range != .unbounded { start += ", \(range)" }
                    start += ")"
                    return String(format: "%@ = %.10g", String(name), number("unknown_\(name)")) + start
                }
                lines.append("  unknowns     " + values.joined(separator: ", "))
            }
            let rel = number("final_rel_l2")
            if rel.isFinite {
                lines.append(String(format: "  errors       relative L2 %.4e, max %.4e (on the output grid)", rel, number("final_max_error")))
            }
            for field in fields where fields.count > 1 && number("final_rel_l2_\(field)").isFinite {
                lines.append(String(format: "  error %@  relative L2 %.4e, max %.4e", field.padding(toLength: 6, withPad: " ", startingAt: 0),
                                    number("final_rel_l2_\(field)"), number("final_max_error_\(field)")))
            }
            let interior = try h5.read("/collocation/interior").shape
            let boundary = try h5.read("/collocation/boundary").shape
            lines.append("  collocation  \(interior.first ?? 0) interior, \(boundary.first ?? 0) boundary points")
            if h5.exists("/history/erank") {
                let ranks = try h5.read("/history/erank")
                let iterations = try h5.read("/history/erank_iteration").values
                let epsilons = (try? epsilonList(h5)) ?? []
                let e = ranks.shape.count == 2 ? ranks.shape[1] : 1
                let first = ranks.values.prefix(e).map { whole($0) }.joined(separator: "/")
                let last = ranks.values.suffix(e).map { whole($0) }.joined(separator: "/")
                lines.append("  ε-rank       last hidden layer, ε = \(epsilons.map { String(format: "%g", $0) }.joined(separator: "/")): "
                             + "\(first) at iteration \(whole(iterations.first ?? 0)) → \(last) at iteration \(whole(iterations.last ?? 0))")
            }
            let u = try h5.read("/solution/" + fields[0]).shape
            lines.append("  grid         \(u.map(String.init).joined(separator: " × ")), history \(try h5.read("/history/iteration").values.count) records")
            print(lines.joined(separator: "\n"))
        } catch {
            throw fail(error.description, code: ExitStatus.ioFailure)
        }
    }

    private func epsilonList(_ h5: HDF5File) throws -> [Double] {
        try h5.numberArrayAttribute("epsilons", on: "/history/erank")
    }
}

/// A whole number read from a result file, printed without trapping when the file holds something else (a corrupted
/// or foreign file: NaN, fractions, values beyond Int).
func whole(_ x: Double) -> String {
    x.isFinite && x == x.rounded() && abs(x) < 9e18 ? String(Int64(x)) : String(x)
}
