"""Brute-force references in the full 2^N Hilbert space (independent of collective.observables).

Basis: computational states of N qubits, bit value 1 = excited, H = sum_i |1><1|_i (energy above the
ground state in units of hbar omega_0).  The Dicke basis |j, n, alpha> (n = j + m) is built
explicitly: highest-weight vectors = null space of J^+ in the (j + N/2)-excitation subspace, then
repeated J^- with normalisation.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import scipy.linalg as sla


@cache
def full_ops(N: int) -> tuple[np.ndarray, np.ndarray]:
    """Dense J^+ and the excitation numbers of the 2^N computational states."""
    dim = 2**N
    exc = np.array([bin(i).count("1") for i in range(dim)])
    jp = np.zeros((dim, dim))
    for i in range(dim):
        for b in range(N):
            if not (i >> b) & 1:
                jp[i | (1 << b), i] = 1.0
    return jp, exc


@cache
def dicke_vectors(N: int) -> dict[float, np.ndarray]:
    """``{j: V}`` with ``V[n]`` of shape ``(2^N, d_j)``: the vectors |j, n, alpha> for all alpha."""
    jp, exc = full_ops(N)
    jm = jp.T
    out = {}
    for k in range(N // 2 + 1):
        j = N / 2 - k
        top = int(round(j + N / 2))  # excitations of the highest-weight state m = j
        rows = np.nonzero(exc == top + 1)[0]
        cols = np.nonzero(exc == top)[0]
        if rows.size:
            ns = sla.null_space(jp[np.ix_(rows, cols)])
        else:
            ns = np.eye(cols.size)
        hw = np.zeros((2**N, ns.shape[1]))
        hw[cols] = ns
        dim = int(round(2 * j)) + 1
        V = np.zeros((dim, 2**N, ns.shape[1]))
        V[dim - 1] = hw
        for n in range(dim - 1, 0, -1):
            v = jm @ V[n]
            V[n - 1] = v / np.linalg.norm(v, axis=0)
        out[j] = V
    return out


def embed(blocks: dict, N: int, weighted: bool = False) -> np.ndarray:
    """Full 2^N density matrix of a block state ``{j: (d_j, rho_j)}`` (rho_j or its diagonal)."""
    V = dicke_vectors(N)
    rho = np.zeros((2**N, 2**N), dtype=complex)
    for j, (d, mat) in blocks.items():
        mat = np.asarray(mat)
        if mat.ndim == 1:
            mat = np.diag(mat)
        if weighted:
            mat = mat / d
        A = V[float(j)].transpose(1, 2, 0)  # (2^N, d_j, 2j + 1)
        B = A @ mat  # sum_n' <., alpha, n'| mat[n, n'] ... per alpha
        rho += B.reshape(2**N, -1) @ A.reshape(2**N, -1).T
    return rho


def brute_ergotropy(rho: np.ndarray, N: int) -> tuple[float, float]:
    """(energy, ergotropy) by explicit diagonalisation of the 2^N matrix."""
    _, exc = full_ops(N)
    rho = (rho + rho.conj().T) / 2
    energy = float(np.real(np.dot(np.diagonal(rho), exc)))
    r = np.sort(np.linalg.eigvalsh(rho))[::-1]
    e = np.sort(exc.astype(float))
    return energy, energy - float(np.dot(r, e))
