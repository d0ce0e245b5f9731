"""Truncated Fock-space master equations with explicit numpy matrices (independent of
collective.algebra): operators by Kronecker products, D[O] rho = O rho O^+ - {O^+ O, rho}/2."""

from __future__ import annotations

import numpy as np


def mode_ops(n_modes: int, cutoff: int) -> list[np.ndarray]:
    a1 = np.diag(np.sqrt(np.arange(1, cutoff, dtype=float)), 1).astype(complex)
    eye = np.eye(cutoff, dtype=complex)
    ops = []
    for k in range(n_modes):
        mats = [a1 if j == k else eye for j in range(n_modes)]
        out = mats[0]
        for m in mats[1:]:
            out = np.kron(out, m)
        ops.append(out)
    return ops


def lindblad_rhs(rho, H, jumps):
    """L[rho] for H and [(rate, O), ...] (D convention)."""
    out = -1j * (H @ rho - rho @ H)
    for rate, O in jumps:
        Od = O.conj().T
        OdO = Od @ O
        out = out + rate * (O @ rho @ Od - 0.5 * (OdO @ rho + rho @ OdO))
    return out


def liouvillian(H, jumps):
    """Superoperator (column-stacked vec) built with Kronecker products."""
    d = H.shape[0]
    eye = np.eye(d)
    L = -1j * (np.kron(eye, H) - np.kron(H.T, eye))
    for rate, O in jumps:
        OdO = O.conj().T @ O
        L = L + rate * (np.kron(O.conj(), O) - 0.5 * np.kron(eye, OdO) - 0.5 * np.kron(OdO.T, eye))
    return L


def random_low_state(n_modes: int, cutoff: int, nmax: int, rng) -> np.ndarray:
    """Random full-rank density matrix on the Fock states with every n_k <= nmax, small occupations."""
    d = cutoff**n_modes
    idx = [
        i
        for i in range(d)
        if all(((i // cutoff ** (n_modes - 1 - k)) % cutoff) <= nmax for k in range(n_modes))
    ]
    X = rng.normal(size=(len(idx), len(idx))) + 1j * rng.normal(size=(len(idx), len(idx)))
    # weight low states more (small occupations)
    w = np.array(
        [
            0.3 ** sum((i // cutoff ** (n_modes - 1 - k)) % cutoff for k in range(n_modes))
            for i in idx
        ]
    )
    X = X * np.sqrt(w)[:, None]
    r = X @ X.conj().T
    r /= np.trace(r)
    rho = np.zeros((d, d), complex)
    rho[np.ix_(idx, idx)] = r
    return rho


def moments(rho, ops):
    n = len(ops)
    alpha = np.array([np.trace(a @ rho) for a in ops])
    N = np.array([[np.trace(ops[i].conj().T @ ops[j] @ rho) for j in range(n)] for i in range(n)])
    P = np.array([[np.trace(ops[i] @ ops[j] @ rho) for j in range(n)] for i in range(n)])
    return alpha, N, P


def predicted_rates(mats, alpha, N, P):
    """The linear routine's moment equations evaluated at given moments."""
    M, f, Gu = mats.drift, mats.drive, mats.gain
    da = M @ alpha + f
    dN = M.conj() @ N + N @ M.T + np.outer(alpha.conj(), f) + np.outer(f.conj(), alpha) + Gu.T
    dP = M @ P + P @ M.T + np.outer(f, alpha) + np.outer(alpha, f)
    return da, dN, dP
