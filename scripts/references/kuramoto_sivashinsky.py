#!/usr/bin/env python3
"""Reference solution of Kuramoto-Sivashinsky, u_t + a u u_x + b u_xx + g u_xxxx = 0, a = 100/16, b = 100/16^2,
g = 100/16^4, on [0, 2 pi) x [0, 1], periodic in x, u(x, 0) = cos(x) (1 + sin(x)), by a Fourier pseudo-spectral
ETDRK4 solver (Cox & Matthews 2002, with the phi-functions by contour integrals as in Kassam & Trefethen 2005).
numpy only, not pinn.

u_t = L u + N(u) with v = rfft(u): L = b k^2 - g k^4 diagonal (modes 0 < |k| < 16 grow, fastest e^{25 t} at
k^2 = 128), N(v) = -a i k rfft(u^2 / 2) dealiased by the 2/3 rule: N is zeroed for k >= modes / 3, where all the
aliases of u^2 land, so the modes above modes / 3 stay exactly zero. In x' = 16 x, t' = 100 t this is the standard
u_t' + u u_x' + u_x'x' + u_x'x'x'x' = 0 on a period of 32 pi up to t' = 100: chaotic, with steep fronts by t = 1.
It is ill-conditioned: a random perturbation of u0 grows about 1.5e5 times by t = 1, and one that breaks the
symmetry of the solution, u(pi - x) = -u(x) (u0 = cos x + sin(2x) / 2 has it, the equation keeps it), faster
still. Two measures keep the rounding of the 1e5 steps from adding up: the state is updated as v += delta by
compensated (Kahan) summation, with delta = expm1(dt L) v + the ETDRK4 terms (the contour-integral coefficients
come from allen_cahn.py), and after each step it is projected on that symmetry (real coefficients for odd k, imaginary
for even k; --no-symmetry skips this). Measured once at the defaults: plain summation leaves ~5e-8 (4.6e-8 between
dt = 1e-5 and 5e-6), compensated summation 2.4e-10 (off the same scheme in 80-bit long double, numpy >= 2 FFTs;
u(pi, 1) then differs from -u(0, 1) by 1.3e-10), both measures 6e-12.

Accuracy check (every run, printed; the script exits with status 1 and writes nothing if it fails): the solution
with (--modes, --dt) is compared with one with twice the modes and half the step on the written grid; the maximum
difference must stay below --tolerance (1e-9) times max |u|. With 512 modes (170 kept, the last of them below 1e-15
of the largest; 6e-7 with 256 modes, which miss by 2.4e-6) dt = 1e-4, 5e-5, 2.5e-5, 2e-5, 1e-5 give 1.1e-6, 7.1e-8,
4.5e-9, 1.9e-9, 1.1e-10 (fourth order): the defaults, 512 modes and dt = 1e-5, pass with 1.1e-10 (3.6e-11 of
max |u| = 3.017) in about 40 s. The written solution is the one with (--modes, --dt). --check checks the solver
alone, in a second: against closed forms (the linear part, the dealiased nonlinear term), the symmetry, and its
order in dt (4).

Written grid: x_j = 2 pi j / nx, j = 0..nx (x = 2 pi repeats x = 0: pinn's output grids include both ends),
t = 0, 0.01, ..., 1 (nt times).

Usage: kuramoto_sivashinsky.py -o reference.h5 [--modes 512 --dt 1e-5 --nx 256 --nt 101 --tolerance 1e-9];
       kuramoto_sivashinsky.py --check
"""
import argparse
import sys
import time

import numpy as np

from allen_cahn import etdrk4_coefficients
from reference_file import write_reference

ALPHA, BETA, GAMMA = 100 / 16, 100 / 16 ** 2, 100 / 16 ** 4


def initial_condition(x):
    return np.cos(x) * (1 + np.sin(x))


def antisymmetric_part(v):
    """The projection of rfft coefficients onto u(pi - x) = -u(x): cosines for odd k, sines for even k."""
    return np.where(np.arange(len(v)) % 2 == 1, v.real, 1j * v.imag)


def etdrk4_compensated(u0, lin, nonlinear, dt, steps, save_every, project=None):
    """Integrates v_t = lin * v + nonlinear(v), v = rfft(u), by ETDRK4 with the state summed in compensated
    (Kahan) form, projected by `project` (if given) after each step; returns the physical states at steps 0,
    save_every, 2 save_every, ..."""
    _, _, q, f1, f2, f3 = etdrk4_coefficients(lin, dt)
    em1 = np.expm1(dt * lin)
    e2m1 = np.expm1(dt * lin / 2)
    v = np.fft.rfft(u0)
    compensation = np.zeros_like(v)
    n = len(u0)
    saved = [np.fft.irfft(v, n)]
    for step in range(1, steps + 1):
        nv = nonlinear(v)
        a = v + (e2m1 * v + q * nv)
        na = nonlinear(a)
        b = v + (e2m1 * v + q * na)
        nb = nonlinear(b)
        c = a + (e2m1 * a + q * (2 * nb - nv))
        nc = nonlinear(c)
        delta = em1 * v + f1 * nv + 2 * f2 * (na + nb) + f3 * nc
        y = delta - compensation
        updated = v + y
        compensation = (updated - v) - y
        v = updated
        if project is not None:
            v, compensation = project(v), project(compensation)
        if step % save_every == 0:
            saved.append(np.fft.irfft(v, n))
    return np.array(saved)


def ks_operators(modes, alpha=ALPHA, beta=BETA, gamma=GAMMA):
    """The grid x_j = 2 pi j / modes, the linear symbol and the dealiased nonlinear term on rfft coefficients."""
    k = np.arange(modes // 2 + 1, dtype=float)
    lin = beta * k ** 2 - gamma * k ** 4
    derivative = np.where(k < modes / 3, -0.5 * alpha * 1j * k, 0)  # -a (u^2 / 2)_x on the kept modes only
    nonlinear = lambda v: derivative * np.fft.rfft(np.fft.irfft(v, modes) ** 2)
    return 2 * np.pi * np.arange(modes) / modes, lin, nonlinear


def kuramoto_sivashinsky(modes=512, dt=1e-5, final_time=1.0, slices=101, symmetric=True):
    """u on `slices` equally spaced times in [0, final_time] and the grid x_j = 2 pi j / modes."""
    x, lin, nonlinear = ks_operators(modes)
    steps = int(round(final_time / dt))
    save_every = steps // (slices - 1)
    assert save_every * (slices - 1) == steps, "the time step must divide the output interval"
    project = antisymmetric_part if symmetric else None
    return x, np.linspace(0, final_time, slices), etdrk4_compensated(initial_condition(x), lin, nonlinear, dt,
                                                                      steps, save_every, project)


def check():
    ok = True
    modes = 64
    x, lin, nonlinear = ks_operators(modes)
    u0 = np.exp(np.sin(x)) - 1 + 0.3 * np.cos(3 * x)
    t, dt = 0.05, 1e-4
    steps = int(round(t / dt))
    # The linear KS equation (a = 0): each mode exactly e^{L t}.
    linear = etdrk4_compensated(u0, lin, lambda v: 0 * v, dt, steps, steps)[-1]
    exact = np.fft.irfft(np.fft.rfft(u0) * np.exp(lin * t), modes)
    error = np.abs(linear - exact).max()
    print(f"linear KS (N = 0), modes e^(L t): max |error| {error:.2e}")
    ok &= error < 1e-13
    # The nonlinear term: -a u u_x exactly for u with modes <= modes / 6 (u^2 within the kept modes), and zero
    # for cos(k x) with modes / 3 > k > modes / 6 (u^2 = (1 + cos 2kx) / 2: 2k lands, and aliases, above modes / 3).
    u = np.sin(x) + 0.5 * np.cos(5 * x) - 0.2 * np.sin(10 * x)
    u_x = np.cos(x) - 2.5 * np.sin(5 * x) - 2 * np.cos(10 * x)
    error = np.abs(np.fft.irfft(nonlinear(np.fft.rfft(u)), modes) + ALPHA * u * u_x).max()
    aliased = np.abs(np.fft.irfft(nonlinear(np.fft.rfft(np.cos(20 * x))), modes)).max()
    print(f"dealiased nonlinear term: max |error| {error:.2e} (band-limited u), {aliased:.1e} (cos 20x, 64 modes)")
    ok &= error < 1e-12 and aliased < 1e-12
    # The symmetry u(pi - x) = -u(x): the KS u0 has it, N keeps it (L, diagonal, does too), and the projection
    # does move a function without it (the u0 above, which is even about pi / 2).
    ks0 = initial_condition(x)
    v = antisymmetric_part(np.fft.rfft(u0 + ks0))
    error = max(np.abs(np.fft.irfft(antisymmetric_part(np.fft.rfft(ks0)), modes) - ks0).max(),
                np.abs(np.fft.irfft(antisymmetric_part(nonlinear(v)) - nonlinear(v), modes)).max())
    moved = np.abs(np.fft.irfft(antisymmetric_part(np.fft.rfft(u0)), modes) - u0).max() / np.abs(u0).max()
    print(f"symmetry u(pi - x) = -u(x): kept by u0 and N to {error:.1e}; an even u moved by {moved:.2f} of max |u|")
    ok &= error < 1e-13 and moved > 0.5
    # ETDRK4 is fourth order: the 64-mode KS system from u0 above to t = 0.2, errors against 2560 steps.
    steps_fine = 2560
    fine = etdrk4_compensated(u0, lin, nonlinear, 0.2 / steps_fine, steps_fine, steps_fine)[-1]
    errors = []
    for steps in (40, 80, 160):
        coarse = etdrk4_compensated(u0, lin, nonlinear, 0.2 / steps, steps, steps)[-1]
        errors.append(np.abs(coarse - fine).max())
    orders = [np.log2(errors[i] / errors[i + 1]) for i in range(2)]
    print("KS, 64 modes to t = 0.2 in 40, 80, 160 steps against 2560: max |error| "
          + ", ".join(f"{e:.2e}" for e in errors) + " (orders " + ", ".join(f"{o:.2f}" for o in orders) + ")")
    ok &= all(3.7 < order < 4.6 for order in orders)
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", help="the reference HDF5 file to write")
    parser.add_argument("--modes", type=int, default=512)
    parser.add_argument("--dt", type=float, default=1e-5)
    parser.add_argument("--nx", type=int, default=256,
                        help="grid points per period written (must divide --modes; the end point 2 pi is added)")
    parser.add_argument("--nt", type=int, default=101)
    parser.add_argument("--tolerance", type=float, default=1e-9,
                        help="largest accepted difference to the (2 modes, dt / 2) run, relative to max |u|")
    parser.add_argument("--no-symmetry", action="store_true",
                        help="do not project on u(pi - x) = -u(x) after each step (rounding then grows to ~2e-10)")
    parser.add_argument("--check", action="store_true", help="check the solver against closed forms and exit")
    args = parser.parse_args()
    if args.check:
        sys.exit(0 if check() else 1)
    if not args.out:
        parser.error("--out is required (or --check)")
    if args.modes % args.nx:
        parser.error(f"--nx {args.nx} must divide --modes {args.modes}")
    every = args.modes // args.nx
    start = time.perf_counter()
    symmetric = not args.no_symmetry
    x, t, u = kuramoto_sivashinsky(modes=args.modes, dt=args.dt, slices=args.nt, symmetric=symmetric)
    _, _, fine = kuramoto_sivashinsky(modes=2 * args.modes, dt=args.dt / 2, slices=args.nt, symmetric=symmetric)
    x, u, fine = x[::every], u[:, ::every], fine[:, ::2 * every]
    scale = np.abs(u).max()
    difference = np.abs(u - fine).max()
    print(f"{args.modes} modes, dt {args.dt:g} against {2 * args.modes} modes, dt {args.dt / 2:g}: max difference "
          f"{difference:.2e} on the {len(t)} x {len(x)} grid, {difference / scale:.2e} of max |u| = {scale:.6f} "
          f"({time.perf_counter() - start:.1f} s)")
    if not difference <= args.tolerance * scale:
        print(f"not converged: the difference exceeds {args.tolerance:g} of max |u|; nothing written")
        sys.exit(1)
    # Close the periodic grid: x = 2 pi repeats x = 0 (pinn's output grids include both ends).
    x = np.append(x, 2 * np.pi)
    u = np.concatenate([u, u[:, :1]], axis=1)
    write_reference(args.out, x, t, u,
                    "Kuramoto-Sivashinsky u_t + (100/16) u u_x + (100/16^2) u_xx + (100/16^4) u_xxxx = 0, "
                    "u0 = cos(x) (1 + sin(x)), periodic on [0, 2 pi]: ETDRK4 reference "
                    "(scripts/references/kuramoto_sivashinsky.py)")


if __name__ == "__main__":
    main()
