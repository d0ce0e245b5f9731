"""Figures and tables for runs/dias_charging.py (Dias et al. 2024, Eq. (4), Fig. 2 a/c/f at N_C = 1e7).

Usage: python analysis/dias_charging.py [indir] [outdir]
(defaults results/dias_charging and results/dias_charging/figures)
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import xarray as xr  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from _common import write_table  # noqa: E402


def main(indir: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tr = xr.open_dataset(indir / "trajectories.nc")
    ch = xr.open_dataset(indir / "charging.nc")
    fig, ax = plt.subplots(1, 3, figsize=(14, 4))
    for p in tr.protocol.values:
        d = tr.sel(protocol=p)
        ax[0].semilogx(d.time, d.energy_density.sel(ensemble="B1"), label=f"({p}) B1")
        ax[0].semilogx(d.time, d.energy_density.sel(ensemble="C"), "--", label=f"({p}) C")
        ax[1].semilogx(d.time, d.power.sel(ensemble="B1"), label=f"({p})")
        ax[2].semilogx(d.time, d.average_power.sel(ensemble="B1"), label=f"({p})")
    for r in range(ch.row.size):
        if float(ch.target[r]) == 0.9:
            ax[0].axvline(float(ch.charging_time[r]), color="gray", lw=0.5)
    ax[0].set(xlabel="time [1/gamma_down]", ylabel="energy density", xlim=(1e-7, 1e-4))
    ax[1].set(
        xlabel="time [1/gamma_down]",
        ylabel="battery power [hbar omega_0 gamma_down]",
        xlim=(1e-7, 1e-5),
    )
    ax[2].set(
        xlabel="time [1/gamma_down]",
        ylabel="average power [hbar omega_0 gamma_down]",
        xlim=(1e-7, 1e-4),
    )
    ax[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "dias_charging.png", dpi=130)
    rows = []
    for r in range(ch.row.size):
        rows.append(
            {
                "panel": str(ch.protocol.values[r]),
                "reservoirs": int(ch.reservoirs[r]),
                "gamma_up [gamma_down]": float(ch.gamma_up[r]),
                "target density": float(ch.target[r]),
                "charging time [1/gamma_down]": float(ch.charging_time[r]),
                "avg power to target [hbar omega_0 gamma_down]": float(
                    ch.average_power_to_target[r]
                ),
                "peak power [hbar omega_0 gamma_down]": float(ch.peak_power[r]),
                "final density B1": float(ch.final_energy_density_B1[r]),
                "efficiency dE_B1/(-dE_C)": float(ch.efficiency_final[r]),
            }
        )
    write_table(
        rows,
        out,
        "dias_charging",
        "Dias et al. protocols at N_C = 1e7, N_B = 100 (cumulant order 2)",
    )
    erg = xr.open_dataset(indir / "battery_ergotropy_small.nc")
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(erg.time, erg.energy, label="energy")
    ax.plot(erg.time, erg.ergotropy, label="ergotropy")
    ax.set(
        xlabel="time [1/gamma_down]",
        ylabel="[hbar omega_0]",
        title="one battery, exact, N_C = 8, N_B = 4",
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "battery_ergotropy_small.png", dpi=130)


if __name__ == "__main__":
    main(
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path("results/dias_charging"),
        Path(sys.argv[2]) if len(sys.argv) > 2 else Path("results/dias_charging/figures"),
    )
