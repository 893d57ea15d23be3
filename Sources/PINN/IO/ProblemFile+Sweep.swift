import Foundation

/// A parameter study in one problem file: a `"sweep"` field lists runs that each change some fields of the file.
///
/// ```
/// "sweep": {"seed": [0, 1, 2], "pde.k": [1, 2, 4]}           9 runs: every combination, the last key fastest
/// "sweep": [{"seed": 0}, {"seed": 1, "network.hidden_layers": [40, 40]}]    2 runs, as listed
/// ```
/// Keys are dotted paths into the file (`training.stages.0.learning_rate`: a number indexes a list); a missing last
/// field is added. `pinn solve FILE --sweep-index I` solves run I: the file with run I's values put in and the
/// `"sweep"` field removed, which is also the problem text its result file stores.
public enum ProblemSweep {
    /// The most runs one sweep may describe.
    public static let maximumRuns = 100_000

    /// One run: its changes (path and value) in the order written.
    public struct Run: Sendable {
        public var changes: [(path: String, value: JSONValue)]
        /// "seed=1, pde.k=4".
        public var label: String { changes.map { "\($0.path)=\($0.value.serialized)" }.joined(separator: ", ") }
    }

    /// The runs the file's `"sweep"` describes; nil when it has none.
    public static func runs(in text: String, path: String) throws(ProblemFileError) -> [Run]? {
        let json = try parseJSON(text, path: path)
        guard case let .object(fields) = json, let sweep = fields.first(where: { $0.key == "sweep" })?.value else {
            return nil
        }
        switch sweep {
        case let .object(axes):
            guard !axes.isEmpty else { throw failure(path, "expected at least one field to vary, e.g. {\"seed\": [0, 1, 2]}") }
            var runs = [Run(changes: [])]
            for (key, values) in axes {
                guard case let .array(list) = values, !list.isEmpty else {
                    throw failure(path, "'\(key)': expected a non-empty list of the values to try")
                }
                guard runs.count * list.count <= maximumRuns else {
                    throw failure(path, "describes more than \(maximumRuns) runs; split the study into several files")
                }
                runs = runs.flatMap { run in list.map { Run(changes: run.changes + [(key, $0)]) } }
            }
            return runs
        case let .array(list):
            guard !list.isEmpty, list.count <= maximumRuns else {
                throw failure(path, "expected 1 to \(maximumRuns) runs, found \(list.count)")
            }
            return try list.enumerated().map { (i, item) throws(ProblemFileError) -> Run in
                guard case let .object(changes) = item else {
                    throw failure(path, "run \(i): expected an object of the fields it changes, e.g. {\"seed\": 1}")
                }
                return Run(changes: changes.map { ($0.key, $0.value) })
            }
        default:
            throw failure(path, "expected an object of lists ({\"seed\": [0, 1]}) or a list of runs ([{\"seed\": 0}, …])")
        }
    }

    /// The problem text of run `index`: the file with the run's values and without `"sweep"`.
    public static func variant(_ text: String, path: String, index: Int) throws(ProblemFileError) -> (text: String, run: Run) {
        guard let runs = try runs(in: text, path: path) else {
            throw ProblemFileError(file: path, path: "", message: "has no \"sweep\" field; --sweep-index applies to parameter studies")
        }
        guard runs.indices.contains(index) else {
            throw failure(path, "has runs 0 to \(runs.count - 1); --sweep-index \(index) is not one of them")
        }
        var json = try parseJSON(text, path: path)
        guard case var .object(fields) = json else { throw failure(path, "expected a JSON object") }
        fields.removeAll { $0.key == "sweep" }
        json = .object(fields)
        for change in runs[index].changes {
            let keys = change.path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !keys.contains(where: \.isEmpty) else { throw failure(path, "'\(change.path)' is not a dotted path") }
            guard let updated = json.setting(keys[...], to: change.value) else {
                throw failure(path, "'\(change.path)' does not lead to a field of the file (a list index out of range, "
                              + "or a path through a value that is not an object or a list)")
            }
            json = updated
        }
        return (json.serialized, runs[index])
    }

    private static func parseJSON(_ text: String, path: String) throws(ProblemFileError) -> JSONValue {
        do {
            return try JSONParser.parse(text)
        } catch {
            throw ProblemFileError(file: path, path: "", message: error.description)
        }
    }

    private static func failure(_ path: String, _ message: String) -> ProblemFileError {
        ProblemFileError(file: path, path: "sweep", message: message)
    }
}

extension JSONValue {
    /// The value with the field at `keys` (object keys, or list indices as numbers) replaced by `value`; a missing
    /// last object field is added. Nil when the path leads nowhere.
    func setting(_ keys: ArraySlice<String>, to value: JSONValue) -> JSONValue? {
        guard let key = keys.first else { return value }
        switch self {
        case var .object(fields):
            if let i = fields.firstIndex(where: { $0.key == key }) {
                guard let inner = fields[i].value.setting(keys.dropFirst(), to: value) else { return nil }
                fields[i].value = inner
            } else {
                guard keys.count == 1 else { return nil }
                fields.append((key, value))
            }
            return .object(fields)
        case var .array(items):
            guard let i = Int(key), items.indices.contains(i),
                  let inner = items[i].setting(keys.dropFirst(), to: value) else { return nil }
            items[i] = inner
            return .array(items)
        default:
            return nil
        }
    }

    /// Compact JSON text; numbers in the shortest form that reads back to the same Double (whole numbers without a
    /// fraction).
    public var serialized: String {
        switch self {
        case let .object(fields):
            return "{" + fields.map { Self.quoted($0.key) + ": " + $0.value.serialized }.joined(separator: ", ") + "}"
        case let .array(items): return "[" + items.map(\.serialized).joined(separator: ", ") + "]"
        case let .string(s): return Self.quoted(s)
        case let .number(x):
            if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
            return "\(x)"
        case let .bool(b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
