#!/usr/bin/env bash
# Cost per Adam iteration of derivatives of higher order and in more coordinates, same network and points:
#  1. Poisson on the hypercube [0, 1]^d, d = 2, 5, 10, 20, with the residual read three ways: the preset (the
#     collapsed Laplacian, 2 + d stream blocks), the general form (pure second derivatives, 1 + 2d blocks), and the
#     general form with one mixed derivative (all second derivatives, 1 + d + d(d+1)/2 blocks: the full Hessian).
#  2. A fourth-order residual (the Kirchhoff plate, Taylor jets: 21 blocks) against second-order ones in 2D.
# Each configuration runs ROUNDS times (interleaved); printed: the median over rounds of each run's median
# milliseconds per iteration (from `pinn inspect`), and the CPU.
#
# Usage: scripts/benchmark_orders.sh [ITERATIONS] [ROUNDS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-200}
rounds=${2:-3}
threads=${3:-1}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swift build -c release >/dev/null
lscpu | grep -E '^Model name|^CPU family|^Model:' | tr -s ' '
common='"network": {"hidden_layers": [32, 32, 32], "activation": "tanh"}, "seed": 0,
  "collocation": {"interior": 2000, "boundary": 200, "distribution": "sobol"},
  "training": {"stages": [{"optimizer": "adam", "iterations": '"$iterations"', "learning_rate": 1e-3}], "threads": '"$threads"'}'
names=()
for d in 2 5 10 20; do
  # Coordinates x, y, z up to three, x1 … xd beyond.
  if [ "$d" -le 3 ]; then axes=$(echo x y z | cut -d' ' -f1-"$d" | tr ' ' '\n'); else axes=$(seq 1 "$d" | sed 's/^/x/'); fi
  laplacian=$(echo "$axes" | sed 's/.*/u_&&/' | paste -sd+ -)
  mixed="u_$(echo "$axes" | sed -n 1p)$(echo "$axes" | sed -n 2p)"
  domain='"domain": {"type": "hypercube", "dimension": '"$d"', "bounds": [0, 1]}, "output": {"grid": ['"$(seq 1 "$d" | sed 's/.*/2/' | paste -sd, -)"']}'
  cat > "$out/preset-$d.json" <<EOF
{$domain, "pde": {"type": "poisson"}, "forcing": "1", "boundary_value": "0", "boundary_condition": {"type": "dirichlet"}, $common}
EOF
  cat > "$out/pure-$d.json" <<EOF
{$domain, "equations": [{"residual": "-($laplacian) - 1"}],
 "conditions": [{"on": "boundary", "type": "dirichlet", "value": "0"}], $common}
EOF
  cat > "$out/hessian-$d.json" <<EOF
{$domain, "equations": [{"residual": "-($laplacian) + 0*$mixed - 1"}],
 "conditions": [{"on": "boundary", "type": "dirichlet", "value": "0"}], $common}
EOF
  names+=("preset-$d" "pure-$d" "hessian-$d")
done
square='"domain": {"type": "rectangle", "x": [0, 1], "y": [0, 1]}, "output": {"grid": [11, 11]}'
for kind in "helmholtz:w_xx + w_yy + w" "plate:w_xxxx + 2*w_xxyy + w_yyyy" "beam-x:w_xxxx + w_yyyy"; do
  name=${kind%%:*}
  residual=${kind#*:}
  cat > "$out/$name.json" <<EOF
{$square, "fields": ["w"], "equations": [{"residual": "$residual - 1"}],
 "conditions": [{"on": "boundary", "type": "dirichlet", "field": "w", "value": "0"}], $common}
EOF
  names+=("$name")
done
for round in $(seq "$rounds"); do
  for name in "${names[@]}"; do
    .build/release/pinn solve "$out/$name.json" -o "$out/$name.h5" --quiet
    ms=$(.build/release/pinn inspect "$out/$name.h5" | sed -n 's/.*(median \([0-9.]*\),.*/\1/p')
    echo "$name $ms" >> "$out/times.txt"
  done
done
for name in "${names[@]}"; do
  grep "^$name " "$out/times.txt" | awk '{print $2}' | sort -g \
    | awk -v n="$name" '{a[NR]=$1} END {printf "%-12s median %8.3f ms/iteration over %d rounds\n", n, a[int((NR+1)/2)], NR}'
done
