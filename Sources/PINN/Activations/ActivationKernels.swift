/// Batched evaluation of a Kronecker activation φ̃(z) = Σₖ αₖ sₖ φₖ(aₖ z), aₖ = cₖ ωₖ, and its derivatives
/// ```
/// φ̃⁽ᵐ⁾(z) = Σₖ αₖ sₖ aₖᵐ φₖ⁽ᵐ⁾(aₖ z),   m = 0…3
/// ```
/// and of the gradient of the loss with respect to the αₖ and ωₖ (docs/derivatives.md).
enum ActivationKernels {
    /// Whether term k is the plain φ(z) (α·s = 1, c·ω = 1), so that φ̃ can be evaluated directly.
    @inline(__always)
    static func isPlain(_ activation: LayerActivation, amplitudes: UnsafePointer<Double>,
                        slopes: UnsafePointer<Double>) -> Bool {
        guard activation.terms.count == 1 else { return false }
        let term = activation.terms[0]
        return amplitudes[0] * term.scale == 1 && term.frequency * slopes[0] == 1
    }

    /// φ̃, φ̃′, φ̃″, φ̃‴ at `count` contiguous pre-activations. `scratch` needs 5 buffers of `count`.
    static func evaluate(_ activation: LayerActivation, amplitudes: UnsafePointer<Double>, slopes: UnsafePointer<Double>,
                         z: UnsafePointer<Double>, count n: Int,
                         value: UnsafeMutablePointer<Double>, first: UnsafeMutablePointer<Double>,
                         second: UnsafeMutablePointer<Double>, third: UnsafeMutablePointer<Double>,
                         scratch: [UnsafeMutablePointer<Double>]) {
        if isPlain(activation, amplitudes: amplitudes, slopes: slopes) {
            activation.terms[0].function.evaluate(z, count: n, value: value, first: first, second: second, third: third)
            return
        }
        value.update(repeating: 0, count: n)
        first.update(repeating: 0, count: n)
        second.update(repeating: 0, count: n)
        third.update(repeating: 0, count: n)
        let u = scratch[0], p0 = scratch[1], p1 = scratch[2], p2 = scratch[3], p3 = scratch[4]
        for (k, term) in activation.terms.enumerated() {
            let a = term.frequency * slopes[k]
            let c0 = amplitudes[k] * term.scale, c1 = c0 * a, c2 = c1 * a, c3 = c2 * a
            for e in 0..<n { u[e] = a * z[e] }
            term.function.evaluate(u, count: n, value: p0, first: p1, second: p2, third: p3)
            for e in 0..<n {
                value[e] += c0 * p0[e]
                first[e] += c1 * p1[e]
                second[e] += c2 * p2[e]
                third[e] += c3 * p3[e]
            }
        }
    }

    /// Adds ∂L/∂αₖ and ∂L/∂ωₖ of one hidden layer to `gradient`, given the per-element adjoint contractions
    /// ```
    /// G₀ = Ā,  G₁ = Σᵢ D̄ᵢ⊙Żᵢ,  G₂ = Σᵢ S̄ᵢ⊙Żᵢ² (or Λ̄⊙ΣŻᵢ²),  G₃ = Σᵢ S̄ᵢ⊙Z̈ᵢ (or Λ̄⊙Z̈)
    /// ```
    /// (nil where the stream set does not carry them):
    /// ```
    /// ∂L/∂αₖ = sₖ Σ [G₀ φ + aG₁ φ′ + a²G₂ φ″ + aG₃ φ′]
    /// ∂L/∂ωₖ = cₖ Σ [G₀ τ₀ + G₁ τ₁ + G₂ τ₂ + G₃ τ₁],  τₘ = αs(m aᵐ⁻¹ φ⁽ᵐ⁾ + aᵐ z φ⁽ᵐ⁺¹⁾)
    /// ```
    static func accumulateParameterGradient(
        _ activation: LayerActivation, amplitudes: UnsafePointer<Double>, slopes: UnsafePointer<Double>,
        z: UnsafePointer<Double>, count n: Int,
        g0: UnsafePointer<Double>, g1: UnsafePointer<Double>?, g2: UnsafePointer<Double>?, g3: UnsafePointer<Double>?,
        scratch: [UnsafeMutablePointer<Double>],
        amplitudeGradient: UnsafeMutablePointer<Double>, slopeGradient: UnsafeMutablePointer<Double>
    ) {
        let u = scratch[0], p0 = scratch[1], p1 = scratch[2], p2 = scratch[3], p3 = scratch[4]
        for (k, term) in activation.terms.enumerated() where term.trainableAmplitude || term.trainableSlope {
            let a = term.frequency * slopes[k], s = term.scale, alpha = amplitudes[k]
            for e in 0..<n { u[e] = a * z[e] }
            term.function.evaluate(u, count: n, value: p0, first: p1, second: p2, third: p3)
            var dAlpha = 0.0, dOmega = 0.0
            // Each stream set gets its own loop so that the common cases vectorise without optional checks.
            if let g1, let g2, let g3 {
                for e in 0..<n {
                    let x = z[e]
                    dAlpha += g0[e] * p0[e] + a * (g1[e] + g3[e]) * p1[e] + a * a * g2[e] * p2[e]
                    let t0 = x * p1[e], t1 = p1[e] + a * x * p2[e], t2 = 2 * a * p2[e] + a * a * x * p3[e]
                    dOmega += g0[e] * t0 + (g1[e] + g3[e]) * t1 + g2[e] * t2
                }
            } else if let g1 {
                for e in 0..<n {
                    let x = z[e]
                    dAlpha += g0[e] * p0[e] + a * g1[e] * p1[e]
                    dOmega += g0[e] * x * p1[e] + g1[e] * (p1[e] + a * x * p2[e])
                }
            } else {
                for e in 0..<n {
                    dAlpha += g0[e] * p0[e]
                    dOmega += g0[e] * z[e] * p1[e]
                }
            }
            amplitudeGradient[k] += s * dAlpha
            slopeGradient[k] += term.frequency * alpha * s * dOmega
        }
    }
}
