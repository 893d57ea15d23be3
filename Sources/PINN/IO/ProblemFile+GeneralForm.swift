import Foundation

extension ProblemFile {
    /// Keys of the short form that the general form replaces.
    static let shortFormKeys = ["pde", "boundary_condition", "boundary_conditions", "forcing", "boundary_value", "data"]

    /// Names a field may not take: the problem's coordinates and t, constants, function names and the normal's
    /// prefix (an ODE's fields may be called x, y, z: t is its only coordinate).
    static func reservedNames(coordinates: [String]) -> [String] {
        coordinates + ["pi", "e", "n", "t"] + FormulaFunction.allCases.map(\.rawValue)
    }

    /// The field names of `fields` (default `["u"]`): distinct, letters and digits, not reserved.
    static func readFields(_ root: inout JSONObjectReader, domain: any Domain) throws(ProblemFileError) -> [String] {
        let coordinates = domain.coordinateNames
        let reservedNames = reservedNames(coordinates: coordinates)
        guard let list = try root.array("fields") else { return ["u"] }
        guard !list.isEmpty else { throw root.fail("fields", "expected at least one field name, e.g. [\"u\", \"v\", \"p\"]") }
        guard list.count <= ProblemFile.maximumFields else {
            throw root.fail("fields", "\(list.count) fields; at most \(ProblemFile.maximumFields) are allowed")
        }
        var names: [String] = []
        for (i, item) in list.enumerated() {
            guard case let .string(name) = item, name.first?.isLetter == true, name.allSatisfy({ $0.isLetter || $0.isNumber }) else {
                throw root.fail("fields[\(i)]", "expected a name of letters and digits starting with a letter (derivatives are written name_x)")
            }
            guard !reservedNames.contains(name) else {
                let shown = (coordinates + (coordinates.contains("t") ? [] : ["t"])).joined(separator: ", ")
                throw root.fail("fields[\(i)]", "'\(name)' is reserved (the coordinates \(shown), the normal n, pi, e, function names)")
            }
            guard !names.contains(name) else { throw root.fail("fields[\(i)]", "duplicate field name '\(name)'") }
            names.append(name)
        }
        return names
    }

    /// The general form: `fields`, `equations`, `conditions`, `exact_solution` (one formula per field).
    static func readGeneralForm(_ root: inout JSONObjectReader, domain: any Domain, fields: [String],
                                parameters: [String: Double], unknowns: [String],
                                file path: String) throws(ProblemFileError) -> ParsedProblem {
        let d = domain.dimension
        for key in shortFormKeys where root.has(key) {
            throw root.fail(key, "belongs to the short form; with 'equations' write it as an equation or a condition (docs/problem-files.md)")
        }
        var formulas: [String: String] = [:]
        func formula(_ source: String, at place: String, _ reader: JSONObjectReader) throws(ProblemFileError) -> Formula {
            do {
                let f = try Formula(source, dimension: d, parameters: parameters, coordinates: domain.coordinateNames)
                formulas[place] = source
                return f
            } catch {
                throw ProblemFileError(file: path, path: place, message: error.describe(in: source))
            }
        }
        func residual(_ source: String, at place: String, normals: Bool) throws(ProblemFileError) -> SystemResidual {
            do {
                let r = try SystemResidual(source, fields: fields, dimension: d, parameters: parameters,
                                           unknowns: unknowns, normals: normals, coordinates: domain.coordinateNames)
                formulas[place] = source
                return r
            } catch {
                throw ProblemFileError(file: path, path: place, message: error.describe(in: source))
            }
        }

        // Exact solutions: a formula per field (a plain formula when there is one field).
        var exact = [(any ScalarField)?](repeating: nil, count: fields.count)
        if let value = root.value("exact_solution") {
            switch value {
            case let .string(source) where fields.count == 1:
                exact[0] = try formula(source, at: "exact_solution", root)
            case .object:
                var reader = try JSONObjectReader(value, file: path, path: "exact_solution")
                for key in reader.keys {
                    guard let k = fields.firstIndex(of: key) else {
                        throw reader.fail(key, "is not a field; the fields are \(fields.joined(separator: ", "))")
                    }
                    guard let source = try reader.string(key) else { continue }
                    exact[k] = try formula(source, at: "exact_solution.\(key)", reader)
                }
            default:
                throw root.fail("exact_solution", "expected an object with a formula per field, e.g. {\"\(fields[0])\": \"sin(pi*x)\"}")
            }
        }

        // Equations.
        guard let equationList = try root.array("equations"), !equationList.isEmpty else {
            throw root.fail("equations", "expected at least one equation: {\"residual\": \"...\"}")
        }
        guard equationList.count <= ProblemFile.maximumEquations else {
            throw root.fail("equations", "\(equationList.count) equations; at most \(ProblemFile.maximumEquations) are allowed")
        }
        if let conditionList = try root.array("conditions"), conditionList.count > ProblemFile.maximumConditions {
            throw root.fail("conditions", "\(conditionList.count) conditions; at most \(ProblemFile.maximumConditions) are allowed (many observations belong in a data file)")
        }
        var equations: [Condition] = [], valuePaths: [String] = [], itemPaths: [String] = [], names = Set<String>()
        func uniqueName(_ base: String) -> String {
            var name = base, k = 2
            while names.contains(name) { name = "\(base)_\(k)"; k += 1 }
            names.insert(name)
            return name
        }
        for (i, item) in equationList.enumerated() {
            let place = "equations[\(i)]"
            var reader = try JSONObjectReader(item, file: path, path: place)
            guard let source = try reader.string("residual") else {
                throw reader.fail("residual", "required: a formula in the coordinates, the fields \(fields.joined(separator: ", ")), their derivatives (\(fields[0])_x, \(fields[0])_xy, …), parameters and unknowns that vanishes where the equation holds")
            }
            let r = try residual(source, at: place + ".residual", normals: false)
            var equation = Condition.residual(r, on: .interior, name: "")
            equation.value = try target(&reader, residual: r, exact: exact, domain: domain, place: place,
                                        formula: formula)
            valuePaths.append(place + ".value")
            itemPaths.append(place)
            equation.name = try uniqueName(reader.string("name") ?? (equationList.count == 1 ? "pde" : "equation_\(i + 1)"))
            equation.weight = try reader.nonNegativeNumber("weight")
            equation.pointCount = try reader.integer("points", minimum: 1)
            equation.distribution = try reader.choice("distribution", PointDistribution.allCases.map { ($0.rawValue, $0) })
            try reader.rejectUnknownKeys()
            equations.append(equation)
        }
        let mentioned = equations.reduce(into: Set<Int>()) { $0.formUnion($1.referencedFields) }
        if let missing = fields.indices.first(where: { !mentioned.contains($0) }) {
            throw root.fail("equations", "no equation mentions the field '\(fields[missing])'; every field needs an equation (or remove it from 'fields')")
        }

        // Conditions.
        var conditions: [Condition] = []
        var warnings: [String] = []
        for (i, item) in (try root.array("conditions") ?? []).enumerated() {
            let place = "conditions[\(i)]"
            var reader = try JSONObjectReader(item, file: path, path: place)
            guard reader.has("on") else {
                throw reader.fail("on", "required: where the condition holds: \"boundary\", a list of faces, {\"where\": \"x = 0\"}, {\"point\": [...]}, {\"edges\": [...]} or {\"observations\": \"file.csv\"}")
            }
            let region = try readRegion(&reader, domain: domain, parameters: parameters, place: place, file: path)
            if case let .observations(file) = region {
                let observed = try ObservationFile.read(file, relativeTo: path, fields: fields, domain: domain,
                                                        errorPath: place + ".on.observations")
                let weight = try reader.nonNegativeNumber("weight")
                let base = try reader.string("name") ?? "data"
                try reader.rejectUnknownKeys()
                for (k, points, values) in observed.perField {
                    var data = Condition(name: uniqueName("\(base)_\(fields[k])"), region: .points(points), kind: .data, field: k,
                                         value: Constant(0, dimension: d), observed: values, weight: weight)
                    data.weight = weight
                    conditions.append(data)
                    valuePaths.append(place + ".on.observations")
                    itemPaths.append(place)
                }
                continue
            }
            guard case let .region(region) = region else { continue }
            let type = try reader.choice("type", [("dirichlet", 0), ("neumann", 1), ("robin", 2), ("residual", 3)])
                ?? (reader.has("residual") ? 3 : nil)
            guard let type else {
                throw reader.fail("type", "required: dirichlet, neumann, robin (on one field) or residual (a formula over the fields)")
            }
            var condition: Condition
            if type == 3 {
                guard let source = try reader.string("residual") else {
                    throw reader.fail("residual", "required for a residual condition: a formula over the fields (and n_x, n_y, n_z on the boundary)")
                }
                let r = try residual(source, at: place + ".residual", normals: region.isOnBoundary)
                condition = Condition.residual(r, on: region, name: "")
                condition.value = try target(&reader, residual: r, exact: exact, domain: domain, place: place,
                                             formula: formula)
            } else {
                let fieldName = try reader.string("field") ?? (fields.count == 1 ? fields[0] : nil)
                guard let fieldName, let k = fields.firstIndex(of: fieldName) else {
                    throw reader.fail("field", "required with several fields: one of \(fields.joined(separator: ", "))")
                }
                let kind: BoundaryCondition
                switch type {
                case 1: kind = .neumann
                case 2:
                    guard let alpha = try reader.number("alpha"), let beta = try reader.number("beta") else {
                        throw reader.fail("alpha", "a Robin condition α·u + β·∂u/∂n = g needs alpha and beta")
                    }
                    kind = .robin(alpha: alpha, beta: beta)
                default: kind = .dirichlet
                }
                if kind != .dirichlet && !region.isOnBoundary {
                    throw reader.fail("type", "a \(type == 1 ? "Neumann" : "Robin") condition reads the outward normal; it needs a region on the boundary")
                }
                let value: any ScalarField
                if let source = try reader.string("value") {
                    value = try formula(source, at: place + ".value", reader)
                } else if let u = exact[k] {
                    value = ManufacturedBoundaryData(condition: kind, domain: domain, solution: u)
                } else {
                    throw reader.fail("value", "required when the exact solution of '\(fieldName)' is not given: a formula for the data")
                }
                condition = Condition(name: "", region: region, kind: kind.lossKind, field: k, value: value)
            }
            valuePaths.append(place + ".value")
            itemPaths.append(place)
            if type == 0, let hard = try reader.bool("hard") {
                guard case .boundary = region else {
                    throw reader.fail("hard", "an exact Dirichlet condition covers the whole boundary (\"on\": \"boundary\"); this one holds on \(region)")
                }
                condition.hard = hard
            }
            let fieldPart = type == 3 ? "residual" : fields[condition.field]
            condition.name = uniqueName(try reader.string("name") ?? "\(fieldPart)_\(regionName(region, domain: domain))")
            condition.weight = try reader.nonNegativeNumber("weight")
            condition.pointCount = try reader.integer("points", minimum: 1)
            try reader.rejectUnknownKeys()
            conditions.append(condition)
        }
        warnings += cornerWarnings(conditions, fields: fields, domain: domain, file: path)
        try checkInitialVelocities(equations: equations, conditions: conditions, fields: fields, domain: domain, root)
        var problem = Problem(domain: domain, fields: fields, equations: equations, conditions: conditions)
        problem.exactSolutions = exact
        problem.unknowns = unknowns
        return ParsedProblem(problem: problem, formulas: formulas, valuePaths: valuePaths, itemPaths: itemPaths,
                             warnings: warnings)
    }

    /// The targets of a residual: its `value` formula, else r(u*) when every field it reads has an exact solution
    /// (and it reads no unknown), else 0.
    private static func target(_ reader: inout JSONObjectReader, residual r: SystemResidual, exact: [(any ScalarField)?],
                               domain: any Domain, place: String,
                               formula: (String, String, JSONObjectReader) throws(ProblemFileError) -> Formula) throws(ProblemFileError) -> any ScalarField {
        if let source = try reader.string("value") { return try formula(source, place + ".value", reader) }
        if r.usedUnknowns.isEmpty, r.referencedFields.allSatisfy({ exact[$0] != nil }) {
            return ManufacturedResidualValue(residual: r, solutions: exact, domain: domain)
        }
        return Constant(0, dimension: domain.dimension)
    }

    /// A region as read from a condition's `on`.
    enum ParsedRegion {
        case region(Region)
        case observations(String)
    }

    private static func readRegion(_ reader: inout JSONObjectReader, domain: any Domain, parameters: [String: Double],
                                   place: String, file path: String) throws(ProblemFileError) -> ParsedRegion {
        let d = domain.dimension
        let value = reader.value("on")!
        let allowed = "\"boundary\", \"initial\" (time-dependent problems), a list of face names, {\"where\": \"x = -0.5\", \"tolerance\": 1e-9}, {\"point\": [...]}, {\"edges\": [0, 2]} or {\"observations\": \"file.csv\"}"
        let isODE = (domain as? SpaceTime)?.isTimeOnly == true
        var keys: [String] = []
        if case let .object(members) = value { keys = members.map(\.key) }
        if isODE, value != .string("initial"), !keys.contains("observations"), !keys.contains("point") {
            throw reader.fail("on", "an ODE (time without a domain) has no boundary: conditions are \"initial\", {\"point\": [t]} or {\"observations\": \"file.csv\"}")
        }
        switch value {
        case .string("boundary"):
            return .region(.boundary)
        case let .string(name):
            if name == "initial" {
                guard domain is SpaceTime else {
                    throw reader.fail("on", "\"initial\" is the slice t = t0 of a time-dependent problem; this problem has no \"time\"")
                }
                return .region(.initial)
            }
            if let box = spatialBox(domain), box.faceNames.contains(name) { return .region(.faces([box.faceNames.firstIndex(of: name)!])) }
            throw reader.fail("on", "unknown region \"\(name)\"; allowed: \(allowed)")
        case let .array(items):
            guard let box = spatialBox(domain) else {
                throw reader.fail("on", "named faces need an interval, rectangle or box domain; the domain is a \(domain)")
            }
            guard !items.isEmpty else { throw reader.fail("on", "expected at least one face name: \(box.faceNames.joined(separator: ", "))") }
            var faces: [Int] = []
            for (i, item) in items.enumerated() {
                let face = try faceIndex(item, box: box, reader, "on[\(i)]")
                guard !faces.contains(face) else { throw reader.fail("on[\(i)]", "face '\(box.faceNames[face])' is listed twice") }
                faces.append(face)
            }
            return .region(.faces(faces))
        case .object:
            var on = try JSONObjectReader(value, file: path, path: place + ".on")
            let result: ParsedRegion
            if let source = try on.string("where") {
                let sides = source.split(separator: "=", omittingEmptySubsequences: false)
                guard sides.count == 2 else {
                    throw on.fail("where", "expected an equation 'left = right' in the coordinates, e.g. \"x = -0.5\"; found \"\(source)\"")
                }
                let phi: Formula
                do {
                    let (lhs, rhs) = (sides[0].trimmingCharacters(in: .whitespaces), sides[1].trimmingCharacters(in: .whitespaces))
                    phi = try Formula("\(lhs) - (\(rhs))", dimension: d, parameters: parameters,
                                      coordinates: domain.coordinateNames)
                } catch {
                    throw on.fail("where", error.describe(in: source))
                }
                let tolerance = try on.positiveNumber("tolerance") ?? 1e-9 * domain.boundingBox.sides.max()!
                result = .region(.predicate(phi, tolerance: tolerance))
            } else if let point = try on.array("point") {
                let x = try numbers(point, count: d, on, "point")
                guard domain.contains(x) else {
                    throw on.fail("point", "(\(x.map { JSONObjectReader.format($0) }.joined(separator: ", "))) lies outside the domain \(domain)")
                }
                result = .region(.points(x))
            } else if let edges = try on.array("edges") {
                guard let polygon = domain as? Polygon else {
                    throw on.fail("edges", "edges need a polygon domain; the domain is a \(domain)")
                }
                var indices: [Int] = []
                for (i, item) in edges.enumerated() {
                    guard case let .number(e) = item, e == e.rounded(), e >= 0, Int(e) < polygon.vertices.count else {
                        throw on.fail("edges[\(i)]", "expected an edge index from 0 to \(polygon.vertices.count - 1) (edge i runs from vertex i to vertex i + 1)")
                    }
                    indices.append(Int(e))
                }
                guard !indices.isEmpty else { throw on.fail("edges", "expected at least one edge index") }
                result = .region(.edges(indices))
            } else if let file = try on.string("observations") {
                result = .observations(file)
            } else {
                throw reader.fail("on", "expected \(allowed)")
            }
            try on.rejectUnknownKeys()
            return result
        default:
            throw reader.fail("on", "expected \(allowed)")
        }
    }

    /// The index of a face named by a JSON string, or an error listing the box's faces.
    static func faceIndex(_ item: JSONValue, box: Box, _ reader: JSONObjectReader, _ key: String) throws(ProblemFileError) -> Int {
        guard case let .string(name) = item, let face = box.faceNames.firstIndex(of: name) else {
            let shown: String
            if case let .string(text) = item { shown = "\"\(text)\"" } else { shown = describe(item) }
            throw reader.fail(key, "unknown face \(shown); allowed for this \(box.dimension)D box: \(box.faceNames.joined(separator: ", "))")
        }
        return face
    }

    private static func numbers(_ items: [JSONValue], count: Int, _ reader: JSONObjectReader,
                                _ key: String) throws(ProblemFileError) -> [Double] {
        guard items.count == count else { throw reader.fail(key, "expected \(count) coordinates, found \(items.count)") }
        var result: [Double] = []
        for (i, item) in items.enumerated() {
            guard case let .number(x) = item else { throw reader.fail("\(key)[\(i)]", "expected a number") }
            result.append(x)
        }
        return result
    }

    /// A field whose equations are of order k ≥ 2 in time needs initial conditions on its time derivatives up to
    /// order k − 1 (residual conditions at t = t₀ reading `u_t`, `u_tt`, …) besides its initial value.
    private static func checkInitialVelocities(equations: [Condition], conditions: [Condition], fields: [String],
                                               domain: any Domain, _ root: JSONObjectReader) throws(ProblemFileError) {
        guard domain is SpaceTime else { return }
        let d = domain.dimension, t = d - 1
        for (k, field) in fields.enumerated() {
            let order = equations.map { item -> Int in
                if case let .system(r) = item.kind { return r.highestOrder(ofField: k, in: t) }
                return 0
            }.max() ?? 0
            guard order >= 2 else { continue }
            for j in 1..<order {
                var alpha = [Int](repeating: 0, count: d)
                alpha[t] = j
                let given = conditions.contains { item in
                    guard case .initial = item.region, case let .system(r) = item.kind else { return false }
                    return r.reads(field: k, orders: alpha)
                }
                guard given else {
                    let name = field + "_" + String(repeating: "t", count: j)
                    let highest = field + "_" + String(repeating: "t", count: order)
                    let described = order == 2 ? "second order" : "of order \(order)"
                    throw root.fail("conditions", "the equations are \(described) in time for '\(field)' (\(highest)) but no initial condition gives \(name): add {\"on\": \"initial\", \"residual\": \"\(name) - ...\"}")
                }
            }
        }
    }

    /// The box of a box domain, or of the space of a space-time box (named faces).
    static func spatialBox(_ domain: any Domain) -> Box? {
        (domain as? SpaceTime)?.space as? Box ?? domain as? Box
    }

    /// A short name for a region in term names: boundary, left_top, where, point, edges_0_2.
    static func regionName(_ region: Region, domain: any Domain) -> String {
        switch region {
        case .interior: return "interior"
        case .boundary: return "boundary"
        case let .faces(faces):
            let names = spatialBox(domain)?.faceNames ?? Box.faceNames
            return faces.map { names[$0] }.joined(separator: "_")
        case let .edges(edges): return "edges_" + edges.map(String.init).joined(separator: "_")
        case .predicate: return "where"
        case .points: return "point"
        case .initial: return "initial"
        }
    }

    /// Warnings for Dirichlet data of one field on faces that meet (an edge or corner) and disagree there: pinn
    /// keeps both conditions, and the network settles between the two values (a least-squares compromise), as
    /// for the corners of a lid-driven cavity.
    static func cornerWarnings(_ conditions: [Condition], fields: [String], domain: any Domain, file: String) -> [String] {
        guard let box = domain as? Box, box.dimension >= 2 else { return [] }
        var warnings: [String] = []
        let dirichlet = conditions.enumerated().filter {
            if case .dirichlet = $0.element.kind, case .faces = $0.element.region { return true }
            return false
        }
        for (a, first) in dirichlet {
            for (b, second) in dirichlet where b > a && first.field == second.field {
                guard case let .faces(f1) = first.region, case let .faces(f2) = second.region else { continue }
                for i in f1 {
                    for j in f2 where i / 2 != j / 2 {
                        // Points where faces i and j meet: their two coordinates fixed, the others on a small grid.
                        for t in [0.0, 0.5, 1.0] {
                            var x = zip(box.lower, box.upper).map { $0 + t * ($1 - $0) }
                            x[i / 2] = i % 2 == 1 ? box.upper[i / 2] : box.lower[i / 2]
                            x[j / 2] = j % 2 == 1 ? box.upper[j / 2] : box.lower[j / 2]
                            let g1 = first.value(x), g2 = second.value(x)
                            if abs(g1 - g2) > 1e-8 * (1 + max(abs(g1), abs(g2))) {
                                let point = x.map { JSONObjectReader.format($0) }.joined(separator: ", ")
                                warnings.append("\(file): conditions '\(first.name)' and '\(second.name)' give \(fields[first.field]) different values where faces \(box.faceNames[i]) and \(box.faceNames[j]) meet (\(JSONObjectReader.format(g1)) and \(JSONObjectReader.format(g2)) at (\(point))); both are kept and the solution settles between them there")
                                break
                            }
                        }
                    }
                }
            }
        }
        return warnings
    }
}
