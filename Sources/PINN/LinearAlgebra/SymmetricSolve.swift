import CLAPACKE

/// Solves damped symmetric positive semi-definite systems (H + μI)·x = b, as Levenberg–Marquardt needs them:
/// Cholesky first (LAPACK `dpotrf`/`dpotrs`); when H + μI is not numerically positive definite, an eigen-
/// decomposition of H (`dsyevd`, computed once per H) with negative eigenvalues clamped to zero.
///
/// Holds two n×n work matrices (the factor and, once needed, the eigenvectors); nothing is allocated per solve.
public final class DampedSymmetricSolver {
    public let dimension: Int
    private var factor: [Double]
    private var eigenvectors: [Double] = []
    private var eigenvalues: [Double] = []
    private var work: [Double]
    /// Solves that fell back to the eigen-decomposition.
    public private(set) var fallbacks = 0

    public init(dimension n: Int) {
        dimension = n
        factor = [Double](repeating: 0, count: n * n)
        work = [Double](repeating: 0, count: n)
    }

    /// Forget the eigen-decomposition (call when H changes).
    public func matrixChanged() {
        eigenvectors = []
    }

    /// Writes x = (H + μI)⁻¹·b. `hessian` is column-major n×n with its upper triangle filled.
    public func solve(hessian: UnsafePointer<Double>, damping mu: Double, rhs b: UnsafePointer<Double>,
                      solution x: UnsafeMutablePointer<Double>) throws {
        let n = dimension
        factor.withUnsafeMutableBufferPointer { f in
            f.baseAddress!.update(from: hessian, count: n * n)
            for i in 0..<n { f[i * n + i] += mu }
        }
        let uplo = CChar(UInt8(ascii: "U"))
        var info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, uplo, Int32(n), &factor, Int32(n))
        if info == 0 {
            x.update(from: b, count: n)
            info = LAPACKE_dpotrs(LAPACK_COL_MAJOR, uplo, Int32(n), 1, factor, Int32(n), x, Int32(n))
            if info != 0 { throw LinearAlgebraError.lapackFailure(routine: "dpotrs", info: Int(info)) }
            return
        }
        fallbacks += 1
        if eigenvectors.isEmpty {
            var vectors = Array(UnsafeBufferPointer(start: hessian, count: n * n))
            eigenvalues = try SymmetricEigen.decompose(&vectors, dimension: n, vectors: true)
            eigenvectors = vectors
        }
        // x = V·diag(1/(max(λ,0) + μ))·Vᵀ·b
        eigenvectors.withUnsafeBufferPointer { v in
            work.withUnsafeMutableBufferPointer { w in
                BLAS.gemv(transpose: true, m: n, n: n, a: v.baseAddress!, lda: n, x: b, y: w.baseAddress!)
                for i in 0..<n { w[i] /= max(eigenvalues[i], 0) + mu }
                BLAS.gemv(m: n, n: n, a: v.baseAddress!, lda: n, x: w.baseAddress!, y: x)
            }
        }
    }
}
