#!/usr/bin/env python3
"""Experiment (issue 4.1): fixed tanh vs L-LAAF (n = 10) vs Rowdy-5 (n = 10) on the paper's Helmholtz problem
over several seeds. Writes one HDF5 per run under OUT/, a table (markdown) and a PNG of loss and error curves.

Usage: python3 scripts/experiments/helmholtz_activations.py [--pinn .build/release/pinn] [--seeds 5]
           [--iterations 10000] [--out experiments-out/helmholtz]
Needs h5py, numpy, matplotlib.
"""
import argparse, json, os, subprocess, sys

import h5py
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VARIANTS = {
    "fixed": "helmholtz.json",
    "L-LAAF": "helmholtz-llaaf.json",
    "Rowdy-5": "helmholtz-rowdy.json",
}


def run(pinn, problem, seed, iterations, out, extra=None):
    with open(os.path.join(ROOT, "problems", problem)) as f:
        config = json.load(f)
    config["seed"] = seed
    config["training"]["stages"][0]["iterations"] = iterations
    config["output"] = {"grid": [101, 101], "history_interval": max(1, iterations // 50)}
    if extra:
        extra(config)
    path = out + ".json"
    with open(path, "w") as f:
        json.dump(config, f, indent=1)
    if not os.path.exists(out + ".h5"):
        subprocess.run([pinn, "solve", path, "-o", out + ".h5", "--quiet"], check=False)
    with h5py.File(out + ".h5", "r") as f:
        return f["history/iteration"][:], f["history/loss"][:], f["history/rel_l2"][:], f.attrs["median_ms_per_iteration"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pinn", default=os.path.join(ROOT, ".build/release/pinn"))
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--iterations", type=int, default=10000)
    p.add_argument("--out", default=os.path.join(ROOT, "experiments-out/helmholtz"))
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    results = {}
    for name, problem in VARIANTS.items():
        for seed in range(args.seeds):
            tag = os.path.join(args.out, f"{name}-seed{seed}")
            results.setdefault(name, []).append(run(args.pinn, problem, seed, args.iterations, tag))
            print(f"{name} seed {seed}: rel L2 {results[name][-1][2][-1]:.3e}", flush=True)
    checkpoints = [c for c in (2000, 5000, 10000, 30000) if c <= args.iterations]
    lines = ["| activation | ms/iter (median) | " + " | ".join(f"rel. L2 at {c}" for c in checkpoints) + " | " +
             " | ".join(f"loss at {c}" for c in checkpoints) + " |",
             "|---|---|" + "---|" * (2 * len(checkpoints))]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for name, runs in results.items():
        it = runs[0][0]
        def at(c, k):
            vals = np.array([r[k][list(r[0]).index(c)] for r in runs])
            return f"{np.mean(vals):.3g} ({np.min(vals):.2g}–{np.max(vals):.2g})"
        ms = np.median([r[3] for r in runs])
        lines.append(f"| {name} | {ms:.2f} | " + " | ".join(at(c, 2) for c in checkpoints) + " | " +
                     " | ".join(at(c, 1) for c in checkpoints) + " |")
        for k, ax in ((1, axes[0]), (2, axes[1])):
            data = np.array([r[k] for r in runs])
            ax.semilogy(it, np.exp(np.mean(np.log(data), axis=0)), label=name)
            ax.fill_between(it, data.min(axis=0), data.max(axis=0), alpha=0.2)
    axes[0].set_title("loss (geometric mean, min–max band)")
    axes[1].set_title("relative L2 error")
    for ax in axes:
        ax.set_xlabel("iteration")
        ax.legend()
    fig.tight_layout()
    png = os.path.join(args.out, "helmholtz-activations.png")
    fig.savefig(png, dpi=110)
    table = "\n".join(lines)
    with open(os.path.join(args.out, "table.md"), "w") as f:
        f.write(table + "\n")
    print(table)
    print("wrote", png)


if __name__ == "__main__":
    main()
