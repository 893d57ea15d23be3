#!/usr/bin/env bash
# Side-by-side timing of pinn and the JAX reference PINN on the paper's Helmholtz configuration
# (2-30-30-30-1 tanh, 6000 + 300 points, Adam lr 8e-3, Float64).
#
# ROUNDS rounds, each running pinn at 2 threads then JAX right after, so that a slow spell of the machine (another
# tenant on the host) hits both runs of a round alike; each round gives its own ratio pinn / JAX. Printed: the CPU,
# the BLAS kernels pinn ran on, every round, and the median and the minimum of the per-round ratios and times, and
# pinn's fastest single iteration (the peer reports medians only).
#
# Usage: scripts/benchmark_helmholtz.sh [PINN_ITERATIONS] [ROUNDS] [JAX_ITERATIONS] [JAX_PYTHON]
#   PINN_ITERATIONS  iterations per pinn run (default 1000); medians are over the iterations of a run
#   JAX_ITERATIONS   iterations per JAX run (default 300; its median excludes the compile)
#   JAX_PYTHON       a python with jax and optax (default: jaxenv/bin/python; set up with
#                    python3 -m venv jaxenv && jaxenv/bin/pip install jax optax numpy)
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-1000}
rounds=${2:-5}
jax_iterations=${3:-300}
python=${4:-jaxenv/bin/python}
peer=../shared/peers/jax_helmholtz.py
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swift build -c release >/dev/null
lscpu | grep -E '^Model name|^CPU family|^Model:' | tr -s ' '
have_jax=0
if [ -x "$python" ] && [ -f "$peer" ]; then have_jax=1; else echo "jax reference skipped (no $python or $peer)"; fi
for round in $(seq "$rounds"); do
  .build/release/pinn solve problems/helmholtz.json --iterations "$iterations" --threads 2 -o "$out/pinn.h5" --quiet
  pinn=$(.build/release/pinn inspect "$out/pinn.h5" | sed -n 's/.*(median \([0-9.]*\),.*/\1/p')
  fastest=$(.build/release/pinn inspect "$out/pinn.h5" | sed -n 's/.*, fastest \([0-9.]*\)).*/\1/p')
  [ "$round" = 1 ] && .build/release/pinn inspect "$out/pinn.h5" | grep -E '^  (machine|blas)'
  jax=nan
  if [ "$have_jax" = 1 ]; then
    "$python" "$peer" --dtype float64 --iterations "$jax_iterations" --report-every "$jax_iterations" \
      --json "$out/jax.json" >/dev/null
    jax=$("$python" -c "import json; print('%.3f' % json.load(open('$out/jax.json'))['ms_per_iter_median'])")
  fi
  echo "round $round pinn_2_threads_ms=$pinn pinn_fastest_iteration_ms=$fastest jax_float64_ms=$jax" \
    | tee -a "$out/rounds.txt"
done
python3 - "$out/rounds.txt" <<'EOF'
import math, statistics, sys
pinn, fastest, jax = [], [], []
for line in open(sys.argv[1]):
    fields = dict(f.split("=") for f in line.split()[2:])
    pinn.append(float(fields["pinn_2_threads_ms"]))
    fastest.append(float(fields["pinn_fastest_iteration_ms"]))
    jax.append(float(fields["jax_float64_ms"]))
print(f"pinn 2 threads: median {statistics.median(pinn):.3f} ms, min {min(pinn):.3f} ms, "
      f"fastest iteration {min(fastest):.3f} ms")
if not any(math.isnan(j) for j in jax):
    ratios = [p / j for p, j in zip(pinn, jax)]
    print(f"jax float64:    median {statistics.median(jax):.3f} ms, min {min(jax):.3f} ms")
    print(f"ratio pinn/jax per round: {' '.join(f'{r:.3f}' for r in ratios)}; median {statistics.median(ratios):.3f}, "
          f"ratio of minima {min(pinn) / min(jax):.3f}")
EOF
