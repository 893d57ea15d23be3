import CLAPACKE

/// Errors from the LAPACK routines pinn calls.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// LAPACK returned a non-zero `info` for `routine`.
    case lapackFailure(routine: String, info: Int)

    public var description: String {
        switch self {
        case let .lapackFailure(routine, info): return "LAPACK \(routine) failed (info = \(info))"
        }
    }
}

/// Eigenvalues of a real symmetric matrix.
public enum SymmetricEigen {
    /// The eigenvalues, ascending, of the symmetric n×n matrix `matrix` (column-major; only the upper triangle is
    /// read), computed by LAPACK's divide-and-conquer `dsyevd`.
    public static func eigenvalues(of matrix: [Double], dimension n: Int) throws -> [Double] {
        var a = matrix
        return try decompose(&a, dimension: n, vectors: false)
    }

    /// The eigenvalues, ascending, of the symmetric n×n matrix in `matrix` (upper triangle read); with `vectors`,
    /// `matrix` is overwritten by the orthonormal eigenvectors (column j belongs to eigenvalue j), otherwise by scratch.
    public static func decompose(_ matrix: inout [Double], dimension n: Int, vectors: Bool) throws -> [Double] {
        precondition(matrix.count == n * n, "matrix must hold n·n entries")
        if n == 0 { return [] }
        var w = [Double](repeating: 0, count: n)
        let info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, CChar(UInt8(ascii: vectors ? "V" : "N")), CChar(UInt8(ascii: "U")),
                                  Int32(n), &matrix, Int32(n), &w)
        if info != 0 { throw LinearAlgebraError.lapackFailure(routine: "dsyevd", info: Int(info)) }
        return w
    }
}
