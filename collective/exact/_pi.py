r"""Per-spin (local) processes in the permutation-invariant Dicke representation.

A permutation-invariant state of :math:`N` spins is :math:`\rho = \bigoplus_j \rho_j \otimes
1_{d_j}`; :mod:`collective.exact` stores the *weighted* blocks :math:`\tilde\rho_j = d_j \rho_j`
(so :math:`\mathrm{tr}\,\rho = \sum_j \mathrm{tr}\,\tilde\rho_j` and no :math:`d_j \sim 2^N` ever
appears).  The sandwich part of a local dissipator, :math:`\sum_i s_i \rho\, s_i^\dagger` with
:math:`s \in \{\sigma^-, \sigma^+, \sigma^z\}`, maps block :math:`j` to blocks
:math:`J \in \{j - 1, j, j + 1\}`.  Splitting off the last spin (:math:`N` spins = spin
:math:`k` of the first :math:`N - 1` spins :math:`\otimes` spin 1/2) and using Schur's lemma,

.. math::

    (\tilde\rho'_J)_{MM'} = \sum_{k = J \pm 1/2,\ |k - j| = 1/2}
        \frac{N d_k^{(N-1)}}{d_j^{(N)}} \sum_{s,t,s',t'}
        C^{JM}_{k,M-s;\frac12 s} C^{JM'}_{k,M'-s';\frac12 s'}
        C^{jm}_{k,m-t;\frac12 t} C^{jm'}_{k,m'-t';\frac12 t'}
        \langle s|\,s\,|t\rangle \langle t'|\,s^\dagger|s'\rangle (\tilde\rho_j)_{mm'},

with :math:`m = M - s + t`, :math:`m' = M' - s' + t'`.  The anticommutator part
:math:`\sum_i s_i^\dagger s_i` is collective (:math:`N/2 \pm J^z` or :math:`N`) and is handled with
the collective terms.  This derivation is equivalent to the coefficients of Chase and Geremia (2008)
and of the PIQS library (Shammah et al. 2018), written here directly from Clebsch-Gordan algebra.

References
----------
.. [1] B. A. Chase and J. M. Geremia, Phys. Rev. A 78, 052101 (2008).
.. [2] N. Shammah, S. Ahmed, N. Lambert, S. De Liberato, F. Nori, "Open quantum systems with local
   and collective incoherent processes: Efficient numerical simulations using permutational
   invariance", Phys. Rev. A 98, 063815 (2018).
"""

from __future__ import annotations

import math

import numpy as np

from ._dicke import cg_half, log_multiplicity

__all__ = ["local_sandwich_coefficient", "LOCAL_SHIFT"]

#: shift of (m, m') under s_i rho s_i^+: decay lowers, pump raises, dephasing keeps
LOCAL_SHIFT = {"decay": -1, "pump": 1, "dephasing": 0}


def local_sandwich_coefficient(
    N: int, kind: str, J: float, j: float, M: np.ndarray, Mp: np.ndarray
) -> np.ndarray:
    r"""Coefficient of :math:`(\tilde\rho_j)_{m m'}` in :math:`(\sum_i s_i\rho s_i^\dagger)_{J, M M'}`
    with :math:`m = M - \delta`, :math:`m' = M' - \delta` (:math:`\delta` = :data:`LOCAL_SHIFT`).

    Vectorised over the target magnetic numbers ``M``, ``Mp``; zero where any index is out of
    range.  See the module docstring for the formula.
    """
    M = np.asarray(M, dtype=float)
    Mp = np.asarray(Mp, dtype=float)
    out = np.zeros(np.broadcast(M, Mp).shape)
    ldj = log_multiplicity(N, j)
    if not math.isfinite(ldj):
        return out
    for k in (J - 0.5, J + 0.5):
        if k < -1e-9 or abs(abs(k - j) - 0.5) > 1e-9:
            continue
        ldk = log_multiplicity(N - 1, k)
        if not math.isfinite(ldk):
            continue
        w = N * math.exp(ldk - ldj)
        if kind == "decay":  # <s|sigma^-|t>: s=-1/2, t=+1/2 ; <t'|sigma^+|s'>: t'=+1/2, s'=-1/2
            term = (
                cg_half(J, k, M, -0.5)
                * cg_half(J, k, Mp, -0.5)
                * cg_half(j, k, M + 1, 0.5)
                * cg_half(j, k, Mp + 1, 0.5)
            )
        elif kind == "pump":
            term = (
                cg_half(J, k, M, 0.5)
                * cg_half(J, k, Mp, 0.5)
                * cg_half(j, k, M - 1, -0.5)
                * cg_half(j, k, Mp - 1, -0.5)
            )
        elif kind == "dephasing":
            term = np.zeros_like(out)
            for s in (0.5, -0.5):
                for sp_ in (0.5, -0.5):
                    term = term + (4 * s * sp_) * (
                        cg_half(J, k, M, s)
                        * cg_half(J, k, Mp, sp_)
                        * cg_half(j, k, M, s)
                        * cg_half(j, k, Mp, sp_)
                    )
        else:  # pragma: no cover - LocalDissipator validates kinds
            raise ValueError(kind)
        out = out + w * term
    return out
