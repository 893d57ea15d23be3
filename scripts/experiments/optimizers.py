#!/usr/bin/env python3
"""Error against wall time for Adam alone, Adam -> L-BFGS and Adam -> Levenberg-Marquardt (issue 6).

For each problem file, three runs with the same wall-time limit (pinn solve --time-limit):
  adam        the file's first (Adam) stage, continued until the time limit
  adam+lbfgs  the file's Adam stage, then L-BFGS until the time limit
  adam+lm     the file's Adam stage, then Levenberg-Marquardt until the time limit
Everything else (network, points, weights, seed) is the file's.

Usage: python3 scripts/experiments/optimizers.py [--pinn .build/release/pinn] [--out DIR] [--threads T]
           [--problem FILE:SECONDS ...]
Defaults: problems/poisson-accurate.json:60 problems/helmholtz-accurate.json:120
          problems/helmholtz-high-frequency-accurate.json:600
Runs already in DIR are not repeated. Writes DIR/optimizers.md (table) and DIR/optimizers.png. Needs h5py,
numpy, matplotlib.
"""
import argparse, copy, json, os, subprocess

import h5py
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULTS = ["problems/poisson-accurate.json:60", "problems/helmholtz-accurate.json:120",
            "problems/helmholtz-high-frequency-accurate.json:600"]
CHECKPOINTS = [5, 10, 30, 60, 120, 300, 600]
MANY = 10_000_000  # iterations: the time limit ends every run


def variants(config):
    adam = copy.deepcopy(config["training"]["stages"][0])
    assert adam["optimizer"] == "adam", "the file's first stage must be Adam"
    alone = dict(adam, iterations=MANY)
    return {
        "adam": [alone],
        "adam+lbfgs": [adam, {"optimizer": "lbfgs", "iterations": MANY}],
        "adam+lm": [adam, {"optimizer": "lm", "iterations": MANY}],
    }


def run(pinn, config, seconds, tag, threads):
    path = tag + ".json"
    with open(path, "w") as f:
        json.dump(config, f, indent=1)
    if not os.path.exists(tag + ".h5"):
        subprocess.run([pinn, "solve", path, "-o", tag + ".h5", "--quiet", "--time-limit", str(seconds),
                        "--threads", str(threads)], check=False)
    with h5py.File(tag + ".h5", "r") as f:
        h = {k: f["history/" + k][:] for k in ("iteration", "wall_time", "rel_l2", "loss", "stage")}
        h["notes"] = f["history"].attrs.get("stage_notes", "")
    return h


def error_at(h, t):
    """The error of the last record at or before t seconds (NaN when the run had not recorded by then)."""
    i = np.searchsorted(h["wall_time"], t, side="right") - 1
    return h["rel_l2"][i] if i >= 0 and h["wall_time"][-1] >= t * 0.98 else np.nan


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pinn", default=os.path.join(ROOT, ".build/release/pinn"))
    ap.add_argument("--out", default="optimizer-runs")
    ap.add_argument("--problem", action="append")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    pinn = os.path.abspath(args.pinn)
    problems = args.problem or DEFAULTS
    os.chdir(args.out)
    fig, axes = plt.subplots(1, len(problems), figsize=(5.2 * len(problems), 4.3), squeeze=False)
    lines = ["| problem | optimizer | " + " | ".join(f"t = {t} s" for t in CHECKPOINTS) + " | final (time) | iterations |",
             "|---|---|" + "---|" * len(CHECKPOINTS) + "---|---|"]
    for ax, spec in zip(axes[0], problems):
        file, seconds = spec.rsplit(":", 1)
        seconds = float(seconds)
        with open(os.path.join(ROOT, file)) as f:
            config = json.load(f)
        name = os.path.splitext(os.path.basename(file))[0]
        for label, stages in variants(config).items():
            c = copy.deepcopy(config)
            c["training"]["stages"] = stages
            c["training"].pop("time_limit", None)
            h = run(pinn, c, seconds, f"{name}-{label}", args.threads)
            cells = [f"{error_at(h, t):.2e}" if t <= seconds else "" for t in CHECKPOINTS]
            lines.append(f"| {name} | {label} | " + " | ".join(cells)
                         + f" | {h['rel_l2'][-1]:.2e} ({h['wall_time'][-1]:.0f} s) | {h['iteration'][-1]} |")
            ax.loglog(np.maximum(h["wall_time"], 1e-2), h["rel_l2"], label=label)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("wall time [s]")
        ax.set_ylabel("relative L2 error")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig("optimizers.png", dpi=110)
    with open("optimizers.md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
