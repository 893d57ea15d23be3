import CBLAS

/// Thin, typed wrappers over the CBLAS routines the engine uses. All matrices are column-major.
public enum BLAS {
    /// Sets the number of OpenBLAS threads. pinn parallelises over blocks of points itself and runs BLAS on one
    /// thread: at PINN shapes OpenBLAS's own threads are slower on two cores (see docs/benchmarks.md).
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// General matrix product `C ← α·op(A)·op(B) + β·C` (column-major), with `op(A)` of shape m×k and `op(B)` k×n.
    @inline(__always)
    static func gemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Double = 1, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(CblasColMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// `C += A·Bᵀ` with A m×k and B n×k (column-major, leading dimensions m and n), as GEMMs over consecutive
    /// blocks of ``outerProductBlock`` columns of A and B. For PINN shapes (m, n ≈ 20…100, k = points × streams in
    /// the hundreds) OpenBLAS's transposed small-matrix kernel is 28–39 % faster on 64-column blocks than on the
    /// whole product at once on an AVX-512 Xeon (operands of one block stay in L1; docs/benchmarks.md). The blocks
    /// are fixed by k, so the summation order, like the result, depends on the shapes only.
    static func accumulateOuterProducts(m: Int, n: Int, k: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>,
                                        c: UnsafeMutablePointer<Double>) {
        var start = 0
        while start < k {
            let columns = min(outerProductBlock, k - start)
            gemm(transposeB: true, m: m, n: n, k: columns, a: a + start * m, lda: m, b: b + start * n, ldb: n,
                 beta: 1, c: c, ldc: m)
            start += columns
        }
    }

    /// Columns per GEMM in ``accumulateOuterProducts(m:n:k:a:b:c:)``.
    static var outerProductBlock: Int { 64 }

    /// Symmetric rank-k update `C ← α·AᵀA + β·C` on the upper triangle, with A of shape k×n (column-major).
    static func syrkTransposed(n: Int, k: Int, alpha: Double = 1, a: UnsafePointer<Double>, lda: Int,
                               beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }

    /// Dot product of two contiguous vectors.
    static func dot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int) -> Double {
        cblas_ddot(Int32(count), x, 1, y, 1)
    }

    /// Matrix-vector product `y ← α·op(A)·x + β·y` with A of shape m×n (column-major).
    static func gemv(transpose: Bool = false, m: Int, n: Int, alpha: Double = 1, a: UnsafePointer<Double>, lda: Int,
                     x: UnsafePointer<Double>, beta: Double = 0, y: UnsafeMutablePointer<Double>) {
        cblas_dgemv(CblasColMajor, transpose ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda),
                    x, 1, beta, y, 1)
    }

    /// Symmetric matrix-vector product `y ← α·A·x + β·y`, A n×n with its upper triangle filled (column-major).
    static func symv(n: Int, alpha: Double = 1, a: UnsafePointer<Double>, lda: Int, x: UnsafePointer<Double>,
                     beta: Double = 0, y: UnsafeMutablePointer<Double>) {
        cblas_dsymv(CblasColMajor, CblasUpper, Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }
}
