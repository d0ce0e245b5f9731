"""Validation study: cumulant orders 1 and 2 against the exact solver on the Dias et al. model.

For every case (m = 1, 2, 3 reservoirs; with and without collective pump; nbar = 0 and 0.2) and
every charger size N_C of the ladder in ``runs/script_configs/validation_exact.toml``, integrate the same
:class:`~collective.model.Model` with :func:`collective.exact.mesolve` and with
:func:`collective.solve` at orders 1 and 2 (charger fully excited, batteries empty), and store

    err[order] = max_t max_k |E_Bk exact(t) - E_Bk order(t)|          (energy densities, Eq. (3))

Output: a netCDF file (default ``results/validation.nc``) with ``max_err_E_B`` (case, N_C, order),
``max_err_E_C`` and the wall times; read it with ``analysis/validation_errors.py``.

Usage: python runs/validation.py [runs/script_configs/validation_exact.toml] [-o results/validation.nc] [--quick]

References
----------
Dias, Wang, Nemoto, Nori, Munro (2024), Eqs. (3)-(4).
"""

from __future__ import annotations

import argparse
import hashlib
import math
import pathlib
import time
import tomllib

import numpy as np
import xarray as xr

import collective as c
import collective.exact as ex


def run(cfg: dict, quick: bool = False) -> xr.Dataset:
    mcfg, tcfg, tol = cfg["model"], cfg["time"], cfg["tolerances"]
    cases = []
    for m in mcfg["reservoirs"]:
        for pump in (0.0, float(mcfg["pump_rate"])):
            for nbar in mcfg["nbar"]:
                cases.append((int(m), pump, float(nbar)))
    ladders = {int(k): [int(x) for x in v] for k, v in cfg["ladder"].items()}
    if quick:
        ladders = {k: v[:3] for k, v in ladders.items()}
    all_N = sorted({n for v in ladders.values() for n in v})
    shape = (len(cases), len(all_N), 2)
    errB = np.full(shape, np.nan)
    errC = np.full(shape, np.nan)
    errF = np.full(shape, np.nan)
    wall = np.full((len(cases), len(all_N), 3), np.nan)
    for ic, (m, pump, nbar) in enumerate(cases):
        N_B = int(cfg["battery_size"][str(m)])
        for iN, N_C in enumerate(all_N):
            if N_C not in ladders[m]:
                continue
            model = c.dias2024(
                reservoirs=m,
                N_C=N_C,
                N_B=N_B,
                gamma_down=mcfg["gamma_down"],
                gamma_up=pump,
                nbar=nbar,
            )
            N = N_C + m * N_B
            times = np.linspace(0.0, tcfg["t_final_factor"] * math.log(N) / N, int(tcfg["points"]))
            init = c.InitialState.from_energy({"C": 1.0})
            t0 = time.perf_counter()
            exact = ex.mesolve(model, times, init, rtol=tol["exact_rtol"], atol=tol["exact_atol"])
            wall[ic, iN, 0] = time.perf_counter() - t0
            for io, order in enumerate((1, 2)):
                t0 = time.perf_counter()
                cum = c.solve(
                    model,
                    times,
                    order=order,
                    initial=init,
                    rtol=tol["cumulant_rtol"],
                    atol=tol["cumulant_atol"],
                )
                wall[ic, iN, 1 + io] = time.perf_counter() - t0
                diff = abs(exact.energy_density - cum.energy_density)  # the one-line comparison
                errB[ic, iN, io] = float(diff.drop_sel(ensemble="C").max())
                errC[ic, iN, io] = float(diff.sel(ensemble="C").max())
                errF[ic, iN, io] = float(diff.drop_sel(ensemble="C").isel(time=-1).max())
            print(
                f"m={m} pump={pump:g} nbar={nbar:g} N_C={N_C:4d} N_B={N_B}: "
                f"max|dE_B| order1 {errB[ic, iN, 0]:.3e} order2 {errB[ic, iN, 1]:.3e}   "
                f"(exact {wall[ic, iN, 0]:.2f} s)",
                flush=True,
            )
    case_labels = [f"m={m} pump={pump:g} nbar={nbar:g}" for m, pump, nbar in cases]
    coords = {
        "case": ("case", np.array(case_labels, dtype=object), {"long_name": "validation case"}),
        "N_C": ("N_C", np.array(all_N), {"long_name": "charger size", "units": "1"}),
        "order": ("order", np.array([1, 2]), {"long_name": "cumulant order", "units": "1"}),
        "solver": (
            "solver",
            np.array(["exact", "order1", "order2"], dtype=object),
            {"long_name": "solver"},
        ),
        "reservoirs": (
            "case",
            np.array([m for m, _, _ in cases]),
            {"long_name": "number of batteries m", "units": "1"},
        ),
        "gamma_up": (
            "case",
            np.array([p for _, p, _ in cases]),
            {"long_name": "collective pump rate", "units": "1/[t]"},
        ),
        "nbar": (
            "case",
            np.array([n for _, _, n in cases]),
            {"long_name": "reservoir thermal occupation", "units": "1"},
        ),
        "N_B": (
            "case",
            np.array([int(cfg["battery_size"][str(m)]) for m, _, _ in cases]),
            {"long_name": "battery size", "units": "1"},
        ),
    }
    return xr.Dataset(
        {
            "max_err_E_B": (
                ("case", "N_C", "order"),
                errB,
                {"long_name": "max_t max_k |E_Bk exact - E_Bk cumulant|", "units": "1"},
            ),
            "final_err_E_B": (
                ("case", "N_C", "order"),
                errF,
                {
                    "long_name": "max_k |E_Bk exact - E_Bk cumulant| at the final time (after the burst)",
                    "units": "1",
                },
            ),
            "max_err_E_C": (
                ("case", "N_C", "order"),
                errC,
                {"long_name": "max_t |E_C exact - E_C cumulant|", "units": "1"},
            ),
            "wall_time": (
                ("case", "N_C", "solver"),
                wall,
                {"long_name": "wall time", "units": "s"},
            ),
        },
        coords=coords,
        attrs={
            "package_version": c.__version__,
            "method": "exact vs cumulant",
            "initial_state": "charger fully excited, batteries empty",
        },
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "config",
        nargs="?",
        default=str(pathlib.Path(__file__).parent / "script_configs" / "validation_exact.toml"),
    )
    ap.add_argument("-o", "--output", default="results/validation.nc")
    ap.add_argument("--quick", action="store_true", help="first three N_C of each ladder only")
    args = ap.parse_args()
    text = pathlib.Path(args.config).read_text()
    cfg = tomllib.loads(text)
    ds = run(cfg, quick=args.quick)
    ds.attrs["config"] = text
    ds.attrs["config_sha256"] = hashlib.sha256(text.encode()).hexdigest()
    out = pathlib.Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    ds.to_netcdf(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
