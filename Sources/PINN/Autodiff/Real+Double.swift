import RealModule

extension Real {
    /// The `Double` value `x` as `Self`, exactly for any binary `Self` with at least Double's precision (through
    /// the sign, exponent and 53-bit significand; no rounding on `Double` or on dual numbers over `Double`).
    /// Constants in generic formulas (parsed numbers, coefficients) enter through this.
    @inlinable
    public static func converting(_ x: Double) -> Self {
        // The engine's own types directly (these branches fold away in specialised code).
        if Self.self == Double.self { return unsafeBitCast(x, to: Self.self) }
        if Self.self == Dual<Double>.self { return unsafeBitCast(Dual<Double>(constant: x), to: Self.self) }
        if x == 0 { return 0 }
        if !x.isFinite { return x.isNaN ? .nan : (x < 0 ? -.infinity : .infinity) }
        let significand = Self(Int64(x.significandBitPattern | (x.isNormal ? (1 << 52) : 0)))
        let exponent = x.isNormal ? Int(x.exponent) - 52 : -1074
        let magnitude = Self(sign: .plus, exponent: Exponent(exponent), significand: significand)
        return x < 0 ? -magnitude : magnitude
    }
}

/// Scalars with an underlying `Double` value: `Double` itself and dual numbers over it (their value part, all tangents
/// dropped). Lets generic code read geometry at a point without differentiating it.
public protocol PrimalValue {
    var primalValue: Double { get }
}

extension Double: PrimalValue {
    public var primalValue: Double { self }
}

extension Dual: PrimalValue where Value: PrimalValue {
    public var primalValue: Double { value.primalValue }
}
