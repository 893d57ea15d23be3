#!/usr/bin/env python3
"""Plot a pinn result file: per field the prediction, exact solution and error map (or the residuals when no exact
solution is known), then the loss / error curves, the unknown coefficients' convergence and the ε-rank when
recorded. For 3D results the maps are the slice through the middle of the z axis (or the one given by --z).

Time-dependent results: 1D in space, the maps are space-time heat maps (x across, t up); 2D in space, the maps are
the slice at the middle time (or --z), and a second figure RESULT-snapshots.png shows the first field at four times.
The relative L2 error over time (/solution/rel_l2_over_time) is drawn when the exact solution is known. With
--animate, RESULT.mp4 (when ffmpeg is installed) or RESULT.gif shows the first field evolving in time.

Usage: python3 scripts/plot.py RESULT.h5 [-o RESULT.png] [--z T] [--animate [gif|mp4]]
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
    p.add_argument("--animate", nargs="?", const="auto", choices=["auto", "gif", "mp4"],
                   help="time-dependent results: also write an animation of the first field (mp4 needs ffmpeg)")
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
        residuals = [(key[9:], field("solution/" + key)) for key in f["solution"] if key.startswith("residual")]
        if all(len(row) == 1 for row in rows):  # no exact solutions: show the residuals next to the fields
            rows[0] += [(f"residual {name.replace('_', ' ')}".strip(), values) for name, values in residuals]
        it = f["history/iteration"][:]
        loss = f["history/loss"][:]
        # One curve per loss term (pde, boundary, data, slope recovery, or the general form's named terms); the
        # time slices of causal training (name_t0, name_t1, …) summed into their equation's curve.
        terms = {}
        for key in f["history"]:
            if key.startswith("loss_"):
                name = key[5:]
                base, _, index = name.rpartition("_t")
                name = base if base and index.isdigit() else name
                terms[name] = terms.get(name, 0) + f["history/" + key][:]
        over_time = {key: f["solution/" + key][:] for key in f["solution"] if key.endswith("rel_l2_over_time")}
        times = z if len(names) == 3 and names[-1] == "t" else (y if len(names) == 2 and names[-1] == "t" else None)
        first = fields[0]
        movie = f[f"solution/{first}"][:] if times is not None else None
        rel = f["history/rel_l2"][:] if "history/rel_l2" in f else None
        rel_fields = {name: f[f"history/rel_l2_{name}"][:] for name in fields if f"history/rel_l2_{name}" in f}
        unknowns = {name: f["history/parameters/" + name][:] for name in f["history/parameters"]} \
            if "history/parameters" in f else {}
        erank = f["history/erank"][:] if "history/erank" in f else None
        erank_it = f["history/erank_iteration"][:] if erank is not None else None
        epsilons = f["history/erank"].attrs["epsilons"] if erank is not None else None
        title = f.attrs.get("problem_path", args.result)
        status = f.attrs.get("status", "")

    curves = ["training"] + (["unknowns"] if unknowns else []) + (["erank"] if erank is not None else []) \
        + (["over_time"] if over_time and times is not None else [])
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
    if "over_time" in curves:
        ax = bottom[curves.index("over_time")]
        for key, values in over_time.items():
            ax.semilogy(times, values, label=key.replace("_rel_l2_over_time", "") if key != "rel_l2_over_time" else first)
        ax.set_xlabel("t")
        ax.set_title("relative L2 error over time")
        ax.legend(fontsize=8)
    slice_note = "" if k is None else f", slice {names[2]} = {z[k]:g}"
    fig.suptitle(f"{title} ({status}{slice_note})")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")
    if times is not None and len(names) == 3:
        snapshots(out, x, y, times, movie, first, names)
    if args.animate and times is not None:
        animate(args.animate, out, x, y if len(names) == 3 else None, times, movie, first, names)


def snapshots(out, x, y, times, values, name, names):
    """The first field of a 2D-in-space result at four times (first, a third, two thirds, last)."""
    picks = sorted({0, len(times) // 3, 2 * len(times) // 3, len(times) - 1})
    fig, axes = plt.subplots(1, len(picks), figsize=(4.2 * len(picks), 3.8), squeeze=False)
    low, high = np.nanmin(values), np.nanmax(values)
    for ax, k in zip(axes[0], picks):
        im = ax.pcolormesh(x, y, values[k], shading="auto", cmap="viridis", vmin=low, vmax=high)
        ax.set_aspect("equal")
        ax.set_title(f"{name} at t = {times[k]:g}")
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
    fig.colorbar(im, ax=list(axes[0]), shrink=0.85)
    path = out.rsplit(".", 1)[0] + "-snapshots.png"
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


def animate(kind, out, x, y, times, values, name, names):
    """The first field over time: a line u(x) per frame (1D space) or a map (2D space)."""
    import shutil
    from matplotlib import animation
    if kind == "auto":
        kind = "mp4" if shutil.which("ffmpeg") else "gif"
    if kind == "mp4" and not shutil.which("ffmpeg"):
        raise SystemExit("error: --animate mp4 needs ffmpeg on the PATH; use --animate gif")
    frames = values if y is not None else values  # (nt, ny, nx) or (nt, nx)
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    low, high = np.nanmin(frames), np.nanmax(frames)
    if y is None:
        (line,) = ax.plot(x, frames[0])
        ax.set_ylim(low - 0.05 * (high - low), high + 0.05 * (high - low))
        ax.set_xlabel(names[0])
        ax.set_ylabel(name)
        def draw(k):
            line.set_ydata(frames[k])
            ax.set_title(f"{name} at t = {times[k]:.3g}")
            return (line,)
    else:
        im = ax.pcolormesh(x, y, frames[0], shading="auto", cmap="viridis", vmin=low, vmax=high)
        ax.set_aspect("equal")
        fig.colorbar(im, ax=ax, shrink=0.85)
        def draw(k):
            im.set_array(frames[k].ravel())
            ax.set_title(f"{name} at t = {times[k]:.3g}")
            return (im,)
    movie = animation.FuncAnimation(fig, draw, frames=len(times), interval=80, blit=False)
    path = out.rsplit(".", 1)[0] + "." + kind
    writer = animation.FFMpegWriter(fps=12) if kind == "mp4" else animation.PillowWriter(fps=12)
    movie.save(path, writer=writer)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
