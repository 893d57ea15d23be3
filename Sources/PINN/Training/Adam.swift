/// Adam (Kingma & Ba 2015) with bias correction, PyTorch's defaults and update order:
/// ```
/// m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²
/// θ ← θ − η · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)
/// ```
public struct Adam: Sendable {
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    /// First and second moment estimates.
    public internal(set) var m: [Double]
    public internal(set) var v: [Double]
    /// Steps taken so far.
    public internal(set) var step = 0

    public init(parameterCount: Int) {
        m = [Double](repeating: 0, count: parameterCount)
        v = [Double](repeating: 0, count: parameterCount)
    }

    /// Per-parameter step factors (η·factorᵢ), or nil for η everywhere.
    public var stepScales: [Double]?

    /// One update of `parameters` with `gradient` and learning rate η.
    public mutating func update(_ parameters: inout [Double], gradient: UnsafePointer<Double>, learningRate eta: Double) {
        step += 1
        let b1 = beta1, b2 = beta2, eps = epsilon
        let c1 = 1 - Foundation.pow(b1, Double(step)), c2 = 1 - Foundation.pow(b2, Double(step))
        let stepSize = eta / c1, c2root = c2.squareRoot()
        let n = parameters.count
        parameters.withUnsafeMutableBufferPointer { theta in
            m.withUnsafeMutableBufferPointer { m in
                v.withUnsafeMutableBufferPointer { v in
                    for i in 0..<n {
                        let g = gradient[i]
                        m[i] = b1 * m[i] + (1 - b1) * g
                        v[i] = b2 * v[i] + (1 - b2) * g * g
                        theta[i] -= stepSize * m[i] / (v[i].squareRoot() / c2root + eps) * (stepScales?[i] ?? 1)
                    }
                }
            }
        }
    }
}

import Foundation
