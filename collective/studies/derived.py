"""Derived quantities of energy-density trajectories: plateau, charging time, rise time, power.

All functions work on any leading grid dimensions and read ``energy_density(..., time, ensemble)``
(and ``energy_rate`` when present).  Crossing times are interpolated linearly between output times,
so their resolution is that of the time grid; the solver's ``event_time`` (a stop event located by
the integrator) is the precise value for the configured ensemble.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

__all__ = ["first_crossing", "add_derived", "RISE_FRACTION"]

#: fraction of the final energy gain that defines the rise time
RISE_FRACTION = 0.9


def first_crossing(t: np.ndarray, y: np.ndarray, level: np.ndarray | float) -> np.ndarray:
    """First time ``y(t)`` reaches ``level`` from below (last axis of ``y`` is time).

    ``level`` broadcasts against ``y[..., 0]``.  Points that start at or above the level, never
    reach it, or hold NaN before the crossing give NaN.
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        return first_crossing(t, y[None, :], np.asarray(level, dtype=float)[None])[0]
    level = np.broadcast_to(np.asarray(level, dtype=float), y.shape[:-1])
    out = np.full(y.shape[:-1], np.nan)
    if y.shape[-1] == 0:
        return out
    above = y >= level[..., None]
    reached = above.any(axis=-1)
    k = np.argmax(above, axis=-1)
    ok = reached & (k > 0) & np.isfinite(level)
    idx = np.nonzero(ok)
    if idx[0].size == 0:
        return out
    kk = k[idx]
    y1 = y[idx + (kk,)]
    y0 = y[idx + (kk - 1,)]
    t1, t0 = t[kk], t[kk - 1]
    lv = level[idx]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(y1 > y0, (lv - y0) / (y1 - y0), 1.0)
    vals = t0 + np.clip(frac, 0.0, 1.0) * (t1 - t0)
    vals = np.where(np.isfinite(y0) & np.isfinite(y1), vals, np.nan)
    out[idx] = vals
    return out


def add_derived(
    ds: xr.Dataset,
    target: float,
    *,
    plateau_time: float | None = None,
    energy_units: str = "1",
    time_units: str = "1",
) -> xr.Dataset:
    """Add ``plateau_energy``, ``plateau_residual``, ``charging_time``, ``rise_time``,
    ``average_power`` and ``peak_power`` to a study dataset (all with dims ``(..., ensemble)``).

    The plateau is read at the first output time >= ``plateau_time`` (default: the last one);
    gains, rise times and powers refer to that plateau."""
    ed = ds["energy_density"].transpose(..., "time", "ensemble")
    t = ds["time"].values
    dims = tuple(d for d in ed.dims if d != "time")
    e = np.moveaxis(ed.values, -2, -1)  # (..., ensemble, time)
    kp = (
        t.size - 1
        if plateau_time is None
        else int(np.searchsorted(t, plateau_time - 1e-12 * abs(plateau_time)))
    )
    kp = min(max(kp, 0), t.size - 1)
    last = e[..., kp] if e.shape[-1] else np.full(e.shape[:-1], np.nan)
    e = e[..., : kp + 1]
    t_all, t = t, t[: kp + 1]
    if "initial_energy" in ds:
        e0 = ds["initial_energy"].transpose(*dims).values
    else:
        e0 = e[..., 0]
    out = ds.copy()
    out["plateau_energy"] = (
        dims,
        last,
        {
            "long_name": f"energy density at the plateau time t = {t_all[kp]:g}",
            "units": energy_units,
        },
    )
    if "energy_rate" in ds and t.size:
        rate = ds["energy_rate"].transpose(..., "time", "ensemble").values[..., kp, :]
        out["plateau_residual"] = (
            dims,
            np.abs(rate) * t_all[kp],
            {
                "long_name": "change of energy density per e-fold of time at the plateau time "
                "(|dE/dt| t); small when the plateau is reached",
                "units": energy_units,
            },
        )
        r = ds["energy_rate"].transpose(..., "time", "ensemble").values[..., : kp + 1, :]
        peak = np.max(np.where(np.isfinite(r), r, -np.inf), axis=-2)
        peak = np.where(np.isfinite(peak), peak, np.nan)
        out["peak_power"] = (
            dims,
            peak,
            {
                "long_name": "maximum of d(energy density)/dt over output times up to the plateau time (peak power per spin)",
                "units": f"({energy_units})/({time_units})"
                if energy_units != "1"
                else f"1/({time_units})",
            },
        )
    tc = first_crossing(t, e, np.where(e0 < target, target, np.nan))
    out["charging_time"] = (
        dims,
        tc,
        {
            "long_name": f"first time the energy density reaches the target {target:g} (NaN: never, "
            f"or already charged at t = 0)",
            "units": time_units,
        },
    )
    gain = last - e0
    level = np.where(gain > 1e-9, e0 + RISE_FRACTION * gain, np.nan)
    tr = first_crossing(t, e, level)
    out["rise_time"] = (
        dims,
        tr,
        {
            "long_name": f"first time the energy density gains {RISE_FRACTION:g} of its final gain "
            f"(NaN if it does not increase)",
            "units": time_units,
        },
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        avg = RISE_FRACTION * gain / tr
    out["average_power"] = (
        dims,
        np.where(np.isfinite(tr) & (tr > 0), avg, np.nan),
        {
            "long_name": f"average charging power up to the rise time ({RISE_FRACTION:g} of the gain / rise time)",
            "units": f"({energy_units})/({time_units})"
            if energy_units != "1"
            else f"1/({time_units})",
        },
    )
    out.attrs["charging_target"] = float(target)
    out.attrs["plateau_time"] = float(t_all[kp])
    return out
