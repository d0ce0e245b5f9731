r"""Bosonic reservoir-engineered batteries: charger ``a``, battery ``b``, auxiliary mode ``c``.

Two source papers, both built from their *master equations* (the printed moment equations are
only checks):

``ep_battery`` -- Ahmadi et al., ``shared/papers/001_0303df5991573d7c.txt``, Eqs. (8)-(9):

.. math::

    H_0 = \delta a^\dagger a - \delta b^\dagger b + \delta_c c^\dagger c + \mathcal E(a + a^\dagger),\quad
    \dot\rho = -i[H_0,\rho] + \sum_{j=a,b,c}\kappa_j\mathcal D[j]\rho
               + \Gamma\mathcal D[z_a]\rho + \Gamma\mathcal D[z_b]\rho,\quad
    z_m = p_m m + p_c^{m} c,

in the frame rotating at the drive frequency :math:`\omega_L` (:math:`\delta_j = \omega_j - \omega_L`,
:math:`\delta_a = -\delta_b = \delta`), so the model is time independent.

``ep_battery_eliminated`` -- the two-mode drift of Eqs. (17)-(18) in the normalised parameters
:math:`\delta_r, \gamma_a, \gamma_b` (time in units of :math:`1/\Gamma_\mathrm{eff}`):
:math:`\dot{\mathbf a} = \Gamma_\mathrm{eff}(-i\mathbb H_r)\mathbf a + \mathbf f`,
:math:`\mathbb H_r = \begin{pmatrix}\delta_r - i\gamma_a & i\\ i & -\delta_r - i\gamma_b\end{pmatrix}`.

``nonreciprocal_battery`` -- Lin et al., ``shared/papers/003_31139ff55859365e.txt``, Eqs. (1)-(5),
(19): coherent coupling :math:`J`, dissipative coupling :math:`\Gamma` with phase :math:`\phi`,
local losses, drive :math:`\varepsilon`, detuning :math:`\Delta` (optionally with the bad cavity
``c`` kept).

Physicality (seed 001)
----------------------
With loss jumps only (Eq. (9) with :math:`\kappa_j,\Gamma\ge 0`) the Hermitian part of the drift is
:math:`-\tfrac12\Gamma^\downarrow\preceq 0`; adiabatic elimination of ``c`` is a Schur complement of
that negative semidefinite matrix, hence again :math:`\preceq 0`.  For the normalised drift
:math:`-i\mathbb H_r` the Hermitian part is :math:`\begin{pmatrix}-\gamma_a & 1\\ 1 & -\gamma_b\end{pmatrix}`,
so the effective parameters that Eq. (9) can produce are exactly

.. math::

    \gamma_a \ge 0,\qquad \gamma_b\ge 0,\qquad \gamma_a\gamma_b \ge 1
    \quad(\Leftrightarrow\ \alpha \ge (1-\gamma_b^2)/(2\gamma_b)),

with any :math:`\delta_r` (sufficiency: :func:`ep_microscopic_parameters` constructs the rates).
In that set :math:`\mathrm{Re}\,\lambda \le 0` for every eigenvalue of the (full or eliminated)
drift: **the broken (exponentially growing) phase of the paper is not reachable from its own
Eq. (9)**; its boundary at :math:`\delta_r=0` is exactly :math:`\gamma_a\gamma_b = 1`.  The EP at
:math:`\delta_r=\pm1`, :math:`\gamma_a=\gamma_b=\gamma` is reachable only for :math:`\gamma\ge1`.

Convention note (seed 001): Eqs. (10)-(12) of the paper carry every rate without the 1/2 that
:math:`\mathcal D` of Eq. (9) implies (i.e. they follow from :math:`2\mathcal D`, the ``"L"``
convention).  ``ep_battery(convention="D")`` follows Eq. (9) as printed; ``convention="L"``
reproduces Eqs. (10)-(12) literally.  The normalised :math:`\gamma_j` are the same either way;
:math:`\Gamma_\mathrm{eff}` (and so :math:`\delta_r` and the time unit) differ by a factor 2.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import sympy as sp

from ..algebra import create, destroy
from ..errors import ModelError, PhysicalityWarning, describe
from ..model import CONVENTIONS, Dissipator, Mode, Model, Parameter, param
from ._registry import PresetArg, PresetInfo, register

__all__ = [
    "ep_battery",
    "ep_battery_eliminated",
    "nonreciprocal_battery",
    "ep_physicality_violations",
    "check_ep_physicality",
    "ep_effective_parameters",
    "ep_microscopic_parameters",
]


def _real(arg: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ModelError(f"`{arg}` must be a real number, got {describe(value)}")
    v = float(value)
    if not math.isfinite(v):
        raise ModelError(f"`{arg}` must be finite, got {describe(value)}")
    return v


def _rate(arg: str, value: Any, what: str) -> float:
    v = _real(arg, value)
    if v < 0:
        raise ModelError(f"`{arg}` ({what}) must be a non-negative rate, got {v!r}")
    return v


def _drive_mode(drive_on: Any, modes: tuple[str, ...]) -> str:
    if drive_on not in modes:
        raise ModelError(
            f"`drive_on` must be one of the model's modes {list(modes)}, got {describe(drive_on)}"
        )
    return drive_on


def _convention(convention: Any) -> str:
    if convention not in CONVENTIONS:
        raise ModelError(
            f"`convention` must be one of {sorted(CONVENTIONS)}, got {describe(convention)}"
        )
    return convention


# ------------------------------------------------------------------------------------------------
# seed 001: full three-mode model
# ------------------------------------------------------------------------------------------------
def ep_battery(
    *,
    delta: float = 0.0,
    delta_c: float = 0.0,
    kappa_a: float = 0.1,
    kappa_b: float = 0.1,
    kappa_c: float = 10.0,
    Gamma: float = 4.0,
    p_a: float = 1.0,
    p_b: float = 1.0,
    pc_a: float = 1.0,
    pc_b: float = 1.0,
    E: float = 0.01,
    omega_a: float = 1.0,
    omega_b: float = 1.0,
    omega_c: float = 1.0,
    drive_on: str = "a",
    convention: str = "D",
) -> Model:
    r"""Three-mode reservoir-engineered battery of Ahmadi et al., Eqs. (8)-(9).

    .. math::

        H_0 = \delta(a^\dagger a - b^\dagger b) + \delta_c c^\dagger c + \mathcal E(a + a^\dagger),\qquad
        \mathcal L = \sum_{j}\kappa_j\mathcal D[j] + \Gamma\mathcal D[p_a a + p_c^a c]
                     + \Gamma\mathcal D[p_b b + p_c^b c].

    Rotating frame at the drive frequency :math:`\omega_L`; ``omega_*`` are the lab-frame mode
    energies used for :math:`E_j = \omega_j\langle j^\dagger j\rangle` only.

    Parameters
    ----------
    delta, delta_c
        Detunings :math:`\delta = \delta_a = -\delta_b` and :math:`\delta_c` (rate units).
    kappa_a, kappa_b, kappa_c, Gamma
        Local loss rates and shared-reservoir rate (non-negative).
    p_a, p_b, pc_a, pc_b
        Real weights of :math:`z_m = p_m m + p_c^m c`.
    E
        Drive amplitude :math:`\mathcal E` on ``drive_on`` (default the charger ``a``).
    convention
        ``"D"``: Eq. (9) as printed; ``"L"``: every dissipator doubled, which is what the paper's
        Eqs. (10)-(12) correspond to (see the module note).

    References
    ----------
    ``shared/papers/001_0303df5991573d7c.txt``: Eqs. (8), (9); moments Eqs. (10)-(12).
    """
    rates = {
        "kappa_a": _rate("kappa_a", kappa_a, "local loss of the charger a"),
        "kappa_b": _rate("kappa_b", kappa_b, "local loss of the battery b"),
        "kappa_c": _rate("kappa_c", kappa_c, "local loss of the auxiliary mode c"),
        "Gamma": _rate("Gamma", Gamma, "shared-reservoir rate"),
    }
    conv = _convention(convention)
    modes = ("a", "b", "c")
    dm = _drive_mode(drive_on, modes)
    d, dc, EE = param("delta"), param("delta_c"), param("E")
    H = (
        d * create("a") * destroy("a")
        - d * create("b") * destroy("b")
        + dc * create("c") * destroy("c")
    )
    H = H + EE * (create(dm) + destroy(dm))
    pa, pb, pca, pcb = (param(n) for n in ("p_a", "p_b", "pc_a", "pc_b"))
    diss = [
        Dissipator(jump=destroy("a"), rate=param("kappa_a"), convention=conv, label="local a"),
        Dissipator(jump=destroy("b"), rate=param("kappa_b"), convention=conv, label="local b"),
        Dissipator(jump=destroy("c"), rate=param("kappa_c"), convention=conv, label="local c"),
        Dissipator(
            jump=pa * destroy("a") + pca * destroy("c"),
            rate=param("Gamma"),
            convention=conv,
            label="shared z_a",
        ),
        Dissipator(
            jump=pb * destroy("b") + pcb * destroy("c"),
            rate=param("Gamma"),
            convention=conv,
            label="shared z_b",
        ),
    ]
    ru = "1/[t]"
    params = (
        Parameter(
            name="delta",
            value=_real("delta", delta),
            units=ru,
            description="detuning delta_a = -delta_b",
        ),
        Parameter(
            name="delta_c", value=_real("delta_c", delta_c), units=ru, description="detuning of c"
        ),
        *(
            Parameter(name=k, value=v, units=ru, nonnegative=True, description=f"{k} loss rate")
            for k, v in rates.items()
        ),
        Parameter(name="p_a", value=_real("p_a", p_a), description="weight of a in z_a"),
        Parameter(name="p_b", value=_real("p_b", p_b), description="weight of b in z_b"),
        Parameter(name="pc_a", value=_real("pc_a", pc_a), description="weight of c in z_a"),
        Parameter(name="pc_b", value=_real("pc_b", pc_b), description="weight of c in z_b"),
        Parameter(name="E", value=_real("E", E), units=ru, description=f"drive amplitude on {dm}"),
        Parameter(
            name="omega_a",
            value=_real("omega_a", omega_a),
            units="[E]",
            description="energy quantum of a",
        ),
        Parameter(
            name="omega_b",
            value=_real("omega_b", omega_b),
            units="[E]",
            description="energy quantum of b",
        ),
        Parameter(
            name="omega_c",
            value=_real("omega_c", omega_c),
            units="[E]",
            description="energy quantum of c",
        ),
    )
    return Model(
        name="ep_battery",
        modes=(
            Mode(name="a", omega="omega_a"),
            Mode(name="b", omega="omega_b"),
            Mode(name="c", omega="omega_c"),
        ),
        hamiltonian=H,
        dissipators=tuple(diss),
        parameters=params,
        time_unit="[t]",
        energy_unit="[E]",
        description="charger a, battery b, auxiliary c with shared reservoirs (Ahmadi et al., Eq. (9))",
    )


# ------------------------------------------------------------------------------------------------
# seed 001: physical set of effective parameters
# ------------------------------------------------------------------------------------------------
def ep_physicality_violations(gamma_a: float, gamma_b: float) -> list[str]:
    r"""Conditions for :math:`(\gamma_a, \gamma_b)` to come from Eq. (9) with non-negative rates that
    the values violate (empty list: physical).  See the module docstring for the derivation."""
    out = []
    if gamma_a < 0:
        out.append(f"gamma_a >= 0 (got gamma_a = {gamma_a:g})")
    if gamma_b < 0:
        out.append(f"gamma_b >= 0 (got gamma_b = {gamma_b:g})")
    if gamma_a * gamma_b < 1:
        alpha = (gamma_a - gamma_b) / 2
        bound = (1 - gamma_b**2) / (2 * gamma_b) if gamma_b > 0 else math.inf
        out.append(
            f"gamma_a * gamma_b >= 1, i.e. alpha >= (1 - gamma_b^2)/(2 gamma_b) "
            f"(got gamma_a * gamma_b = {gamma_a * gamma_b:.6g}; alpha = {alpha:g} vs bound {bound:.6g})"
        )
    return out


def check_ep_physicality(gamma_a: float, gamma_b: float, *, stacklevel: int = 2) -> bool:
    """Warn with :class:`~collective.errors.PhysicalityWarning` naming each violated condition;
    return True when the parameters are physical."""
    bad = ep_physicality_violations(float(gamma_a), float(gamma_b))
    if bad:
        warnings.warn(
            "effective parameters outside the set the three-mode model Eq. (9) of Ahmadi et al. can "
            "produce with non-negative rates (the Hermitian part [[-gamma_a, 1], [1, -gamma_b]] of the "
            "normalised drift must be negative semidefinite); violated: "
            + "; ".join(bad)
            + ". Realising this drift needs incoherent gain (used here), and it is what allows "
            "the 'broken' (growing) phase.",
            PhysicalityWarning,
            stacklevel=stacklevel + 1,
        )
    return not bad


def ep_effective_parameters(model: Any = None, **values: float) -> dict[str, float]:
    r"""Normalised two-mode parameters of a three-mode :func:`ep_battery` model after adiabatic
    elimination of ``c`` (generic Schur complement of the drift,
    :func:`collective.linear.eliminate_numeric` / :meth:`LinearSystem.eliminate`).

    ``model`` is an :func:`ep_battery` model or its :class:`~collective.linear.LinearSystem`
    (``values`` override parameters); with no model, ``values`` are :func:`ep_battery` arguments.
    With :math:`M_\mathrm{eff}` the eliminated drift and :math:`g = \sqrt{M_{ab}M_{ba}}` (the
    effective coupling, :math:`\Gamma_\mathrm{eff}|\mu_{ca}\mu_{cb}|` of the paper), returns
    ``unit`` (:math:`g`), ``delta_r`` :math:`= -\mathrm{Im}M_{aa}/g`, ``delta_r_b``
    :math:`= \mathrm{Im}M_{bb}/g`, ``gamma_a`` :math:`= -\mathrm{Re}M_{aa}/g`, ``gamma_b``,
    ``alpha`` and ``E_r`` :math:`= |f_a|/g`, plus ``aux_rate`` :math:`=-\mathrm{Re}M_{cc}/g`
    (how much faster ``c`` relaxes).

    Raises
    ------
    ModelError
        When the effective coupling vanishes (some :math:`p` is zero): the normalisation of
        Eq. (18) is singular; when ``c`` cannot be eliminated (singular block).
    """
    from ..linear import LinearSystem, eliminate_numeric, linear_system

    if model is None:
        sysm = linear_system(ep_battery(**values))
        values = {}
    elif isinstance(model, LinearSystem):
        sysm = model
    elif isinstance(model, Model):
        sysm = linear_system(model)
    else:
        raise ModelError(
            f"`model` must be an ep_battery Model or LinearSystem, got {describe(model)}"
        )
    if tuple(sysm.modes) != ("a", "b", "c"):
        raise ModelError(
            f"`model` must have the modes ('a', 'b', 'c') of ep_battery, has {list(sysm.modes)}"
        )
    num = sysm.numeric(**values)
    M, f = eliminate_numeric(num.drift, num.drive, [2])
    g2 = M[0, 1] * M[1, 0]
    if abs(g2) < 1e-300:
        raise ModelError(
            "the effective charger-battery coupling vanishes (M_ab M_ba = 0: a weight p_a, p_b, pc_a "
            "or pc_b is zero); the normalised parameters of Eq. (18) are undefined"
        )
    g = np.sqrt(complex(g2))
    if abs(g.imag) > 1e-9 * abs(g) or g.real <= 0:
        raise ModelError(f"the effective coupling M_ab M_ba = {g2} is not a positive real number")
    g = float(g.real)
    return {
        "unit": g,
        "delta_r": float(-M[0, 0].imag / g),
        "delta_r_b": float(M[1, 1].imag / g),
        "gamma_a": float(-M[0, 0].real / g),
        "gamma_b": float(-M[1, 1].real / g),
        "alpha": float((-M[0, 0].real + M[1, 1].real) / (2 * g)),
        "E_r": float(abs(f[0]) / g),
        "aux_rate": float(-num.drift[2, 2].real / g),
    }


def ep_microscopic_parameters(
    delta_r: float, gamma_a: float, gamma_b: float, *, aux_rate: float = 100.0, E_r: float = 1.0
) -> dict[str, float]:
    r"""Non-negative rates of Eq. (9) (``convention="D"``) whose elimination gives the normalised
    ``(delta_r, gamma_a, gamma_b)`` with unit coupling, ``c`` relaxing at ``aux_rate`` (units of
    the coupling).

    Construction (:math:`\kappa_c = 0`, :math:`p_c^a = p_c^b = 1`, :math:`\Gamma` = ``aux_rate``):
    :math:`\Gamma_\mathrm{eff} = \Gamma/4`, coupling :math:`\Gamma p_a p_b/4 = 1`,
    :math:`\gamma_a = \kappa_a/2 + \Gamma p_a^2/4`, :math:`\gamma_b = \kappa_b/2 + \Gamma p_b^2/4`,
    with :math:`\Gamma p_a^2/4 = \sqrt{\gamma_a/\gamma_b}` (so :math:`\kappa_a, \kappa_b\ge0` iff
    :math:`\gamma_a\gamma_b\ge1`).  The elimination is exact as ``aux_rate`` :math:`\to\infty`.

    Raises
    ------
    ModelError
        If the target is outside the physical set (no non-negative rates produce it), or
        ``aux_rate < 1``.
    """
    ga, gb = _real("gamma_a", gamma_a), _real("gamma_b", gamma_b)
    bad = ep_physicality_violations(ga, gb)
    if bad:
        raise ModelError(
            f"no non-negative rates of Eq. (9) give gamma_a = {ga:g}, gamma_b = {gb:g}; violated: "
            + "; ".join(bad)
        )
    G = _real("aux_rate", aux_rate)
    if G < 1:
        raise ModelError(f"`aux_rate` must be >= 1 (c faster than the coupling), got {G!r}")
    ga0 = math.sqrt(ga / gb)
    gb0 = 1.0 / ga0
    return {
        "delta": _real("delta_r", delta_r),
        "delta_c": 0.0,
        "kappa_a": max(0.0, 2 * (ga - ga0)),
        "kappa_b": max(0.0, 2 * (gb - gb0)),
        "kappa_c": 0.0,
        "Gamma": G,
        "p_a": math.sqrt(4 * ga0 / G),
        "p_b": math.sqrt(4 * gb0 / G),
        "pc_a": 1.0,
        "pc_b": 1.0,
        "E": _real("E_r", E_r),
    }


# ------------------------------------------------------------------------------------------------
# seed 001: eliminated two-mode model
# ------------------------------------------------------------------------------------------------
def ep_battery_eliminated(
    *,
    delta_r: float = 0.0,
    gamma_a: float = 1.5,
    gamma_b: float = 1.5,
    E_r: float = 1.0,
    Gamma_eff: float = 1.0,
    omega_a: float = 1.0,
    omega_b: float = 1.0,
    drive_on: str = "a",
) -> Model:
    r"""Two-mode model with first-moment drift :math:`\Gamma_\mathrm{eff}(-i\mathbb H_r)`, Eq. (18).

    .. math::

        H = \Gamma_\mathrm{eff}\delta_r(a^\dagger a - b^\dagger b)
            + \Gamma_\mathrm{eff}\mathcal E_r(a + a^\dagger),\qquad
        \mathcal L = 2\Gamma_\mathrm{eff}\mathcal D[s a - b/s]
            + 2\Gamma_\mathrm{eff}(\gamma_a - s^2)\mathcal D[a]
            + 2\Gamma_\mathrm{eff}(\gamma_b - s^{-2})\mathcal D[b],

    with the numeric split :math:`s^2 = \sqrt{\gamma_a/\gamma_b}` (1 if either is not positive).
    The drift does not depend on :math:`s`:
    :math:`M = \Gamma_\mathrm{eff}\begin{pmatrix}-i\delta_r-\gamma_a & 1\\ 1 & i\delta_r-\gamma_b\end{pmatrix}`.
    For :math:`\gamma_a\gamma_b\ge1` all rates are non-negative (a passive model).  Outside that set
    (see :func:`ep_physicality_violations`) a :class:`~collective.errors.PhysicalityWarning` is
    issued and the missing damping is realised by incoherent gain
    :math:`2\Gamma_\mathrm{eff}(s^2-\gamma_a)\mathcal D[a^\dagger]` (same drift; second moments then
    carry gain noise, :math:`\langle b^\dagger b\rangle > |\langle b\rangle|^2`).

    The drive is that of Eq. (8), :math:`f = -i\Gamma_\mathrm{eff}\mathcal E_r`; Eq. (17) writes
    :math:`+\mathcal E_r`, i.e. our :math:`\langle b\rangle` is :math:`-i` times the paper's
    :math:`b(t)` and :math:`E_B = |b|^2` is identical.

    References
    ----------
    ``shared/papers/001_0303df5991573d7c.txt``: Eqs. (1)-(2), (17)-(18).
    """
    ga, gb = _real("gamma_a", gamma_a), _real("gamma_b", gamma_b)
    Ge = _rate("Gamma_eff", Gamma_eff, "effective coupling rate")
    if Ge == 0:
        raise ModelError("`Gamma_eff` must be > 0: it is the unit of the normalised parameters")
    physical = check_ep_physicality(ga, gb, stacklevel=2)
    s2 = math.sqrt(ga / gb) if ga > 0 and gb > 0 else 1.0
    modes = ("a", "b")
    dm = _drive_mode(drive_on, modes)
    G, dr, Er = param("Gamma_eff"), param("delta_r"), param("E_r")
    gA, gB = param("gamma_a"), param("gamma_b")
    # exact algebraic split (s * (1/s) = 1 and |s|^2 = s^2 exactly, so the drift has no round-off)
    S = (sp.Rational(ga) / sp.Rational(gb)) ** sp.Rational(1, 4) if ga > 0 and gb > 0 else sp.S.One
    S2 = S**2
    H = G * dr * (create("a") * destroy("a") - create("b") * destroy("b")) + G * Er * (
        create(dm) + destroy(dm)
    )
    diss = [
        Dissipator(
            jump=S * destroy("a") - (1 / S) * destroy("b"),
            rate=2 * G,
            label="effective dissipative coupling",
        )
    ]
    if ga * gb >= 1 or ga - s2 >= 0:
        diss.append(Dissipator(jump=destroy("a"), rate=2 * G * (gA - S2), label="residual loss a"))
    else:
        diss.append(
            Dissipator(jump=create("a"), rate=2 * G * (S2 - gA), label="gain a (unphysical set)")
        )
    if ga * gb >= 1 or gb - 1 / s2 >= 0:
        diss.append(
            Dissipator(jump=destroy("b"), rate=2 * G * (gB - 1 / S2), label="residual loss b")
        )
    else:
        diss.append(
            Dissipator(
                jump=create("b"), rate=2 * G * (1 / S2 - gB), label="gain b (unphysical set)"
            )
        )
    params = (
        Parameter(
            name="delta_r",
            value=_real("delta_r", delta_r),
            description="normalised detuning delta/Gamma_eff",
        ),
        Parameter(name="gamma_a", value=ga, description="normalised damping of a"),
        Parameter(name="gamma_b", value=gb, description="normalised damping of b"),
        Parameter(
            name="E_r", value=_real("E_r", E_r), description=f"normalised drive E/Gamma_eff on {dm}"
        ),
        Parameter(
            name="Gamma_eff",
            value=Ge,
            units="1/[t]",
            nonnegative=True,
            description="effective coupling (rate unit)",
        ),
        Parameter(
            name="omega_a",
            value=_real("omega_a", omega_a),
            units="[E]",
            description="energy quantum of a",
        ),
        Parameter(
            name="omega_b",
            value=_real("omega_b", omega_b),
            units="[E]",
            description="energy quantum of b",
        ),
    )
    return Model(
        name="ep_battery_eliminated",
        modes=(Mode(name="a", omega="omega_a"), Mode(name="b", omega="omega_b")),
        hamiltonian=H,
        dissipators=tuple(diss),
        parameters=params,
        time_unit="1/Gamma_eff",
        energy_unit="[E]",
        description="adiabatically eliminated EP battery, drift -i H_r (Ahmadi et al., Eq. (18))"
        + ("" if physical else " [outside the physical set: realised with gain]"),
    )


# ------------------------------------------------------------------------------------------------
# seed 003: nonreciprocal battery
# ------------------------------------------------------------------------------------------------
def nonreciprocal_battery(
    *,
    Gamma: float = 0.04,
    kappa_a: float = 0.003,
    kappa_b: float = 0.003,
    J: float | None = None,
    phi: float = math.pi / 2,
    epsilon: float = 0.1,
    Delta: float = 0.0,
    Delta_a: float = 0.0,
    omega: float = 1.0,
    keep_c: bool = False,
    gamma: float = 10.0,
    Delta_c: float = 0.0,
    g: float | None = None,
    drive_on: str = "a",
) -> Model:
    r"""Nonreciprocal charger-battery model of Lin et al. (rates in units of :math:`\omega`).

    Two-mode form (``keep_c=False``), the Lindblad form of Eqs. (2)-(5)/(19) with
    :math:`g_a = g_b` (so :math:`\Gamma_a=\Gamma_b=\Gamma`, :math:`G = 0` at :math:`\Delta_c = 0`):

    .. math::

        H = \Delta_a a^\dagger a + (\Delta_a+\Delta) b^\dagger b + J(a^\dagger b + a b^\dagger)
            + \varepsilon(a + a^\dagger),\qquad
        \mathcal L = \kappa_a\mathcal D[a] + \kappa_b\mathcal D[b] + \Gamma\mathcal D[e^{i\phi}a + b],

    whose drift is Eq. (19): :math:`\dot{\langle a\rangle} = (-i\Delta_a - \Lambda_a/2)\langle a\rangle
    + (-iJ - \tfrac\Gamma2 e^{-i\phi})\langle b\rangle - i\varepsilon`, etc.  Nonreciprocal
    (no back-action on ``a``) at :math:`J = \Gamma/2`, :math:`\phi=\pi/2` (default ``J = Gamma/2``).

    Three-mode form (``keep_c=True``), Eq. (1) with the non-Hermitian :math:`-i\gamma_m/2\,c^\dagger c`
    written as :math:`\gamma_m\mathcal D[c]`, :math:`\gamma_m = 2\gamma`:
    :math:`H \mathrel{+}= \Delta_c c^\dagger c + g(e^{i\phi}a c^\dagger + e^{-i\phi}a^\dagger c) + g(bc^\dagger + b^\dagger c)`.
    The default :math:`g = \sqrt{\Gamma\gamma/2}` makes the elimination of ``c`` reproduce the
    two-mode :math:`\Gamma` exactly (``c`` adds :math:`-g^2/\gamma = -\Gamma/2` to the drift).  The
    paper states :math:`\Gamma = g^2/\gamma` (App. A) and :math:`\Gamma = g^2/\gamma_m` (Sec. 5),
    which differ from this by factors 2 and 4: with those :math:`g` the three-mode model is *not*
    the model of Eq. (19).

    Rotating frame at the drive frequency :math:`\omega_L`; ``omega`` is the energy quantum in
    :math:`E_j = \omega\langle j^\dagger j\rangle`.

    References
    ----------
    ``shared/papers/003_31139ff55859365e.txt``: Eqs. (1)-(5), (13)-(15), (16)-(19).
    """
    rates = {
        "Gamma": _rate("Gamma", Gamma, "dissipative coupling rate"),
        "kappa_a": _rate("kappa_a", kappa_a, "local loss of the charger a"),
        "kappa_b": _rate("kappa_b", kappa_b, "local loss of the battery b"),
    }
    Jv = rates["Gamma"] / 2 if J is None else _real("J", J)
    modes = ("a", "b", "c") if keep_c else ("a", "b")
    dm = _drive_mode(drive_on, modes)
    a, ad, b, bd = destroy("a"), create("a"), destroy("b"), create("b")
    Da, Dl, Jp_, eps, ph = (
        param("Delta_a"),
        param("Delta"),
        param("J"),
        param("epsilon"),
        param("phi"),
    )
    H = (
        Da * ad * a
        + (Da + Dl) * bd * b
        + Jp_ * (ad * b + a * bd)
        + eps * (create(dm) + destroy(dm))
    )
    ru = "omega"
    params = [
        *(
            Parameter(name=k, value=v, units=ru, nonnegative=True, description=f"{k} rate")
            for k, v in rates.items()
        ),
        Parameter(name="J", value=Jv, units=ru, description="coherent charger-battery coupling"),
        Parameter(
            name="phi",
            value=_real("phi", phi),
            units="rad",
            description="phase of the dissipative coupling",
        ),
        Parameter(
            name="epsilon",
            value=_real("epsilon", epsilon),
            units=ru,
            description=f"drive amplitude on {dm}",
        ),
        Parameter(
            name="Delta",
            value=_real("Delta", Delta),
            units=ru,
            description="detuning Delta'_b - Delta'_a",
        ),
        Parameter(
            name="Delta_a",
            value=_real("Delta_a", Delta_a),
            units=ru,
            description="detuning Delta'_a of the charger",
        ),
        Parameter(
            name="omega",
            value=_real("omega", omega),
            units="omega",
            description="mode energy quantum",
        ),
    ]
    diss = [
        Dissipator(jump=a, rate=param("kappa_a"), label="local a"),
        Dissipator(jump=b, rate=param("kappa_b"), label="local b"),
    ]
    if keep_c:
        gam = _rate("gamma", gamma, "half-linewidth gamma_m/2 of the bad cavity c")
        if gam == 0:
            raise ModelError(
                "`gamma` must be > 0 when `keep_c` is True (the bad cavity must be lossy)"
            )
        gv = math.sqrt(rates["Gamma"] * gam / 2) if g is None else _real("g", g)
        c, cd = destroy("c"), create("c")
        gg = param("g")
        H = H + param("Delta_c") * cd * c
        H = (
            H
            + gg * (sp.exp(sp.I * ph) * a * cd + sp.exp(-sp.I * ph) * ad * c)
            + gg * (b * cd + bd * c)
        )
        diss.append(
            Dissipator(jump=c, rate=2 * param("gamma"), label="bad cavity c (gamma_m = 2 gamma)")
        )
        params += [
            Parameter(
                name="gamma",
                value=gam,
                units=ru,
                nonnegative=True,
                description="gamma = gamma_m/2 of c",
            ),
            Parameter(
                name="Delta_c",
                value=_real("Delta_c", Delta_c),
                units=ru,
                description="detuning of c",
            ),
            Parameter(name="g", value=gv, units=ru, description="coupling of a and b to c"),
        ]
        # Gamma is kept as a declared parameter (it sets the default g) but does not enter H or L
        diss_note = "three-mode"
    else:
        diss.append(
            Dissipator(
                jump=sp.exp(sp.I * ph) * a + b, rate=param("Gamma"), label="dissipative coupling"
            )
        )
        diss_note = "two-mode"
    return Model(
        name="nonreciprocal_battery",
        modes=tuple(Mode(name=m, omega="omega") for m in modes),
        hamiltonian=H,
        dissipators=tuple(diss),
        parameters=tuple(params),
        time_unit="1/omega",
        energy_unit="hbar*omega",
        description=f"nonreciprocal battery, {diss_note} (Lin et al., Eqs. (1)-(5))",
    )


# ------------------------------------------------------------------------------------------------
# registry
# ------------------------------------------------------------------------------------------------
register(
    PresetInfo(
        name="ep_battery",
        build=ep_battery,
        description="Charger a (driven), battery b, auxiliary c; local losses and shared reservoirs "
        "z_m = p_m m + p_c^m c (Ahmadi et al., Eq. (9)).",
        reference="shared/papers/001_0303df5991573d7c.txt, Eqs. (8)-(9)",
        args=(
            PresetArg(
                name="delta", default=0.0, units="1/[t]", description="detuning delta_a = -delta_b"
            ),
            PresetArg(name="delta_c", default=0.0, units="1/[t]", description="detuning of c"),
            PresetArg(name="kappa_a", default=0.1, units="1/[t]", description="local loss of a"),
            PresetArg(name="kappa_b", default=0.1, units="1/[t]", description="local loss of b"),
            PresetArg(name="kappa_c", default=10.0, units="1/[t]", description="local loss of c"),
            PresetArg(
                name="Gamma", default=4.0, units="1/[t]", description="shared-reservoir rate"
            ),
            PresetArg(name="p_a", default=1.0, description="weight of a in z_a"),
            PresetArg(name="p_b", default=1.0, description="weight of b in z_b"),
            PresetArg(name="pc_a", default=1.0, description="weight of c in z_a"),
            PresetArg(name="pc_b", default=1.0, description="weight of c in z_b"),
            PresetArg(name="E", default=0.01, units="1/[t]", description="drive amplitude"),
            PresetArg(name="omega_a", default=1.0, units="[E]", description="energy quantum of a"),
            PresetArg(name="omega_b", default=1.0, units="[E]", description="energy quantum of b"),
            PresetArg(name="omega_c", default=1.0, units="[E]", description="energy quantum of c"),
            PresetArg(name="drive_on", default="a", description="driven mode", structural=True),
            PresetArg(
                name="convention",
                default="D",
                description="D (Eq. 9 as printed) or L (= 2D, Eqs. 10-12)",
                structural=True,
            ),
        ),
    )
)

register(
    PresetInfo(
        name="ep_battery_eliminated",
        build=ep_battery_eliminated,
        description="Two-mode EP battery with normalised drift -i H_r of Eq. (18) (Ahmadi et al.); "
        "warns outside the physical set gamma_a gamma_b >= 1.",
        reference="shared/papers/001_0303df5991573d7c.txt, Eqs. (17)-(18)",
        args=(
            PresetArg(name="delta_r", default=0.0, description="normalised detuning"),
            PresetArg(name="gamma_a", default=1.5, description="normalised damping of a"),
            PresetArg(name="gamma_b", default=1.5, description="normalised damping of b"),
            PresetArg(name="E_r", default=1.0, description="normalised drive"),
            PresetArg(
                name="Gamma_eff",
                default=1.0,
                units="1/[t]",
                description="effective coupling (unit)",
            ),
            PresetArg(name="omega_a", default=1.0, units="[E]", description="energy quantum of a"),
            PresetArg(name="omega_b", default=1.0, units="[E]", description="energy quantum of b"),
            PresetArg(name="drive_on", default="a", description="driven mode", structural=True),
        ),
    )
)

register(
    PresetInfo(
        name="nonreciprocal_battery",
        build=nonreciprocal_battery,
        description="Charger a and battery b coupled coherently (J) and dissipatively (Gamma, phase "
        "phi) through a bad cavity, optionally kept as mode c (Lin et al., Eqs. (1)-(5)).",
        reference="shared/papers/003_31139ff55859365e.txt, Eqs. (1)-(5), (19)",
        args=(
            PresetArg(
                name="Gamma", default=0.04, units="omega", description="dissipative coupling"
            ),
            PresetArg(name="kappa_a", default=0.003, units="omega", description="local loss of a"),
            PresetArg(name="kappa_b", default=0.003, units="omega", description="local loss of b"),
            PresetArg(
                name="J",
                default=None,
                units="omega",
                description="coherent coupling (default Gamma/2)",
            ),
            PresetArg(name="phi", default=math.pi / 2, units="rad", description="coupling phase"),
            PresetArg(name="epsilon", default=0.1, units="omega", description="drive amplitude"),
            PresetArg(
                name="Delta", default=0.0, units="omega", description="detuning Delta'_b - Delta'_a"
            ),
            PresetArg(name="Delta_a", default=0.0, units="omega", description="charger detuning"),
            PresetArg(name="omega", default=1.0, units="omega", description="energy quantum"),
            PresetArg(
                name="keep_c", default=False, description="keep the bad cavity c", structural=True
            ),
            PresetArg(name="gamma", default=10.0, units="omega", description="gamma_m/2 of c"),
            PresetArg(name="Delta_c", default=0.0, units="omega", description="detuning of c"),
            PresetArg(
                name="g",
                default=None,
                units="omega",
                description="coupling to c (default sqrt(Gamma gamma/2))",
            ),
            PresetArg(name="drive_on", default="a", description="driven mode", structural=True),
        ),
    )
)
