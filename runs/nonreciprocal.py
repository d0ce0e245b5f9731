"""Seed 003 study (Lin et al., shared/papers/003_31139ff55859365e.txt): Fig. 2 (E_B(t) for
Delta = 0, 0.01, 0.1 omega; eta(t); E_B(t) for several phi; P(t)), Fig. 3 (r = kappa_b/kappa_a
dependence) and Fig. 4 (nonreciprocal vs EP coupling).

Usage: python runs/nonreciprocal.py [outdir]   (default results/bosonic)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import xarray as xr

from collective.batteries_bosonic import charging, max_power, steady_state_battery
from collective.linear import ep_roots_2x2, linear_system
from collective.presets.bosonic import nonreciprocal_battery

J = 0.02  # Gamma/2: time axis in units of 1/J as in the paper
KA = 0.003


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    s = linear_system(nonreciprocal_battery())
    t = np.linspace(0, 10 / J, 501)
    # Fig. 2(a), (b), (d)
    fig2 = xr.concat(
        [
            charging(s, t, values={"Delta": D})[["E_A", "E_B", "eta", "P_B"]].expand_dims(Delta=[D])
            for D in (0.0, 0.01, 0.1)
        ],
        "Delta",
    )
    fig2["Delta"].attrs.update(long_name="detuning Delta'_b - Delta'_a", units="omega")
    fig2.to_netcdf(out / "nr_fig2_delta.nc")
    # Fig. 2(c): phases
    phis = [np.pi / 2, np.pi / 3, np.pi / 4, np.pi / 6, 0.0]
    fig2c = xr.concat(
        [
            charging(s, t, values={"phi": p})[["E_B", "eta", "P_B"]].expand_dims(phi=[p])
            for p in phis
        ],
        "phi",
    )
    fig2c["phi"].attrs.update(long_name="coupling phase", units="rad")
    fig2c.to_netcdf(out / "nr_fig2_phi.nc")
    # Fig. 3: r dependence
    rs = np.geomspace(0.01, 1000, 61)
    t3 = np.linspace(0, 5 / J, 101)
    EB = np.array([charging(s, t3, values={"kappa_b": r * KA}).E_B.values for r in rs])
    PB = np.array([charging(s, t3, values={"kappa_b": r * KA}).P_B.values for r in rs])
    ss = [steady_state_battery(s, values={"kappa_b": r * KA}) for r in rs]
    fig3 = xr.Dataset(
        {
            "E_B": (("r", "time"), EB, {"long_name": "battery energy", "units": "hbar*omega"}),
            "P_B": (("r", "time"), PB, {"long_name": "battery power", "units": "hbar*omega^2"}),
            "E_B_inf": (
                "r",
                [x.E_B for x in ss],
                {"long_name": "steady-state battery energy", "units": "hbar*omega"},
            ),
            "eta_inf": (
                "r",
                [x.eta for x in ss],
                {"long_name": "steady-state efficiency", "units": "1"},
            ),
        },
        coords={
            "r": ("r", rs, {"long_name": "r = kappa_b/kappa_a", "units": "1"}),
            "time": ("time", t3, {"long_name": "time", "units": "1/omega"}),
        },
    )
    fig3.to_netcdf(out / "nr_fig3_r.nc")

    # Fig. 4: nonreciprocal (J = Gamma/2) vs EP coupling J_EP from Eq. (15)
    def ep_J(**v):
        roots = [r.real for r in ep_roots_2x2(s, "J", v) if abs(r.imag) < 1e-12 and r.real > 0]
        return max(roots) if roots else np.nan

    r4 = np.geomspace(0.01, 100, 41)
    E_nor_r = [steady_state_battery(s, values={"kappa_b": r * KA}).E_B for r in r4]
    E_ep_r = [
        steady_state_battery(s, values={"kappa_b": r * KA, "J": ep_J(kappa_b=r * KA)}).E_B
        for r in r4
    ]
    D4 = np.linspace(-0.039, 0.039, 79)
    E_nor_D = [steady_state_battery(s, values={"Delta": D}).E_B for D in D4]
    E_ep_D = [
        steady_state_battery(s, values={"Delta": D, "J": ep_J(Delta=D)}).E_B
        if np.isfinite(ep_J(Delta=D))
        else np.nan
        for D in D4
    ]
    fig4 = xr.Dataset(
        {
            "E_nor_r": (
                "r",
                E_nor_r,
                {"long_name": "E_B(inf), nonreciprocal J = Gamma/2", "units": "hbar*omega"},
            ),
            "E_ep_r": ("r", E_ep_r, {"long_name": "E_B(inf), EP coupling", "units": "hbar*omega"}),
            "E_nor_D": (
                "Delta",
                E_nor_D,
                {"long_name": "E_B(inf), nonreciprocal", "units": "hbar*omega"},
            ),
            "E_ep_D": (
                "Delta",
                E_ep_D,
                {"long_name": "E_B(inf), EP coupling", "units": "hbar*omega"},
            ),
        },
        coords={
            "r": ("r", r4, {"long_name": "r = kappa_b/kappa_a", "units": "1"}),
            "Delta": ("Delta", D4, {"long_name": "detuning", "units": "omega"}),
        },
    )
    fig4.to_netcdf(out / "nr_fig4_ep.nc")
    print("Delta   E_B(inf)  eta(inf)  P_max   J t_peak")
    for D in (0.0, 0.01, 0.1):
        ss0 = steady_state_battery(s, values={"Delta": D})
        P, tp = max_power(s, 0, 5 / J, values={"Delta": D})
        print(f"{D:5.2f}  {ss0.E_B:8.3f}  {ss0.eta:7.4f}  {P:.4f}  {J * tp:.3f}")
    dif = np.array(E_ep_D) - np.array(E_nor_D)
    pos = D4[(D4 > 0) & (dif < 0)]
    print(
        f"E_EP < E_nor first at Delta = {pos.min() if pos.size else np.nan:.4f} (paper: never for finite Delta)"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("results/bosonic"))
