import Foundation

/// Reads points from CSV: one point per line, one column per coordinate, an optional first line of column names.
public enum PointsCSV {
    /// What is wrong, with the file name and line.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The points of the file at `path` (point-major).
    public static func read(_ path: String, dimension d: Int) throws(Failure) -> [Double] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(description: "\(path): cannot be read")
        }
        return try parse(text, name: path, dimension: d)
    }

    /// The points of CSV text; `name` names it in messages.
    public static func parse(_ text: String, name: String, dimension d: Int) throws(Failure) -> [Double] {
        var values: [Double] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if n == 0, fields.contains(where: { Double($0) == nil }) { continue }  // a header line
            guard fields.count == d else {
                throw Failure(description: "\(name):\(n + 1): expected \(d) comma-separated number\(d == 1 ? "" : "s") per line, found \(fields.count)")
            }
            for f in fields {
                guard let v = Double(f), v.isFinite else { throw Failure(description: "\(name):\(n + 1): '\(f)' is not a finite number") }
                values.append(v)
            }
        }
        guard !values.isEmpty else { throw Failure(description: "\(name): no points") }
        return values
    }
}
