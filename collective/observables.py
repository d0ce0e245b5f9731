r"""Battery thermodynamics: energy, power, charging time, efficiency and ergotropy.

Energies are measured from the ground state of :math:`H_B = \hbar\omega_0 \sum_\mu J^z_\mu`:
:math:`E_\mu = \hbar\omega_0(\langle J^z_\mu\rangle + N_\mu/2) = N_\mu\hbar\omega_0\,
\mathcal E_\mu` (Dias et al. 2024, Eq. (3)), in units of ``hbar*omega_0``.

Ergotropy
---------
For a state :math:`\rho` with eigenvalues :math:`r_1 \ge r_2 \ge \dots` and a Hamiltonian with
levels :math:`\epsilon_1 \le \epsilon_2 \le \dots` (each repeated by its degeneracy), the passive
state is :math:`\sigma = \sum_k r_k |\epsilon_k\rangle\langle\epsilon_k|` and

.. math::

    \mathcal W(\rho) = \mathrm{tr}(\rho H) - \sum_k r_k \epsilon_k \;\ge 0

(Allahverdyan, Balian, Nieuwenhuizen 2004, Eq. (7)).  A permutation-invariant state of one
ensemble of :math:`N` spins is :math:`\rho = \bigoplus_j \rho_j \otimes 1_{d_j}` (Schur-Weyl), so
each eigenvalue :math:`\lambda` of :math:`\rho_j` occurs :math:`d_j` times (Dicke multiplicity,
Chase and Geremia 2008, Eq. (9)), while :math:`H = \hbar\omega_0 (J^z + N/2)` has levels
:math:`k = 0..N` with degeneracy :math:`\binom{N}{k}`.  :func:`passive_energy` sorts the groups
:math:`(\lambda, d_j)` and fills the levels in order with exact integer slot counts, so the cost is
:math:`O(G \log G + G \log N)` for :math:`G = \sum_j (2j + 1)` populated groups and no
:math:`2^N` array is ever formed (``N = 10^4`` with the symmetric sector only takes milliseconds).

References
----------
.. [1] A. E. Allahverdyan, R. Balian, T. M. Nieuwenhuizen, "Maximal work extraction from finite
   quantum systems", EPL 67, 565 (2004), Eq. (7).
.. [2] B. A. Chase and J. M. Geremia, Phys. Rev. A 78, 052101 (2008), Eq. (9).
.. [3] J. Dias et al. (2024), ``shared/papers/004_3737e21b5a1ad236.txt``, Eqs. (3)-(4).
.. [4] B. Ahmadi et al., ``shared/papers/002_d20e1fddb201264b.txt`` (abstract).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import xarray as xr

from .algebra import Gen
from .errors import ModelError, describe
from .model import InitialState, Model

__all__ = [
    "block_energy",
    "passive_energy",
    "ergotropy",
    "passive_energy_spectrum",
    "exact_energy_rate",
    "exact_dataset",
    "exact_ergotropy",
    "reduced_blocks",
    "power",
    "average_power",
    "efficiency",
    "charging_time",
    "thermodynamics",
]

TRACE_ATOL = 1e-6  # accepted deviation of tr(rho) from 1 in ergotropy inputs
Blocks = Mapping[float, tuple[int, np.ndarray]]


# --------------------------------------------------------------------------------------------------
# ergotropy
# --------------------------------------------------------------------------------------------------
@lru_cache(maxsize=16)
def _levels(N: int) -> tuple[list[int], list[int]]:
    """Exact slot counts ``C[k] = sum_{i<k} binom(N, i)`` and energies ``S[k] = sum_{i<k} i binom(N, i)``."""
    C, S, b = [0], [0], 1
    for k in range(N + 1):
        C.append(C[-1] + b)
        S.append(S[-1] + k * b)
        b = b * (N - k) // (k + 1)
    return C, S


def _fill(n: int, C: list[int], S: list[int], N: int) -> int:
    """Total energy (units hbar omega_0) of the ``n`` lowest levels of ``N`` spins (exact integer)."""
    k = min(bisect_right(C, n) - 1, N)
    return S[k] + k * (n - C[k])


def _check_N(N: Any) -> int:
    if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or N < 1:
        raise ModelError(f"`N` must be a positive integer (number of spins), got {describe(N)}")
    return int(N)


def _groups(blocks: Blocks, N: int, weighted: bool) -> tuple[list[tuple[float, float, int]], float]:
    """``[(log eigenvalue, group weight d_j * eigenvalue, d_j)]`` and the energy tr(rho H)."""
    from .exact import multiplicity

    if not isinstance(blocks, Mapping) or not blocks:
        raise ModelError(
            f"`state` must be a non-empty mapping {{j: (d_j, rho_j)}} (as from "
            f"ExactResult.reduced_states), got {describe(blocks)}"
        )
    groups: list[tuple[float, float, int]] = []
    energy = 0.0
    trace = 0.0
    for j, item in blocks.items():
        try:
            d, mat = item
        except (TypeError, ValueError) as exc:
            raise ModelError(
                f"`state[{j!r}]` must be a pair (d_j, rho_j), got {describe(item)}"
            ) from exc
        dj = multiplicity(N, float(j))
        if dj == 0 or int(d) != dj:
            raise ModelError(
                f"`state[{j!r}]` has multiplicity {describe(d)}, but j = {j!r} of N = {N} spins has "
                f"d_j = {dj} (valid j: N/2, N/2 - 1, ..., {N % 2 / 2})"
            )
        mat = np.asarray(mat)
        dim = int(round(2 * float(j))) + 1
        if mat.shape == (dim,):  # the diagonal of a block that is diagonal in the Dicke basis
            mat = np.diag(mat) if dim <= 64 else mat
        elif mat.shape != (dim, dim):
            raise ModelError(
                f"`state[{j!r}]` must be a {dim}x{dim} matrix (2j + 1) or its diagonal of length {dim} "
                f"(diagonal blocks), got shape {mat.shape}"
            )
        if mat.ndim == 1:
            diag = np.real(mat) if weighted else np.real(mat) * float(dj)
            energy += float(np.dot(np.arange(dim) + (N / 2.0 - float(j)), diag))
            trace += float(diag.sum())
            logd = math.log(dj)
            for x in diag.tolist():
                groups.append((math.log(x) - logd if x > 0 else -math.inf, x, dj))
            continue
        # weighted block d_j rho_j (exact for d_j = 1; float d_j only when the caller gave rho_j)
        wmat = mat if weighted else mat * float(dj)
        diag = np.real(np.diagonal(wmat))
        offdiag = wmat - np.diag(np.diagonal(wmat))
        if np.any(offdiag != 0):
            w = np.linalg.eigvalsh((wmat + wmat.conj().T) / 2)
        else:
            w = diag
        exc_number = np.arange(dim) + (N / 2.0 - float(j))  # n + N/2 - j excitations
        energy += float(np.dot(exc_number, diag))
        trace += float(diag.sum())
        logd = math.log(dj)
        for x in w.tolist():
            lx = math.log(x) - logd if x > 0 else -math.inf
            groups.append((lx, x, dj))
    if abs(trace - 1.0) > TRACE_ATOL:
        raise ModelError(
            f"`state` has trace {trace!r}; a normalised state (trace 1 within {TRACE_ATOL}) is required"
            + ("" if weighted else " (pass `weighted=True` if the blocks are d_j rho_j)")
        )
    return groups, energy


def block_energy(state: Blocks, *, N: int, weighted: bool = False) -> float:
    r"""Energy :math:`\mathrm{tr}(\rho H)/\hbar\omega_0` above the ground state,
    :math:`H = \hbar\omega_0(J^z + N/2)`, of a block state ``{j: (d_j, rho_j)}``.

    Parameters
    ----------
    state
        ``{j: (d_j, rho_j)}`` in the basis :math:`n = j + m` (as from
        :meth:`collective.exact.ExactResult.reduced_states`); ``weighted=True`` if the matrices are
        :math:`d_j\rho_j`.
    N
        Number of spins.

    References
    ----------
    Dias et al. (2024), Eq. (3).
    """
    return _groups(state, _check_N(N), weighted)[1]


def passive_energy(state: Blocks, *, N: int, weighted: bool = False) -> float:
    r"""Energy of the passive state of a permutation-invariant state of ``N`` spins.

    .. math::

        E_p = \sum_k r_k \epsilon_k, \qquad r_1 \ge r_2 \ge \dots, \quad
        \epsilon_1 \le \epsilon_2 \le \dots

    where the :math:`r_k` are the eigenvalues of every :math:`\rho_j` repeated :math:`d_j` times
    and the :math:`\epsilon_k \in \{0, \dots, N\}` are repeated :math:`\binom{N}{\epsilon}` times.
    Each group :math:`(\lambda, d_j)` occupies a contiguous range of slots :math:`[c, c + d_j)`
    and contributes :math:`d_j\lambda \cdot [F(c + d_j) - F(c)]/d_j` with :math:`F(n)` the exact
    integer energy of the lowest :math:`n` slots.

    Parameters
    ----------
    state, N, weighted
        See :func:`block_energy`.

    References
    ----------
    Allahverdyan, Balian, Nieuwenhuizen, EPL 67, 565 (2004), Eq. (7); Chase and Geremia (2008),
    Eq. (9) for :math:`d_j`.
    """
    N = _check_N(N)
    groups, _ = _groups(state, N, weighted)
    return _passive_from_groups(groups, N)


def _passive_from_groups(groups: list[tuple[float, float, int]], N: int) -> float:
    C, S = _levels(N)
    groups.sort(key=lambda g: -g[0])
    c, Fc, total = 0, 0, 0.0
    for _, w, d in groups:
        Fn = _fill(c + d, C, S, N)
        if w != 0.0:
            total += w * ((Fn - Fc) / d)
        c, Fc = c + d, Fn
    return total


def passive_energy_spectrum(eigenvalues: Any, energies: Any) -> float:
    r"""Passive energy from full spectra: :math:`E_p = \sum_k r_k^\downarrow \epsilon_k^\uparrow`
    (eigenvalues of the state in decreasing order against levels in increasing order).

    Parameters
    ----------
    eigenvalues
        All eigenvalues of :math:`\rho` (length = Hilbert-space dimension).
    energies
        All eigenvalues of :math:`H` (same length).

    Returns
    -------
    float
        The passive energy :math:`\sum_k r_k^\downarrow\epsilon_k^\uparrow`.

    References
    ----------
    Allahverdyan, Balian, Nieuwenhuizen, EPL 67, 565 (2004), Eq. (7).
    """
    r = np.sort(np.real(np.asarray(eigenvalues, dtype=complex)).ravel())[::-1]
    e = np.sort(np.asarray(energies, dtype=float).ravel())
    if r.shape != e.shape:
        raise ModelError(
            f"`eigenvalues` ({r.size}) and `energies` ({e.size}) must have the same length "
            "(the Hilbert-space dimension)"
        )
    return float(np.dot(r, e))


def _full_ergotropy(rho: np.ndarray, hamiltonian: Any) -> float:
    dim = rho.shape[0]
    if rho.ndim != 2 or rho.shape != (dim, dim):
        raise ModelError(f"`state` must be a square matrix, got shape {rho.shape}")
    if hamiltonian is None:
        N = int(round(math.log2(dim)))
        if 2**N != dim:
            raise ModelError(
                f"`state` of dimension {dim} is not 2^N: give `hamiltonian` (matrix or its diagonal)"
            )
        idx = np.arange(dim)
        H = np.array([bin(i).count("1") for i in idx], dtype=float)  # bit 1 = excited
    else:
        H = np.asarray(hamiltonian)
    rho_h = (rho + rho.conj().T) / 2
    if H.ndim == 1:
        if H.shape != (dim,):
            raise ModelError(f"`hamiltonian` diagonal must have length {dim}, got {H.shape}")
        energy = float(np.real(np.dot(np.diagonal(rho_h), H)))
        levels = H
    else:
        if H.shape != (dim, dim):
            raise ModelError(f"`hamiltonian` must be {dim}x{dim}, got {H.shape}")
        energy = float(np.real(np.trace(rho_h @ H)))
        levels = np.linalg.eigvalsh((H + H.conj().T) / 2)
    return energy - passive_energy_spectrum(np.linalg.eigvalsh(rho_h), levels)


def ergotropy(
    state: Blocks | np.ndarray,
    *,
    N: int | None = None,
    weighted: bool = False,
    hamiltonian: Any = None,
) -> float:
    r"""Ergotropy :math:`\mathcal W = \mathrm{tr}(\rho H) - \mathrm{tr}(\sigma_\rho H)` in units of
    :math:`\hbar\omega_0`.

    Parameters
    ----------
    state
        Either a block state ``{j: (d_j, rho_j)}`` of ``N`` spins (from
        :meth:`collective.exact.ExactResult.reduced_states`; the full Hilbert space
        :math:`(\mathbb C^2)^{\otimes N}` is accounted for through the multiplicities, with
        :math:`H = J^z + N/2`), or a dense density matrix in a full Hilbert space.
    N
        Number of spins (block states only).
    weighted
        The block matrices are :math:`d_j\rho_j` (block states only).
    hamiltonian
        Dense states only: the Hamiltonian matrix or its diagonal.  Default: :math:`N` qubits in
        the computational basis with bit value 1 = excited, :math:`H = \sum_i |1\rangle\langle 1|_i`.

    Returns
    -------
    float
        :math:`0 \le \mathcal W \le \mathrm{tr}(\rho H) - \epsilon_{\min}` (up to rounding).

    References
    ----------
    Allahverdyan, Balian, Nieuwenhuizen, EPL 67, 565 (2004), Eq. (7); Chase and Geremia (2008).
    """
    if isinstance(state, Mapping):
        if N is None:
            raise ModelError(
                "`N` is required for a block state {j: (d_j, rho_j)}: give the number of spins"
            )
        if hamiltonian is not None:
            raise ModelError(
                "`hamiltonian` applies to dense states only; block states use H = J^z + N/2"
            )
        N = _check_N(N)
        groups, energy = _groups(state, N, weighted)
        return energy - _passive_from_groups(groups, N)
    if isinstance(state, np.ndarray):
        if weighted or N is not None:
            raise ModelError(
                "`N` and `weighted` apply to block states only; a dense `state` uses `hamiltonian`"
            )
        return _full_ergotropy(state, hamiltonian)
    raise ModelError(
        f"`state` must be a block state {{j: (d_j, rho_j)}} or a dense matrix, got {describe(state)}"
    )


# --------------------------------------------------------------------------------------------------
# exact results
# --------------------------------------------------------------------------------------------------
def _need_states(result: Any) -> None:
    from .exact import ExactResult

    if not isinstance(result, ExactResult):
        raise ModelError(f"`result` must be a collective.exact.ExactResult, got {describe(result)}")
    if any(s.states is None for s in result.sectors):
        raise ModelError("`result` has no stored states: call `evolve(..., store_states=True)`")


def exact_energy_rate(result: Any) -> np.ndarray:
    r""":math:`d\langle J^z_\mu\rangle/dt = \mathrm{tr}(J^z_\mu \mathcal L\rho)` at every output time
    of an exact result, from the Liouvillian itself (not by differences of saved states).

    Returns an array of shape ``(n_times, n_ensembles)``; needs ``store_states=True``.

    References
    ----------
    Dias et al. (2024), Eq. (4).
    """
    _need_states(result)
    model = result.model
    out = np.zeros((result.sectors[0].states.shape[0], len(model.ensembles)))
    for s in result.sectors:
        dY = (s.system.L @ s.states.T).T
        for k, e in enumerate(model.ensemble_names):
            f = s.system.functional((Gen("Jz", e),))
            out[:, k] += s.weight * np.real(dY @ f)
    return out


def exact_dataset(result: Any) -> xr.Dataset:
    """:meth:`ExactResult.to_dataset` plus ``energy_rate`` (from :func:`exact_energy_rate`) and the
    ``N`` coordinate, so that :func:`thermodynamics` applies as to a cumulant dataset."""
    _need_states(result)
    model = result.model
    ds = result.to_dataset()
    sizes = np.array([e.N for e in model.ensembles], dtype=float)
    rate = exact_energy_rate(result) / sizes
    dims = ("ensemble",) if result.times is None else ("time", "ensemble")
    ds["energy_rate"] = (
        dims,
        rate[0] if result.times is None else rate,
        {
            "long_name": "rate of change of the energy density (from the Liouvillian)",
            "units": f"1/({model.time_unit})",
        },
    )
    ds = ds.assign_coords(N=("ensemble", sizes, {"long_name": "ensemble size", "units": "1"}))
    ds.attrs["energy_unit"] = model.energy_unit
    return ds


def reduced_blocks(
    result: Any, ensemble: str, time_index: int = 0
) -> dict[float, tuple[int, np.ndarray]]:
    r"""Reduced state of one ensemble at one output time, as weighted blocks
    ``{j: (d_j, d_j rho_j)}``, built sparsely: a block that is diagonal in the Dicke basis (every
    steady state of a U(1)-invariant model) is returned as its diagonal (length :math:`2j + 1`),
    so :math:`N = 10^4` costs :math:`O(N)` memory.  Otherwise the same as
    :meth:`collective.exact.ExactResult.reduced_states` with ``weighted=True``.

    References
    ----------
    Chase and Geremia (2008); Shammah et al. (2018).
    """
    from .exact import multiplicity

    _need_states(result)
    model = result.model
    if ensemble not in model.ensemble_names:
        raise ModelError(
            f"`ensemble` must be one of {list(model.ensemble_names)}, got {describe(ensemble)}"
        )
    nt = result.sectors[0].states.shape[0]
    if not isinstance(time_index, (int, np.integer)) or not -nt <= time_index < nt:
        raise ModelError(
            f"`time_index` must be an integer in [{-nt}, {nt}), got {describe(time_index)}"
        )
    N = model.ensemble(ensemble).N
    acc: dict[float, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    for sec in result.sectors:
        system = sec.system
        s = system.pos[ensemble]
        others = [i for i in range(len(system.spaces)) if i != s]
        y = sec.states[time_index]
        for blk in system.blocks:
            if blk.size == 0:
                continue
            mask = np.all(blk.nk[:, others] == blk.nb[:, others], axis=1)
            idx = np.nonzero(mask)[0]
            acc.setdefault(float(blk.jvec[s]), []).append(
                (blk.nk[idx, s], blk.nb[idx, s], sec.weight * y[blk.offset + idx])
            )
    out: dict[float, tuple[int, np.ndarray]] = {}
    for j in sorted(acc, reverse=True):
        dim = int(round(2 * j)) + 1
        r = np.concatenate([a for a, _, _ in acc[j]])
        c = np.concatenate([b for _, b, _ in acc[j]])
        v = np.concatenate([x for _, _, x in acc[j]])
        if np.all(r == c) or not np.any(v[r != c]):
            diag = np.zeros(dim, dtype=v.dtype)
            np.add.at(diag, r[r == c], v[r == c])
            mat = np.real(diag) if np.all(np.imag(diag) == 0) else diag
        else:
            mat = np.zeros((dim, dim), dtype=complex)
            np.add.at(mat, (r, c), v)
        out[j] = (multiplicity(N, j), mat)
    return out


def exact_ergotropy(result: Any, ensemble: str) -> xr.Dataset:
    r"""Energy, passive energy and ergotropy of one ensemble's reduced state at every output time
    of an exact result (e.g. one battery of the Dias model: the charger is traced out).

    Returns a dataset with ``energy``, ``passive_energy`` and ``ergotropy`` (units of the model's
    ``energy_unit``) over ``time`` (no time dimension for a steady state).

    References
    ----------
    Allahverdyan et al. (2004), Eq. (7); Ahmadi et al. (seed 002); Dias et al. (2024), Eq. (3).
    """
    _need_states(result)
    model = result.model
    N = model.ensemble(ensemble).N
    rows = []
    nt = result.sectors[0].states.shape[0]
    for it in range(nt):
        blocks = reduced_blocks(result, ensemble, it)
        groups, energy = _groups(blocks, N, True)
        rows.append((energy, _passive_from_groups(groups, N)))
    arr = np.array(rows)
    eu = model.energy_unit
    dims: tuple[str, ...] = ("time",)
    coords: dict[str, Any] = {}
    if result.times is None:
        arr, dims = arr[0], ()
    else:
        coords["time"] = ("time", result.times, {"long_name": "time", "units": model.time_unit})
    return xr.Dataset(
        {
            "energy": (
                dims,
                arr[..., 0],
                {"long_name": f"energy of {ensemble} above its ground state", "units": eu},
            ),
            "passive_energy": (
                dims,
                arr[..., 1],
                {"long_name": f"passive-state energy of {ensemble}", "units": eu},
            ),
            "ergotropy": (
                dims,
                arr[..., 0] - arr[..., 1],
                {"long_name": f"ergotropy of {ensemble}", "units": eu},
            ),
        },
        coords=coords,
        attrs={"ensemble": ensemble, "N": N},
    )


# --------------------------------------------------------------------------------------------------
# datasets: power, efficiency, charging time
# --------------------------------------------------------------------------------------------------
def _sizes(ds: xr.Dataset) -> xr.DataArray:
    if "N" in ds.coords or "N" in ds:
        return ds["N"]
    raise ModelError(
        "`ds` has no `N` (ensemble size) coordinate: use a dataset from collective.solve/sweep or "
        "collective.observables.exact_dataset"
    )


def _units(ds: xr.Dataset, energy_unit: str | None) -> tuple[str, str]:
    eu = energy_unit or ds.attrs.get("energy_unit", "hbar*omega_0")
    tu = ds["time"].attrs.get("units", "1") if "time" in ds.coords else "1"
    return eu, tu


def _check_names(ds: xr.Dataset, arg: str, names: Sequence[str]) -> list[str]:
    valid = [str(e) for e in ds["ensemble"].values]
    names = [names] if isinstance(names, str) else list(names)
    bad = [n for n in names if n not in valid]
    if bad or not names:
        raise ModelError(
            f"`{arg}` must name ensembles of the dataset {valid}, got {describe(names)}"
        )
    return names


def power(ds: xr.Dataset, *, energy_unit: str | None = None) -> xr.DataArray:
    r"""Charging power :math:`P_\mu = dE_\mu/dt = N_\mu\hbar\omega_0\,d\mathcal E_\mu/dt` from the
    dataset's ``energy_rate`` (evaluated from the equations' right-hand side or the Liouvillian).

    References
    ----------
    Dias et al. (2024), Eq. (3).
    """
    if "energy_rate" not in ds:
        raise ModelError(
            "`ds` has no `energy_rate`: use collective.solve/sweep or "
            "collective.observables.exact_dataset(evolve(..., store_states=True))"
        )
    eu, tu = _units(ds, energy_unit)
    return (ds["energy_rate"] * _sizes(ds)).assign_attrs(
        long_name="charging power dE/dt (from the right-hand side)", units=f"{eu}/({tu})"
    )


def average_power(ds: xr.Dataset, *, energy_unit: str | None = None) -> xr.DataArray:
    r"""Average power up to :math:`t`: :math:`\bar P_\mu(t) = [E_\mu(t) - E_\mu(t_0)]/(t - t_0)`
    (NaN at :math:`t = t_0`, the first saved time)."""
    eu, tu = _units(ds, energy_unit)
    E = ds["energy_density"] * _sizes(ds)
    t = ds["time"]
    dt = t - t.isel(time=0)
    avg = (E - E.isel(time=0)) / dt.where(dt > 0)
    return avg.assign_attrs(long_name="average power (E(t) - E(t0))/(t - t0)", units=f"{eu}/({tu})")


def efficiency(
    ds: xr.Dataset,
    batteries: str | Sequence[str],
    sources: str | Sequence[str] | None = None,
    *,
    supplied: Any = None,
) -> xr.DataArray:
    r"""Transfer efficiency :math:`\eta(t) = \sum_{B}[E_B(t) - E_B(t_0)] / E_{\rm supplied}(t)`.

    Parameters
    ----------
    ds
        Dataset with ``energy_density`` and ``N``.
    batteries
        Ensembles whose energy gain counts.
    sources
        Ensembles that supply energy: :math:`E_{\rm supplied}(t) = \sum_S [E_S(t_0) - E_S(t)]`
        (energy that left the charger).  Ignored when ``supplied`` is given.
    supplied
        Energy supplied, in the dataset's energy unit: a number or a DataArray over ``time``
        (e.g. the charger's initial energy plus the work of a pump).

    References
    ----------
    Dias et al. (2024), Eq. (3) (energies); efficiency as energy received over energy supplied.
    """
    bats = _check_names(ds, "batteries", batteries)
    E = ds["energy_density"] * _sizes(ds)
    gain = (E - E.isel(time=0)).sel(ensemble=bats).sum("ensemble")
    if supplied is None:
        if sources is None:
            raise ModelError(
                "give `sources` (ensembles supplying energy) or `supplied` (an energy)"
            )
        srcs = _check_names(ds, "sources", sources)
        supplied = (E.isel(time=0) - E).sel(ensemble=srcs).sum("ensemble")
        desc = f"energy gained by {bats} / energy lost by {srcs}"
    else:
        desc = f"energy gained by {bats} / energy supplied"
    sup = supplied if isinstance(supplied, xr.DataArray) else xr.DataArray(float(supplied))
    eta = gain / sup.where(sup != 0)
    return eta.assign_attrs(long_name=f"transfer efficiency ({desc})", units="1")


def charging_time(
    model: Model,
    target: float,
    *,
    ensemble: str,
    t_max: float,
    initial: InitialState | None = None,
    order: int = 2,
    n_times: int = 2,
    **solver_kw: Any,
) -> xr.Dataset:
    r"""Charging time: first :math:`t` at which the energy density of ``ensemble`` reaches
    ``target`` (rising), located by the cumulant engine's event detection
    (:class:`~collective.StopEvent`), not by interpolation of saved points.

    Parameters
    ----------
    model, initial, order
        As for :func:`collective.solve`.
    target
        Target energy density :math:`\mathcal E = E/(N\hbar\omega_0) \in (0, 1]`.
    ensemble
        The battery.
    t_max
        Give up after this time (``charging_time`` is then NaN).
    n_times
        Number of saved points on ``[0, t_max]`` (the event does not depend on them).
    **solver_kw
        Solver options (``rtol``, ``atol``, ``method``, ...).

    Returns
    -------
    xarray.Dataset
        The solution, with ``charging_time`` (model time unit), ``target_energy`` and
        ``average_power_to_target`` = :math:`N(\mathcal E_{\rm target} - \mathcal E_0)/t_c`.

    References
    ----------
    Dias et al. (2024), Eq. (3) and Fig. 2 (charging on the superradiant time scale).
    """
    from .engine import StopEvent, solve

    if ensemble not in model.ensemble_names:
        raise ModelError(
            f"`ensemble` must be one of {list(model.ensemble_names)}, got {describe(ensemble)}"
        )
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not 0 < target <= 1:
        raise ModelError(f"`target` must be an energy density in (0, 1], got {describe(target)}")
    if not (isinstance(t_max, (int, float)) and math.isfinite(t_max) and t_max > 0):
        raise ModelError(f"`t_max` must be a finite positive time, got {describe(t_max)}")
    ev = StopEvent(ensemble=ensemble, threshold=float(target), direction=1, terminal=True)
    ds = solve(
        model,
        np.linspace(0.0, float(t_max), max(2, int(n_times))),
        order=order,
        initial=initial,
        event=ev,
        raise_on_failure=False,
        **solver_kw,
    )
    tu = model.time_unit
    N = model.ensemble(ensemble).N
    e0 = float(ds["energy_density"].sel(ensemble=ensemble).isel(time=0))
    tc = float(ds["event_time"])
    ds["charging_time"] = (
        (),
        tc,
        {"long_name": f"time for {ensemble} to reach energy density {target}", "units": tu},
    )
    ds["target_energy"] = (
        (),
        float(target) * N,
        {"long_name": f"target energy of {ensemble}", "units": model.energy_unit},
    )
    ds["average_power_to_target"] = (
        (),
        N * (float(target) - e0) / tc if tc > 0 else math.nan,
        {
            "long_name": f"average charging power of {ensemble} up to the target",
            "units": f"{model.energy_unit}/({tu})",
        },
    )
    return ds


def thermodynamics(
    ds: xr.Dataset,
    *,
    batteries: str | Sequence[str] | None = None,
    sources: str | Sequence[str] | None = None,
    supplied: Any = None,
    energy_unit: str | None = None,
) -> xr.Dataset:
    r"""Add battery observables to a cumulant or exact dataset (copy; every variable has
    ``long_name`` and ``units``).

    Adds ``energy`` :math:`E_\mu = N_\mu\hbar\omega_0\mathcal E_\mu`, ``power`` (from
    ``energy_rate``), ``average_power``, ``peak_power`` and ``time_of_peak_power`` (over the saved
    times), and with ``batteries`` also ``stored_energy`` (their total) and ``efficiency``
    (see :func:`efficiency`; needs ``sources`` or ``supplied``).  An ``event_time`` present in
    ``ds`` is copied to ``charging_time``.

    Parameters
    ----------
    ds
        From :func:`collective.solve`, :func:`collective.sweep` or :func:`exact_dataset`.
    batteries, sources, supplied
        See :func:`efficiency`.
    energy_unit
        Label of the energy unit (default: ``ds.attrs['energy_unit']`` or ``hbar*omega_0``).

    References
    ----------
    Dias et al. (2024), Eq. (3).
    """
    if not isinstance(ds, xr.Dataset) or "energy_density" not in ds:
        raise ModelError(f"`ds` must be a dataset with `energy_density`, got {describe(ds)}")
    eu, tu = _units(ds, energy_unit)
    out = ds.copy()
    out["energy"] = (ds["energy_density"] * _sizes(ds)).assign_attrs(
        long_name="energy above the ground state E = N hbar omega_0 (energy density)", units=eu
    )
    P = power(ds, energy_unit=eu)
    out["power"] = P
    out["average_power"] = average_power(ds, energy_unit=eu)
    out["peak_power"] = P.max("time").assign_attrs(
        long_name="largest saved charging power", units=P.attrs["units"]
    )
    idx = P.fillna(-np.inf).argmax("time")
    out["time_of_peak_power"] = (
        ds["time"]
        .isel(time=idx)
        .drop_vars("time")
        .assign_attrs(long_name="time of the largest saved charging power", units=tu)
    )
    if batteries is not None:
        bats = _check_names(ds, "batteries", batteries)
        out["stored_energy"] = (
            out["energy"]
            .sel(ensemble=bats)
            .sum("ensemble")
            .assign_attrs(long_name=f"energy stored in {bats}", units=eu)
        )
        if sources is not None or supplied is not None:
            out["efficiency"] = efficiency(ds, bats, sources, supplied=supplied)
    if "event_time" in ds:
        out["charging_time"] = (
            ds["event_time"]
            .copy()
            .assign_attrs(
                long_name=ds["event_time"].attrs.get("long_name", "charging time"), units=tu
            )
        )
    out.attrs["energy_unit"] = eu
    return out
