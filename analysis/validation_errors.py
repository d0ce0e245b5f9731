"""Table and figure of the validation study (runs/validation.py): maximum over time of
|E_B exact - E_B cumulant| for orders 1 and 2 versus the charger size N_C.

Usage: python analysis/validation_errors.py [results/validation.nc] [-o results/figures]
"""

from __future__ import annotations

import argparse
import pathlib

import numpy as np
import xarray as xr


def table(ds: xr.Dataset, var: str = "max_err_E_B") -> str:
    lines = []
    Ns = [int(n) for n in ds.N_C.values]
    head = f"{'case':26s} {'order':>5s} " + " ".join(f"{n:>9d}" for n in Ns) + "   slope"
    title = {
        "max_err_E_B": "max_t |E_B exact - E_B order|",
        "final_err_E_B": "|E_B exact - E_B order| at t_f",
    }[var]
    lines.append(f"{title}  vs N_C (slope: log-log fit over the ladder)")
    lines.append(head)
    lines.append("-" * len(head))
    for case in ds.case.values:
        for order in (1, 2):
            v = ds[var].sel(case=case, order=order).values
            ok = np.isfinite(v) & (v > 0)
            slope = (
                np.polyfit(np.log(np.array(Ns)[ok]), np.log(v[ok]), 1)[0]
                if ok.sum() >= 2
                else np.nan
            )
            cells = " ".join(f"{x:9.2e}" if np.isfinite(x) else f"{'-':>9s}" for x in v)
            lines.append(f"{str(case):26s} {order:5d} {cells}   {slope:5.2f}")
    return "\n".join(lines)


def plot(ds: xr.Dataset, outdir: pathlib.Path) -> pathlib.Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ms = sorted(set(int(m) for m in ds.reservoirs.values))
    fig, axes = plt.subplots(1, len(ms), figsize=(4.5 * len(ms), 4), sharey=True, squeeze=False)
    for ax, m in zip(axes[0], ms):
        sub = ds.where(ds.reservoirs == m, drop=True)
        for case in sub.case.values:
            for order, ls in ((1, "--"), (2, "-")):
                v = sub.max_err_E_B.sel(case=case, order=order)
                ok = np.isfinite(v.values)
                label = str(case).split(" ", 1)[1] + f", order {order}"
                ax.loglog(sub.N_C.values[ok], v.values[ok], ls, marker="o", ms=3, label=label)
        ax.set_title(f"m = {m}, N_B = {int(sub.N_B.values[0])}")
        ax.set_xlabel("charger size $N_C$")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel(r"$\max_t |E_B^{exact} - E_B^{cumulant}|$")
    axes[0][-1].legend(fontsize=6)
    fig.tight_layout()
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / "validation_errors.png"
    fig.savefig(path, dpi=150)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("input", nargs="?", default="results/validation.nc")
    ap.add_argument("-o", "--outdir", default="results/figures")
    args = ap.parse_args()
    ds = xr.load_dataset(args.input)
    text = table(ds)
    if "final_err_E_B" in ds:
        text += "\n\n" + table(ds, "final_err_E_B")
    print(text)
    outdir = pathlib.Path(args.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "validation_errors.md").write_text("```\n" + text + "\n```\n")
    print(f"figure: {plot(ds, pathlib.Path(args.outdir))}")


if __name__ == "__main__":
    main()
