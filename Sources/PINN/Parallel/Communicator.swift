import Foundation

/// The processes that train one model together (data parallelism): every process holds the same parameters and runs
/// the same optimizer; each owns a fixed block of every loss term's points, and the losses, gradients and
/// Gauss–Newton matrices are summed over the processes (see docs/scaling.md).
///
/// Sums must give every process the same bits (the processes then take identical steps): implementations reduce to
/// one process and broadcast the result, never an all-reduce whose rounding could differ between processes.
public protocol Communicator: AnyObject, Sendable {
    /// This process's index, 0 ..< ``size``.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Replaces `values` on every process by their sum over the processes (the same bits everywhere).
    func sum(_ values: UnsafeMutablePointer<Double>, count: Int)
    /// Replaces `values` on every process by their elementwise maximum over the processes.
    func maximum(_ values: UnsafeMutablePointer<Double>, count: Int)
    /// Copies `values` of process `root` to every process.
    func broadcast(_ values: UnsafeMutablePointer<Double>, count: Int, root: Int)
}

extension Communicator {
    /// Whether this process writes files and progress (process 0).
    public var isRoot: Bool { rank == 0 }

    /// Sums an array over the processes.
    public func sum(_ values: inout [Double]) {
        guard size > 1, !values.isEmpty else { return }
        values.withUnsafeMutableBufferPointer { sum($0.baseAddress!, count: $0.count) }
    }

    /// The elementwise maximum of an array over the processes.
    public func maximum(_ values: inout [Double]) {
        guard size > 1, !values.isEmpty else { return }
        values.withUnsafeMutableBufferPointer { maximum($0.baseAddress!, count: $0.count) }
    }

    /// Process `root`'s array on every process.
    public func broadcast(_ values: inout [Double], root: Int = 0) {
        guard size > 1, !values.isEmpty else { return }
        values.withUnsafeMutableBufferPointer { broadcast($0.baseAddress!, count: $0.count, root: root) }
    }

    /// Whether any process says yes.
    public func any(_ flag: Bool) -> Bool {
        guard size > 1 else { return flag }
        var value = [flag ? 1.0 : 0.0]
        maximum(&value)
        return value[0] > 0
    }

    /// Whether every process holds the same 64-bit value (e.g. a hash of the parameters or of the problem file).
    public func agree(on value: UInt64) -> Bool {
        guard size > 1 else { return true }
        // Two exact 32-bit halves, and their negatives: the maxima of both are equal iff all values are.
        let hi = Double(value >> 32), lo = Double(value & 0xFFFF_FFFF)
        var both = [hi, lo, -hi, -lo]
        maximum(&both)
        return both[0] == -both[2] && both[1] == -both[3]
    }

    /// The block of `count` items this process owns: items [count·r/R, count·(r+1)/R).
    public func block(of count: Int) -> Range<Int> {
        (count * rank / size)..<(count * (rank + 1) / size)
    }
}

/// One process: sums and broadcasts do nothing. The default of every solve.
public final class SerialCommunicator: Communicator {
    public static let shared = SerialCommunicator()
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func sum(_ values: UnsafeMutablePointer<Double>, count: Int) {}
    public func maximum(_ values: UnsafeMutablePointer<Double>, count: Int) {}
    public func broadcast(_ values: UnsafeMutablePointer<Double>, count: Int, root: Int) {}
}

/// FNV-1a over bytes: a fast 64-bit fingerprint to check that processes hold the same data (not cryptographic).
public enum Fingerprint {
    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    public static func of(_ values: [Double]) -> UInt64 { values.withUnsafeBytes { of($0) } }
    public static func of(_ text: String) -> UInt64 { Array(text.utf8).withUnsafeBytes { of($0) } }
}
