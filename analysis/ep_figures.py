"""Figures of the seed 001 study (runs/ep_phase_diagram.py): phase diagrams with the physical set,
E_B(t) per regime, exact t_crit vs delta_r against Eq. (33), elimination convergence.

Usage: python analysis/ep_figures.py [results/bosonic] [results/figures]
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402


def main(src: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.5), constrained_layout=True)
    for ax, gb in zip(axes, (0.5, 1.0, 1.5)):
        ds = xr.open_dataset(src / f"ep_phase_{gb:.1f}.nc")
        sa = ds.spectral_abscissa.transpose("alpha", "delta_r")
        im = ax.pcolormesh(ds.delta_r, ds.alpha, sa, cmap="RdBu_r", vmin=-2, vmax=2, shading="auto")
        ax.contour(ds.delta_r, ds.alpha, sa, levels=[0], colors="k", linestyles="--")
        phys = ds.physical.transpose("alpha", "delta_r").astype(float)
        ax.contourf(ds.delta_r, ds.alpha, phys, levels=[0.5, 1.5], hatches=["//"], colors="none")
        ax.contour(ds.delta_r, ds.alpha, phys, levels=[0.5], colors="g")
        ax.plot([-1, 1], [0, 0], "rD", ms=6)
        ax.set(
            title=f"gamma_b = {gb}: Re lambda_max; hatched = Eq. (9)-reachable",
            xlabel="delta_r",
            ylabel="alpha",
        )
        fig.colorbar(im, ax=ax)
    fig.savefig(out / "ep_phase_diagrams.png", dpi=120)
    dyn = xr.open_dataset(src / "ep_dynamics.nc")
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4), constrained_layout=True)
    for c in dyn.case.values:
        d = dyn.sel(case=c)
        tag = "" if bool(d.physical) else " [needs gain]"
        a1.semilogy(d.time, d.E_B_coherent, label=f"{c}{tag}")
        a2.plot(d.time, d.P_B, label=c)
    a1.set(
        xlabel="t Gamma_eff", ylabel="|<b>|^2 / E_r^2", title="E_B(t) per regime", ylim=(1e-4, 1e6)
    )
    a2.set(xlabel="t Gamma_eff", ylabel="P_B = d<b^+b>/dt", title="battery power", yscale="symlog")
    a1.legend(fontsize=7)
    fig.savefig(out / "ep_dynamics.png", dpi=120)
    tc = xr.open_dataset(src / "ep_tcrit.nc")
    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    ax.plot(tc.delta_r, tc.t_crit, "k-", label="exact first passage |<b>|^2 = E_max")
    ax.plot(tc.delta_r, tc.t_crit_number, "b--", label="exact, <b^+ b> (gain noise)")
    ax.plot(tc.delta_r, tc.t_crit_eq33, "r:", label="Eq. (33)")
    ax.axvline(np.sqrt(0.75), color="g", lw=0.5)
    ax.axvline(-np.sqrt(0.75), color="g", lw=0.5)
    ax.set(
        xlabel="delta_r",
        ylabel="t_crit Gamma_eff",
        ylim=(0, 60),
        title="alpha=0, gamma=0.5, E_max=1e3 E_r^2",
    )
    ax.legend(fontsize=8)
    fig.savefig(out / "ep_tcrit.png", dpi=120)
    cv = xr.open_dataset(src / "ep_convergence.nc")
    fig, ax = plt.subplots(figsize=(5, 4), constrained_layout=True)
    for tg in cv.target.values:
        ax.loglog(cv.aux_rate, cv.max_rel_error.sel(target=tg), "o-", label=str(tg))
    ax.loglog(cv.aux_rate, 1.0 / cv.aux_rate, "k:", label="1/aux_rate")
    ax.set(
        xlabel="aux_rate (c relaxation / coupling)",
        ylabel="max rel. error of E_B",
        title="full vs eliminated",
    )
    ax.legend(fontsize=7)
    fig.savefig(out / "ep_convergence.png", dpi=120)
    print("wrote", sorted(p.name for p in out.glob("ep_*.png")))


if __name__ == "__main__":
    a = sys.argv[1:]
    main(
        Path(a[0]) if a else Path("results/bosonic"),
        Path(a[1]) if len(a) > 1 else Path("results/figures"),
    )
