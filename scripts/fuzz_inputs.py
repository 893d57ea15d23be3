#!/usr/bin/env python3
"""A mutation fuzzer for pinn's input readers, run through the release binary (one process per input).

Targets:
  problem   `pinn validate` on mutated problem files (seeds: problems/*.json): byte flips, truncation, repeated
            slices, and JSON-aware changes (numbers to extremes, strings to formula fragments, deep nesting)
  formula   `pinn validate` on a problem whose exact solution is a mutated formula
  csv       `pinn eval RESULT --points` on mutated points files
  result    `pinn inspect` and `pinn eval` on mutated result files (byte flips, truncation)

A finding is an exit by a signal or with a code outside 0, 1, 2, 3, 64 (a crash), or a run over --slow seconds (a
hang). Each finding is saved in OUT/findings/ with the command that reproduces it.

Usage: python3 scripts/fuzz_inputs.py TARGET [--runs N] [--seed S] [--pinn .build/release/pinn] [--out DIR]
"""
import argparse, json, os, random, shutil, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOOD_CODES = {0, 1, 2, 3, 64}
FRAGMENTS = ["(", ")", "sin(", "x", "^", "-", "*", "/", "1e308", "1e-320", "nan", "inf", "0/0", "log(0)", "sqrt(-1)",
             "exp(1000)", "pi", "e", "u_xx", "x^x^x", ",", "é", "\u0000", "9" * 400]
NUMBERS = [0, -1, 1e15, 1e308, -1e308, 5e-324, 2**31, 2**63, 0.5, 1e9, 1e6, 3]


def mutate_bytes(data, rng):
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        if not data:
            data += bytes([rng.randrange(256)])
        elif choice < 0.4:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif choice < 0.55:
            del data[rng.randrange(len(data)):]
        elif choice < 0.75:
            i = rng.randrange(len(data))
            j = min(len(data), i + rng.randint(1, 64))
            data[i:i] = data[i:j] * rng.randint(1, 50)
        else:
            i = rng.randrange(len(data))
            data[i:i] = rng.choice(FRAGMENTS).encode()
    return bytes(data)


def mutate_json(value, rng, depth=0):
    if isinstance(value, dict):
        value = dict(value)
        if value and rng.random() < 0.5:
            key = rng.choice(list(value))
            value[key] = mutate_json(value[key], rng, depth + 1)
        elif value and rng.random() < 0.3:
            del value[rng.choice(list(value))]
        return value
    if isinstance(value, list):
        value = list(value)
        if value and rng.random() < 0.5:
            i = rng.randrange(len(value))
            value[i] = mutate_json(value[i], rng, depth + 1)
        elif rng.random() < 0.3:
            value = value * rng.randint(2, 2000)
        return value
    if isinstance(value, bool) or value is None:
        return rng.choice([True, False, None, 0, "x", [], {}])
    if isinstance(value, (int, float)):
        return rng.choice(NUMBERS + [value * 1000, -value])
    if isinstance(value, str):
        if rng.random() < 0.5:
            i = rng.randrange(len(value) + 1)
            return value[:i] + rng.choice(FRAGMENTS) + value[i:]
        return rng.choice(FRAGMENTS) * rng.randint(1, 3000)
    return value


def run(command, slow):
    start = time.perf_counter()
    try:
        result = subprocess.run(command, capture_output=True, timeout=slow * 10)
        code = result.returncode
    except subprocess.TimeoutExpired:
        return "hang", slow * 10
    elapsed = time.perf_counter() - start
    if code < 0 or code not in GOOD_CODES:
        return "crash", elapsed
    if elapsed > slow:
        return "slow", elapsed
    return None, elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("target", choices=["problem", "formula", "csv", "result"])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--slow", type=float, default=1.0)
    parser.add_argument("--pinn", default=os.path.join(ROOT, ".build", "release", "pinn"))
    parser.add_argument("--out", default="/tmp/pinn-fuzz")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = os.path.join(args.out, args.target)
    findings = os.path.join(args.out, "findings")
    os.makedirs(work, exist_ok=True)
    os.makedirs(findings, exist_ok=True)
    seeds = sorted(os.path.join(ROOT, "problems", f) for f in os.listdir(os.path.join(ROOT, "problems")))
    base = os.path.join(work, "base.h5")
    if args.target in ("csv", "result"):
        subprocess.run([args.pinn, "solve", os.path.join(ROOT, "problems", "poisson.json"), "-o", base,
                        "--iterations", "2", "--quiet"], check=True)
    counts = {"crash": 0, "hang": 0, "slow": 0}
    slowest = 0.0
    for k in range(args.runs):
        if args.target == "problem":
            text = open(rng.choice(seeds), "rb").read()
            if rng.random() < 0.5:
                try:
                    data = json.dumps(mutate_json(json.loads(text), rng)).encode()
                except (ValueError, RecursionError):
                    data = mutate_bytes(text, rng)
            else:
                data = mutate_bytes(text, rng)
            path = os.path.join(work, "input.json")
            open(path, "wb").write(data)
            commands = [[args.pinn, "validate", path]]
        elif args.target == "formula":
            formula = mutate_bytes(b"sin(pi*x)*sin(pi*y) + x^2/(1+y)", rng).decode("utf-8", "replace")
            problem = json.load(open(os.path.join(ROOT, "problems", "poisson.json")))
            problem[rng.choice(["exact_solution"])] = formula
            path = os.path.join(work, "input.json")
            json.dump(problem, open(path, "w"))
            commands = [[args.pinn, "validate", path]]
        elif args.target == "csv":
            data = mutate_bytes(b"x,y\n0.1,0.2\n0.5,0.5\n1,1\n", rng)
            path = os.path.join(work, "points.csv")
            open(path, "wb").write(data)
            commands = [[args.pinn, "eval", base, "--points", path]]
        else:
            data = mutate_bytes(open(base, "rb").read(), rng)
            path = os.path.join(work, "input.h5")
            open(path, "wb").write(data)
            points = os.path.join(work, "p.csv")
            open(points, "w").write("x,y\n0.5,0.5\n")
            commands = [[args.pinn, "inspect", path], [args.pinn, "eval", path, "--points", points]]
        for command in commands:
            kind, elapsed = run(command, args.slow)
            slowest = max(slowest, elapsed)
            if kind:
                counts[kind] += 1
                keep = os.path.join(findings, f"{args.target}-{kind}-{k}{os.path.splitext(path)[1]}")
                shutil.copy(path, keep)
                open(keep + ".command", "w").write(" ".join(command).replace(path, keep) + "\n")
                print(f"{kind}: {' '.join(command)} -> {keep} ({elapsed:.2f} s)", flush=True)
    print(f"{args.target}: {args.runs} inputs, {counts['crash']} crashes, {counts['hang']} hangs, "
          f"{counts['slow']} over {args.slow} s; slowest {slowest:.2f} s")
    return 1 if counts["crash"] or counts["hang"] else 0


if __name__ == "__main__":
    sys.exit(main())
