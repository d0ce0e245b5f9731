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
from .solve import SolverOptions, StopEvent, compile_model, derive, meanfield_seed, solve, sweep

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
]
