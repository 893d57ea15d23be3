#!/usr/bin/env python3
"""Experiments of issue 4 (Kronecker / Rowdy activations, Jagtap et al. 2022), run through the pinn binary.

  helmholtz       fixed vs L-LAAF (n=10) vs Rowdy-5 (n=10) on the paper's Helmholtz problem, several seeds
  high-frequency  u = sin(5 pi x) sin(10 pi y), 3x60 tanh, 10000 + 400 points, lr 9e-5 (paper) and 1e-3
  switch          Rowdy-5 for 1000 iterations then L-LAAF, against Rowdy-5 and L-LAAF alone
  fitting         paper 4.1 (discontinuous function, 5 points, 1x40 cos) and 4.2 (sin(m pi x), m = 1, 100, 200)

Usage: python3 scripts/experiments/kronecker.py EXPERIMENT [--pinn .build/release/pinn] [--out DIR]
           [--seeds 5] [--iterations N]
Each run's problem file and HDF5 result are kept in DIR (runs already there are not repeated); a markdown table
(DIR/table.md) and PNG plots are written. Needs h5py, numpy, matplotlib.
"""
import argparse, copy, json, math, os, subprocess

import h5py
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXED = "tanh"
LLAAF = {"type": "l-laaf", "function": "tanh", "n": 10}
ROWDY = {"type": "rowdy", "base": "tanh", "terms": 5, "n": 10, "extra": "sin"}


def load(problem):
    with open(os.path.join(ROOT, "problems", problem)) as f:
        return json.load(f)


def run(pinn, config, tag):
    """Runs pinn on `config` unless DIR/tag.h5 exists; returns the history and attributes."""
    path = tag + ".json"
    with open(path, "w") as f:
        json.dump(config, f, indent=1)
    if not os.path.exists(tag + ".h5"):
        subprocess.run([pinn, "solve", path, "-o", tag + ".h5", "--quiet"], check=False)
    with h5py.File(tag + ".h5", "r") as f:
        h = {k: f["history/" + k][:] for k in ("iteration", "loss", "wall_time")}
        h["rel_l2"] = f["history/rel_l2"][:] if "history/rel_l2" in f else np.full_like(h["loss"], np.nan)
        h["ms"] = float(f.attrs["median_ms_per_iteration"])
        h["status"] = f.attrs["status"]
    return h


def at(history, iteration, key):
    it = list(history["iteration"])
    return history[key][it.index(iteration)] if iteration in it else np.nan


def summary(values):
    v = np.array(values, dtype=float)
    if len(v) == 1:
        return f"{v[0]:.3g}"
    return f"{np.mean(v):.3g} ({np.min(v):.2g}–{np.max(v):.2g})"


def curves(results, title, png, keys=("loss", "rel_l2")):
    fig, axes = plt.subplots(1, len(keys), figsize=(max(8, 5.5 * len(keys)), 4.5), squeeze=False)
    for name, runs in results.items():
        it = runs[0]["iteration"]
        for ax, key in zip(axes[0], keys):
            data = np.array([r[key] for r in runs if len(r[key]) == len(it)])
            if np.all(np.isnan(data)):
                continue
            ax.semilogy(it, np.exp(np.nanmean(np.log(data), axis=0)), label=name)
            if len(data) > 1:
                ax.fill_between(it, data.min(axis=0), data.max(axis=0), alpha=0.2)
            ax.set_title(key.replace("rel_l2", "relative L2 error"))
            ax.set_xlabel("iteration")
    for ax in axes[0]:
        ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)


def table(results, checkpoints, keys=("rel_l2", "loss")):
    head = "| variant | ms/iter | " + " | ".join(f"{k.replace('rel_l2', 'rel. L2')} at {c}" for k in keys for c in checkpoints) + " |"
    lines = [head, "|---|---|" + "---|" * (len(keys) * len(checkpoints))]
    for name, runs in results.items():
        cells = [summary([at(r, c, k) for r in runs]) for k in keys for c in checkpoints]
        lines.append(f"| {name} | {np.median([r['ms'] for r in runs]):.2f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def helmholtz(args):
    base = load("helmholtz.json")
    results = {}
    for name, act in (("fixed", FIXED), ("L-LAAF", LLAAF), ("Rowdy-5", ROWDY)):
        for seed in range(args.seeds):
            c = copy.deepcopy(base)
            c["seed"] = seed
            c["network"]["activation"] = act
            c["training"]["stages"][0]["iterations"] = args.iterations
            c["output"] = {"grid": [101, 101], "history_interval": max(1, args.iterations // 50)}
            results.setdefault(name, []).append(run(args.pinn, c, os.path.join(args.out, f"{name}-seed{seed}")))
            print(name, seed, results[name][-1]["rel_l2"][-1], flush=True)
    curves(results, "Helmholtz sin(πx)sin(4πy), 3×30 tanh, Adam 8e-3", os.path.join(args.out, "helmholtz.png"))
    return table(results, [c for c in (2000, 5000, 10000, 30000) if c <= args.iterations])


def high_frequency(args):
    base = load("helmholtz-high-frequency.json")
    results = {}
    for lr in (9e-5, 1e-3):
        for name, act in (("fixed", FIXED), ("L-LAAF", LLAAF), ("Rowdy-5", ROWDY)):
            c = copy.deepcopy(base)
            c["network"]["activation"] = act
            c["training"]["stages"] = [{"optimizer": "adam", "iterations": args.iterations, "learning_rate": lr}]
            c["output"] = {"grid": [101, 101], "history_interval": max(1, args.iterations // 30)}
            label = f"{name}, lr {lr:g}"
            results[label] = [run(args.pinn, c, os.path.join(args.out, f"hf-{name}-lr{lr:g}"))]
            print(label, results[label][0]["rel_l2"][-1], flush=True)
    curves(results, "Helmholtz sin(5πx)sin(10πy), 3×60 tanh", os.path.join(args.out, "high-frequency.png"))
    return table(results, [c for c in (1000, 2000, 5000, 10000, 20000) if c <= args.iterations])


def switch(args):
    base = load("helmholtz.json")
    results = {}
    variants = {
        "Rowdy-5": [{"optimizer": "adam", "iterations": args.iterations, "learning_rate": 8e-3}],
        "L-LAAF": [{"optimizer": "adam", "iterations": args.iterations, "learning_rate": 8e-3}],
        "Rowdy-5 → L-LAAF at 1000": [
            {"optimizer": "adam", "iterations": 1000, "learning_rate": 8e-3},
            {"optimizer": "adam", "iterations": args.iterations - 1000, "learning_rate": 8e-3,
             "drop_extra_activation_terms": True}],
    }
    for name, stages in variants.items():
        for seed in range(args.seeds):
            c = copy.deepcopy(base)
            c["seed"] = seed
            c["network"]["activation"] = LLAAF if name == "L-LAAF" else ROWDY
            c["training"]["stages"] = stages
            c["output"] = {"grid": [101, 101], "history_interval": max(1, args.iterations // 50)}
            tag = os.path.join(args.out, "switch-" + name.replace(" ", "").replace("→", "-to-") + f"-seed{seed}")
            results.setdefault(name, []).append(run(args.pinn, c, tag))
            print(name, seed, results[name][-1]["rel_l2"][-1], flush=True)
    curves(results, "Rowdy → L-LAAF switch (Helmholtz)", os.path.join(args.out, "switch.png"))
    lines = table(results, [c for c in (1000, 2000, 5000, 10000) if c <= args.iterations])
    times = {n: np.mean([r["wall_time"][-1] for r in rs]) for n, rs in results.items()}
    return lines + "\n\nWall time of the whole run (s, mean): " + ", ".join(f"{n}: {t:.1f}" for n, t in times.items())


def fitting(args):
    out = []
    # 4.1: f(x) = 0.2 sin(6x) for x < 0, 1 + 0.1 x cos(14x) otherwise, on [-3, 3], 5 training points, 1x40 cos.
    xs = list(np.linspace(-3, 3, 5))
    f = lambda x: 0.2 * math.sin(6 * x) if x < 0 else 1 + 0.1 * x * math.cos(14 * x)
    step = "((x + abs(x)) / (2*abs(x)))"  # 1 for x > 0, 0 for x < 0 (the grid avoids x = 0)
    exact = f"0.2*sin(6*x)*(1 - {step}) + (1 + 0.1*x*cos(14*x))*{step}"
    results = {}
    acts = [("fixed", "cos"), ("L-LAAF", {"type": "l-laaf", "function": "cos", "n": 10})] + [
        (f"Rowdy-{k}", {"type": "rowdy", "base": "cos", "terms": k, "n": 10, "extra": "sin"}) for k in (3, 6, 9)]
    for lr in (8e-6, 1e-3):
        for name, act in acts:
            c = {"description": "paper 4.1", "pde": {"type": "poisson"}, "domain": {"type": "interval", "x": [-3, 3]},
                 "exact_solution": exact, "forcing": "0", "boundary_value": "0",
                 "network": {"hidden_layers": [40], "activation": act}, "seed": 0,
                 "collocation": {"interior": 1}, "loss": {"residual_weight": 0, "boundary_weight": 0},
                 "data": {"points": xs, "values": [f(x) for x in xs]},
                 "training": {"stages": [{"optimizer": "adam", "iterations": args.iterations, "learning_rate": lr}]},
                 "output": {"grid": [1000], "history_interval": max(1, args.iterations // 100)}}
            label = f"{name}, lr {lr:g}"
            results[label] = [run(args.pinn, c, os.path.join(args.out, f"fit41-{name}-lr{lr:g}"))]
    curves(results, "Paper §4.1: discontinuous function, 5 points, 1×40 cos (loss = data misfit)",
           os.path.join(args.out, "fitting-4.1.png"), keys=("loss",))
    out.append("§4.1 discontinuous function (loss = mean squared misfit at the 5 points):\n\n" +
               table(results, [c for c in (1000, 5000, 20000, 50000) if c <= args.iterations], keys=("loss",)))
    # 4.2: sin(m pi x) on [0, 2 pi], 100 points, 3x50 cos, Rowdy-9, n = 10, lr 4e-6 (and 4e-3 as in 4.2.1).
    results = {}
    for m in (1, 100, 200):
        xs = list(np.linspace(0, 2 * math.pi, 100))
        for lr in (4e-6, 4e-3):
            for name, act in (("fixed", "cos"), ("L-LAAF", {"type": "l-laaf", "function": "cos", "n": 10}),
                              ("Rowdy-9", {"type": "rowdy", "base": "cos", "terms": 9, "n": 10, "extra": "sin"})):
                c = {"description": "paper 4.2", "pde": {"type": "poisson"},
                     "domain": {"type": "interval", "x": [0, 2 * math.pi]},
                     "exact_solution": f"sin({m}*pi*x)", "forcing": "0", "boundary_value": "0",
                     "network": {"hidden_layers": [50, 50, 50], "activation": act}, "seed": 0,
                     "collocation": {"interior": 1}, "loss": {"residual_weight": 0, "boundary_weight": 0},
                     "data": {"points": xs, "values": [math.sin(m * math.pi * x) for x in xs]},
                     "training": {"stages": [{"optimizer": "adam", "iterations": args.iterations, "learning_rate": lr}]},
                     "output": {"grid": [2001], "history_interval": max(1, args.iterations // 100)}}
                label = f"m={m} {name}, lr {lr:g}"
                results[label] = [run(args.pinn, c, os.path.join(args.out, f"fit42-m{m}-{name}-lr{lr:g}"))]
    curves(results, "Paper §4.2: sin(mπx), 100 points, 3×50 cos", os.path.join(args.out, "fitting-4.2.png"), keys=("loss",))
    out.append("§4.2 sin(mπx) (loss = mean squared misfit at the 100 points):\n\n" +
               table(results, [c for c in (1000, 5000, 20000, 50000) if c <= args.iterations], keys=("loss",)))
    return "\n\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("experiment", choices=["helmholtz", "high-frequency", "switch", "fitting"])
    p.add_argument("--pinn", default=os.path.join(ROOT, ".build/release/pinn"))
    p.add_argument("--out", default=None)
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--iterations", type=int, default=10000)
    args = p.parse_args()
    args.out = args.out or os.path.join(ROOT, "experiments-out", args.experiment)
    os.makedirs(args.out, exist_ok=True)
    text = {"helmholtz": helmholtz, "high-frequency": high_frequency, "switch": switch, "fitting": fitting}[args.experiment](args)
    with open(os.path.join(args.out, "table.md"), "w") as f:
        f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
