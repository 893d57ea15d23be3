import Foundation

/// Observations of some fields at scattered points, read from a CSV file (a header row naming the columns, then
/// one row per point) or an HDF5 file (one 1D dataset per column at the root). Columns are named after the
/// coordinates (all required) and the fields (any of them; an empty CSV cell means that field was not observed at
/// that point).
public struct ObservationFile: Sendable {
    /// Per observed field: the field's index, its points (point-major) and values.
    public var perField: [(field: Int, points: [Double], values: [Double])]

    /// Reads `name` (relative to the problem file's folder unless absolute) for a problem with these fields on this
    /// domain; errors name the problem file and `errorPath`.
    static func read(_ name: String, relativeTo problemPath: String, fields: [String], domain: any Domain,
                     errorPath: String) throws(ProblemFileError) -> ObservationFile {
        func fail(_ message: String) -> ProblemFileError {
            ProblemFileError(file: problemPath, path: errorPath, message: message)
        }
        let folder = URL(fileURLWithPath: problemPath).deletingLastPathComponent()
        let path = name.hasPrefix("/") ? name : folder.appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw fail("observation file '\(name)' does not exist (looked for \(path))")
        }
        let shown = name, d = domain.dimension
        // The problem's own coordinate names: x1 … xd beyond three, t last in space-time.
        let coordinates = domain.coordinateNames
        let columns: [(name: String, values: [Double?])]
        if path.hasSuffix(".h5") || path.hasSuffix(".hdf5") {
            columns = try readHDF5(path, shown: shown, names: coordinates + fields, fail: fail)
        } else {
            columns = try readCSV(path, shown: shown, fail: fail)
        }
        guard !columns.isEmpty, let rows = columns.first?.values.count, rows > 0 else {
            throw fail("observation file '\(shown)' has no observations")
        }
        var seen = Set<String>()
        for column in columns {
            guard coordinates.contains(column.name) || fields.contains(column.name) else {
                throw fail("'\(shown)': unknown column '\(column.name)'; allowed: \((coordinates + fields).joined(separator: ", "))")
            }
            guard seen.insert(column.name).inserted else { throw fail("'\(shown)': duplicate column '\(column.name)'") }
        }
        var points = [Double](repeating: 0, count: rows * d)
        for (i, axis) in coordinates.enumerated() {
            guard let column = columns.first(where: { $0.name == axis }) else {
                throw fail("'\(shown)': missing the coordinate column '\(axis)' (a \(d)D domain needs \(coordinates.joined(separator: ", ")))")
            }
            for (r, value) in column.values.enumerated() {
                guard let value else { throw fail("'\(shown)': row \(r + 1) has no '\(axis)' coordinate") }
                points[r * d + i] = value
            }
        }
        let tolerance = 1e-9 * domain.boundingBox.sides.max()!
        for r in 0..<rows {
            let x = Array(points[(r * d)..<(r * d + d)])
            if !domain.contains(x) && !domain.isOnBoundary(x, tolerance: tolerance) {
                let at = x.map { JSONObjectReader.format($0) }.joined(separator: ", ")
                throw fail("'\(shown)': row \(r + 1) at (\(at)) lies outside the domain \(domain)")
            }
        }
        var perField: [(Int, [Double], [Double])] = []
        for (k, field) in fields.enumerated() {
            guard let column = columns.first(where: { $0.name == field }) else { continue }
            var fieldPoints: [Double] = [], values: [Double] = []
            for (r, value) in column.values.enumerated() {
                guard let value else { continue }
                fieldPoints += points[(r * d)..<(r * d + d)]
                values.append(value)
            }
            if !values.isEmpty { perField.append((k, fieldPoints, values)) }
        }
        guard !perField.isEmpty else {
            throw fail("'\(shown)' observes none of the fields \(fields.joined(separator: ", ")) (name a column after a field)")
        }
        return ObservationFile(perField: perField)
    }

    private static func readCSV(_ path: String, shown: String,
                                fail: (String) -> ProblemFileError) throws(ProblemFileError) -> [(name: String, values: [Double?])] {
        // An empty file is answered before reading: Foundation's contents(atPath:) leaks its 4 KiB buffer on one
        // (found by AddressSanitizer's leak check).
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size == 0 {
            throw fail("'\(shown)' is empty")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw fail("'\(shown)' cannot be read as UTF-8 text")
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard let header = lines.first else { throw fail("'\(shown)' is empty") }
        let names = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var values = [[Double?]](repeating: [], count: names.count)
        for (r, line) in lines.dropFirst().enumerated() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == names.count else {
                throw fail("'\(shown)' line \(r + 2): expected \(names.count) values (\(names.joined(separator: ", "))), found \(cells.count)")
            }
            for (c, cell) in cells.enumerated() {
                if cell.isEmpty { values[c].append(nil); continue }
                guard let x = Double(cell), x.isFinite else {
                    throw fail("'\(shown)' line \(r + 2), column '\(names[c])': '\(cell)' is not a finite number")
                }
                values[c].append(x)
            }
        }
        return zip(names, values).map { ($0, $1) }
    }

    /// The root datasets named after coordinates and fields, all of one length; NaN marks a missing observation.
    private static func readHDF5(_ path: String, shown: String, names: [String],
                                 fail: (String) -> ProblemFileError) throws(ProblemFileError) -> [(name: String, values: [Double?])] {
        let file: HDF5File
        do { file = try HDF5File.open(path) } catch { throw fail("'\(shown)' cannot be opened as HDF5: \(error.message)") }
        defer { file.close() }
        var columns: [(String, [Double?])] = []
        for name in names where file.exists("/" + name) {
            let values: [Double]
            do { values = try file.read("/" + name).values } catch { throw fail(error.message) }
            if let first = columns.first, first.1.count != values.count {
                throw fail("'\(shown)': dataset '\(name)' has \(values.count) values, '\(first.0)' has \(first.1.count)")
            }
            if let bad = values.firstIndex(where: { $0.isInfinite }) {
                throw fail("'\(shown)': dataset '\(name)' entry \(bad) is infinite")
            }
            columns.append((name, values.map { $0.isNaN ? nil : $0 }))
        }
        return columns
    }
}
