#!/usr/bin/env python3
"""Plot a pinn result file: per field the prediction, exact solution and error map (or the residuals when no exact
solution is known), then the loss / error curves, the unknown coefficients' convergence and the ε-rank when
recorded. For 3D results the maps are the slice through the middle of the z axis (or the one given by --z).

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
    p.add_argument("--z", type=float, help="3D results (or 2D space over time): the z (or t) of the slice to plot "
                                          "(default: the middle of the grid)")
    args = p.parse_args()
    out = args.output or args.result.rsplit(".", 1)[0] + ".png"

    with h5py.File(args.result, "r") as f:
        # Coordinate names: x, y, z, or x[, y], t for time-dependent problems (time last).
        names = f.attrs["coordinates"].split(",") if "coordinates" in f.attrs else [a for a in "xyz" if f"grid/{a}" in f]
        x = f["grid/" + names[0]][:]
        two_d = len(names) >= 2
        y = f["grid/" + names[1]][:] if two_d else None
        # 3D (or 2D space over time): the (ny, nx) slice k of every (nz, ny, nx) / (nt, ny, nx) field.
        z = f["grid/" + names[2]][:] if len(names) == 3 else None
        k = None if z is None else (len(z) // 2 if args.z is None else int(np.argmin(np.abs(z - args.z))))
        def field(name):
            if name not in f:
                return None
            values = f[name][:]
            return values if k is None else values[k]
        fields = f.attrs["fields"].split(",") if "fields" in f.attrs else ["u"]
        single = len(fields) == 1
        rows = []
        for name in fields:
            exact = field(f"solution/{name}_exact")
            error = field("solution/abs_error" if single else f"solution/{name}_abs_error")
            if exact is not None:
                rows.append([(f"prediction {name}", field(f"solution/{name}")), (f"exact {name}*", exact),
                             (f"|{name} − {name}*|", error)])
            else:
                rows.append([(f"prediction {name}", field(f"solution/{name}"))])
        residuals = [(key[9:] or "residual", field("solution/" + key)) for key in f["solution"] if key.startswith("residual")]
        if all(len(row) == 1 for row in rows):  # no exact solutions: show the residuals next to the fields
            rows[0] += [(f"residual {name.replace('_', ' ')}".strip(), values) for name, values in residuals]
        it = f["history/iteration"][:]
        loss = f["history/loss"][:]
        # One curve per loss term (pde, boundary, data, slope recovery, or the general form's named terms).
        terms = {k[5:]: f["history/" + k][:] for k in f["history"] if k.startswith("loss_")}
        rel = f["history/rel_l2"][:] if "history/rel_l2" in f else None
        rel_fields = {name: f[f"history/rel_l2_{name}"][:] for name in fields if f"history/rel_l2_{name}" in f}
        unknowns = {name: f["history/parameters/" + name][:] for name in f["history/parameters"]} \
            if "history/parameters" in f else {}
        erank = f["history/erank"][:] if "history/erank" in f else None
        erank_it = f["history/erank_iteration"][:] if erank is not None else None
        epsilons = f["history/erank"].attrs["epsilons"] if erank is not None else None
        title = f.attrs.get("problem_path", args.result)
        status = f.attrs.get("status", "")

    curves = ["training"] + (["unknowns"] if unknowns else []) + (["erank"] if erank is not None else [])
    columns = max(max(len(row) for row in rows), len(curves))
    fig, axes = plt.subplots(len(rows) + 1, columns, figsize=(4.6 * columns, 4 * (len(rows) + 1)), squeeze=False)
    for r, row in enumerate(rows):
        for c in range(columns):
            ax = axes[r][c]
            if c >= len(row):
                ax.axis("off")
                continue
            name, values = row[c]
            if two_d:
                im = ax.pcolormesh(x, y, values, shading="auto", cmap="viridis" if "|" not in name else "magma")
                if "t" not in names[:2]:
                    ax.set_aspect("equal")
                ax.set_xlabel(names[0])
                ax.set_ylabel(names[1])
                fig.colorbar(im, ax=ax, shrink=0.85)
            else:
                ax.plot(x, values)
                ax.set_xlabel("x")
            ax.set_title(name)
    bottom = axes[len(rows)]
    for c in range(len(curves), columns):
        bottom[c].axis("off")
    ax = bottom[0]
    ax.semilogy(it, loss, label="loss")
    for name, values in terms.items():
        ax.semilogy(it, values, label=f"loss ({name.replace('_', ' ')})", alpha=0.7)
    if rel is not None:
        ax.semilogy(it, rel, label="relative L2 error" + ("" if single else " (worst field)"), color="k")
    for name, values in rel_fields.items():
        ax.semilogy(it, values, label=f"relative L2 error {name}", linestyle="--")
    ax.set_xlabel("iteration")
    ax.legend(fontsize=7)
    ax.set_title("training")
    if unknowns:
        ax = bottom[curves.index("unknowns")]
        for name, values in unknowns.items():
            ax.plot(it, values, label=name)
        ax.set_xlabel("iteration")
        ax.set_title("unknown coefficients")
        ax.legend(fontsize=8)
    if erank is not None:
        ax = bottom[curves.index("erank")]
        for j, eps in enumerate(epsilons):
            ax.step(erank_it, erank[:, j], where="post", label=f"ε = {eps:g}")
        ax.set_xlabel("iteration")
        ax.set_title("ε-rank, last hidden layer")
        ax.legend(fontsize=8)
    slice_note = "" if k is None else f", slice {names[2]} = {z[k]:g}"
    fig.suptitle(f"{title} ({status}{slice_note})")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
