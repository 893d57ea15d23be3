import Foundation

extension PartitionOfUnity {
    /// A point on the face between two neighbouring subdomains: the axis normal to the face and the subdomains on
    /// its lower and upper side.
    public struct InterfacePoint: Sendable, Equatable {
        public var point: [Double]
        public var axis: Int
        public var below: Int
        public var above: Int
    }

    /// The number of inner faces' points before any are dropped: faces × perEdge^(d−1).
    public func interfacePointCount(perEdge: Int) -> Int {
        let faces = (0..<dimension).reduce(0) { sum, i in sum + (counts[i] - 1) * subdomainCount / counts[i] }
        return faces * Int(pow(Double(perEdge), Double(dimension - 1)))
    }

    /// Points on every face between neighbouring subdomains: on each face a grid of `perEdge` cell-centred points
    /// along each of its d − 1 directions (one point per face in 1D), kept where `keep` says (inside the domain).
    /// The face's coordinate is the inner edge itself, so the point belongs to the upper subdomain's cell.
    public func interfacePoints(perEdge: Int, keep: ([Double]) -> Bool = { _ in true }) -> [InterfacePoint] {
        precondition(perEdge >= 1)
        let d = dimension
        var result: [InterfacePoint] = []
        for k in 0..<subdomainCount {
            let box = subdomain(k)
            for i in 0..<d {
                // Subdomain k is the upper side of the face at its lower edge on axis i (unless that is the box's).
                let stride = counts[..<i].reduce(1, *), own = (k / stride) % counts[i], below = k - stride
                guard own > 0 else { continue }
                let others = (0..<d).filter { $0 != i }
                let total = Int(pow(Double(perEdge), Double(d - 1)))
                for g in 0..<total {
                    var x = box.lower, rest = g
                    x[i] = edges[i][own - 1]
                    for l in others {
                        let step = (box.upper[l] - box.lower[l]) / Double(perEdge)
                        x[l] = box.lower[l] + (Double(rest % perEdge) + 0.5) * step
                        rest /= perEdge
                    }
                    if keep(x) { result.append(InterfacePoint(point: x, axis: i, below: below, above: k)) }
                }
            }
        }
        return result
    }
}
