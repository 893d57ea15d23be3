import Foundation

/// A recursive-descent parser for ``Formula`` (grammar there). Positions in errors are 1-based characters.
struct FormulaParser {
    private enum Token: Equatable {
        case number(Double)
        case name(String)
        case symbol(Character)
        case end
    }

    private let characters: [Character]
    private let dimension: Int
    /// The names of the d coordinates (x, y, z; t last in space-time).
    private let coordinates: [String]
    private let parameters: [String: Double]
    /// Further variables after the coordinates (e.g. u, u_x, u_xx in a PDE residual), at indices d, d+1, ….
    private let fields: [String]
    private var index = 0
    private var token: Token = .end
    private var tokenStart = 0
    /// The current nesting: parentheses, function calls, signs and exponents entered and not yet left.
    private var depth = 0

    /// The deepest nesting accepted (deeper formulas are refused before they could exhaust the stack).
    static let maximumDepth = 200

    static let coordinateNames = ["x", "y", "z"]

    /// The default names of d coordinates: x, y, z up to three, x1 … xd beyond (time, when there is one, is t).
    static func coordinates(dimension d: Int) -> [String] {
        d <= 3 ? Array(coordinateNames.prefix(d)) : (1...d).map { "x\($0)" }
    }

    init(source: String, dimension: Int, parameters: [String: Double], fields: [String] = [],
         coordinates: [String]? = nil) {
        characters = Array(source)
        self.dimension = dimension
        self.coordinates = coordinates ?? Self.coordinates(dimension: dimension)
        self.parameters = parameters
        self.fields = fields
    }

    /// The longest formula accepted, in characters (parsing is linear; evaluating is linear per point, and a formula is
    /// evaluated at every point of every set it applies to).
    static let maximumLength = 100_000

    mutating func parse() throws(FormulaError) -> FormulaNode {
        guard characters.count <= Self.maximumLength else {
            throw FormulaError(message: "the formula has \(characters.count) characters; at most \(Self.maximumLength) are allowed", position: 1)
        }
        try advance()
        if token == .end { throw FormulaError(message: "empty formula", position: 1) }
        let node = try expression()
        if token != .end { throw error("unexpected \(describe(token))") }
        return node
    }

    private func error(_ message: String) -> FormulaError { FormulaError(message: message, position: tokenStart + 1) }

    private func describe(_ t: Token) -> String {
        switch t {
        case let .number(v): return "number \(v)"
        case let .name(n): return "name '\(n)'"
        case let .symbol(c): return "'\(c)'"
        case .end: return "end of formula"
        }
    }

    private mutating func advance() throws(FormulaError) {
        while index < characters.count, characters[index].isWhitespace { index += 1 }
        tokenStart = index
        guard index < characters.count else { token = .end; return }
        let c = characters[index]
        if c.isNumber || c == "." {
            var text = ""
            while index < characters.count, characters[index].isNumber || characters[index] == "." { text.append(characters[index]); index += 1 }
            if index < characters.count, characters[index] == "e" || characters[index] == "E" {
                // An exponent only if digits follow (so that "2e" is 2·e? no: reject clearly).
                var look = index + 1
                if look < characters.count, characters[look] == "+" || characters[look] == "-" { look += 1 }
                if look < characters.count, characters[look].isNumber {
                    text.append(contentsOf: characters[index..<look])
                    index = look
                    while index < characters.count, characters[index].isNumber { text.append(characters[index]); index += 1 }
                }
            }
            guard let value = Double(text), value.isFinite else { throw error("malformed number '\(text)'") }
            token = .number(value)
        } else if c.isLetter || c == "_" {
            var text = ""
            while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" {
                text.append(characters[index]); index += 1
            }
            token = .name(text)
        } else if "+-*/^()".contains(c) {
            index += 1
            token = .symbol(c)
        } else {
            throw error("unexpected character '\(c)'")
        }
    }

    /// Enters one level of nesting, refusing more than ``maximumDepth``.
    private mutating func enter() throws(FormulaError) {
        depth += 1
        if depth > Self.maximumDepth {
            throw error("nesting deeper than \(Self.maximumDepth) levels (parentheses, function calls, signs and powers)")
        }
    }

    private mutating func expression() throws(FormulaError) -> FormulaNode {
        var terms = [(subtract: false, node: try term())]
        while case let .symbol(op) = token, op == "+" || op == "-" {
            try advance()
            terms.append((op == "-", try term()))
        }
        return terms.count == 1 ? terms[0].node : fold(.sum(terms))
    }

    private mutating func term() throws(FormulaError) -> FormulaNode {
        var factors = [(divide: false, node: try unary())]
        while case let .symbol(op) = token, op == "*" || op == "/" {
            try advance()
            factors.append((op == "/", try unary()))
        }
        return factors.count == 1 ? factors[0].node : fold(.product(factors))
    }

    private mutating func unary() throws(FormulaError) -> FormulaNode {
        if token == .symbol("-") || token == .symbol("+") {
            let negative = token == .symbol("-")
            try enter()
            try advance()
            defer { depth -= 1 }
            let operand = try unary()
            return negative ? fold(.negate(operand)) : operand
        }
        return try power()
    }

    private mutating func power() throws(FormulaError) -> FormulaNode {
        let base = try primary()
        guard token == .symbol("^") else { return base }
        try enter()
        try advance()
        defer { depth -= 1 }
        let exponent = try unary()
        if let n = exponent.constantValue, n == n.rounded(), abs(n) <= 64 {
            return fold(.integerPower(base, Int(n)))
        }
        return fold(.power(base, exponent))
    }

    private mutating func primary() throws(FormulaError) -> FormulaNode {
        switch token {
        case let .number(v):
            try advance()
            return .number(v)
        case .symbol("("):
            try enter()
            try advance()
            defer { depth -= 1 }
            let node = try expression()
            guard token == .symbol(")") else { throw error("expected ')' but found \(describe(token))") }
            try advance()
            return node
        case let .name(name):
            let nameError = error("")
            try advance()
            if token == .symbol("(") {
                guard FormulaFunction(rawValue: name) != nil else {
                    throw FormulaError(message: "unknown function '\(name)'", position: nameError.position,
                                       allowed: FormulaFunction.allCases.map(\.rawValue))
                }
                try enter()
                try advance()
                defer { depth -= 1 }
                let argument = try expression()
                guard token == .symbol(")") else { throw error("expected ')' but found \(describe(token))") }
                try advance()
                return fold(.call(FormulaFunction(rawValue: name)!, argument))
            }
            if let i = coordinates.firstIndex(of: name) { return .coordinate(i) }
            if let k = fields.firstIndex(of: name) { return .coordinate(dimension + k) }
            if name == "pi" { return .number(.pi) }
            if name == "e" { return .number(M_E) }
            if let value = parameters[name] { return .number(value) }
            let allowed = coordinates + fields + ["pi", "e"] + parameters.keys.sorted()
            throw FormulaError(message: "unknown variable '\(name)'", position: nameError.position, allowed: allowed)
        default:
            throw error("expected a number, name or '(' but found \(describe(token))")
        }
    }

    /// Replaces a node whose children are all numbers by its value (children are folded first, so this folds
    /// every constant subtree while looking at one level only: parsing stays linear).
    private func fold(_ node: FormulaNode) -> FormulaNode {
        node.hasOnlyNumberChildren ? .number(node.evaluate([Double]())) : node
    }
}
