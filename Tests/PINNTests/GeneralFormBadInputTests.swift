import Foundation
import XCTest
@testable import PINN

/// The bad-input table of the general form (fields, equations, conditions, observation files): a message naming
/// the file, the JSON path and what is allowed; exit 2; nothing written. Messages are checked verbatim.
final class GeneralFormBadInputTests: CommandLineTestCase {
    private static let base = """
    {
      "domain": {"type": "rectangle", "x": [0, 1], "y": [0, 1]},
      "fields": ["u", "v"],
      "equations": [{"residual": "u_x + v_y"}, {"residual": "-(u_xx + u_yy) + v"}],
      "conditions": [{"on": "boundary", "type": "dirichlet", "field": "u", "value": "0"}],
      "network": {"hidden_layers": [8, 8], "activation": "tanh"},
      "collocation": {"interior": 50, "boundary": 20},
      "training": {"stages": [{"optimizer": "adam", "iterations": 5, "learning_rate": 0.001}]},
      "output": {"grid": [11, 11]}
    }
    """

    /// Observation files the cases refer to.
    private static let observationFiles: [String: String] = [
        "empty.csv": "",
        "header.csv": "x,y,u\n",
        "unknowncol.csv": "x,y,u,T\n0.5,0.5,1,2\n",
        "dupcol.csv": "x,y,u,u\n0.5,0.5,1,2\n",
        "text.csv": "x,y,u\n0.5,0.5,one\n",
        "nan.csv": "x,y,u\n0.5,0.5,nan\n",
        "outside.csv": "x,y,u\n0.5,0.5,1\n1.5,0.5,1\n",
        "nofield.csv": "x,y\n0.5,0.5\n",
    ]

    /// (case name, file text, expected stderr after "error: <name>.json: ", exit code); `dir` is the scratch folder.
    private static func cases(dir: String) -> [(String, String, String, Int32)] { [
        ("unknown-field", base
            .replacingOccurrences(of: "\"u_x + v_y\"", with: "\"u_x + w_x\""),
         "equations[0].residual: unknown variable 'w_x' at position 7 in 'u_x + w_x'; allowed: x, y, u, u_x, u_y, u_xx, u_xy, u_yx, u_yy, v, v_x, v_y, v_xx, v_xy, v_yx, v_yy, pi, e", 2),
        ("z-in-2d", base
            .replacingOccurrences(of: "\"u_x + v_y\"", with: "\"u_x + u_z\""),
         "equations[0].residual: 'u_z' is a derivative in z, which this problem does not have (its coordinates: x, y) at position 7 in 'u_x + u_z'", 2),
        ("time-derivative", base
            .replacingOccurrences(of: "\"u_x + v_y\"", with: "\"u_xt + v_y\""),
         "equations[0].residual: 'u_xt' is a derivative in t, which this problem does not have (its coordinates: x, y) (a time-dependent problem has \"time\": [t0, T]) at position 1 in 'u_xt + v_y'", 2),
        ("predicate-selects-nothing", base
            .replacingOccurrences(of: "\"value\": \"0\"}]", with: "\"value\": \"0\"}, {\"on\": {\"where\": \"x = 2\"}, \"type\": \"dirichlet\", \"field\": \"v\", \"value\": \"1\"}]"),
         "conditions[1]: its region (boundary where |x - (2)| ≤ 1e-09) selects none of the sampled boundary points; check the predicate and its tolerance", 2),
        ("predicate-not-an-equation", base
            .replacingOccurrences(of: "\"value\": \"0\"}]", with: "\"value\": \"0\"}, {\"on\": {\"where\": \"x < 2\"}, \"type\": \"dirichlet\", \"field\": \"v\", \"value\": \"1\"}]"),
         "conditions[1].on.where: expected an equation 'left = right' in the coordinates, e.g. \"x = -0.5\"; found \"x < 2\"", 2),
        ("face-not-in-domain", base
            .replacingOccurrences(of: "\"on\": \"boundary\"", with: "\"on\": [\"left\", \"front\"]"),
         "conditions[0].on[1]: unknown face \"front\"; allowed for this 2D box: left, right, bottom, top", 2),
        ("region-unknown", base
            .replacingOccurrences(of: "\"on\": \"boundary\"", with: "\"on\": \"walls\""),
         "conditions[0].on: unknown region \"walls\"; allowed: \"boundary\", \"initial\" (time-dependent problems), a list of face names, {\"where\": \"x = -0.5\", \"tolerance\": 1e-9}, {\"point\": [...]}, {\"edges\": [0, 2]} or {\"observations\": \"file.csv\"}", 2),
        ("overlapping-faces", base
            .replacingOccurrences(of: "\"value\": \"0\"}]", with: "\"value\": \"0\"}, {\"on\": [\"left\"], \"type\": \"dirichlet\", \"field\": \"v\", \"value\": \"0\"}, {\"on\": [\"top\", \"left\"], \"type\": \"neumann\", \"field\": \"v\", \"value\": \"1\"}]"),
         "conditions[2]: face 'left' already has a condition on v (condition 1); give each face one", 2),
        ("observations-missing", base
            .replacingOccurrences(of: "\"value\": \"0\"}]", with: "\"value\": \"0\"}, {\"on\": {\"observations\": \"nothere.csv\"}}]"),
         "conditions[1].on.observations: observation file 'nothere.csv' does not exist (looked for \(dir)/nothere.csv)", 2),
        ("observations-empty", base
            .replacingOccurrences(of: "\"value\": \"0\"}]", with: "\"value\": \"0\"}, {\"on\": {\"observations\": \"empty.csv\"}}]"),
         "conditions[1].on.observations: 'empty.csv' is empty", 2),
        ("observations-header-only", base
            .replacingOccurrences(of: "\"value\": \"0\"}]", with: "\"value\": \"0\"}, {\"on\": {\"observations\": \"header.csv\"}}]"),
         "conditions[1].on.observations: observation file 'header.csv' has no observations", 2),
        ("observations-unknown-column", base
            .replacingOccurrences(of: "\"value\": \"0\"}]", with: "\"value\": \"0\"}, {\"on\": {\"observations\": \"unknowncol.csv\"}}]"),
         "conditions[1].on.observations: 'unknowncol.csv': unknown column 'T'; allowed: x, y, u, v", 2),
        ("observations-duplicate-column", base
            .replacingOccurrences(of: "\"value\": \"0\"}]", with: "\"value\": \"0\"}, {\"on\": {\"observations\": \"dupcol.csv\"}}]"),
         "conditions[1].on.observations: 'dupcol.csv': duplicate column 'u'", 2),
        ("observations-non-numeric", base
            .replacingOccurrences(of: "\"value\": \"0\"}]", with: "\"value\": \"0\"}, {\"on\": {\"observations\": \"text.csv\"}}]"),
         "conditions[1].on.observations: 'text.csv' line 2, column 'u': 'one' is not a finite number", 2),
        ("observations-nan", base
            .replacingOccurrences(of: "\"value\": \"0\"}]", with: "\"value\": \"0\"}, {\"on\": {\"observations\": \"nan.csv\"}}]"),
         "conditions[1].on.observations: 'nan.csv' line 2, column 'u': 'nan' is not a finite number", 2),
        ("observations-outside", base
            .replacingOccurrences(of: "\"value\": \"0\"}]", with: "\"value\": \"0\"}, {\"on\": {\"observations\": \"outside.csv\"}}]"),
         "conditions[1].on.observations: 'outside.csv': row 2 at (1.5, 0.5) lies outside the domain [0.0, 1.0]×[0.0, 1.0]", 2),
        ("observations-no-field", base
            .replacingOccurrences(of: "\"value\": \"0\"}]", with: "\"value\": \"0\"}, {\"on\": {\"observations\": \"nofield.csv\"}}]"),
         "conditions[1].on.observations: 'nofield.csv' observes none of the fields u, v (name a column after a field)", 2),
        ("unknown-without-initial", base
            .replacingOccurrences(of: "\"fields\"", with: "\"unknowns\": {\"k\": {\"start\": 1}}, \"fields\""),
         "unknowns.k.initial: required: the unknown's initial value", 2),
        ("unknown-not-a-number", base
            .replacingOccurrences(of: "\"fields\"", with: "\"unknowns\": {\"k\": \"big\"}, \"fields\""),
         "unknowns.k: expected a number, found a string", 2),
        ("duplicate-field", base
            .replacingOccurrences(of: "[\"u\", \"v\"]", with: "[\"u\", \"v\", \"u\"]"),
         "fields[2]: duplicate field name 'u'", 2),
        ("field-is-coordinate", base
            .replacingOccurrences(of: "[\"u\", \"v\"]", with: "[\"u\", \"v\", \"x\"]"),
         "fields[2]: 'x' is reserved (the coordinates x, y, t, the normal n, pi, e, function names)", 2),
        ("field-is-function", base
            .replacingOccurrences(of: "[\"u\", \"v\"]", with: "[\"u\", \"v\", \"sin\"]"),
         "fields[2]: 'sin' is reserved (the coordinates x, y, t, the normal n, pi, e, function names)", 2),
        ("field-with-underscore", base
            .replacingOccurrences(of: "[\"u\", \"v\"]", with: "[\"u\", \"v_2\"]"),
         "fields[1]: expected a name of letters and digits starting with a letter (derivatives are written name_x)", 2),
        ("parameter-clashes-with-field", base
            .replacingOccurrences(of: "\"fields\"", with: "\"parameters\": {\"v_x\": 1}, \"fields\""),
         "parameters.v_x: 'v_x' clashes with the field 'v' (its value and derivatives v_x, …)", 2),
        ("unknown-clashes-with-field", base
            .replacingOccurrences(of: "\"fields\"", with: "\"unknowns\": {\"v\": 1}, \"fields\""),
         "unknowns.v: 'v' is reserved (coordinates, the fields u, v and their derivatives, pi, e, function names)", 2),
        ("field-never-mentioned", base
            .replacingOccurrences(of: "[\"u\", \"v\"]", with: "[\"u\", \"v\", \"w\"]"),
         "equations: no equation mentions the field 'w'; every field needs an equation (or remove it from 'fields')", 2),
        ("short-form-key-in-general", base
            .replacingOccurrences(of: "\"fields\"", with: "\"forcing\": \"1\", \"fields\""),
         "forcing: belongs to the short form; with 'equations' write it as an equation or a condition (docs/problem-files.md)", 2),
        ("conditions-without-equations", base
            .replacingOccurrences(of: "\"equations\": [{\"residual\": \"u_x + v_y\"}, {\"residual\": \"-(u_xx + u_yy) + v\"}],", with: "\"pde\": {\"type\": \"poisson\"}, \"exact_solution\": \"x\",")
            .replacingOccurrences(of: "\"fields\": [\"u\", \"v\"],", with: ""),
         "conditions: belong to the general form, with 'equations' (and 'fields'); the short form states its boundary data with boundary_condition or boundary_conditions", 2),
        ("sugar-without-field", base
            .replacingOccurrences(of: "\"type\": \"dirichlet\", \"field\": \"u\", ", with: "\"type\": \"dirichlet\", "),
         "conditions[0].field: required with several fields: one of u, v", 2),
        ("neumann-at-a-point", base
            .replacingOccurrences(of: "\"value\": \"0\"}]", with: "\"value\": \"0\"}, {\"on\": {\"point\": [0.5, 0.5]}, \"type\": \"neumann\", \"field\": \"v\", \"value\": \"0\"}]"),
         "conditions[1].type: a Neumann condition reads the outward normal; it needs a region on the boundary", 2),
        ("point-outside", base
            .replacingOccurrences(of: "\"value\": \"0\"}]", with: "\"value\": \"0\"}, {\"on\": {\"point\": [2, 0.5]}, \"type\": \"dirichlet\", \"field\": \"v\", \"value\": \"0\"}]"),
         "conditions[1].on.point: (2, 0.5) lies outside the domain [0.0, 1.0]×[0.0, 1.0]", 2),
        ("normal-in-the-interior", base
            .replacingOccurrences(of: "\"value\": \"0\"}]", with: "\"value\": \"0\"}, {\"on\": {\"point\": [0.5, 0.5]}, \"residual\": \"n_x*v\"}]"),
         "conditions[1].residual: unknown variable 'n_x' at position 1 in 'n_x*v'; allowed: x, y, u, u_x, u_y, u_xx, u_xy, u_yx, u_yy, v, v_x, v_y, v_xx, v_xy, v_yx, v_yy, pi, e", 2),
        ("dirichlet-without-value", base
            .replacingOccurrences(of: ", \"value\": \"0\"}]", with: "}]"),
         "conditions[0].value: required when the exact solution of 'u' is not given: a formula for the data", 2),
        ("unknown-outside-range", base
            .replacingOccurrences(of: "\"fields\"", with: "\"unknowns\": {\"k\": {\"initial\": 3, \"min\": 0, \"max\": 2}}, \"fields\"")
            .replacingOccurrences(of: "\"u_x + v_y\"", with: "\"u_x + k*v_y\""),
         "unknowns.k.initial: 3 is not strictly inside the range (in (0.0, 2.0))", 2),
        ("unknown-min-without-max", base
            .replacingOccurrences(of: "\"fields\"", with: "\"unknowns\": {\"k\": {\"initial\": 1, \"min\": 0}}, \"fields\"")
            .replacingOccurrences(of: "\"u_x + v_y\"", with: "\"u_x + k*v_y\""),
         "unknowns.k.max: a range needs both min and max (or \"positive\": true)", 2),
        ("unknown-positive-and-bounds", base
            .replacingOccurrences(of: "\"fields\"", with: "\"unknowns\": {\"k\": {\"initial\": 1, \"positive\": true, \"min\": 0, \"max\": 2}}, \"fields\"")
            .replacingOccurrences(of: "\"u_x + v_y\"", with: "\"u_x + k*v_y\""),
         "unknowns.k.positive: give either positive or min and max, not both", 2),
        ("hard-on-a-face", base
            .replacingOccurrences(of: "\"on\": \"boundary\", \"type\": \"dirichlet\", \"field\": \"u\", \"value\": \"0\"", with: "\"on\": [\"left\"], \"type\": \"dirichlet\", \"field\": \"u\", \"value\": \"0\", \"hard\": true"),
         "conditions[0].hard: an exact Dirichlet condition covers the whole boundary (\"on\": \"boundary\"); this one holds on left", 2),
    ] }

    func testEveryBadGeneralProblemFileGetsItsMessageAndExitCode() throws {
        for (name, text) in Self.observationFiles {
            try text.write(to: scratch.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        for (name, text, message, code) in Self.cases(dir: scratch.path) {
            XCTAssertNotEqual(text, Self.base, name)
            let file = "\(name).json"
            try text.write(to: scratch.appendingPathComponent(file), atomically: true, encoding: .utf8)
            for command in ["solve", "validate"] {
                let arguments = command == "solve" ? [command, file, "-o", "out.h5"] : [command, file]
                let run = try pinn(arguments, in: scratch)
                XCTAssertEqual(run.stderr, "error: \(file): \(message)\n", "\(command) \(name)")
                XCTAssertEqual(run.status, code, "\(command) \(name)")
                XCTAssertEqual(run.stdout, "", "\(command) \(name)")
            }
        }
        let written = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
            .filter { !$0.hasSuffix(".json") && !$0.hasSuffix(".csv") }
        XCTAssertEqual(written, [], "nothing may be written for bad input")
    }

    /// Dirichlet data of one field that disagree where two faces meet are kept, with a warning that says where.
    func testContradictoryDirichletValuesAtACornerAreAWarning() throws {
        let text = Self.base.replacingOccurrences(
            of: "[{\"on\": \"boundary\", \"type\": \"dirichlet\", \"field\": \"u\", \"value\": \"0\"}]",
            with: "[{\"on\": [\"left\", \"right\", \"bottom\"], \"type\": \"dirichlet\", \"field\": \"u\", \"value\": \"0\"}, "
                + "{\"name\": \"lid\", \"on\": [\"top\"], \"type\": \"dirichlet\", \"field\": \"u\", \"value\": \"1\"}]")
        XCTAssertNotEqual(text, Self.base)
        try text.write(to: scratch.appendingPathComponent("cavity.json"), atomically: true, encoding: .utf8)
        let run = try pinn(["validate", "cavity.json"], in: scratch)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "warning: cavity.json: conditions 'u_left_right_bottom' and 'lid' give u different values where faces left and top meet (0 and 1 at (0, 1)); both are kept and the solution settles between them there\n"
            + "warning: cavity.json: conditions 'u_left_right_bottom' and 'lid' give u different values where faces right and top meet (0 and 1 at (1, 1)); both are kept and the solution settles between them there\n")
    }
}
