#!/usr/bin/env bash
# Builds the MPI-enabled pinn: installs Open MPI (libopenmpi-dev, openmpi-bin) and what pinn builds against, then
# `swift build -c release --traits MPI` in .build-mpi. The last line printed is the path of the executable:
#
#   PINN_MPI=$(scripts/build-mpi.sh | tail -1)
#   mpirun -np 4 "$PINN_MPI" solve problems/helmholtz.json
#
# MPICH works too: install libmpich-dev instead (pkg-config's "mpi" must name it: Debian's mpi-default-dev, or
# PKG_CONFIG_PATH pointing at an mpi.pc).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh >&2
if ! pkg-config --exists mpi || ! command -v mpirun >/dev/null; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq libopenmpi-dev openmpi-bin >&2
fi
swift build -c release --traits MPI --scratch-path .build-mpi >&2
echo "$(pwd)/.build-mpi/release/pinn"
