"""Running a study: plan, execute chunks on dask, keep finished chunks, assemble one netCDF file.

Layout while a run is under way (``OUT`` is the output file)::

    OUT.parts/manifest.json      config hash, number of chunks, start time
    OUT.parts/chunk-00017.nc     one finished chunk (written atomically)

Each finished chunk is written as soon as it arrives, under a temporary name then renamed, so the
parts folder only ever holds complete chunks.  ``--resume`` reuses them and computes the missing
ones only; the final file is assembled from the chunks, written to a temporary name and renamed,
and the parts folder is removed.  A run killed at any moment (even ``kill -9``) therefore loses at
most the chunks that were in flight and never leaves a truncated ``OUT``.

Schedulers: ``None``/``"local"`` starts a :class:`dask.distributed.LocalCluster` on this machine
(no set-up); an address such as ``"tcp://host:8786"`` sends the same chunks to an existing
dask.distributed cluster (its workers need `collective` installed); ``"inline"`` runs the chunks
one after the other in this process, without dask (debugging).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import ConfigError
from .compute import STATUS_NOT_COMPUTED, run_chunk
from .config import StudyConfig, key_info, load_config
from .derived import add_derived
from .grid import Chunk, Grid, GroupSpec, build_grid, make_chunks
from .io import now_iso, provenance, read_netcdf, write_netcdf

__all__ = [
    "Plan",
    "plan_study",
    "run_study",
    "assemble",
    "parts_dir",
    "VOLATILE_ATTRS",
    "default_output",
]

#: provenance attributes that differ between two runs of the same config (times, scheduler)
VOLATILE_ATTRS = (
    "start_time",
    "end_time",
    "wall_time",
    "resumed",
    "scheduler",
    "workers",
    "history",
)

#: test hook: seconds to sleep after each finished chunk (lets tests kill a run mid-sweep)
_DELAY_ENV = "_COLLECTIVE_TEST_CHUNK_DELAY"

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """What a run will do: grid, groups (one per model structure) and chunks."""

    cfg: StudyConfig
    grid: Grid
    specs: tuple[GroupSpec, ...]
    chunks: tuple[Chunk, ...]
    ensembles: tuple[str, ...]
    time_units: str
    energy_units: str

    def summary(self) -> str:
        g = self.grid
        dims = ", ".join(f"{d}={n}" for d, n in zip(g.dims, g.shape)) or "(single point)"
        lines = [
            f"study {self.cfg.title or self.cfg.source!r}: preset {self.cfg.preset!r}, method {self.cfg.method.kind}",
            f"  grid: {g.size} points ({dims}); {len(self.cfg.times)} output times "
            f"[{self.cfg.times[0]:g} .. {self.cfg.times[-1]:g}] {self.time_units}",
            f"  {len(self.specs)} model structure(s), {len(self.chunks)} chunk(s) of <= {self.cfg.chunk_size} points",
        ]
        for s in self.specs:
            n = sum(len(c.points) for c in self.chunks if self.specs[c.group] is s)
            lines.append(f"    {s.describe(self.cfg.method)}: {n} points")
        lines.append(f"  ensembles: {', '.join(self.ensembles)}")
        return "\n".join(lines)


def plan_study(cfg: StudyConfig, threads: int | None = None) -> Plan:
    grid = build_grid(cfg)
    specs, chunks = make_chunks(grid, threads)
    ensembles: list[str] = []
    time_units = energy_units = "1"
    models = sorted((s.build_model() for s in specs), key=lambda m: -len(m.ensembles))
    for m in models:
        for e in m.ensemble_names:
            if e not in ensembles:
                ensembles.append(e)
    if models:
        time_units, energy_units = models[0].time_unit, models[0].energy_unit
    return Plan(
        cfg=cfg,
        grid=grid,
        specs=tuple(specs),
        chunks=tuple(chunks),
        ensembles=tuple(ensembles),
        time_units=time_units,
        energy_units=energy_units,
    )


def parts_dir(out: Path) -> Path:
    return out.with_name(out.name + ".parts")


def default_output(cfg: StudyConfig) -> Path:
    return Path("results") / (Path(cfg.source).stem + ".nc")


def _chunk_path(parts: Path, cid: int) -> Path:
    return parts / f"chunk-{cid:05d}.nc"


def _log(msg: str, log: Callable[[str], None] | None) -> None:
    if log is not None:
        log(msg)


# --------------------------------------------------------------------------------------------------
# parts folder
# --------------------------------------------------------------------------------------------------
def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=1))
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _prepare_parts(
    plan: Plan, out: Path, resume: bool, log
) -> tuple[Path, dict[str, Any], dict[int, Path]]:
    parts = parts_dir(out)
    sha = plan.cfg.sha256
    manifest_path = parts / "manifest.json"
    if parts.exists() and not resume:
        _log(f"discarding the partial run in {parts} (pass --resume to continue it)", log)
        shutil.rmtree(parts)
    manifest: dict[str, Any] | None = None
    if parts.exists():
        try:
            manifest = json.loads(manifest_path.read_text())
        except (OSError, ValueError):
            manifest = None
        if manifest is not None and manifest.get("config_sha256") != sha:
            raise ConfigError(
                f"`--resume`: the partial run in {str(parts)!r} was made from a different config "
                f"(sha256 {str(manifest.get('config_sha256'))[:12]}..., this config {sha[:12]}...); "
                f"run without --resume to start over"
            )
        if manifest is not None and manifest.get("n_chunks") != len(
            plan.chunks
        ):  # pragma: no cover
            raise ConfigError(
                f"`--resume`: {str(parts)!r} has a different chunking; run without --resume"
            )
    parts.mkdir(parents=True, exist_ok=True)
    if manifest is None:
        manifest = {
            "config_sha256": sha,
            "n_chunks": len(plan.chunks),
            "grid_size": plan.grid.size,
            "start_time": now_iso(),
            "resumed": 0,
            "config_source": str(plan.cfg.source),
        }
    else:
        manifest["resumed"] = int(manifest.get("resumed", 0)) + 1
    _write_json(manifest_path, manifest)
    for stale in parts.glob(".*.tmp-*"):
        stale.unlink(missing_ok=True)
    done: dict[int, Path] = {}
    for c in plan.chunks:
        p = _chunk_path(parts, c.id)
        if p.exists():
            try:
                with xr.open_dataset(p, engine="netcdf4") as ds:
                    ok = ds.attrs.get("config_sha256") == sha
            except Exception:  # noqa: BLE001 - unreadable chunk: recompute it
                ok = False
            if ok:
                done[c.id] = p
            else:
                p.unlink(missing_ok=True)
    return parts, manifest, done


# --------------------------------------------------------------------------------------------------
# execution
# --------------------------------------------------------------------------------------------------
def _local_cluster(workers: int | None):
    from dask.distributed import Client, LocalCluster

    cores = os.cpu_count() or 1
    # default: one worker process whose batch solver uses every core (it is parallel over the
    # points of a chunk); measured 2.2x faster than one single-threaded process per core on the
    # 2-core machine for runs/pump_strength.toml (42 s vs 91 s), which also derives each model once
    n = workers or 1
    cluster = LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
        scheduler_port=0,
    )
    return Client(cluster), cluster, max(1, cores // n)


def _execute(
    plan: Plan,
    todo: list[Chunk],
    scheduler: str | None,
    workers: int | None,
    on_done: Callable[[Chunk, xr.Dataset], None],
    log,
    connect_timeout: float = 30.0,
) -> tuple[list[tuple[Chunk, str]], str]:
    """Run the chunks in ``todo``; returns the chunks that were lost and a scheduler label."""
    lost: list[tuple[Chunk, str]] = []
    if scheduler == "inline":
        for c in todo:
            on_done(c, run_chunk(plan.specs[c.group], c.points))
        return lost, "inline"
    from dask.distributed import Client, as_completed

    cluster = None
    if scheduler in (None, "local"):
        client, cluster, threads = _local_cluster(workers)
        label = f"dask LocalCluster ({len(client.scheduler_info()['workers'])} workers x {threads} threads)"
    else:
        try:
            client = Client(scheduler, timeout=f"{connect_timeout}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ConfigError(
                f"`--scheduler` = {scheduler!r}: cannot reach a dask scheduler there ({exc})"
            ) from exc
        threads = None
        label = f"dask scheduler {scheduler}"
    _log(f"running {len(todo)} chunk(s) on {label}", log)
    try:
        specs = [
            GroupSpec(**{**{f: getattr(s, f) for f in s.__slots__}, "threads": threads})
            for s in plan.specs
        ]
        sha = plan.cfg.sha256[:12]
        futures = {}
        # submit the chunks of one model structure together so a worker reuses its derivation
        for c in sorted(todo, key=lambda c: (c.group, c.id)):
            fut = client.submit(
                run_chunk,
                specs[c.group],
                c.points,
                key=f"collective-{sha}-chunk-{c.id}",
                pure=False,
            )
            futures[fut] = c
        for fut in as_completed(futures):
            c = futures[fut]
            try:
                ds = fut.result()
            except Exception as exc:  # noqa: BLE001 - lost worker etc.: leave the chunk for --resume
                lost.append((c, f"{type(exc).__name__}: {exc}"))
                continue
            on_done(c, ds)
            fut.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return lost, label


# --------------------------------------------------------------------------------------------------
# assembly
# --------------------------------------------------------------------------------------------------
_VAR_ATTRS = {
    "energy_density": (
        "energy density <J^z>/N + 1/2 of each ensemble (Eq. (3) of Dias et al. 2024)",
        "E",
    ),
    "energy_rate": ("d(energy density)/dt from the right-hand side (power per spin)", "E/T"),
    "event_time": (
        "first time the event ensemble's energy density crosses the charging target "
        "(located by the integrator; NaN: never)",
        "T",
    ),
    "status": ("solver status of each grid point (0: ok)", "1"),
    "status_message": ("reason a grid point failed (empty when ok)", "1"),
    "initial_energy": ("initial energy density of each ensemble", "E"),
}


def _units(code: str, plan: Plan) -> str:
    e, t = plan.energy_units, plan.time_units
    return {"E": e, "T": t, "E/T": f"({e})/({t})" if e != "1" else f"1/({t})", "1": "1"}[code]


def assemble(plan: Plan, chunk_data: Iterable[xr.Dataset]) -> xr.Dataset:
    """Gather chunk datasets into the grid: dims ``(grid..., time, ensemble)``, NaN-padded where a
    point has fewer ensembles, status ``STATUS_NOT_COMPUTED`` where a chunk is missing."""
    g, cfg = plan.grid, plan.cfg
    n, nt, ne = g.size, len(cfg.times), len(plan.ensembles)
    epos = {e: i for i, e in enumerate(plan.ensembles)}
    traj = {name: np.full((n, nt, ne), np.nan) for name in ("energy_density", "energy_rate")}
    status = np.full(n, STATUS_NOT_COMPUTED, dtype=np.int64)
    message = np.array(
        ["not computed (chunk lost or run interrupted): rerun with --resume"] * n, dtype=object
    )
    event = np.full(n, np.nan)
    stats: dict[str, np.ndarray] = {}
    stat_attrs: dict[str, dict[str, Any]] = {}
    var_attrs: dict[str, dict[str, Any]] = {}
    for ds in chunk_data:
        idx = ds["point"].values.astype(np.int64)
        pos = np.array([epos[str(e)] for e in ds["ensemble"].values], dtype=np.int64)
        for name in traj:
            if name in ds:
                traj[name][np.ix_(idx, np.arange(nt), pos)] = (
                    ds[name].transpose("point", "time", "ensemble").values
                )
                var_attrs.setdefault(name, dict(ds[name].attrs))
        status[idx] = ds["status"].values
        message[idx] = ds["status_message"].values.astype(str).astype(object)
        event[idx] = ds["event_time"].values
        for name, var in ds.data_vars.items():
            if var.dims == ("point",) and name not in ("status", "status_message", "event_time"):
                if name not in stats:
                    fill = np.nan if var.dtype.kind == "f" else -1
                    stats[name] = np.full(
                        n, fill, dtype=np.float64 if var.dtype.kind == "f" else np.int64
                    )
                    stat_attrs[name] = dict(var.attrs)
                stats[name][idx] = var.values
    shape = g.shape
    gd = g.dims
    data: dict[str, Any] = {}
    for name, arr in traj.items():
        data[name] = (gd + ("time", "ensemble"), arr.reshape(shape + (nt, ne)))
    data["status"] = (gd, status.reshape(shape))
    data["status_message"] = (gd, message.reshape(shape))
    data["event_time"] = (gd, event.reshape(shape))
    for name, arr in stats.items():
        data[name] = (gd, arr.reshape(shape))
    # initial energies (NaN where the ensemble is absent)
    init = np.full((n, ne), np.nan)
    present = _present_ensembles(plan)
    for c in plan.chunks:
        ens = present[c.group]
        for p in c.points:
            for k, e in enumerate(ens):
                init[p.index, epos[e]] = p.charger_energy if k == 0 else p.battery_energy
    data["initial_energy"] = (gd + ("ensemble",), init.reshape(shape + (ne,)))
    coords: dict[str, Any] = {
        "time": ("time", np.asarray(cfg.times, dtype=float)),
        "ensemble": ("ensemble", np.array(plan.ensembles, dtype=object)),
    }
    for d in gd:
        coords[d] = (d, g.coords[d])
    for k, v in g.case_coords.items():
        coords[k] = ("case", v)
    ds = xr.Dataset(data, coords=coords)
    # attributes
    for name, (long_name, u) in _VAR_ATTRS.items():
        if name in ds:
            attrs = {
                k: v for k, v in var_attrs.get(name, {}).items() if k not in ("long_name", "units")
            }
            ds[name].attrs = {**attrs, "long_name": long_name, "units": _units(u, plan)}
    ds["status"].attrs["flag_meaning_ok"] = 0
    ds["status"].attrs["flag_not_computed"] = STATUS_NOT_COMPUTED
    for name, a in stat_attrs.items():
        ds[name].attrs = {
            "long_name": a.get("long_name", name.replace("_", " ")),
            "units": a.get("units", "1"),
        }
    keys = key_info(cfg.preset)
    ds["time"].attrs = {"long_name": "time", "units": plan.time_units, "standard_name": "time"}
    ds["ensemble"].attrs = {"long_name": "spin ensemble (C: charger, Bk: battery k)", "units": "1"}
    for d in gd:
        if d == "case":
            ds[d].attrs = {"long_name": "case label", "units": "1"}
        elif d in keys:
            ds[d].attrs = {"long_name": keys[d].description or d, "units": keys[d].units}
        else:
            ds[d].attrs = {"long_name": f"method {d}", "units": "1"}
    for k in g.case_coords:
        base = k.removeprefix("method_")
        if k in keys:
            ds[k].attrs = {
                "long_name": f"{keys[k].description or k} (per case)",
                "units": keys[k].units,
            }
        elif base == "order":
            ds[k].attrs = {"long_name": "cumulant order per case (-1: exact solver)", "units": "1"}
        else:
            ds[k].attrs = {"long_name": f"method {base} (per case)", "units": "1"}
    ds = add_derived(
        ds,
        cfg.derived.target,
        plateau_time=cfg.derived.plateau_time,
        energy_units=plan.energy_units,
        time_units=plan.time_units,
    )
    # fixed model values as scalar coordinates
    swept = set(gd) | set(g.case_coords)
    for k, v in cfg.model.items():
        if k not in swept:
            ds.coords[k] = (
                (),
                str(v) if keys[k].text else np.int64(v) if keys[k].integer else float(v),
                {"long_name": keys[k].description or k, "units": keys[k].units},
            )
    return ds


def _present_ensembles(plan: Plan) -> list[tuple[str, ...]]:
    return [s.build_model().ensemble_names for s in plan.specs]


# --------------------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------------------
def run_study(
    config: StudyConfig | str | Path,
    out: str | Path | None = None,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    log: Callable[[str], None] | None = None,
    connect_timeout: float = 30.0,
) -> Path:
    """Run a study and write one netCDF file; returns its path.

    Parameters
    ----------
    config
        A validated :class:`StudyConfig` or the path of a TOML config.
    out
        Output file (default ``results/<config stem>.nc``).
    scheduler
        ``None``/``"local"`` (a LocalCluster on this machine), a dask scheduler address, or
        ``"inline"`` (no dask).
    workers
        Worker processes of the local cluster (default 1, using every core; with ``N`` workers each
        uses ``cores // N`` solver threads).
    resume
        Keep the finished chunks of an interrupted run of the same config and compute the rest.
    progress
        Called as ``progress(done, total)`` (in chunks) as chunks finish.
    log
        Called with one-line messages (resuming, discarded partial runs, lost chunks).
    connect_timeout
        Seconds to wait for a remote scheduler.
    """
    cfg = config if isinstance(config, StudyConfig) else load_config(config)
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise ConfigError(f"`--workers` = {workers!r} is invalid: must be an integer >= 1")
    t_start = time.time()
    plan = plan_study(cfg)
    out = Path(out) if out is not None else default_output(cfg)
    if resume and not parts_dir(out).exists() and out.exists():
        try:
            old = read_netcdf(out).attrs.get("config_sha256")
        except Exception:  # noqa: BLE001
            old = None
        if old == cfg.sha256:
            _log(f"{out} is complete for this config: nothing to do", log)
            return out
    parts, manifest, done = _prepare_parts(plan, out, resume, log)
    todo = [c for c in plan.chunks if c.id not in done]
    total = len(plan.chunks)
    if done:
        _log(f"resuming: {len(done)} of {total} chunk(s) already done", log)
    if progress:
        progress(len(done), total)
    delay = float(os.environ.get(_DELAY_ENV, "0") or 0)
    chunk_attrs = {"config_sha256": cfg.sha256}

    def on_done(c: Chunk, ds: xr.Dataset) -> None:
        ds = ds.copy()
        ds.attrs = {**chunk_attrs, "chunk": c.id}
        done[c.id] = write_netcdf(ds, _chunk_path(parts, c.id))
        if progress:
            progress(len(done), total)
        if delay:
            time.sleep(delay)

    lost: list[tuple[Chunk, str]] = []
    label = "none (all chunks already done)"
    if todo:
        lost, label = _execute(plan, todo, scheduler, workers, on_done, log, connect_timeout)
    datasets = [read_netcdf(done[c.id]) for c in plan.chunks if c.id in done]
    ds = assemble(plan, datasets)
    ds.attrs = provenance(
        cfg,
        plateau_time=ds.attrs.get("plateau_time"),
        start_time=manifest["start_time"],
        end_time=now_iso(),
        wall_time=round(time.time() - t_start, 3),
        resumed=int(manifest.get("resumed", 0)),
        scheduler=label,
        workers=workers if workers is not None else -1,
        n_chunks=total,
        grid_size=plan.grid.size,
        chunk_size=cfg.chunk_size,
        history=f"{now_iso()} collective run {cfg.source}",
    )
    write_netcdf(ds, out)
    if lost:
        for c, why in lost[:5]:
            _log(f"chunk {c.id} was not computed: {why}", log)
        _log(
            f"{len(lost)} chunk(s) missing: their points have status {STATUS_NOT_COMPUTED}; "
            f"rerun with --resume to compute them",
            log,
        )
    else:
        shutil.rmtree(parts, ignore_errors=True)
    return out
