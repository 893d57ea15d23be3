#!/usr/bin/env bash
# Paired A/B timing of two pinn executables on one problem file: ROUNDS rounds, each running A then B with the same
# iterations and threads, so that a slow spell of a shared machine hits both runs of a round alike. Printed per
# round: each run's median and fastest milliseconds per iteration (from `pinn inspect`) and the ratio B/A of the
# medians; then the median of the per-round ratios.
#
# Usage: scripts/benchmark_ab.sh A_PINN B_PINN PROBLEM [ITERATIONS] [ROUNDS] [THREADS]
#   e.g. build the commit before in a worktree (git worktree add /tmp/old HEAD~1 && (cd /tmp/old && swift build -c
#   release)) and run scripts/benchmark_ab.sh /tmp/old/.build/release/pinn .build/release/pinn problems/helmholtz.json
set -euo pipefail
a=$1
b=$2
problem=$3
iterations=${4:-1000}
rounds=${5:-5}
threads=${6:-2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
lscpu | grep -E '^Model name|^CPU family|^Model:' | tr -s ' '
for round in $(seq "$rounds"); do
  line="round $round"
  for which in a b; do
    exe=$a
    [ "$which" = b ] && exe=$b
    "$exe" solve "$problem" --iterations "$iterations" --threads "$threads" -o "$out/$which.h5" --quiet
    median=$("$exe" inspect "$out/$which.h5" | sed -n 's/.*(median \([0-9.]*\),.*/\1/p')
    fastest=$("$exe" inspect "$out/$which.h5" | sed -n 's/.*, fastest \([0-9.]*\)).*/\1/p')
    line="$line $which: median $median fastest $fastest"
    eval "m_$which=$median"
  done
  ratio=$(awk -v x="$m_a" -v y="$m_b" 'BEGIN {printf "%.3f", y / x}')
  echo "$line ratio B/A $ratio" | tee -a "$out/rounds.txt"
done
sed -n 's/.*ratio B\/A //p' "$out/rounds.txt" | sort -g \
  | awk '{r[NR]=$1} END {printf "median ratio B/A over %d rounds: %.3f\n", NR, r[int((NR+1)/2)]}'
