// swift-tools-version:6.0
import PackageDescription

// In-process fuzzing of pinn's input readers with libFuzzer: built and run by scripts/fuzz.sh (not part of the
// main package, so that its build and tests never need the fuzzer runtime).
let package = Package(
    name: "pinn-fuzz",
    dependencies: [.package(name: "pinn", path: "..")],
    targets: [
        // libFuzzer's driver entry point, called from our own main.
        .target(name: "CFuzzerDriver"),
        .executableTarget(name: "PinnFuzz", dependencies: ["CFuzzerDriver", .product(name: "PINN", package: "pinn")]),
    ]
)
