/// pinn's version, written into every result file.
public enum PINNVersion {
    public static let current = "0.1.0"
}
