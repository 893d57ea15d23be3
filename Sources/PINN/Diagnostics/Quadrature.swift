import Foundation

/// Gauss–Legendre quadrature: nodes and weights exact for polynomials of degree 2q − 1 on an interval, and their
/// tensor products on boxes.
public enum GaussLegendre {
    /// The q nodes (ascending) and weights on [−1, 1], by Newton's method on P_q from Chebyshev starting points
    /// (converged to machine precision; weights 2 / ((1 − x²) P_q′(x)²)).
    public static func rule(_ q: Int) -> (nodes: [Double], weights: [Double]) {
        precondition(q >= 1)
        if q == 1 { return ([0], [2]) }
        var nodes = [Double](repeating: 0, count: q), weights = [Double](repeating: 0, count: q)
        for i in 0..<((q + 1) / 2) {
            var x = cos(Double.pi * (Double(i) + 0.75) / (Double(q) + 0.5))
            var slope = 1.0
            for _ in 0..<100 {
                // P_q(x) by the three-term recurrence, and P_q′(x) = q (x P_q − P_{q−1}) / (x² − 1).
                var previous = 1.0, current = x
                for k in 2...q {
                    let next = (Double(2 * k - 1) * x * current - Double(k - 1) * previous) / Double(k)
                    previous = current
                    current = next
                }
                slope = Double(q) * (x * current - previous) / (x * x - 1)
                let step = current / slope
                x -= step
                if abs(step) < 1e-16 { break }
            }
            let w = 2 / ((1 - x * x) * slope * slope)
            nodes[i] = -x; nodes[q - 1 - i] = x
            weights[i] = w; weights[q - 1 - i] = w
        }
        return (nodes, weights)
    }

    /// The tensor rule with q nodes per axis on `box`: points (point-major) and weights summing to the box's volume.
    public static func tensorRule(on box: Box, nodesPerAxis q: Int) -> (points: [Double], weights: [Double]) {
        let (x, w) = rule(q)
        let d = box.dimension
        let total = Int(pow(Double(q), Double(d)))
        var points = [Double](repeating: 0, count: total * d), weights = [Double](repeating: 1, count: total)
        for p in 0..<total {
            var rest = p
            for i in 0..<d {
                let k = rest % q
                rest /= q
                let half = 0.5 * (box.upper[i] - box.lower[i])
                points[p * d + i] = box.lower[i] + half * (x[k] + 1)
                weights[p] *= half * w[k]
            }
        }
        return (points, weights)
    }
}
