/// A mistake in a problem file: which file, which field (a JSON path such as `network.activation`), and what was
/// wrong, with what is allowed.
public struct ProblemFileError: Error, Equatable, CustomStringConvertible {
    /// The file as the user named it.
    public let file: String
    /// The JSON path of the field, empty for the whole document.
    public let path: String
    /// What was wrong and what is allowed.
    public let message: String

    public init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    public var description: String {
        path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)"
    }
}

/// Reads one JSON object field by field, tracking the path and which keys were used, so that unknown keys are
/// reported.
struct JSONObjectReader {
    let file: String
    let path: String
    private let members: [(key: String, value: JSONValue)]
    private var used: Set<String> = []

    init(_ value: JSONValue, file: String, path: String) throws(ProblemFileError) {
        guard case let .object(members) = value else {
            throw ProblemFileError(file: file, path: path, message: "expected an object, found \(value.typeName)")
        }
        self.file = file
        self.path = path
        self.members = members
    }

    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func fail(_ key: String?, _ message: String) -> ProblemFileError {
        ProblemFileError(file: file, path: key.map(childPath) ?? path, message: message)
    }

    /// Whether the object has `key` (without marking it as read).
    func has(_ key: String) -> Bool { members.contains { $0.key == key } }

    mutating func value(_ key: String) -> JSONValue? {
        used.insert(key)
        return members.first { $0.key == key }?.value
    }

    mutating func required(_ key: String) throws(ProblemFileError) -> JSONValue {
        guard let v = value(key) else { throw fail(key, "required field is missing") }
        return v
    }

    mutating func object(_ key: String) throws(ProblemFileError) -> JSONObjectReader? {
        guard let v = value(key) else { return nil }
        return try JSONObjectReader(v, file: file, path: childPath(key))
    }

    mutating func string(_ key: String) throws(ProblemFileError) -> String? {
        guard let v = value(key) else { return nil }
        guard case let .string(s) = v else { throw fail(key, "expected a string, found \(v.typeName)") }
        return s
    }

    mutating func number(_ key: String) throws(ProblemFileError) -> Double? {
        guard let v = value(key) else { return nil }
        guard case let .number(x) = v else { throw fail(key, "expected a number, found \(v.typeName)") }
        return x
    }

    mutating func positiveNumber(_ key: String) throws(ProblemFileError) -> Double? {
        guard let x = try number(key) else { return nil }
        guard x > 0 else { throw fail(key, "must be positive, found \(Self.format(x))") }
        return x
    }

    mutating func nonNegativeNumber(_ key: String) throws(ProblemFileError) -> Double? {
        guard let x = try number(key) else { return nil }
        guard x >= 0 else { throw fail(key, "must be zero or positive, found \(Self.format(x))") }
        return x
    }

    mutating func integer(_ key: String, minimum: Int) throws(ProblemFileError) -> Int? {
        guard let x = try number(key) else { return nil }
        guard x == x.rounded() else { throw fail(key, "expected a whole number, found \(Self.format(x))") }
        guard abs(x) < 1e15 else {
            throw fail(key, "\(Self.format(x)) is too large: whole numbers here are below 10^15 (sizes are also limited by memory, checked before the run)")
        }
        guard Int(x) >= minimum else {
            throw fail(key, minimum == 1 ? "must be a positive whole number, found \(Int(x))" : "must be at least \(minimum), found \(Int(x))")
        }
        return Int(x)
    }

    mutating func bool(_ key: String) throws(ProblemFileError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case let .bool(b) = v else { throw fail(key, "expected true or false, found \(v.typeName)") }
        return b
    }

    mutating func array(_ key: String) throws(ProblemFileError) -> [JSONValue]? {
        guard let v = value(key) else { return nil }
        guard case let .array(items) = v else { throw fail(key, "expected an array, found \(v.typeName)") }
        return items
    }

    /// A name from a fixed list.
    mutating func choice<T>(_ key: String, _ options: [(String, T)]) throws(ProblemFileError) -> T? {
        guard let name = try string(key) else { return nil }
        guard let match = options.first(where: { $0.0 == name }) else {
            throw fail(key, "unknown value '\(name)'; allowed: " + options.map(\.0).joined(separator: ", "))
        }
        return match.1
    }

    /// Throws for keys that were never read.
    func rejectUnknownKeys() throws(ProblemFileError) {
        let allowed = used.sorted()
        for member in members where !used.contains(member.key) {
            throw fail(member.key, "unknown key; allowed here: " + allowed.joined(separator: ", "))
        }
    }

    /// Keys of the object, in order.
    var keys: [String] { members.map(\.key) }

    static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : abs(x) >= 1e15 && x.isFinite ? String(format: "%g", x) : String(x)
    }
}
