#!/usr/bin/env bash
# Installs the Debian packages pinn builds against (OpenBLAS, LAPACKE, HDF5, SLEEF) and pkg-config, and numpy for
# the reference solvers the tests check (scripts/references).
# Runs as root (CI, containers) or through sudo.
set -euo pipefail
packages=(libopenblas-dev liblapacke-dev libhdf5-dev libsleef-dev pkg-config python3-numpy)
if dpkg -s "${packages[@]}" >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${packages[@]}" >/dev/null
