#!/usr/bin/env python3
"""Plot a pinn result file: prediction, exact solution, error map, and loss / error curves. For 3D results the maps
are the slice through the middle of the z axis (or the one given by --z).

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
    p.add_argument("--z", type=float, help="3D results: the z of the slice to plot (default: the middle of the grid)")
    args = p.parse_args()
    out = args.output or args.result.rsplit(".", 1)[0] + ".png"

    with h5py.File(args.result, "r") as f:
        x = f["grid/x"][:]
        two_d = "grid/y" in f
        y = f["grid/y"][:] if two_d else None
        # 3D: the (ny, nx) slice k of every (nz, ny, nx) field.
        z = f["grid/z"][:] if "grid/z" in f else None
        k = None if z is None else (len(z) // 2 if args.z is None else int(np.argmin(np.abs(z - args.z))))
        def field(name):
            if name not in f:
                return None
            values = f[name][:]
            return values if k is None else values[k]
        u = field("solution/u")
        u_exact = field("solution/u_exact")
        err = field("solution/abs_error")
        residual = field("solution/residual")
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
    slice_note = "" if k is None else f", slice z = {z[k]:g}"
    fig.suptitle(f"{title} ({status}{slice_note})")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
