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
        precondition(matrix.count == n * n, "matrix must hold n·n entries")
        if n == 0 { return [] }
        var a = matrix
        var w = [Double](repeating: 0, count: n)
        let info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "U")),
                                  Int32(n), &a, Int32(n), &w)
        if info != 0 { throw LinearAlgebraError.lapackFailure(routine: "dsyevd", info: Int(info)) }
        return w
    }
}
