import CVectorMath

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

    /// Elements per tile of the stream loops: a tile's series tables (2·(K + 1)² rows of it) stay in L1/L2.
    static let tile = 64

    /// Doubles of scratch the kernels need for jets up to order K (``TaylorWorkspace/jetScratch``).
    static func scratchCount(order K: Int) -> Int {
        let r = K + 1
        return (2 * r * r + 3 * r + 1) * tile
    }

    /// σ⁽ᵐ⁾(z₀), m = 0…K + 1, of every element: σ into `value`, σ⁽ᵐ⁾ into `sigma` block m − 1 (blocks of `count`).
    /// One layer-wise tanh, sine or cosine term (fixed activations, L-LAAF) runs vectorised: t = tanh(a·z) once,
    /// then c·aᵐ·Pₘ(t) by Horner's rule over contiguous elements (sin and cos: one shared evaluation); other
    /// activations are summed term by term per element.
    static func evaluate(_ activation: LayerActivation, amplitudes: UnsafePointer<Double>, slopes: UnsafePointer<Double>,
                         rows: Int, width: Int, z: UnsafePointer<Double>, count: Int, order K: Int,
                         value: UnsafeMutablePointer<Double>, sigma: UnsafeMutablePointer<Double>) {
        let top = K + 1
        if rows == 1, activation.terms.count == 1, [.tanh, .sin, .cos].contains(activation.terms[0].function) {
            evaluateSingleTerm(activation.terms[0], a: activation.terms[0].frequency * slopes[0],
                               c: amplitudes[0] * activation.terms[0].scale, z: z, count: count, top: top,
                               value: value, sigma: sigma)
            return
        }
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

    /// c·aᵐ·φ⁽ᵐ⁾(a·z), m = 0…top, for one tanh, sine or cosine term.
    private static func evaluateSingleTerm(_ term: KroneckerTerm, a: Double, c: Double, z: UnsafePointer<Double>,
                                           count: Int, top: Int, value: UnsafeMutablePointer<Double>,
                                           sigma: UnsafeMutablePointer<Double>) {
        if term.function == .tanh {
            // t into `value`, each σ⁽ᵐ⁾ = c·aᵐ·Pₘ(t) from it, then σ = c·t.
            pinn_vtanh_poly_scaled(z, a, value, count)
            var scale = c
            for m in 1...top {
                scale *= a
                let out = sigma + (m - 1) * count, factor = scale
                ActivationFunction.tanhPolynomials[m].withUnsafeBufferPointer { p in
                    let degree = p.count - 1
                    for e in 0..<count {
                        let t = value[e]
                        var sum = p[degree]
                        var j = degree - 1
                        while j >= 0 {
                            sum = sum * t + p[j]
                            j -= 1
                        }
                        out[e] = factor * sum
                    }
                }
            }
            for e in 0..<count { value[e] *= c }
            return
        }
        // sin into `value`, cos into σ′'s block; then sin⁽ᵐ⁾ cycles s, c, −s, −c and cos⁽ᵐ⁾ c, −s, −c, s.
        pinn_vsincos_scaled(z, a, value, sigma, count)
        let phase = term.function == .sin ? 0 : 1
        var scales = [Double](repeating: 0, count: top + 1)
        var scale = c
        for m in 0...top {
            scales[m] = scale
            scale *= a
        }
        // Blocks m = top … 2 first, while `value` and σ′'s block still hold sin and cos; then m = 1 and 0 together.
        let cosines = sigma, sines = value
        for m in stride(from: top, through: 2, by: -1) {
            let out = sigma + (m - 1) * count, factor = scales[m]
            switch (m + phase) % 4 {
            case 0: for e in 0..<count { out[e] = factor * sines[e] }
            case 1: for e in 0..<count { out[e] = factor * cosines[e] }
            case 2: for e in 0..<count { out[e] = -factor * sines[e] }
            default: for e in 0..<count { out[e] = -factor * cosines[e] }
            }
        }
        let (c0, c1) = (scales[0], scales[1])
        if phase == 0 {
            for e in 0..<count { (value[e], sigma[e]) = (c0 * sines[e], c1 * cosines[e]) }
        } else {
            for e in 0..<count { (value[e], sigma[e]) = (c0 * cosines[e], -c1 * sines[e]) }
        }
    }

    /// The powers of a tile's normalised jets: P[(m·r + k)·T + e] = Pₘₖ of element e (m, k = 1…K), from
    /// ẑ[k·T + e] (T = ``tile``, r = the plan's largest order + 1), each table row one vectorisable loop.
    @inline(__always)
    static func tilePowers(_ zh: UnsafePointer<Double>, order K: Int, stride r: Int, elements n: Int,
                           into P: UnsafeMutablePointer<Double>) {
        let T = tile
        for k in 1...K { (P + (r + k) * T).update(from: zh + k * T, count: n) }
        guard K >= 2 else { return }
        for m in 2...K {
            for k in m...K {
                let out = P + (m * r + k) * T
                for e in 0..<n { out[e] = 0 }
                for i in 1...(k - m + 1) {
                    let a = zh + i * T, b = P + ((m - 1) * r + k - i) * T
                    for e in 0..<n { out[e] += a[e] * b[e] }
                }
            }
        }
    }

    /// Loads a tile of direction j's normalised jet ẑₖ = zₖ/k! into zh[k·T + e].
    @inline(__always)
    static func loadTile(_ z: UnsafePointer<Double>, base: Int, order K: Int, count: Int, start: Int, elements n: Int,
                         into zh: UnsafeMutablePointer<Double>) {
        for k in 1...K {
            let source = z + (base + k - 1) * count + start, target = zh + k * tile, inverse = 1 / factorials[k]
            for e in 0..<n { target[e] = source[e] * inverse }
        }
    }

    /// Carries every direction's jet through the activation: aₖ = k! Σₘ σ⁽ᵐ⁾/m! Pₘₖ (blocks of `count` elements),
    /// tile by tile.
    static func propagate(plan: JetPlan, z: UnsafePointer<Double>, a: UnsafeMutablePointer<Double>,
                          sigma: UnsafePointer<Double>, count: Int, scratch: UnsafeMutablePointer<Double>) {
        let r = plan.maximumOrder + 1, T = tile
        let f = factorials
        let zh = scratch, P = zh + r * T
        var start = 0
        while start < count {
            let n = min(T, count - start)
            for (j, K) in plan.orders.enumerated() {
                let base = plan.block(direction: j, order: 1)
                loadTile(z, base: base, order: K, count: count, start: start, elements: n, into: zh)
                tilePowers(zh, order: K, stride: r, elements: n, into: P)
                for k in 1...K {
                    let out = a + (base + k - 1) * count + start
                    for e in 0..<n { out[e] = 0 }
                    for m in 1...k {
                        let s = sigma + (m - 1) * count + start, p = P + (m * r + k) * T, c = f[k] / f[m]
                        for e in 0..<n { out[e] += c * s[e] * p[e] }
                    }
                }
            }
            start += n
        }
    }

    /// Where activation-parameter derivatives go: summed over elements, or one Jacobian row per point.
    enum ParameterTarget {
        case sum(amplitudes: UnsafeMutablePointer<Double>, slopes: UnsafeMutablePointer<Double>)
        case perPoint(rows: UnsafeMutablePointer<Double>, stride: Int, amplitudeOffset: Int, slopeOffset: Int)
    }

    /// The reverse of ``evaluate`` + ``propagate``: turns the activation-output adjoints (blocks of `count`) in place
    /// into the pre-activation adjoints, and adds the activation parameters' derivatives to `target`
    /// (∂σ⁽ᵐ⁾/∂αₖ = sₖaₖᵐφₖ⁽ᵐ⁾(aₖz), ∂σ⁽ᵐ⁾/∂ωₖ = cₖαₖsₖ(m·aₖᵐ⁻¹φₖ⁽ᵐ⁾ + aₖᵐ·z·φₖ⁽ᵐ⁺¹⁾)), tile by tile.
    static func backward(_ activation: LayerActivation, amplitudes: UnsafePointer<Double>,
                         slopes: UnsafePointer<Double>, rows: Int, width: Int, plan: JetPlan,
                         z: UnsafePointer<Double>, sigma: UnsafePointer<Double>,
                         adjoint: UnsafeMutablePointer<Double>, count: Int, target: ParameterTarget?,
                         scratch: UnsafeMutablePointer<Double>) {
        let kmax = plan.maximumOrder, r = kmax + 1, T = tile
        let f = factorials
        let trainable = target != nil && activation.hasTrainableParameters
        // Tile tables: ẑ, ẑ̄ and G (σ̄ₘ) r rows each, P and P̄ r² rows each, z̄₀ one row.
        let zh = scratch, zhbar = zh + r * T, G = zhbar + r * T, P = G + r * T, Pbar = P + r * r * T
        let zbar0 = Pbar + r * r * T
        var start = 0
        while start < count {
            let n = min(T, count - start)
            // σ̄₀ = ā₀, z̄₀ = ā₀σ′ to start with.
            for m in 1..<r { for e in 0..<n { G[m * T + e] = 0 } }
            for e in 0..<n {
                G[e] = adjoint[start + e]
                zbar0[e] = adjoint[start + e] * sigma[start + e]
            }
            for (j, K) in plan.orders.enumerated() {
                let base = plan.block(direction: j, order: 1)
                loadTile(z, base: base, order: K, count: count, start: start, elements: n, into: zh)
                for k in 1...K { for e in 0..<n { zhbar[k * T + e] = 0 } }
                tilePowers(zh, order: K, stride: r, elements: n, into: P)
                // σ̄ₘ += Σₖ āₖ k!/m! Pₘₖ and P̄ₘₖ = āₖ k! σ⁽ᵐ⁾/m!.
                for m in 1...K {
                    let s = sigma + (m - 1) * count + start, g = G + m * T
                    for k in m...K {
                        let abar = adjoint + (base + k - 1) * count + start, c = f[k] / f[m]
                        let p = P + (m * r + k) * T, pb = Pbar + (m * r + k) * T
                        for e in 0..<n {
                            g[e] += c * abar[e] * p[e]
                            pb[e] = c * abar[e] * s[e]
                        }
                    }
                }
                // Back through the series products Pₘ = Pₘ₋₁·ẑ.
                if K >= 2 {
                    for m in stride(from: K, through: 2, by: -1) {
                        for k in m...K {
                            let pb = Pbar + (m * r + k) * T
                            for i in 1...(k - m + 1) {
                                let zb = zhbar + i * T, lower = P + ((m - 1) * r + k - i) * T
                                let lowerBar = Pbar + ((m - 1) * r + k - i) * T, zi = zh + i * T
                                for e in 0..<n {
                                    zb[e] += pb[e] * lower[e]
                                    lowerBar[e] += pb[e] * zi[e]
                                }
                            }
                        }
                    }
                }
                for k in 1...K {
                    let out = adjoint + (base + k - 1) * count + start, pb = Pbar + (r + k) * T
                    let zb = zhbar + k * T, inverse = 1 / f[k]
                    for e in 0..<n { out[e] = (zb[e] + pb[e]) * inverse }
                }
            }
            // z̄₀ = ā₀σ′ + Σₘ σ̄ₘσ⁽ᵐ⁺¹⁾.
            for m in 1...kmax {
                let g = G + m * T, s = sigma + m * count + start
                for e in 0..<n { zbar0[e] += g[e] * s[e] }
            }
            for e in 0..<n { adjoint[start + e] = zbar0[e] }
            if trainable, let target {
                accumulateParameterGradient(activation, amplitudes: amplitudes, slopes: slopes, rows: rows,
                                            width: width, z: z, start: start, elements: n, order: kmax, G: G,
                                            target: target)
            }
            start += n
        }
    }

    /// Adds a tile's activation-parameter derivatives: Σ_e Σₘ σ̄ₘ(e)·∂σ⁽ᵐ⁾/∂θ (see ``backward``).
    private static func accumulateParameterGradient(
        _ activation: LayerActivation, amplitudes: UnsafePointer<Double>, slopes: UnsafePointer<Double>, rows: Int,
        width: Int, z: UnsafePointer<Double>, start: Int, elements n: Int, order kmax: Int,
        G: UnsafePointer<Double>, target: ParameterTarget
    ) {
        let T = tile
        withUnsafeTemporaryAllocation(of: Double.self, capacity: kmax + 3) { buffer in
            let phi = buffer.baseAddress!
            for local in 0..<n {
                let e = start + local
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
                        let g = G[m * T + local]
                        dAlpha += g * am * phi[m]
                        dOmega += g * (amMinus * phi[m] + am * x * phi[m + 1])
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
