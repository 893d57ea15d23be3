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

    /// The backward pass through a layer-wise activation (or, with `parameterGradient` nil, through any
    /// activation), in one C pass over the elements (`pinn_activation_backward`). `z` and `adjoint` hold the
    /// pre-activation streams and the activation-output adjoints as blocks `stride` apart; the `count` elements from
    /// `offset` are used (all of a layer's elements, or one point's neurons for a Jacobian row). With the
    /// per-element contractions
    /// ```
    /// G₀ = Ā,  G₁₃ = Σᵢ D̄ᵢ⊙Żᵢ + Λ̄⊙Z̈ (or Σᵢ S̄ᵢ⊙Z̈ᵢ),  G₂ = Λ̄⊙Σᵢ Żᵢ² (or Σᵢ S̄ᵢ⊙Żᵢ²)
    /// ```
    /// it adds to `parameterGradient`, for each term with a trainable parameter (φ⁽ᵐ⁾ = φₖ⁽ᵐ⁾(aₖz) from the
    /// forward pass's cache),
    /// ```
    /// ∂L/∂αₖ = sₖ Σ [G₀ φ + aG₁₃ φ′ + a²G₂ φ″]
    /// ∂L/∂ωₖ = cₖαₖsₖ Σ [G₀ z φ′ + G₁₃ (φ′ + a z φ″) + G₂ (2a φ″ + a² z φ‴)]
    /// ```
    /// (a single term, which keeps no cache, uses σ̃⁽ᵐ⁾ = αsaᵐφ⁽ᵐ⁾ instead: ∂L/∂α = Σ [G₀σ̃ + G₁₃σ̃′ + G₂σ̃″]/α and
    /// ∂L/∂ω = (c/a) Σ [G₀zσ̃′ + G₁₃(σ̃′ + zσ̃″) + G₂(2σ̃″ + zσ̃‴)]), and with `throughActivation` it turns the
    /// adjoints in place into those of the pre-activation streams,
    /// Z̄ = σ̃′G₀ + σ̃″G₁₃ + σ̃‴G₂, D̄ᵢ ← σ̃′D̄ᵢ + 2σ̃″(Λ̄ or S̄ᵢ)Żᵢ, Λ̄ or S̄ᵢ ← σ̃′·(Λ̄ or S̄ᵢ).
    static func backward(
        _ activation: LayerActivation, amplitudes: UnsafePointer<Double>, slopes: UnsafePointer<Double>,
        z: UnsafePointer<Double>, adjoint: UnsafeMutablePointer<Double>, offset: Int = 0, count n: Int, stride: Int,
        dimension d: Int, streams: DerivativeStreams, cache: [UnsafeMutablePointer<Double>],
        sigma: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>),
        throughActivation: Bool,
        parameterGradient: (amplitudes: UnsafeMutablePointer<Double>, slopes: UnsafeMutablePointer<Double>)?
    ) {
        let mode = streams.kernelMode
        let derivatives = throughActivation ? (sigma.1 + offset, sigma.2 + offset, sigma.3 + offset) : nil
        func run(_ terms: UnsafePointer<pinn_kronecker_term>?, _ count: Int, _ sums: UnsafeMutablePointer<Double>?) {
            pinn_activation_backward(z + offset, adjoint + offset, n, stride, d, Int32(mode), derivatives?.0,
                                     derivatives?.1, derivatives?.2, terms, count, sums)
        }
        guard let gradient = parameterGradient, activation.hasTrainableParameters else {
            run(nil, 0, nil)
            return
        }
        precondition(!activation.neuronWise, "neuron-wise parameters use accumulateNeuronWiseGradient")
        if isSingleTerm(activation, amplitudes: amplitudes, slopes: slopes, rows: 1) {
            // σ̃…σ̃‴ are the term, scaled: a tabulated term with a = 1.
            let term = activation.terms[0]
            let tabulated = pinn_kronecker_term(
                kind: Int32(PINN_TERM_TABULATED), a: 1, c0: 1,
                cache: (.init(mutating: sigma.0 + offset), .init(mutating: sigma.1 + offset),
                        .init(mutating: sigma.2 + offset), .init(mutating: sigma.3 + offset)))
            var sums = (0.0, 0.0)
            withUnsafePointer(to: tabulated) { term in
                withUnsafeMutableBytes(of: &sums) { run(term, 1, $0.baseAddress!.assumingMemoryBound(to: Double.self)) }
            }
            gradient.amplitudes[0] += sums.0 / amplitudes[0]
            gradient.slopes[0] += term.frequency / (term.frequency * slopes[0]) * sums.1
            return
        }
        let count = activation.terms.count
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * count) { sums in
            sums.initialize(repeating: 0)
            withKernelTerms(activation, amplitudes: amplitudes, slopes: slopes, cache: cache, shift: offset) {
                run($0, $1, sums.baseAddress!)
            }
            for (k, term) in activation.terms.enumerated() where term.trainableAmplitude || term.trainableSlope {
                gradient.amplitudes[k] += term.scale * sums[2 * k]
                gradient.slopes[k] += term.frequency * amplitudes[k] * term.scale * sums[2 * k + 1]
            }
        }
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
        // Per-neuron aⱼ and c·aⱼᵐ (m = 0…3) on the stack: no heap allocation per sweep.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 5 * m) { buffer in
            let a = buffer.baseAddress!, c = (a + m, a + 2 * m, a + 3 * m, a + 4 * m)
            for (k, term) in activation.terms.enumerated() {
                for j in 0..<m {
                    a[j] = term.frequency * slopes[k * m + j]
                    c.0[j] = amplitudes[k * m + j] * term.scale
                    c.1[j] = c.0[j] * a[j]; c.2[j] = c.1[j] * a[j]; c.3[j] = c.2[j] * a[j]
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
                        let v0 = c.0[j] * s0 * p0[e], v1 = c.1[j] * s1 * p1[e]
                        let v2 = c.2[j] * s2 * p2[e], v3 = c.3[j] * s3 * p3[e]
                        if k == 0 {
                            value[e] = v0; first[e] = v1; second[e] = v2; third[e] = v3
                        } else {
                            value[e] += v0; first[e] += v1; second[e] += v2; third[e] += v3
                        }
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
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * m) { buffer in
            let dAlpha = buffer.baseAddress!, dOmega = dAlpha + m
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
    }
}
