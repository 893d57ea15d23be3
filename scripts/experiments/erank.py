#!/usr/bin/env python3
"""Experiments of issue 5 (Yang, Zhao & Zhu 2024: effective rank and the staircase), run through the pinn binary.

  staircase  loss and ε-rank against iterations, Glorot initialisation: 1D multi-frequency fitting and 2D Poisson
  init       Glorot vs UDI vs the deterministic 1D grid: initial ε-rank, iterations to reach a loss, final error,
             over several seeds (1D fitting; Glorot vs UDI on 2D Poisson)

Usage: python3 scripts/experiments/erank.py EXPERIMENT [--pinn .build/release/pinn] [--out DIR] [--seeds 5]
Writes DIR/table.md and PNG plots. Needs h5py, numpy, matplotlib.
"""
import argparse, json, math, os, subprocess

import h5py
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = "sin(2*pi*x) + 0.5*sin(8*pi*x) + 0.25*sin(16*pi*x)"


def target(x):
    return math.sin(2 * math.pi * x) + 0.5 * math.sin(8 * math.pi * x) + 0.25 * math.sin(16 * math.pi * x)


def fitting_problem(seed, first_layer, iterations):
    xs = list(np.linspace(-1, 1, 200))
    return {"description": "1D multi-frequency fitting", "pde": {"type": "poisson"},
            "domain": {"type": "interval", "x": [-1, 1]}, "exact_solution": TARGET, "forcing": "0",
            "boundary_value": "0", "network": {"hidden_layers": [40, 40], "activation": "tanh", "first_layer": first_layer},
            "seed": seed, "collocation": {"interior": 1}, "loss": {"residual_weight": 0, "boundary_weight": 0},
            "data": {"points": xs, "values": [target(x) for x in xs]},
            "training": {"stages": [{"optimizer": "adam", "iterations": iterations, "learning_rate": 1e-3}]},
            "diagnostics": {"erank_every": 50}, "output": {"grid": [1001], "history_interval": 50}}


def poisson_problem(seed, first_layer, iterations):
    with open(os.path.join(ROOT, "problems", "poisson.json")) as f:
        c = json.load(f)
    c["seed"] = seed
    c["network"]["first_layer"] = first_layer
    c["training"]["stages"] = [{"optimizer": "adam", "iterations": iterations, "learning_rate": 1e-3}]
    c["diagnostics"] = {"erank_every": 50}
    c["output"] = {"grid": [101, 101], "history_interval": 50}
    return c


def run(pinn, config, tag):
    with open(tag + ".json", "w") as f:
        json.dump(config, f, indent=1)
    if not os.path.exists(tag + ".h5"):
        subprocess.run([pinn, "solve", tag + ".json", "-o", tag + ".h5", "--quiet"], check=False)
    with h5py.File(tag + ".h5", "r") as f:
        names = [k for k in f["history"].keys() if k.startswith("loss_")]
        data_loss = "loss_data" if "loss_data" in names else "loss"
        return {"iteration": f["history/iteration"][:], "loss": f["history/" + data_loss][:] if data_loss != "loss" else f["history/loss"][:],
                "rel_l2": f["history/rel_l2"][:], "erank_iteration": f["history/erank_iteration"][:],
                "erank": f["history/erank"][:], "epsilons": f["history/erank"].attrs["epsilons"]}


def staircase(args):
    runs = {"1D multi-frequency fitting (2×40 tanh, Glorot)": run(args.pinn, fitting_problem(0, {"type": "standard"}, 10000), os.path.join(args.out, "stair-1d")),
            "2D Poisson PINN (3×20 tanh, Glorot)": run(args.pinn, poisson_problem(0, {"type": "standard"}, 5000), os.path.join(args.out, "stair-poisson"))}
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, (name, r) in zip(axes, runs.items()):
        ax.semilogy(r["iteration"], r["loss"], "k", label="loss")
        ax.semilogy(r["iteration"], r["rel_l2"], "k--", label="relative L2 error")
        ax.set_xlabel("iteration")
        ax.set_title(name, fontsize=10)
        ax2 = ax.twinx()
        for k, eps in enumerate(r["epsilons"]):
            ax2.step(r["erank_iteration"], r["erank"][:, k], where="post", label=f"ε-rank, ε = {eps:g}", alpha=0.8)
        ax2.set_ylabel("ε-rank of the last hidden layer")
        lines = ax.get_legend_handles_labels()
        lines2 = ax2.get_legend_handles_labels()
        ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "staircase.png"), dpi=110)
    rows = ["| problem | iteration | loss | ε-rank (ε = 1e-1/1e-2/1e-3/1e-4) |", "|---|---|---|---|"]
    for name, r in runs.items():
        for it in [0, 500, 1000, 2000, 5000, 10000]:
            if it in list(r["erank_iteration"]):
                k = list(r["erank_iteration"]).index(it)
                j = list(r["iteration"]).index(it)
                rows.append(f"| {name} | {it} | {r['loss'][j]:.3g} | {'/'.join(str(int(v)) for v in r['erank'][k])} |")
    return "\n".join(rows)


def init(args):
    rows = ["| problem | first layer | initial ε-rank (ε=1e-3) | iterations to loss < target | final loss | final rel. L2 |",
            "|---|---|---|---|---|---|"]
    cases = [("1D fitting", fitting_problem, 10000, 1e-3,
              [("Glorot", {"type": "standard"}), ("UDI γ=2", {"type": "udi", "gamma": 2}), ("grid γ=20", {"type": "grid", "gamma": 20})]),
             ("2D Poisson", poisson_problem, 5000, 1e-2,
              [("Glorot", {"type": "standard"}), ("UDI γ=1", {"type": "udi", "gamma": 1}), ("UDI γ=2", {"type": "udi", "gamma": 2})])]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, (problem, make, iterations, goal, variants) in zip(axes, cases):
        for label, first in variants:
            results = [run(args.pinn, make(seed, first, iterations), os.path.join(args.out, f"init-{problem.replace(' ', '')}-{label.split()[0]}-{first.get('gamma', 0)}-seed{seed}"))
                       for seed in range(args.seeds)]
            initial = [r["erank"][0][2] for r in results]
            reach = []
            for r in results:
                hit = [it for it, l in zip(r["iteration"], r["loss"]) if l < goal]
                reach.append(hit[0] if hit else np.nan)
            final_loss = [r["loss"][-1] for r in results]
            final_err = [r["rel_l2"][-1] for r in results]
            fmt = lambda v: f"{np.nanmean(v):.3g} ({np.nanmin(v):.2g}–{np.nanmax(v):.2g})"
            reached = sum(1 for v in reach if not np.isnan(v))
            rows.append(f"| {problem} | {label} | {fmt(initial)} | {fmt(reach) if reached else 'not reached'} ({reached}/{len(reach)} reached {goal:g}) | {fmt(final_loss)} | {fmt(final_err)} |")
            it = results[0]["iteration"]
            data = np.array([r["loss"] for r in results])
            ax.semilogy(it, np.exp(np.mean(np.log(data), axis=0)), label=label)
            ax.fill_between(it, data.min(axis=0), data.max(axis=0), alpha=0.2)
        ax.set_title(f"{problem}: loss ({args.seeds} seeds)", fontsize=10)
        ax.set_xlabel("iteration")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "initialisation.png"), dpi=110)
    return "\n".join(rows)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("experiment", choices=["staircase", "init"])
    p.add_argument("--pinn", default=os.path.join(ROOT, ".build/release/pinn"))
    p.add_argument("--out", default=None)
    p.add_argument("--seeds", type=int, default=5)
    args = p.parse_args()
    args.out = args.out or os.path.join(ROOT, "experiments-out", args.experiment)
    os.makedirs(args.out, exist_ok=True)
    text = {"staircase": staircase, "init": init}[args.experiment](args)
    with open(os.path.join(args.out, "table.md"), "w") as f:
        f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
