/// Which input derivatives of the network the batched Taylor-mode pass carries, as "streams" stacked side by side
/// in each layer's activation matrix (n_l × S·N, column-major, one N-column block per stream).
///
/// Stream blocks, in order: the value A; the first derivatives ∂A/∂xᵢ (i = 1…d); then either nothing, the
/// Laplacian Σᵢ ∂²A/∂xᵢ² (one block), or the d pure second derivatives ∂²A/∂xᵢ².
public enum DerivativeStreams: Sendable, Equatable, CaseIterable {
    /// u only (boundary and data points): 1 stream.
    case value
    /// u and ∇u: 1 + d streams.
    case gradient
    /// u, ∇u and Δu (forward-Laplacian): 2 + d streams.
    case laplacian
    /// u, ∇u and every ∂²u/∂xᵢ²: 1 + 2d streams.
    case pureSecond

    /// Number of stream blocks S for input dimension d.
    public func count(inputDimension d: Int) -> Int {
        switch self {
        case .value: return 1
        case .gradient: return 1 + d
        case .laplacian: return 2 + d
        case .pureSecond: return 1 + 2 * d
        }
    }

    /// Whether first-derivative blocks are carried.
    public var hasFirst: Bool { self != .value }

    /// Number of second-derivative blocks for input dimension d.
    public func secondCount(inputDimension d: Int) -> Int {
        switch self {
        case .value, .gradient: return 0
        case .laplacian: return 1
        case .pureSecond: return d
        }
    }
}
