import Foundation

/// The ε-rank of a set of functions (Yang, Zhao & Zhu 2024): the number of eigenvalues of their Gram matrix
/// ```
/// Mᵢⱼ = ∫_Ω φᵢ φⱼ dx ≈ Σ_q w_q φᵢ(x_q) φⱼ(x_q)
/// ```
/// greater than ε. For a network, φᵢ are the neuron functions of a hidden layer (by default the last); during
/// training the ε-rank rises in steps while the loss drops in steps (the staircase).
public enum EffectiveRank {
    /// The default tolerances.
    public static let defaultEpsilons = [1e-1, 1e-2, 1e-3, 1e-4]

    /// The Gram matrix (n × n, column-major, full) of n functions sampled at Q points with weights w: `values` is
    /// n × Q column-major (function i at point q is `values[i + q·n]`).
    public static func gramMatrix(values: [Double], count n: Int, weights: [Double]) -> [Double] {
        let q = weights.count
        precondition(values.count == n * q)
        var scaled = values
        for p in 0..<q {
            let s = weights[p].squareRoot()
            for i in 0..<n { scaled[i + p * n] *= s }
        }
        var gram = [Double](repeating: 0, count: n * n)
        // M = (Φ√W)(Φ√W)ᵀ: dsyrk on the transpose view (Q × n) fills the upper triangle.
        scaled.withUnsafeBufferPointer { a in
            gram.withUnsafeMutableBufferPointer { c in
                BLAS.gemm(transposeB: true, m: n, n: n, k: q, a: a.baseAddress!, lda: n, b: a.baseAddress!, ldb: n,
                          c: c.baseAddress!, ldc: n)
            }
        }
        return gram
    }

    /// The number of eigenvalues of the Gram matrix above each ε.
    public static func ranks(gram: [Double], count n: Int, epsilons: [Double] = defaultEpsilons) throws -> [Int] {
        let eigenvalues = try SymmetricEigen.eigenvalues(of: gram, dimension: n)
        return epsilons.map { eps in eigenvalues.filter { $0 > eps }.count }
    }

    /// The ε-ranks of the neuron functions of hidden layer `layer` (0-based; default the last) over `domain`: by a
    /// tensor Gauss–Legendre rule with `nodesPerAxis` nodes per axis on boxes of up to three dimensions, by
    /// quasi-Monte Carlo (as many Sobol points, at most 2¹⁵, weights |Ω|/Q) elsewhere.
    public static func ranks(of network: Network, on domain: any Domain, layer: Int? = nil, nodesPerAxis: Int? = nil,
                             epsilons: [Double] = defaultEpsilons) throws -> [Int] {
        let l = layer ?? network.layout.depth - 1
        let q = nodesPerAxis ?? (domain.dimension == 1 ? 256 : 64)
        let rule: (points: [Double], weights: [Double])
        if let box = domain as? Box, domain.dimension <= 3 {
            rule = GaussLegendre.tensorRule(on: box, nodesPerAxis: q)
        } else {
            // Beyond three coordinates a tensor rule's qᵈ nodes cannot be had: at most 2¹⁵ Sobol points.
            let count = min(Int(pow(Double(q), Double(min(domain.dimension, 4)))), 1 << 15)
            var rng = Xoshiro256(seed: 0x5EED)
            rule = (domain.interiorPoints(count: count, distribution: .sobol, rng: &rng),
                    [Double](repeating: domain.measure / Double(count), count: count))
        }
        let values = NetworkEvaluator(layout: network.layout).hiddenActivations(network, at: rule.points, layer: l)
        let n = network.layout.hiddenWidths[l]
        return try ranks(gram: gramMatrix(values: values, count: n, weights: rule.weights), count: n, epsilons: epsilons)
    }
}
