import Foundation
import XCTest
@testable import PINN

/// Parameter studies: a problem file's "sweep" expands into runs (every combination, or a list), `pinn solve
/// --sweep-index I` solves run I and records it, and scripts/sweep_summary.py collects the results.
final class SweepTests: CommandLineTestCase {
    static let study = """
        {"pde": {"type": "helmholtz", "k": 1}, "domain": {"type": "rectangle", "x": [-1, 1], "y": [-1, 1]},
         "exact_solution": "sin(pi*x)*sin(pi*y)", "network": {"hidden_layers": [6]}, "seed": 0,
         "collocation": {"interior": 60, "boundary": 20},
         "training": {"stages": [{"optimizer": "adam", "iterations": 5, "learning_rate": 0.01}]},
         "output": {"grid": [5, 5]}, "sweep": {"pde.k": [1, 4, 8], "seed": [0, 1]}}
        """

    func testCombinationsAndListsExpandInOrder() throws {
        let runs = try XCTUnwrap(try ProblemSweep.runs(in: Self.study, path: "s.json"))
        XCTAssertEqual(runs.map(\.label), ["pde.k=1, seed=0", "pde.k=1, seed=1", "pde.k=4, seed=0", "pde.k=4, seed=1",
                                           "pde.k=8, seed=0", "pde.k=8, seed=1"])
        let variant = try ProblemSweep.variant(Self.study, path: "s.json", index: 3)
        let file = try ProblemFile.parse(variant.text, path: "s.json")
        XCTAssertEqual(file.configuration.seed, 1)
        XCTAssertTrue(file.problem.equation.contains("4.0²"), file.problem.equation)
        XCTAssertFalse(variant.text.contains("sweep"))
        // A list of runs, a path through a list, and a field that is added.
        let listed = Self.study.replacingOccurrences(
            of: "\"sweep\": {\"pde.k\": [1, 4, 8], \"seed\": [0, 1]}",
            with: "\"sweep\": [{\"training.stages.0.learning_rate\": 0.002}, {\"network.activation\": \"sin\", \"seed\": 7}]")
        XCTAssertEqual(try ProblemSweep.runs(in: listed, path: "s.json")?.count, 2)
        let first = try ProblemFile.parse(try ProblemSweep.variant(listed, path: "s.json", index: 0).text, path: "s.json")
        XCTAssertEqual(first.configuration.stages[0].optimizer, .adam(.constant(0.002)))
        let second = try ProblemFile.parse(try ProblemSweep.variant(listed, path: "s.json", index: 1).text, path: "s.json")
        XCTAssertEqual(second.configuration.seed, 7)
        XCTAssertEqual(second.configuration.activations[0].terms[0].function, .sin)
        // What cannot be expanded says why.
        let errors: [(String, Int, String)] = [
            (Self.study, 6, "sweep: has runs 0 to 5; --sweep-index 6 is not one of them"),
            (Self.study.replacingOccurrences(of: "\"pde.k\"", with: "\"pde.k.z\""), 0,
             "sweep: 'pde.k.z' does not lead to a field of the file"),
            (Self.study.replacingOccurrences(of: "\"seed\": [0, 1]", with: "\"seed\": []"), 0,
             "sweep: 'seed': expected a non-empty list of the values to try"),
            (Self.study.replacingOccurrences(of: "[1, 4, 8]", with: "[\(Array(repeating: "1", count: 400).joined(separator: ", "))]")
                .replacingOccurrences(of: "\"seed\": [0, 1]", with: "\"seed\": [\(Array(repeating: "1", count: 300).joined(separator: ", "))]"),
             0, "sweep: describes more than 100000 runs; split the study into several files"),
        ]
        for (text, index, message) in errors {
            XCTAssertThrowsError(try ProblemSweep.variant(text, path: "s.json", index: index)) {
                XCTAssertTrue("\($0)".hasPrefix("s.json: " + message), "\($0)")
            }
        }
        XCTAssertThrowsError(try ProblemFile.parse(Self.study, path: "s.json")) {
            XCTAssertTrue("\($0)".contains("describes a parameter study of 6 runs: solve one with pinn solve s.json --sweep-index I (I = 0 … 5)"), "\($0)")
        }
    }

    func testSolveRecordsTheRunAndTheSummaryCollectsThem() throws {
        try Self.study.write(to: scratch.appendingPathComponent("study.json"), atomically: true, encoding: .utf8)
        for index in [2, 0, 5] {
            let run = try pinn(["solve", "study.json", "--sweep-index", "\(index)", "--quiet"], in: scratch)
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        let h5 = try HDF5File.open(scratch.appendingPathComponent("study-2.h5").path)
        XCTAssertEqual(try h5.numberAttribute("sweep_index"), 2)
        XCTAssertEqual(try h5.stringAttribute("sweep_values"), "pde.k=4, seed=0")
        XCTAssertFalse(try h5.stringAttribute("problem_file").contains("sweep"))
        h5.close()
        try "0.1,0.2\n".write(to: scratch.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try pinn(["eval", "study-2.h5", "--points", "p.csv"], in: scratch).status, 0, "the stored problem rebuilds")
        let bad = try pinn(["solve", "study.json", "--sweep-index", "-1"], in: scratch)
        XCTAssertTrue(bad.stderr.contains("--sweep-index must be a whole number from 0 to 99999, found '-1'"), bad.stderr)
        guard let python = XDMFReaderTests.python else { throw XCTSkip("no Python with h5py (.venv)") }
        let summary = try runProcess(python, [Self.repository.appendingPathComponent("scripts/sweep_summary.py").path,
                                              "study-*.h5"], in: scratch)
        XCTAssertEqual(summary.status, 0, summary.output)
        let lines = summary.output.split(separator: "\n").map(String.init)
        guard lines.count == 4 else { return XCTFail("expected a header and 3 rows: \(summary.output) in \(try FileManager.default.contentsOfDirectory(atPath: scratch.path))") }
        XCTAssertTrue(lines[0].hasPrefix("sweep_index,sweep_values,status,final_rel_l2"))
        XCTAssertTrue(lines[1].hasPrefix("0,\"pde.k=1, seed=0\",completed,"), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("2,\"pde.k=4, seed=0\",completed,"), lines[2])
        XCTAssertTrue(lines[3].hasPrefix("5,\"pde.k=8, seed=1\",completed,"), lines[3])
    }
}
