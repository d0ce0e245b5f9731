r"""Exact small-N solvers in the Dicke basis, on the same :class:`~collective.model.Model` object.

* collective-only ensembles: product of symmetric Dicke subspaces (one sector per conserved total
  spin; mixed product states decomposed over sectors), U(1) block reduction;
* ensembles with local (per-spin) decay, pumping or dephasing: permutation-invariant
  :math:`(j, m, m')` representation with Dicke multiplicities;
* bosonic modes: truncated Fock space (``Mode.cutoff``).

Public verbs: :func:`mesolve` (dataset), :func:`evolve` (result with states), :func:`steadystate`,
:func:`steady`, :func:`build_system` (the sparse Liouvillian itself).
"""

from ._dataset import moments_to_dataset
from ._dicke import ensemble_sectors, j_values, multiplicity, sector_factors
from ._liouvillian import ExactSystem, MemoryEstimate, build_system, default_memory_limit
from ._solve import ExactOptions, ExactResult, Sector, evolve, mesolve, steady, steadystate

__all__ = [
    # verbs
    "mesolve",
    "evolve",
    "steadystate",
    "steady",
    # results and options
    "ExactResult",
    "ExactOptions",
    "Sector",
    # building blocks
    "build_system",
    "ExactSystem",
    "MemoryEstimate",
    "default_memory_limit",
    "moments_to_dataset",
    "ensemble_sectors",
    "sector_factors",
    "j_values",
    "multiplicity",
]
