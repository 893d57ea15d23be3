import Foundation

/// How the first hidden layer is set up, beyond the general ``WeightInitializer``: the initialisations of Yang,
/// Zhao & Zhu (2024) that spread the first-layer neurons over the domain and so raise the initial ε-rank.
public enum FirstLayerInitializer: Sendable, Equatable {
    /// Like every other layer.
    case standard
    /// Uniform density initialisation (UDI; Zhang et al. 2024): with x̂ = (x − m)/s the domain box mapped to
    /// [−1, 1]ᵈ, neuron j is σ(γ·(aⱼ·x̂ + rⱼ)) with aⱼ uniform on the unit sphere and rⱼ uniform on [0, R]; in
    /// original coordinates Wⱼ = γ·aⱼ/s (elementwise) and bⱼ = γ·(rⱼ − aⱼ·(m/s)).
    case uniformDensity(shape: Double, radius: Double)
    /// The deterministic 1D initialisation: neuron j is σ(γ·(x − xⱼ)) with centres xⱼ on a uniform grid of the
    /// interval (x̂ coordinates, so γ is the slope on [−1, 1]).
    case grid1D(shape: Double)
    /// The random feature method's features: neuron j is σ(kⱼ·x̂ + bⱼ) with every component of kⱼ and bⱼ uniform on
    /// [−R, R] (x̂ the box mapped to [−1, 1]ᵈ). Unlike UDI, the slopes |kⱼ| vary, which periodic activations need
    /// (UDI gives every sin feature the same frequency γ).
    case uniformRandom(scale: Double)

    /// The default radius R for dimension d: 1.5 in 2D, 1.8 in 3D (TransNet's), 1 in 1D.
    public static func defaultRadius(dimension d: Int) -> Double {
        switch d {
        case 1: return 1.0
        case 2: return 1.5
        default: return 1.8
        }
    }

    /// Sets the first dense layer's weights and biases of `network` for the domain (its bounding box is mapped to
    /// [−1, 1]ᵈ). With a partition of unity, each subdomain's features are placed in that subdomain's box.
    public func apply(to network: inout Network, domain: any Domain, rng: inout Xoshiro256) {
        guard let partition = network.layout.partition else {
            apply(to: &network, box: domain.boundingBox, neurons: 0..<network.layout.dense[0].fanOut, rng: &rng)
            return
        }
        let j = partition.featuresPerSubdomain
        for k in 0..<partition.subdomainCount {
            apply(to: &network, box: partition.subdomain(k), neurons: (k * j)..<((k + 1) * j), rng: &rng)
        }
    }

    /// Sets neurons `neurons` of the first layer for the box `region` (mapped to [−1, 1]ᵈ).
    func apply(to network: inout Network, box region: Box, neurons: Range<Int>, rng: inout Xoshiro256) {
        let box = network.layout.embedding?.featureBox(region) ?? region
        let layer = network.layout.dense[0]
        let d = layer.fanIn, n = layer.fanOut
        let m = zip(box.lower, box.upper).map { 0.5 * ($0 + $1) }
        let s = zip(box.lower, box.upper).map { 0.5 * ($1 - $0) }
        func set(neuron j: Int, direction a: [Double], offset r: Double, shape gamma: Double) {
            var bias = r
            for i in 0..<d {
                network.parameters[layer.weightOffset + j + i * n] = gamma * a[i] / s[i]
                bias -= a[i] * m[i] / s[i]
            }
            network.parameters[layer.biasOffset + j] = gamma * bias
        }
        switch self {
        case .standard:
            return
        case let .uniformDensity(gamma, radius):
            for j in neurons {
                var a = (0..<d).map { _ in rng.nextNormal() }
                let norm = a.reduce(0) { $0 + $1 * $1 }.squareRoot()
                a = a.map { $0 / norm }
                set(neuron: j, direction: a, offset: rng.nextUniform(in: 0, radius), shape: gamma)
            }
        case let .uniformRandom(scale):
            for j in neurons {
                let k = (0..<d).map { _ in rng.nextUniform(in: -scale, scale) }
                set(neuron: j, direction: k, offset: rng.nextUniform(in: -scale, scale), shape: 1)
            }
        case let .grid1D(gamma):
            precondition(d == 1, "the grid initialisation is for 1D domains")
            let count = neurons.count
            for j in neurons {
                // Centres at the midpoints of equal cells of [−1, 1]: σ(γ(x̂ − cⱼ)) = σ(γ(1·x̂ + (−cⱼ))).
                let centre = -1 + (2 * Double(j - neurons.lowerBound) + 1) / Double(count)
                set(neuron: j, direction: [1], offset: -centre, shape: gamma)
            }
        }
    }
}
