"""collective: moment equations and exact solvers for open quantum systems of collective spin
ensembles and bosonic modes (quantum batteries).

Layers (dependencies point one way): algebra -> model -> cumulants -> lowering -> integrate ->
engine -> observables -> studies -> cli, with the exact Dicke-basis solvers (``collective.exact``)
built from the same model objects.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .algebra import Gen, Jm, Jp, Jz, Op, commutator, create, destroy
from .cumulants import Equations, Moment
from .engine import (
    Problem,
    SolverOptions,
    StopEvent,
    Trajectory,
    compile_model,
    derive,
    meanfield_seed,
    precompile,
    solve,
    sweep,
)
from .errors import (
    ClosureError,
    CollectiveError,
    CollectiveWarning,
    ConfigError,
    IntegrationError,
    MemoryEstimateError,
    ModelError,
    PhysicalityWarning,
)
from .exact import ExactResult, mesolve, steadystate
from .exact import evolve as exact_evolve
from .linear import (
    evolve_linear,
    exceptional_point,
    linear_system,
    phase_diagram,
    spectrum,
    steady_state_linear,
)
from .model import (
    Dissipator,
    Ensemble,
    InitialState,
    LocalDissipator,
    Mode,
    Model,
    Parameter,
    collective_pump,
    collective_reservoir,
    param,
)
from .observables import (
    average_power,
    charging_time,
    efficiency,
    ergotropy,
    exact_ergotropy,
    passive_energy,
    power,
    thermodynamics,
)
from .presets import (
    PRESETS,
    dias2024,
    ep_battery,
    ep_battery_eliminated,
    get_preset,
    noise_battery,
    noise_initial,
    nonreciprocal_battery,
)
from .studies import StudyConfig, load_config, parse_config, plan_study, read_netcdf, run_study

# fmt: off
__all__ = [
    "__version__",
    # errors
    "CollectiveError", "ModelError", "ClosureError", "IntegrationError", "ConfigError",
    "MemoryEstimateError", "CollectiveWarning", "PhysicalityWarning",
    # algebra
    "Gen", "Op", "Jp", "Jm", "Jz", "create", "destroy", "commutator",
    # model
    "Ensemble", "Mode", "Parameter", "Dissipator", "LocalDissipator", "Model", "InitialState",
    "param", "collective_reservoir", "collective_pump",
    # presets
    "PRESETS", "get_preset", "dias2024", "noise_battery", "noise_initial", "ep_battery",
    "ep_battery_eliminated", "nonreciprocal_battery",
    # cumulant engine
    "Moment", "Equations", "derive", "compile_model", "solve", "sweep", "Problem", "Trajectory",
    "SolverOptions",
    "StopEvent", "meanfield_seed", "precompile",
    # exact solvers
    "mesolve", "steadystate", "exact_evolve", "ExactResult",
    # linear bosonic models
    "linear_system", "spectrum", "exceptional_point", "phase_diagram", "evolve_linear",
    "steady_state_linear",
    # thermodynamics
    "ergotropy", "passive_energy", "exact_ergotropy", "power", "average_power", "efficiency",
    "charging_time", "thermodynamics",
    # studies
    "StudyConfig", "load_config", "parse_config", "plan_study", "run_study", "read_netcdf",
]
# fmt: on
