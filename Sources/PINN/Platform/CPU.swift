import CCPUInfo

/// The processor this process runs on, as cpuid reports it, and the vector instruction sets it can use (the CPU has
/// them and the operating system saves their registers).
public struct CPU: Sendable, Equatable, CustomStringConvertible {
    /// The vector instruction-set levels that decide which BLAS kernels can run, from oldest to newest.
    public enum VectorLevel: Int, Sendable, Comparable, CustomStringConvertible {
        /// SSE2/SSE3 only.
        case sse = 0
        /// AVX (Sandy Bridge).
        case avx = 1
        /// AVX2 and FMA (Haswell, Zen).
        case avx2 = 2
        /// AVX-512 F, BW, DQ, VL and CD (Skylake-X and later, Zen 4).
        case avx512 = 3

        public static func < (a: VectorLevel, b: VectorLevel) -> Bool { a.rawValue < b.rawValue }

        public var description: String {
            switch self {
            case .sse: return "SSE"
            case .avx: return "AVX"
            case .avx2: return "AVX2+FMA"
            case .avx512: return "AVX-512"
            }
        }
    }

    public var vendor: String
    /// The brand string, e.g. "Intel(R) Xeon(R) Processor".
    public var brand: String
    public var family: Int
    public var model: Int
    public var stepping: Int
    /// The newest vector level every instruction of which this CPU can run.
    public var vectorLevel: VectorLevel

    public init(vendor: String, brand: String, family: Int, model: Int, stepping: Int, vectorLevel: VectorLevel) {
        self.vendor = vendor
        self.brand = brand
        self.family = family
        self.model = model
        self.stepping = stepping
        self.vectorLevel = vectorLevel
    }

    /// The processor of this process.
    public static let current: CPU = {
        var info = pinn_cpu_identify_result()
        let vendor = withUnsafeBytes(of: &info.vendor) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let brand = withUnsafeBytes(of: &info.brand) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let level: VectorLevel
        if info.avx512f != 0 && info.avx512bw != 0 && info.avx512dq != 0 && info.avx512vl != 0 && info.avx512cd != 0 {
            level = .avx512
        } else if info.avx2 != 0 && info.fma != 0 {
            level = .avx2
        } else if info.avx != 0 {
            level = .avx
        } else {
            level = .sse
        }
        return CPU(vendor: vendor, brand: brand.trimmingSpaces, family: Int(info.family), model: Int(info.model),
                   stepping: Int(info.stepping), vectorLevel: level)
    }()

    /// "Intel(R) Xeon(R) Processor (GenuineIntel family 6 model 207 stepping 2, AVX-512)".
    public var description: String {
        "\(brand.isEmpty ? "unknown CPU" : brand) (\(vendor) family \(family) model \(model) stepping \(stepping), "
            + "\(vectorLevel))"
    }
}

private func pinn_cpu_identify_result() -> pinn_cpu_info {
    var info = pinn_cpu_info()
    pinn_cpu_identify(&info)
    return info
}

extension String {
    fileprivate var trimmingSpaces: String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
