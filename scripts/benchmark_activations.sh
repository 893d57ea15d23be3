#!/usr/bin/env bash
# Cost of adaptive activations relative to fixed tanh on the paper's Helmholtz configuration (3x30, 6000 + 300
# points, Adam, Float64), for pinn (1 and 2 threads) and the JAX reference, one right after the other.
#
# Usage: scripts/benchmark_activations.sh [ITERATIONS] [JAX_ITERATIONS] [JAX_PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-1000}
jax_iterations=${2:-300}
python=${3:-jaxenv/bin/python}
peer=../shared/peers/jax_helmholtz.py
out=$(mktemp -d)
swift build -c release >/dev/null
sed 's/"terms": 5/"terms": 9/' problems/helmholtz-rowdy.json > "$out/helmholtz-rowdy9.json"
for threads in 1 2; do
  for problem in problems/helmholtz.json problems/helmholtz-llaaf.json problems/helmholtz-rowdy.json "$out/helmholtz-rowdy9.json"; do
    name=$(basename "$problem" .json)
    .build/release/pinn solve "$problem" --iterations "$iterations" --threads "$threads" -o "$out/$name-$threads.h5" --quiet
    median=$(.build/release/pinn inspect "$out/$name-$threads.h5" | sed -n 's/.*(median \([0-9.]*\)).*/\1/p')
    echo "pinn threads=$threads $name median_ms_per_iteration=$median"
  done
done
if [ -x "$python" ] && [ -f "$peer" ]; then
  for act in tanh laaf rowdy; do
    "$python" "$peer" --dtype float64 --act "$act" --iterations "$jax_iterations" --report-every "$jax_iterations" \
      --json "$out/jax-$act.json" >/dev/null
    "$python" -c "import json; d = json.load(open('$out/jax-$act.json')); print('jax $act median_ms_per_iteration=%.2f' % d['ms_per_iter_median'])"
  done
fi
rm -rf "$out"
