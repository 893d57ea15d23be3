#!/usr/bin/env python3
"""Reference solution of viscous Burgers, u_t + u u_x = nu u_xx on [-1, 1] x [0, T], u(x, 0) = -sin(pi x),
u(+-1, t) = 0, by the Cole-Hopf transform (numpy, not pinn).

u = -2 nu phi_x / phi with phi the heat-equation solution from phi0(y) = exp(-F(y) / (2 nu)), F(y) = int_0^y u0:

    u(x, t) = B / (t A),   u_x(x, t) = (1 - Var / (2 nu t)) / t,
    A = int w, B = int s w, Var = int s^2 w / A - (B / A)^2,   s = x - y,  w = exp(-s^2 / (4 nu t) - F(y) / (2 nu)).

The odd, 2-periodic extension of u0 keeps u(+-1, t) = 0, so y runs over the real line. Plain Gauss-Hermite
quadrature (around y = x) fails near the shock (t ~ 1/pi): exp(-F/(2 nu)) reaches e^(1/(nu pi)) = e^100 and
cancels the Gaussian, so the integrand peaks far from x, in two narrow bumps. Here the exponent is shifted by its
maximum and integrated by composite Gauss-Legendre on panels much narrower than the narrowest bump
(sqrt(4 nu t / max(1, |E''|)) resolved by >= 4 panels), over the window where the integrand exceeds e^-60 of its peak.

Checks (--check): the published steepest slope |u_x(0, 1.6037/pi)| = 152.00516 (Basdevant et al. 1986), and the
quadrature against the closed form of a Cole-Hopf pair (phi = 1 + a e^(-nu k^2 t) cos k x, a smooth case).

Usage: burgers.py --out reference.h5 [--nx 256 --nt 101 --nu 0.01/pi]; burgers.py --check
"""
import argparse
import sys

import numpy as np

from reference_file import write_reference

NU = 0.01 / np.pi
GAUSS_NODES, GAUSS_WEIGHTS = np.polynomial.legendre.leggauss(16)


def burgers_potential(y, nu):
    """F(y) / (2 nu) for u0 = -sin(pi y): F = (cos(pi y) - 1) / pi."""
    return (np.cos(np.pi * y) - 1.0) / np.pi / (2.0 * nu)


def moments(x, t, nu, potential, curvature):
    """A, B / A and Var of the weight w(y) = exp(-(x - y)^2 / (4 nu t) - potential(y)), shifted by its maximum.

    curvature bounds |potential''| (sets the narrowest bump: both terms of the exponent can be steep)."""
    width = np.sqrt(4.0 * nu * t)
    # The exponent -s^2/(4 nu t) - P(y) <= -s^2/(4 nu t) + max(-P) - min(-P): beyond |s| = width * sqrt(60 + range)
    # the integrand is below e^-60 of any value it takes inside.
    y_probe = np.linspace(x - 3.0, x + 3.0, 6001)
    p_probe = potential(y_probe)
    spread = p_probe.max() - p_probe.min()
    half = width * np.sqrt(60.0 + spread)
    bump = min(width, 1.0 / np.sqrt(max(curvature, 1e-300)))
    panels = int(np.ceil(2 * half / (bump / 4.0)))
    panels = max(64, min(panels, 400_000))
    edges = np.linspace(x - half, x + half, panels + 1)
    mid, rad = 0.5 * (edges[1:] + edges[:-1]), 0.5 * (edges[1:] - edges[:-1])
    y = (mid[:, None] + rad[:, None] * GAUSS_NODES[None, :]).ravel()
    q = (rad[:, None] * GAUSS_WEIGHTS[None, :]).ravel()
    s = x - y
    exponent = -s * s / (4.0 * nu * t) - potential(y)
    w = q * np.exp(exponent - exponent.max())
    a = w.sum()
    mean = (w * s).sum() / a
    var = (w * (s - mean) ** 2).sum() / a
    return a, mean, var


def burgers(x, t, nu=NU):
    """u(x, t) and u_x(x, t) for u0 = -sin(pi x)."""
    if t == 0:
        return -np.sin(np.pi * x), -np.pi * np.cos(np.pi * x)
    _, mean, var = moments(x, t, nu, lambda y: burgers_potential(y, nu), np.pi / (2 * nu))
    return mean / t, (1.0 - var / (2.0 * nu * t)) / t


def check():
    ok = True
    t_star = 1.6037 / np.pi
    _, slope = burgers(0.0, t_star)
    print(f"u_x(0, 1.6037/pi) = {slope:.8f}  (published -152.00516; |difference| {abs(abs(slope) - 152.00516):.2e})")
    ok &= abs(abs(slope) - 152.00516) < 1e-5
    # A closed-form Cole-Hopf pair: phi = 1 + a e^(-nu k^2 t) cos(k y), u = 2 nu a k e^(-nu k^2 t) sin(k x) / phi.
    nu, a, k = 0.05, 0.8, np.pi
    potential = lambda y: -np.log1p(a * np.cos(k * y))  # F / (2 nu) = -log(phi0 / phi0(0)) up to a constant
    worst = 0.0
    for t in [0.05, 0.3, 1.0]:
        for x in np.linspace(-1, 1, 9):
            decay = np.exp(-nu * k * k * t)
            phi = 1 + a * decay * np.cos(k * x)
            exact = 2 * nu * a * k * decay * np.sin(k * x) / phi
            _, mean, _ = moments(x, t, nu, potential, a * k * k / (1 - a) ** 2)
            worst = max(worst, abs(mean / t - exact))
    print(f"closed-form Cole-Hopf pair: max |error| {worst:.2e}")
    ok &= worst < 1e-10
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="the reference HDF5 file to write")
    parser.add_argument("--nx", type=int, default=256)
    parser.add_argument("--nt", type=int, default=101)
    parser.add_argument("--final-time", type=float, default=1.0)
    parser.add_argument("--check", action="store_true", help="check the quadrature and exit")
    args = parser.parse_args()
    if args.check:
        sys.exit(0 if check() else 1)
    if not args.out:
        parser.error("--out is required (or --check)")
    xs = np.linspace(-1, 1, args.nx)
    ts = np.linspace(0, args.final_time, args.nt)
    u = np.array([[burgers(x, t)[0] for x in xs] for t in ts])
    u[:, 0] = u[:, -1] = 0.0  # the boundary values exactly (the quadrature gives them to ~1e-17)
    write_reference(args.out, xs, ts, u,
                    "Burgers u_t + u u_x = (0.01/pi) u_xx, u0 = -sin(pi x): Cole-Hopf reference (scripts/references/burgers.py)")


if __name__ == "__main__":
    main()
