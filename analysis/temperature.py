"""Battery plateau and charging time vs reservoir temperature (nbar), from runs/temperature.toml.

    python analysis/temperature.py results/temperature.nc results/figures

Writes ``temperature.png`` and the table ``temperature.{csv,md}`` (plateau, charging time and
peak power of battery B1 for every case and nbar).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from _common import load, parse_args, provenance_note, with_units, write_table


def main() -> None:
    args = parse_args(__doc__.split("\n")[0])
    ds = load(args.input)
    ok = ds["status"] == 0
    nbar = ds["nbar"].values
    tu = ds["time"].attrs.get("units", "")
    cases = [str(c) for c in ds["case"].values] if "case" in ds.dims else [None]

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), constrained_layout=True)
    rows = []
    sizes = [int(n) for n in ds["N_C"].values] if "N_C" in ds.dims else [int(ds["N_C"])]
    styles = ["-", "--", ":", "-."]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ic, case in enumerate(cases):
        for js, nc in enumerate(sizes):
            sel = {}
            if case is not None:
                sel["case"] = case
            if "N_C" in ds.dims:
                sel["N_C"] = nc
            sub = ds.sel(sel)
            good = ok.sel(sel)
            p = sub["plateau_energy"].sel(ensemble="B1").where(good)
            pc = sub["plateau_energy"].sel(ensemble="C").where(good)
            tr = sub["rise_time"].sel(ensemble="B1").where(good)
            kw = dict(
                color=colors[ic % len(colors)],
                ls=styles[js % len(styles)],
                marker=".",
                ms=3,
                label=f"{case}, N_C = {nc:.0e}",
            )
            axes[0].plot(nbar, p, **kw)
            axes[1].plot(nbar, pc, **kw)
            axes[2].plot(nbar, tr, **kw)
            for k, nb in enumerate(nbar):
                rows.append(
                    {
                        "case": case or "",
                        "N_C": nc,
                        "nbar": float(nb),
                        "battery_plateau": float(p.values[k]),
                        "charger_plateau": float(pc.values[k]),
                        "charging_time_0.99": float(sub["event_time"].where(good).values[k]),
                        "rise_time_90%": float(tr.values[k]),
                        "peak_power_B1": float(
                            sub["peak_power"].sel(ensemble="B1").where(good).values[k]
                        ),
                        "status": str(sub["status_message"].values[k]),
                    }
                )
    axes[0].set_ylabel(r"battery plateau $\mathcal{E}_{B}/\hbar\omega_0$")
    axes[1].set_ylabel(r"charger at the plateau time $\mathcal{E}_{C}/\hbar\omega_0$")
    axes[2].set_ylabel(with_units("battery rise time (90 % of gain)", tu))
    axes[2].set_yscale("log")
    for ax in axes:
        ax.set_xlabel(r"reservoir occupation $\bar n$")
    axes[0].legend(fontsize=6, ncol=1)
    fig.suptitle(f"thermal reservoirs: N_B = {int(ds['N_B'])}; {provenance_note(ds)}", fontsize=8)
    fig.savefig(args.outdir / "temperature.png", dpi=130)
    plt.close(fig)
    _, md = write_table(
        rows,
        args.outdir,
        "temperature",
        title=f"Plateau vs nbar at t = {ds.attrs.get('plateau_time', float('nan')):g} {tu}",
    )
    n_bad = int((~ok).sum())
    print(f"{md} ({len(rows)} rows, {n_bad} failed points)")
    summary = [r for r in rows if r["nbar"] in (0.0, 0.5, 1.0, 2.0)]
    for r in summary:
        print(
            f"  {r['case']:<28} N_C={r['N_C']:<9d} nbar={r['nbar']:<4g} plateau={r['battery_plateau']:.4f} "
            f"charger={r['charger_plateau']:.4f}"
        )


if __name__ == "__main__":
    main()
