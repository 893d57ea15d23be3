#!/usr/bin/env bash
# Side-by-side timing of pinn and the JAX reference PINN on the paper's Helmholtz configuration
# (2-30-30-30-1 tanh, 6000 + 300 points, Adam lr 8e-3, Float64), one right after the other.
#
# Usage: scripts/benchmark_helmholtz.sh [ITERATIONS] [JAX_PYTHON]
#   ITERATIONS  iterations per run (default 1000); medians are over the iterations after warm-up
#   JAX_PYTHON  a python with jax and optax (default: jaxenv/bin/python; set up with
#               python3 -m venv jaxenv && jaxenv/bin/pip install jax optax numpy)
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-1000}
python=${2:-jaxenv/bin/python}
peer=../shared/peers/jax_helmholtz.py
out=$(mktemp -d)
swift build -c release >/dev/null
for threads in 1 2; do
  .build/release/pinn solve problems/helmholtz.json --iterations "$iterations" --threads "$threads" \
    -o "$out/pinn-$threads.h5" --quiet
  median=$(.build/release/pinn inspect "$out/pinn-$threads.h5" | sed -n 's/.*(median \([0-9.]*\)).*/\1/p')
  echo "pinn float64 threads=$threads median_ms_per_iteration=$median"
done
if [ -x "$python" ] && [ -f "$peer" ]; then
  "$python" "$peer" --dtype float64 --iterations "$iterations" --report-every "$iterations" --json "$out/jax.json" >/dev/null
  "$python" -c "import json; d = json.load(open('$out/jax.json')); print('jax float64 median_ms_per_iteration=%.2f' % d['ms_per_iter_median'])"
else
  echo "jax reference skipped (no $python or $peer)"
fi
rm -rf "$out"
