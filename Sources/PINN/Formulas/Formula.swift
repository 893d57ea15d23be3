import RealModule

/// A formula in the coordinates (x, y, z) and named constants, parsed once into a tree that evaluates on `Double`
/// and on dual numbers (so derivatives of user formulas are exact).
///
/// Grammar (usual precedence; `^` binds tighter than unary minus and is right-associative, so `-x^2 = -(x^2)`):
/// ```
/// expression := term (('+' | '-') term)*
/// term       := unary (('*' | '/') unary)*
/// unary      := '-' unary | '+' unary | power
/// power      := primary ('^' unary)?
/// primary    := number | name | name '(' expression ')' | '(' expression ')'
/// ```
/// Names: the coordinates of the domain (`x`, `y`, `z`), `pi`, `e`, and the problem's parameters. Functions:
/// `sin cos tan exp log sqrt tanh abs` (and `sinh cosh asin acos atan`).
public struct Formula: ScalarField, CustomStringConvertible {
    /// The source text.
    public let source: String
    public let inputDimension: Int
    let root: FormulaNode

    /// Parses `source` for a domain of dimension `dimension`, with the named constants `parameters`.
    /// `coordinates` names the d coordinates (default x, y, z; a space-time domain's are e.g. x, t).
    public init(_ source: String, dimension: Int, parameters: [String: Double] = [:],
                coordinates: [String]? = nil) throws(FormulaError) {
        self.source = source
        self.inputDimension = dimension
        var parser = FormulaParser(source: source, dimension: dimension, parameters: parameters, coordinates: coordinates)
        self.root = try parser.parse()
    }

    public func callAsFunction<T: Real>(_ point: [T]) -> T { root.evaluate(point) }

    /// Parses `source` with further variables `fields` after the coordinates: the formula then evaluates on
    /// points of d + fields.count values (used for PDE residuals in u and its derivatives).
    init(_ source: String, dimension: Int, parameters: [String: Double], fields: [String],
         coordinates: [String]? = nil) throws(FormulaError) {
        self.source = source
        self.inputDimension = dimension + fields.count
        var parser = FormulaParser(source: source, dimension: dimension, parameters: parameters, fields: fields,
                                   coordinates: coordinates)
        self.root = try parser.parse()
    }

    /// The indices of the point's entries the formula reads.
    var referencedVariables: Set<Int> { root.referencedVariables }

    /// Whether the formula depends on the coordinates at all.
    public var isConstant: Bool { root.constantValue != nil }

    public var description: String { source }
}

/// Why a formula could not be parsed: the message and the 1-based character position.
public struct FormulaError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public let position: Int
    /// What would have been accepted, for unknown names.
    public let allowed: [String]

    public init(message: String, position: Int, allowed: [String] = []) {
        self.message = message
        self.position = position
        self.allowed = allowed
    }

    /// The message with its position in `source`, and what is allowed.
    /// Long formulas are shown by their first 60 characters and their length.
    public func describe(in source: String) -> String {
        let shown = source.count <= 80 ? "'\(source)'" : "'\(source.prefix(60))…' (\(source.count) characters)"
        return "\(message) at position \(position) in \(shown)" + (allowed.isEmpty ? "" : "; allowed: " + allowed.joined(separator: ", "))
    }

    public var description: String {
        "\(message) at position \(position)" + (allowed.isEmpty ? "" : "; allowed: " + allowed.joined(separator: ", "))
    }
}

/// The functions a formula may call.
enum FormulaFunction: String, CaseIterable {
    case sin, cos, tan, exp, log, sqrt, tanh, abs, sinh, cosh, asin, acos, atan

    @_specialize(where T == Double)
    @_specialize(where T == Dual<Double>)
    @_specialize(where T == Dual<Dual<Double>>)
    func apply<T: Real>(_ x: T) -> T {
        switch self {
        case .sin: return T.sin(x)
        case .cos: return T.cos(x)
        case .tan: return T.tan(x)
        case .exp: return T.exp(x)
        case .log: return T.log(x)
        case .sqrt: return T.sqrt(x)
        case .tanh: return T.tanh(x)
        case .abs: return x.magnitude
        case .sinh: return T.sinh(x)
        case .cosh: return T.cosh(x)
        case .asin: return T.asin(x)
        case .acos: return T.acos(x)
        case .atan: return T.atan(x)
        }
    }
}

/// The parsed tree. Constant subtrees are folded to numbers at parse time. Chains of `+`/`−` and of `*`/`/` are one
/// node holding a list (evaluated left to right, as the binary tree would be), so the tree is only as deep as the
/// formula's nesting of parentheses, calls, signs and powers — which the parser limits — and every walk over it is
/// linear in the formula's size without deep recursion.
indirect enum FormulaNode: Sendable {
    case number(Double)
    case coordinate(Int)
    case negate(FormulaNode)
    /// t₀ ± t₁ ± …: each term with whether it is subtracted (the first never is).
    case sum([(subtract: Bool, node: FormulaNode)])
    /// f₀ ×/÷ f₁ ×/÷ …: each factor with whether it divides (the first never does).
    case product([(divide: Bool, node: FormulaNode)])
    /// An integer power: exact for negative bases, as `x^2` should be.
    case integerPower(FormulaNode, Int)
    case power(FormulaNode, FormulaNode)
    case call(FormulaFunction, FormulaNode)

    // Specialised for the scalar types the engine uses, so that evaluating on them (manufactured data on large
    // grids, residual partials) does not look up generic type metadata at every node.
    @_specialize(where T == Double)
    @_specialize(where T == Dual<Double>)
    @_specialize(where T == Dual<Dual<Double>>)
    func evaluate<T: Real>(_ x: [T]) -> T {
        switch self {
        case let .number(v): return T.converting(v)
        case let .coordinate(i): return x[i]
        case let .negate(a): return -a.evaluate(x)
        case let .sum(terms):
            var total = terms[0].node.evaluate(x)
            for term in terms.dropFirst() {
                let value = term.node.evaluate(x)
                total = term.subtract ? total - value : total + value
            }
            return total
        case let .product(factors):
            var total = factors[0].node.evaluate(x)
            for factor in factors.dropFirst() {
                let value = factor.node.evaluate(x)
                total = factor.divide ? total / value : total * value
            }
            return total
        case let .integerPower(a, n): return T.pow(a.evaluate(x), n)
        case let .power(a, b): return T.pow(a.evaluate(x), b.evaluate(x))
        case let .call(function, a): return function.apply(a.evaluate(x))
        }
    }

    /// The indices of the coordinates (and further variables) the subtree reads.
    var referencedVariables: Set<Int> {
        switch self {
        case .number: return []
        case let .coordinate(i): return [i]
        case let .negate(a), let .integerPower(a, _), let .call(_, a): return a.referencedVariables
        case let .power(a, b): return a.referencedVariables.union(b.referencedVariables)
        case let .sum(terms): return terms.reduce(into: []) { $0.formUnion($1.node.referencedVariables) }
        case let .product(factors): return factors.reduce(into: []) { $0.formUnion($1.node.referencedVariables) }
        }
    }

    /// The value when the subtree has no coordinates (folded trees hold constants as numbers).
    var constantValue: Double? {
        if case let .number(v) = self { return v }
        return nil
    }

    /// Whether every child is a number (then the node is folded to its value).
    var hasOnlyNumberChildren: Bool {
        func isNumber(_ node: FormulaNode) -> Bool { if case .number = node { return true }; return false }
        switch self {
        case .number, .coordinate: return false
        case let .negate(a), let .integerPower(a, _), let .call(_, a): return isNumber(a)
        case let .power(a, b): return isNumber(a) && isNumber(b)
        case let .sum(terms): return terms.allSatisfy { isNumber($0.node) }
        case let .product(factors): return factors.allSatisfy { isNumber($0.node) }
        }
    }
}
