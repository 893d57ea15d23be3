import CLAPACKE
import Foundation

/// Dense linear least squares min ‖A·x − b‖₂ through LAPACK, with column scaling (every column of A divided by its
/// 2-norm before the solve, x scaled back after), as the random-feature and extreme-learning-machine solvers need:
/// their feature matrices are badly conditioned, so the normal equations (which square the condition number) are
/// not used.
public enum LinearLeastSquares {
    /// The LAPACK driver.
    public enum Method: String, Sendable, Equatable, CaseIterable {
        /// Householder QR (`dgels`): full column rank assumed; fastest.
        case qr
        /// Complete orthogonal decomposition with column pivoting (`dgelsy`): rank-revealing, columns whose pivots
        /// fall below the cut-off relative to the largest are dropped.
        case completeOrthogonal = "cod"
        /// Singular value decomposition (`dgelsd`, divide and conquer): singular values below the cut-off relative to
        /// the largest are treated as zero (the minimum-norm solution).
        case svd
    }

    /// What a solve reports.
    public struct Report: Sendable, Equatable {
        public var method: Method
        public var rows: Int
        public var columns: Int
        /// The numerical rank (the column count for QR).
        public var rank: Int
        /// The relative cut-off used (0 for QR).
        public var cutoff: Double
        /// An estimate of the 2-norm condition number of the column-scaled A: σ_max/σ_min from the SVD; for QR and
        /// the COD the reciprocal of LAPACK's 1-norm estimate for the (leading rank × rank) triangular factor.
        public var condition: Double
        /// Seconds in LAPACK.
        public var seconds: Double
    }

    /// Why a solve failed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Bytes LAPACK's workspace may take on top of A for a rows × columns problem (an upper bound for `dgelsd`'s
    /// divide-and-conquer workspace, the largest of the three).
    public static func workspaceBytes(rows m: Int, columns n: Int) -> Int {
        let k = min(m, n)
        return 8 * (12 * k + 2 * k * 25 + 8 * k + k * k + max(m, n)) + 4 * (3 * k * 8 + 11 * k)
    }

    /// Solves min ‖A·x − b‖ for A column-major `rows` × `columns` (overwritten) and b (`rows` values; the solution
    /// is returned, `columns` values).
    public static func solve(_ a: inout [Double], rows m: Int, columns n: Int, rhs b: [Double], method: Method,
                             cutoff: Double) throws(Failure) -> (solution: [Double], report: Report) {
        precondition(a.count == m * n && b.count == m && m >= 1 && n >= 1)
        // Column scaling: unit 2-norm columns (zero columns are left alone and come out as zero coefficients).
        var scales = [Double](repeating: 1, count: n)
        for j in 0..<n {
            var sum = 0.0
            for i in 0..<m { sum += a[i + m * j] * a[i + m * j] }
            let norm = sum.squareRoot()
            if norm > 0 {
                scales[j] = norm
                for i in 0..<m { a[i + m * j] /= norm }
            }
        }
        let ldb = max(m, n)
        var x = [Double](repeating: 0, count: ldb)
        for i in 0..<m { x[i] = b[i] }
        let start = DispatchTime.now().uptimeNanoseconds
        var rank: Int32 = 0
        var info: Int32 = 0
        var condition = Double.nan
        switch method {
        case .qr:
            info = LAPACKE_dgels(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), Int32(m), Int32(n), 1, &a,
                                 Int32(m), &x, Int32(ldb))
            rank = Int32(min(m, n))
            if info == 0 { condition = triangularCondition(a, rows: m, order: min(m, n)) }
        case .completeOrthogonal:
            var pivots = [Int32](repeating: 0, count: n)
            info = LAPACKE_dgelsy(LAPACK_COL_MAJOR, Int32(m), Int32(n), 1, &a, Int32(m), &x,
                                  Int32(ldb), &pivots, cutoff, &rank)
            if info == 0, rank > 0 { condition = triangularCondition(a, rows: m, order: Int(rank)) }
        case .svd:
            var singular = [Double](repeating: 0, count: min(m, n))
            info = LAPACKE_dgelsd(LAPACK_COL_MAJOR, Int32(m), Int32(n), 1, &a, Int32(m), &x,
                                  Int32(ldb), &singular, cutoff, &rank)
            if info == 0, let largest = singular.first, let smallest = singular.last {
                condition = smallest > 0 ? largest / smallest : .infinity
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        guard info == 0 else {
            throw Failure(description: info > 0
                ? "the least-squares matrix is rank-deficient (\(method.rawValue) stopped at column \(info)); use \"solver\": \"cod\" or \"svd\" with a cut-off"
                : "LAPACK rejected argument \(-info) of the \(method.rawValue) solve")
        }
        let solution = (0..<n).map { x[$0] / scales[$0] }
        return (solution, Report(method: method, rows: m, columns: n, rank: Int(rank),
                                 cutoff: method == .qr ? 0 : cutoff, condition: condition, seconds: seconds))
    }

    /// 1/rcond of the upper triangle R (order × order) stored in the leading part of the column-major `a`.
    private static func triangularCondition(_ a: [Double], rows m: Int, order k: Int) -> Double {
        var rcond = 0.0
        let info = LAPACKE_dtrcon(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "1")), CChar(UInt8(ascii: "U")),
                                  CChar(UInt8(ascii: "N")), Int32(k), a, Int32(m), &rcond)
        return info == 0 && rcond > 0 ? 1 / rcond : .infinity
    }
}
