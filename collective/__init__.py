"""collective: moment equations and exact solvers for open quantum systems of collective spin
ensembles and bosonic modes (quantum batteries).
"""

from __future__ import annotations

__version__ = "0.1.0"

# --- errors -------------------------------------------------------------------------------------
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

# --- algebra ------------------------------------------------------------------------------------
from .algebra import Gen, Op, Jm, Jp, Jz, commutator, create, destroy

# --- model --------------------------------------------------------------------------------------
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
from .presets import PRESETS, dias2024, get_preset

# --- cumulants, lowering, integration ---------------------------------------------------------
from .cumulants import Equations, Moment
from .engine import SolverOptions, StopEvent, compile_model, derive, meanfield_seed, solve, sweep

# --- bosonic ------------------------------------------------------------------------------------
from .linear import exceptional_point, linear_system, phase_diagram, spectrum, evolve_linear, steady_state_linear  # noqa: E501
from .presets.bosonic import ep_battery, ep_battery_eliminated, nonreciprocal_battery

# --- studies ------------------------------------------------------------------------------------
from .studies import StudyConfig, load_config, parse_config, plan_study, read_netcdf, run_study

# --- exact --------------------------------------------------------------------------------------
from .exact import ExactResult, evolve as exact_evolve, mesolve, steadystate

# --- thermodynamics -----------------------------------------------------------------------------
from .observables import average_power, charging_time, efficiency, ergotropy, exact_ergotropy, passive_energy, power, thermodynamics  # noqa: E501

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
    "PRESETS", "get_preset", "dias2024",
    # cumulant engine
    "Moment", "Equations", "derive", "compile_model", "solve", "sweep", "SolverOptions", "StopEvent",
    "meanfield_seed",
    # --- bosonic
    "linear_system", "spectrum", "exceptional_point", "phase_diagram", "evolve_linear",
    "steady_state_linear", "ep_battery", "ep_battery_eliminated", "nonreciprocal_battery",
    # --- studies
    "StudyConfig", "load_config", "parse_config", "plan_study", "run_study", "read_netcdf",
    # --- exact
    "mesolve", "steadystate", "exact_evolve", "ExactResult",
    # --- thermodynamics
    "ergotropy", "passive_energy", "exact_ergotropy", "power", "average_power", "efficiency",
    "charging_time", "thermodynamics",
]
