/// A trained model against a reference solution on the reference's own grid (e.g. from
/// `scripts/references/burgers.py`): the model is evaluated exactly at the reference's grid points, no
/// interpolation.
///
/// A reference file is HDF5 with the layout of pinn's result files: one axis per coordinate under /grid (named as
/// the result's coordinates: /grid/x, /grid/t, …) and each field under /solution with shape (n_last, …, n_first),
/// the first coordinate varying fastest (for space-time: (nt, nx) or (nt, ny, nx)).
public enum ReferenceComparison {
    /// One field's errors: over the whole grid, and the relative L2 error of each slice of the last coordinate
    /// (each time for a space-time problem).
    public struct FieldErrors: Sendable {
        public let field: String
        public let metrics: ErrorMetrics
        /// The number of reference points compared (NaN ones left out).
        public let pointCount: Int
        /// The last coordinate's axis and the relative L2 error on each of its slices.
        public let sliceAxis: [Double]
        public let sliceErrors: [Double]
    }

    /// Why a comparison cannot be made.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Compares `model` (with the given coordinate and field names) with the reference file's fields; fields the
    /// reference lacks are skipped, and none in common is an error.
    public static func compare(_ model: TrainedModel, coordinates: [String], fields: [String],
                               reference file: HDF5File) throws(Failure) -> [FieldErrors] {
        let d = model.layout.inputDimension
        guard coordinates.count == d else {
            throw Failure(description: "the model takes \(d) coordinates but \(coordinates.count) are named")
        }
        var axes: [[Double]] = []
        for name in coordinates {
            guard file.exists("/grid/\(name)"), let axis = try? file.read("/grid/\(name)").values, !axis.isEmpty,
                  axis.allSatisfy(\.isFinite) else {
                throw Failure(description: "'\(file.path)': no finite axis /grid/\(name) (the model's coordinates are \(coordinates.joined(separator: ", ")))")
            }
            axes.append(axis)
        }
        let counts = axes.map(\.count), total = counts.reduce(1, *)
        guard total <= 50_000_000 else {
            throw Failure(description: "'\(file.path)': the reference grid has \(total) points; at most 50 million are compared")
        }
        let points = Box.tensorPoints(axes: axes)
        var result: [FieldErrors] = []
        var predictions: [[Double]]?
        for (k, field) in fields.enumerated() where file.exists("/solution/\(field)") {
            guard let data = try? file.read("/solution/\(field)"), data.shape == counts.reversed() else {
                throw Failure(description: "'\(file.path)': /solution/\(field) must have shape \(counts.reversed()) (the grid's axes, last coordinate first)")
            }
            if predictions == nil { predictions = model.evaluateFields(at: points).map { $0[0] } }
            let u = predictions![k]
            // NaN marks reference points outside the domain: left out.
            let kept = data.values.indices.filter { !data.values[$0].isNaN }
            let metrics = ErrorMetrics(prediction: kept.map { u[$0] }, exact: kept.map { data.values[$0] })
            let slices = counts[d - 1]
            result.append(FieldErrors(field: field, metrics: metrics, pointCount: kept.count, sliceAxis: axes[d - 1],
                                      sliceErrors: ErrorMetrics.relativeL2(ofSlices: slices, prediction: u,
                                                                           exact: data.values)))
        }
        guard !result.isEmpty else {
            throw Failure(description: "'\(file.path)': has none of the fields \(fields.joined(separator: ", ")) under /solution")
        }
        return result
    }
}

extension ErrorMetrics {
    /// The relative L2 error of each of `slices` equal consecutive blocks of the values (the slices of the last grid
    /// axis), NaN entries of either left out. A slice where the exact values (nearly) vanish — their norm below
    /// 10⁻⁸ of the largest slice's, e.g. a standing wave at a node in time — has no meaningful relative error and
    /// gets NaN; where all exact values are 0, the absolute L2 error.
    public static func relativeL2(ofSlices slices: Int, prediction u: [Double], exact: [Double]) -> [Double] {
        precondition(u.count == exact.count && slices > 0 && u.count % slices == 0)
        let size = u.count / slices
        let sums = (0..<slices).map { k -> (error: Double, norm: Double) in
            var num = 0.0, den = 0.0
            for i in (k * size)..<((k + 1) * size) where !u[i].isNaN && !exact[i].isNaN {
                num += (u[i] - exact[i]) * (u[i] - exact[i])
                den += exact[i] * exact[i]
            }
            return (num, den)
        }
        let largest = sums.map(\.norm).max() ?? 0
        return sums.map { error, norm in
            if largest == 0 { return error.squareRoot() }
            return norm > 1e-16 * largest ? (error / norm).squareRoot() : .nan
        }
    }
}
