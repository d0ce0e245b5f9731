"""Figures of the seed 003 study (runs/nonreciprocal.py): Fig. 2-4 quantities of Lin et al.

Usage: python analysis/nonreciprocal_figures.py [results/bosonic] [results/figures]
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import xarray as xr  # noqa: E402

J = 0.02


def main(src: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    f2 = xr.open_dataset(src / "nr_fig2_delta.nc")
    f2c = xr.open_dataset(src / "nr_fig2_phi.nc")
    fig, ax = plt.subplots(2, 2, figsize=(11, 8), constrained_layout=True)
    for D in f2.Delta.values:
        d = f2.sel(Delta=D)
        ax[0, 0].plot(J * d.time, d.E_B, label=f"Delta={D:g}")
        ax[0, 1].plot(J * d.time, d.eta, label=f"Delta={D:g}")
        ax[1, 1].plot(J * d.time, d.P_B, label=f"Delta={D:g}")
    for p in f2c.phi.values:
        ax[1, 0].plot(J * f2c.time, f2c.E_B.sel(phi=p), label=f"phi={p:.3f}")
    ax[0, 0].set(xlabel="J t", ylabel="E_B / hbar omega", title="(a) battery energy")
    ax[0, 1].set(xlabel="J t", ylabel="eta", title="(b) efficiency")
    ax[1, 0].set(xlabel="J t", ylabel="E_B", title="(c) phase dependence")
    ax[1, 1].set(xlabel="J t", ylabel="P = dE_B/dt", title="(d) power", xlim=(0, 5))
    for a in ax.flat:
        a.legend(fontsize=7)
    fig.savefig(out / "nr_fig2.png", dpi=120)
    f3 = xr.open_dataset(src / "nr_fig3_r.nc")
    fig, ax = plt.subplots(2, 2, figsize=(11, 8), constrained_layout=True)
    m = ax[0, 0].pcolormesh(J * f3.time, f3.r, f3.E_B, shading="auto")
    ax[0, 0].set(yscale="log", xlabel="J t", ylabel="r", title="(a) E_B(t, r)")
    fig.colorbar(m, ax=ax[0, 0])
    m = ax[0, 1].pcolormesh(J * f3.time, f3.r, f3.P_B, shading="auto")
    ax[0, 1].set(yscale="log", xlabel="J t", ylabel="r", title="(e) P(t, r)")
    fig.colorbar(m, ax=ax[0, 1])
    ax[1, 0].semilogx(f3.r, f3.E_B_inf)
    ax[1, 0].set(xlabel="r", ylabel="E_B(inf)", title="(c)")
    ax[1, 1].semilogx(f3.r, f3.eta_inf)
    ax[1, 1].set(xlabel="r", ylabel="eta(inf)", title="(d)")
    fig.savefig(out / "nr_fig3.png", dpi=120)
    f4 = xr.open_dataset(src / "nr_fig4_ep.nc")
    fig, ax = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
    ax[0].semilogx(f4.r, f4.E_nor_r, "b-", label="nonreciprocal")
    ax[0].semilogx(f4.r, f4.E_ep_r, "r--", label="EP")
    ax[0].set(xlabel="r", ylabel="E_B(inf)", title="(a) Delta = 0")
    ax[1].plot(f4.Delta, f4.E_nor_D, "b-", label="nonreciprocal")
    ax[1].plot(f4.Delta, f4.E_ep_D, "r--", label="EP")
    ax[1].set(xlabel="Delta / omega", ylabel="E_B(inf)", title="(b) r = 1")
    for a in ax:
        a.legend()
    fig.savefig(out / "nr_fig4.png", dpi=120)
    print("wrote", sorted(p.name for p in out.glob("nr_*.png")))


if __name__ == "__main__":
    a = sys.argv[1:]
    main(
        Path(a[0]) if a else Path("results/bosonic"),
        Path(a[1]) if len(a) > 1 else Path("results/figures"),
    )
