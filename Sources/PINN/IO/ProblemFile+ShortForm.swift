import Foundation

/// What a problem file's problem section parses into.
struct ParsedProblem {
    var problem: Problem
    /// The formulas as written, by JSON path.
    var formulas: [String: String]
    /// The JSON path of each equation's and condition's value (targets), in the order of
    /// ``Problem/generalForm(hardDirichlet:)``.
    var valuePaths: [String]
    /// The JSON path of each equation and condition itself (same order), for errors found by the solver.
    var itemPaths: [String] = []
    var hardDirichlet = false
    /// Things worth telling the user that do not stop the run.
    var warnings: [String] = []
}

extension ProblemFile {
    /// The scalar short form: `pde`, `boundary_condition` or `boundary_conditions`, `forcing`, `boundary_value`,
    /// `exact_solution` (one formula).
    static func readShortForm(_ root: inout JSONObjectReader, domain: any Domain, parameters: [String: Double],
                              unknowns unknownNames: [String], file path: String) throws(ProblemFileError) -> ParsedProblem {
        var parameters = parameters
        let d = domain.dimension
        // PDE.
        guard var pdeReader = try root.object("pde") else { throw root.fail("pde", "required field is missing") }
        let pdeType = try pdeReader.choice("type", [("helmholtz", "helmholtz"), ("poisson", "poisson"), ("custom", "custom")])
        guard let pdeType else { throw pdeReader.fail("type", "required field is missing; allowed: helmholtz, poisson, custom") }
        var pde = PDE.poisson
        if pdeType == "helmholtz" {
            pde = .helmholtz(waveNumber: try pdeReader.number("k") ?? parameters["k"] ?? 1)
        }
        if case let .helmholtz(k) = pde, parameters["k"] == nil { parameters["k"] = k }
        var residual: FormulaResidual?
        var systemResidual: SystemResidual?
        if pdeType == "custom" {
            guard let source = try pdeReader.string("residual") else {
                throw pdeReader.fail("residual", "required for a custom PDE: a formula in the coordinates, u and its derivatives (\(FormulaResidual.fieldNames(dimension: d).joined(separator: ", "))), e.g. \"-(u_xx + u_yy) + u^3\"")
            }
            do {
                if unknownNames.isEmpty {
                    residual = try FormulaResidual(source, dimension: d, parameters: parameters)
                } else {
                    systemResidual = try SystemResidual(source, fields: ["u"], dimension: d, parameters: parameters,
                                                        unknowns: unknownNames)
                }
            } catch {
                throw pdeReader.fail("residual", error.describe(in: source))
            }
            if let systemResidual {
                let read = Set(systemResidual.usedUnknowns.map(\.index))
                if let unread = unknownNames.indices.first(where: { !read.contains($0) }) {
                    throw pdeReader.fail("residual", "does not read the unknown '\(unknownNames[unread])'; an unknown must appear in the residual")
                }
            }
        } else if !unknownNames.isEmpty {
            throw root.fail("unknowns", "are read by a custom PDE's residual formula; the pde is \(pdeType) (write it as \"type\": \"custom\" with the unknown in the formula)")
        }
        try pdeReader.rejectUnknownKeys()

        // Boundary condition.
        var condition = BoundaryCondition.dirichlet
        var hard = false
        if var bc = try root.object("boundary_condition") {
            switch try bc.choice("type", [("dirichlet", 0), ("neumann", 1), ("robin", 2)]) {
            case nil: throw bc.fail("type", "required field is missing; allowed: dirichlet, neumann, robin")
            case 0:
                hard = try bc.bool("hard") ?? false
                if hard {
                    guard domain is Box || domain is Disk else {
                        throw bc.fail("hard", "exact Dirichlet constraints need a rectangle, interval or disk domain; the domain is a \(domain)")
                    }
                }
            case 1: condition = .neumann
            case 2:
                guard let alpha = try bc.number("alpha") else { throw bc.fail("alpha", "required for a Robin condition α·u + β·∂u/∂n = g") }
                guard let beta = try bc.number("beta") else { throw bc.fail("beta", "required for a Robin condition α·u + β·∂u/∂n = g") }
                condition = .robin(alpha: alpha, beta: beta)
            default: break
            }
            try bc.rejectUnknownKeys()
        }

        // Formulas.
        var formulas: [String: String] = [:]
        func formula(_ key: String, _ reader: inout JSONObjectReader) throws(ProblemFileError) -> Formula? {
            guard let source = try reader.string(key) else { return nil }
            do {
                let f = try Formula(source, dimension: d, parameters: parameters)
                formulas[key] = source
                return f
            } catch {
                throw reader.fail(key, error.describe(in: source))
            }
        }
        let exact = try formula("exact_solution", &root)
        let forcing = try formula("forcing", &root)
        let boundary = try formula("boundary_value", &root)
        if hard && boundary == nil {
            throw root.fail("boundary_value", "required with boundary_condition.hard: a formula for g on the whole domain (u = g + D·N; the exact solution as g would solve the problem before training)")
        }
        if systemResidual != nil, forcing == nil {
            throw root.fail("forcing", "required with unknowns: the forcing cannot be derived from the exact solution while a coefficient is unknown")
        }
        var problem: Problem
        var valuePaths = ["forcing"] + (root.has("boundary_conditions") ? [] : ["boundary_value"])
        var itemPaths = ["pde"] + (root.has("boundary_conditions") ? [] : ["boundary_condition"])
        if let exact {
            problem = residual.map { Problem.manufactured(domain: domain, residual: $0, exactSolution: exact, boundaryCondition: condition) }
                ?? Problem.manufactured(domain: domain, pde: pde, exactSolution: exact, boundaryCondition: condition)
            if let forcing { problem.forcing = forcing }
            if let boundary { problem.boundaryValue = boundary }
        } else {
            guard let forcing else {
                throw root.fail("forcing", "required when 'exact_solution' is not given (give one or both)")
            }
            // With named boundary parts each part has its own value, and boundary_value is not needed.
            let parts = root.value("boundary_conditions") != nil
            guard let boundary = boundary ?? (parts ? try? Formula("0", dimension: d) : nil) else {
                throw root.fail("boundary_value", "required when 'exact_solution' is not given")
            }
            problem = Problem(domain: domain, pde: pde, forcing: forcing, boundaryValue: boundary)
            problem.residual = residual
            problem.boundaryCondition = condition
        }

        // Conditions on named faces of a box (replace boundary_condition).
        if let items = try root.array("boundary_conditions") {
            guard root.value("boundary_condition") == nil else {
                throw root.fail("boundary_conditions", "give either boundary_condition (the whole boundary) or boundary_conditions (named faces), not both")
            }
            guard let box = domain as? Box else {
                throw root.fail("boundary_conditions", "named boundary parts need an interval, rectangle or box domain; the domain is a \(domain)")
            }
            guard !items.isEmpty else { throw root.fail("boundary_conditions", "expected at least one condition") }
            var owner: [Int: Int] = [:]
            for (k, item) in items.enumerated() {
                var part = try JSONObjectReader(item, file: path, path: "boundary_conditions[\(k)]")
                guard let names = try part.array("faces"), !names.isEmpty else {
                    throw part.fail("faces", "required: a list of face names; allowed: \(box.faceNames.joined(separator: ", "))")
                }
                var faces: [Int] = []
                for (i, name) in names.enumerated() {
                    let index = try faceIndex(name, box: box, part, "faces[\(i)]")
                    if let other = owner[index] {
                        throw part.fail("faces[\(i)]", "face '\(box.faceNames[index])' already has a condition in boundary_conditions[\(other)]; give each face one condition")
                    }
                    owner[index] = k
                    faces.append(index)
                }
                let kind: BoundaryCondition
                switch try part.choice("type", [("dirichlet", 0), ("neumann", 1), ("robin", 2)]) {
                case nil: throw part.fail("type", "required field is missing; allowed: dirichlet, neumann, robin")
                case 1: kind = .neumann
                case 2:
                    guard let alpha = try part.number("alpha") else { throw part.fail("alpha", "required for a Robin condition α·u + β·∂u/∂n = g") }
                    guard let beta = try part.number("beta") else { throw part.fail("beta", "required for a Robin condition α·u + β·∂u/∂n = g") }
                    kind = .robin(alpha: alpha, beta: beta)
                default: kind = .dirichlet
                }
                let value: any ScalarField
                if let given = try formula("value", &part) {
                    value = given
                } else if let exact {
                    value = ManufacturedBoundaryData(condition: kind, domain: domain, solution: exact)
                } else {
                    throw part.fail("value", "required when 'exact_solution' is not given: a formula for g on these faces")
                }
                try part.rejectUnknownKeys()
                let name = "boundary_" + faces.map { box.faceNames[$0] }.joined(separator: "_")
                problem.conditions.append(Condition(name: name, region: .faces(faces), kind: kind.lossKind, value: value))
                valuePaths.append("boundary_conditions[\(k)].value")
                itemPaths.append("boundary_conditions[\(k)]")
            }
        }

        problem.systemResidual = systemResidual
        problem.unknowns = unknownNames
        return ParsedProblem(problem: problem, formulas: formulas, valuePaths: valuePaths, itemPaths: itemPaths,
                             hardDirichlet: hard)
    }
}
