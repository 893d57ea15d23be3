/// The activation step of the batched engine for Taylor jets (``DerivativeStreams/jets(_:)``): univariate
/// Faà di Bruno along each direction, and its hand-derived reverse (docs/derivatives.md, "Jets").
///
/// With the normalised jet ẑ(t) = Σ_{k≥1} ẑₖtᵏ of a pre-activation (ẑₖ = zₖ/k!, zₖ = dᵏz/dtᵏ) and its powers
/// ẑ(t)ᵐ = Σₖ Pₘₖ tᵏ (Pₘ = Pₘ₋₁·ẑ, a truncated series product), the activation's jet is
/// ```
/// aₖ = k! Σ_{m=1…k} σ⁽ᵐ⁾(z₀)/m! · Pₘₖ
/// ```
/// and the reverse pass, given āₖ, yields σ̄ₘ = Σₖ āₖ k!/m! Pₘₖ (the adjoints of the activation's derivatives, which
/// also give the activation parameters' gradients), the adjoints of the Pₘ back through the series products, and
/// z̄₀ = Σₘ σ̄ₘ σ⁽ᵐ⁺¹⁾(z₀) with σ̄₀ = ā₀.
enum JetKernels {
    /// A = X, the order-1 block of direction v is v at every point, higher orders 0.
    static func seedInputs(points: UnsafePointer<Double>, count n: Int, dimension d: Int, plan: JetPlan,
                           into input: UnsafeMutablePointer<Double>) {
        let block = d * n
        input.update(from: points, count: block)
        (input + block).update(repeating: 0, count: (plan.count - 1) * block)
        for (j, v) in plan.directions.enumerated() {
            let stream = input + plan.block(direction: j, order: 1) * block
            for p in 0..<n {
                for i in 0..<d { stream[p * d + i] = Double(v[i]) }
            }
        }
    }

    static let factorials: [Double] = (0...(JetPlan.highestOrder + 2)).map { JetPlan.factorial($0) }

    /// σ⁽ᵐ⁾(z₀), m = 0…K + 1, of every element: σ into `value`, σ⁽ᵐ⁾ into `sigma` block m − 1 (blocks of `count`).
    static func evaluate(_ activation: LayerActivation, amplitudes: UnsafePointer<Double>, slopes: UnsafePointer<Double>,
                         rows: Int, width: Int, z: UnsafePointer<Double>, count: Int, order K: Int,
                         value: UnsafeMutablePointer<Double>, sigma: UnsafeMutablePointer<Double>) {
        let top = K + 1
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * (top + 1)) { buffer in
            let phi = buffer.baseAddress!, sum = phi + top + 1
            for e in 0..<count {
                let i = rows == 1 ? 0 : e % width
                for m in 0...top { sum[m] = 0 }
                for (k, term) in activation.terms.enumerated() {
                    let a = term.frequency * slopes[k * rows + i]
                    let c = amplitudes[k * rows + i] * term.scale
                    term.function.derivatives(at: a * z[e], through: top, into: phi)
                    var scale = c
                    for m in 0...top {
                        sum[m] += scale * phi[m]
                        scale *= a
                    }
                }
                value[e] = sum[0]
                for m in 1...top { sigma[(m - 1) * count + e] = sum[m] }
            }
        }
    }

    /// Carries every direction's jet through the activation: aₖ = k! Σₘ σ⁽ᵐ⁾/m! Pₘₖ (blocks of `count` elements).
    static func propagate(plan: JetPlan, z: UnsafePointer<Double>, a: UnsafeMutablePointer<Double>,
                          sigma: UnsafePointer<Double>, count: Int) {
        let kmax = plan.maximumOrder, r = kmax + 1
        let f = factorials
        withUnsafeTemporaryAllocation(of: Double.self, capacity: r + r * r) { buffer in
            let zh = buffer.baseAddress!, P = zh + r
            for (j, K) in plan.orders.enumerated() {
                let base = plan.block(direction: j, order: 1)
                for e in 0..<count {
                    for k in 1...K { zh[k] = z[(base + k - 1) * count + e] / f[k] }
                    powersFixed(zh, order: K, stride: r, into: P)
                    for k in 1...K {
                        var s = 0.0
                        for m in 1...k { s += sigma[(m - 1) * count + e] / f[m] * P[m * r + k] }
                        a[(base + k - 1) * count + e] = f[k] * s
                    }
                }
            }
        }
    }

    /// The powers Pₘₖ (m, k = 1…K, at P[m·r + k], r the plan's largest order + 1) of the normalised jet ẑ (ẑ[k],
    /// k = 1…K).
    @inline(__always)
    static func powersFixed(_ zh: UnsafePointer<Double>, order K: Int, stride r: Int, into P: UnsafeMutablePointer<Double>) {
        for k in 1...K { P[r + k] = zh[k] }
        if K < 2 { return }
        for m in 2...K {
            for k in m...K {
                var s = 0.0
                for i in 1...(k - m + 1) { s += zh[i] * P[(m - 1) * r + k - i] }
                P[m * r + k] = s
            }
        }
    }

    /// Where activation-parameter derivatives go: summed over elements, or one Jacobian row per point.
    enum ParameterTarget {
        case sum(amplitudes: UnsafeMutablePointer<Double>, slopes: UnsafeMutablePointer<Double>)
        case perPoint(rows: UnsafeMutablePointer<Double>, stride: Int, amplitudeOffset: Int, slopeOffset: Int)
    }

    /// The reverse of ``evaluate`` + ``propagate``: turns the activation-output adjoints (blocks of `count`) in place
    /// into the pre-activation adjoints, and adds the activation parameters' derivatives to `target`
    /// (∂σ⁽ᵐ⁾/∂αₖ = sₖaₖᵐφₖ⁽ᵐ⁾(aₖz), ∂σ⁽ᵐ⁾/∂ωₖ = cₖαₖsₖ(m·aₖᵐ⁻¹φₖ⁽ᵐ⁾ + aₖᵐ·z·φₖ⁽ᵐ⁺¹⁾)).
    static func backward(_ activation: LayerActivation, amplitudes: UnsafePointer<Double>,
                         slopes: UnsafePointer<Double>, rows: Int, width: Int, plan: JetPlan,
                         z: UnsafePointer<Double>, sigma: UnsafePointer<Double>,
                         adjoint: UnsafeMutablePointer<Double>, count: Int, target: ParameterTarget?) {
        let kmax = plan.maximumOrder, r = kmax + 1
        let f = factorials
        let trainable = target != nil && activation.hasTrainableParameters
        let scratch = 4 * r + 2 * r * r + (kmax + 3)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: scratch) { buffer in
            let zh = buffer.baseAddress!, zhbar = zh + r, abar = zhbar + r, G = abar + r
            let P = G + r, Pbar = P + r * r, phi = Pbar + r * r
            for e in 0..<count {
                for m in 0..<r { G[m] = 0 }
                G[0] = adjoint[e]
                var zbar0 = adjoint[e] * sigma[e]
                for (j, K) in plan.orders.enumerated() {
                    let base = plan.block(direction: j, order: 1)
                    for k in 1...K {
                        zh[k] = z[(base + k - 1) * count + e] / f[k]
                        abar[k] = adjoint[(base + k - 1) * count + e]
                        zhbar[k] = 0
                    }
                    powersFixed(zh, order: K, stride: r, into: P)
                    for m in 1...K {
                        let s = sigma[(m - 1) * count + e] / f[m]
                        var g = 0.0
                        for k in m...K {
                            g += abar[k] * f[k] * P[m * r + k]
                            Pbar[m * r + k] = abar[k] * f[k] * s
                        }
                        G[m] += g / f[m]
                    }
                    if K >= 2 {
                        for m in stride(from: K, through: 2, by: -1) {
                            for k in m...K {
                                let pb = Pbar[m * r + k]
                                for i in 1...(k - m + 1) {
                                    zhbar[i] += pb * P[(m - 1) * r + k - i]
                                    Pbar[(m - 1) * r + k - i] += pb * zh[i]
                                }
                            }
                        }
                    }
                    for k in 1...K {
                        zhbar[k] += Pbar[r + k]
                        adjoint[(base + k - 1) * count + e] = zhbar[k] / f[k]
                    }
                }
                for m in 1...kmax { zbar0 += G[m] * sigma[m * count + e] }
                adjoint[e] = zbar0
                guard trainable, let target else { continue }
                let i = rows == 1 ? 0 : e % width
                let x = z[e]
                let (amplitudeGradient, slopeGradient): (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>)
                switch target {
                case let .sum(amplitudes, slopes): (amplitudeGradient, slopeGradient) = (amplitudes, slopes)
                case let .perPoint(rowsBase, stride, amplitudeOffset, slopeOffset):
                    let row = rowsBase + (e / width) * stride
                    (amplitudeGradient, slopeGradient) = (row + amplitudeOffset, row + slopeOffset)
                }
                for (k, term) in activation.terms.enumerated() where term.trainableAmplitude || term.trainableSlope {
                    let q = k * rows + i
                    let a = term.frequency * slopes[q]
                    term.function.derivatives(at: a * x, through: kmax + 1, into: phi)
                    var dAlpha = 0.0, dOmega = 0.0, am = 1.0, amMinus = 0.0
                    for m in 0...kmax {
                        // am = aᵐ, amMinus = m·aᵐ⁻¹.
                        dAlpha += G[m] * am * phi[m]
                        dOmega += G[m] * (amMinus * phi[m] + am * x * phi[m + 1])
                        amMinus = Double(m + 1) * am
                        am *= a
                    }
                    amplitudeGradient[q] += term.scale * dAlpha
                    slopeGradient[q] += term.frequency * amplitudes[q] * term.scale * dOmega
                }
            }
        }
    }
}
