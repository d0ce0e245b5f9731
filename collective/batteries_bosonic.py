r"""Battery figures of merit for linear bosonic charger-battery models.

All quantities come from the exact moment evolution of :func:`collective.linear.evolve_linear`
(matrix exponential of the moment generator; no closed forms of a particular paper):

.. math::

    E_B(t) = \omega_b\langle b^\dagger b\rangle,\quad E_A(t) = \omega_a\langle a^\dagger a\rangle,\quad
    \eta(t) = \frac{E_B}{E_A + E_B},\quad P(t) = \frac{dE_B}{dt},

with :math:`P` evaluated exactly from the generator (not by finite differences).  The critical time
:math:`t_\mathrm{crit}` is the exact first passage :math:`E_B(t_\mathrm{crit}) = E_\mathrm{max}`.

References
----------
Ahmadi et al., ``shared/papers/001_0303df5991573d7c.txt``: Eqs. (3)-(7), (31)-(33).
Lin et al., ``shared/papers/003_31139ff55859365e.txt``: Eqs. (10)-(12).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
import xarray as xr
from scipy.optimize import brentq

from .errors import ModelError, describe
from .linear import (
    LinearSystem,
    _generator,
    _initial_vector,
    evolve_linear,
    linear_system,
    steady_state_linear,
)
from .model import InitialState, Model

__all__ = [
    "charging",
    "steady_state_battery",
    "BatterySteadyState",
    "critical_time",
    "CriticalTime",
    "peak_power",
    "max_power",
]


def _system(system: LinearSystem | Model) -> LinearSystem:
    if isinstance(system, Model):
        return linear_system(system)
    if not isinstance(system, LinearSystem):
        raise ModelError(f"`system` must be a Model or LinearSystem, got {describe(system)}")
    return system


def _check_modes(system: LinearSystem, charger: str, battery: str) -> None:
    for arg, m in (("charger", charger), ("battery", battery)):
        if m not in system.modes:
            raise ModelError(
                f"`{arg}` must be one of the modes {list(system.modes)}, got {describe(m)}"
            )


def charging(
    system: LinearSystem | Model,
    times,
    *,
    charger: str = "a",
    battery: str = "b",
    initial: InitialState | None = None,
    values: Mapping[str, float] | None = None,
) -> xr.Dataset:
    r"""Charging dynamics: :func:`~collective.linear.evolve_linear` plus ``E_A``, ``E_B``, ``eta``,
    ``P_B`` (:math:`dE_B/dt`) and ``P_A`` over ``time`` (vacuum initial state by default).

    ``eta`` is NaN where :math:`E_A + E_B = 0` (e.g. at :math:`t = 0` from vacuum).
    """
    system = _system(system)
    _check_modes(system, charger, battery)
    ds = evolve_linear(system, times, initial=initial, values=values)
    eu, tu = system.model.energy_unit, system.model.time_unit
    EA = ds.energy.sel(mode=charger, drop=True)
    EB = ds.energy.sel(mode=battery, drop=True)
    tot = (EA + EB).values
    with np.errstate(invalid="ignore", divide="ignore"):
        eta = np.where(tot > 0, EB.values / np.where(tot > 0, tot, 1), np.nan)
    ds["E_A"] = EA.assign_attrs(
        long_name=f"charger energy omega_{charger} <{charger}^+ {charger}>", units=eu
    )
    ds["E_B"] = EB.assign_attrs(
        long_name=f"battery energy omega_{battery} <{battery}^+ {battery}>", units=eu
    )
    ds["eta"] = (("time",), eta, {"long_name": "efficiency E_B/(E_A + E_B)", "units": "1"})
    ds["P_B"] = ds.power.sel(mode=battery, drop=True).assign_attrs(
        long_name="battery power dE_B/dt", units=f"{eu}/{tu}"
    )
    b = ds.a_re.sel(mode=battery, drop=True) ** 2 + ds.a_im.sel(mode=battery, drop=True) ** 2
    ds["E_B_coherent"] = (b * float(ds.omega.sel(mode=battery))).assign_attrs(
        long_name=f"coherent battery energy omega_{battery} |<{battery}>|^2", units=eu
    )
    ds["P_A"] = ds.power.sel(mode=charger, drop=True).assign_attrs(
        long_name="charger power dE_A/dt", units=f"{eu}/{tu}"
    )
    ds.attrs.update(charger=charger, battery=battery)
    return ds


@dataclass(frozen=True, slots=True, kw_only=True)
class BatterySteadyState:
    """Stationary energies; NaN when the drift is unstable (no steady state)."""

    E_A: float
    E_B: float
    eta: float
    ratio: float
    stable: bool
    spectral_abscissa: float


def steady_state_battery(
    system: LinearSystem | Model,
    *,
    charger: str = "a",
    battery: str = "b",
    values: Mapping[str, float] | None = None,
) -> BatterySteadyState:
    r"""Stationary :math:`E_A`, :math:`E_B`, :math:`\eta` and :math:`E_B/E_A` (Lyapunov solution)."""
    system = _system(system)
    _check_modes(system, charger, battery)
    ss = steady_state_linear(system, values)
    if not ss.stable:
        nan = math.nan
        return BatterySteadyState(
            E_A=nan,
            E_B=nan,
            eta=nan,
            ratio=nan,
            stable=False,
            spectral_abscissa=ss.spectral_abscissa,
        )
    EA, EB = ss.energy(charger), ss.energy(battery)
    return BatterySteadyState(
        E_A=EA,
        E_B=EB,
        eta=EB / (EA + EB) if EA + EB > 0 else math.nan,
        ratio=EB / EA if EA > 0 else math.inf,
        stable=True,
        spectral_abscissa=ss.spectral_abscissa,
    )


def peak_power(ds: xr.Dataset, var: str = "P_B") -> tuple[float, float]:
    """``(max P, time of the max)`` on the dataset's time grid."""
    if var not in ds:
        raise ModelError(
            f"`var` must be a variable of the dataset {sorted(ds.data_vars)}, got {describe(var)}"
        )
    p = ds[var].values
    k = int(np.nanargmax(p))
    return float(p[k]), float(ds.time.values[k])


@dataclass(frozen=True, slots=True, kw_only=True)
class CriticalTime:
    """Exact first-passage time ``t`` of ``E_B(t) = threshold`` (``inf`` if not reached by
    ``t_max``); ``status``: ``"reached"``, ``"initially above"`` (``t = 0``) or ``"not reached"``."""

    t: float
    threshold: float
    status: str
    t_max: float
    step: float


def critical_time(
    system: LinearSystem | Model,
    threshold: float,
    *,
    battery: str = "b",
    t_max: float | None = None,
    step: float | None = None,
    initial: InitialState | None = None,
    values: Mapping[str, float] | None = None,
    energy: str = "number",
) -> CriticalTime:
    r"""Exact first passage :math:`t_\mathrm{crit} = \min\{t: E_B(t) = E_\mathrm{max}\}`.

    :math:`E_B` is scanned on a grid of ``step`` (default: 1/50 of the fastest drift time
    :math:`1/\max|\lambda|`, at most ``t_max``/20000) by repeated application of the one-step
    propagator, and the first bracketed crossing is refined by Brent's method on the exact
    :math:`E_B(t) = \omega_b\,[e^{Kt}y_0]_{N_{bb}}`.  Crossings narrower than ``step`` could be
    missed; ``step`` is small against every drift time scale.  ``t_max`` defaults to
    ``200 / min(|Re lambda|, max|lambda|)`` (long enough for growth rates ~ 1e-2 of the fastest).

    ``energy="number"`` uses :math:`E_B = \omega_b\langle b^\dagger b\rangle`; ``"coherent"`` uses
    :math:`\omega_b|\langle b\rangle|^2`, the definition of Ahmadi et al. (identical for loss-only
    models from the vacuum, smaller than the number when gain noise is present).
    """
    system = _system(system)
    if battery not in system.modes:
        raise ModelError(
            f"`battery` must be one of the modes {list(system.modes)}, got {describe(battery)}"
        )
    thr = float(threshold)
    if not (math.isfinite(thr) and thr > 0):
        raise ModelError(f"`threshold` must be a positive finite energy, got {describe(threshold)}")
    m = system.numeric(**dict(values or {}))
    K = _generator(m)
    y0 = _initial_vector(m, initial)
    n = m.n
    ib = m.index(battery)
    row = 2 * n + ib * n + ib
    wb = float(m.omega[ib])
    lam = np.linalg.eigvals(m.drift)
    fast = float(np.abs(lam).max()) or 1.0
    if t_max is None:
        slow = float(np.abs(lam.real).min()) or fast
        t_max = 200.0 / min(slow, fast)
    t_max = float(t_max)
    if step is None:
        step = min(0.02 / fast, t_max / 2000)
    step = float(step)
    if not (step > 0 and t_max > 0):
        raise ModelError(f"`step` and `t_max` must be positive, got step={step!r}, t_max={t_max!r}")

    if energy not in ("number", "coherent"):
        raise ModelError(f"`energy` must be 'number' or 'coherent', got {describe(energy)}")

    def e_of(y: np.ndarray) -> float:
        if energy == "number":
            return wb * float(y[row].real)
        return wb * float(abs(y[ib]) ** 2)

    def EB(t: float) -> float:
        return e_of(sla.expm(K * t) @ y0)

    if EB(0.0) >= thr:
        return CriticalTime(t=0.0, threshold=thr, status="initially above", t_max=t_max, step=step)
    U = sla.expm(K * step)
    y = y0.copy()
    t_prev = 0.0
    nsteps = int(math.ceil(t_max / step))
    for k in range(1, nsteps + 1):
        y = U @ y
        e = e_of(y)
        if e >= thr:
            t_hi = k * step
            t = brentq(
                lambda s: EB(s) - thr,
                t_prev,
                t_hi,
                xtol=1e-14 * max(1.0, t_hi),
                rtol=4 * np.finfo(float).eps,
            )
            return CriticalTime(t=float(t), threshold=thr, status="reached", t_max=t_max, step=step)
        t_prev = k * step
    return CriticalTime(t=math.inf, threshold=thr, status="not reached", t_max=t_max, step=step)


def max_power(
    system: LinearSystem | Model,
    t_lo: float,
    t_hi: float,
    *,
    battery: str = "b",
    values: Mapping[str, float] | None = None,
    initial: InitialState | None = None,
    grid: int = 400,
) -> tuple[float, float]:
    r"""Largest battery power :math:`P = dE_B/dt` on :math:`[t_\mathrm{lo}, t_\mathrm{hi}]` and its time:
    the best point of a ``grid`` scan refined by bounded Brent search on the exact
    :math:`P(t) = \omega_b [K e^{Kt} y_0]_{N_{bb}}`."""
    from scipy.optimize import minimize_scalar

    system = _system(system)
    if battery not in system.modes:
        raise ModelError(
            f"`battery` must be one of the modes {list(system.modes)}, got {describe(battery)}"
        )
    if not (0 <= t_lo < t_hi):
        raise ModelError(f"need 0 <= `t_lo` < `t_hi`, got t_lo={t_lo!r}, t_hi={t_hi!r}")
    m = system.numeric(**dict(values or {}))
    K = _generator(m)
    y0 = _initial_vector(m, initial)
    n = m.n
    ib = m.index(battery)
    row = 2 * n + ib * n + ib
    wb = float(m.omega[ib])
    Krow = K[row]

    def P(t: float) -> float:
        return wb * float((Krow @ (sla.expm(K * t) @ y0)).real)

    ts = np.linspace(t_lo, t_hi, grid)
    U = sla.expm(K * (ts[1] - ts[0]))
    y = sla.expm(K * t_lo) @ y0
    ps = np.empty(grid)
    for k in range(grid):
        ps[k] = wb * float((Krow @ y).real)
        y = U @ y
    k = int(np.argmax(ps))
    lo, hi = ts[max(k - 1, 0)], ts[min(k + 1, grid - 1)]
    if hi > lo:
        res = minimize_scalar(
            lambda s: -P(s),
            bounds=(lo, hi),
            method="bounded",
            options={"xatol": 1e-10 * max(1.0, hi)},
        )
        if -res.fun >= ps[k]:
            return float(-res.fun), float(res.x)
    return float(ps[k]), float(ts[k])
