#!/usr/bin/env python3
"""Collects the results of a parameter study (pinn solve STUDY.json --sweep-index I) into one CSV table, one row per
run in the order of the sweep index, and optionally a plot of the final error per run.

Usage: python3 scripts/sweep_summary.py RESULT.h5 ... [--csv OUT.csv] [--plot OUT.png]
       python3 scripts/sweep_summary.py 'helmholtz-sweep-*.h5' --plot sweep.png     (globs are expanded)

Columns: sweep_index, sweep_values, status, final_rel_l2, final_max_error, final_loss, iterations, training_time_s,
median_ms_per_iteration, processes, threads, file. Needs h5py (and matplotlib for --plot).
"""
import argparse, csv, glob, sys

COLUMNS = ["sweep_index", "sweep_values", "status", "final_rel_l2", "final_max_error", "final_loss", "iterations",
           "training_time_s", "median_ms_per_iteration", "processes", "threads", "file"]


def read(path):
    import h5py
    with h5py.File(path, "r") as f:
        row = {name: f.attrs.get(name, "") for name in COLUMNS if name != "file"}
    row["file"] = path
    for key, value in row.items():
        if hasattr(value, "item"):
            row[key] = value.item()
        if isinstance(value, bytes):
            row[key] = value.decode()
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="+")
    parser.add_argument("--csv", help="write the table here (default: standard output)")
    parser.add_argument("--plot", help="draw the final relative L2 error of each run into this image")
    args = parser.parse_args()
    paths = sorted({p for pattern in args.results for p in (glob.glob(pattern) or [pattern])})
    rows = []
    for path in paths:
        try:
            rows.append(read(path))
        except Exception as error:  # a damaged or missing file: say so, keep the others
            print(f"warning: {path}: {error}", file=sys.stderr)
    rows.sort(key=lambda r: (r["sweep_index"] if r["sweep_index"] != "" else 10**9, r["file"]))
    out = open(args.csv, "w", newline="") if args.csv else sys.stdout
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    if args.csv:
        out.close()
    if args.plot and rows:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        labels = [str(r["sweep_values"] or r["file"]) for r in rows]
        errors = [float(r["final_rel_l2"]) if r["final_rel_l2"] != "" else float("nan") for r in rows]
        fig, ax = plt.subplots(figsize=(max(5, 0.9 * len(rows)), 4))
        ax.bar(range(len(rows)), errors)
        ax.set_yscale("log")
        ax.set_xticks(range(len(rows)))
        ax.set_xticklabels(labels, rotation=45, ha="right", fontsize=8)
        ax.set_ylabel("final relative L2 error")
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)


if __name__ == "__main__":
    main()
