r"""Entry points of the cumulant engine: :func:`derive` (cached), :func:`solve` and :func:`sweep`.

``solve`` integrates one trajectory; ``sweep`` integrates many parameter points of one model in a
single call, in parallel over cores (a thread per core runs GIL-free kernels); a failed point gets
NaN and a status code, never aborting the others.  Both return labelled :class:`xarray.Dataset`
objects:

* ``energy_density`` (``time``, ``ensemble``): :math:`\mathcal{E}_\mu/(N_\mu\hbar\omega_0) =
  \langle J^z_\mu\rangle/N_\mu + 1/2` (Dias et al. 2024, Eq. (3));
* ``energy_rate``: its time derivative evaluated from the right-hand side of the equations;
* ``Jz``, ``JpJm``/``JpJm_imag`` (``ensemble``, ``ensemble_b``): collective moments
  :math:`\langle J^z_\mu\rangle`, :math:`\langle J^+_\mu J^-_\nu\rangle` with exact counting
  factors (:math:`N_\mu + N_\mu(N_\mu-1)\langle\sigma^+_1\sigma^-_2\rangle`-type expansions);
* ``n_mode``, ``a_re``, ``a_im`` (``time``, ``mode``) for bosonic modes;
* every real component of the state vector (``m_...`` for real moments, ``re_m_...``/``im_m_...``).
"""

from __future__ import annotations

import functools
import gc
import hashlib
import math
import os
import pickle
import time as _time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import sympy as sp
import xarray as xr

from . import __version__
from ._times import check_times as _check_times
from ._times import times_valid as _times_valid
from ._xr import dims_tuple, labelled_dataset
from .cumulants import Equations, Moment, close_moment, sigma_z, symmetry_classes
from .cumulants import derive as _derive_uncached
from .errors import IntegrationError, ModelError, describe
from .integrate import (
    _F8,
    AUTO,
    DOP853,
    N_STATS,
    RODAS4,
    STAT_NAMES,
    STATUS_MESSAGES,
    bdf_chunk,
    bdf_one,
    integrate_chunk,
    integrate_one,
    kernel_arrays,
    rhs_batch,
    run_batch,
)
from .lowering import Lowered, lower
from .model import InitialState, Model


def _rk_batch(*args):
    """The parallel batch driver of the RK/Rosenbrock kernel: ``args`` as for
    :func:`collective.integrate.integrate_chunk` without ``lo, hi`` and the work arrays.  Each
    slice gets its own copy of the tables (``args[4:7]``) next to its work arrays, in the fixed
    layout of :func:`collective.integrate.kernel_arrays`."""
    n = args[0].shape[1]

    def per_slice(args):
        tables, scratch = kernel_arrays(n, args[4:7])
        return (*args[:4], *tables, *args[7:], *scratch)

    run_batch(integrate_chunk, args, per_slice=per_slice)


def _bdf_batch(*args):
    """The parallel batch driver of the NDF kernel (:func:`collective.integrate.bdf_chunk`)."""
    run_batch(bdf_chunk, args)


# method -> (one-point kernel, parallel batch driver, mode of the RK/Rosenbrock kernel or None)
METHODS = {
    "auto": (integrate_one, _rk_batch, AUTO),
    "rodas4": (integrate_one, _rk_batch, RODAS4),
    "dop853": (integrate_one, _rk_batch, DOP853),
    "bdf": (bdf_one, _bdf_batch, None),
}

__all__ = [
    "Problem",
    "Trajectory",
    "SolverOptions",
    "StopEvent",
    "derive",
    "compile_model",
    "solve",
    "sweep",
    "meanfield_seed",
    "precompile",
]


# --------------------------------------------------------------------------------------------------
# options
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class SolverOptions:
    """Generic integrator knobs.

    ``rtol`` relative tolerance; ``atol`` absolute tolerance (scalar, or a mapping from real
    component name to value for per-component tolerances; unnamed components get ``atol_default``);
    ``max_steps`` per trajectory; ``h0`` first step (0: automatic); ``hmax`` largest step
    (``inf``: unbounded); ``method``: ``"auto"`` (default: DOP853 where the problem is non-stiff,
    Rodas4 where it is stiff, switching both ways; see :mod:`collective.integrate`), ``"rodas4"``
    (Rosenbrock, order 4, one Jacobian and LU per step, throughout), ``"dop853"`` (explicit
    throughout) or ``"bdf"`` (variable-order NDF 1-5, Newton with Jacobian/LU reuse; cheapest on long
    stiff windows, but its global error on unstable (superradiant) transients is ~100x ``rtol``).
    The global error of auto, rodas4 and dop853 tracks ``rtol``.
    """

    method: str = "auto"
    rtol: float = 1e-8
    atol: float | Mapping[str, float] = 1e-10
    atol_default: float = 1e-10
    max_steps: int = 200_000
    h0: float = 0.0
    hmax: float = math.inf

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ModelError(
                f"`method` must be one of {sorted(METHODS)}, got {describe(self.method)}"
            )
        if not (isinstance(self.rtol, (int, float)) and math.isfinite(self.rtol) and self.rtol > 0):
            raise ModelError(f"`rtol` must be a finite positive number, got {describe(self.rtol)}")
        if self.rtol < 1e-15:
            raise ModelError(f"`rtol` must be >= 1e-15 (machine precision), got {self.rtol!r}")
        if isinstance(self.atol, Mapping):
            for k, v in self.atol.items():
                if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                    raise ModelError(
                        f"`atol[{k!r}]` must be a finite positive number, got {describe(v)}"
                    )
        elif not (
            isinstance(self.atol, (int, float)) and math.isfinite(self.atol) and self.atol > 0
        ):
            raise ModelError(
                f"`atol` must be a finite positive number or a mapping, got {describe(self.atol)}"
            )
        if not (isinstance(self.max_steps, int) and self.max_steps > 0):
            raise ModelError(
                f"`max_steps` must be a positive integer, got {describe(self.max_steps)}"
            )
        if not (self.h0 >= 0 and math.isfinite(self.h0)):
            raise ModelError(f"`h0` must be >= 0 (0 = automatic), got {describe(self.h0)}")
        if not self.hmax > 0:
            raise ModelError(f"`hmax` must be > 0, got {describe(self.hmax)}")

    def atol_vector(self, low: Lowered) -> np.ndarray:
        if isinstance(self.atol, Mapping):
            unknown = sorted(set(self.atol) - set(low.names))
            if unknown:
                raise ModelError(
                    f"`atol` names unknown components {unknown}; valid: {list(low.names)}"
                )
            return np.array([float(self.atol.get(nm, self.atol_default)) for nm in low.names])
        return np.full(low.n, float(self.atol))


@dataclass(frozen=True, slots=True, kw_only=True)
class StopEvent:
    """First time ``energy_density`` of ``ensemble`` crosses ``threshold`` (``direction`` +1 rising,
    -1 falling, 0 either).  ``terminal=True`` stops the trajectory there (later outputs are NaN)."""

    ensemble: str
    threshold: float
    direction: int = 1
    terminal: bool = False

    def __post_init__(self) -> None:
        if self.direction not in (-1, 0, 1):
            raise ModelError(f"`direction` must be -1, 0 or 1, got {describe(self.direction)}")
        if not math.isfinite(self.threshold):
            raise ModelError(f"`threshold` must be finite, got {describe(self.threshold)}")


_KNOWN_SOLVE_KW = ("method", "rtol", "atol", "max_steps", "h0", "hmax", "atol_default")


def _options(options: SolverOptions | None, kw: dict) -> SolverOptions:
    unknown = sorted(set(kw) - set(_KNOWN_SOLVE_KW))
    if unknown:
        raise ModelError(f"unknown solver option(s) {unknown}; valid: {list(_KNOWN_SOLVE_KW)}")
    if options is not None and kw:
        raise ModelError("give either `options` or individual solver keywords, not both")
    return options if options is not None else SolverOptions(**kw)


# --------------------------------------------------------------------------------------------------
# cached derivation and lowering
# --------------------------------------------------------------------------------------------------
def _structure_key(model: Model, order: int, u1: bool) -> tuple:
    ham = tuple(sorted((tuple(map(str, w)), sp.srepr(c)) for w, c in model.hamiltonian))
    diss = tuple(
        (tuple(sorted((tuple(map(str, w)), sp.srepr(c)) for w, c in d.jump)), sp.srepr(d.prefactor))
        for d in model.dissipators
    )
    loc = tuple((d.ensemble, d.kind, sp.srepr(d.prefactor)) for d in model.local_dissipators)
    spaces = (model.ensemble_names, model.mode_names)
    return (spaces, ham, diss, loc, order, u1)


_CACHE: dict[tuple, tuple[Equations, Lowered]] = {}


def _model_meta(model: Model, order: int, u1: bool, symmetry: tuple = ()) -> tuple[tuple, str]:
    """Structure key (with order, u1 and symmetry classes) and summary text of a model, the
    structure part memoised on the model object."""
    struct, summary = model._memoised(
        "structure_key", lambda: (_structure_key(model, 0, False)[:-2], model.summary())
    )
    return struct + (order, u1, tuple(symmetry)), summary


def compile_model(
    model: Model,
    order: int = 2,
    *,
    u1: bool | None = None,
    symmetry: bool | Sequence[Sequence[str]] | None = None,
) -> tuple[Equations, Lowered]:
    """Derive and lower ``model`` at ``order`` (cached by the model's structure: parameter values and
    ensemble sizes are not part of the key, they enter only through the coefficient vector).

    ``symmetry``: classes of exchangeable ensembles to reduce by (``True``: the model's own, see
    :func:`collective.cumulants.symmetry_classes`; ``None``/``False``/``()``: the full system).  The
    reduced system is exact only for symmetric sizes and states; :func:`sweep` checks them."""
    if u1 is None:
        u1 = model.conserves_excitations()
    classes = symmetry_classes(model, symmetry)
    key, _ = _model_meta(model, order, bool(u1), classes)
    if key not in _CACHE:
        names = sorted(
            {p.name for p in model.parameters} | {f"N_{e}" for e in model.ensemble_names}
        )
        low = _disk_cache_load(key, names)
        if low is None:
            eqs = _derive_uncached(model, order, u1=u1, symmetry=classes)
            low = lower(eqs, names)
            _disk_cache_store(key, names, low)
        _CACHE[key] = (low.equations, low)
    return _CACHE[key]


# --------------------------------------------------------------------------------------------------
# on-disk cache of derived and lowered equations (derivation is deterministic given the model's
# structure and this package's generator source; the key hashes both)
# --------------------------------------------------------------------------------------------------
def _cache_dir() -> Path | None:
    if os.environ.get("COLLECTIVE_NO_DISK_CACHE"):
        return None
    root = os.environ.get("COLLECTIVE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "collective"
    )
    return Path(root)


@functools.lru_cache(maxsize=1)
def _source_hash() -> str:
    h = hashlib.sha256(__version__.encode())
    here = Path(__file__).parent
    for name in ("algebra.py", "model.py", "cumulants.py", "lowering.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]


def _disk_key(key: tuple, names: Sequence[str]) -> str:
    return hashlib.sha256(repr((key, tuple(names), _source_hash())).encode()).hexdigest()[:32]


def _disk_cache_load(key: tuple, names: Sequence[str]) -> Lowered | None:
    d = _cache_dir()
    if d is None:
        return None
    path = d / f"eqs-{_disk_key(key, names)}.pkl"
    try:
        with open(path, "rb") as fh:
            return Lowered.from_tables(pickle.load(fh))
    except Exception:  # missing, stale or unreadable: derive again
        return None


def _disk_cache_store(key: tuple, names: Sequence[str], low: Lowered) -> None:
    d = _cache_dir()
    if d is None:
        return
    try:
        d.mkdir(parents=True, exist_ok=True)
        path = d / f"eqs-{_disk_key(key, names)}.pkl"
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(low.tables(), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:  # a read-only home must not break a solve
        return


def derive(
    model: Model,
    order: int = 2,
    *,
    u1: bool | None = None,
    symmetry: bool | Sequence[Sequence[str]] | None = None,
) -> Equations:
    """Closed and completed moment equations of ``model`` (see :func:`collective.cumulants.derive`)."""
    return compile_model(model, order, u1=u1, symmetry=symmetry)[0]


# --------------------------------------------------------------------------------------------------
# initial states
# --------------------------------------------------------------------------------------------------
def meanfield_seed(
    model: Model, initial: InitialState, values: Mapping[str, float] | None = None
) -> InitialState:
    r"""Documented mean-field seed for inverted ensembles.

    A fully (or partly) inverted ensemble without coherence is a fixed point of the order-1
    equations.  The quantum state has :math:`\langle J^+J^-\rangle = N(1+s_z)/2 \neq 0`; we tilt
    the Bloch vector of every ensemble with :math:`s_z > 0` and no transverse component by the angle
    :math:`\theta_0 = 2/\sqrt{N}` about the y axis, so that the mean-field
    :math:`|\langle J^+\rangle|^2 = N^2 \sin^2\theta_0/4 \approx N`, matching the quantum value for
    the fully inverted state.  Ensembles at or below half inversion are left untouched (they are
    stable points or are driven by the others).
    """
    vals = model.numeric_values(values)
    spins = dict(initial.spins)
    for e in model.ensemble_names:
        sx, sy, sz = initial.bloch(e)
        if sz > 0 and sx == 0 and sy == 0:
            theta = 2.0 / math.sqrt(vals[f"N_{e}"])
            spins[e] = (sz * math.sin(theta), 0.0, sz * math.cos(theta))
    return InitialState(spins=spins, modes=dict(initial.modes))


# --------------------------------------------------------------------------------------------------
# solve / sweep
# --------------------------------------------------------------------------------------------------
def _exchange_symmetry(
    model: Model,
    values: Sequence[Mapping[str, float]],
    inits: Sequence[InitialState],
    symmetry: bool | None,
) -> tuple[tuple[str, ...], ...]:
    """Classes of exchangeable ensembles by which the equations of this sweep may be reduced.

    The reduction is exact when (i) the model has classes of interchangeable ensembles
    (:meth:`Model.exchangeable_classes`), (ii) every point has equal sizes ``N_<e>`` within each
    class and (iii) every initial state has equal Bloch vectors within each class.  ``symmetry``:
    ``None`` reduces by the whole classes when (i)-(iii) hold, and otherwise by the largest
    sub-classes for which (ii) and (iii) hold (:func:`_exact_subclasses`: any permutation within
    a class is a symmetry of the model, so a sub-class is one too); ``()`` (the full system) when
    no two ensembles qualify.  ``False`` never reduces; ``True`` requires (i)-(iii) for the whole
    classes and raises :class:`ModelError` naming the failure.
    """
    if symmetry is not None and not isinstance(symmetry, bool):
        raise ModelError(
            "`symmetry` must be None (reduce by exchangeable ensembles when the model, sizes and "
            f"initial states allow it), True (require it) or False (never), got {describe(symmetry)}"
        )
    if symmetry is False:
        return ()
    classes = model.exchangeable_classes()
    reason = _symmetry_failure(classes, values, inits)
    if not reason:
        return classes
    if symmetry:
        raise ModelError(f"`symmetry=True` but {reason}; use symmetry=None or False")
    return _exact_subclasses(model, classes, values, inits)


def _exact_subclasses(
    model: Model,
    classes: Sequence[Sequence[str]],
    values: Sequence[Mapping[str, float]],
    inits: Sequence[InitialState],
) -> tuple[tuple[str, ...], ...]:
    """The members of each class grouped by their size at every point and their Bloch vector in
    every initial state; groups of two or more, each in model order, ordered by their first
    member (e.g. batteries of 100, 100 and 50 spins: ``(("B1", "B2"),)``)."""
    rank = {e: k for k, e in enumerate(model.ensemble_names)}
    out = []
    for cls in classes:
        groups: dict[tuple, list[str]] = {}
        for e in cls:
            key = (tuple(v[f"N_{e}"] for v in values), tuple(s.bloch(e) for s in inits))
            groups.setdefault(key, []).append(e)
        out += [tuple(g) for g in groups.values() if len(g) >= 2]
    return tuple(sorted(out, key=lambda g: rank[g[0]]))


def _unequal_sizes(cls: Sequence[str], values: Mapping[str, float]) -> str:
    """``"N_B1=100, N_B2=50"`` when the sizes within ``cls`` differ, else ``""``."""
    sizes = [values[f"N_{e}"] for e in cls]
    if all(n == sizes[0] for n in sizes):
        return ""
    return ", ".join(f"N_{e}={n:g}" for e, n in zip(cls, sizes))


def _symmetry_failure(classes, values, inits) -> str:
    """Why the equations may not be reduced by ``classes`` for these points and initial states
    (``""``: they may)."""
    if not classes:
        return (
            "the model has no exchangeable spin ensembles (no transposition of ensemble names maps "
            "its Hamiltonian and dissipators onto themselves)"
        )
    for cls in classes:
        for k, v in enumerate(values):
            sizes = _unequal_sizes(cls, v)
            if sizes:
                return f"point {k} has unequal sizes within the exchangeable class {list(cls)}: {sizes}"
        for k, s in enumerate(inits):
            bloch = [s.bloch(e) for e in cls]
            if any(b != bloch[0] for b in bloch):
                return (
                    f"initial state {k} is not symmetric within the exchangeable class {list(cls)}: "
                    + ", ".join(f"{e}: {b}" for e, b in zip(cls, bloch))
                )
    return ""


def sweep(
    model: Model,
    times: Any,
    points: Sequence[Mapping[str, float]] | None = None,
    *,
    order: int = 2,
    initials: InitialState | Sequence[InitialState] | None = None,
    event: StopEvent | None = None,
    options: SolverOptions | None = None,
    seed: bool | None = None,
    t0: float = 0.0,
    symmetry: bool | None = None,
    **solver_kw: Any,
) -> xr.Dataset:
    """Integrate the cumulant equations of ``model`` for many parameter points in one call.

    Parameters
    ----------
    model
        The model (derived once; its parameter values are the defaults of every point).
    times
        Output times (strictly increasing, >= ``t0``).
    points
        Sequence of mappings overriding numeric parameters and sizes ``N_<ensemble>``.
        Default: one point with the model's values.
    order
        1 (mean field) or 2 (pair correlations).
    initials
        One :class:`~collective.model.InitialState` for all points or one per point
        (default: every spin in its ground state, vacuum).
    event
        Optional :class:`StopEvent`; its first crossing time is stored in ``event_time``.
    options, **solver_kw
        :class:`SolverOptions` or its fields (``rtol``, ``atol``, ``max_steps``, ``h0``, ``hmax``).
    seed
        At order 1, apply :func:`meanfield_seed` (default: True at order 1, never at order 2).
    symmetry
        Reduce the equations to one variable per orbit of moments under permutations of identical
        ensembles (e.g. the batteries of :func:`~collective.presets.dias2024`): ``None`` (default)
        by the exchangeable ensembles (:meth:`Model.exchangeable_classes`) that have equal sizes
        on every point and equal Bloch vectors in every initial state (whole classes, or the
        largest such sub-classes), else the full system; ``False`` never; ``True`` requires whole
        classes (:class:`ModelError` otherwise).
        The result is the same up to round-off; per-component variables (``m_...``) exist only for
        the representatives (attrs ``symmetry_classes``).
    """
    return _sweep(
        model, times, points, order, initials, event, options, seed, t0, symmetry, solver_kw
    )


def _sweep(
    model, times, points, order, initials, event, options, seed, t0, symmetry, solver_kw, one=False
) -> xr.Dataset:
    """:func:`sweep`; ``one``: the dataset of :func:`solve` (no ``point`` dimension)."""
    plan = _plan(model, order, points, initials, event, options, seed, symmetry, solver_kw)
    tout = _check_times(times, t0)
    yout, stats, status, ev_times, wall = _integrate(plan, tout, float(t0), plan.coefs, plan.y0s)
    return _dataset(plan, tout, yout, plan.coefs, plan.values, status, stats, ev_times, wall, one)


@dataclass(frozen=True, eq=False)
class _Plan:
    """Everything a run needs besides the output times: compiled equations and packed inputs."""

    model: Model
    order: int
    opts: SolverOptions
    eqs: Equations
    low: Lowered
    values: list
    u1: bool
    classes: tuple
    seed: bool
    event: StopEvent | None
    coefs: np.ndarray
    y0s: np.ndarray
    atol: np.ndarray
    ev_w: np.ndarray
    ev_thr: np.ndarray
    ev_dir: int
    ev_term: bool


def _plan(model, order, points, initials, event, options, seed, symmetry, solver_kw) -> _Plan:
    """Validate the inputs of a run, decide closure/U(1)/symmetry, compile, and pack the arrays."""
    opts = _options(options, solver_kw)
    if isinstance(order, bool) or order not in (1, 2):
        raise ModelError(f"`order` must be 1 or 2, got {describe(order)}")
    points = [dict()] if points is None else [dict(p) for p in points]
    if not points:
        raise ModelError("`points` is empty: give at least one parameter point")
    P = len(points)
    if initials is None:
        inits = [InitialState()] * P
    elif isinstance(initials, InitialState):
        inits = [initials] * P
    else:
        inits = list(initials)
        if len(inits) != P:
            raise ModelError(f"`initials` has {len(inits)} states for {P} points")
    values = [model.numeric_values(p) for p in points]
    seed = (order == 1) if seed is None else bool(seed)
    if seed and order == 1:
        inits = [meanfield_seed(model, s, v) for s, v in zip(inits, values)]
    u1 = model.conserves_excitations() and all(s.conserves_excitations() for s in inits)
    classes = _exchange_symmetry(model, values, inits, symmetry)
    eqs, low = compile_model(model, order, u1=u1, symmetry=classes)
    if classes and symmetry is None and isinstance(opts.atol, Mapping):
        if not set(opts.atol) <= set(low.names):  # per-component atol names the full system
            classes = ()
            eqs, low = compile_model(model, order, u1=u1)
    coefs = np.ascontiguousarray(low.coefficient_matrix(values))
    states: dict[int, np.ndarray] = {}  # one state vector per distinct InitialState object
    for s in inits:
        if id(s) not in states:
            states[id(s)] = low.initial_state(model, s)
    y0s = np.ascontiguousarray(np.stack([states[id(s)] for s in inits]))
    # event: energy_density(e) = <sz_e>/2 + 1/2  ->  (1/2) y[sz] - (thr - 1/2)
    ev_w = np.zeros(low.n)
    ev_thr = np.zeros(P)
    ev_dir, ev_term = 0, False
    if event is not None:
        if not isinstance(event, StopEvent):
            raise ModelError(f"`event` must be a StopEvent, got {describe(event)}")
        if event.ensemble not in model.ensemble_names:
            raise ModelError(
                f"`event.ensemble` is {event.ensemble!r}, not one of {list(model.ensemble_names)}"
            )
        re, _, _ = low.component(sigma_z(event.ensemble))
        ev_w[re] = 0.5
        ev_thr[:] = event.threshold - 0.5
        ev_dir, ev_term = event.direction, event.terminal
    return _Plan(
        model=model,
        order=order,
        opts=opts,
        eqs=eqs,
        low=low,
        values=values,
        u1=bool(u1),
        classes=classes,
        seed=bool(seed and order == 1),
        event=event,
        coefs=coefs,
        y0s=y0s,
        atol=opts.atol_vector(low),
        ev_w=ev_w,
        ev_thr=ev_thr,
        ev_dir=int(ev_dir),
        ev_term=bool(ev_term),
    )


def _kernel_call(method, tables, opts, atol, ev, tout, t0, coefs, y0s, outs):
    """The kernel ``_integrate`` calls for ``method`` and its argument tuple: the one-point kernel
    directly for one point, the parallel driver for several.  ``tables`` = ``(out, cidx, fac)``,
    ``ev`` = ``(ev_w, ev_thr, ev_dir, ev_term)``, ``outs`` = ``(yout, stats, status, ev_times)``.
    :func:`precompile` builds its dummy call here too, so it compiles exactly the signature a run
    uses."""
    yout, stats, status, ev_times = outs
    if coefs.shape[0] == 1:
        fn, fixed, scratch = _one_point_call(method, tables, opts, atol, ev, y0s.shape[1])
        return fn, (y0s[0], t0, tout, coefs[0], *fixed, yout[0], stats[0], *scratch)
    _, parallel, mode = METHODS[method]
    ev_w, ev_thr, ev_dir, ev_term = ev
    ev_w = _event_weights(mode, ev_w)
    extra = () if mode is None else (mode,)
    head = (y0s, t0, tout, coefs, *tables, *_solver_args(opts, atol))
    return parallel, (*head, ev_w, ev_thr, ev_dir, ev_term, *extra, yout, stats, status, ev_times)


def _event_weights(mode, ev_w):
    """``None`` in place of all-zero event weights for the RK/Rosenbrock kernel (``mode`` not
    None): its runs without an event use a specialisation compiled without the event code."""
    return None if mode is not None and not ev_w.any() else ev_w


def _solver_args(opts, atol) -> tuple:
    return (float(opts.rtol), atol, float(opts.h0), float(opts.hmax), int(opts.max_steps))


def _one_point_call(method, tables, opts, atol, ev, n):
    """``(kernel, fixed, scratch)`` of a one-point run: its arguments are ``(y0, t0, tout, coef,
    *fixed, yout, stats, *scratch)``, where ``fixed`` holds what does not change from point to
    point (tables, tolerances, event, mode) and ``scratch`` the kernel's work arrays.  The
    RK/Rosenbrock kernel gets the tables copied next to its work arrays
    (:func:`collective.integrate.kernel_arrays`); BDF allocates its own."""
    one, _, mode = METHODS[method]
    ev_w, ev_thr, ev_dir, ev_term = ev
    ev_w = _event_weights(mode, ev_w)
    rest = (*_solver_args(opts, atol), ev_w, float(ev_thr[0]), ev_dir, ev_term)
    if mode is None:
        return one, (*tables, *rest), ()
    # the tables copied next to the work arrays, in a fixed layout (see kernel_arrays)
    tables, scratch = kernel_arrays(n, tables)
    return one, (*tables, *rest, mode), scratch


def _outputs(P: int, T: int, n: int):
    """``(yout, stats, status, ev_times)`` of a run (``np.full`` costs ~1 us per call in Python;
    a one-point run pays this on every ``Problem.integrate``)."""
    ev_times = np.empty(P)
    ev_times.fill(np.nan)
    return (
        np.empty((P, T, n)),
        np.zeros((P, N_STATS), dtype=np.int64),
        np.zeros(P, dtype=np.int64),
        ev_times,
    )


# (kernel, variant) pairs that have run in this process: compiled or loaded from the cache
_WARM: set[tuple] = set()


def _variant(method: str, has_event: bool) -> bool | None:
    """Which specialisation of ``method``'s kernel a run uses (see :func:`_kernel_call`): the
    RK/Rosenbrock kernel has one with and one without the event code, BDF one for both."""
    return has_event if METHODS[method][2] is not None else None


def _run_kernel(fn, args, variant: Hashable = None):
    """``fn(*args)``, with Python's cyclic garbage collector paused while ``fn`` is compiled (or
    loaded from numba's cache) for the first time in this process.  ``variant`` names which of a
    kernel's specialisations ``args`` select (with or without the event code): each is compiled
    on its first run.  Numba's compiler allocates millions of long-lived objects, and the
    collector traverses them again and again (memory-bound pointer chasing): pausing it took 4-5 % off the mean CPU time of a cold start (6.12 against
    6.43 s and 6.25 against 6.53 s in 6 and 8 cold processes interleaved with the previous code;
    1.5 % of its instructions) for about 20 MB more peak memory.  The collector's state is
    restored afterwards; calls of a compiled kernel are untouched.

    After the pause, the youngest generation holds every object the compiler made (322k, 184k
    of them cyclic garbage), and the first collection after it traversed them all at once:
    0.18-0.2 s of the first solve.  Instead they are moved to the oldest generation
    (``gc.freeze(); gc.unfreeze()``, two list splices), whose next full collection examines them
    once, with everything else; until then the ~20 MB of compile garbage stays allocated.  A user
    who froze objects (``gc.get_freeze_count() > 0``) keeps them frozen: then nothing is moved."""
    key = (fn, variant)
    if key in _WARM or not gc.isenabled():
        return fn(*args)
    frozen_by_user = gc.get_freeze_count() > 0
    gc.disable()
    try:
        result = fn(*args)
    finally:
        if not frozen_by_user:
            gc.freeze()
            gc.unfreeze()
        gc.enable()
    _WARM.add(key)
    return result


def _integrate(plan: _Plan, tout, t0, coefs, y0s):
    """Run the jitted kernel: one point directly (no driver, no thread pool), many in parallel."""
    P, T, n = coefs.shape[0], tout.size, plan.low.n
    ev_thr = plan.ev_thr if plan.ev_thr.size == P else np.full(P, plan.ev_thr[0])
    outs = _outputs(P, T, n)
    low = plan.low
    fn, args = _kernel_call(
        plan.opts.method,
        (low.out, low.cidx, low.fac),
        plan.opts,
        plan.atol,
        (plan.ev_w, ev_thr, plan.ev_dir, plan.ev_term),
        tout,
        t0,
        coefs,
        y0s,
        outs,
    )
    start = _time.perf_counter()
    res = _run_kernel(fn, args, _variant(plan.opts.method, bool(plan.ev_w.any())))
    wall = _time.perf_counter() - start
    yout, stats, status, ev_times = outs
    if P == 1:
        status[0], ev_times[0] = res
    if plan.opts.method == "bdf":
        stats[:, 5] = stats[:, 0]  # every BDF step is an implicit (stiff) step
    return yout, stats, status, ev_times, wall


def _dummy_call(method: str, batch: bool, event: bool = False):
    """A trivial problem (one component, no terms, output at t0) with a run's argument types
    (``event``: those of a run with a :class:`StopEvent`)."""
    P = 2 if batch else 1
    tables = (np.zeros(0, np.int64), np.zeros(0, np.int64), -np.ones((0, 1), np.int64))
    opts = SolverOptions(method=method)
    ev = (np.full(1, float(event)), np.zeros(P), 0, False)
    return _kernel_call(
        method,
        tables,
        opts,
        np.ones(1),
        ev,
        np.zeros(1),
        0.0,
        np.zeros((P, 0)),
        np.zeros((P, 1)),
        _outputs(P, 1, 1),
    )


def precompile(method: str = "auto", *, batch: bool = False, event: bool = False) -> None:
    """Compile (or load from numba's disk cache) the integrator kernel that :func:`solve`
    (``batch=False``) or a multi-point :func:`sweep` (``batch=True``) uses for ``method``, so that
    the first run is not the one that pays for it (e.g. before timing, or once per worker before
    a distributed sweep).  The kernels are generic: one compilation serves every model.  Runs
    with a :class:`StopEvent` use a kernel of their own (``event=True``): the kernels of runs
    without one are compiled without the event code.

    >>> precompile()                      # the default method, one trajectory
    >>> precompile("bdf", batch=True)     # the parallel NDF driver
    >>> precompile(event=True)            # runs with a stop event
    """
    if method not in METHODS:
        raise ModelError(f"`method` must be one of {sorted(METHODS)}, got {describe(method)}")
    fn, args = _dummy_call(method, bool(batch), bool(event))
    _run_kernel(fn, args, _variant(method, bool(event)))


def _rhs_values(low: Lowered, coefs: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """``f`` at saved states ``Y`` (P, T, n): numpy for one point (no extra kernel to compile on a
    cold start), the jitted table kernel for many."""
    if Y.shape[0] > 1:
        dY = np.empty_like(Y)  # (every row is written)
        _run_kernel(rhs_batch, (Y, coefs, low.out, low.cidx, low.fac, dY))
        return dY
    return low.evaluate(coefs[0], Y)


def _dataset(
    plan: _Plan, tout, yout, coefs, values, status, stats, ev_times, wall, one=False
) -> xr.Dataset:
    dy = _rhs_values(plan.low, coefs, yout)
    model, order, opts, u1, classes = plan.model, plan.order, plan.opts, plan.u1, plan.classes
    eqs, low = plan.eqs, plan.low
    ds = _assemble(model, low, tout, yout, dy, values, status, stats, ev_times, plan.event, one)
    ds.attrs.update(
        {
            "package_version": __version__,
            "method": "cumulant",
            "integrator": opts.method,
            "order": order,
            "u1_filter": int(u1),
            "symmetry_classes": ";".join(",".join(c) for c in classes),
            "meanfield_seed": int(plan.seed),
            "rtol": opts.rtol,
            "atol": opts.atol if not isinstance(opts.atol, Mapping) else str(dict(opts.atol)),
            "max_steps": opts.max_steps,
            "model": model.name,
            "model_summary": _model_meta(model, order, u1, classes)[1],
            "n_variables": len(eqs.variables),
            "n_real_components": low.n,
            "n_terms": low.n_terms,
            "wall_time_s": wall,
        }
    )
    return ds


def solve(
    model: Model,
    times: Any,
    *,
    order: int = 2,
    initial: InitialState | None = None,
    event: StopEvent | None = None,
    options: SolverOptions | None = None,
    seed: bool | None = None,
    t0: float = 0.0,
    raise_on_failure: bool = True,
    symmetry: bool | None = None,
    **solver_kw: Any,
) -> xr.Dataset:
    """Integrate one trajectory; see :func:`sweep` for the arguments.  Raises
    :class:`~collective.errors.IntegrationError` if the integrator fails (``raise_on_failure``)."""
    ds = _sweep(
        model, times, None, order, initial, event, options, seed, t0, symmetry, solver_kw, one=True
    )
    if raise_on_failure and int(ds.status) != 0:
        raise IntegrationError(f"integration failed: {str(ds.status_message.values)}")
    return ds


class Trajectory(NamedTuple):
    """Raw result of :meth:`Problem.integrate` / :meth:`Problem.integrate_many`: arrays, no labels.

    ``y`` holds the real state components (names in :attr:`Problem.names`) with shape
    ``(time, component)`` for one point or ``(point, time, component)`` for many; ``status``
    (0 ok, see :data:`collective.integrate.STATUS_MESSAGES`), ``event_time`` and every entry of
    ``stats`` (``n_steps``, ``n_rejected``, ``nfev``, ``njev``, ``nlu``, ``n_stiff_steps``,
    ``n_switches``) are scalars or ``(point,)`` arrays accordingly.  :meth:`Problem.dataset` turns it
    into the same labelled dataset as :func:`solve` / :func:`sweep`."""

    times: np.ndarray
    y: np.ndarray
    status: np.ndarray
    event_time: np.ndarray
    stats: dict
    values: tuple
    wall_time_s: float


class Problem:
    """A model compiled once for repeated integration: the fast path under :func:`solve` and
    :func:`sweep`.

    Derivation, lowering, the U(1) and symmetry decisions, the initial state, tolerances and the
    event are settled at construction (same arguments as :func:`solve`); :meth:`integrate` then
    only fills the coefficient vector and calls the jitted kernel, returning a :class:`Trajectory`
    of plain arrays.  Use it where per-call overhead matters (a few hundred microseconds of
    integration per trajectory); :meth:`dataset` labels a result afterwards.

    >>> prob = Problem(dias2024(reservoirs=3), initial=InitialState.from_energy({"C": 1.0}))
    >>> tr = prob.integrate(np.geomspace(1e-9, 2e-5, 200), {"gamma_up": 2.0})
    >>> prob.energy_density(tr)          # (time, ensemble), ensembles in prob.ensembles
    """

    def __init__(
        self,
        model: Model,
        *,
        order: int = 2,
        initial: InitialState | None = None,
        event: StopEvent | None = None,
        options: SolverOptions | None = None,
        seed: bool | None = None,
        symmetry: bool | None = None,
        **solver_kw: Any,
    ) -> None:
        if initial is not None and not isinstance(initial, InitialState):
            raise ModelError(f"`initial` must be an InitialState, got {describe(initial)}")
        self._plan = _plan(model, order, None, initial, event, options, seed, symmetry, solver_kw)
        self._initial = initial if initial is not None else InitialState()
        self._sz = [self._plan.low.component(sigma_z(e))[0] for e in model.ensemble_names]
        self._call: tuple | None = None  # the one-point kernel call, bound on first use
        self._warm = False  # has the kernel run (compiled or loaded) through this Problem?
        plan = self._plan
        self._default = (plan.coefs[0], plan.y0s[0], plan.values[0])  # values=None

    @property
    def model(self) -> Model:
        return self._plan.model

    @property
    def equations(self) -> Equations:
        return self._plan.eqs

    @property
    def lowered(self) -> Lowered:
        return self._plan.low

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the real state components (the last axis of :attr:`Trajectory.y`)."""
        return self._plan.low.names

    @property
    def ensembles(self) -> tuple[str, ...]:
        return self._plan.model.ensemble_names

    @property
    def y0(self) -> np.ndarray:
        """Initial real state vector at the model's own parameter values."""
        return self._plan.y0s[0].copy()

    def coefficients(self, values: Mapping[str, float] | None = None) -> np.ndarray:
        """Coefficient vector of the lowered tables at the model's values overridden by ``values``."""
        return self._point(values)[0]

    def _point(self, values: Mapping[str, float] | None) -> tuple[np.ndarray, np.ndarray, dict]:
        if not values:
            return self._default
        plan = self._plan
        if not isinstance(values, Mapping):
            raise ModelError(
                f"`values` must be a mapping of parameter values, got {describe(values)}"
            )
        v = plan.model.numeric_values(values)
        for cls in plan.classes:
            sizes = _unequal_sizes(cls, v)
            if sizes:
                raise ModelError(
                    f"`values` gives unequal sizes ({sizes}) to the exchangeable ensembles "
                    f"{list(cls)}, but this Problem was reduced by their symmetry; build it with "
                    "symmetry=False"
                )
        coef = plan.low.coefficient_matrix([v])[0]
        y0 = plan.y0s[0]
        if plan.seed:  # the mean-field seed angle depends on N
            y0 = plan.low.initial_state(plan.model, meanfield_seed(plan.model, self._initial, v))
        return coef, y0, v

    def integrate(
        self, times: Any, values: Mapping[str, float] | None = None, *, t0: float = 0.0
    ) -> Trajectory:
        """One trajectory at the model's values overridden by ``values`` (parameters, ``N_<e>``).

        The kernel's fixed arguments and work arrays are bound once per :class:`Problem` (the
        work arrays are reused: the kernel holds the GIL while it runs), so a call costs a few
        microseconds over the kernel's own time."""
        t0 = float(t0)
        if (
            type(times) is np.ndarray
            and times.dtype == _F8
            and times.ndim == 1
            and times.flags.c_contiguous
            and _times_valid(times, t0)
        ):
            tout = times  # what check_times would return, ~2 us sooner
        else:
            tout = _check_times(times, t0)  # converts, or raises with the message
        coef, y0, v = self._point(values)
        call = self._call
        if call is None:
            plan, low = self._plan, self._plan.low
            ev = (plan.ev_w, plan.ev_thr, plan.ev_dir, plan.ev_term)
            fn, fixed, scratch = _one_point_call(
                plan.opts.method, (low.out, low.cidx, low.fac), plan.opts, plan.atol, ev, low.n
            )
            variant = _variant(plan.opts.method, bool(plan.ev_w.any()))
            # the statistics array is reused as well (the kernel zeroes it; the result holds
            # a dict of Python ints)
            stats = np.zeros(N_STATS, dtype=np.int64)
            call = (fn, fixed, scratch, variant, plan.opts.method == "bdf", stats)
            self._call = call
        fn, fixed, scratch, variant, bdf, stats = call
        yout = np.empty((tout.size, y0.size))
        args = (y0, t0, tout, coef, *fixed, yout, stats, *scratch)
        start = _time.perf_counter()
        if self._warm:  # compiled: skip _run_kernel's first-run bookkeeping
            status, ev_time = fn(*args)
        else:
            status, ev_time = _run_kernel(fn, args, variant)
            self._warm = True
        wall = _time.perf_counter() - start
        if bdf:
            stats[5] = stats[0]  # every BDF step is an implicit (stiff) step
        # positional: a third cheaper than keywords (Trajectory's field order)
        return Trajectory(
            tout,
            yout,
            np.int64(status),
            np.float64(ev_time),
            dict(zip(STAT_NAMES, stats.tolist())),
            (v,),
            wall,
        )

    def integrate_many(
        self, times: Any, points: Sequence[Mapping[str, float]], *, t0: float = 0.0
    ) -> Trajectory:
        """Many parameter points in one parallel call (a failed point is flagged in ``status``)."""
        tout = _check_times(times, t0)
        if isinstance(points, Mapping) or not len(points):
            raise ModelError(
                f"`points` must be a non-empty sequence of mappings, got {describe(points)}"
            )
        cols = [self._point(p) for p in points]
        coefs = np.ascontiguousarray(np.stack([c for c, _, _ in cols]))
        y0s = np.ascontiguousarray(np.stack([y for _, y, _ in cols]))
        yout, stats, status, ev, wall = _integrate(self._plan, tout, float(t0), coefs, y0s)
        return Trajectory(
            times=tout,
            y=yout,
            status=status,
            event_time=ev,
            stats={k: stats[:, j] for j, k in enumerate(STAT_NAMES)},
            values=tuple(v for _, _, v in cols),
            wall_time_s=wall,
        )

    def energy_density(self, traj: Trajectory) -> np.ndarray:
        """``<J^z>/N + 1/2`` per ensemble (last axis, in :attr:`ensembles` order)."""
        return 0.5 * traj.y[..., self._sz] + 0.5

    def dataset(self, traj: Trajectory) -> xr.Dataset:
        """The labelled dataset of :func:`solve` (one point) or :func:`sweep` (many)."""
        many = traj.y.ndim == 3
        Y = traj.y if many else traj.y[None]
        plan = self._plan
        coefs = plan.low.coefficient_matrix(list(traj.values))
        stats = np.stack([np.atleast_1d(traj.stats[k]) for k in STAT_NAMES], axis=1)
        return _dataset(
            plan,
            traj.times,
            Y,
            coefs,
            list(traj.values),
            np.atleast_1d(traj.status),
            stats,
            np.atleast_1d(traj.event_time),
            traj.wall_time_s,
            one=not many,
        )


# --------------------------------------------------------------------------------------------------
# dataset assembly
# --------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def _readout(low: Lowered, m: Moment) -> tuple:
    """``<m>`` on ``low``'s real state vector: ``((coefficient, ((re, im, conj), ...)), ...)``, one
    entry per product of the closure (``()``: zero by the U(1) filter).  Every ``solve`` reads the
    same few moments, so the closure and the component lookup are done once per system."""
    eqs = low.equations
    if eqs.u1 and m.charge != 0:
        return ()
    return tuple(
        (c, tuple(low.component(f) for f in factors))
        for factors, c in close_moment(m, eqs.order)
        if not (eqs.u1 and any(f.charge != 0 for f in factors))
    )


def _moment_parts(low: Lowered, m: Moment, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Real and imaginary parts of any moment over the last axis of ``Y`` (closure for higher
    moments).  A moment that is one state variable (every read-out at order 2) is read in real
    arithmetic, without complex temporaries: a sweep's dataset of 1000 points is ~100 MB."""
    shape = Y.shape[:-1]
    terms = _readout(low, m)
    if len(terms) == 1 and len(terms[0][1]) == 1:
        c, ((re, im, cj),) = terms[0]
        real = Y[..., re] * c
        if im < 0:
            return real, np.zeros(shape)
        return real, Y[..., im] * (-c if cj else c)
    total = np.zeros(shape, dtype=complex)
    for c, comps in terms:
        prod = np.ones(shape, dtype=complex)
        for re, im, cj in comps:
            v = Y[..., re] + (1j * Y[..., im] if im >= 0 else 0)
            prod = prod * (np.conj(v) if cj else v)
        total = total + c * prod
    return total.real, total.imag


def _assemble(
    model, low, tout, Y, dY, values, status, stats, ev_times, event, one=False
) -> xr.Dataset:
    """The labelled dataset of a sweep; ``one``: of one point, without the ``point`` dimension
    (what ``isel(point=0, drop=True)`` gives, built directly)."""
    P = Y.shape[0]
    ens = list(model.ensemble_names)
    modes = list(model.mode_names)
    tu = model.time_unit
    coords = {
        "point": ("point", np.arange(P), {"long_name": "parameter point", "units": "1"}),
        "time": ("time", tout, {"long_name": "time", "units": tu}),
    }
    data: dict[str, Any] = {}
    if ens:
        coords["ensemble"] = (
            "ensemble",
            np.array(ens, dtype=object),
            {"long_name": "spin ensemble", "units": "1"},
        )
        coords["ensemble_b"] = (
            "ensemble_b",
            np.array(ens, dtype=object),
            {"long_name": "spin ensemble (second index)", "units": "1"},
        )
        Nv = np.array([[v[f"N_{e}"] for e in ens] for v in values])  # (P, E)
        sz = np.stack([_moment_parts(low, sigma_z(e), Y)[0] for e in ens], axis=-1)
        dsz = np.stack([_moment_parts(low, sigma_z(e), dY)[0] for e in ens], axis=-1)
        data["energy_density"] = (
            ("point", "time", "ensemble"),
            0.5 * sz + 0.5,
            {"long_name": "energy density E/(N hbar omega_0)", "units": "1"},
        )
        data["energy_rate"] = (
            ("point", "time", "ensemble"),
            0.5 * dsz,
            {
                "long_name": "rate of change of the energy density (from the equations' right-hand side)",
                "units": f"1/({tu})",
            },
        )
        data["Jz"] = (
            ("point", "time", "ensemble"),
            0.5 * sz * Nv[:, None, :],
            {"long_name": "<J^z>", "units": "1"},
        )
        E = len(ens)
        jj_re = np.empty((P, tout.size, E, E))
        jj_im = np.empty((P, tout.size, E, E))
        for a, e in enumerate(ens):
            for b, f in enumerate(ens):
                Na, Nb = Nv[:, a][:, None], Nv[:, b][:, None]
                if e == f:
                    pr, pi = _moment_parts(low, Moment(((e, 1, 1, 0),), ()), Y)
                    jj_re[:, :, a, b] = Na * (1 + sz[..., a]) / 2 + Na * (Na - 1) * pr
                    jj_im[:, :, a, b] = Na * (Na - 1) * pi
                else:
                    spins = tuple(sorted([(e, 1, 0, 0), (f, 0, 1, 0)]))
                    pr, pi = _moment_parts(low, Moment(spins, ()), Y)
                    jj_re[:, :, a, b] = Na * Nb * pr
                    jj_im[:, :, a, b] = Na * Nb * pi
        data["JpJm"] = (
            ("point", "time", "ensemble", "ensemble_b"),
            jj_re,
            {"long_name": "Re <J^+_mu J^-_nu>", "units": "1"},
        )
        data["JpJm_imag"] = (
            ("point", "time", "ensemble", "ensemble_b"),
            jj_im,
            {"long_name": "Im <J^+_mu J^-_nu>", "units": "1"},
        )
        coords["N"] = (("point", "ensemble"), Nv, {"long_name": "ensemble size", "units": "1"})
    if modes:
        coords["mode"] = (
            "mode",
            np.array(modes, dtype=object),
            {"long_name": "bosonic mode", "units": "1"},
        )
        nm = np.stack([_moment_parts(low, Moment((), ((m, 1, 1),)), Y)[0] for m in modes], -1)
        a_parts = [_moment_parts(low, Moment((), ((m, 0, 1),)), Y) for m in modes]
        a_re = np.stack([r for r, _ in a_parts], axis=-1)
        a_im = np.stack([i for _, i in a_parts], axis=-1)
        data["n_mode"] = (("point", "time", "mode"), nm, {"long_name": "<a^+ a>", "units": "1"})
        data["a_re"] = (("point", "time", "mode"), a_re, {"long_name": "Re <a>", "units": "1"})
        data["a_im"] = (("point", "time", "mode"), a_im, {"long_name": "Im <a>", "units": "1"})
    for k, (nm_, long_name, lab) in enumerate(low.labels):
        data[nm_] = (
            ("point", "time"),
            Y[:, :, k],
            {"long_name": long_name, "units": "1", "moment": lab},
        )
    for p in model.parameters:
        coords[p.name] = (
            "point",
            np.array([v[p.name] for v in values]),
            {"long_name": p.description or p.name, "units": p.units},
        )
    data["status"] = (
        "point",
        status.astype(np.int32),
        {
            "long_name": "integration status (0 ok)",
            "units": "1",
            "flag_values": np.array(sorted(STATUS_MESSAGES), dtype=np.int32),
            "flag_meanings": " ".join(
                STATUS_MESSAGES[k].replace(" ", "_").replace(":", "")
                for k in sorted(STATUS_MESSAGES)
            ),
        },
    )
    data["status_message"] = (
        "point",
        np.array([STATUS_MESSAGES[int(s)] for s in status], dtype=object),
        {"long_name": "integration status message", "units": "1"},
    )
    for j, nm_ in enumerate(STAT_NAMES):
        data[nm_] = (
            "point",
            stats[:, j].astype(np.int64),
            {"long_name": f"integrator statistic {nm_}", "units": "1"},
        )
    if event is not None:
        data["event_time"] = (
            "point",
            ev_times,
            {
                "long_name": f"first time energy_density[{event.ensemble}] crosses {event.threshold}",
                "units": tu,
            },
        )
    data = {k: (dims_tuple(d), v, a) for k, (d, v, a) in data.items()}
    coords = {k: (dims_tuple(d), v, a) for k, (d, v, a) in coords.items()}
    if one:
        data, coords = _first_point(data, False), _first_point(coords, True)
    return labelled_dataset(data, coords)


def _first_point(items: dict, coords: bool) -> dict:
    """``(dims tuple, values, attrs)`` items at ``point`` 0 with that dimension dropped; like
    ``isel(point=0, drop=True)``, the ``point`` coordinate and coordinates indexed down to a scalar
    go."""
    out = {}
    for name, (dims, values, attrs) in items.items():
        if "point" in dims:
            ax = dims.index("point")
            values, dims = np.take(values, 0, axis=ax), dims[:ax] + dims[ax + 1 :]
            if coords and not dims:
                continue
        out[name] = (dims, values, attrs)
    return out
