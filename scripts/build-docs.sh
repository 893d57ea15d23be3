#!/usr/bin/env bash
# Builds the DocC documentation of the PINN library into .build/docs (open .build/docs/index.html through a web
# server, or `docc preview`). Needs the Swift toolchain's docc (bundled with Swift 6) and the system packages.
set -euo pipefail
cd "$(dirname "$0")/.."
graphs=.build/symbol-graphs
rm -rf "$graphs" && mkdir -p "$graphs"
swift build -c release --target PINN -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$graphs"
docc convert Sources/PINN/PINN.docc --fallback-display-name PINN --fallback-bundle-identifier org.pinn.PINN \
    --additional-symbol-graph-dir "$graphs" --output-path .build/docs "$@"
echo "documentation in .build/docs"
