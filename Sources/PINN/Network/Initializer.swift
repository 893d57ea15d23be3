/// How the weights of a dense layer are drawn at the start of training. Biases start at zero.
public enum WeightInitializer: String, Sendable, CaseIterable, Codable {
    /// Glorot (Xavier) normal: N(0, 2/(fanIn + fanOut)).
    case glorotNormal
    /// Glorot (Xavier) uniform: U(−√(6/(fanIn + fanOut)), +√(6/(fanIn + fanOut))).
    case glorotUniform
    /// He normal: N(0, 2/fanIn).
    case heNormal
    /// He uniform: U(−√(6/fanIn), +√(6/fanIn)).
    case heUniform

    /// Draws a fanOut × fanIn weight matrix (column-major) into `weights`.
    public func fill(_ weights: inout ArraySlice<Double>, fanIn: Int, fanOut: Int, using rng: inout Xoshiro256) {
        let fan = Double(fanIn + fanOut)
        for i in weights.indices {
            switch self {
            case .glorotNormal: weights[i] = (2 / fan).squareRoot() * rng.nextNormal()
            case .glorotUniform: let r = (6 / fan).squareRoot(); weights[i] = rng.nextUniform(in: -r, r)
            case .heNormal: weights[i] = (2 / Double(fanIn)).squareRoot() * rng.nextNormal()
            case .heUniform: let r = (6 / Double(fanIn)).squareRoot(); weights[i] = rng.nextUniform(in: -r, r)
            }
        }
    }
}
