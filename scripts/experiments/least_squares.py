#!/usr/bin/env python3
"""Experiments of issue 15 (the ε-rank paper, Yang, Zhao & Zhu 2024, §4.2–4.3), run through the pinn binary.

  fitting  Example 4.3: 2D function fitting by least squares with the same number of neurons as an extreme
           learning machine (one domain) and as the random feature method (indicator partition of unity, 2 × 2 and
           4 × 4 subdomains), several UDI shape parameters γ: the features' ε-rank and the error of each.
  resnet   Example 4.4: the ε-rank of every hidden layer during training, for an MLP and a ResNet of comparable
           parameter counts (1D multi-frequency fitting, Adam).
  versus   Least squares against trained PINNs (Adam → Levenberg–Marquardt) on the same problems: error and wall
           time side by side.

Usage: python3 scripts/experiments/least_squares.py EXPERIMENT [--pinn .build/release/pinn] [--out DIR]
Writes DIR/table.md (and PNG plots for resnet). Needs h5py, numpy, matplotlib. Errors are against closed forms.
"""
import argparse, json, math, os, subprocess, time

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

FIT_TARGET = "sin(2*pi*x)*sin(2*pi*y) + 0.5*sin(6*pi*x)*cos(4*pi*y) + 0.25*cos(8*pi*x + 2*pi*y)"


def fit_target(x, y):
    return (np.sin(2 * np.pi * x) * np.sin(2 * np.pi * y) + 0.5 * np.sin(6 * np.pi * x) * np.cos(4 * np.pi * y)
            + 0.25 * np.cos(8 * np.pi * x + 2 * np.pi * y))


def run(pinn, config, tag, extra=()):
    with open(tag + ".json", "w") as f:
        json.dump(config, f)
    start = time.perf_counter()
    subprocess.run([pinn, "solve", tag + ".json", "--output", tag + ".h5", "--quiet", *extra], check=True)
    wall = time.perf_counter() - start
    with h5py.File(tag + ".h5", "r") as h:
        attrs = dict(h.attrs)
        history = {k: h["history"][k][()] for k in h["history"].keys() if not isinstance(h["history"][k], h5py.Group)}
        attrs["parameter_count"] = h["model/parameters"].shape[0]
        # ε-ranks per hidden layer (layer_1 … layer_L; the last is /history/erank).
        ranks = {}
        if "erank_iteration" in h["history"]:
            ranks["iteration"] = h["history/erank_iteration"][()]
            layers = sorted(int(k.split("_")[-1]) for k in h["history"].keys() if k.startswith("erank_layer_"))
            for l in layers:
                ranks[f"layer_{l}"] = h[f"history/erank_layer_{l}"][()]
            ranks[f"layer_{len(layers) + 1}"] = h["history/erank"][()]
    return attrs, history, ranks, wall


def fitting(args):
    n = 120
    xs = np.linspace(-1, 1, n)
    grid = [[float(x), float(y)] for y in xs for x in xs]
    values = [float(fit_target(x, y)) for x, y in grid]
    rows = ["| neurons | subdomains | γ | ε-rank (ε = 1e-1/1e-2/1e-3/1e-4) | numerical rank | relative L2 | max error | solve |",
            "|---|---|---|---|---|---|---|---|"]
    for m in args.neurons:
        for sub in [1, 2, 4]:
            for gamma in [0.5, 1, 2]:
                config = {"description": "Example 4.3 function fitting", "pde": {"type": "poisson"},
                          "domain": {"type": "rectangle", "x": [-1, 1], "y": [-1, 1]},
                          "exact_solution": FIT_TARGET, "forcing": "0", "boundary_value": "0",
                          "network": {"hidden_layers": [m], "activation": "tanh",
                                      "first_layer": {"type": "udi", "gamma": gamma}},
                          "seed": 0, "collocation": {"interior": 1, "boundary": 4},
                          "loss": {"residual_weight": 0, "boundary_weight": 0},
                          "data": {"points": grid, "values": values},
                          "training": {"method": "least_squares", "least_squares": {"solver": "svd", "cutoff": 1e-13},
                                       "threads": 2},
                          "output": {"grid": [201, 201]}}
                if sub > 1:
                    config["network"]["partition_of_unity"] = {"subdomains": [sub, sub], "variant": "indicator"}
                attrs, _, _, wall = run(args.pinn, config, os.path.join(args.out, f"fit-{m}-{sub}-{gamma}"))
                erank = "/".join(str(int(r)) for r in attrs["feature_erank"])
                rows.append(f"| {m} | {sub} × {sub} | {gamma} | {erank} | {int(attrs['least_squares_rank'])} | "
                            f"{attrs['final_rel_l2']:.2e} | {attrs['final_max_error']:.2e} | {wall:.1f} s |")
                print(rows[-1], flush=True)
    return rows


def resnet(args):
    target = "sin(2*pi*x) + 0.5*sin(8*pi*x) + 0.25*sin(16*pi*x)"
    xs = np.linspace(-1, 1, 400)
    values = [math.sin(2 * math.pi * x) + 0.5 * math.sin(8 * math.pi * x) + 0.25 * math.sin(16 * math.pi * x)
              for x in xs]
    rows = ["| network | parameters | seed | last hidden layer's ε-rank (ε = 1e-3) at 0 / 1000 / 5000 | per layer at 5000 | relative L2 |",
            "|---|---|---|---|---|---|"]
    curves = {}
    for name, residual in [("MLP", False), ("ResNet", True)]:
        for seed in range(args.seeds):
            config = {"description": "Example 4.4 fitting", "pde": {"type": "poisson"},
                      "domain": {"type": "interval", "x": [-1, 1]}, "exact_solution": target, "forcing": "0",
                      "boundary_value": "0",
                      "network": {"hidden_layers": [40] * 5, "activation": "tanh", "residual_blocks": residual},
                      "seed": seed, "collocation": {"interior": 1}, "loss": {"residual_weight": 0, "boundary_weight": 0},
                      "data": {"points": [float(x) for x in xs], "values": values},
                      "training": {"stages": [{"optimizer": "adam", "iterations": 5000, "learning_rate": 1e-3}],
                                   "threads": 2},
                      "diagnostics": {"erank_every": 100, "erank_all_layers": True},
                      "output": {"grid": [1001], "history_interval": 100}}
            attrs, history, ranks, _ = run(args.pinn, config, os.path.join(args.out, f"resnet-{name}-{seed}"))
            iterations = ranks["iteration"]
            layers = sorted((k for k in ranks if k.startswith("layer_")), key=lambda k: int(k.split("_")[1]))
            eps_index = 2  # ε = 1e-3 among the default four

            def at(layer, it):
                i = int(np.argmin(np.abs(iterations - it)))
                return int(ranks[layer][i][eps_index])
            last = layers[-1]
            rows.append(f"| {name} | {int(attrs['parameter_count'])} | {seed} | "
                        f"{at(last, 0)} / {at(last, 1000)} / {at(last, 5000)} | "
                        f"{' '.join(str(at(l, 5000)) for l in layers)} | {attrs['final_rel_l2']:.2e} |")
            print(rows[-1], flush=True)
            curves[(name, seed)] = (iterations, {l: ranks[l][:, eps_index] for l in layers})
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
        for ax, name in zip(axes, ["MLP", "ResNet"]):
            iterations, per_layer = curves[(name, 0)]
            for l, r in per_layer.items():
                ax.plot(iterations, r, label=l.replace("_", " "))
            ax.set_title(f"{name}, seed 0: ε-rank (ε = 1e-3) per hidden layer")
            ax.set_xlabel("iteration")
            ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(args.out, "resnet-erank.png"), dpi=120)
    except ImportError:
        pass
    return rows


def versus(args):
    rows = ["| problem | method | relative L2 | max error | wall time |", "|---|---|---|---|---|"]
    pairs = [("Poisson sin πx sin πy", "poisson-least-squares.json", "poisson-accurate.json"),
             ("Helmholtz sin πx sin 4πy", "helmholtz-least-squares.json", "helmholtz-accurate.json"),
             ("−Δu + u³ = f", "nonlinear-poisson-least-squares.json", None)]
    for label, ls, pinn in pairs:
        for method, name in [("least squares", ls), ("PINN, Adam → LM", pinn)]:
            with open(os.path.join(ROOT, "problems", ls)) as f:
                config = json.load(f)
            if name is None:
                # The same problem trained: a 2-40-40-1 tanh PINN, Adam then Levenberg–Marquardt.
                config["network"] = {"hidden_layers": [40, 40], "activation": "tanh"}
                config["collocation"] = {"interior": 2000, "boundary": 400, "distribution": "sobol"}
                config["training"] = {"stages": [{"optimizer": "adam", "iterations": 2000, "learning_rate": 1e-3},
                                                 {"optimizer": "lm", "iterations": 1000}], "threads": 2}
            elif name != ls:
                with open(os.path.join(ROOT, "problems", name)) as f:
                    config = json.load(f)
            attrs, _, _, wall = run(args.pinn, config, os.path.join(args.out, f"versus-{len(rows)}"))
            rows.append(f"| {label} | {method} ({name or 'see the script'}) | {attrs['final_rel_l2']:.2e} | "
                        f"{attrs['final_max_error']:.2e} | {wall:.1f} s |")
            print(rows[-1], flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("experiment", choices=["fitting", "resnet", "versus"])
    parser.add_argument("--pinn", default=os.path.join(ROOT, ".build", "release", "pinn"))
    parser.add_argument("--out", default="/tmp/pinn-least-squares")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--neurons", type=int, nargs="+", default=[400, 1600])
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows = {"fitting": fitting, "resnet": resnet, "versus": versus}[args.experiment](args)
    with open(os.path.join(args.out, "table.md"), "w") as f:
        f.write("\n".join(rows) + "\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
