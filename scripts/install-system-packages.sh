#!/usr/bin/env bash
# Installs the Debian packages pinn builds against (OpenBLAS, LAPACKE, HDF5, SLEEF) and pkg-config, numpy for the
# reference solvers the tests check (scripts/references), and python3-venv; then a virtual environment `.venv` in
# the repository with meshio, h5py and vtk from PyPI, the XDMF readers the tests open the results with
# (scripts/check_xdmf.py). Runs as root (CI, containers) or through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(libopenblas-dev liblapacke-dev libhdf5-dev libsleef-dev pkg-config python3-numpy python3-venv)
if ! dpkg -s "${packages[@]}" >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
fi
readers=(meshio==5.3.5 h5py numpy vtk matplotlib)
if ! .venv/bin/python -c "import meshio, h5py, matplotlib, vtkmodules.vtkIOXdmf2" >/dev/null 2>&1; then
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check "${readers[@]}"
fi
