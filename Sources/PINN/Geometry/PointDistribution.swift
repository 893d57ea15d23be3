import Foundation

/// How collocation points fill the unit cube [0, 1)ᵈ (then mapped to the domain). Every distribution is seeded:
/// pseudo-random draws, the Latin-hypercube permutations, and a random shift of the low-discrepancy sequences
/// (a digital XOR shift for Sobol, which keeps its net structure; a shift modulo 1 for Halton and Hammersley).
public enum PointDistribution: String, Sendable, CaseIterable, Codable {
    /// Independent uniform points.
    case random
    /// A cell-centred tensor grid with ⌈N^(1/d)⌉ points per axis (so N is rounded up to a full grid).
    case grid
    /// Latin hypercube: each axis cut into N equal strata, one point per stratum, strata paired at random.
    case latinHypercube = "latin_hypercube"
    /// The Halton sequence (bases 2, 3, 5, …).
    case halton
    /// The Hammersley set: i/N in the first coordinate, Halton (bases 2, 3, …) in the others.
    case hammersley
    /// The Sobol sequence with Joe & Kuo's direction numbers (up to 21 dimensions).
    case sobol
    /// Stratified in the last coordinate (time, in space-time problems): N equal strata, one point in each, the other
    /// coordinates uniform — every stretch of time gets its share of points, as causal training needs.
    case timeStratified = "time_stratified"

    /// N points in [0, 1)ᵈ, point-major.
    public func unitCube(count n: Int, dimension d: Int, rng: inout Xoshiro256) -> [Double] {
        switch self {
        case .random:
            return (0..<(n * d)).map { _ in rng.nextUniform() }
        case .timeStratified:
            var points = (0..<(n * d)).map { _ in rng.nextUniform() }
            for p in 0..<n { points[p * d + d - 1] = (Double(p) + points[p * d + d - 1]) / Double(n) }
            return points
        case .grid:
            let k = Int((pow(Double(n), 1 / Double(d)) - 1e-9).rounded(.up))
            let total = Int(pow(Double(k), Double(d)))
            var points = [Double](repeating: 0, count: total * d)
            for p in 0..<total {
                var rest = p
                for i in 0..<d {
                    points[p * d + i] = (Double(rest % k) + 0.5) / Double(k)
                    rest /= k
                }
            }
            return points
        case .latinHypercube:
            var points = [Double](repeating: 0, count: n * d)
            for i in 0..<d {
                var strata = Array(0..<n)
                strata.shuffle(using: &rng)
                for p in 0..<n { points[p * d + i] = (Double(strata[p]) + rng.nextUniform()) / Double(n) }
            }
            return points
        case .halton, .hammersley:
            let shift = (0..<d).map { _ in rng.nextUniform() }
            var points = [Double](repeating: 0, count: n * d)
            for p in 0..<n {
                for i in 0..<d {
                    let raw: Double
                    if self == .hammersley {
                        raw = i == 0 ? Double(p) / Double(n) : Self.radicalInverse(p + 1, base: Self.primes[i - 1])
                    } else {
                        raw = Self.radicalInverse(p + 1, base: Self.primes[i])
                    }
                    let v = raw + shift[i]
                    points[p * d + i] = v >= 1 ? v - 1 : v
                }
            }
            return points
        case .sobol:
            precondition(d <= Self.sobolParameters.count + 1, "Sobol points are available up to 21 dimensions")
            let directions = (0..<d).map { Self.sobolDirections(dimension: $0) }
            var x = (0..<d).map { _ in UInt32(truncatingIfNeeded: rng.next()) }  // the digital shift
            var points = [Double](repeating: 0, count: n * d)
            for p in 0..<n {
                for i in 0..<d { points[p * d + i] = Double(x[i]) * 0x1.0p-32 }
                // Gray-code order: flip the direction of the lowest zero bit of p.
                let c = (~UInt32(p)).trailingZeroBitCount
                for i in 0..<d { x[i] ^= directions[i][c] }
            }
            return points
        }
    }

    static let primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73]

    /// The base-b radical inverse of i: its digits mirrored about the radix point.
    static func radicalInverse(_ i: Int, base b: Int) -> Double {
        var i = i, f = 1.0, result = 0.0
        while i > 0 {
            f /= Double(b)
            result += f * Double(i % b)
            i /= b
        }
        return result
    }

    /// (s, a, m₁…m_s) of Joe & Kuo (2008, new-joe-kuo-6.21201) for dimensions 2…21; dimension 1 is van der Corput.
    static let sobolParameters: [(s: Int, a: UInt32, m: [UInt32])] = [
        (1, 0, [1]), (2, 1, [1, 3]), (3, 1, [1, 3, 1]), (3, 2, [1, 1, 1]), (4, 1, [1, 1, 3, 3]),
        (4, 4, [1, 3, 5, 13]), (5, 2, [1, 1, 5, 5, 17]), (5, 4, [1, 1, 5, 5, 5]), (5, 7, [1, 1, 7, 11, 19]),
        (5, 11, [1, 1, 5, 1, 1]), (5, 13, [1, 1, 1, 3, 11]), (5, 14, [1, 3, 5, 5, 31]), (6, 1, [1, 3, 3, 9, 7, 49]),
        (6, 13, [1, 1, 1, 15, 21, 21]), (6, 16, [1, 3, 1, 13, 27, 49]), (6, 19, [1, 1, 1, 15, 7, 5]),
        (6, 22, [1, 3, 1, 15, 13, 25]), (6, 25, [1, 1, 5, 5, 19, 61]), (7, 1, [1, 3, 7, 11, 23, 15, 103]),
        (7, 4, [1, 3, 7, 13, 13, 15, 69]),
    ]

    /// The 32 direction numbers vₖ (as 32-bit fractions) of one dimension.
    static func sobolDirections(dimension i: Int) -> [UInt32] {
        var v = [UInt32](repeating: 0, count: 33)
        if i == 0 {
            for k in 1...32 { v[k] = 1 << (32 - k) }
            return Array(v[1...]) + [0]
        }
        let (s, a, m) = sobolParameters[i - 1]
        for k in 1...32 {
            if k <= s {
                v[k] = m[k - 1] << (32 - k)
            } else {
                var value = v[k - s] ^ (v[k - s] >> UInt32(s))
                for j in 1..<s where (a >> UInt32(s - 1 - j)) & 1 == 1 { value ^= v[k - j] }
                v[k] = value
            }
        }
        return Array(v[1...]) + [0]
    }

    /// The squared L2-star discrepancy of points in [0, 1)ᵈ (Warnock's formula), a measure of uniformity.
    public static func squaredL2StarDiscrepancy(_ points: [Double], dimension d: Int) -> Double {
        let n = points.count / d
        var single = 0.0, pairs = 0.0
        for p in 0..<n {
            var product = 1.0
            for k in 0..<d { product *= 1 - points[p * d + k] * points[p * d + k] }
            single += product
            for q in 0..<n {
                var pair = 1.0
                for k in 0..<d { pair *= 1 - max(points[p * d + k], points[q * d + k]) }
                pairs += pair
            }
        }
        return pow(3, -Double(d)) - pow(2, 1 - Double(d)) / Double(n) * single + pairs / Double(n * n)
    }
}

