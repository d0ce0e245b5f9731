"""netCDF output of studies: atomic writes, reading back, provenance, and a text summary.

Files are written to a temporary name in the target folder, flushed to disk and renamed, so a file
under the final name is always complete.  Strings are stored as variable-length ``str`` and
complex values are never written (netCDF4 has no complex type).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import platform
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import ConfigError

__all__ = ["write_netcdf", "read_netcdf", "provenance", "describe_file", "git_commit", "now_iso"]


def now_iso() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def git_commit() -> tuple[str, bool]:
    """``(commit, dirty)`` of the git checkout holding the package, or ``("", False)``."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        if commit.returncode != 0:
            return "", False
        status = subprocess.run(
            ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return commit.stdout.strip(), bool(status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return "", False


def provenance(cfg, **extra: Any) -> dict[str, Any]:
    """Provenance attributes of a study result (netCDF-safe: strings and numbers only)."""
    from .. import __version__

    commit, dirty = git_commit()
    attrs: dict[str, Any] = {
        "Conventions": "CF-1.10",
        "title": cfg.title or Path(cfg.source).stem,
        "institution": "",
        "source": f"collective {__version__}",
        "package": "collective",
        "package_version": __version__,
        "git_commit": commit or "unknown",
        "git_dirty": int(dirty),
        "preset": cfg.preset,
        "method": cfg.method.kind,
        "order": cfg.method.order if cfg.method.kind == "cumulant" else -1,
        "integrator": cfg.method.integrator if cfg.method.kind == "cumulant" else "",
        "rtol": cfg.method.rtol,
        "atol": cfg.method.atol,
        "max_steps": cfg.method.max_steps if cfg.method.max_steps is not None else -1,
        "h0": cfg.method.h0 if cfg.method.h0 is not None else 0.0,
        "hmax": cfg.method.hmax if cfg.method.hmax is not None else np.inf,
        "charging_target": cfg.derived.target,
        "config_source": str(cfg.source),
        "config_sha256": cfg.sha256,
        "config_text": cfg.text,
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "python_version": sys.version.split()[0],
        "numpy_version": np.__version__,
        "xarray_version": xr.__version__,
    }
    if cfg.description:
        attrs["comment"] = cfg.description
    attrs.update(extra)
    return _netcdf_attrs(attrs)


def _netcdf_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in attrs.items():
        if v is None:
            continue
        if isinstance(v, (bool, np.bool_)):
            v = int(v)
        elif isinstance(v, (list, tuple)):
            v = np.asarray(v)
        out[k] = v
    return out


def _encoding(ds: xr.Dataset) -> dict[str, dict[str, Any]]:
    enc: dict[str, dict[str, Any]] = {}
    for name, var in ds.variables.items():
        if np.iscomplexobj(var.values):
            raise ConfigError(
                f"variable `{name}` is complex: split it into real and imaginary parts"
            )
        if var.dtype.kind in "OUS":
            enc[name] = {"dtype": str}
        elif var.dtype.kind == "f" and name not in ds.coords and var.ndim > 0:
            enc[name] = {"zlib": True, "complevel": 4, "_FillValue": np.nan}
        elif name in ds.coords:
            enc[name] = {"_FillValue": None}
    return enc


def _clean_for_netcdf(ds: xr.Dataset) -> xr.Dataset:
    ds = ds.copy()
    ds.attrs = _netcdf_attrs(ds.attrs)
    for name in ds.variables:
        ds[name].attrs = _netcdf_attrs(ds[name].attrs)
        ds[name].encoding = {}
        if ds[name].dtype.kind == "U":
            ds[name] = ds[name].astype(object)
        if ds[name].dtype.kind == "b":
            ds[name] = ds[name].astype(np.int8)
    return ds


def write_netcdf(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to ``path`` atomically (temporary name, fsync, rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    ds = _clean_for_netcdf(ds)
    try:
        ds.to_netcdf(tmp, engine="netcdf4", format="NETCDF4", encoding=_encoding(ds))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        try:
            dfd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError:  # pragma: no cover - platforms without directory fsync
            pass
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def read_netcdf(path: str | Path) -> xr.Dataset:
    """Load a study file fully into memory (the file is closed on return)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"`path` = {str(path)!r} is not a file")
    with xr.open_dataset(path, engine="netcdf4") as ds:
        out = ds.load()
    for name in out.variables:
        out[name].encoding = {}
    return out


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def describe_file(path: str | Path) -> str:
    """A human-readable summary of what a study file holds."""
    ds = read_netcdf(path)
    a = ds.attrs
    lines = [f"{path}", f"  title: {a.get('title', '')}"]
    for k in (
        "preset",
        "method",
        "order",
        "rtol",
        "atol",
        "package_version",
        "git_commit",
        "config_source",
        "config_sha256",
        "start_time",
        "end_time",
        "wall_time",
        "host",
        "scheduler",
        "n_chunks",
    ):
        if k in a:
            lines.append(f"  {k}: {a[k]}")
    lines.append("  dimensions: " + ", ".join(f"{d}={n}" for d, n in ds.sizes.items()))
    lines.append("  coordinates:")
    for name, c in ds.coords.items():
        vals = c.values.ravel()
        if vals.size <= 8:
            shown = ", ".join(str(v) for v in vals)
        elif vals.dtype.kind in "fi":
            shown = f"{vals.min():g} .. {vals.max():g} ({vals.size} values)"
        else:
            shown = f"{vals[0]} .. {vals[-1]} ({vals.size} values)"
        lines.append(f"    {name}{c.dims}: {shown}  [{c.attrs.get('units', '?')}]")
    lines.append("  variables:")
    for name, v in ds.data_vars.items():
        lines.append(
            f"    {name}{v.dims}: {v.attrs.get('long_name', '')} [{v.attrs.get('units', '?')}]"
        )
    if "status" in ds:
        st = ds["status"].values
        n = st.size
        nok = int(np.sum(st == 0))
        lines.append(f"  points: {n} ({nok} ok, {n - nok} failed)")
        if nok < n and "status_message" in ds:
            msgs, counts = np.unique(
                ds["status_message"].values[st != 0].astype(str), return_counts=True
            )
            for m, c in list(zip(msgs, counts))[:10]:
                lines.append(f"    {c} x {m}")
    return "\n".join(lines)
