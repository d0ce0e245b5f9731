"""Brute-force reference: the full 2^N (x Fock) space built with plain numpy/scipy kron products.

Independent of collective.exact: operators are sums of single-site Pauli matrices placed with
``scipy.sparse.kron``, the Liouvillian is vec(A rho B) = (B^T kron A) vec(rho) (column stacking),
and evolution is ``expm_multiply`` (accurate to about machine precision).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sps
import scipy.sparse.linalg as spla

SP = sps.csr_matrix(np.array([[0, 1], [0, 0]], dtype=complex))  # sigma^+ = |e><g|, basis (e, g)
SM = SP.T.tocsr()
SZ = sps.csr_matrix(np.diag([1.0, -1.0]).astype(complex))


class Brute:
    """Full-space operators for a model's ensembles (model order, site by site) and modes."""

    def __init__(self, model):
        self.model = model
        self.layout = []  # (kind, name, site or cutoff)
        for e in model.ensembles:
            for i in range(e.N):
                self.layout.append(("spin", e.name, i))
        for m in model.modes:
            self.layout.append(("mode", m.name, m.cutoff))
        self.local_dims = [2 if k == "spin" else c for k, _, c in self.layout]
        self.dim = int(np.prod(self.local_dims))
        self.vals = model.numeric_values()

    def _place(self, mats):
        out = sps.identity(1, dtype=complex, format="csr")
        for k, d in enumerate(self.local_dims):
            out = sps.kron(out, mats.get(k, sps.identity(d, dtype=complex)), format="csr")
        return out

    def site(self, ens, i, op):
        k = self.layout.index(("spin", ens, i))
        return self._place({k: {"+": SP, "-": SM, "z": SZ}[op]})

    def gen(self, g):
        if g.kind in ("J+", "J-", "Jz"):
            N = self.model.ensemble(g.space).N
            op = {"J+": "+", "J-": "-", "Jz": "z"}[g.kind]
            c = 0.5 if g.kind == "Jz" else 1.0
            return c * sum(self.site(g.space, i, op) for i in range(N))
        k = [i for i, (kind, n, _) in enumerate(self.layout) if kind == "mode" and n == g.space][0]
        c = self.local_dims[k]
        a = sps.csr_matrix(np.diag(np.sqrt(np.arange(1, c)), 1).astype(complex))
        return self._place({k: a if g.kind == "a" else a.T.tocsr()})

    def op(self, op):
        out = sps.csr_matrix((self.dim, self.dim), dtype=complex)
        for word, c in op:
            m = sps.identity(self.dim, dtype=complex, format="csr")
            for g in word:
                m = m @ self.gen(g)
            out = out + complex(c.subs({s: self.vals[s.name] for s in c.free_symbols})) * m
        return out

    def liouvillian(self):
        I = sps.identity(self.dim, dtype=complex, format="csr")
        H = self.op(self.model.hamiltonian)
        L = -1j * (sps.kron(I, H) - sps.kron(H.T, I))
        jumps = []
        for d in self.model.dissipators:
            g = float(d.prefactor.subs({s: self.vals[s.name] for s in d.prefactor.free_symbols}))
            jumps.append((g, self.op(d.jump)))
        for d in self.model.local_dissipators:
            g = float(d.prefactor.subs({s: self.vals[s.name] for s in d.prefactor.free_symbols}))
            for i in range(self.model.ensemble(d.ensemble).N):
                jumps.append((g, self.site(d.ensemble, i, d.site_op)))
        for g, A in jumps:
            if g == 0:
                continue
            AdA = (A.conj().T @ A).tocsr()
            L = L + g * (sps.kron(A.conj(), A) - 0.5 * sps.kron(I, AdA) - 0.5 * sps.kron(AdA.T, I))
        return L.tocsr()

    def initial(self, initial):
        mats = []
        for kind, name, c in self.layout:
            if kind == "spin":
                sx, sy, sz = initial.bloch(name)
                mats.append(0.5 * np.array([[1 + sz, sx - 1j * sy], [sx + 1j * sy, 1 - sz]]))
            else:
                alpha, nth = initial.mode_state(name)
                big = c + 60
                n = np.arange(big)
                p = (nth / (1 + nth)) ** n / (1 + nth) if nth > 0 else (n == 0).astype(float)
                rho = np.diag(p).astype(complex)
                if alpha != 0:
                    a = np.diag(np.sqrt(np.arange(1, big)), 1)
                    D = sla.expm(alpha * a.T - np.conj(alpha) * a)
                    rho = D @ rho @ D.conj().T
                rho = rho[:c, :c]
                mats.append(rho / np.trace(rho))
        out = np.ones((1, 1), dtype=complex)
        for m in mats:
            out = np.kron(out, m)
        return out

    def evolve(self, initial, times):
        L = self.liouvillian()
        v = self.initial(initial).reshape(-1, order="F")
        out, t_prev = [], 0.0
        for t in times:
            v = spla.expm_multiply(L * (t - t_prev), v)
            t_prev = t
            out.append(v.reshape(self.dim, self.dim, order="F"))
        return out

    def expect(self, rhos, op):
        O = self.op(op)
        return np.array([(O @ r).trace() for r in rhos])
