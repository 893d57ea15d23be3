/// Derivatives of any order by univariate Taylor jets: the network is pushed forward along a few integer
/// directions v (the line x + t·v), carrying the derivatives dᵏ/dtᵏ u(x + t·v) = (v·∇)ᵏu for k = 1…K_v, and every
/// partial derivative a residual reads is an exact linear combination of those (Griewank, Utke & Walther, Math. Comp.
/// 69, 2000):
/// ```
/// (β·∇)ᵏ u = Σ_{|γ| = k} k!/γ! · β^γ · ∂^γ u          (β a multi-index with |β| = k)
/// ∂^α u   = Σ_β c_{αβ} (β·∇)ᵏ u,   Mᵀc_α = e_α,   M_{βγ} = k!/γ! · β^γ
/// ```
/// over the multi-indices β of order k supported on α's coordinates: a pure derivative ∂ᵏu/∂xᵢᵏ is read from the
/// jet along eᵢ alone; a mixed one of order k in r coordinates needs the C(r + k − 1, k) directions β (up to
/// scaling, so β = (2, 2) is the direction (1, 1)). Only the derivatives some residual reads are planned for.
///
/// Stream blocks: the value, then for each direction its K_v coefficients of order 1…K_v (block
/// 1 + ``blockOffsets``[j] + k − 1 holds (vⱼ·∇)ᵏu).
public struct JetPlan: Sendable, Hashable, CustomStringConvertible {
    /// The highest derivative order pinn computes (activations provide derivatives up to this order + 2).
    public static let highestOrder = 6

    /// The number of input coordinates.
    public let dimension: Int
    /// The integer directions, each of `dimension` components, normalised (greatest common divisor 1).
    public let directions: [[Int]]
    /// The highest order carried along each direction.
    public let orders: [Int]
    /// Where each direction's blocks start after the value block (order 1 of direction j is block 1 + offset).
    public let blockOffsets: [Int]
    /// The multi-indices the plan was made for.
    public let derivatives: [[Int]]

    /// A plan that yields every partial derivative in `derivatives` (multi-indices of `dimension` entries, each of
    /// order ≤ ``highestOrder``; order 0 is the value).
    public init(derivatives: [[Int]], dimension d: Int) {
        precondition(derivatives.allSatisfy { $0.count == d && $0.allSatisfy { $0 >= 0 } }, "multi-index of \(d) entries")
        precondition(derivatives.allSatisfy { $0.reduce(0, +) <= Self.highestOrder }, "order above \(Self.highestOrder)")
        dimension = d
        self.derivatives = derivatives
        var needed: [[Int]: Int] = [:]
        for alpha in derivatives {
            let k = alpha.reduce(0, +)
            guard k > 0 else { continue }
            for beta in Self.interpolationDirections(for: alpha) {
                let v = Self.normalised(beta)
                needed[v] = max(needed[v] ?? 0, k)
            }
        }
        // Axes first in coordinate order, then the other directions in a fixed order (deterministic layouts).
        let sorted = needed.keys.sorted { a, b in
            let na = a.filter { $0 != 0 }.count, nb = b.filter { $0 != 0 }.count
            if na != nb { return na < nb }
            return a.lexicographicallyPrecedes(b) == false && a != b
        }
        directions = sorted
        orders = sorted.map { needed[$0]! }
        var offsets: [Int] = [], total = 0
        for k in orders {
            offsets.append(total)
            total += k
        }
        blockOffsets = offsets
    }

    /// The number of stream blocks: 1 + Σ_v K_v.
    public var count: Int { 1 + orders.reduce(0, +) }

    /// The highest order along any direction.
    public var maximumOrder: Int { orders.max() ?? 0 }

    public var description: String {
        "jets " + zip(directions, orders).map { "\($0.0)^\($0.1)" }.joined(separator: " ")
    }

    /// The block of (vⱼ·∇)ᵏu.
    public func block(direction j: Int, order k: Int) -> Int { 1 + blockOffsets[j] + k - 1 }

    /// ∂^α u as Σ coefficient·(stream block): one block for the value or a pure derivative, several for a mixed one.
    public func combination(of alpha: [Int]) -> [(block: Int, coefficient: Double)] {
        let k = alpha.reduce(0, +)
        if k == 0 { return [(0, 1)] }
        let betas = Self.interpolationDirections(for: alpha)
        let coefficients = Self.interpolationCoefficients(for: alpha, directions: betas)
        return zip(betas, coefficients).compactMap { beta, c in
            guard c != 0 else { return nil }
            let v = Self.normalised(beta)
            let j = directions.firstIndex(of: v)!
            // (β·∇)ᵏ = gᵏ (v·∇)ᵏ for β = g·v.
            let g = Self.gcd(beta)
            return (block(direction: j, order: k), c * Self.power(Double(g), k))
        }
    }

    /// The multi-indices β of order |α| supported on α's coordinates (just k·eᵢ for a pure derivative).
    static func interpolationDirections(for alpha: [Int]) -> [[Int]] {
        let k = alpha.reduce(0, +)
        let support = alpha.indices.filter { alpha[$0] > 0 }
        if support.count == 1 { return [alpha] }
        var result: [[Int]] = []
        var current = [Int](repeating: 0, count: alpha.count)
        func fill(_ position: Int, _ remaining: Int) {
            let i = support[position]
            if position == support.count - 1 {
                current[i] = remaining
                result.append(current)
                return
            }
            for c in stride(from: remaining, through: 0, by: -1) {
                current[i] = c
                fill(position + 1, remaining - c)
            }
            current[i] = 0
        }
        fill(0, k)
        return result
    }

    /// c with Σ_β c_β (β·∇)ᵏ = ∂^α over the given β (Mᵀc = e_α, solved by Gaussian elimination with partial
    /// pivoting; the matrix is unisolvent for this set of β).
    static func interpolationCoefficients(for alpha: [Int], directions betas: [[Int]]) -> [Double] {
        let n = betas.count
        if n == 1 {
            // A pure derivative: (k·eᵢ·∇)ᵏ = kᵏ ∂ᵢᵏ.
            let k = alpha.reduce(0, +)
            return [1 / power(Double(k), k)]
        }
        let k = alpha.reduce(0, +)
        // Columns γ: the same multi-indices as the β (all of order k on the support).
        let gammas = betas
        // A[γ][β] = M[β][γ] = k!/γ! β^γ: row γ of Mᵀ.
        var a = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n)
        for (r, gamma) in gammas.enumerated() {
            for (c, beta) in betas.enumerated() {
                var value = factorial(k)
                for i in gamma.indices where gamma[i] > 0 {
                    value *= power(Double(beta[i]), gamma[i]) / factorial(gamma[i])
                }
                a[r][c] = value
            }
            a[r][n] = gamma == alpha ? 1 : 0
        }
        for column in 0..<n {
            let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) }!
            a.swapAt(column, pivot)
            for r in 0..<n where r != column && a[r][column] != 0 {
                let f = a[r][column] / a[column][column]
                for c in column...n { a[r][c] -= f * a[column][c] }
            }
        }
        return (0..<n).map { a[$0][n] / a[$0][$0] }
    }

    static func normalised(_ beta: [Int]) -> [Int] {
        let g = gcd(beta)
        return beta.map { $0 / g }
    }

    static func gcd(_ values: [Int]) -> Int {
        var g = 0
        for v in values {
            var a = g, b = abs(v)
            while b != 0 { (a, b) = (b, a % b) }
            g = a
        }
        return max(g, 1)
    }

    static func factorial(_ k: Int) -> Double { k <= 1 ? 1 : (2...k).reduce(1.0) { $0 * Double($1) } }

    static func power(_ x: Double, _ k: Int) -> Double { (0..<k).reduce(1.0) { acc, _ in acc * x } }

    public static func == (a: JetPlan, b: JetPlan) -> Bool {
        a.dimension == b.dimension && a.directions == b.directions && a.orders == b.orders
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(dimension)
        hasher.combine(directions)
        hasher.combine(orders)
    }
}
