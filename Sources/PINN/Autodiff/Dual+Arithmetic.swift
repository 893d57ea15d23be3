import RealModule

extension Dual: Equatable, Hashable, Comparable {
    @inlinable public static func == (a: Dual, b: Dual) -> Bool { a.value == b.value }
    @inlinable public static func < (a: Dual, b: Dual) -> Bool { a.value < b.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

extension Dual: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    public init(integerLiteral literal: Int) { self.init(constant: Value(literal)) }
    public init(floatLiteral literal: Double) { self.init(constant: Value.converting(literal)) }
}

extension Dual: AdditiveArithmetic, Numeric, SignedNumeric {
    public typealias Magnitude = Dual

    @inlinable public static var zero: Dual { Dual(0, derivative: 0) }
    @inlinable public static func + (a: Dual, b: Dual) -> Dual { Dual(a.value + b.value, derivative: a.derivative + b.derivative) }
    @inlinable public static func - (a: Dual, b: Dual) -> Dual { Dual(a.value - b.value, derivative: a.derivative - b.derivative) }
    @inlinable public static func * (a: Dual, b: Dual) -> Dual {
        Dual(a.value * b.value, derivative: a.value * b.derivative + a.derivative * b.value)
    }
    @inlinable public static func += (a: inout Dual, b: Dual) { a = a + b }
    @inlinable public static func -= (a: inout Dual, b: Dual) { a = a - b }
    @inlinable public static func *= (a: inout Dual, b: Dual) { a = a * b }
    @inlinable public static prefix func - (a: Dual) -> Dual { Dual(-a.value, derivative: -a.derivative) }
    @inlinable public mutating func negate() { self = -self }

    public init?<T: BinaryInteger>(exactly source: T) {
        guard let v = Value(exactly: source) else { return nil }
        self.init(constant: v)
    }

    /// |x|, with derivative sign(x)·dx (zero derivative at x = 0 is not special-cased: d|x| = dx there).
    @inlinable public var magnitude: Dual { value < 0 ? -self : self }
}

extension Dual: AlgebraicField {
    @inlinable public static func / (a: Dual, b: Dual) -> Dual {
        let q = a.value / b.value
        return Dual(q, derivative: (a.derivative - q * b.derivative) / b.value)
    }
    @inlinable public static func /= (a: inout Dual, b: Dual) { a = a / b }
}

extension Dual: Strideable {
    public typealias Stride = Dual
    @inlinable public func distance(to other: Dual) -> Dual { other - self }
    @inlinable public func advanced(by n: Dual) -> Dual { self + n }
}

extension Dual: FloatingPoint {
    public typealias Exponent = Value.Exponent

    public init(sign: FloatingPointSign, exponent: Exponent, significand: Dual) {
        // x = ±significand·2^exponent: the derivative scales the same way.
        self.init(Value(sign: sign, exponent: exponent, significand: significand.value),
                  derivative: Value(sign: sign, exponent: exponent, significand: significand.derivative))
    }
    public init(signOf sign: Dual, magnitudeOf magnitude: Dual) {
        let flip = (sign.value.sign == .minus) != (magnitude.value.sign == .minus)
        self = flip ? -magnitude : magnitude
    }
    public init(_ value: Int) { self.init(constant: Value(value)) }
    public init<Source: BinaryInteger>(_ value: Source) { self.init(constant: Value(value)) }

    public static var radix: Int { Value.radix }
    public static var nan: Dual { Dual(constant: .nan) }
    public static var signalingNaN: Dual { Dual(constant: .signalingNaN) }
    public static var infinity: Dual { Dual(constant: .infinity) }
    public static var greatestFiniteMagnitude: Dual { Dual(constant: .greatestFiniteMagnitude) }
    public static var pi: Dual { Dual(constant: .pi) }
    public static var leastNormalMagnitude: Dual { Dual(constant: .leastNormalMagnitude) }
    public static var leastNonzeroMagnitude: Dual { Dual(constant: .leastNonzeroMagnitude) }
    public static var ulpOfOne: Dual { Dual(constant: .ulpOfOne) }

    public var ulp: Dual { Dual(constant: value.ulp) }
    public var sign: FloatingPointSign { value.sign }
    public var exponent: Exponent { value.exponent }
    public var significand: Dual {
        // value = significand·2^exponent, so the significand's derivative is derivative·2^(−exponent).
        Dual(value.significand, derivative: Value(sign: .plus, exponent: -value.exponent, significand: derivative))
    }
    public var nextUp: Dual { Dual(value.nextUp, derivative: derivative) }

    public mutating func formRemainder(dividingBy other: Dual) {
        let q = (value / other.value).rounded(.toNearestOrEven)
        self = self - Dual(constant: q) * other
    }
    public mutating func formTruncatingRemainder(dividingBy other: Dual) {
        let q = (value / other.value).rounded(.towardZero)
        self = self - Dual(constant: q) * other
    }
    public mutating func formSquareRoot() { self = Dual.sqrt(self) }
    public mutating func addProduct(_ lhs: Dual, _ rhs: Dual) { self += lhs * rhs }
    public mutating func round(_ rule: FloatingPointRoundingRule) { self = Dual(constant: value.rounded(rule)) }

    public func isEqual(to other: Dual) -> Bool { value.isEqual(to: other.value) }
    public func isLess(than other: Dual) -> Bool { value.isLess(than: other.value) }
    public func isLessThanOrEqualTo(_ other: Dual) -> Bool { value.isLessThanOrEqualTo(other.value) }
    public func isTotallyOrdered(belowOrEqualTo other: Dual) -> Bool { value.isTotallyOrdered(belowOrEqualTo: other.value) }

    public var isNormal: Bool { value.isNormal }
    public var isFinite: Bool { value.isFinite && derivative.isFinite }
    public var isZero: Bool { value.isZero }
    public var isSubnormal: Bool { value.isSubnormal }
    public var isInfinite: Bool { value.isInfinite }
    public var isNaN: Bool { value.isNaN || derivative.isNaN }
    public var isSignalingNaN: Bool { value.isSignalingNaN }
    public var isCanonical: Bool { value.isCanonical }
}
