"""Battery plateau and charging time over the (m, gamma_up) plane, and the minimum pump for a full
charge vs m, from the study runs/pump_strength.toml.

    python analysis/pump_strength.py results/pump_strength.nc results/figures

Writes ``pump_strength_heatmaps.png`` (plateau and charging time of battery B1 over (m, gamma_up)),
``pump_strength_collapse.png`` (plateau vs the detuning gamma_up - (m - 1) gamma_down),
``pump_strength_min_pump.png`` and the tables ``pump_strength_min_pump.{csv,md}``.
Failed grid points (status != 0) are masked (shown white) and counted in the table.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from _common import load, parse_args, provenance_note, with_units, write_table
from matplotlib.colors import LogNorm

FULL = 0.99  # plateau counted as a full charge
SMOOTH = 0.4  # detunings up to here: the smooth part of the plateau curve (beyond: oscillations)


def edges(x: np.ndarray) -> np.ndarray:
    mid = 0.5 * (x[1:] + x[:-1])
    return np.concatenate([[x[0] - (mid[0] - x[0])], mid, [x[-1] + (x[-1] - mid[-1])]])


def main() -> None:
    args = parse_args(__doc__.split("\n")[0])
    ds = load(args.input)
    ok = ds["status"] == 0
    gd = float(ds["gamma_down"]) if "gamma_down" in ds.coords else 1.0
    m = ds["reservoirs"].values
    g = ds["gamma_up"].values / gd
    plateau = ds["plateau_energy"].sel(ensemble="B1").where(ok).transpose("reservoirs", "gamma_up")
    tcharge = ds["event_time"].where(ok).transpose("reservoirs", "gamma_up")
    tu = ds["time"].attrs.get("units", "")
    target = float(ds.attrs.get("charging_target", FULL))

    # ---- heat maps
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), constrained_layout=True)
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("white")
    im = axes[0].pcolormesh(
        edges(g),
        edges(m.astype(float)),
        np.ma.masked_invalid(plateau.values),
        cmap=cmap,
        vmin=0,
        vmax=1,
        shading="flat",
    )
    fig.colorbar(im, ax=axes[0], label=r"battery plateau $\mathcal{E}_{B}/\hbar\omega_0$")
    axes[0].plot(m - 1, m, "w--", lw=1, label=r"$\gamma_\Uparrow = (m-1)\gamma_\Downarrow$")
    axes[0].legend(loc="lower right", fontsize=8)
    tc = np.ma.masked_invalid(tcharge.values)
    cmap2 = plt.get_cmap("magma").copy()
    cmap2.set_bad("lightgrey")
    if tc.count():
        im2 = axes[1].pcolormesh(
            edges(g),
            edges(m.astype(float)),
            tc,
            cmap=cmap2,
            shading="flat",
            norm=LogNorm(vmin=tc.min(), vmax=tc.max()),
        )
        fig.colorbar(im2, ax=axes[1], label=with_units(f"charging time to {target:g}", tu))
    axes[1].set_title(f"charging time (grey: never reaches {target:g} or failed)", fontsize=9)
    for ax in axes:
        ax.set_xlabel(r"$\gamma_\Uparrow/\gamma_\Downarrow$")
        ax.set_ylabel("reservoirs m")
        ax.set_yticks(m)
    axes[0].set_title(
        f"battery plateau at t = {ds.attrs.get('plateau_time', float('nan')):g} {tu}", fontsize=9
    )
    fig.suptitle(
        f"pump strength study: N_C = {int(ds['N_C'])}, N_B = {int(ds['N_B'])}; {provenance_note(ds)}",
        fontsize=8,
    )
    fig.savefig(args.outdir / "pump_strength_heatmaps.png", dpi=130)
    plt.close(fig)

    # ---- collapse onto the detuning d = gamma_up - (m - 1) gamma_down
    fig, ax = plt.subplots(figsize=(7, 4.2), constrained_layout=True)
    for mi in m:
        y = plateau.sel(reservoirs=mi).values
        ax.plot(g - (mi - 1), y, ".-", ms=2, lw=0.8, label=f"m = {mi}")
    ax.axhline(FULL, color="k", lw=0.5, ls=":")
    ax.set_xlabel(r"$(\gamma_\Uparrow - (m-1)\gamma_\Downarrow)/\gamma_\Downarrow$")
    ax.set_ylabel("battery plateau")
    ax.set_xlim(-5.5, 1.5)
    ax.legend(fontsize=8, ncol=2)
    ax.set_title("plateau vs pump detuning from (m-1) gamma_down", fontsize=9)
    fig.savefig(args.outdir / "pump_strength_collapse.png", dpi=130)
    plt.close(fig)

    # collapse quality: max |plateau(m, g) - plateau(m_max, g + (m_max - m) gamma_down)| on the
    # detunings both grids hold (the largest m covers the most negative detunings)
    mref = m[-1]
    ref = {
        round(float(gi - (mref - 1)), 6): v for gi, v in zip(g, plateau.sel(reservoirs=mref).values)
    }
    dev = {}
    for mi in m[:-1]:
        diffs = []
        for gi, v in zip(g, plateau.sel(reservoirs=mi).values):
            r = ref.get(round(float(gi - (mi - 1)), 6))
            if r is not None and np.isfinite(v) and np.isfinite(r) and gi - (mi - 1) <= SMOOTH:
                diffs.append(abs(v - r))
        dev[int(mi)] = max(diffs) if diffs else float("nan")

    # ---- minimum pump for a full charge
    rows = []
    for mi in m:
        p = plateau.sel(reservoirs=mi).values
        full = np.nonzero(p >= FULL)[0]
        gmin = float(g[full[0]]) if full.size else float("nan")
        # upper edge of the first full-charge window
        gmax = gmin
        if full.size:
            k = full[0]
            while k + 1 < g.size and p[k + 1] >= FULL:
                k += 1
            gmax = float(g[k])
        kbest = int(np.nanargmax(p)) if np.isfinite(p).any() else 0
        tmin = ds["event_time"].sel(reservoirs=mi).where(ok.sel(reservoirs=mi)).values
        rows.append(
            {
                "m": int(mi),
                "gamma_up_min/gamma_down": gmin,
                "window_end/gamma_down": gmax,
                "(m-1)": int(mi - 1),
                "plateau_at_(m-1)": float(
                    plateau.sel(reservoirs=mi).sel(gamma_up=(mi - 1) * gd, method="nearest")
                ),
                "plateau_no_pump": float(p[0]),
                "best_plateau": float(p[kbest]),
                "charging_time_at_min": float(tmin[full[0]]) if full.size else float("nan"),
                f"max_dev_from_m={int(m[-1])}_curve_(d<={SMOOTH})": dev.get(int(mi), 0.0),
                "failed_points": int((~ok.sel(reservoirs=mi)).sum()),
            }
        )
    good = [r for r in rows if np.isfinite(r["gamma_up_min/gamma_down"]) and r["m"] > 1]
    if len(good) >= 2:
        x = np.array([r["m"] for r in good], float)
        y = np.array([r["gamma_up_min/gamma_down"] for r in good])
        slope, icpt = np.polyfit(x, y, 1)
        law = f"gamma_up_min/gamma_down = {slope:.4f} m {icpt:+.4f} (fit over m = {int(x[0])}..{int(x[-1])})"
    else:
        law = "not enough points for a fit"
    step = float(np.median(np.diff(g))) if g.size > 1 else float("nan")
    title = (
        f"Minimum pump for a full charge (plateau >= {FULL}); grid step {step:g} gamma_down; {law}"
    )
    _, md = write_table(rows, args.outdir, "pump_strength_min_pump", title=title)

    fig, ax = plt.subplots(figsize=(5, 3.6), constrained_layout=True)
    ax.plot(
        [r["m"] for r in rows], [r["gamma_up_min/gamma_down"] for r in rows], "o", label="study"
    )
    ax.plot(m, m - 1, "k--", lw=0.8, label=r"$(m-1)$")
    ax.set_xlabel("reservoirs m")
    ax.set_ylabel(r"minimum $\gamma_\Uparrow/\gamma_\Downarrow$ for plateau $\geq$ 0.99")
    ax.legend(fontsize=8)
    fig.savefig(args.outdir / "pump_strength_min_pump.png", dpi=130)
    plt.close(fig)
    print(md.read_text())


if __name__ == "__main__":
    main()
