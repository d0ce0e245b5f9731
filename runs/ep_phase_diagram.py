"""Seed 001 study (Ahmadi et al., shared/papers/001_0303df5991573d7c.txt): drift-matrix phase
diagrams (Fig. 3(a)-(c)), E_B(t) in each regime (Fig. 3(d)-(i)), exact t_crit vs delta_r (Fig. 6)
and the eliminated-vs-full convergence table.

Usage: python runs/ep_phase_diagram.py [outdir]   (default results/bosonic)
Writes ep_phase_<gb>.nc, ep_dynamics.nc, ep_tcrit.nc, ep_convergence.nc and prints tables.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from collective.batteries_bosonic import charging, critical_time
from collective.errors import PhysicalityWarning
from collective.linear import evolve_linear, linear_system, phase_diagram
from collective.presets.bosonic import (
    ep_battery,
    ep_battery_eliminated,
    ep_microscopic_parameters,
    ep_physicality_violations,
)

warnings.simplefilter("ignore", PhysicalityWarning)  # the paper's phases lie mostly outside the set


def eliminated(dr, ga, gb):
    return linear_system(ep_battery_eliminated(delta_r=dr, gamma_a=ga, gamma_b=gb))


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    base = eliminated(0.0, 1.0, 1.0)
    # --- Fig. 3(a)-(c): Re of the leading eigenvalue over (delta_r, alpha) -------------------------
    for gb in (0.5, 1.0, 1.5):
        ds = phase_diagram(
            base,
            {"delta_r": np.linspace(-2, 2, 201), "alpha": np.linspace(-gb / 2, 1.5, 151)},
            fixed={"gamma_b": gb},
            derived={"gamma_a": lambda v: v["gamma_b"] + 2 * v["alpha"]},
        )
        ds["alpha"].attrs.update(long_name="asymmetry alpha = (gamma_a - gamma_b)/2", units="1")
        ga = gb + 2 * ds.alpha
        ds["physical"] = (
            ((ga >= 0) & (ga * gb >= 1))
            .broadcast_like(ds.spectral_abscissa)
            .assign_attrs(long_name="reachable from Eq. (9) with non-negative rates", units="1")
        )
        ds.attrs["gamma_b"] = gb
        ds.to_netcdf(out / f"ep_phase_{gb:.1f}.nc")
        broken = ds.spectral_abscissa > 0
        print(
            f"gamma_b = {gb}: broken fraction {float(broken.mean()):.3f}, broken & physical "
            f"{int((broken & ds.physical).sum())} points, EP grid points {int(ds.is_ep.sum())}"
        )
    # --- E_B(t) in each regime (delta_r = 0 and at the EP) ------------------------------------------
    t = np.linspace(0, 15, 301)
    cases = {
        "unbroken (gb=1.5, alpha=0.2)": (0.0, 1.9, 1.5),
        "boundary (gb=0.5, alpha=0.75)": (0.0, 2.0, 0.5),
        "broken (gb=0.5, alpha=0)": (0.0, 0.5, 0.5),
        "EP (dr=1, g=1.5)": (1.0, 1.5, 1.5),
        "EP (dr=1, g=0.5)": (1.0, 0.5, 0.5),
        "oscillatory (dr=1.5, g=1.5)": (1.5, 1.5, 1.5),
    }
    parts = []
    for label, (dr, ga, gb) in cases.items():
        ds = charging(eliminated(dr, ga, gb), t)
        parts.append(ds[["E_B", "E_B_coherent", "P_B", "E_A"]].expand_dims(case=[label]))
    dyn = xr.concat(parts, "case")
    dyn["physical"] = (
        "case",
        [not ep_physicality_violations(ga, gb) for dr, ga, gb in cases.values()],
        {"long_name": "reachable from Eq. (9)", "units": "1"},
    )
    dyn.to_netcdf(out / "ep_dynamics.nc")
    # --- Fig. 6: exact t_crit vs delta_r (alpha = 0, gamma = 0.5, E_max = 1e3 E_r^2) ---------------
    drs = np.linspace(-1.2, 1.2, 97)
    tc_coh, tc_num, tc_33 = [], [], []
    for dr in drs:
        s = eliminated(dr, 0.5, 0.5)
        tc_coh.append(critical_time(s, 1e3, energy="coherent", t_max=400).t)
        tc_num.append(critical_time(s, 1e3, t_max=400).t)
        W2, K = 1 - dr * dr, dr * dr + 0.25 - 1
        if W2 > 0.25:  # PAPER FORMULA Eq. (33), reference only
            W = np.sqrt(W2)
            Es = 1 / (4 * K * K) * ((0.5 + W) / W) ** 2
            tc_33.append(np.log(1e3 / Es) / (2 * (W - 0.5)))
        else:
            tc_33.append(np.nan)
    tcr = xr.Dataset(
        {
            "t_crit": (
                "delta_r",
                np.array(tc_coh),
                {"long_name": "exact first passage of |<b>|^2 = E_max", "units": "1/Gamma_eff"},
            ),
            "t_crit_number": (
                "delta_r",
                np.array(tc_num),
                {"long_name": "exact first passage of <b^+ b> = E_max", "units": "1/Gamma_eff"},
            ),
            "t_crit_eq33": (
                "delta_r",
                np.array(tc_33),
                {"long_name": "Eq. (33) approximation", "units": "1/Gamma_eff"},
            ),
        },
        coords={"delta_r": ("delta_r", drs, {"long_name": "normalised detuning", "units": "1"})},
        attrs={"E_max": 1e3, "gamma": 0.5, "alpha": 0.0},
    )
    tcr.to_netcdf(out / "ep_tcrit.nc")
    print("\nt_crit (alpha=0, gamma=0.5, E_max=1e3):  delta_r  exact|b|^2  exact<b+b>  Eq.(33)")
    for dr in (0.0, 0.4, 0.6, 0.8, 0.85, 0.866, 0.9):
        k = int(np.argmin(np.abs(drs - dr)))
        print(f"   {drs[k]:6.3f}  {tc_coh[k]:9.4f}  {tc_num[k]:9.4f}  {tc_33[k]:9.4f}")
    # --- convergence: eliminated vs full three-mode model -----------------------------------------
    targets = [(0.4, 1.1, 1.3), (1.0, 1.0, 1.0), (0.0, 3.0, 0.5)]
    tt = np.linspace(0, 20, 201)
    auxs = [4.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0]
    errs = np.zeros((len(targets), len(auxs)))
    for i, tg in enumerate(targets):
        ref = evolve_linear(eliminated(*tg), tt)
        Eel = ref.a_re.sel(mode="b") ** 2 + ref.a_im.sel(mode="b") ** 2
        for j, aux in enumerate(auxs):
            full = evolve_linear(
                linear_system(ep_battery(**ep_microscopic_parameters(*tg, aux_rate=aux))), tt
            )
            Ef = full.n_mode.sel(mode="b")
            errs[i, j] = float(np.abs(Ef - Eel).max() / Eel.max())
    conv = xr.Dataset(
        {
            "max_rel_error": (
                ("target", "aux_rate"),
                errs,
                {"long_name": "max_t |E_B^full - E_B^elim| / max E_B^elim", "units": "1"},
            )
        },
        coords={
            "target": [f"dr={a},ga={b},gb={c}" for a, b, c in targets],
            "aux_rate": (
                "aux_rate",
                auxs,
                {"long_name": "relaxation rate of c / effective coupling", "units": "1"},
            ),
        },
    )
    conv.to_netcdf(out / "ep_convergence.nc")
    print("\nmax_t |E_B^full - E_B^elim| / max E_B^elim, t in [0, 20]")
    print("aux_rate " + " ".join(f"{a:>9g}" for a in auxs))
    for i, tg in enumerate(targets):
        print(f"{str(tg):>16} " + " ".join(f"{e:9.2e}" for e in errs[i]))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("results/bosonic"))
