// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "pinn",
    products: [
        .library(name: "PINN", targets: ["PINN"]),
        .executable(name: "pinn", targets: ["PinnCLI"]),
        .executable(name: "nonlinear-poisson-example", targets: ["NonlinearPoissonExample"]),
    ],
    // `swift build --traits MPI` (scripts/build-mpi.sh): data-parallel training over MPI. The default build needs no
    // MPI: the shim then reports that MPI is not available.
    traits: [.trait(name: "MPI", description: "Data-parallel training over MPI (Open MPI or MPICH, through pkg-config)")],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Thin system-library targets: the C libraries Debian ships, found through pkg-config.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLAPACKE", pkgConfig: "lapacke",
                       providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        // Vectorised elementwise maths: array wrappers over SLEEF with run-time CPU dispatch.
        .target(name: "CVectorMath",
                linkerSettings: [.linkedLibrary("sleef"), .linkedLibrary("m")]),
        // cpuid and xgetbv: the CPU model and the vector instruction sets it can run (BLAS kernel choice).
        .target(name: "CCPUInfo"),
        // MPI (only with the MPI trait) and the C shim over it: Open MPI's handles are macros Swift cannot import.
        .systemLibrary(name: "CMPI", pkgConfig: "mpi", providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .target(name: "CMPIShim",
                dependencies: [.target(name: "CMPI", condition: .when(traits: ["MPI"]))],
                cSettings: [.define("PINN_MPI", .when(traits: ["MPI"]))]),
        .target(name: "PINN",
                dependencies: [
                    "CBLAS", "CLAPACKE", "CHDF5", "CVectorMath", "CCPUInfo", "CMPIShim",
                    .product(name: "RealModule", package: "swift-numerics"),
                ]),
        .executableTarget(name: "PinnCLI",
                          dependencies: [
                              "PINN",
                              .product(name: "ArgumentParser", package: "swift-argument-parser"),
                          ]),
        // Embedding pinn from Swift in well under 100 lines: a nonlinear PDE through a user-defined residual.
        .executableTarget(name: "NonlinearPoissonExample",
                          dependencies: ["PINN", .product(name: "RealModule", package: "swift-numerics")],
                          path: "Examples/NonlinearPoisson"),
        .testTarget(name: "PINNTests",
                    dependencies: ["PINN", "PinnCLI", "NonlinearPoissonExample",
                                   .product(name: "RealModule", package: "swift-numerics")],
                    exclude: ["FuzzRegressions"]),
    ]
)
