#!/usr/bin/env python3
"""Milliseconds per Levenberg-Marquardt iteration against one Adam iteration, on the *-accurate problem files.

Runs each file's Adam stage and ITERATIONS LM iterations with 1 and 2 threads and reads the per-stage time from
the history (wall time between the stage's first and last records, history evaluations included).

Usage: python3 scripts/benchmark_lm.py [--pinn .build/release/pinn] [--iterations 100]
"""
import argparse, json, os, subprocess, tempfile

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = ["problems/poisson-accurate.json", "problems/helmholtz-accurate.json",
         "problems/helmholtz-high-frequency-accurate.json"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pinn", default=os.path.join(ROOT, ".build/release/pinn"))
    ap.add_argument("--iterations", type=int, default=100)
    args = ap.parse_args()
    out = tempfile.mkdtemp()
    print("| problem | P | N | threads | Adam ms/it | LM ms/it | LM / Adam |")
    print("|---|---|---|---|---|---|---|")
    for file in FILES:
        config = json.load(open(os.path.join(ROOT, file)))
        adam = config["training"]["stages"][0]["iterations"]
        config["training"]["stages"][1]["iterations"] = args.iterations
        config["training"].pop("time_limit", None)
        config["output"]["history_interval"] = 10
        path = os.path.join(out, "p.json")
        json.dump(config, open(path, "w"))
        for threads in (1, 2):
            h5 = os.path.join(out, "r.h5")
            subprocess.run([args.pinn, "solve", path, "-o", h5, "--quiet", "--threads", str(threads)], check=True)
            with h5py.File(h5) as f:
                it, t = f["history/iteration"][:], f["history/wall_time"][:]
                p = f["model/parameters"].shape[0]
                n = f["collocation/interior"].shape[0] + f["collocation/boundary"].shape[0]
            a = t[np.searchsorted(it, adam)] / adam
            lm = (t[-1] - t[np.searchsorted(it, adam)]) / (it[-1] - adam)
            print(f"| {os.path.basename(file)} | {p} | {n} | {threads} | {1000 * a:.2f} | {1000 * lm:.1f} | {lm / a:.0f} |")


if __name__ == "__main__":
    main()
