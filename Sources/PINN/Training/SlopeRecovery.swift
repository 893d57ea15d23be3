import Foundation

/// The slope-recovery term of Jagtap, Kawaguchi & Karniadakis (2020), added to the loss with a weight w:
/// ```
/// S(θ) = 1 / ( (1/L) Σₗ exp(mean ωˡ) )
/// ```
/// over the L hidden layers that have trainable slopes ω (mean over the layer's trainable ωₖ). Minimising S pushes
/// the slopes up, which the authors found to speed up training with L-LAAF and N-LAAF.
public struct SlopeRecovery: Sendable {
    public var weight: Double

    public init(weight: Double) { self.weight = weight }

    /// The trainable slope offsets of each contributing layer.
    static func slopeOffsets(_ network: Network) -> [[Int]] {
        network.activations.enumerated().compactMap { l, activation in
            let place = network.layout.activation[l]
            let offsets = activation.terms.indices.filter { activation.terms[$0].trainableSlope }.flatMap { k in
                (0..<place.neuronCount).map { place.slopeIndex(term: k, neuron: $0) }
            }
            return offsets.isEmpty ? nil : offsets
        }
    }

    /// w·S(θ), and ∂(w·S)/∂ω added to `gradient` when given:
    /// ∂S/∂ωₗₖ = −S² · (1/L) · exp(mean ωˡ) / Kₗ.
    public func evaluate(_ network: Network, gradient: UnsafeMutablePointer<Double>?) -> Double {
        let layers = Self.slopeOffsets(network)
        guard !layers.isEmpty, weight != 0 else { return 0 }
        let exps = layers.map { offsets in exp(offsets.map { network.parameters[$0] }.reduce(0, +) / Double(offsets.count)) }
        let mean = exps.reduce(0, +) / Double(layers.count)
        let s = 1 / mean
        if let gradient {
            for (l, offsets) in layers.enumerated() {
                let d = -weight * s * s * exps[l] / Double(layers.count) / Double(offsets.count)
                for o in offsets { gradient[o] += d }
            }
        }
        return weight * s
    }
}
