"""Figures and tables for the seed 002 study (runs/noise_battery.py).

Usage: python analysis/noise_battery_figures.py [indir] [outdir]
(defaults results/noise_battery and results/noise_battery/figures)
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from _common import write_table  # noqa: E402


def w_closed(N, nbar):
    """Derived closed form for the symmetric sector (see tests/thermo/test_noise_battery.py)."""
    x = nbar / (nbar + 1)
    n = np.arange(N + 1)
    lam = x**n * (1 - x) / (1 - x ** (N + 1))
    return float(np.dot(n, lam) - (1 - lam[0]))


def main(indir: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    vN = xr.open_dataset(indir / "ergotropy_vs_N.nc")
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    rows = []
    for nb in vN.nbar.values:
        W = vN.ergotropy.sel(nbar=nb)
        ax[0].loglog(vN.N, np.maximum(W, 1e-12), "o-", ms=3, label=f"nbar={nb:g}")
        ax[1].loglog(vN.N, np.maximum(vN.ergotropy_per_spin.sel(nbar=nb), 1e-12), "o-", ms=3)
        winf = nb**2 / (nb + 1)
        big = W.values[-1]
        # fitted approach to the plateau: log(W_inf - W_N) ~ a + b N  (b -> ln x)
        gap = winf - W.values
        ok = (gap > 1e-12) & (vN.N.values >= 2)
        slope = np.polyfit(vN.N.values[ok], np.log(gap[ok]), 1)[0] if ok.sum() >= 3 else np.nan
        rows.append(
            {
                "nbar": float(nb),
                "W(N=1000)": float(big),
                "nbar^2/(nbar+1)": winf,
                "max |W - closed form|": max(
                    abs(w - w_closed(int(N), nb)) for w, N in zip(W.values, vN.N.values)
                ),
                "fitted ln-gap slope": float(slope),
                "ln x": float(np.log(nb / (nb + 1))),
            }
        )
    ax[0].set(
        xlabel="N",
        ylabel="steady-state ergotropy [hbar omega_0]",
        title="collective noise, ground start",
    )
    ax[1].set(xlabel="N", ylabel="ergotropy per spin [hbar omega_0]")
    ax[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "ergotropy_vs_N.png", dpi=130)
    write_table(
        rows,
        out,
        "ergotropy_vs_N",
        "Steady-state ergotropy vs N: plateau nbar^2/(nbar+1), gap ~ x^N",
    )

    vn = xr.open_dataset(indir / "ergotropy_vs_nbar.nc")
    fig, ax = plt.subplots(figsize=(6, 4))
    for c in vn.case.values:
        ax.loglog(vn.nbar, np.maximum(vn.ergotropy.sel(case=c), 1e-12), label=str(c))
    ax.set(xlabel="nbar", ylabel="steady-state ergotropy [hbar omega_0]")
    ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(out / "ergotropy_vs_nbar.png", dpi=130)
    write_table(
        [
            {
                "case": str(c),
                "optimal nbar": float(vn.optimal_nbar.sel(case=c)),
                "W at optimum": float(vn.optimal_ergotropy.sel(case=c)),
            }
            for c in vn.case.values
        ],
        out,
        "temperature_optima",
        "Temperature optima (inf: monotone, sup = N/2 - N/(N+1))",
    )

    vf = xr.open_dataset(indir / "ergotropy_vs_fraction.nc")
    fig, axs = plt.subplots(1, vf.local_bath.size, figsize=(12, 3.6), sharey=True)
    for a, lb in zip(axs, vf.local_bath.values):
        for N in vf.N.values:
            a.plot(
                vf.collective_fraction,
                vf.ergotropy.sel(local_bath=lb, N=N),
                "o-",
                ms=3,
                label=f"N={N}",
            )
        a.set(title=str(lb), xlabel="collective fraction f")
    axs[0].set_ylabel("steady-state ergotropy [hbar omega_0]")
    axs[0].legend()
    fig.tight_layout()
    fig.savefig(out / "ergotropy_vs_fraction.png", dpi=130)
    write_table(
        [
            {
                "local bath": str(lb),
                **{
                    f"f_c(N={N})": float(vf.threshold_fraction.sel(local_bath=lb, N=N))
                    for N in vf.N.values
                },
            }
            for lb in vf.local_bath.values
        ],
        out,
        "fraction_thresholds",
        "Smallest collective fraction with steady-state ergotropy > 1e-9 (nbar = 1)",
    )

    dy = xr.open_dataset(indir / "dynamics.nc")
    fig, ax = plt.subplots(figsize=(6, 4))
    for N in dy.N_exact.values:
        ax.semilogx(dy.time[1:], dy.energy.sel(N_exact=N)[1:], label=f"energy exact N={N}")
        ax.semilogx(
            dy.time[1:], dy.ergotropy.sel(N_exact=N)[1:], "--", label=f"ergotropy exact N={N}"
        )
    for N in dy.N_cumulant.values:
        ax.semilogx(
            dy.time[1:],
            dy.energy_cumulant.sel(N_cumulant=N)[1:],
            ":",
            label=f"energy cumulant N={N}",
        )
    ax.set(xlabel="time [1/gamma]", ylabel="[hbar omega_0]", title="charging by noise, nbar = 1")
    ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(out / "dynamics.png", dpi=130)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main(
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path("results/noise_battery"),
        Path(sys.argv[2]) if len(sys.argv) > 2 else Path("results/noise_battery/figures"),
    )
