"""Seed 002 study (Ahmadi et al., shared/papers/002_d20e1fddb201264b.txt, abstract): the drive-free
battery charged by collective thermal noise.

Writes to ``outdir`` (default results/noise_battery):

* ``ergotropy_vs_N.nc``: steady-state ergotropy (exact solver, symmetric sector from the ground
  state) for N = 1 .. 1000 (10^4 for two nbar) and several nbar;
* ``ergotropy_vs_nbar.nc``: steady-state ergotropy vs nbar, purely collective (N = 4, 8, 16, 64) and
  mixed with zero-temperature local decay (f = 0.9, 0.5; N = 4, 6, 8), plus the located optima;
* ``ergotropy_vs_fraction.nc``: steady-state ergotropy vs collective_fraction f for N = 4, 6, 8 and
  local baths at nbar_local = nbar, nbar/2, 0, plus the survival thresholds f_c;
* ``dynamics.nc``: exact (N = 8, 32) energy and ergotropy vs time and cumulant (order 2) energy at
  N = 32, 10^3, 10^4 from the ground state.

Usage: python runs/noise_battery.py [outdir]
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr
from scipy.optimize import brentq, minimize_scalar

import collective.exact as ex
from collective import solve
from collective.observables import exact_ergotropy, thermodynamics
from collective.presets import noise_battery, noise_initial

EU = "hbar*omega_0"
SURVIVAL = 1e-9  # ergotropy (hbar omega_0) counted as surviving


def steady_w(N, nbar, f=1.0, nbar_local=None):
    m = noise_battery(N=N, nbar=nbar, collective_fraction=f, nbar_local=nbar_local)
    res = ex.steady(m, noise_initial("ground"), store_states=True)
    d = exact_ergotropy(res, "B")
    return float(d.ergotropy), float(d.energy)


def vs_N(out: Path) -> None:
    nbars = [0.1, 0.5, 1.0, 2.0, 5.0, 20.0, 1e4]
    Ns = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 100, 200, 500, 1000]
    W = np.full((len(nbars), len(Ns)), np.nan)
    E = np.full_like(W, np.nan)
    for a, nb in enumerate(nbars):
        for b, N in enumerate(Ns):
            W[a, b], E[a, b] = steady_w(N, nb)
    ds = xr.Dataset(
        {
            "ergotropy": (("nbar", "N"), W, {"long_name": "steady-state ergotropy", "units": EU}),
            "energy": (
                ("nbar", "N"),
                E,
                {"long_name": "steady-state energy above the ground state", "units": EU},
            ),
            "ergotropy_per_spin": (
                ("nbar", "N"),
                W / np.array(Ns),
                {"long_name": "steady-state ergotropy per spin", "units": EU},
            ),
        },
        coords={
            "nbar": ("nbar", nbars, {"long_name": "bath mean occupation", "units": "1"}),
            "N": ("N", Ns, {"long_name": "number of cells", "units": "1"}),
        },
        attrs={
            "initial": "ground",
            "collective_fraction": 1.0,
            "solver": "collective.exact.steady",
        },
    )
    # N = 10^4 for two temperatures (one symmetric block of 10001 states)
    big = {}
    for nb in (1.0, 20.0):
        t = time.perf_counter()
        big[nb] = steady_w(10_000, nb)[0]
        print(f"N=1e4 nbar={nb}: W = {big[nb]:.12g} ({time.perf_counter() - t:.1f} s)")
    ds["ergotropy_N1e4"] = (
        "nbar_big",
        [big[1.0], big[20.0]],
        {"long_name": "steady-state ergotropy at N = 10^4", "units": EU},
    )
    ds = ds.assign_coords(
        nbar_big=("nbar_big", [1.0, 20.0], {"long_name": "bath mean occupation", "units": "1"})
    )
    ds.to_netcdf(out / "ergotropy_vs_N.nc")


def vs_nbar(out: Path) -> None:
    nbars = np.geomspace(0.02, 50, 41)
    cases = [("collective", N, 1.0, None) for N in (4, 8, 16, 64)]
    cases += [("local_T0", N, f, 0.0) for f in (0.9, 0.5) for N in (4, 6, 8)]
    W = np.array([[steady_w(N, nb, f, nl)[0] for nb in nbars] for _, N, f, nl in cases])
    opt_nb, opt_w = [], []
    for kind, N, f, nl in cases:
        if kind == "collective":
            opt_nb.append(math.inf)  # monotone: W -> N/2 - N/(N+1) as nbar -> infinity
            opt_w.append(N / 2 - N / (N + 1))
            continue
        r = minimize_scalar(
            lambda u, N=N, f=f, nl=nl: -steady_w(N, math.exp(u), f, nl)[0],
            bounds=(-3, 4),
            method="bounded",
            options={"xatol": 1e-7},
        )
        opt_nb.append(math.exp(r.x))
        opt_w.append(-r.fun)
    labels = [f"{k} N={N} f={f}" for k, N, f, _ in cases]
    ds = xr.Dataset(
        {
            "ergotropy": (
                ("case", "nbar"),
                W,
                {"long_name": "steady-state ergotropy", "units": EU},
            ),
            "optimal_nbar": (
                "case",
                opt_nb,
                {
                    "long_name": "nbar maximising the steady-state ergotropy (inf: none finite)",
                    "units": "1",
                },
            ),
            "optimal_ergotropy": (
                "case",
                opt_w,
                {"long_name": "largest steady-state ergotropy (sup over nbar)", "units": EU},
            ),
            "N": ("case", [c[1] for c in cases], {"long_name": "number of cells", "units": "1"}),
            "collective_fraction": (
                "case",
                [c[2] for c in cases],
                {"long_name": "collective fraction f", "units": "1"},
            ),
            "nbar_local": (
                "case",
                [np.nan if c[3] is None else c[3] for c in cases],
                {"long_name": "local bath occupation (nan: none)", "units": "1"},
            ),
        },
        coords={
            "case": ("case", labels, {"long_name": "model", "units": "1"}),
            "nbar": ("nbar", nbars, {"long_name": "bath mean occupation", "units": "1"}),
        },
    )
    ds.to_netcdf(out / "ergotropy_vs_nbar.nc")


def vs_fraction(out: Path) -> None:
    fs = np.concatenate([[0.0, 1e-3, 1e-2], np.linspace(0.05, 1.0, 20)])
    Ns = (4, 6, 8)
    nbar = 1.0
    locs = {
        "same bath (nbar_local = nbar)": None,
        "nbar_local = nbar/2": nbar / 2,
        "nbar_local = 0": 0.0,
    }
    W = np.zeros((len(locs), len(Ns), fs.size))
    fc = np.zeros((len(locs), len(Ns)))
    for a, nl in enumerate(locs.values()):
        for b, N in enumerate(Ns):
            W[a, b] = [steady_w(N, nbar, f, nl)[0] if f < 1 else steady_w(N, nbar)[0] for f in fs]
            g = lambda f, N=N, nl=nl: steady_w(N, nbar, f, nl)[0] - SURVIVAL  # noqa: E731
            lo, hi = 1e-6, 1 - 1e-9
            if g(hi) <= 0:
                fc[a, b] = 1.0  # survives only at f = 1 (purely collective)
            elif g(lo) > 0:
                fc[a, b] = 0.0  # survives for every f > 0
            else:
                fc[a, b] = brentq(g, lo, hi, xtol=1e-8)
    ds = xr.Dataset(
        {
            "ergotropy": (
                ("local_bath", "N", "collective_fraction"),
                W,
                {"long_name": "steady-state ergotropy", "units": EU},
            ),
            "threshold_fraction": (
                ("local_bath", "N"),
                fc,
                {
                    "long_name": f"smallest f with steady-state ergotropy > {SURVIVAL} (1: only f = 1, 0: any f > 0)",
                    "units": "1",
                },
            ),
        },
        coords={
            "local_bath": ("local_bath", list(locs), {"long_name": "local bath", "units": "1"}),
            "N": ("N", list(Ns), {"long_name": "number of cells", "units": "1"}),
            "collective_fraction": (
                "collective_fraction",
                fs,
                {"long_name": "collective fraction f", "units": "1"},
            ),
        },
        attrs={"nbar": nbar, "initial": "ground"},
    )
    ds.to_netcdf(out / "ergotropy_vs_fraction.nc")


def dynamics(out: Path) -> None:
    nbar = 1.0
    t = np.concatenate([[0.0], np.geomspace(1e-4, 10.0, 60)])
    parts = []
    for N in (8, 32):
        res = ex.evolve(
            noise_battery(N=N, nbar=nbar), t, noise_initial("ground"), store_states=True
        )
        d = exact_ergotropy(res, "B")
        parts.append(d[["energy", "ergotropy"]].expand_dims(N_exact=[N]))
    exact = xr.concat(parts, "N_exact")
    cums = []
    for N in (32, 1000, 10_000):
        ds = thermodynamics(
            solve(
                noise_battery(N=N, nbar=nbar),
                t,
                order=2,
                initial=noise_initial("ground"),
                rtol=1e-9,
                atol=1e-12,
            )
        )
        cums.append(
            ds[["energy", "power"]].sel(ensemble="B", drop=True).expand_dims(N_cumulant=[N])
        )
    cum = xr.concat(cums, "N_cumulant", coords="minimal", compat="override")
    cum = cum.drop_vars([v for v in cum.coords if v not in ("time", "N_cumulant")])
    cum = cum.rename({"energy": "energy_cumulant", "power": "power_cumulant"})
    ds = xr.merge([exact, cum], compat="override")
    ds["N_exact"].attrs.update(long_name="cells (exact)", units="1")
    ds["N_cumulant"].attrs.update(long_name="cells (cumulant, order 2)", units="1")
    ds.attrs.update(nbar=nbar, initial="ground")
    ds.to_netcdf(out / "dynamics.nc")


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for step in (vs_N, vs_nbar, vs_fraction, dynamics):
        t = time.perf_counter()
        step(out)
        print(f"{step.__name__}: {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("results/noise_battery"))
