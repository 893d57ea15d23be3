#!/usr/bin/env python3
"""Reference solution of Allen-Cahn, u_t = 1e-4 u_xx - 5 u^3 + 5 u on [-1, 1] x [0, 1], periodic in x,
u(x, 0) = x^2 cos(pi x), by a Fourier pseudo-spectral ETDRK4 solver (Cox & Matthews 2002, with the phi-functions
by contour integrals as in Kassam & Trefethen 2005). numpy only, not pinn.

u_t = L u + N(u): L diagonal in Fourier space (nu * (ik)^2 + linear), N evaluated in physical space (2048 modes:
the interfaces, tanh(158 x) wide, are resolved to the last digits; the highest eighth of the spectrum is checked
to stay below 1e-12 of the largest mode, so no dealiasing is needed).

Checks (--check): the solver against closed forms: the heat equation (N = 0) and linear advection-diffusion with
the advection as the explicit part N(u) = -c u_x (exact: each mode e^{(-nu k^2 - i c k) t}); and the Allen-Cahn run
itself against a run with half the time step (the reported difference bounds the reference's error).

Usage: allen_cahn.py --out reference.h5 [--modes 2048 --dt 1e-5 --nt 201]; allen_cahn.py --check [--check-reference]
"""
import argparse
import sys

import numpy as np

from reference_file import write_reference


def etdrk4_coefficients(lin, dt, contour_points=64):
    """The ETDRK4 coefficients for the diagonal linear operator `lin` (complex array) and step dt."""
    e = np.exp(dt * lin)
    e2 = np.exp(dt * lin / 2)
    r = np.exp(1j * np.pi * (np.arange(1, contour_points + 1) - 0.5) / contour_points)
    lr = dt * lin[:, None] + r[None, :]
    q = dt * np.real(np.mean((np.exp(lr / 2) - 1) / lr, axis=1))
    f1 = dt * np.real(np.mean((-4 - lr + np.exp(lr) * (4 - 3 * lr + lr ** 2)) / lr ** 3, axis=1))
    f2 = dt * np.real(np.mean((2 + lr + np.exp(lr) * (-2 + lr)) / lr ** 3, axis=1))
    f3 = dt * np.real(np.mean((-4 - 3 * lr - lr ** 2 + np.exp(lr) * (4 - lr)) / lr ** 3, axis=1))
    return e, e2, q, f1, f2, f3


def etdrk4(u0, lin, nonlinear, dt, steps, save_every, complex_lin=False):
    """Integrates v_t = lin * v + nonlinear(v) in Fourier space (v = fft(u)); returns the saved physical states."""
    if complex_lin:
        # The contour-integral coefficients above take real parts; for a complex L compute them without that.
        e = np.exp(dt * lin)
        e2 = np.exp(dt * lin / 2)
        r = np.exp(1j * np.pi * (np.arange(1, 65) - 0.5) / 64)
        lr = dt * lin[:, None] + r[None, :]
        q = dt * np.mean((np.exp(lr / 2) - 1) / lr, axis=1)
        f1 = dt * np.mean((-4 - lr + np.exp(lr) * (4 - 3 * lr + lr ** 2)) / lr ** 3, axis=1)
        f2 = dt * np.mean((2 + lr + np.exp(lr) * (-2 + lr)) / lr ** 3, axis=1)
        f3 = dt * np.mean((-4 - 3 * lr - lr ** 2 + np.exp(lr) * (4 - lr)) / lr ** 3, axis=1)
    else:
        e, e2, q, f1, f2, f3 = etdrk4_coefficients(lin, dt)
    v = np.fft.fft(u0)
    saved = [np.real(np.fft.ifft(v))]
    for step in range(1, steps + 1):
        nv = nonlinear(v)
        a = e2 * v + q * nv
        na = nonlinear(a)
        b = e2 * v + q * na
        nb = nonlinear(b)
        c = e2 * a + q * (2 * nb - nv)
        nc = nonlinear(c)
        v = e * v + nv * f1 + 2 * (na + nb) * f2 + nc * f3
        if step % save_every == 0:
            saved.append(np.real(np.fft.ifft(v)))
    return np.array(saved)


def wavenumbers(modes, length):
    return 2 * np.pi / length * np.fft.fftfreq(modes, d=1.0 / modes)


def allen_cahn(modes=2048, dt=1e-5, final_time=1.0, slices=201, diffusion=1e-4, rate=5.0):
    """u on `slices` equally spaced times in [0, final_time] and the grid x_j = -1 + 2j/modes."""
    x = -1 + 2 * np.arange(modes) / modes
    k = wavenumbers(modes, 2.0)
    lin = -diffusion * k ** 2 + rate  # the linear part 5u goes into L (stiff-free but exact there)
    nonlinear = lambda v: -rate * np.fft.fft(np.real(np.fft.ifft(v)) ** 3)
    steps = int(round(final_time / dt))
    save_every = steps // (slices - 1)
    assert save_every * (slices - 1) == steps, "the time step must divide the output interval"
    return x, np.linspace(0, final_time, slices), etdrk4(x ** 2 * np.cos(np.pi * x), lin, nonlinear, dt, steps, save_every)


def check(full):
    ok = True
    modes, length = 128, 2.0
    x = -1 + 2 * np.arange(modes) / modes
    k = wavenumbers(modes, length)
    u0 = np.exp(np.sin(np.pi * x)) - 1
    nu, c, t, dt = 0.02, 0.7, 0.5, 1e-3
    steps = int(round(t / dt))

    def exact(rate):
        return np.real(np.fft.ifft(np.fft.fft(u0) * np.exp(rate * t)))

    heat = etdrk4(u0, -nu * k ** 2 + 0j, lambda v: 0 * v, dt, steps, steps)[-1]
    error = np.abs(heat - exact(-nu * k ** 2)).max()
    print(f"heat equation (N = 0): max |error| {error:.2e}")
    ok &= error < 1e-13
    advection = etdrk4(u0, -nu * k ** 2 + 0j, lambda v: -c * 1j * k * v, dt, steps, steps)[-1]
    error = np.abs(advection - exact(-nu * k ** 2 - 1j * c * k)).max()
    print(f"advection-diffusion (advection explicit): max |error| {error:.2e}")
    ok &= error < 1e-10
    if full:
        # The reference itself: halve the step, and check that the highest eighth of the modes is negligible.
        _, _, fine = allen_cahn(dt=5e-6, slices=11)
        _, _, coarse = allen_cahn(slices=11)
        difference = np.linalg.norm(fine - coarse) / np.linalg.norm(fine)
        print(f"Allen-Cahn, dt 1e-5 vs 5e-6: relative L2 difference {difference:.2e}")
        ok &= difference < 1e-8
        spectrum = np.abs(np.fft.fft(fine[-1]))
        n = len(spectrum)
        tail = spectrum[n // 2 - n // 16:n // 2 + n // 16].max() / spectrum.max()
        print(f"Allen-Cahn spectrum at t = 1: highest eighth of the modes / largest {tail:.1e}")
        ok &= tail < 1e-12
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="the reference HDF5 file to write")
    parser.add_argument("--modes", type=int, default=2048)
    parser.add_argument("--every", type=int, default=4, help="write every k-th grid point (2048 / 4 + 1 = 513)")
    parser.add_argument("--dt", type=float, default=1e-5)
    parser.add_argument("--nt", type=int, default=201)
    parser.add_argument("--check", action="store_true", help="check the solver against closed forms and exit")
    parser.add_argument("--check-reference", action="store_true",
                        help="also check the Allen-Cahn run's convergence in time and space (minutes)")
    args = parser.parse_args()
    if args.check or args.check_reference:
        sys.exit(0 if check(args.check_reference) else 1)
    if not args.out:
        parser.error("--out is required (or --check)")
    x, t, u = allen_cahn(modes=args.modes, dt=args.dt, slices=args.nt)
    # Close the periodic grid: x = 1 repeats x = -1 (pinn's output grids include both ends).
    x = np.append(x[::args.every], 1.0)
    u = np.concatenate([u[:, ::args.every], u[:, :1]], axis=1)
    write_reference(args.out, x, t, u,
                    "Allen-Cahn u_t = 1e-4 u_xx - 5u^3 + 5u, u0 = x^2 cos(pi x), periodic: ETDRK4 reference (scripts/references/allen_cahn.py)")


if __name__ == "__main__":
    main()
