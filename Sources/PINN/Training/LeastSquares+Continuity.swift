import Foundation

/// The continuity rows that join the local solutions of an indicator partition of unity: at each point x on a face
/// between subdomains k⁻ (below) and k⁺ (above), normal to axis i, for every field,
/// ```
/// √(w/P)·(u⁺(x) − u⁻(x))  and  √(w/P)·rᵢ·(∂ᵢu⁺(x) − ∂ᵢu⁻(x)),   u^± = Σⱼ c_{k^± j}·φ_{k^± j}
/// ```
/// (P the number of points, rᵢ the subdomains' half-width along axis i, which makes the derivative rows
/// dimensionless). Linear in the output weights c with a constant matrix (the features are fixed), which is built
/// once from the raw features' value and gradient streams; the biases cancel.
struct InterfaceContinuity {
    let points: [PartitionOfUnity.InterfacePoint]
    /// rowCount × columns, column-major; the columns are the output layer's (``Objective/outputLayerSystem``).
    let matrix: [Double]
    let rowCount: Int
    let columns: Int

    init(network: Network, points: [PartitionOfUnity.InterfacePoint], weight: Double) {
        let layout = network.layout, partition = layout.partition!
        let m = layout.outputDimension, width = layout.hiddenWidths[layout.depth - 1]
        let count = points.count, rows = 2 * m * count, columns = m * (width + 1)
        var matrix = [Double](repeating: 0, count: rows * columns)
        let features = NetworkEvaluator(layout: layout, chunkSize: 512)
            .hiddenStreams(network, at: points.flatMap(\.point), layer: layout.depth - 1, streams: .gradient,
                           partitionOfUnity: false)
        let scale = (weight / Double(max(count, 1))).squareRoot(), j0 = partition.featuresPerSubdomain
        for (p, face) in points.enumerated() {
            let cell = partition.subdomain(face.above), radius = 0.5 * (cell.upper[face.axis] - cell.lower[face.axis])
            for (side, sign) in [(face.above, 1.0), (face.below, -1.0)] {
                for j in (side * j0)..<((side + 1) * j0) {
                    let value = sign * scale * features[0][j + p * width]
                    let slope = sign * scale * radius * features[1 + face.axis][j + p * width]
                    for k in 0..<m {
                        let row = 2 * (p * m + k), column = j * m + k
                        matrix[row + rows * column] = value
                        matrix[row + 1 + rows * column] = slope
                    }
                }
            }
        }
        self.points = points
        self.matrix = matrix
        self.rowCount = rows
        self.columns = columns
    }

    /// ρ = A·c at the output layer's current parameters `c` (columns in the matrix's order).
    func residuals(_ c: [Double]) -> [Double] {
        var result = [Double](repeating: 0, count: rowCount)
        guard rowCount > 0 else { return result }
        matrix.withUnsafeBufferPointer { a in
            c.withUnsafeBufferPointer { x in
                result.withUnsafeMutableBufferPointer {
                    BLAS.gemv(m: rowCount, n: columns, a: a.baseAddress!, lda: rowCount, x: x.baseAddress!, beta: 0,
                              y: $0.baseAddress!)
                }
            }
        }
        return result
    }

    /// Copies the rows into rows `offset ..< offset + rowCount` of a column-major matrix with leading dimension
    /// `leadingDimension`.
    func copy(into target: inout [Double], offset: Int, leadingDimension: Int) {
        for column in 0..<columns {
            for r in 0..<rowCount { target[offset + r + leadingDimension * column] = matrix[r + rowCount * column] }
        }
    }
}

extension Solver {
    /// The continuity rows of an indicator partition with more than one subdomain (nil otherwise).
    func interfaceContinuity(_ network: Network) -> InterfaceContinuity? {
        guard let partition = network.layout.partition, partition.variant == .indicator,
              partition.subdomainCount > 1 else { return nil }
        let points = partition.interfacePoints(perEdge: interfacePointsPerEdge(partition)) {
            problem.domain.contains($0)
        }
        return InterfaceContinuity(network: network, points: points, weight: configuration.interfaceWeight)
    }

    /// The configured continuity points per face edge, or ⌈(N/K)^(1/d)⌉ (about the interior points' spacing).
    func interfacePointsPerEdge(_ partition: PartitionOfUnity) -> Int {
        if let n = configuration.interfacePointsPerEdge { return n }
        let perSubdomain = Double(configuration.interiorPoints) / Double(partition.subdomainCount)
        return max(2, Int(pow(perSubdomain, 1 / Double(partition.dimension)).rounded(.up)))
    }
}
