"""Dias, Wang, Nemoto, Nori, Munro (2024): one charger and m batteries in separate reservoirs.

Master equation, Eq. (4) of ``shared/papers/004_3737e21b5a1ad236.txt``::

    d rho/dt = gamma_down sum_k L[J_C^- + J_Bk^-] rho + gamma_up L[J_C^+] rho,
    L[O] rho = 2 O rho O^+ - O^+ O rho - rho O^+ O,

in the rotating frame (no Hamiltonian).  With ``nbar > 0`` each reservoir is thermal: lowering at
``gamma_down (nbar + 1)`` and raising at ``gamma_down nbar`` through ``J_C^+ + J_Bk^+``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..algebra import Jm, Jp
from ..errors import ModelError, describe
from ..model import Dissipator, Ensemble, Model, Parameter, collective_reservoir, param
from ._registry import PresetArg, PresetInfo, register

__all__ = ["dias2024", "battery_names"]


def battery_names(m: int) -> tuple[str, ...]:
    return tuple(f"B{k}" for k in range(1, m + 1))


def _per_battery(arg: str, value, m: int) -> list:
    if isinstance(value, (list, tuple)):
        if len(value) != m:
            raise ModelError(
                f"`{arg}` has {len(value)} entries for reservoirs={m}: give one per battery"
            )
        return list(value)
    return [value] * m


def dias2024(
    reservoirs: int = 1,
    N_C: int = 10_000_000,
    N_B: int | Sequence[int] = 100,
    gamma_down: float | Sequence[float] = 1.0,
    gamma_up: float = 0.0,
    nbar: float = 0.0,
) -> Model:
    """Charger ``C`` and batteries ``B1..Bm``, each battery sharing a reservoir with the charger.

    Parameters
    ----------
    reservoirs
        Number m of reservoirs (= batteries), >= 1.
    N_C, N_B
        Charger size; battery size (one value, or one per battery).
    gamma_down
        Collective decay rate of each reservoir (one value or one per battery), in the paper's
        L-convention (``L[O] = 2 D[O]``).
    gamma_up
        Incoherent collective pumping rate of the charger, ``gamma_up L[J_C^+]``.
    nbar
        Mean thermal occupation of every reservoir (0: zero temperature, Eq. (4)).

    References
    ----------
    Dias et al. (2024), Eq. (4); energy density Eq. (3).
    """
    if (
        isinstance(reservoirs, bool)
        or not isinstance(reservoirs, (int, float))
        or int(reservoirs) != reservoirs
        or reservoirs < 1
    ):
        raise ModelError(f"`reservoirs` must be an integer >= 1, got {describe(reservoirs)}")
    m = int(reservoirs)
    names = battery_names(m)
    sizes = _per_battery("N_B", N_B, m)
    rates = _per_battery("gamma_down", gamma_down, m)
    params = []
    if isinstance(gamma_down, (list, tuple)):
        rate_syms = []
        for name, g in zip(names, rates):
            params.append(
                Parameter(
                    name=f"gamma_down_{name}",
                    value=g,
                    units="1/[t]",
                    nonnegative=True,
                    description=f"collective decay rate of reservoir {name}",
                )
            )
            rate_syms.append(param(f"gamma_down_{name}"))
    else:
        params.append(
            Parameter(
                name="gamma_down",
                value=rates[0],
                units="1/[t]",
                nonnegative=True,
                description="collective decay rate of each reservoir",
            )
        )
        rate_syms = [param("gamma_down")] * m
    params.append(
        Parameter(
            name="gamma_up",
            value=gamma_up,
            units="1/[t]",
            nonnegative=True,
            description="collective pumping rate of the charger",
        )
    )
    params.append(
        Parameter(
            name="nbar",
            value=nbar,
            units="1",
            nonnegative=True,
            description="mean thermal occupation of each reservoir",
        )
    )
    # rates stay symbolic even at 0, so sweeps over gamma_up / nbar reuse one derivation
    nb = param("nbar")
    dissipators: list[Dissipator] = []
    for name, g in zip(names, rate_syms):
        dissipators += collective_reservoir(
            Jm("C") + Jm(name), g, nb, convention="L", label=f"reservoir {name}"
        )
    dissipators.append(
        Dissipator(jump=Jp("C"), rate=param("gamma_up"), convention="L", label="pump C")
    )
    return Model(
        name="dias2024",
        ensembles=(Ensemble(name="C", N=N_C),)
        + tuple(Ensemble(name=n, N=s) for n, s in zip(names, sizes)),
        dissipators=tuple(dissipators),
        parameters=tuple(params),
        time_unit="[t]",
        energy_unit="hbar*omega_0",
        description=f"charger + {m} batteries in separate reservoirs (Dias et al. 2024, Eq. (4))",
    )


register(
    PresetInfo(
        name="dias2024",
        build=dias2024,
        description="Charger C and m batteries B1..Bm, each in its own (thermal) reservoir shared "
        "with the charger, plus collective pumping of the charger (Dias et al. 2024, Eq. (4)).",
        reference="shared/papers/004_3737e21b5a1ad236.txt, Eq. (4)",
        args=(
            PresetArg(
                name="reservoirs",
                default=1,
                description="number of reservoirs/batteries m",
                structural=True,
            ),
            PresetArg(name="N_C", default=10_000_000, description="charger size"),
            PresetArg(name="N_B", default=100, description="battery size (each)"),
            PresetArg(
                name="gamma_down",
                default=1.0,
                units="1/[t]",
                description="collective decay rate per reservoir",
            ),
            PresetArg(
                name="gamma_up",
                default=0.0,
                units="1/[t]",
                description="collective pump rate on the charger",
            ),
            PresetArg(name="nbar", default=0.0, description="reservoir mean thermal occupation"),
        ),
    )
)
