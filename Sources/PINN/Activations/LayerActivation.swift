/// One term αₖ·sₖ·φₖ(cₖ·ωₖ·z) of a Kronecker activation: φₖ is fixed, sₖ (scale) and cₖ (frequency) are fixed
/// numbers, αₖ (amplitude) and ωₖ (slope) are parameters of the network, each trainable or fixed.
public struct KroneckerTerm: Sendable, Equatable, Codable {
    /// The term function φₖ.
    public var function: ActivationFunction
    /// The fixed scale sₖ.
    public var scale: Double
    /// The fixed frequency factor cₖ.
    public var frequency: Double
    /// The initial amplitude αₖ.
    public var amplitude: Double
    /// The initial slope ωₖ.
    public var slope: Double
    /// Whether αₖ is trained.
    public var trainableAmplitude: Bool
    /// Whether ωₖ is trained.
    public var trainableSlope: Bool

    public init(_ function: ActivationFunction, scale: Double = 1, frequency: Double = 1, amplitude: Double = 1,
                slope: Double = 1, trainableAmplitude: Bool = false, trainableSlope: Bool = false) {
        self.function = function
        self.scale = scale
        self.frequency = frequency
        self.amplitude = amplitude
        self.slope = slope
        self.trainableAmplitude = trainableAmplitude
        self.trainableSlope = trainableSlope
    }
}

/// The activation of one hidden layer, a Kronecker sum
/// ```
/// φ̃(z) = Σₖ αₖ · sₖ · φₖ(cₖ · ωₖ · z),    k = 1…K
/// ```
/// with one (αₖ, ωₖ) pair per term and layer. A plain activation is one term with α = s = c = ω = 1.
public struct LayerActivation: Sendable, Equatable, Codable {
    /// The K terms.
    public var terms: [KroneckerTerm]
    /// One (αₖ, ωₖ) set per neuron (N-LAAF style) instead of one per layer.
    public var neuronWise: Bool

    public init(terms: [KroneckerTerm], neuronWise: Bool = false) {
        precondition(!terms.isEmpty, "an activation needs at least one term")
        self.terms = terms
        self.neuronWise = neuronWise
    }

    /// A fixed activation φ(z).
    public static func fixed(_ function: ActivationFunction) -> LayerActivation {
        LayerActivation(terms: [KroneckerTerm(function)])
    }

    /// Layer-wise locally adaptive activation (L-LAAF, Jagtap 2020): φ(n·ω·z) with ω trainable and n·ω = 1 at start.
    public static func layerwiseAdaptive(_ function: ActivationFunction, scaleFactor n: Double) -> LayerActivation {
        LayerActivation(terms: [KroneckerTerm(function, frequency: n, slope: 1 / n, trainableSlope: true)])
    }

    /// Neuron-wise locally adaptive activation (N-LAAF): φ(n·ωⱼ·z) with one trainable ωⱼ per neuron, n·ωⱼ = 1 at start.
    public static func neuronwiseAdaptive(_ function: ActivationFunction, scaleFactor n: Double) -> LayerActivation {
        var activation = layerwiseAdaptive(function, scaleFactor: n)
        activation.neuronWise = true
        return activation
    }

    /// Rowdy-K (Jagtap et al. 2022, paper convention): φ₁(n·ω₁·z) with n·ω₁ = 1 at start, plus K − 1 terms
    /// αₖ·n·sin((k−1)·n·ωₖ·z) (or cos) with αₖ = 0 and ωₖ = 1 at start, all trainable but α₁ = 1.
    public static func rowdy(base: ActivationFunction, terms count: Int, scaleFactor n: Double,
                             useCosine: Bool = false) -> LayerActivation {
        var terms = [KroneckerTerm(base, frequency: n, slope: 1 / n, trainableSlope: true)]
        for k in 2...max(2, count) where k <= count {
            terms.append(KroneckerTerm(useCosine ? .cos : .sin, scale: n, frequency: Double(k - 1) * n,
                                       amplitude: 0, slope: 1, trainableAmplitude: true, trainableSlope: true))
        }
        return LayerActivation(terms: terms)
    }

    /// Rowdy-K in the convention of the authors' published code: φ₁(n·ω₁·z) with n·ω₁ = 1, plus K − 1 terms
    /// αₖ·n·sin(j·n·ωₖ·z), j = 1…K−1, with ωₖ = 1/n at start, so the extra terms start at the moderate frequencies
    /// 1…K−1 (the paper's convention starts them at n, 2n, …).
    public static func rowdyPublished(base: ActivationFunction, terms count: Int, scaleFactor n: Double,
                                      useCosine: Bool = false) -> LayerActivation {
        var activation = rowdy(base: base, terms: count, scaleFactor: n, useCosine: useCosine)
        for k in activation.terms.indices.dropFirst() {
            activation.terms[k].slope = 1 / n
        }
        return activation
    }

    /// Number of terms K.
    public var termCount: Int { terms.count }

    /// Whether any αₖ or ωₖ is trained.
    public var hasTrainableParameters: Bool { terms.contains { $0.trainableAmplitude || $0.trainableSlope } }

    /// φ̃(z) on any `Real` type, given the current amplitudes and slopes (term-major, `neuronCount` per term) and
    /// the neuron j.
    public func callAsFunction<T: Real>(_ z: T, amplitudes: [Double], slopes: [Double], neuron j: Int = 0) -> T {
        let m = amplitudes.count / terms.count
        let i = neuronWise ? j : 0
        var sum: T = 0
        for (k, term) in terms.enumerated() {
            let a = T.converting(term.frequency * slopes[k * m + i])
            sum += T.converting(amplitudes[k * m + i] * term.scale) * term.function(a * z)
        }
        return sum
    }
}

import RealModule
