r"""Sparse Liouvillian of a :class:`~collective.model.Model` in a Dicke (x Fock) basis.

State space
-----------
Spaces are the model's ensembles (in model order) followed by its modes.  Each ensemble is either

* *symmetric*: its total spin :math:`j` is conserved (no local process acts on it); the solver
  fixes :math:`j` per *sector* and works in the :math:`2j + 1` Dicke states, or
* *permutation invariant* (PI): local processes couple :math:`j` to :math:`j \pm 1`; the state is
  the set of weighted blocks :math:`\tilde\rho_j = d_j \rho_j` for every :math:`j`
  (see :mod:`collective.exact._pi`).

A *block* fixes the :math:`j` of every ensemble; inside it an element is
:math:`|n\rangle\langle n'|` with :math:`n, n'` local-index tuples (see :mod:`._dicke`).

U(1) block reduction
--------------------
Every collective generator shifts one local index by a fixed charge, so each superoperator term
:math:`A\rho B` shifts the difference vector :math:`d = n - n'` by :math:`c_A + c_B`.  Starting from
the differences present in the initial state (``d = 0`` for states diagonal in every occupation
number), the reachable set :math:`\mathcal D` of difference vectors is found by breadth-first search
and only elements with :math:`n - n' \in \mathcal D` are kept.  This is the finest block structure
of that kind: the zero-difference block of the total excitation number for models that conserve
it (Dias et al. 2024), per-ensemble conservation when jumps do not mix ensembles, and the full space
when nothing is conserved.  Local decay, pumping and dephasing shift :math:`n` and :math:`n'`
together and never change :math:`d`.

Master equation (units of hbar, ``D[O] = O rho O^+ - 1/2 {O^+ O, rho}``):

.. math::

    \dot\rho = -i[H, \rho] + \sum_k \Gamma_k D[O_k]\rho + \sum_{e, s} \gamma_{e,s} \sum_{i \in e}
    D[s_i]\rho .

References
----------
.. [1] J. Dias, H. Wang, K. Nemoto, F. Nori, W. J. Munro, "Efficient charging of multiple open
   quantum batteries through dissipation and pumping" (2024), Eq. (4).
.. [2] N. Shammah et al., Phys. Rev. A 98, 063815 (2018).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

import numpy as np
import scipy.sparse as sps
import sympy as sp

from ..algebra import Gen, Op
from ..errors import MemoryEstimateError, ModelError
from ..model import Model
from ._dicke import gen_apply, j_values
from ._pi import LOCAL_SHIFT, local_sandwich_coefficient

__all__ = [
    "ExactSystem",
    "Block",
    "build_system",
    "plan_system",
    "superoperator_terms",
    "estimate_memory",
    "default_memory_limit",
]

Word = tuple[Gen, ...]
_CHARGE = {"J+": 1, "J-": -1, "Jz": 0, "a": -1, "ad": 1}


# --------------------------------------------------------------------------------------------------
# numeric terms
# --------------------------------------------------------------------------------------------------
def _num(expr: sp.Expr, values: Mapping[str, float], where: str) -> complex:
    e = sp.sympify(expr)
    subs = {s: sp.Float(values[s.name]) for s in e.free_symbols if s.name in values}
    missing = sorted(s.name for s in e.free_symbols if s.name not in values)
    if missing:
        raise ModelError(
            f"{where} uses symbols {missing} without numeric values; known: {sorted(values)}"
        )
    return complex(sp.N(e.xreplace(subs)))


def _entries(mat, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``mat[rows[k], cols[k]]`` for a dense matrix or a scipy sparse array (the exact solver's
    Dicke-diagonal initial factors are sparse: see :func:`~collective.exact.sector_factors`)."""
    if sps.issparse(mat):
        return np.asarray(sps.csr_array(mat)[rows, cols]).ravel()
    return np.asarray(mat)[rows, cols]


def _canon(word: Sequence[Gen]) -> Word:
    return tuple(sorted(word, key=lambda g: g.space))


def _dag(word: Word) -> Word:
    return tuple(g.adjoint() for g in reversed(word))


def superoperator_terms(
    model: Model, values: Mapping[str, float]
) -> tuple[dict[tuple[Word, Word], complex], list[tuple[str, str, float]]]:
    r"""Collective superoperator terms ``{(A, B): c}`` meaning :math:`c\,A\rho B` (``A``, ``B``
    words of generators, ``()`` the identity), and local sandwich terms
    ``[(ensemble, kind, rate)]`` meaning :math:`\gamma \sum_i s_i \rho s_i^\dagger`."""
    terms: dict[tuple[Word, Word], complex] = {}

    def add(a: Word, b: Word, c: complex) -> None:
        if c != 0:
            key = (_canon(a), _canon(b))
            terms[key] = terms.get(key, 0) + c

    for word, c in model.hamiltonian:
        h = _num(c, values, "`hamiltonian`")
        add(word, (), -1j * h)
        add((), word, 1j * h)
    for i, d in enumerate(model.dissipators):
        g = _num(d.prefactor, values, f"`dissipators[{i}].rate`").real
        if g == 0:
            continue
        items = [(w, _num(c, values, f"`dissipators[{i}].jump`")) for w, c in d.jump]
        for wa, ca in items:
            for wb, cb in items:
                c = g * ca * np.conj(cb)
                add(wa, _dag(wb), c)
                add(_dag(wb) + wa, (), -0.5 * c)
                add((), _dag(wb) + wa, -0.5 * c)
    local: list[tuple[str, str, float]] = []
    for i, d in enumerate(model.local_dissipators):
        g = _num(d.prefactor, values, f"`local_dissipators[{i}].rate`").real
        if g == 0:
            continue
        N = model.ensemble(d.ensemble).N
        local.append((d.ensemble, d.kind, g))
        # anticommutator with sum_i s_i^+ s_i: N/2 + Jz (decay), N/2 - Jz (pump), N (dephasing)
        if d.kind == "dephasing":
            add((), (), -g * N)
        else:
            sgn = 1.0 if d.kind == "decay" else -1.0
            jz = (Gen("Jz", d.ensemble),)
            add((), (), -0.5 * g * N)
            add(jz, (), -0.5 * g * sgn)
            add((), jz, -0.5 * g * sgn)
    terms = {k: v for k, v in terms.items() if v != 0}
    return terms, local


# --------------------------------------------------------------------------------------------------
# basis
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, eq=False)
class Block:
    """Elements ``|nk><nb|`` of one block (fixed ``j`` per ensemble), sorted by key."""

    jvec: tuple[float, ...]
    dims: tuple[int, ...]
    nk: np.ndarray
    nb: np.ndarray
    keys: np.ndarray
    offset: int

    @property
    def size(self) -> int:
        return int(self.keys.size)

    def lookup(self, tk: np.ndarray, tb: np.ndarray) -> np.ndarray:
        dk = int(np.prod(self.dims))
        key = np.ravel_multi_index(tk.T, self.dims) * dk + np.ravel_multi_index(tb.T, self.dims)
        idx = np.searchsorted(self.keys, key)
        idx = np.minimum(idx, self.keys.size - 1)
        if not np.array_equal(self.keys[idx], key):  # pragma: no cover - closure is by construction
            raise RuntimeError("internal error: a target element is missing from its block")
        return idx


def _word_shift(word: Word, spaces: Sequence[str]) -> np.ndarray:
    c = np.zeros(len(spaces), dtype=np.int64)
    pos = {s: i for i, s in enumerate(spaces)}
    for g in word:
        c[pos[g.space]] += _CHARGE[g.kind]
    return c


def _apply_word(
    word: Word, n: np.ndarray, dims: Sequence[int], pos: Mapping[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Apply a word (rightmost generator first) to local states ``n`` (rows)."""
    t = n.copy()
    val = np.ones(n.shape[0])
    for g in reversed(word):
        s = pos[g.space]
        t[:, s], v = gen_apply(g.kind, t[:, s], dims[s])
        val = val * v
    return t, val


def _reachable_diffs(
    start: np.ndarray, steps: list[np.ndarray], box: np.ndarray, limit: int = 5_000_000
) -> np.ndarray:
    seen = {tuple(int(x) for x in d) for d in start}
    frontier = list(seen)
    steps_t = [tuple(int(x) for x in s) for s in steps]
    while frontier:
        new = []
        for d in frontier:
            for s in steps_t:
                e = tuple(a + b for a, b in zip(d, s))
                if e not in seen and all(abs(x) <= bx for x, bx in zip(e, box)):
                    seen.add(e)
                    new.append(e)
        frontier = new
        if len(seen) > limit:
            raise MemoryEstimateError(
                f"the U(1) block reduction found more than {limit} difference vectors: the model "
                "conserves no excitation number and the space is too large for the exact solver"
            )
    return np.array(sorted(seen), dtype=np.int64).reshape(len(seen), len(box))


def _count_block(diffs: np.ndarray, dims: Sequence[int]) -> int:
    return int(np.prod(np.clip(np.asarray(dims)[None, :] - np.abs(diffs), 0, None), axis=1).sum())


def _enumerate_block(diffs: np.ndarray, dims: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    dims_a = np.asarray(dims)
    nks, nbs = [], []
    for d in diffs:
        if np.any(np.abs(d) >= dims_a):
            continue
        ranges = [np.arange(max(0, int(ds)), dm + min(0, int(ds))) for ds, dm in zip(d, dims_a)]
        grid = np.stack([g.ravel() for g in np.meshgrid(*ranges, indexing="ij")], axis=1)
        nks.append(grid)
        nbs.append(grid - d[None, :])
    if not nks:
        S = len(dims)
        return np.zeros((0, S), np.int64), np.zeros((0, S), np.int64)
    return np.concatenate(nks).astype(np.int64), np.concatenate(nbs).astype(np.int64)


# --------------------------------------------------------------------------------------------------
# memory
# --------------------------------------------------------------------------------------------------
def default_memory_limit() -> int:
    """Half of the available memory (``/proc/meminfo``), else 4 GiB, in bytes; the environment
    variable ``COLLECTIVE_EXACT_MAX_MEMORY`` (bytes) overrides it."""
    env = os.environ.get("COLLECTIVE_EXACT_MAX_MEMORY")
    if env:
        return int(float(env))
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024 // 2
    except OSError:  # pragma: no cover
        pass
    return 4 * 1024**3


def _bytes_estimate(elements: int, nterms: int) -> int:
    # CSR (complex data + index) of ~nterms entries per row, COO temporaries while building,
    # a sparse LU with fill of the same order, and ~10 state vectors.
    nnz = elements * max(nterms, 1)
    return int(nnz * (16 + 8) * 3 + elements * 16 * 10)


def _format_bytes(b: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if abs(b) < 1024 or unit == "EiB":
            return f"{b:.3g} {unit}"
        b /= 1024
    return f"{b:.3g} EiB"  # pragma: no cover


@dataclass(frozen=True, slots=True, kw_only=True)
class MemoryEstimate:
    """Size of an exact computation before it is built."""

    elements: int
    nnz: int
    bytes: int
    limit: int

    def __str__(self) -> str:
        return (
            f"{self.elements} density-matrix elements, ~{self.nnz} Liouvillian non-zeros, "
            f"~{_format_bytes(self.bytes)} (limit {_format_bytes(self.limit)})"
        )


def estimate_memory(
    model: Model,
    *,
    pi_ensembles: Sequence[str],
    sector: Mapping[str, float],
    diffs: np.ndarray,
    nterms: int,
    max_memory: int | None = None,
) -> MemoryEstimate:
    """Count the kept elements of one sector without building it, and estimate its memory."""
    limit = default_memory_limit() if max_memory is None else int(max_memory)
    elements = 0
    for _jvec, dims in _block_layout(model, pi_ensembles, sector):
        elements += _count_block(diffs, dims)
    return MemoryEstimate(
        elements=elements,
        nnz=elements * max(nterms, 1),
        bytes=_bytes_estimate(elements, nterms),
        limit=limit,
    )


def _block_layout(model: Model, pi_ensembles: Sequence[str], sector: Mapping[str, float]):
    per = []
    for e in model.ensembles:
        if e.name in pi_ensembles:
            per.append([float(j) for j in j_values(e.N)])
        else:
            per.append([float(sector[e.name])])
    mode_dims = tuple(m.cutoff for m in model.modes)
    for jvec in product(*per):
        dims = tuple(int(round(2 * j)) + 1 for j in jvec) + mode_dims
        yield tuple(jvec), dims


def _max_block_dims(model: Model, pi_ensembles: Sequence[str], sector: Mapping[str, float]):
    dims = []
    for e in model.ensembles:
        j = e.N / 2 if e.name in pi_ensembles else sector[e.name]
        dims.append(int(round(2 * j)) + 1)
    return np.array(dims + [m.cutoff for m in model.modes], dtype=np.int64)


# --------------------------------------------------------------------------------------------------
# the system
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ExactSystem:
    r"""A built sector: basis blocks and the sparse Liouvillian :math:`\dot y = L y`.

    ``y`` stacks the kept elements of every block (weighted blocks :math:`\tilde\rho` for PI
    ensembles).  Use :meth:`functional` for expectation values :math:`\langle W \rangle = f \cdot y`.
    """

    model: Model
    spaces: tuple[str, ...]
    pi_ensembles: tuple[str, ...]
    sector: dict[str, float]
    blocks: tuple[Block, ...]
    diffs: np.ndarray
    L: sps.csr_matrix
    estimate: MemoryEstimate
    block_index: dict[tuple[float, ...], int] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.L.shape[0])

    @property
    def pos(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.spaces)}

    def functional(self, word: Word) -> np.ndarray:
        r"""Row vector :math:`f` with :math:`\mathrm{tr}(W\rho) = f\cdot y` for a word ``W``."""
        pos = self.pos
        f = np.zeros(self.size, dtype=complex)
        for blk in self.blocks:
            if blk.size == 0:
                continue
            t, v = _apply_word(tuple(word), blk.nk, blk.dims, pos)
            mask = np.all(t == blk.nb, axis=1) & (v != 0)
            f[blk.offset + np.nonzero(mask)[0]] = v[mask]
        return f

    def op_functional(self, op: Op, values: Mapping[str, float] | None = None) -> np.ndarray:
        """Row vector for a user-level :class:`~collective.algebra.Op`."""
        vals = self.model.numeric_values() if values is None else dict(values)
        f = np.zeros(self.size, dtype=complex)
        for word, c in op:
            f += _num(c, vals, "`op`") * self.functional(word)
        return f

    def vector_from_factors(self, factors: Sequence[object]) -> np.ndarray:
        """Product-state vector; ``factors[s]`` is a matrix (symmetric ensemble, mode) or a dict
        ``{j: weighted block}`` (PI ensemble)."""
        y = np.zeros(self.size, dtype=complex)
        for blk in self.blocks:
            val = np.ones(blk.size, dtype=complex)
            for s in range(len(self.spaces)):
                fac = factors[s]
                mat = fac.get(blk.jvec[s]) if isinstance(fac, dict) else fac
                if mat is None:
                    val[:] = 0
                    break
                val = val * _entries(mat, blk.nk[:, s], blk.nb[:, s])
            y[blk.offset : blk.offset + blk.size] = val
        return y

    def block_matrices(self, y: np.ndarray) -> list[tuple[tuple[float, ...], np.ndarray]]:
        """Dense weighted block matrices ``[(jvec, rho_tilde_block)]`` (small systems only); the
        elements outside the kept U(1) set are zero."""
        out = []
        for blk in self.blocks:
            D = int(np.prod(blk.dims))
            mat = np.zeros((D, D), dtype=complex)
            if blk.size:
                mat[
                    np.ravel_multi_index(blk.nk.T, blk.dims),
                    np.ravel_multi_index(blk.nb.T, blk.dims),
                ] = y[blk.offset : blk.offset + blk.size]
            out.append((blk.jvec, mat))
        return out

    def reduced_blocks(self, y: np.ndarray, space: str) -> dict[float, np.ndarray]:
        r"""Partial trace onto ``space``: ``{j: weighted block}`` for an ensemble (``{0: rho}`` for a
        mode), i.e. :math:`\tilde\rho_{e,j} = \mathrm{tr}_{\bar e}\,\tilde\rho`."""
        s = self.pos[space]
        out: dict[float, np.ndarray] = {}
        others = [i for i in range(len(self.spaces)) if i != s]
        for blk in self.blocks:
            key = blk.jvec[s] if s < len(self.model.ensembles) else 0.0
            dim = blk.dims[s]
            mat = out.setdefault(key, np.zeros((dim, dim), dtype=complex))
            if blk.size == 0:
                continue
            mask = np.all(blk.nk[:, others] == blk.nb[:, others], axis=1)
            np.add.at(mat, (blk.nk[mask, s], blk.nb[mask, s]), y[blk.offset + np.nonzero(mask)[0]])
        return out


def plan_system(
    model: Model,
    *,
    pi_ensembles: Sequence[str] = (),
    sector: Mapping[str, float] | None = None,
    initial_diffs: np.ndarray | None = None,
    values: Mapping[str, float] | None = None,
    max_memory: int | None = None,
):
    """Check the arguments, find the U(1) difference set and estimate the memory of a sector
    before anything large is built (raises :class:`~collective.errors.MemoryEstimateError`)."""
    vals = model.numeric_values() if values is None else dict(values)
    pi = tuple(e for e in model.ensemble_names if e in set(pi_ensembles))
    bad = sorted(set(pi_ensembles) - set(model.ensemble_names))
    if bad:
        raise ModelError(
            f"`pi_ensembles` names unknown ensembles {bad}; ensembles: {list(model.ensemble_names)}"
        )
    sec = {e.name: e.N / 2 for e in model.ensembles if e.name not in pi}
    for k, v in (sector or {}).items():
        if k not in sec:
            raise ModelError(
                f"`sector` names {k!r}, which is not a symmetric ensemble; symmetric: {sorted(sec)}"
            )
        N = model.ensemble(k).N
        if v < 0 or v > N / 2 or abs((N / 2 - v) - round(N / 2 - v)) > 1e-9:
            raise ModelError(f"`sector[{k!r}]` = {v!r} is not a total spin of N = {N} spins")
        sec[k] = float(v)
    terms, local = superoperator_terms(model, vals)
    for e, kind, _ in local:
        if e not in pi:
            raise ModelError(
                f"local {kind} acts on ensemble {e!r}, which is treated in the symmetric (collective-only) "
                f"basis; put it in `pi_ensembles` (valid: {list(model.ensemble_names)})"
            )
    spaces = model.ensemble_names + model.mode_names
    S = len(spaces)
    box = _max_block_dims(model, pi, sec) - 1
    steps = []
    for a, b in terms:
        d = _word_shift(a, spaces) + _word_shift(b, spaces)
        if np.any(d != 0):
            steps.append(d)
    start = (
        np.zeros((1, S), np.int64) if initial_diffs is None else np.asarray(initial_diffs, np.int64)
    )
    diffs = _reachable_diffs(start, steps, box)
    est = estimate_memory(
        model,
        pi_ensembles=pi,
        sector=sec,
        diffs=diffs,
        nterms=len(terms) + 3 * len(local),
        max_memory=max_memory,
    )
    if est.bytes > est.limit:
        what = f"local processes on {list(pi)}" if pi else "the collective model"
        raise MemoryEstimateError(
            f"exact solver for {what} with sizes {model.sizes} needs {est}; reduce the ensemble "
            "sizes (`N`), the mode cutoffs, or raise `max_memory`"
        )
    return pi, sec, terms, local, diffs, est


def build_system(
    model: Model,
    *,
    pi_ensembles: Sequence[str] = (),
    sector: Mapping[str, float] | None = None,
    initial_diffs: np.ndarray | None = None,
    values: Mapping[str, float] | None = None,
    max_memory: int | None = None,
) -> ExactSystem:
    """Build the sparse Liouvillian of one sector.

    Parameters
    ----------
    model
        The model (collective terms from ``hamiltonian`` and ``dissipators``, local ones from
        ``local_dissipators``).
    pi_ensembles
        Ensembles treated in the permutation-invariant basis (all ``j``); the others are
        symmetric with the fixed ``j`` given in ``sector`` (default ``N/2``).
    initial_diffs
        Difference vectors ``n - n'`` present in the initial state (default: only ``0``).
    values
        Numeric parameter values (default ``model.numeric_values()``).
    max_memory
        Byte limit; :class:`~collective.errors.MemoryEstimateError` is raised before building
        when the estimate exceeds it.

    Raises
    ------
    ModelError
        A local process acts on an ensemble not in ``pi_ensembles``.
    MemoryEstimateError
        The estimated size exceeds ``max_memory``.
    """
    vals = model.numeric_values() if values is None else dict(values)
    pi, sec, terms, local, diffs, est = plan_system(
        model,
        pi_ensembles=pi_ensembles,
        sector=sector,
        initial_diffs=initial_diffs,
        values=vals,
        max_memory=max_memory,
    )
    spaces = model.ensemble_names + model.mode_names
    blocks = []
    index: dict[tuple[float, ...], int] = {}
    offset = 0
    for jvec, dims in _block_layout(model, pi, sec):
        nk, nb = _enumerate_block(diffs, dims)
        dk = int(np.prod(dims))
        keys = (
            np.ravel_multi_index(nk.T, dims) * dk + np.ravel_multi_index(nb.T, dims)
            if nk.size
            else np.zeros(0, np.int64)
        )
        order = np.argsort(keys, kind="stable")
        blk = Block(
            jvec=jvec, dims=dims, nk=nk[order], nb=nb[order], keys=keys[order], offset=offset
        )
        index[jvec] = len(blocks)
        blocks.append(blk)
        offset += blk.size
    size = offset
    pos = {s: i for i, s in enumerate(spaces)}
    rows, cols, data = [], [], []
    # collective terms act inside each block
    for blk in blocks:
        if blk.size == 0:
            continue
        dims_a = np.asarray(blk.dims)
        src = np.arange(blk.size)
        for (a, b), c in terms.items():
            tk, va = _apply_word(a, blk.nk, blk.dims, pos)
            cb = _word_shift(b, spaces)
            tb = blk.nb - cb[None, :]
            _, vb = _apply_word(b, tb, blk.dims, pos)
            v = c * va * vb
            ok = (v != 0) & np.all((tk >= 0) & (tk < dims_a) & (tb >= 0) & (tb < dims_a), axis=1)
            if not np.any(ok):
                continue
            rows.append(blk.offset + blk.lookup(tk[ok], tb[ok]))
            cols.append(blk.offset + src[ok])
            data.append(v[ok])
    # local sandwich terms couple j -> J in {j - 1, j, j + 1}
    for e, kind, g in local:
        s = pos[e]
        N = model.ensemble(e).N
        delta = LOCAL_SHIFT[kind]
        for blk in blocks:
            if blk.size == 0:
                continue
            j = blk.jvec[s]
            m = blk.nk[:, s] - j
            mp = blk.nb[:, s] - j
            M, Mp = m + delta, mp + delta
            for dJ in (-1.0, 0.0, 1.0):
                J = j + dJ
                tj = list(blk.jvec)
                tj[s] = J
                ti = index.get(tuple(tj))
                if ti is None:
                    continue
                tgt = blocks[ti]
                if tgt.size == 0:
                    continue
                ok = (np.abs(M) <= J + 1e-9) & (np.abs(Mp) <= J + 1e-9)
                if not np.any(ok):
                    continue
                coef = g * local_sandwich_coefficient(N, kind, J, j, M[ok], Mp[ok])
                nz = coef != 0
                if not np.any(nz):
                    continue
                idx = np.nonzero(ok)[0][nz]
                tk = blk.nk[idx].copy()
                tb = blk.nb[idx].copy()
                tk[:, s] = np.rint(J + M[idx]).astype(np.int64)
                tb[:, s] = np.rint(J + Mp[idx]).astype(np.int64)
                rows.append(tgt.offset + tgt.lookup(tk, tb))
                cols.append(blk.offset + idx)
                data.append(coef[nz].astype(complex))
    if rows:
        r = np.concatenate(rows)
        cidx = np.concatenate(cols)
        dat = np.concatenate(data)
    else:
        r = cidx = np.zeros(0, np.int64)
        dat = np.zeros(0, complex)
    L = sps.csr_matrix((dat, (r, cidx)), shape=(size, size))
    L.sum_duplicates()
    L.eliminate_zeros()
    if L.nnz == 0 or np.max(np.abs(L.data.imag)) == 0:
        L = L.real.tocsr()
    return ExactSystem(
        model=model,
        spaces=spaces,
        pi_ensembles=pi,
        sector=sec,
        blocks=tuple(blocks),
        diffs=diffs,
        L=L,
        estimate=est,
        block_index=index,
    )
