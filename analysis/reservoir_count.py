"""Battery plateau vs number of reservoirs m without pumping, from runs/reservoir_count.toml.

    python analysis/reservoir_count.py results/reservoir_count.nc results/figures

Writes ``reservoir_count.png`` (plateau vs m, with the paper's 1, 1/2, 1/4 for m = 1, 2, 3, and the
trajectories of battery B1) and the table ``reservoir_count.{csv,md}``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from _common import load, parse_args, provenance_note, with_units, write_table

PAPER = {1: 1.0, 2: 0.5, 3: 0.25}  # Dias et al. (2024), text around Fig. 2 (b), (d)


def main() -> None:
    args = parse_args(__doc__.split("\n")[0])
    ds = load(args.input)
    ok = ds["status"] == 0
    m = ds["reservoirs"].values
    plateau = ds["plateau_energy"].sel(ensemble="B1").where(ok)
    charger = ds["plateau_energy"].sel(ensemble="C").where(ok)
    tu = ds["time"].attrs.get("units", "")

    # power-law fit of the plateau for m >= 2
    sel = (m >= 2) & np.isfinite(plateau.values)
    slope = np.nan
    if sel.sum() >= 2:
        slope, icpt = np.polyfit(np.log(m[sel] - 1.0), np.log(plateau.values[sel]), 1)

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    ax = axes[0]
    ax.plot(m, plateau, "o-", label="battery plateau (order 2)")
    ax.plot(list(PAPER), list(PAPER.values()), "kx", ms=9, label="paper (text)")
    ax.plot(m, 2.0 ** (1 - m), "k:", lw=0.8, label=r"$2^{1-m}$")
    ax.set_yscale("log")
    ax.set_xlabel("reservoirs m")
    ax.set_ylabel(r"$\mathcal{E}_B/\hbar\omega_0$ at the plateau")
    ax.legend(fontsize=8)
    ax.set_title(f"no pump, N_C = {int(ds['N_C'])}, N_B = {int(ds['N_B'])}", fontsize=9)
    ax = axes[1]
    for mi in m:
        ax.plot(
            ds["time"], ds["energy_density"].sel(reservoirs=mi, ensemble="B1"), label=f"m = {mi}"
        )
    ax.set_xscale("log")
    ax.set_xlabel(with_units("time", tu))
    ax.set_ylabel(r"$\mathcal{E}_{B1}/\hbar\omega_0$")
    ax.legend(fontsize=7, ncol=2)
    fig.suptitle(provenance_note(ds), fontsize=8)
    fig.savefig(args.outdir / "reservoir_count.png", dpi=130)
    plt.close(fig)

    rows = []
    for mi in m:
        p = float(plateau.sel(reservoirs=mi))
        bats = [e for e in ds["ensemble"].values if str(e) != "C"][: int(mi)]
        stored = float(ds["plateau_energy"].sel(reservoirs=mi, ensemble=bats).sum()) * float(
            ds["N_B"]
        )
        rows.append(
            {
                "m": int(mi),
                "battery_plateau": p,
                "1/plateau": 1.0 / p if p > 0 else float("nan"),
                "paper": PAPER.get(int(mi), float("nan")),
                "2^(1-m)": 2.0 ** (1 - int(mi)),
                "charger_final": float(charger.sel(reservoirs=mi)),
                "quanta_in_batteries": stored,
                "rise_time_B1": float(ds["rise_time"].sel(reservoirs=mi, ensemble="B1")),
                "plateau_residual_B1": float(
                    ds["plateau_residual"].sel(reservoirs=mi, ensemble="B1")
                ),
                "status": str(ds["status_message"].sel(reservoirs=mi).values),
            }
        )
    title = (
        f"Battery plateau vs m without pump at t = {ds.attrs.get('plateau_time', float('nan')):g} {tu}; "
        f"log-log slope of plateau vs (m-1) for m >= 2: {slope:.3f}"
    )
    _, md = write_table(rows, args.outdir, "reservoir_count", title=title)
    print(md.read_text())


if __name__ == "__main__":
    main()
