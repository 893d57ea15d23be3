#!/usr/bin/env bash
# In-process fuzzing of pinn's input readers with libFuzzer (Fuzz/: JSON parser, formula parser and evaluator,
# problem-file loader, points CSV reader, result and checkpoint reader), built with AddressSanitizer.
#
#   scripts/fuzz.sh [TARGET ...]          default: json formula problem csv result
#   RUNS=1000000 (executions per target)  TIMEOUT=10 (seconds: a slower input is a finding)
#   SANITIZE=fuzzer,address               EXTRA="-max_total_time=600" (more libFuzzer options)
#
# Seed corpora come from problems/ (problem files, their formulas) and from small result and checkpoint files
# written by the release build; findings (crashing or slow inputs) go to .build-fuzz/findings/, the log of each
# target to .build-fuzz/logs/. The last line per target: executions, seconds, slowest input, findings.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-1000000}
TIMEOUT=${TIMEOUT:-10}
SANITIZE=${SANITIZE:-fuzzer,address}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(json formula problem csv result)
WORK=.build-fuzz
mkdir -p "$WORK/findings" "$WORK/logs"

echo "building the harness (-sanitize=$SANITIZE)…" >&2
swift build -c release --package-path Fuzz --scratch-path "$WORK/build" \
    -Xswiftc "-sanitize=$SANITIZE" -Xswiftc -use-ld=lld >&2
HARNESS="$WORK/build/release/PinnFuzz"

seed_corpora() {
    local c="$WORK/corpus"
    [ -d "$c/result" ] && return
    mkdir -p "$c"/{json,problem,formula,csv,result}
    cp problems/*.json "$c/json/"
    # Problem files reduced to a few points and a 9-point output grid: the loader checks every formula at every point
    # (linear in the points: the full files take 0.5-2 s under AddressSanitizer), so small seeds keep it fast.
    python3 - "$c/problem" <<'PY'
import glob, json, os, sys
for path in glob.glob("problems/*.json"):
    p = json.load(open(path))
    out = p.setdefault("output", {})
    out["grid"] = [9] * len(out.get("grid", [9, 9]))
    c = p.setdefault("collocation", {})
    c.update({"interior": 50, "boundary": 20})
    if "initial" in c: c["initial"] = 20
    if isinstance(p.get("network"), dict): p["network"]["hidden_layers"] = [6, 6]
    json.dump(p, open(os.path.join(sys.argv[1], os.path.basename(path)), "w"))
PY
    # Every formula of the problem files: exact solutions, forcings, residuals, condition values.
    python3 - "$c/formula" <<'PY'
import glob, json, os, sys
out, n = sys.argv[1], 0
def walk(v):
    global n
    if isinstance(v, dict):
        for key, x in v.items():
            if isinstance(x, str) and key in ("exact_solution", "forcing", "residual", "value", "expression", "g",
                                              "source", "flux", "lhs", "rhs") and len(x) < 2000:
                open(os.path.join(out, f"f{n}"), "w").write(x); n += 1
            walk(x)
    elif isinstance(v, list):
        for x in v: walk(x)
for p in glob.glob("problems/*.json"):
    walk(json.load(open(p)))
for extra in ["sin(pi*x)*sin(4*pi*y)", "exp(-k*x)*tanh(y)^2", "-(x^2+y^2)^(3/2)/k", "abs(x)-sqrt(1-y)"]:
    open(os.path.join(out, f"f{n}"), "w").write(extra); n += 1
PY
    printf 'x,y\n0.1,0.2\n-0.5,0.75\n' > "$c/csv/header"
    printf '0,0\n1e-3,2.5\n1,1\n' > "$c/csv/plain"
    # Small results (9-point grids, so that mutations stay fast): completed runs of several kinds, and a run stopped
    # by its time limit (with /checkpoint).
    swift build -c release --product pinn >&2
    local pinn=.build/release/pinn tmp
    tmp=$(mktemp -d)
    for name in poisson poisson-1d helmholtz-rowdy burgers elasticity-plane-strain helmholtz-inverse; do
        python3 -c "import json,sys; p=json.load(open(sys.argv[1])); p.get('training',{}).pop('time_marching',None); json.dump(p,open(sys.argv[2],'w'))" \
            "$c/problem/$name.json" "$tmp/$name.json"
    done
    for p in "$tmp"/*.json; do
        "$pinn" solve "$p" -o "${p%.json}.h5" --iterations 20 --quiet >/dev/null 2>&1 || true
    done
    "$pinn" solve "$tmp/poisson.json" -o "$tmp/stopped.h5" --iterations 100000000 --time-limit 0.3 --quiet \
        >/dev/null 2>&1 || true
    cp "$tmp"/*.h5 "$c/result/" 2>/dev/null || true
    rm -rf "$tmp"
}
seed_corpora

for target in "${TARGETS[@]}"; do
    log="$WORK/logs/$target.log"
    mkdir -p "$WORK/corpus/$target.run"
    start=$(date +%s)
    # Swift's own crash handler would report before libFuzzer saves the input: leave crashes to libFuzzer.
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
        "$HARNESS" "$target" "$WORK/corpus/$target.run" "$WORK/corpus/$target" -runs="$RUNS" -timeout="$TIMEOUT" \
        -rss_limit_mb=4096 -report_slow_units=1 -print_final_stats=1 -detect_leaks=0 \
        -artifact_prefix="$WORK/findings/$target-" ${EXTRA:-} >"$log" 2>&1 && status=0 || status=$?
    seconds=$(( $(date +%s) - start ))
    executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    slowest=$(grep -o "stat::slowest_unit_time_sec: *[0-9]*" "$log" | grep -o "[0-9]*$" || true)
    findings=$(ls "$WORK/findings" | grep -c "^$target-" || true)
    echo "$target: ${executions} executions in ${seconds} s, exit $status, slowest input ${slowest:-?} s (whole seconds, rounded down), findings $findings"
done
