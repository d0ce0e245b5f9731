"""The compute step of a study: solve one chunk of grid points of one model structure.

:func:`run_chunk` is what a dask worker runs.  It never raises for a physics or numerics failure:
a point that cannot be built or solved comes back as NaN with a non-zero ``status`` and a
``status_message`` naming the reason.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence

import numpy as np
import xarray as xr

from .grid import GroupSpec, PointSpec, initial_energies

__all__ = ["run_chunk", "STATUS_WORKER_ERROR", "STATUS_NOT_COMPUTED", "KEEP_VARIABLES"]

#: status of points whose chunk raised an exception outside the solver (e.g. a derivation error)
STATUS_WORKER_ERROR = 90
#: status of points whose chunk was never computed (worker lost); rerun with ``--resume``
STATUS_NOT_COMPUTED = 91

#: per-(point, time, ensemble) solver variables kept in study files
KEEP_VARIABLES = ("energy_density", "energy_rate")


def _set_threads(n: int | None) -> None:
    if not n:
        return
    try:
        import numba

        numba.set_num_threads(max(1, min(int(n), numba.config.NUMBA_NUM_THREADS)))
    except (ImportError, ValueError):  # pragma: no cover
        pass


def _failed(
    points: Sequence[PointSpec],
    times: Sequence[float],
    ensembles: Sequence[str],
    code: int,
    message: str,
) -> xr.Dataset:
    n, nt, ne = len(points), len(times), len(ensembles)
    nan = np.full((n, nt, ne), np.nan)
    return xr.Dataset(
        {
            "energy_density": (("point", "time", "ensemble"), nan),
            "energy_rate": (("point", "time", "ensemble"), nan.copy()),
            "status": ("point", np.full(n, code, dtype=np.int64)),
            "status_message": ("point", np.array([message] * n, dtype=object)),
            "event_time": ("point", np.full(n, np.nan)),
        },
        coords={
            "time": np.asarray(times, dtype=float),
            "ensemble": np.array(list(ensembles), dtype=object),
        },
    )


def _select(ds: xr.Dataset) -> xr.Dataset:
    """Keep the variables a study stores: trajectories, status, event time, per-point statistics."""
    keep = {}
    ds = ds.reset_coords(drop=True)
    for name, var in ds.data_vars.items():
        if name in KEEP_VARIABLES or name in ("status", "status_message", "event_time"):
            keep[name] = var
        elif var.dims == ("point",) and var.dtype.kind in "iuf":
            keep[name] = var
    out = xr.Dataset(
        keep, coords={"time": ds["time"].values, "ensemble": ds["ensemble"].values.astype(object)}
    )
    for name in KEEP_VARIABLES:
        if name not in out:
            out[name] = (
                ("point", "time", "ensemble"),
                np.full((out.sizes["point"], out.sizes["time"], out.sizes["ensemble"]), np.nan),
            )
    if "event_time" not in out:
        out["event_time"] = ("point", np.full(out.sizes["point"], np.nan))
    out["status_message"] = (
        out["status_message"].astype(object)
        if "status_message" in out
        else ("point", np.array([""] * out.sizes["point"], dtype=object))
    )
    out["status"] = out["status"].astype(np.int64)
    for name in out.variables:
        out[name].attrs = {k: v for k, v in ds[name].attrs.items()} if name in ds.variables else {}
    return out


def _solve_cumulant(group: GroupSpec, model, overrides, initials) -> xr.Dataset:
    from .. import sweep

    kw = dict(
        order=group.method.order,
        initials=initials,
        method=group.method.integrator,
        rtol=group.method.rtol,
        atol=group.method.atol,
    )
    for k in ("max_steps", "h0", "hmax"):
        if getattr(group.method, k) is not None:
            kw[k] = getattr(group.method, k)
    if group.event is not None:
        from .. import StopEvent

        kw["event"] = StopEvent(ensemble=group.event[0], threshold=group.event[1])
    return sweep(model, np.asarray(group.times), overrides, **kw)


def _solve_exact(group: GroupSpec, models, initials) -> xr.Dataset:
    from ..exact import mesolve

    parts = []
    for pm, init in zip(models, initials):
        kw = dict(initial=init, rtol=group.method.rtol, atol=group.method.atol)
        try:
            one = mesolve(pm, np.asarray(group.times), **kw)
            one = one.expand_dims("point")
            if "status" not in one:
                one["status"] = ("point", np.zeros(1, dtype=np.int64))
                one["status_message"] = ("point", np.array(["ok"], dtype=object))
            if "event_time" not in one and group.event is not None:
                from .derived import first_crossing

                ens, thr = group.event
                y = one["energy_density"].sel(ensemble=ens).values
                one["event_time"] = ("point", first_crossing(one["time"].values, y, thr))
            parts.append(_select(one))
        except Exception as exc:  # noqa: BLE001 - a failed point never aborts the sweep
            parts.append(
                _failed(
                    [None],
                    group.times,
                    pm.ensemble_names,
                    STATUS_WORKER_ERROR,
                    f"exact solver failed: {type(exc).__name__}: {exc}",
                )
            )
    return xr.concat(
        parts,
        dim="point",
        data_vars="all",
        coords="minimal",
        compat="override",
        combine_attrs="override",
    )


def run_chunk(group: GroupSpec, points: Sequence[PointSpec]) -> xr.Dataset:
    """Solve ``points`` (all of model structure ``group``) and return a dataset with dims
    ``(point, time, ensemble)``; ``point`` holds the points' flat grid indices."""
    _set_threads(group.threads)
    index = np.array([p.index for p in points], dtype=np.int64)
    try:
        model = group.build_model()
        ensembles = model.ensemble_names
    except Exception as exc:  # noqa: BLE001
        ds = _failed(
            points,
            group.times,
            ("C",),
            STATUS_WORKER_ERROR,
            f"model could not be built: {type(exc).__name__}: {exc}",
        )
        return ds.assign_coords(point=index)
    good: list[int] = []
    bad: dict[int, str] = {}
    models, overrides, initials = [], [], []
    from ..model import InitialState

    for i, p in enumerate(points):
        try:
            pm = group.build_model(p.args)
            if pm.ensemble_names != ensembles:  # pragma: no cover - grouping guarantees this
                raise ValueError(
                    f"ensembles {pm.ensemble_names} differ from the group's {ensembles}"
                )
            init = InitialState.from_energy(
                initial_energies(pm, p.charger_energy, p.battery_energy)
            )
        except Exception as exc:  # noqa: BLE001
            bad[i] = f"point could not be built: {type(exc).__name__}: {exc}"
            continue
        good.append(i)
        models.append(pm)
        overrides.append(pm.numeric_values())
        initials.append(init)
    try:
        if not good:
            solved = None
        elif group.method.kind == "exact":
            solved = _solve_exact(group, models, initials)
        else:
            solved = _select(_solve_cumulant(group, model, overrides, initials))
    except Exception as exc:  # noqa: BLE001 - e.g. a derivation error: flag the chunk's points
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        ds = _failed(points, group.times, ensembles, STATUS_WORKER_ERROR, f"chunk failed: {tb}")
        return ds.assign_coords(point=index)
    if bad:
        filler = _failed([points[i] for i in bad], group.times, ensembles, STATUS_WORKER_ERROR, "")
        filler["status_message"] = ("point", np.array(list(bad.values()), dtype=object))
        if solved is not None:
            for name in solved.data_vars:
                if name not in filler:
                    filler[name] = xr.full_like(
                        solved[name].isel(point=[0] * len(bad)), _fill_for(solved[name].dtype)
                    ).drop_vars("point", errors="ignore")
            filler = filler[list(solved.data_vars)]
            parts = [
                solved.assign_coords(point=index[good]),
                filler.assign_coords(point=index[list(bad)]),
            ]
            solved = xr.concat(
                parts,
                dim="point",
                data_vars="all",
                coords="minimal",
                compat="override",
                combine_attrs="override",
            ).sortby("point")
            return solved
        return filler.assign_coords(point=index[list(bad)])
    return solved.assign_coords(point=index)


def _fill_for(dtype: np.dtype):
    if dtype.kind == "f":
        return np.nan
    if dtype.kind in "iu":
        return -1
    return ""
