import CVectorMath

/// Batched evaluation of a Kronecker activation φ̃(z) = Σₖ αₖ sₖ φₖ(aₖ z), aₖ = cₖ ωₖ, and its derivatives
/// ```
/// φ̃⁽ᵐ⁾(z) = Σₖ αₖ sₖ aₖᵐ φₖ⁽ᵐ⁾(aₖ z),   m = 0…3
/// ```
/// and of the gradient of the loss with respect to the αₖ and ωₖ (docs/derivatives.md). Layer-wise activations of
/// several terms run through two fused C kernels (Sources/CVectorMath/kronecker.c): one pass for φ̃…φ̃‴ with all
/// terms added in registers, and one pass over the adjoint streams for every term's α and ω. A tanh term caches
/// tanh(aₖz) only (its derivatives follow from it), a sine or cosine term one shared sin/cos evaluation.
enum ActivationKernels {
    /// Where a term's φ⁽ᵐ⁾ (m = 0…3) live in the cache, with signs: a sine term keeps sin in slot 0 and cos in
    /// slot 1, so φ = sin, φ′ = cos, φ″ = −sin, φ‴ = −cos.
    struct TermDerivatives {
        let source: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>)
        let sign: (Double, Double, Double, Double)

        init(_ function: ActivationFunction, cache: ArraySlice<UnsafeMutablePointer<Double>>) {
            let i = cache.startIndex
            switch function {
            case .sin:
                source = (cache[i], cache[i + 1], cache[i], cache[i + 1])
                sign = (1, 1, -1, -1)
            case .cos:
                source = (cache[i + 1], cache[i], cache[i + 1], cache[i])
                sign = (1, -1, -1, 1)
            default:
                source = (cache[i], cache[i + 1], cache[i + 2], cache[i + 3])
                sign = (1, 1, 1, 1)
            }
        }
    }

    /// Whether the activation is one layer-wise term with α·s ≠ 0 and a = c·ω ≠ 0: then φ̃⁽ᵐ⁾ = α·s·aᵐ·φ⁽ᵐ⁾(a·z)
    /// is evaluated in one pass, and the gradients of α and ω follow from φ̃…φ̃‴ without a term cache.
    @inline(__always)
    static func isSingleTerm(_ activation: LayerActivation, amplitudes: UnsafePointer<Double>,
                             slopes: UnsafePointer<Double>, rows: Int) -> Bool {
        guard activation.terms.count == 1, rows == 1 else { return false }
        let term = activation.terms[0]
        return amplitudes[0] * term.scale != 0 && term.frequency * slopes[0] != 0
    }

    /// φ̃, φ̃′, φ̃″, φ̃‴ at `count` contiguous pre-activations. `cache` holds 4 buffers per term (filled here);
    /// `scratch` one buffer of `count`.
    static func evaluate(_ activation: LayerActivation, amplitudes: UnsafePointer<Double>, slopes: UnsafePointer<Double>,
                         z: UnsafePointer<Double>, count n: Int,
                         value: UnsafeMutablePointer<Double>, first: UnsafeMutablePointer<Double>,
                         second: UnsafeMutablePointer<Double>, third: UnsafeMutablePointer<Double>,
                         cache: [UnsafeMutablePointer<Double>], scratch: UnsafeMutablePointer<Double>,
                         rows: Int = 1) {
        if rows > 1 {
            evaluateNeuronWise(activation, amplitudes: amplitudes, slopes: slopes, z: z, count: n, rows: rows,
                               value: value, first: first, second: second, third: third, cache: cache, scratch: scratch)
            return
        }
        if isSingleTerm(activation, amplitudes: amplitudes, slopes: slopes, rows: rows) {
            // One term (fixed, L-LAAF): α·s·aᵐ·φ⁽ᵐ⁾(a·z) straight into the outputs; no term cache is needed, the
            // reverse pass works from σ…σ‴ themselves.
            let term = activation.terms[0]
            term.function.evaluate(z, count: n, value: value, first: first, second: second, third: third,
                                   inputScale: term.frequency * slopes[0], outputScale: amplitudes[0] * term.scale)
            return
        }
        // Terms without a vector kernel of their own (sigmoid, swish, …) are tabulated first; the fused pass adds
        // them with the tanh, sine and cosine terms.
        for (k, term) in activation.terms.enumerated() where kernelKind(term.function) == PINN_TERM_TABULATED {
            let a = term.frequency * slopes[k]
            for e in 0..<n { scratch[e] = a * z[e] }
            term.function.evaluate(scratch, count: n, value: cache[4 * k], first: cache[4 * k + 1],
                                   second: cache[4 * k + 2], third: cache[4 * k + 3])
        }
        withKernelTerms(activation, amplitudes: amplitudes, slopes: slopes, cache: cache) { terms, count in
            pinn_kronecker_forward(z, n, terms, count, value, first, second, third)
        }
    }

    /// The fused kernels' name for a term function.
    static func kernelKind(_ function: ActivationFunction) -> Int {
        switch function {
        case .tanh: return Int(PINN_TERM_TANH)
        case .sin: return Int(PINN_TERM_SIN)
        case .cos: return Int(PINN_TERM_COS)
        default: return Int(PINN_TERM_TABULATED)
        }
    }

    /// Calls `body` with the fused kernels' description of a layer-wise activation's terms (on the stack: no heap
    /// allocation per call), their caches shifted by `shift` elements.
    static func withKernelTerms<R>(_ activation: LayerActivation, amplitudes: UnsafePointer<Double>,
                                   slopes: UnsafePointer<Double>, cache: [UnsafeMutablePointer<Double>],
                                   shift: Int = 0, _ body: (UnsafePointer<pinn_kronecker_term>, Int) -> R) -> R {
        let count = activation.terms.count
        return withUnsafeTemporaryAllocation(of: pinn_kronecker_term.self, capacity: count) { buffer in
            for (k, term) in activation.terms.enumerated() {
                let slots = (cache[4 * k] + shift, cache[4 * k + 1] + shift, cache[4 * k + 2] + shift,
                             cache[4 * k + 3] + shift)
                buffer.initializeElement(at: k, to: pinn_kronecker_term(
                    kind: Int32(kernelKind(term.function)), a: term.frequency * slopes[k],
                    c0: amplitudes[k] * term.scale, cache: slots))
            }
            return body(buffer.baseAddress!, count)
        }
    }

    /// Whether a layer's activation-parameter gradients come from ``accumulateKroneckerGradient`` (layer-wise,
    /// not a single term) rather than ``accumulateParameterGradient``.
    static func usesFusedGradient(_ activation: LayerActivation, amplitudes: UnsafePointer<Double>,
                                  slopes: UnsafePointer<Double>, rows: Int) -> Bool {
        rows == 1 && !isSingleTerm(activation, amplitudes: amplitudes, slopes: slopes, rows: rows)
    }

    /// Adds ∂L/∂αₖ and ∂L/∂ωₖ of a layer-wise activation to the gradients, straight from the streams: `z` and
    /// `adjoint` hold the pre-activation streams and the activation-output adjoints as blocks `stride` apart, of
    /// which the first `count` elements are summed (all of a layer's elements for the summed gradient, one point's
    /// neurons for a Jacobian row). With the per-element contractions
    /// ```
    /// G₀ = Ā,  G₁₃ = Σᵢ D̄ᵢ⊙Żᵢ + Λ̄⊙Z̈ (or Σᵢ S̄ᵢ⊙Z̈ᵢ),  G₂ = Λ̄⊙Σᵢ Żᵢ² (or Σᵢ S̄ᵢ⊙Żᵢ²)
    /// ```
    /// and φ⁽ᵐ⁾ = φₖ⁽ᵐ⁾(aₖz) from the forward pass's cache:
    /// ```
    /// ∂L/∂αₖ = sₖ Σ [G₀ φ + aG₁₃ φ′ + a²G₂ φ″]
    /// ∂L/∂ωₖ = cₖαₖsₖ Σ [G₀ z φ′ + G₁₃ (φ′ + a z φ″) + G₂ (2a φ″ + a² z φ‴)]
    /// ```
    /// A sine or cosine term needs four sums over its cached sin and cos (see kronecker.c).
    static func accumulateKroneckerGradient(
        _ activation: LayerActivation, amplitudes: UnsafePointer<Double>, slopes: UnsafePointer<Double>,
        z: UnsafePointer<Double>, adjoint: UnsafePointer<Double>, count n: Int, stride: Int, dimension d: Int,
        streams: DerivativeStreams, cache: [UnsafeMutablePointer<Double>], cacheShift: Int = 0,
        amplitudeGradient: UnsafeMutablePointer<Double>, slopeGradient: UnsafeMutablePointer<Double>
    ) {
        let count = activation.terms.count
        let mode: Int
        switch streams {
        case .value: mode = Int(PINN_STREAMS_VALUE)
        case .gradient: mode = Int(PINN_STREAMS_GRADIENT)
        case .laplacian: mode = Int(PINN_STREAMS_LAPLACIAN)
        case .pureSecond: mode = Int(PINN_STREAMS_PURE_SECOND)
        }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * count) { sums in
            sums.initialize(repeating: 0)
            withKernelTerms(activation, amplitudes: amplitudes, slopes: slopes, cache: cache, shift: cacheShift) {
                terms, count in
                pinn_kronecker_gradient(z, adjoint, n, stride, d, Int32(mode), terms, count, sums.baseAddress!)
            }
            for (k, term) in activation.terms.enumerated() where term.trainableAmplitude || term.trainableSlope {
                amplitudeGradient[k] += term.scale * sums[2 * k]
                slopeGradient[k] += term.frequency * amplitudes[k] * term.scale * sums[2 * k + 1]
            }
        }
    }

    /// Adds ∂L/∂αₖ and ∂L/∂ωₖ of a single-term or neuron-wise activation to `gradient`, given the per-element
    /// adjoint contractions
    /// ```
    /// G₀ = Ā,  G₁ = Σᵢ D̄ᵢ⊙Żᵢ,  G₂ = Σᵢ S̄ᵢ⊙Żᵢ² (or Λ̄⊙ΣŻᵢ²),  G₃ = Σᵢ S̄ᵢ⊙Z̈ᵢ (or Λ̄⊙Z̈)
    /// ```
    /// (nil where the stream set does not carry them), with the formulas of ``accumulateKroneckerGradient``
    /// (G₁₃ = G₁ + G₃). Layer-wise activations of several terms use that one.
    static func accumulateParameterGradient(
        _ activation: LayerActivation, amplitudes: UnsafePointer<Double>, slopes: UnsafePointer<Double>,
        z: UnsafePointer<Double>, count n: Int,
        g0: UnsafePointer<Double>, g1: UnsafePointer<Double>?, g2: UnsafePointer<Double>?, g3: UnsafePointer<Double>?,
        cache: [UnsafeMutablePointer<Double>], rows: Int = 1,
        activationDerivatives sigma: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>),
        amplitudeGradient: UnsafeMutablePointer<Double>, slopeGradient: UnsafeMutablePointer<Double>
    ) {
        if isSingleTerm(activation, amplitudes: amplitudes, slopes: slopes, rows: rows) {
            accumulateSingleTermGradient(activation.terms[0], amplitude: amplitudes[0], slope: slopes[0], z: z, count: n,
                                         g0: g0, g1: g1, g2: g2, g3: g3, sigma: sigma,
                                         amplitudeGradient: amplitudeGradient, slopeGradient: slopeGradient)
            return
        }
        if rows > 1 {
            accumulateNeuronWiseGradient(activation, amplitudes: amplitudes, slopes: slopes, z: z, count: n, rows: rows,
                                         g0: g0, g1: g1, g2: g2, g3: g3, cache: cache,
                                         amplitudeGradient: amplitudeGradient, slopeGradient: slopeGradient)
            return
        }
        preconditionFailure("layer-wise activations of several terms use accumulateKroneckerGradient")
    }

    // MARK: Neuron-wise parameters

    /// The neuron-wise forward: term k of neuron j (row j of the n_l × N block) has its own aₖⱼ = cₖωₖⱼ and
    /// coefficient αₖⱼsₖ; the loops run over columns and, inside, over the rows, so they vectorise across neurons.
    static func evaluateNeuronWise(_ activation: LayerActivation, amplitudes: UnsafePointer<Double>,
                                   slopes: UnsafePointer<Double>, z: UnsafePointer<Double>, count n: Int, rows m: Int,
                                   value: UnsafeMutablePointer<Double>, first: UnsafeMutablePointer<Double>,
                                   second: UnsafeMutablePointer<Double>, third: UnsafeMutablePointer<Double>,
                                   cache: [UnsafeMutablePointer<Double>], scratch: UnsafeMutablePointer<Double>) {
        let columns = n / m
        var a = [Double](repeating: 0, count: m), c = [[Double]](repeating: [Double](repeating: 0, count: m), count: 4)
        for (k, term) in activation.terms.enumerated() {
            for j in 0..<m {
                a[j] = term.frequency * slopes[k * m + j]
                c[0][j] = amplitudes[k * m + j] * term.scale
                c[1][j] = c[0][j] * a[j]; c[2][j] = c[1][j] * a[j]; c[3][j] = c[2][j] * a[j]
            }
            for p in 0..<columns {
                for j in 0..<m { scratch[p * m + j] = a[j] * z[p * m + j] }
            }
            let slots = cache[(4 * k)..<(4 * k + 4)]
            if term.function == .sin || term.function == .cos {
                pinn_vsincos(scratch, slots[4 * k], slots[4 * k + 1], n)
            } else {
                term.function.evaluate(scratch, count: n, value: slots[4 * k], first: slots[4 * k + 1],
                                       second: slots[4 * k + 2], third: slots[4 * k + 3])
            }
            let phi = TermDerivatives(term.function, cache: slots)
            let (p0, p1, p2, p3) = phi.source
            let (s0, s1, s2, s3) = phi.sign
            for p in 0..<columns {
                for j in 0..<m {
                    let e = p * m + j
                    let v0 = c[0][j] * s0 * p0[e], v1 = c[1][j] * s1 * p1[e], v2 = c[2][j] * s2 * p2[e], v3 = c[3][j] * s3 * p3[e]
                    if k == 0 {
                        value[e] = v0; first[e] = v1; second[e] = v2; third[e] = v3
                    } else {
                        value[e] += v0; first[e] += v1; second[e] += v2; third[e] += v3
                    }
                }
            }
        }
    }

    /// The neuron-wise ∂L/∂αₖⱼ and ∂L/∂ωₖⱼ: the same formulas as the layer-wise ones, summed over the points only.
    static func accumulateNeuronWiseGradient(
        _ activation: LayerActivation, amplitudes: UnsafePointer<Double>, slopes: UnsafePointer<Double>,
        z: UnsafePointer<Double>, count n: Int, rows m: Int,
        g0: UnsafePointer<Double>, g1: UnsafePointer<Double>?, g2: UnsafePointer<Double>?, g3: UnsafePointer<Double>?,
        cache: [UnsafeMutablePointer<Double>],
        amplitudeGradient: UnsafeMutablePointer<Double>, slopeGradient: UnsafeMutablePointer<Double>
    ) {
        let columns = n / m
        var dAlpha = [Double](repeating: 0, count: m), dOmega = [Double](repeating: 0, count: m)
        for (k, term) in activation.terms.enumerated() where term.trainableAmplitude || term.trainableSlope {
            let phi = TermDerivatives(term.function, cache: cache[(4 * k)..<(4 * k + 4)])
            let (p0, p1, p2, p3) = phi.source
            let (s0, s1, s2, s3) = phi.sign
            for j in 0..<m { dAlpha[j] = 0; dOmega[j] = 0 }
            for p in 0..<columns {
                for j in 0..<m {
                    let e = p * m + j
                    let a = term.frequency * slopes[k * m + j]
                    let x = z[e], f0 = s0 * p0[e], f1 = s1 * p1[e], f2 = s2 * p2[e], f3 = s3 * p3[e]
                    let h1 = g1?[e] ?? 0, h2 = g2?[e] ?? 0, h3 = g3?[e] ?? 0
                    dAlpha[j] += g0[e] * f0 + a * (h1 + h3) * f1 + a * a * h2 * f2
                    dOmega[j] += g0[e] * x * f1 + (h1 + h3) * (f1 + a * x * f2) + h2 * (2 * a * f2 + a * a * x * f3)
                }
            }
            for j in 0..<m {
                amplitudeGradient[k * m + j] += term.scale * dAlpha[j]
                slopeGradient[k * m + j] += term.frequency * amplitudes[k * m + j] * term.scale * dOmega[j]
            }
        }
    }

    /// The gradients of a single term's α and ω from φ̃ = α·s·φ(a·z) and its derivatives (a = c·ω, α·s ≠ 0, a ≠ 0):
    /// ```
    /// ∂L/∂α = (1/α) Σ [G₀ φ̃ + G₁₃ φ̃′ + G₂ φ̃″]
    /// ∂L/∂ω = (c/a) Σ [z G₀ φ̃′ + G₁₃ (φ̃′ + z φ̃″) + G₂ (2φ̃″ + z φ̃‴)]
    /// ```
    /// with G₁₃ = G₁ + G₃ — one vectorised pass over the layer.
    static func accumulateSingleTermGradient(
        _ term: KroneckerTerm, amplitude alpha: Double, slope omega: Double, z: UnsafePointer<Double>, count n: Int,
        g0: UnsafePointer<Double>, g1: UnsafePointer<Double>?, g2: UnsafePointer<Double>?, g3: UnsafePointer<Double>?,
        sigma: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>),
        amplitudeGradient: UnsafeMutablePointer<Double>, slopeGradient: UnsafeMutablePointer<Double>
    ) {
        guard term.trainableAmplitude || term.trainableSlope else { return }
        let (f0, f1, f2, f3) = sigma
        let a = term.frequency * omega
        var alpha8 = SIMD8<Double>(), omega8 = SIMD8<Double>()
        let body = n - n % 8
        @inline(__always) func v(_ p: UnsafePointer<Double>, _ e: Int) -> SIMD8<Double> {
            UnsafeRawPointer(p + e).loadUnaligned(as: SIMD8<Double>.self)
        }
        if let g1, let g2, let g3 {
            for e in stride(from: 0, to: body, by: 8) {
                let x: SIMD8<Double> = v(z, e), h0: SIMD8<Double> = v(g0, e), h2: SIMD8<Double> = v(g2, e)
                let h13: SIMD8<Double> = v(g1, e) + v(g3, e)
                singleTermTerms(x: x, h0: h0, h13: h13, h2: h2, sigma: sigma, at: e, alpha: &alpha8, omega: &omega8)
            }
        } else if let g1 {
            for e in stride(from: 0, to: body, by: 8) {
                let x: SIMD8<Double> = v(z, e), h0: SIMD8<Double> = v(g0, e), h1: SIMD8<Double> = v(g1, e)
                let s0: SIMD8<Double> = v(f0, e), s1: SIMD8<Double> = v(f1, e), s2: SIMD8<Double> = v(f2, e)
                alpha8 += h0 * s0
                alpha8 += h1 * s1
                let t1: SIMD8<Double> = s1 + x * s2
                omega8 += x * h0 * s1
                omega8 += h1 * t1
            }
        } else {
            for e in stride(from: 0, to: body, by: 8) {
                let h0: SIMD8<Double> = v(g0, e)
                alpha8 += h0 * v(f0, e)
                omega8 += v(z, e) * h0 * v(f1, e)
            }
        }
        var dAlpha = alpha8.sum(), dOmega = omega8.sum()
        for e in body..<n {
            let x = z[e], h13 = (g1?[e] ?? 0) + (g3?[e] ?? 0), h2 = g2?[e] ?? 0
            dAlpha += g0[e] * f0[e] + h13 * f1[e] + h2 * f2[e]
            dOmega += x * g0[e] * f1[e] + h13 * (f1[e] + x * f2[e]) + h2 * (2 * f2[e] + x * f3[e])
        }
        amplitudeGradient[0] += dAlpha / alpha
        slopeGradient[0] += term.frequency / a * dOmega
    }

    /// ``accumulateSingleTermGradient`` reading the adjoint and pre-activation streams directly (G₁₃ = Σᵢ D̄ᵢŻᵢ + S̄⋅Z̈
    /// and G₂ = S̄⋅Σ Żᵢ² formed on the fly for the Laplacian streams), so no contraction arrays are written.
    static func accumulateSingleTermGradientFromStreams(
        _ term: KroneckerTerm, amplitude alpha: Double, slope omega: Double,
        z: UnsafePointer<Double>, adjoint: UnsafePointer<Double>, block n: Int, dimension d: Int,
        sigma: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>),
        amplitudeGradient: UnsafeMutablePointer<Double>, slopeGradient: UnsafeMutablePointer<Double>
    ) {
        guard term.trainableAmplitude || term.trainableSlope else { return }
        let (f0, f1, f2, f3) = sigma
        let a = term.frequency * omega
        let lbar = adjoint + (1 + d) * n, zdd = z + (1 + d) * n
        var alpha8 = SIMD8<Double>(), omega8 = SIMD8<Double>()
        let body = n - n % 8
        @inline(__always) func v(_ p: UnsafePointer<Double>, _ e: Int) -> SIMD8<Double> {
            UnsafeRawPointer(p + e).loadUnaligned(as: SIMD8<Double>.self)
        }
        for e in stride(from: 0, to: body, by: 8) {
            let l: SIMD8<Double> = v(lbar, e)
            var h13: SIMD8<Double> = l * v(zdd, e)
            var squares = SIMD8<Double>()
            for i in 0..<d {
                let zd: SIMD8<Double> = v(z + (1 + i) * n, e)
                h13 += v(adjoint + (1 + i) * n, e) * zd
                squares += zd * zd
            }
            let h2: SIMD8<Double> = l * squares
            let x: SIMD8<Double> = v(z, e), h0: SIMD8<Double> = v(adjoint, e)
            singleTermTerms(x: x, h0: h0, h13: h13, h2: h2, sigma: sigma, at: e, alpha: &alpha8, omega: &omega8)
        }
        var dAlpha = alpha8.sum(), dOmega = omega8.sum()
        for e in body..<n {
            var h13 = lbar[e] * zdd[e], squares = 0.0
            for i in 0..<d {
                let zd = z[(1 + i) * n + e]
                h13 += adjoint[(1 + i) * n + e] * zd
                squares += zd * zd
            }
            let h2 = lbar[e] * squares, x = z[e]
            dAlpha += adjoint[e] * f0[e] + h13 * f1[e] + h2 * f2[e]
            dOmega += x * adjoint[e] * f1[e] + h13 * (f1[e] + x * f2[e]) + h2 * (2 * f2[e] + x * f3[e])
        }
        amplitudeGradient[0] += dAlpha / alpha
        slopeGradient[0] += term.frequency / a * dOmega
    }

    /// The eight-lane summands of the single-term gradients: α += h₀φ̃ + h₁₃φ̃′ + h₂φ̃″ and
    /// ω += z h₀ φ̃′ + h₁₃(φ̃′ + z φ̃″) + h₂(2φ̃″ + z φ̃‴), with φ̃⁽ᵐ⁾ loaded at element e.
    @inline(__always)
    static func singleTermTerms(x: SIMD8<Double>, h0: SIMD8<Double>, h13: SIMD8<Double>, h2: SIMD8<Double>,
                                sigma: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>),
                                at e: Int, alpha: inout SIMD8<Double>, omega: inout SIMD8<Double>) {
        @inline(__always) func v(_ p: UnsafePointer<Double>) -> SIMD8<Double> {
            UnsafeRawPointer(p + e).loadUnaligned(as: SIMD8<Double>.self)
        }
        let s0: SIMD8<Double> = v(sigma.0), s1: SIMD8<Double> = v(sigma.1), s2: SIMD8<Double> = v(sigma.2)
        let s3: SIMD8<Double> = v(sigma.3)
        alpha += h0 * s0
        alpha += h13 * s1
        alpha += h2 * s2
        let t1: SIMD8<Double> = s1 + x * s2
        let t2: SIMD8<Double> = 2 * s2 + x * s3
        omega += x * h0 * s1
        omega += h13 * t1
        omega += h2 * t2
    }
}
