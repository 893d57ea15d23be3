#!/usr/bin/env python3
"""Reference solution of the Lorenz system, written as observations for the PINN toolkit.

Computes the solution of
    x' = sigma (y - x),   y' = x (rho - z) - y,   z' = x y - beta z,
with sigma = 10, rho = 15, beta = 8/3, (x, y, z)(0) = (-8, 7, 27), at COUNT equispaced times
t_i = 3 i / (COUNT - 1) on [0, 3] (COUNT = 61: t = 0, 0.05, ..., 3), and writes a CSV file with header
`t,x,y,z` and one row per time, every number printed with repr (shortest string that round-trips the double,
at most 17 significant digits).

Method: classical explicit Taylor-series method. The Taylor coefficients of the solution about the current
point follow exactly from the recurrences (Cauchy products for the quadratic terms)
    x_{k+1} = sigma (y_k - x_k) / (k + 1),
    y_{k+1} = (rho x_k - (x z)_k - y_k) / (k + 1),
    z_{k+1} = ((x y)_k - beta z_k) / (k + 1),      (a b)_k = sum_{i=0..k} a_i b_{k-i},
and the truncated series is summed by Horner's rule. Fixed step h = 0.05 / 4 = 0.0125 (at most 0.0125 for other
COUNT values), landing exactly on every output time. The written values come from an order-40 integration in
50-digit decimal arithmetic (standard-library `decimal`), rounded to doubles; at the initial point the order-40
term is ~2e-45, so their error is the final rounding to double (half an ulp, <= 1.8e-15 since all |values| < 32).

Accuracy check (printed; the script exits with status 1 if either difference exceeds 1e-11):
  1. step halving: the 50-digit integration is repeated with step h/2; max |u(h) - u(h/2)| over all output times
     and components, computed in 50 digits (measures the truncation error; about 4e-44);
  2. two orders and two arithmetics: an order-30 integration in ordinary double precision with step h is
     compared with the written values; max |u_double - u_50digits| (the rounding error a plain double-precision
     integration would incur; about 5e-15).

Noise: with --noise S > 0, each of x, y, z gets independent Gaussian noise of standard deviation S times the
(population) standard deviation of that component over the COUNT samples, drawn as
numpy.random.default_rng(SEED).standard_normal((COUNT, 3)) (columns x, y, z). t is never perturbed.

Usage (from the repository root; only numpy and the standard library are needed):
    python3 scripts/references/lorenz.py --out problems/data/lorenz-observations.csv
    python3 scripts/references/lorenz.py --out problems/data/lorenz-observations-noisy.csv --noise 0.01 --seed 0
Options: --count N (default 61), --noise S (default 0.0), --seed K (default 0).
"""
import argparse
import decimal
import math
import sys

import numpy as np

T_END = 3
X0 = (-8, 7, 27)
TOLERANCE = 1e-11
MAX_STEP = 0.0125


def taylor_step(state, h, order, sigma, rho, beta, zero):
    """One Taylor step of the given order from `state` with step h (works for float and Decimal scalars)."""
    x, y, z = [state[0]], [state[1]], [state[2]]
    for k in range(order):
        xz = sum((x[i] * z[k - i] for i in range(k + 1)), zero)
        xy = sum((x[i] * y[k - i] for i in range(k + 1)), zero)
        x.append(sigma * (y[k] - x[k]) / (k + 1))
        y.append((rho * x[k] - xz - y[k]) / (k + 1))
        z.append((xy - beta * z[k]) / (k + 1))
    result = []
    for c in (x, y, z):
        s = c[order]
        for k in range(order - 1, -1, -1):
            s = s * h + c[k]
        result.append(s)
    return result


def integrate(count, substeps, order=30, exact=False):
    """Solution at the COUNT output times with `substeps` Taylor steps per output interval: COUNT rows [x, y, z].

    exact=True uses Decimal arithmetic at the current context precision (step and parameters in Decimal),
    else doubles."""
    if exact:
        D = decimal.Decimal
        sigma, rho, beta, zero = D(10), D(15), D(8) / D(3), D(0)
        h = D(T_END) / D((count - 1) * substeps)
        state = [D(v) for v in X0]
    else:
        sigma, rho, beta, zero = 10.0, 15.0, 8.0 / 3.0, 0.0
        h = T_END / ((count - 1) * substeps)
        state = [float(v) for v in X0]
    out = [list(state)]
    for _ in range(count - 1):
        for _ in range(substeps):
            state = taylor_step(state, h, order, sigma, rho, beta, zero)
        out.append(list(state))
    return out


def main():
    parser = argparse.ArgumentParser(description="Reference solution of the Lorenz system (sigma=10, rho=15, "
                                                 "beta=8/3, x0=(-8,7,27)) on [0, 3] as a CSV t,x,y,z.")
    parser.add_argument("--out", required=True, help="output CSV path")
    parser.add_argument("--count", type=int, default=61, help="number of equispaced output times (>= 2)")
    parser.add_argument("--noise", type=float, default=0.0, help="relative Gaussian noise level (0.01 = 1 %%)")
    parser.add_argument("--seed", type=int, default=0, help="seed for numpy.random.default_rng")
    args = parser.parse_args()
    if args.count < 2:
        parser.error("--count must be at least 2")
    if args.noise < 0:
        parser.error("--noise must be non-negative")

    substeps = max(1, math.ceil(T_END / (args.count - 1) / MAX_STEP - 1e-9))
    h = T_END / ((args.count - 1) * substeps)
    with decimal.localcontext() as context:
        context.prec = 50
        exact = integrate(args.count, substeps, order=40, exact=True)
        halved = integrate(args.count, 2 * substeps, order=40, exact=True)
        halving = float(max(abs(a - b) for row, other in zip(exact, halved) for a, b in zip(row, other)))
    reference = np.array(exact, dtype=float)
    double = np.array(integrate(args.count, substeps, order=30))
    versus_double = float(np.max(np.abs(double - reference)))
    print(f"Taylor order 40, 50 digits, step h = {h:.6g}: max |u(h) - u(h/2)| over the output times = {halving:.3e}")
    print(f"Taylor order 30, double precision, step h: max |u_double - u_50digits| = {versus_double:.3e}")
    if not (halving <= TOLERANCE and versus_double <= TOLERANCE):
        print(f"accuracy check FAILED (tolerance {TOLERANCE:g})", file=sys.stderr)
        return 1

    values = reference.copy()  # the 50-digit run rounded to doubles
    if args.noise > 0:
        rng = np.random.default_rng(args.seed)
        scale = args.noise * np.std(values, axis=0)
        values = values + rng.standard_normal(values.shape) * scale
    times = [T_END * i / (args.count - 1) for i in range(args.count)]
    with open(args.out, "w") as f:
        f.write("t,x,y,z\n")
        for t, row in zip(times, values):
            f.write(",".join(repr(float(v)) for v in (t, *row)) + "\n")
    noise = f" (noise {args.noise:g}, seed {args.seed})" if args.noise > 0 else ""
    print(f"wrote {args.count} rows to {args.out}{noise}")
    print("t = 3: x = {!r}, y = {!r}, z = {!r}".format(*(float(v) for v in reference[-1])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
