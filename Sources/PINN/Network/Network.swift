import RealModule

/// A fully connected network d → n₁ → … → n_L → m with a Kronecker activation after every hidden layer and a
/// linear output of m fields (m = 1 for a scalar PDE), all of whose parameters live in one contiguous vector
/// ``parameters`` (see ``NetworkLayout``).
public struct Network: Sendable, Equatable {
    public static func == (a: Network, b: Network) -> Bool {
        a.layout == b.layout && a.activations == b.activations && a.parameters == b.parameters
            && a.outputConstraint?.description == b.outputConstraint?.description && a.unknownRanges == b.unknownRanges
    }

    /// Where each parameter lives in ``parameters``.
    public let layout: NetworkLayout
    /// The activation of each hidden layer.
    public let activations: [LayerActivation]
    /// All parameters θ: weights, biases, then activation amplitudes and slopes.
    public var parameters: [Double]
    /// Exact Dirichlet conditions built into the model, u = g + D·N (nil: u = N). Applied by the batched engine
    /// (every stream, forward and reverse) and by ``callAsFunction(_:)``.
    public var outputConstraint: HardDirichletConstraint?
    /// The range of each unknown coefficient (empty: all unbounded). ``parameters`` hold the unconstrained θ;
    /// ``unknowns`` the values λ the residuals read.
    public var unknownRanges: [UnknownRange] = []

    /// A network with initial weights drawn by `initializer` from `rng`, zero biases, and the activations'
    /// initial amplitudes and slopes.
    /// `unknowns` are the initial values of an inverse problem's unknown parameters, stored after the network's.
    public init(inputDimension: Int, hiddenWidths: [Int], activations: [LayerActivation],
                initializer: WeightInitializer = .glorotNormal, outputs: Int = 1, unknowns: [Double] = [],
                embedding: PeriodicEmbedding? = nil, partition: PartitionOfUnity? = nil, residual: Bool = false,
                rng: inout Xoshiro256) {
        precondition(activations.count == hiddenWidths.count, "one activation per hidden layer")
        let layout = NetworkLayout(inputDimension: inputDimension, hiddenWidths: hiddenWidths,
                                   termCounts: activations.map(\.termCount), neuronWise: activations.map(\.neuronWise),
                                   outputDimension: outputs, unknownCount: unknowns.count, embedding: embedding,
                                   partition: partition, residual: residual)
        self.layout = layout
        self.activations = activations
        var theta = [Double](repeating: 0, count: layout.parameterCount)
        for layer in layout.dense {
            var slice = theta[layer.weightOffset..<(layer.weightOffset + layer.weightCount)]
            initializer.fill(&slice, fanIn: layer.fanIn, fanOut: layer.fanOut, using: &rng)
            theta[layer.weightOffset..<(layer.weightOffset + layer.weightCount)] = slice
        }
        for (l, activation) in activations.enumerated() {
            let place = layout.activation[l]
            for (k, term) in activation.terms.enumerated() {
                for j in 0..<place.neuronCount {
                    theta[place.amplitudeIndex(term: k, neuron: j)] = term.amplitude
                    theta[place.slopeIndex(term: k, neuron: j)] = term.slope
                }
            }
        }
        for (j, value) in unknowns.enumerated() { theta[layout.unknownOffset + j] = value }
        self.parameters = theta
    }

    /// The current values λ of the unknown parameters (mapped into their ranges).
    public var unknowns: [Double] {
        (0..<layout.unknownCount).map { unknownRange($0).value(parameters[layout.unknownOffset + $0]) }
    }

    /// The range of unknown j.
    public func unknownRange(_ j: Int) -> UnknownRange { j < unknownRanges.count ? unknownRanges[j] : .unbounded }

    /// Sets the ranges of the unknowns, keeping their current values λ (their θ are recomputed).
    public mutating func constrainUnknowns(to ranges: [UnknownRange]) {
        let values = unknowns
        unknownRanges = ranges
        for (j, value) in values.enumerated() { parameters[layout.unknownOffset + j] = unknownRange(j).parameter(for: value) }
    }

    /// A network with the same activation on every hidden layer.
    public init(inputDimension: Int, hiddenWidths: [Int], activation: LayerActivation,
                initializer: WeightInitializer = .glorotNormal, outputs: Int = 1, unknowns: [Double] = [],
                embedding: PeriodicEmbedding? = nil, partition: PartitionOfUnity? = nil, residual: Bool = false,
                rng: inout Xoshiro256) {
        self.init(inputDimension: inputDimension, hiddenWidths: hiddenWidths,
                  activations: Array(repeating: activation, count: hiddenWidths.count),
                  initializer: initializer, outputs: outputs, unknowns: unknowns, embedding: embedding,
                  partition: partition, residual: residual, rng: &rng)
    }

    /// A network with the given layout, activations and parameter vector (e.g. read back from a result file).
    public init(layout: NetworkLayout, activations: [LayerActivation], parameters: [Double]) {
        precondition(parameters.count == layout.parameterCount && activations.count == layout.depth)
        self.layout = layout
        self.activations = activations
        self.parameters = parameters
    }

    /// A vector over θ that is 1 for weights and biases and, for each activation amplitude and slope (every
    /// neuron's, when neuron-wise), the value `value(term, isAmplitude)`.
    private func activationVector(_ value: (KroneckerTerm, Bool) -> Double) -> [Double] {
        var vector = [Double](repeating: 1, count: layout.parameterCount)
        for (l, activation) in activations.enumerated() {
            let place = layout.activation[l]
            for (k, term) in activation.terms.enumerated() {
                for j in 0..<place.neuronCount {
                    vector[place.amplitudeIndex(term: k, neuron: j)] = value(term, true)
                    vector[place.slopeIndex(term: k, neuron: j)] = value(term, false)
                }
            }
        }
        return vector
    }

    /// 1 for every parameter that training may change, 0 for fixed activation amplitudes and slopes.
    public var trainableMask: [Double] {
        activationVector { term, isAmplitude in (isAmplitude ? term.trainableAmplitude : term.trainableSlope) ? 1 : 0 }
    }

    /// Per-parameter factors for first-order optimizers' step sizes: 1 for weights and biases, 1/sₖ for an
    /// amplitude αₖ and 1/cₖ for a slope ωₖ, so that the *effective* amplitude sₖαₖ and frequency cₖωₖ move by
    /// about the learning rate per Adam step, whatever the scale factor n (docs/experiments.md: with n = 10 and
    /// unscaled steps, Rowdy and L-LAAF collapse to u ≈ 0 on the Helmholtz benchmark).
    public var activationStepScales: [Double] {
        activationVector { term, isAmplitude in
            let factor = isAmplitude ? term.scale : term.frequency
            return factor != 0 ? 1 / abs(factor) : 1
        }
    }

    /// The same network with every activation reduced to its first term, keeping that term's learned amplitude and
    /// slope and all weights and biases: e.g. Rowdy → L-LAAF after some iterations (Jagtap et al. 2022, Fig. 9).
    public func keepingOnlyBaseActivationTerms() -> Network {
        let reduced = activations.map { LayerActivation(terms: [$0.terms[0]], neuronWise: $0.neuronWise) }
        let newLayout = NetworkLayout(inputDimension: layout.inputDimension, hiddenWidths: layout.hiddenWidths,
                                      termCounts: reduced.map(\.termCount), neuronWise: reduced.map(\.neuronWise),
                                      outputDimension: layout.outputDimension, unknownCount: layout.unknownCount,
                                      embedding: layout.embedding, partition: layout.partition,
                                      residual: layout.residual)
        var theta = Array(parameters[0..<layout.activation[0].amplitudeOffset])
        for place in layout.activation {
            theta += parameters[place.amplitudeOffset..<(place.amplitudeOffset + place.neuronCount)]
            theta += parameters[place.slopeOffset..<(place.slopeOffset + place.neuronCount)]
        }
        theta += parameters[layout.unknownOffset...]
        var network = Network(layout: newLayout, activations: reduced, parameters: theta)
        network.outputConstraint = outputConstraint
        network.unknownRanges = unknownRanges
        return network
    }

    /// The current amplitudes α and slopes ω of hidden layer `l` (0-based).
    public func activationParameters(layer l: Int) -> (amplitudes: [Double], slopes: [Double]) {
        let place = layout.activation[l]
        return (Array(parameters[place.amplitudeOffset..<place.slopeOffset]),
                Array(parameters[place.slopeOffset..<(place.slopeOffset + place.count)]))
    }

    /// The network output u(x) at one point (the first field of a system), on any `Real` type: the scalar path,
    /// used with dual numbers as the oracle for the batched engine (it is slow: one point at a time).
    public func callAsFunction<T: Real>(_ x: [T]) -> T { outputs(x)[0] }

    /// Every output field at one point, on any `Real` type (the scalar path).
    public func outputs<T: Real>(_ x: [T]) -> [T] {
        precondition(x.count == layout.inputDimension)
        var a = layout.embedding?.features(x) ?? x
        for (l, layer) in layout.dense.enumerated() {
            var z = [T](repeating: 0, count: layer.fanOut)
            for j in 0..<layer.fanOut {
                var s = T.converting(parameters[layer.biasOffset + j])
                for i in 0..<layer.fanIn {
                    s += T.converting(parameters[layer.weightOffset + j + i * layer.fanOut]) * a[i]
                }
                z[j] = s
            }
            if l < layout.depth {
                let (amplitudes, slopes) = activationParameters(layer: l)
                let previous = a
                a = z.indices.map { activations[l](z[$0], amplitudes: amplitudes, slopes: slopes, neuron: $0) }
                if layout.isResidual(l) { for j in a.indices { a[j] += previous[j] } }
                if l == layout.depth - 1, let partition = layout.partition {
                    let psi = (0..<partition.subdomainCount).map { partition.weight(subdomain: $0, at: x) }
                    for j in a.indices { a[j] *= psi[j / partition.featuresPerSubdomain] }
                }
            } else {
                a = z
            }
        }
        guard let constraint = outputConstraint else { return a }
        let distance = constraint.distance(x)
        for (lifting, k) in zip(constraint.liftings, constraint.fields) { a[k] = lifting(x) + distance * a[k] }
        return a
    }

    /// Output field k as a ``ScalarField`` (for dual-number derivatives of one field of a system).
    public func field(_ k: Int) -> NetworkField {
        precondition(k >= 0 && k < layout.outputDimension)
        return NetworkField(network: self, index: k)
    }
}

/// One output field of a network, as a scalar function of the point.
public struct NetworkField: ScalarField {
    public let network: Network
    public let index: Int
    public var inputDimension: Int { network.layout.inputDimension }
    public func callAsFunction<T: Real>(_ x: [T]) -> T { network.outputs(x)[index] }
}

extension Network: ScalarField {
    /// The input dimension d.
    public var inputDimension: Int { layout.inputDimension }
}
