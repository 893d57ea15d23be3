#!/usr/bin/env python3
"""Plot a pinn result file: prediction, exact solution, error map, and loss / error curves.

Usage: python3 scripts/plot.py RESULT.h5 [-o RESULT.png]
Needs h5py and matplotlib (pip install h5py matplotlib).
"""
import argparse

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("result")
    p.add_argument("-o", "--output")
    args = p.parse_args()
    out = args.output or args.result.rsplit(".", 1)[0] + ".png"

    with h5py.File(args.result, "r") as f:
        x = f["grid/x"][:]
        two_d = "grid/y" in f
        y = f["grid/y"][:] if two_d else None
        u = f["solution/u"][:]
        u_exact = f["solution/u_exact"][:] if "solution/u_exact" in f else None
        err = f["solution/abs_error"][:] if "solution/abs_error" in f else None
        residual = f["solution/residual"][:]
        it = f["history/iteration"][:]
        loss = f["history/loss"][:]
        # Terms present in this run: pde, boundary (absent with hard Dirichlet constraints), data, slope recovery.
        terms = {k[5:]: f["history/" + k][:] for k in f["history"] if k.startswith("loss_")}
        rel = f["history/rel_l2"][:] if "history/rel_l2" in f else None
        erank = f["history/erank"][:] if "history/erank" in f else None
        erank_it = f["history/erank_iteration"][:] if erank is not None else None
        epsilons = f["history/erank"].attrs["epsilons"] if erank is not None else None
        title = f.attrs.get("problem_path", args.result)
        status = f.attrs.get("status", "")

    panels = [("prediction u", u)]
    if u_exact is not None:
        panels += [("exact u*", u_exact), ("|u − u*|", err)]
    else:
        panels += [("PDE residual", residual)]
    extra = 2 if erank is not None else 1
    fig, axes = plt.subplots(1, len(panels) + extra, figsize=(4.6 * (len(panels) + extra), 4))
    for ax, (name, field) in zip(axes, panels):
        if two_d:
            im = ax.pcolormesh(x, y, field, shading="auto", cmap="viridis" if "|" not in name else "magma")
            ax.set_aspect("equal")
            ax.set_xlabel("x")
            ax.set_ylabel("y")
            fig.colorbar(im, ax=ax, shrink=0.85)
        else:
            ax.plot(x, field)
            ax.set_xlabel("x")
        ax.set_title(name)
    if erank is not None:
        ax = axes[-1]
        for k, eps in enumerate(epsilons):
            ax.step(erank_it, erank[:, k], where="post", label=f"ε = {eps:g}")
        ax.set_xlabel("iteration")
        ax.set_title("ε-rank, last hidden layer")
        ax.legend(fontsize=8)
    ax = axes[len(panels)]
    ax.semilogy(it, loss, label="loss")
    for name, values in terms.items():
        ax.semilogy(it, values, label=f"loss ({name.replace('_', ' ')})", alpha=0.7)
    if rel is not None:
        ax.semilogy(it, rel, label="relative L2 error", color="k")
    ax.set_xlabel("iteration")
    ax.legend(fontsize=8)
    ax.set_title("training")
    fig.suptitle(f"{title} ({status})")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
