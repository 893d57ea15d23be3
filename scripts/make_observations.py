#!/usr/bin/env python3
"""Observations for problems/helmholtz-inverse*.json: u* = sin(pi x) sin(4 pi y) at N random points of [-1, 1]^2
(numpy, seeded), optionally with Gaussian noise of standard deviation NOISE times the observations' RMS.
Prints the problem file's "data" object.

Usage: python3 scripts/make_observations.py [N] [NOISE] [SEED]
"""
import json
import sys

import numpy as np

n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
noise = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
rng = np.random.default_rng(seed)
points = rng.uniform(-1, 1, size=(n, 2))
values = np.sin(np.pi * points[:, 0]) * np.sin(4 * np.pi * points[:, 1])
if noise > 0:
    values = values + rng.normal(0, noise * np.sqrt(np.mean(values ** 2)), size=n)
data = {"points": [[float(f"{x:.15g}"), float(f"{y:.15g}")] for x, y in points],
        "values": [float(f"{v:.15g}") for v in values], "weight": 1000}
print(json.dumps(data, separators=(", ", ": ")))
