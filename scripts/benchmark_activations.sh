#!/usr/bin/env bash
# Cost of adaptive activations relative to fixed tanh on the paper's Helmholtz configuration (3x30, 6000 + 300
# points, Adam, Float64), for pinn (1 and 2 threads) and the JAX reference, one right after the other.
#
# pinn: ROUNDS rounds, each running fixed, L-LAAF, Rowdy-5 and Rowdy-9 once in turn (so slow drifts of the machine
# hit every activation alike); each run reports its median ms/iteration, and the table shows the median over the
# rounds and its ratio to fixed tanh, the fastest round and the ratio of the fastest rounds, and the fastest single
# iteration over all rounds and its ratio (on a machine with noisy neighbours the minima are the steadier figures). The CPU model and the BLAS kernels come first.
#
# Usage: scripts/benchmark_activations.sh [ITERATIONS] [ROUNDS] [JAX_ITERATIONS] [JAX_PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-300}
rounds=${2:-5}
jax_iterations=${3:-200}
python=${4:-jaxenv/bin/python}
peer=../shared/peers/jax_helmholtz.py
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swift build -c release >/dev/null
lscpu | grep -E '^Model name|^CPU family|^Model:' | tr -s ' '
sed 's/"terms": 5/"terms": 9/' problems/helmholtz-rowdy.json > "$out/helmholtz-rowdy9.json"
problems=(problems/helmholtz.json problems/helmholtz-llaaf.json problems/helmholtz-rowdy.json "$out/helmholtz-rowdy9.json")
for threads in 1 2; do
  for round in $(seq "$rounds"); do
    for problem in "${problems[@]}"; do
      name=$(basename "$problem" .json)
      .build/release/pinn solve "$problem" --iterations "$iterations" --threads "$threads" -o "$out/run.h5" --quiet
      times=$(.build/release/pinn inspect "$out/run.h5" | sed -n 's/.*(median \([0-9.]*\), fastest \([0-9.]*\)).*/\1 \2/p')
      echo "$threads $name $times" >> "$out/pinn.txt"
    done
  done
done
python3 - "$out/pinn.txt" <<'EOF'
import collections, statistics, sys
runs = collections.defaultdict(list)
quickest = collections.defaultdict(list)
for line in open(sys.argv[1]):
    threads, name, ms, fastest_iteration = line.split()
    runs[(int(threads), name)].append(float(ms))
    quickest[(int(threads), name)].append(float(fastest_iteration))
for threads in (1, 2):
    fixed = statistics.median(runs[(threads, "helmholtz")])
    fastest = min(runs[(threads, "helmholtz")])
    fixed_iteration = min(quickest[(threads, "helmholtz")])
    for name in ("helmholtz", "helmholtz-llaaf", "helmholtz-rowdy", "helmholtz-rowdy9"):
        values = runs[(threads, name)]
        ms = statistics.median(values)
        iteration = min(quickest[(threads, name)])
        print(f"pinn threads={threads} {name:17s} median_ms_per_iteration={ms:.3f} ratio_to_fixed={ms / fixed:.3f}"
              f" min={min(values):.3f} ratio_of_minima={min(values) / fastest:.3f}"
              f" fastest_iteration={iteration:.3f} ratio_of_fastest_iterations={iteration / fixed_iteration:.3f}"
              f" (rounds: {' '.join(f'{v:.2f}' for v in values)})")
EOF
if [ -x "$python" ] && [ -f "$peer" ]; then
  for act in tanh laaf rowdy; do
    "$python" "$peer" --dtype float64 --act "$act" --iterations "$jax_iterations" --report-every "$jax_iterations" \
      --json "$out/jax-$act.json" >/dev/null
    "$python" -c "import json; d = json.load(open('$out/jax-$act.json')); print('jax $act median_ms_per_iteration=%.2f' % d['ms_per_iter_median'])"
  done
fi
