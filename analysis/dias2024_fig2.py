"""Fig. 2 of Dias et al. (2024): energy density of the charger and the batteries, panels (a)-(f) and
the inset, from the study runs/dias2024_fig2.toml.

    python analysis/dias2024_fig2.py results/dias2024_fig2.nc results/figures

Writes ``dias2024_fig2.png`` and the table ``dias2024_fig2_plateaus.{csv,md}`` (battery plateau,
charging time and peak power per panel, with the values the paper states in its text).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from _common import batteries, load, parse_args, provenance_note, with_units, write_table
from matplotlib.ticker import LogLocator

#: battery plateau stated in the paper's text (Fig. 2 caption and discussion)
PAPER = {
    "a": "-> 1",
    "b": "-> 1/2",
    "c": "-> 1",
    "d": "-> 1/4",
    "e": "~1/2 ('half excite')",
    "f": "-> 1",
    "inset": "no transfer",
}
PANELS = ["a", "b", "c", "d", "e", "f"]
STYLES = [("-", "tab:blue"), ("--", "tab:olive"), ("--", "tab:green")]


def plot_case(ax, ds, case, legend=True):
    sub = ds.sel(case=case)
    t = sub["time"].values
    ax.plot(t, sub["energy_density"].sel(ensemble="C"), color="tab:red", lw=2, label="charger C")
    for k, b in enumerate(batteries(ds)):
        y = sub["energy_density"].sel(ensemble=b).values
        if np.all(np.isnan(y)):
            continue
        ls, col = STYLES[k % len(STYLES)]
        ax.plot(t, y, ls=ls, color=col, lw=1.5, label=f"battery {b}")
    ax.set_xscale("log")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlim(t[0], t[-1])
    if legend:
        ax.legend(loc="center left", fontsize=7, frameon=False)


def main() -> None:
    args = parse_args(__doc__.split("\n")[0])
    ds = load(args.input)
    cases = [str(c) for c in ds["case"].values]
    tu = ds["time"].attrs.get("units", "")
    fig, axes = plt.subplots(
        2, 3, figsize=(12, 6.5), sharex=True, sharey=True, constrained_layout=True
    )
    for ax, panel in zip(axes.ravel(), PANELS):
        if panel not in cases:
            ax.set_visible(False)
            continue
        sub = ds.sel(case=panel)
        plot_case(ax, ds, panel, legend=panel == "a")
        m = int(sub["reservoirs"]) if "reservoirs" in sub.coords else "?"
        gu = float(sub["gamma_up"]) if "gamma_up" in sub.coords else float("nan")
        ax.set_title(
            f"({panel}) m = {m}, $\\gamma_\\Uparrow$ = {gu:g} $\\gamma_\\Downarrow$", fontsize=10
        )
        st = int(sub["status"])
        if st != 0:
            ax.text(
                0.5,
                0.5,
                f"failed: {str(sub['status_message'].values)}",
                transform=ax.transAxes,
                ha="center",
                fontsize=7,
                color="k",
                wrap=True,
            )
    for ax in axes[-1]:
        ax.set_xlabel(with_units("time", tu))
    for ax in axes[:, 0]:
        ax.set_ylabel(r"$\mathcal{E}_\mu/\hbar\omega_0$")
    if "inset" in cases and "f" in cases:
        # before the burst panel (f)'s curves sit at 1 (charger) and 0 (batteries): the inset
        # goes in the empty band between them, left of the burst
        ins = axes[1, 2].inset_axes([0.1, 0.2, 0.36, 0.58])
        plot_case(ins, ds, "inset", legend=False)
        ins.set_title(r"inset: $\mathcal{E}_C(0) = 0$", fontsize=7)
        ins.tick_params(labelsize=6)
        ins.xaxis.set_major_locator(LogLocator(numticks=3))
    a = ds.attrs
    fig.suptitle(
        f"Dias et al. (2024) Fig. 2: N_C = {int(ds['N_C'])}, N_B = {int(ds['N_B'])}, "
        f"order {a.get('order')} cumulants\n{provenance_note(ds)}",
        fontsize=9,
    )
    png = args.outdir / "dias2024_fig2.png"
    fig.savefig(png, dpi=130)
    plt.close(fig)

    rows = []
    for case in cases:
        sub = ds.sel(case=case)
        rows.append(
            {
                "panel": case,
                "m": int(sub["reservoirs"])
                if "reservoirs" in sub.coords
                else int(ds["reservoirs"]),
                "gamma_up": float(sub["gamma_up"])
                if "gamma_up" in sub.coords
                else float(ds["gamma_up"]),
                "charger_energy_0": float(sub["initial_energy"].sel(ensemble="C")),
                "battery_plateau": float(sub["plateau_energy"].sel(ensemble="B1")),
                "charger_plateau": float(sub["plateau_energy"].sel(ensemble="C")),
                "charging_time_0.99": float(sub["event_time"]),
                "rise_time_90%": float(sub["rise_time"].sel(ensemble="B1")),
                "peak_power_B1": float(sub["peak_power"].sel(ensemble="B1")),
                "paper": PAPER.get(case, ""),
                "status": str(sub["status_message"].values),
            }
        )
    csv_path, md_path = write_table(
        rows,
        args.outdir,
        "dias2024_fig2_plateaus",
        title=f"Fig. 2 plateaus at t = {a.get('plateau_time', float('nan')):g} {tu}",
    )
    print(png)
    print(md_path)
    print(md_path.read_text())


if __name__ == "__main__":
    main()
