"""The grid of a study (``cases x sweep``), its grouping by model structure, and its chunks.

Every grid point has a flat index (C order over the grid dimensions ``case``, then the swept keys in
config order).  Points that share a model *structure* (the preset's structural arguments such as
``reservoirs``, plus every ensemble size for exact runs) and a method form a :class:`GroupSpec`:
the equations of a group are derived once and its points differ only by numbers.  Each group is cut
into chunks of ``chunk_size`` points; a chunk is the unit of work, of parallelism and of resumption,
and depends on the config only (never on the number of workers).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..presets import PRESETS
from .config import METHOD_KEYS, MethodConfig, StudyConfig, key_info

__all__ = ["Grid", "GridPoint", "GroupSpec", "PointSpec", "Chunk", "build_grid", "make_chunks"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PointSpec:
    """One grid point as shipped to a worker: flat ``index``, preset ``args`` and initial energies."""

    index: int
    args: Mapping[str, Any]
    charger_energy: float
    battery_energy: float


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupSpec:
    """Everything a worker needs to solve the points of one model structure (plain, picklable data).

    ``args`` are the preset arguments of the group's first point; ``structure`` the values that
    define the group.  ``event`` is ``(ensemble, threshold)`` or ``None``.  ``threads`` (if set) caps
    the numba threads a worker uses.
    """

    preset: str
    args: Mapping[str, Any]
    structure: tuple[tuple[str, Any], ...]
    method: MethodConfig
    times: tuple[float, ...]
    event: tuple[str, float] | None = None
    threads: int | None = None

    def build_model(self, args: Mapping[str, Any] | None = None):
        """The model of the group (or of the point with preset arguments ``args``)."""
        return PRESETS[self.preset].build(**dict(args if args is not None else self.args))

    def describe(self, base: MethodConfig | None = None) -> str:
        """The structure as ``key=value`` pairs; with ``base``, method keys equal to it are omitted."""
        parts = [
            f"{k}={v!r}"
            for k, v in self.structure
            if not (base is not None and k in METHOD_KEYS and getattr(base, k) == v)
        ]
        return ", ".join(parts) if parts else "(single structure)"


@dataclass(frozen=True, slots=True, kw_only=True)
class Chunk:
    id: int
    group: int
    points: tuple[PointSpec, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class GridPoint:
    index: int
    values: Mapping[str, Any]  # every model key
    method: MethodConfig
    case: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Grid:
    """Dimensions, shape and coordinates of a study's grid."""

    cfg: StudyConfig
    dims: tuple[str, ...]
    shape: tuple[int, ...]
    coords: Mapping[str, np.ndarray]
    case_coords: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) if self.shape else 1

    def points(self) -> Iterator[GridPoint]:
        cfg = self.cfg
        axes: list[list[tuple[str, Any]]] = []
        if cfg.cases:
            axes.append([("case", c) for c in cfg.cases])
        for k, vals in cfg.sweep:
            axes.append([(k, v) for v in vals])
        for index, combo in enumerate(itertools.product(*axes)):
            values = dict(cfg.model)
            meth = cfg.method.as_dict()
            label = None
            for k, v in combo:
                if k == "case":
                    values.update(v.model)
                    meth.update(v.method)
                    label = v.label
                elif k in values:
                    values[k] = v
                else:
                    meth[k] = v
            if meth["kind"] == "exact":
                meth["order"] = MethodConfig().order  # unused by exact; fixed so groups merge
                meth["integrator"] = MethodConfig().integrator
            yield GridPoint(index=index, values=values, method=MethodConfig(**meth), case=label)

    def structure_of(self, p: GridPoint) -> tuple[tuple[str, Any], ...]:
        keys = key_info(self.cfg.preset)
        exact = p.method.kind == "exact"
        s = [
            (k, p.values[k])
            for k, ki in keys.items()
            if ki.structural or ki.text or (exact and ki.integer)
        ]
        s += [(k, getattr(p.method, k)) for k in METHOD_KEYS]
        return tuple(s)

    def _event(self) -> tuple[str, float] | None:
        d = self.cfg.derived
        return None if d.ensemble is None else (d.ensemble, d.target)

    def grouped(self, threads: int | None = None) -> list[tuple[GroupSpec, list[PointSpec]]]:
        """Groups in order of first appearance, each with its points in flat-index order."""
        groups: dict[tuple, tuple[GroupSpec, list[PointSpec]]] = {}
        preset_args = {a.name for a in PRESETS[self.cfg.preset].args}
        for p in self.points():
            key = self.structure_of(p)
            args = {k: v for k, v in p.values.items() if k in preset_args}
            if key not in groups:
                spec = GroupSpec(
                    preset=self.cfg.preset,
                    args=args,
                    structure=key,
                    method=p.method,
                    times=self.cfg.times,
                    event=self._event(),
                    threads=threads,
                )
                groups[key] = (spec, [])
            groups[key][1].append(
                PointSpec(
                    index=p.index,
                    args=args,
                    charger_energy=float(p.values["charger_energy"]),
                    battery_energy=float(p.values["battery_energy"]),
                )
            )
        return list(groups.values())

    def groups(self) -> list[GroupSpec]:
        return [g for g, _ in self.grouped()]


def build_grid(cfg: StudyConfig) -> Grid:
    dims: list[str] = []
    shape: list[int] = []
    coords: dict[str, np.ndarray] = {}
    case_coords: dict[str, np.ndarray] = {}
    keys = key_info(cfg.preset)
    if cfg.cases:
        dims.append("case")
        shape.append(len(cfg.cases))
        coords["case"] = np.array([c.label for c in cfg.cases], dtype=object)
        over = sorted({k for c in cfg.cases for k in c.model}, key=list(keys).index)
        for k in over:
            vals = [c.model.get(k, cfg.model[k]) for c in cfg.cases]
            case_coords[k] = np.array(
                vals, dtype=object if keys[k].text else np.int64 if keys[k].integer else float
            )
        mover = [k for k in METHOD_KEYS if any(k in c.method for c in cfg.cases)]
        if "kind" in mover and "order" not in mover:
            mover.insert(mover.index("kind") + 1, "order")
        kinds = [c.method.get("kind", cfg.method.kind) for c in cfg.cases]
        for k in mover:
            vals = [c.method.get(k, getattr(cfg.method, k)) for c in cfg.cases]
            if k == "order":  # exact cases have no order
                vals = [-1 if kd == "exact" else v for v, kd in zip(vals, kinds)]
            if k in ("kind", "integrator"):
                case_coords[f"method_{k}"] = np.array(vals, dtype=object)
            else:
                case_coords[f"method_{k}"] = np.array(
                    [(np.nan if k in ("h0", "hmax") else -1) if v is None else v for v in vals],
                    dtype=float if k in ("rtol", "atol", "h0", "hmax") else np.int64,
                )
    for k, vals in cfg.sweep:
        dims.append(k)
        shape.append(len(vals))
        integer = (k in keys and keys[k].integer) or k in ("order", "max_steps")
        text = k in keys and keys[k].text
        coords[k] = np.array(vals, dtype=object if text else np.int64 if integer else float)
    return Grid(
        cfg=cfg, dims=tuple(dims), shape=tuple(shape), coords=coords, case_coords=case_coords
    )


def make_chunks(grid: Grid, threads: int | None = None) -> tuple[list[GroupSpec], list[Chunk]]:
    """Cut every group into chunks of ``cfg.chunk_size`` points; ids are stable for a config."""
    size = grid.cfg.chunk_size
    specs: list[GroupSpec] = []
    chunks: list[Chunk] = []
    for gi, (spec, pts) in enumerate(grid.grouped(threads)):
        specs.append(spec)
        for start in range(0, len(pts), size):
            chunks.append(Chunk(id=len(chunks), group=gi, points=tuple(pts[start : start + size])))
    return specs, chunks


def initial_energies(model, charger_energy: float, battery_energy: float) -> dict[str, float]:
    """Initial energy densities: the first ensemble is the charger, every other one a battery."""
    names = model.ensemble_names
    return {n: (charger_energy if i == 0 else battery_energy) for i, n in enumerate(names)}
