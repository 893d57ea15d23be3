import RealModule

/// A boundary-value problem: a PDE on a box with Dirichlet data, a forcing term, and optionally the exact
/// solution (for error metrics).
public struct Problem: Sendable {
    /// The domain Ω.
    public var domain: any Domain
    /// The PDE 𝓛u = f in Ω.
    public var pde: PDE
    /// The forcing term f.
    public var forcing: any ScalarField
    /// The Dirichlet data g: u = g on ∂Ω.
    public var boundaryValue: any ScalarField
    /// The exact solution, when known.
    public var exactSolution: (any ScalarField)?

    public init(domain: any Domain, pde: PDE, forcing: any ScalarField, boundaryValue: any ScalarField,
                exactSolution: (any ScalarField)? = nil) {
        self.domain = domain
        self.pde = pde
        self.forcing = forcing
        self.boundaryValue = boundaryValue
        self.exactSolution = exactSolution
    }

    /// A manufactured problem: f = 𝓛u* derived from the exact solution u* with hyper-dual numbers, and g = u*.
    public static func manufactured(domain: any Domain, pde: PDE, exactSolution: any ScalarField) -> Problem {
        Problem(domain: domain, pde: pde, forcing: ManufacturedForcing(pde: pde, solution: exactSolution),
                boundaryValue: exactSolution, exactSolution: exactSolution)
    }
}

/// f = a·Δu* + c·u*, evaluated by nesting dual numbers over the caller's scalar type (so it stays differentiable).
public struct ManufacturedForcing: ScalarField {
    public let pde: PDE
    public let solution: any ScalarField
    public var inputDimension: Int { solution.inputDimension }

    public func callAsFunction<T: Real>(_ x: [T]) -> T {
        let lap = DifferentialOperators.laplacian(of: solution, at: x)
        return T.converting(pde.laplacianCoefficient) * lap + T.converting(pde.valueCoefficient) * solution(x)
    }
}

extension ScalarField {
    /// The field at every point of a point-major array.
    public func values(at points: [Double]) -> [Double] {
        let d = inputDimension
        return (0..<(points.count / d)).map { p in self(Array(points[(p * d)..<(p * d + d)])) }
    }
}
