import CVectorMath

/// Evaluates a network and its input derivatives at many points, in chunks through one workspace.
public final class NetworkEvaluator {
    private(set) var workspace: TaylorWorkspace
    let chunkSize: Int

    /// Grows the workspace for stream sets beyond the fixed ones (Taylor jets).
    private func reserve(_ streams: DerivativeStreams, layout: NetworkLayout) {
        let s = streams.count(inputDimension: layout.inputDimension), order = streams.jetPlan?.maximumOrder ?? 0
        guard s > workspace.maxStreams || order > workspace.jetOrder else { return }
        workspace = TaylorWorkspace(layout: layout, capacity: chunkSize, streamCount: max(s, workspace.maxStreams),
                                    jetOrder: max(order, workspace.jetOrder))
    }

    public init(layout: NetworkLayout, chunkSize: Int = 1024) {
        self.chunkSize = chunkSize
        workspace = TaylorWorkspace(layout: layout, capacity: chunkSize,
                                    streamCount: DerivativeStreams.maximumCount(inputDimension: layout.inputDimension))
    }

    /// The output streams at every point of `points` (point-major), as [stream][point]: u, then ∂u/∂xᵢ, then
    /// Δu, ∂²u/∂xᵢ² or ∂²u/∂xᵢ∂xⱼ as `streams` says. For a single-output network; ``evaluateFields(_:at:streams:)``
    /// returns every field of a system.
    public func evaluate(_ network: Network, at points: [Double], streams: DerivativeStreams = .value) -> [[Double]] {
        precondition(network.layout.outputDimension == 1, "a network with several outputs: use evaluateFields")
        return evaluateFields(network, at: points, streams: streams)[0]
    }

    /// Every output field's streams at every point of `points` (point-major), as [field][stream][point].
    public func evaluateFields(_ network: Network, at points: [Double],
                               streams: DerivativeStreams = .value) -> [[[Double]]] {
        let d = network.layout.inputDimension, m = network.layout.outputDimension
        let n = points.count / d
        let s = streams.count(inputDimension: d)
        reserve(streams, layout: network.layout)
        var result = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: n), count: s), count: m)
        pinn_flush_subnormals_to_zero()
        var start = 0
        points.withUnsafeBufferPointer { pts in
            while start < n {
                let count = min(chunkSize, n - start)
                TaylorForward.run(network, points: pts.baseAddress! + start * d, count: count, streams: streams,
                                  workspace: workspace)
                for field in 0..<m {
                    for k in 0..<s {
                        for p in 0..<count { result[field][k][start + p] = workspace.output[field + m * (k * count + p)] }
                    }
                }
                start += count
            }
        }
        return result
    }
}

extension NetworkEvaluator {
    /// The activations of hidden layer `layer` (0-based) at every point: width × N, column-major (neuron i at point
    /// p is `[i + p·width]`).
    public func hiddenActivations(_ network: Network, at points: [Double], layer: Int) -> [Double] {
        hiddenStreams(network, at: points, layer: layer)[0]
    }

    /// The streams of hidden layer `layer` at every point, as [stream][neuron + point·width] (streams as
    /// `streams` says: value, then ∂/∂xᵢ, …). `partitionOfUnity: false` gives a partition's raw features.
    public func hiddenStreams(_ network: Network, at points: [Double], layer: Int, streams: DerivativeStreams = .value,
                              partitionOfUnity: Bool = true) -> [[Double]] {
        let d = network.layout.inputDimension, width = network.layout.hiddenWidths[layer]
        let n = points.count / d, s = streams.count(inputDimension: d)
        reserve(streams, layout: network.layout)
        var result = [[Double]](repeating: [Double](repeating: 0, count: width * n), count: s)
        pinn_flush_subnormals_to_zero()
        var start = 0
        points.withUnsafeBufferPointer { pts in
            while start < n {
                let count = min(chunkSize, n - start)
                TaylorForward.run(network, points: pts.baseAddress! + start * d, count: count, streams: streams,
                                  workspace: workspace, partitionOfUnity: partitionOfUnity)
                let a = workspace.layerOutput(layer)  // a residual block's output H_l
                for k in 0..<s {
                    for e in 0..<(width * count) { result[k][start * width + e] = a[k * width * count + e] }
                }
                start += count
            }
        }
        return result
    }
}

/// Error metrics of a prediction against exact values.
public struct ErrorMetrics: Sendable, Equatable, Codable {
    /// ‖u − u*‖₂ / ‖u*‖₂ over the evaluation points.
    public let relativeL2: Double
    /// max |u − u*|.
    public let maxError: Double

    public init(relativeL2: Double, maxError: Double) {
        self.relativeL2 = relativeL2
        self.maxError = maxError
    }

    /// The largest relative L2 and max error over several fields' metrics (nil when there are none; the metrics
    /// themselves for one field).
    public static func worst(of metrics: [ErrorMetrics]) -> ErrorMetrics? {
        guard let first = metrics.first else { return nil }
        if metrics.count == 1 { return first }
        return ErrorMetrics(relativeL2: metrics.map(\.relativeL2).max()!, maxError: metrics.map(\.maxError).max()!)
    }

    public init(prediction u: [Double], exact: [Double]) {
        precondition(u.count == exact.count)
        var num = 0.0, den = 0.0, worst = 0.0
        for i in u.indices {
            let e = u[i] - exact[i]
            num += e * e
            den += exact[i] * exact[i]
            worst = max(worst, abs(e))
        }
        relativeL2 = den > 0 ? (num / den).squareRoot() : num.squareRoot()
        maxError = worst
    }
}
