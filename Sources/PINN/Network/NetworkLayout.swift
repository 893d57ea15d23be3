/// Where each parameter of an MLP lives in its single contiguous parameter vector θ.
///
/// Layer l (1-based hidden layers, then the output layer) maps `fanIn` to `fanOut` units with a column-major
/// weight matrix `W` (fanOut × fanIn, entry (j, i) at `weightOffset + j + i·fanOut`) and a bias `b` (fanOut).
/// Each hidden layer's activation has K amplitudes αₖ and K slopes ωₖ after all dense-layer parameters; the
/// unknown scalar parameters of an inverse problem (a wave number, a diffusivity, …) come last, trained with the
/// network but not read by it.
public struct NetworkLayout: Sendable, Equatable {
    /// One dense layer's place in θ.
    public struct Dense: Sendable, Equatable {
        public let fanIn: Int
        public let fanOut: Int
        public let weightOffset: Int
        public let biasOffset: Int
        public var weightCount: Int { fanIn * fanOut }
    }

    /// One hidden layer's activation parameters: K·m amplitudes from `amplitudeOffset` (term-major: term k,
    /// neuron j at `amplitudeOffset + k·m + j`), then as many slopes. m = 1 for layer-wise parameters, the layer's
    /// width for neuron-wise ones.
    public struct ActivationParameters: Sendable, Equatable {
        public let termCount: Int
        public let amplitudeOffset: Int
        /// m: 1 (layer-wise) or the layer width (neuron-wise).
        public let neuronCount: Int
        /// Amplitudes (and slopes) per layer: K·m.
        public var count: Int { termCount * neuronCount }
        public var slopeOffset: Int { amplitudeOffset + count }
        /// Index in θ of αₖ (of neuron j when neuron-wise).
        public func amplitudeIndex(term k: Int, neuron j: Int = 0) -> Int { amplitudeOffset + k * neuronCount + j }
        /// Index in θ of ωₖ (of neuron j when neuron-wise).
        public func slopeIndex(term k: Int, neuron j: Int = 0) -> Int { slopeOffset + k * neuronCount + j }
    }

    /// Input dimension d (of the points; the first layer reads ``featureCount`` features).
    public let inputDimension: Int
    /// The periodic input embedding, if some coordinates are periodic (nil: the first layer reads the point).
    public let embedding: PeriodicEmbedding?
    /// The random feature method's partition of unity on the last hidden layer (nil: none).
    public let partition: PartitionOfUnity?
    /// Residual (ResNet) blocks: every hidden layer after the first whose width equals its input's adds its input
    /// to its activation, H_l = H_{l−1} + σ(W_l·H_{l−1} + b_l) (ε-rank paper §4.3).
    public let residual: Bool

    /// Whether hidden layer l (0-based) is a residual block.
    public func isResidual(_ l: Int) -> Bool { residual && l >= 1 && l < depth && dense[l].fanIn == dense[l].fanOut }
    /// The number of inputs of the first dense layer: d, or the embedding's feature count.
    public var featureCount: Int { dense[0].fanIn }
    /// Widths of the hidden layers.
    public let hiddenWidths: [Int]
    /// The dense layers, hidden ones first, then the output layer (``outputDimension`` wide).
    public let dense: [Dense]
    /// Number of outputs m (fields of a system; 1 for a scalar PDE).
    public let outputDimension: Int
    /// Activation parameters of each hidden layer.
    public let activation: [ActivationParameters]
    /// Number of unknown scalar parameters, stored at ``unknownOffset``…``parameterCount`` − 1.
    public let unknownCount: Int
    /// Where the unknowns start in θ.
    public var unknownOffset: Int { parameterCount - unknownCount }
    /// Total number of parameters |θ| (unknowns included).
    public let parameterCount: Int

    /// The layout of a d → widths… → m network whose hidden layers have the given numbers of activation terms.
    public init(inputDimension: Int, hiddenWidths: [Int], termCounts: [Int], neuronWise: [Bool]? = nil,
                outputDimension: Int = 1, unknownCount: Int = 0, embedding: PeriodicEmbedding? = nil,
                partition: PartitionOfUnity? = nil, residual: Bool = false) {
        precondition(inputDimension >= 1 && !hiddenWidths.isEmpty && hiddenWidths.allSatisfy { $0 >= 1 })
        precondition(termCounts.count == hiddenWidths.count && outputDimension >= 1 && unknownCount >= 0)
        precondition(embedding.map { $0.inputDimension == inputDimension } ?? true)
        self.inputDimension = inputDimension
        self.embedding = embedding
        precondition(partition.map { $0.dimension == inputDimension && $0.featureCount == hiddenWidths.last! } ?? true)
        self.partition = partition
        self.residual = residual
        self.hiddenWidths = hiddenWidths
        self.outputDimension = outputDimension
        var offset = 0
        var dense: [Dense] = []
        let sizes = [embedding?.featureCount ?? inputDimension] + hiddenWidths + [outputDimension]
        for l in 0..<(sizes.count - 1) {
            let layer = Dense(fanIn: sizes[l], fanOut: sizes[l + 1], weightOffset: offset,
                              biasOffset: offset + sizes[l] * sizes[l + 1])
            dense.append(layer)
            offset = layer.biasOffset + layer.fanOut
        }
        var activation: [ActivationParameters] = []
        for (l, k) in termCounts.enumerated() {
            let m = (neuronWise?[l] ?? false) ? hiddenWidths[l] : 1
            activation.append(ActivationParameters(termCount: k, amplitudeOffset: offset, neuronCount: m))
            offset += 2 * k * m
        }
        self.dense = dense
        self.activation = activation
        self.unknownCount = unknownCount
        self.parameterCount = offset + unknownCount
    }

    /// Number of hidden layers L.
    public var depth: Int { hiddenWidths.count }
    /// The widest layer (input and output included).
    public var maximumWidth: Int { max(featureCount, outputDimension, hiddenWidths.max() ?? 1) }
}
