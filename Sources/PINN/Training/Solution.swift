import Foundation

/// A trained network together with its problem and how training went.
public struct Solution: Sendable {
    public var problem: Problem
    public var network: Network
    public var report: TrainingReport
    /// The points trained on, point-major.
    public var interiorPoints: [Double]
    public var boundaryPoints: [Double]
    /// The configuration it was trained with.
    public var configuration = SolverConfiguration()
    /// One line per equation and condition: its name, what it states, where, its point count and weight.
    public var termSummaries: [String] = []
    /// Time marching: the window edges t₀ < t₁ < … < T and each window's network (``network`` is the last);
    /// empty without windows.
    public var windowEdges: [Double] = []
    public var windowNetworks: [Network] = []
    /// The least-squares method's report (nil when the network was trained).
    public var leastSquares: LeastSquaresOutcome?

    /// The trained model: ``network``, or one network per time window.
    public var model: TrainedModel {
        windowNetworks.isEmpty ? TrainedModel(network) : TrainedModel(networks: windowNetworks, windowEdges: windowEdges)
    }

    /// u and, with `streams`, its derivatives at the given points (point-major): entry s of the result is stream s
    /// (see ``DerivativeStreams``: u; ∂u/∂xᵢ; Δu or ∂²u/∂xᵢ²), one value per point.
    public func evaluate(at points: [Double], streams: DerivativeStreams = .value) -> [[Double]] {
        model.evaluateFields(at: points, streams: streams)[0]
    }

    /// Writes the HDF5 result file (docs/output-format.md) with the solution on a grid of `resolution` points per
    /// axis over the domain's bounding box (default: the configuration's), through a temporary file renamed at the
    /// end.
    public func write(to path: String, resolution: [Int]? = nil, description: String = "") throws(HDF5Error) {
        let d = problem.domain.dimension
        let grid = problem.domain.boundingBox.grid(resolution: resolution.map { Array($0.prefix(d)) }
                                                      ?? configuration.resolution(dimension: d))
        let info = ResultFile.RunInfo(problemText: "", problemPath: "(Swift API)", description: description,
                                      seed: configuration.seed, threads: configuration.threads,
                                      effectiveRankEpsilons: configuration.effectiveRankEpsilons)
        try ResultFile.write(self, grid: grid, info: info, to: path)
    }

    /// The first field (u) at the given points (point-major).
    public func predict(at points: [Double]) -> [Double] {
        predictFields(at: points)[0]
    }

    /// Every field at the given points, [field][point].
    public func predictFields(at points: [Double]) -> [[Double]] {
        model.evaluateFields(at: points).map { $0[0] }
    }

    /// The first equation's residual (𝓛u − f for the short form) at the given points.
    public func residual(at points: [Double]) -> [Double] {
        residuals(at: points)[0]
    }

    /// Every equation's residual at the given points, [equation][point].
    public func residuals(at points: [Double]) -> [[Double]] {
        model.gather(points) { Solver.equationResiduals(of: $0, problem: problem, at: $1) }
    }

    /// Error metrics of the first field against its exact solution at the given points, if it is known.
    public func errors(at points: [Double]) -> ErrorMetrics? {
        fieldErrors(at: points)[0]
    }

    /// Error metrics of every field with a known exact solution (nil for the others).
    public func fieldErrors(at points: [Double]) -> [ErrorMetrics?] {
        let predictions = predictFields(at: points)
        return problem.exactSolutions.enumerated().map { k, exact in
            exact.map { ErrorMetrics(prediction: predictions[k], exact: $0.values(at: points)) }
        }
    }
}
