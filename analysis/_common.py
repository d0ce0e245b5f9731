"""Helpers shared by the analysis scripts: argument parsing, reading study files, tables."""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import xarray as xr  # noqa: E402

from collective.studies import read_netcdf  # noqa: E402


def parse_args(description: str, n_inputs: str = "1") -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    if n_inputs == "1":
        p.add_argument("input", type=Path, help="study result (netCDF) written by `collective run`")
    else:
        p.add_argument("inputs", type=Path, nargs="+", help="study results (netCDF)")
    p.add_argument("outdir", type=Path, help="folder for figures (PNG) and tables (CSV, markdown)")
    args = p.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)
    return args


def load(path: Path) -> xr.Dataset:
    return read_netcdf(path)


def write_table(
    rows: Sequence[dict], outdir: Path, stem: str, title: str = "", floatfmt: str = ".4g"
) -> tuple[Path, Path]:
    """Write ``rows`` (dicts with the same keys) as ``stem.csv`` and ``stem.md``."""
    cols = list(rows[0]) if rows else []
    csv_path = outdir / f"{stem}.csv"
    with open(csv_path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)

    def fmt(v):
        if isinstance(v, float):
            return "nan" if v != v else format(v, floatfmt)
        return str(v)

    md = [f"## {title}", ""] if title else []
    md.append("| " + " | ".join(cols) + " |")
    md.append("|" + "|".join("---" for _ in cols) + "|")
    for r in rows:
        md.append("| " + " | ".join(fmt(r[c]) for c in cols) + " |")
    md_path = outdir / f"{stem}.md"
    md_path.write_text("\n".join(md) + "\n")
    return csv_path, md_path


def provenance_note(ds: xr.Dataset) -> str:
    a = ds.attrs
    commit = str(a.get("git_commit", ""))[:10]
    return (
        f"collective {a.get('package_version', '?')} ({commit}), {a.get('method', '?')} order "
        f"{a.get('order', '?')}, rtol {a.get('rtol', '?')}, config sha256 {str(a.get('config_sha256', ''))[:12]}"
    )


def batteries(ds: xr.Dataset) -> list[str]:
    return [str(e) for e in ds["ensemble"].values if str(e) != "C"]


def with_units(label: str, units: str) -> str:
    """``label [units]`` for an axis; a unit already written in brackets (the Dias paper's
    ``[t]``, ``1/[t]``) is not bracketed again."""
    if not units:
        return label
    return f"{label} {units}" if units.startswith("[") else f"{label} [{units}]"
