import CVectorMath

/// Which input derivatives of the network the batched Taylor-mode pass carries, as "streams" stacked side by side
/// in each layer's activation matrix (n_l × S·N, column-major, one N-column block per stream).
///
/// Stream blocks, in order: the value A; the first derivatives ∂A/∂xᵢ (i = 1…d); then either nothing, the
/// Laplacian Σᵢ ∂²A/∂xᵢ² (one block), the d pure second derivatives ∂²A/∂xᵢ², or all d(d+1)/2 second derivatives
/// ∂²A/∂xᵢ∂xⱼ (i ≤ j, in the order of ``hessianPairs(dimension:)``: xx, xy, xz, yy, yz, zz). Derivatives above
/// the second order are carried as univariate Taylor jets along a few directions (``jets(_:)``, ``JetPlan``).
public enum DerivativeStreams: Sendable, Hashable {
    /// u only (boundary and data points): 1 stream.
    case value
    /// u and ∇u: 1 + d streams.
    case gradient
    /// u, ∇u and Δu (forward-Laplacian): 2 + d streams.
    case laplacian
    /// u, ∇u and every ∂²u/∂xᵢ²: 1 + 2d streams.
    case pureSecond
    /// u, ∇u and every ∂²u/∂xᵢ∂xⱼ, i ≤ j, mixed ones included: 1 + d + d(d+1)/2 streams. Costs d(d−1)/2 more
    /// blocks than ``pureSecond``, so the engine carries it only for residuals that read a mixed derivative.
    case hessian
    /// u and the Taylor jets (v·∇)ᵏu, k = 1…K_v, along the plan's directions: 1 + Σ_v K_v streams. Any partial
    /// derivative up to ``JetPlan/highestOrder`` is an exact combination of them (``JetPlan/combination(of:)``).
    case jets(JetPlan)

    /// The fixed stream sets (every one but ``jets(_:)``), cheapest first.
    public static let allCases: [DerivativeStreams] = [.value, .gradient, .laplacian, .pureSecond, .hessian]

    /// Number of stream blocks S for input dimension d.
    public func count(inputDimension d: Int) -> Int {
        switch self {
        case .value: return 1
        case .gradient: return 1 + d
        case .laplacian: return 2 + d
        case .pureSecond: return 1 + 2 * d
        case .hessian: return 1 + d + d * (d + 1) / 2
        case let .jets(plan): return plan.count
        }
    }

    /// Whether first-derivative blocks ∂/∂xᵢ are carried (jets carry directional ones instead).
    public var hasFirst: Bool {
        switch self {
        case .value, .jets: return false
        default: return true
        }
    }

    /// The jet plan, for ``jets(_:)``.
    public var jetPlan: JetPlan? {
        if case let .jets(plan) = self { return plan }
        return nil
    }

    /// The highest derivative order carried.
    public var order: Int {
        switch self {
        case .value: return 0
        case .gradient: return 1
        case .laplacian, .pureSecond, .hessian: return 2
        case let .jets(plan): return plan.maximumOrder
        }
    }

    /// Number of second-derivative blocks for input dimension d.
    public func secondCount(inputDimension d: Int) -> Int {
        switch self {
        case .value, .gradient: return 0
        case .laplacian: return 1
        case .pureSecond: return d
        case .hessian: return d * (d + 1) / 2
        case .jets: return 0
        }
    }

    /// The index pairs (i, j), i ≤ j, of the second-derivative blocks of ``hessian``, in block order.
    public static func hessianPairs(dimension d: Int) -> [(Int, Int)] {
        (0..<d).flatMap { i in (i..<d).map { j in (i, j) } }
    }

    /// The block of ∂²/∂xᵢ∂xⱼ among the ``hessian`` second-derivative blocks (0-based, i and j in any order).
    public static func hessianIndex(_ i: Int, _ j: Int, dimension d: Int) -> Int {
        let (a, b) = i <= j ? (i, j) : (j, i)
        return a * d - a * (a - 1) / 2 + (b - a)
    }

    /// The most stream blocks any stream set carries in dimension d (workspace sizes).
    public static func maximumCount(inputDimension d: Int) -> Int {
        allCases.map { $0.count(inputDimension: d) }.max()!
    }

    /// The stream set's code in the C kernels (PINN_STREAMS_…).
    var kernelMode: Int {
        switch self {
        case .value: return Int(PINN_STREAMS_VALUE)
        case .gradient: return Int(PINN_STREAMS_GRADIENT)
        case .laplacian: return Int(PINN_STREAMS_LAPLACIAN)
        case .pureSecond: return Int(PINN_STREAMS_PURE_SECOND)
        case .hessian: return Int(PINN_STREAMS_HESSIAN)
        case .jets: preconditionFailure("Taylor jets run through JetKernels, not the fixed-set C kernels")
        }
    }
}
