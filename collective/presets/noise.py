r"""Ahmadi et al. (seed 002): a drive-free battery charged by collective coupling to thermal noise.

Master equation (convention ``"D"``, rotating frame of :math:`H_B = \omega_0 J^z`, which commutes
with every term and is therefore dropped):

.. math::

    \dot\rho = f\gamma(\bar n + 1) D[J^-]\rho + f\gamma\bar n D[J^+]\rho
        + (1 - f)\sum_{i=1}^{N}\big[\gamma(\bar n_\ell + 1) D[\sigma_i^-]\rho
        + \gamma\bar n_\ell D[\sigma_i^+]\rho\big],

with :math:`f` the ``collective_fraction`` (convex mixture of collective and local dissipation) and
:math:`\bar n_\ell` the local bath occupation (default: the same bath, :math:`\bar n_\ell = \bar n`).

References
----------
``shared/papers/002_d20e1fddb201264b.txt`` (Ahmadi, Ravichandran, Mazurek, Barzanjeh, Horodecki,
"Harnessing environmental noise for quantum energy storage", abstract only: collective jumps
:math:`J_\pm` at rates :math:`\gamma(\bar n + 1)`, :math:`\gamma\bar n`; convex mixture with local
dissipation).
"""

from __future__ import annotations

import math

from ..algebra import Jm
from ..errors import ModelError, describe
from ..model import (
    Ensemble,
    InitialState,
    LocalDissipator,
    Model,
    Parameter,
    collective_reservoir,
    param,
)
from ._registry import PresetArg, PresetInfo, register

__all__ = ["noise_battery", "noise_initial", "INITIAL_KINDS"]

INITIAL_KINDS = ("ground", "thermal", "excited")


def _number(arg: str, value, *, low: float = 0.0, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ModelError(
            f"`{arg}` must be a finite real number in [{low}, {high}], got {describe(value)}"
        )
    if not low <= value <= high:
        raise ModelError(f"`{arg}` must lie in [{low}, {high}], got {value!r}")
    return float(value)


def noise_battery(
    N: int = 10,
    gamma: float = 1.0,
    nbar: float = 1.0,
    collective_fraction: float = 1.0,
    nbar_local: float | None = None,
    local: bool | None = None,
) -> Model:
    r"""``N`` two-level cells (ensemble ``"B"``) coupled collectively to one thermal reservoir,
    optionally mixed with local thermal dissipation.

    Parameters
    ----------
    N
        Number of cells.
    gamma
        Total dissipation rate :math:`\gamma` (units 1/[t]).
    nbar
        Mean thermal occupation :math:`\bar n` of the reservoir (>= 0).
    collective_fraction
        Weight :math:`f \in [0, 1]` of the collective channel; local channels get :math:`1 - f`.
    nbar_local
        Occupation :math:`\bar n_\ell` of the local baths (default ``None``: the same bath,
        :math:`\bar n_\ell = \bar n`).
    local
        Include the local terms (structural: it selects the permutation-invariant exact basis).
        Default ``None``: include them when ``collective_fraction < 1``.  Rates stay symbolic, so a
        model built with ``local=True`` can be swept over ``collective_fraction`` including 1.

    Returns
    -------
    Model
        Parameters ``gamma``, ``nbar``, ``collective_fraction`` (and ``nbar_local`` when given).

    References
    ----------
    Ahmadi et al., ``shared/papers/002_d20e1fddb201264b.txt`` (abstract): collective jumps
    :math:`J_\pm` at rates :math:`\gamma(\bar n + 1)`, :math:`\gamma \bar n`.
    """
    if isinstance(N, bool) or not isinstance(N, (int, float)) or int(N) != N or N < 1:
        raise ModelError(f"`N` must be an integer >= 1, got {describe(N)}")
    gamma = _number("gamma", gamma)
    nbar = _number("nbar", nbar)
    f = _number("collective_fraction", collective_fraction, high=1.0)
    if local is None:
        local = f < 1.0
    if not isinstance(local, bool):
        raise ModelError(f"`local` must be True, False or None, got {describe(local)}")
    if not local and f < 1.0:
        raise ModelError(
            f"`local`=False needs `collective_fraction` = 1 (got {f!r}): the local weight 1 - f "
            "would be silently dropped"
        )
    g, nb, fs = param("gamma"), param("nbar"), param("collective_fraction")
    params = [
        Parameter(
            name="gamma",
            value=gamma,
            units="1/[t]",
            nonnegative=True,
            description="total dissipation rate",
        ),
        Parameter(
            name="nbar",
            value=nbar,
            units="1",
            nonnegative=True,
            description="mean thermal occupation of the reservoir",
        ),
        Parameter(
            name="collective_fraction",
            value=f,
            units="1",
            nonnegative=True,
            description="weight f of the collective channel (local: 1 - f)",
        ),
    ]
    nl = nb
    if nbar_local is not None:
        params.append(
            Parameter(
                name="nbar_local",
                value=_number("nbar_local", nbar_local),
                units="1",
                nonnegative=True,
                description="mean thermal occupation of the local baths",
            )
        )
        nl = param("nbar_local")
    dissipators = collective_reservoir(Jm("B"), fs * g, nb, label="collective bath")
    locs: tuple[LocalDissipator, ...] = ()
    if local:
        locs = (
            LocalDissipator(
                ensemble="B", kind="decay", rate=(1 - fs) * g * (nl + 1), label="local bath down"
            ),
            LocalDissipator(
                ensemble="B", kind="pump", rate=(1 - fs) * g * nl, label="local bath up"
            ),
        )
    return Model(
        name="noise_battery",
        ensembles=(Ensemble(name="B", N=int(N)),),
        dissipators=dissipators,
        local_dissipators=locs,
        parameters=tuple(params),
        time_unit="1/gamma",
        energy_unit="hbar*omega_0",
        description="N cells, collective (+ local) thermal dissipation, no drive (Ahmadi et al., seed 002)",
    )


def noise_initial(kind: str = "ground", nbar: float = 0.0) -> InitialState:
    r"""Product initial states of the noise-powered battery.

    ``"ground"`` (every cell in :math:`|g\rangle`), ``"excited"`` (every cell in :math:`|e\rangle`) or
    ``"thermal"`` at occupation ``nbar``: excited with probability :math:`\bar n/(2\bar n + 1)`,
    i.e. the Gibbs state of :math:`\omega_0\sigma^z/2` at the bath temperature.
    """
    if kind not in INITIAL_KINDS:
        raise ModelError(f"`kind` must be one of {INITIAL_KINDS}, got {describe(kind)}")
    if kind == "ground":
        return InitialState(spins={"B": (0.0, 0.0, -1.0)})
    if kind == "excited":
        return InitialState(spins={"B": (0.0, 0.0, 1.0)})
    nbar = _number("nbar", nbar)
    return InitialState(spins={"B": (0.0, 0.0, -1.0 / (2.0 * nbar + 1.0))})


register(
    PresetInfo(
        name="noise_battery",
        build=noise_battery,
        description="Drive-free battery: N cells collectively coupled to one thermal reservoir, "
        "optionally mixed with local thermal dissipation (Ahmadi et al., seed 002).",
        reference="shared/papers/002_d20e1fddb201264b.txt (abstract)",
        args=(
            PresetArg(name="N", default=10, description="number of cells"),
            PresetArg(
                name="gamma", default=1.0, units="1/[t]", description="total dissipation rate"
            ),
            PresetArg(name="nbar", default=1.0, description="reservoir mean thermal occupation"),
            PresetArg(
                name="collective_fraction",
                default=1.0,
                description="weight of the collective channel (local: 1 - f)",
            ),
            PresetArg(
                name="nbar_local",
                default=None,
                description="local bath occupation (None: nbar)",
                structural=True,
            ),
            PresetArg(
                name="local",
                default=None,
                description="include local terms (None: if f < 1)",
                structural=True,
            ),
        ),
    )
)
