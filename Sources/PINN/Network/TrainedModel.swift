/// A trained model: one network for the whole domain, or, after time marching, one network per time window
/// [tₖ, tₖ₊₁] (a point is evaluated by the network of the window its time t falls in; a time on an edge between two
/// windows belongs to the later one, the final time T to the last).
public struct TrainedModel: Sendable {
    /// The networks, one per window (one in all when there are no windows).
    public var networks: [Network]
    /// The window edges t₀ < t₁ < … < t_W (empty: one network for all points).
    public var windowEdges: [Double]

    /// One network for all points.
    public init(_ network: Network) {
        networks = [network]
        windowEdges = []
    }

    /// One network per window between consecutive `edges`.
    public init(networks: [Network], windowEdges: [Double]) {
        precondition(windowEdges.isEmpty ? networks.count == 1 : networks.count == windowEdges.count - 1)
        self.networks = networks
        self.windowEdges = windowEdges
    }

    public var layout: NetworkLayout { networks[0].layout }

    /// The window of time t (0 without windows; times outside [t₀, T] go to the first or last window).
    public func window(of t: Double) -> Int {
        guard windowEdges.count > 2 else { return 0 }
        var k = 0
        while k + 1 < networks.count, t >= windowEdges[k + 1] { k += 1 }
        return k
    }

    /// The points (point-major, time the last coordinate) grouped by window: each window's point indices.
    public func partition(_ points: [Double]) -> [[Int]] {
        let d = layout.inputDimension, n = points.count / d
        guard networks.count > 1 else { return [Array(0..<n)] }
        var groups = [[Int]](repeating: [], count: networks.count)
        for p in 0..<n { groups[window(of: points[p * d + d - 1])].append(p) }
        return groups
    }

    /// `perWindow(network, points)` for each window's points, reassembled in the order of `points`: the result has
    /// `[row][point]` layout, every window returning the same number of rows.
    public func gather(_ points: [Double], _ perWindow: (Network, [Double]) -> [[Double]]) -> [[Double]] {
        let d = layout.inputDimension, n = points.count / d
        if networks.count == 1 { return perWindow(networks[0], points) }
        var result: [[Double]] = []
        for (k, indices) in partition(points).enumerated() where !indices.isEmpty {
            let rows = perWindow(networks[k], indices.flatMap { points[($0 * d)..<($0 * d + d)] })
            if result.isEmpty { result = rows.map { _ in [Double](repeating: .nan, count: n) } }
            for (r, row) in rows.enumerated() {
                for (j, p) in indices.enumerated() { result[r][p] = row[j] }
            }
        }
        return result
    }

    /// Every output field's streams at every point, as [field][stream][point] (like
    /// ``NetworkEvaluator/evaluateFields(_:at:streams:)``).
    public func evaluateFields(at points: [Double], streams: DerivativeStreams = .value) -> [[[Double]]] {
        let m = layout.outputDimension, s = streams.count(inputDimension: layout.inputDimension)
        guard !points.isEmpty else { return Array(repeating: Array(repeating: [], count: s), count: m) }
        let flat = gather(points) { network, part in
            NetworkEvaluator(layout: network.layout).evaluateFields(network, at: part, streams: streams).flatMap { $0 }
        }
        return (0..<m).map { k in (0..<s).map { flat[k * s + $0] } }
    }
}
