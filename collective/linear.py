r"""Linear bosonic models: drift matrix, second moments, spectra, exceptional points, stability.

Any :class:`~collective.model.Model` with only bosonic modes, a Hamiltonian

.. math::

    H = \sum_{ij} h_{ij} a_i^\dagger a_j + \sum_i \left(F_i a_i^\dagger + F_i^* a_i\right)

and jump operators linear in the modes -- *loss* jumps :math:`L_k = \sum_i c_{ki} a_i` or *gain*
jumps :math:`G_k = \sum_i d_{ki} a_i^\dagger`, each with prefactor :math:`\gamma_k` of
:math:`\mathcal{D}[O]\rho = O\rho O^\dagger - \tfrac12\{O^\dagger O,\rho\}` -- is *linear*: its
first moments :math:`\alpha_i = \langle a_i\rangle` obey

.. math::

    \dot\alpha = M\alpha + f,\qquad
    M = -i h - \tfrac12\Gamma^{\downarrow} + \tfrac12\Gamma^{\uparrow},\qquad f = -iF,

with :math:`\Gamma^{\downarrow}_{ji} = \sum_k\gamma_k c_{kj}^* c_{ki}` and
:math:`\Gamma^{\uparrow}_{ji} = \sum_k\gamma_k d_{kj} d_{ki}^*` (both Hermitian, positive
semidefinite for non-negative rates).  The normal moments :math:`N_{ij}=\langle a_i^\dagger a_j\rangle`
and anomalous moments :math:`P_{ij}=\langle a_i a_j\rangle` obey the Lyapunov-form equations

.. math::

    \dot N = M^* N + N M^{T} + \alpha^* f^{T} + f^*\alpha^{T} + (\Gamma^{\uparrow})^{T},\qquad
    \dot P = M P + P M^{T} + f\alpha^{T} + \alpha f^{T}.

Derivation (adjoint Lindbladian, :math:`\mathcal D^\dagger[O]X = \tfrac12(O^\dagger[X,O] +
[O^\dagger,X]O)`): for :math:`X=a_j`, :math:`[a_j,L_k]=0`, :math:`[L_k^\dagger,a_j]=-c_{kj}^*`,
:math:`[a_j,G_k]=d_{kj}`, :math:`[G_k^\dagger,a_j]=0` and :math:`i[H,a_j] = -i\sum_l h_{jl}a_l - iF_j`.
For :math:`X=a_i^\dagger a_j` the gain jumps add the constant :math:`\gamma_k d_{kj}d_{ki}^*` from
normal ordering; loss jumps (zero-temperature reservoirs) add no constant.

The coefficient matrices are read off the :class:`~collective.algebra.Op` words of the model
(:func:`linear_system`), symbolically in the model parameters; the algebraic Heisenberg drift
(:func:`heisenberg_drift`, via :func:`collective.algebra.expand_to_sites`) is an independent check.

Passivity: with loss jumps only, the Hermitian part of :math:`M` is :math:`-\tfrac12\Gamma^\downarrow
\preceq 0`, so the numerical range of :math:`M` -- and hence every eigenvalue -- lies in
:math:`\mathrm{Re}\,\lambda\le 0`.  A drift whose Hermitian part has a positive eigenvalue can only come
from gain (incoherent pumping or parametric terms).

References
----------
Ahmadi et al., "Reservoir-engineered exceptional points for quantum energy storage",
``shared/papers/001_0303df5991573d7c.txt``, Eqs. (9)-(12), (17)-(21).
Lin et al., "Enhanced charging power in nonreciprocal quantum battery by reservoir engineering",
``shared/papers/003_31139ff55859365e.txt``, Eqs. (5), (6), (13)-(15), (19)-(20).
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.linalg as sla
import sympy as sp
import xarray as xr

from .algebra import Gen, Op, SiteTerm, expand_to_sites, site_product
from .errors import ModelError, describe
from .model import Dissipator, InitialState, Mode, Model

__all__ = [
    "LinearSystem",
    "LinearMatrices",
    "linear_system",
    "quadratic_model",
    "heisenberg_drift",
    "Spectrum",
    "spectrum",
    "ExceptionalPointReport",
    "exceptional_point",
    "characteristic_polynomial",
    "hurwitz_determinants",
    "is_hurwitz_stable",
    "spectral_abscissa",
    "passivity_margin",
    "phase_diagram",
    "evolve_linear",
    "steady_state_linear",
    "LinearSteadyState",
    "ep_roots_2x2",
    "eliminate_numeric",
]


# ------------------------------------------------------------------------------------------------
# extraction
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LinearMatrices:
    """Numeric coefficient matrices of a linear model at one parameter point (see module doc)."""

    modes: tuple[str, ...]
    drift: np.ndarray  # M
    drive: np.ndarray  # f
    hamiltonian: np.ndarray  # h
    loss: np.ndarray  # Gamma_down
    gain: np.ndarray  # Gamma_up
    omega: np.ndarray  # mode energies (for E = omega <a^dag a>)

    @property
    def n(self) -> int:
        return len(self.modes)

    def index(self, mode: str) -> int:
        if mode not in self.modes:
            raise ModelError(f"`mode` must be one of {list(self.modes)}, got {describe(mode)}")
        return self.modes.index(mode)


@dataclass(frozen=True, eq=False)
class LinearSystem:
    r"""Symbolic first- and second-moment equations of a linear bosonic model.

    Attributes
    ----------
    model
        The source model.
    modes
        Mode names, in model order (index ``i`` of every matrix).
    drift, drive
        :math:`M` and :math:`f` of :math:`\dot\alpha = M\alpha + f` (sympy).
    hamiltonian, hamiltonian_drive
        :math:`h` and :math:`F` of :math:`H = a^\dagger h a + F\cdot a^\dagger + \mathrm{h.c.}`.
    loss, gain
        :math:`\Gamma^\downarrow` and :math:`\Gamma^\uparrow` (Hermitian matrices).
    """

    model: Model
    modes: tuple[str, ...]
    drift: sp.Matrix
    drive: sp.Matrix
    hamiltonian: sp.Matrix
    hamiltonian_drive: sp.Matrix
    loss: sp.Matrix
    gain: sp.Matrix
    omega: tuple[sp.Expr, ...]
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return len(self.modes)

    @property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        return tuple(p.symbol for p in self.model.parameters)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.model.parameters)

    def _fn(self, key: str) -> Callable:
        if key not in self._cache:
            mat = getattr(self, key)
            if key == "omega":
                mat = sp.Matrix([list(self.omega)])
            # numeric constants to floats (huge exact rationals/radicals do not vectorise); the
            # expressions are built here from the model, never from user text
            mat = mat.evalf(17)
            self._cache[key] = sp.lambdify(self.symbols, mat.tolist(), modules="numpy")
        return self._cache[key]

    def values(self, overrides: Mapping[str, float] | None = None) -> dict[str, float]:
        vals = self.model.parameter_values
        for k, v in (overrides or {}).items():
            if k not in vals:
                raise ModelError(
                    f"unknown parameter `{k}` for model {self.model.name!r}; valid: {sorted(vals)}"
                )
            vals[k] = v
        return vals

    def _eval(self, key: str, vals: Mapping[str, Any], shape: tuple[int, ...] = ()) -> np.ndarray:
        rows = self._fn(key)(*[vals[p] for p in self.parameter_names])
        nr, nc = len(rows), len(rows[0]) if rows else 0
        out = np.empty(shape + (nr, nc), dtype=complex)
        for i in range(nr):
            for j in range(nc):
                out[..., i, j] = np.broadcast_to(np.asarray(rows[i][j], dtype=complex), shape)
        return out

    def numeric(self, **overrides: float) -> LinearMatrices:
        """All coefficient matrices at the model's parameter values (with ``overrides``)."""
        vals = self.values(overrides)
        return LinearMatrices(
            modes=self.modes,
            drift=self._eval("drift", vals),
            drive=self._eval("drive", vals)[:, 0],
            hamiltonian=self._eval("hamiltonian", vals),
            loss=self._eval("loss", vals),
            gain=self._eval("gain", vals),
            omega=self._eval("omega", vals)[0].real,
        )

    def drift_grid(self, values: Mapping[str, Any], shape: tuple[int, ...]) -> np.ndarray:
        """Drift matrices broadcast over a parameter grid: array of shape ``shape + (n, n)``."""
        return self._eval("drift", values, shape)

    # ---- symbolic moment equations ------------------------------------------------------------
    def moment_symbols(self) -> dict[str, sp.Symbol]:
        """Symbols ``<a>``, ``<a^+ b>``, ``<a b>`` used by :meth:`moment_equations`."""
        out: dict[str, sp.Symbol] = {}
        for m in self.modes:
            out[f"<{m}>"] = sp.Symbol(f"<{m}>")
        for i in self.modes:
            for j in self.modes:
                out[f"<{i}^+ {j}>"] = sp.Symbol(f"<{i}^+ {j}>")
                out[f"<{i} {j}>"] = sp.Symbol(f"<{i} {j}>")
        return out

    def moment_equations(self) -> dict[str, sp.Expr]:
        r"""Right-hand sides of :math:`d\langle a_i\rangle/dt`, :math:`d\langle a_i^\dagger a_j\rangle/dt`
        and :math:`d\langle a_i a_j\rangle/dt` in terms of the moment symbols (keys as in
        :meth:`moment_symbols`; conjugates appear as ``conjugate(<a>)``)."""
        s = self.moment_symbols()
        n, names = self.n, self.modes
        alpha = sp.Matrix([s[f"<{m}>"] for m in names])
        N = sp.Matrix(n, n, lambda i, j: s[f"<{names[i]}^+ {names[j]}>"])
        P = sp.Matrix(n, n, lambda i, j: s[f"<{names[i]} {names[j]}>"])
        M, f = self.drift, self.drive
        da = M * alpha + f
        ac = alpha.applyfunc(sp.conjugate)
        dN = M.conjugate() * N + N * M.T + ac * f.T + f.conjugate() * alpha.T + self.gain.T
        dP = M * P + P * M.T + f * alpha.T + alpha * f.T
        out: dict[str, sp.Expr] = {}
        for i, m in enumerate(names):
            out[f"<{m}>"] = sp.expand(da[i])
        for i in range(n):
            for j in range(n):
                out[f"<{names[i]}^+ {names[j]}>"] = sp.expand(dN[i, j])
                out[f"<{names[i]} {names[j]}>"] = sp.expand(dP[i, j])
        return out

    # ---- elimination ------------------------------------------------------------------------------
    def eliminate(self, modes: str | Sequence[str]) -> tuple[sp.Matrix, sp.Matrix, tuple[str, ...]]:
        r"""Adiabatic elimination of fast ``modes`` at the level of the first moments.

        Setting :math:`\dot\alpha_Q = 0` gives the Schur complement

        .. math::

            M_\mathrm{eff} = M_{PP} - M_{PQ}M_{QQ}^{-1}M_{QP},\qquad
            f_\mathrm{eff} = f_P - M_{PQ}M_{QQ}^{-1}f_Q .

        Returns ``(M_eff, f_eff, kept_modes)`` (sympy).
        """
        elim = [modes] if isinstance(modes, str) else list(modes)
        for m in elim:
            if m not in self.modes:
                raise ModelError(
                    f"`modes` must name modes of the model {list(self.modes)}, got {describe(m)}"
                )
        q = [self.modes.index(m) for m in elim]
        p = [i for i in range(self.n) if i not in q]
        if not p:
            raise ModelError("`modes` would eliminate every mode; keep at least one")
        M, f = self.drift, self.drive
        Mqq = M.extract(q, q)
        det = sp.simplify(Mqq.det())
        at_defaults = det.subs({p.symbol: p.value for p in self.model.parameters})
        if det == 0 or abs(complex(sp.N(at_defaults))) < 1e-300:
            raise ModelError(
                f"cannot eliminate {elim}: their drift block is singular (no damping or detuning) at "
                f"the model's parameter values, "
                f"M_QQ = {Mqq.tolist()}"
            )
        inv = Mqq.inv()
        Meff = M.extract(p, p) - M.extract(p, q) * inv * M.extract(q, p)
        feff = f.extract(p, [0]) - M.extract(p, q) * inv * f.extract(q, [0])
        return (
            Meff.applyfunc(sp.simplify),
            feff.applyfunc(sp.simplify),
            tuple(self.modes[i] for i in p),
        )


def eliminate_numeric(M: Any, f: Any, eliminate: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    r"""Numeric Schur complement :math:`M_{PP} - M_{PQ}M_{QQ}^{-1}M_{QP}` (and drive) eliminating the
    indices ``eliminate`` (see :meth:`LinearSystem.eliminate`)."""
    A = _as_square(M)
    fv = np.asarray(f, dtype=complex)
    q = list(eliminate)
    p = [i for i in range(A.shape[0]) if i not in q]
    Aqq = A[np.ix_(q, q)]
    if np.linalg.cond(Aqq) > 1e14:
        raise ModelError(
            f"cannot eliminate indices {q}: their drift block is singular, M_QQ = {Aqq.tolist()}"
        )
    X = np.linalg.solve(Aqq, A[np.ix_(q, p)])
    y = np.linalg.solve(Aqq, fv[q])
    return A[np.ix_(p, p)] - A[np.ix_(p, q)] @ X, fv[p] - A[np.ix_(p, q)] @ y


def _mode_index(g: Gen, modes: Sequence[str]) -> int:
    return list(modes).index(g.space)


def linear_system(model: Model) -> LinearSystem:
    """Read the coefficient matrices of a linear bosonic ``model`` off its operator words.

    Raises
    ------
    ModelError
        If the model has spin ensembles or per-spin dissipators, a Hamiltonian term that is not
        of the form ``a_i^+ a_j``, ``a_i``, ``a_i^+`` (or a constant), or a jump operator that is not
        a linear combination of annihilators only or of creators only.
    """
    if not isinstance(model, Model):
        raise ModelError(f"`model` must be a collective.Model, got {describe(model)}")
    if model.ensembles or model.local_dissipators:
        raise ModelError(
            f"`model` {model.name!r} has spin ensembles {list(model.ensemble_names)}: linear analysis "
            "needs a model with bosonic modes only"
        )
    modes = model.mode_names
    n = len(modes)
    h = sp.zeros(n, n)
    F = sp.zeros(n, 1)
    Fc = sp.zeros(n, 1)
    for word, c in model.hamiltonian:
        kinds = tuple(g.kind for g in word)
        if len(word) == 0:
            continue
        if len(word) == 1:
            i = _mode_index(word[0], modes)
            if kinds == ("ad",):
                F[i] += c
            else:
                Fc[i] += c
            continue
        if len(word) == 2 and set(kinds) == {"a", "ad"}:
            g1, g2 = word
            if kinds == ("ad", "a"):
                h[_mode_index(g1, modes), _mode_index(g2, modes)] += c
            else:  # a_i a_j^+ = a_j^+ a_i + delta_ij (constant dropped)
                h[_mode_index(g2, modes), _mode_index(g1, modes)] += c
            continue
        raise ModelError(
            f"`model.hamiltonian` of {model.name!r} has the term ({c})*{' '.join(map(str, word))}: "
            "linear analysis accepts a_i^+ a_j, a_i, a_i^+ terms only (number-conserving quadratic "
            "part plus linear drive)"
        )
    # Hermiticity was checked by Model; F must match the a-coefficients
    for i in range(n):
        if sp.simplify(Fc[i] - sp.conjugate(F[i])) != 0:  # pragma: no cover - Model checks H = H^+
            raise ModelError(f"drive on mode {modes[i]!r} is not Hermitian: {F[i]} vs {Fc[i]}")
    loss = sp.zeros(n, n)
    gain = sp.zeros(n, n)
    for k, d in enumerate(model.dissipators):
        vec = sp.zeros(n, 1)
        kinds = set()
        for word, c in d.jump:
            if len(word) != 1:
                raise ModelError(
                    f"`model.dissipators[{k}].jump` ({d.label or 'unnamed'}) has the term "
                    f"({c})*{' '.join(map(str, word)) or '1'}: linear analysis needs jumps linear in "
                    "the mode operators"
                )
            kinds.add(word[0].kind)
            vec[_mode_index(word[0], modes)] += c
        if len(kinds) != 1:
            raise ModelError(
                f"`model.dissipators[{k}].jump` ({d.label or 'unnamed'}) mixes annihilators and "
                "creators (a squeezed reservoir); linear analysis accepts pure loss or pure gain jumps"
            )
        rate = d.prefactor
        if kinds == {"a"}:  # Gamma_down[j, i] = rate c_j^* c_i
            loss += rate * vec.conjugate() * vec.T
        else:  # Gamma_up[j, i] = rate d_j d_i^*
            gain += rate * vec * vec.conjugate().T
    loss = loss.applyfunc(sp.expand)
    gain = gain.applyfunc(sp.expand)
    drift = (-sp.I * h - loss / 2 + gain / 2).applyfunc(sp.expand)
    drive = (-sp.I * F).applyfunc(sp.expand)
    known = {p.name: p.symbol for p in model.parameters}
    omega = []
    for m in model.modes:
        w = m.omega
        if isinstance(w, str):
            if w not in known:
                raise ModelError(
                    f"`omega` of mode {m.name!r} names undeclared parameter {w!r}; declared: {sorted(known)}"
                )
            omega.append(known[w])
        else:
            omega.append(sp.sympify(w))
    return LinearSystem(
        model=model,
        modes=modes,
        drift=drift,
        drive=drive,
        hamiltonian=h.applyfunc(sp.expand),
        hamiltonian_drive=F.applyfunc(sp.expand),
        loss=loss,
        gain=gain,
        omega=tuple(omega),
    )


def heisenberg_drift(model: Model, op: Op) -> dict[SiteTerm, sp.Expr]:
    r"""Adjoint-Lindbladian drift :math:`\mathcal L^\dagger X = i[H,X] + \sum_k \gamma_k
    (O_k^\dagger X O_k - \tfrac12\{O_k^\dagger O_k, X\})` of a bosonic operator ``op``, reduced to
    normal-ordered site terms with :func:`collective.algebra.site_product` (Wick's theorem).

    Generic in the model (any Hamiltonian and jumps of a mode-only model); used to cross-check
    :func:`linear_system`.
    """
    if model.ensembles:
        raise ModelError("`model` must have bosonic modes only for `heisenberg_drift`")

    def expand(o: Op) -> dict[SiteTerm, sp.Expr]:
        return expand_to_sites(o, {})

    def mul(
        x: Mapping[SiteTerm, sp.Expr], y: Mapping[SiteTerm, sp.Expr]
    ) -> dict[SiteTerm, sp.Expr]:
        acc: dict[SiteTerm, sp.Expr] = {}
        for tx, cx in x.items():
            for ty, cy in y.items():
                for c, t in site_product(tx, ty):
                    acc[t] = acc.get(t, sp.S.Zero) + cx * cy * c
        return acc

    def add(acc: dict, x: Mapping, s: sp.Expr) -> None:
        for t, c in x.items():
            acc[t] = acc.get(t, sp.S.Zero) + s * c

    X = expand(op)
    H = expand(model.hamiltonian)
    out: dict[SiteTerm, sp.Expr] = {}
    add(out, mul(H, X), sp.I)
    add(out, mul(X, H), -sp.I)
    for d in model.dissipators:
        L = expand(d.jump)
        Ld = expand(d.jump.dag())
        LdL = mul(Ld, L)
        g = d.prefactor
        add(out, mul(mul(Ld, X), L), g)
        add(out, mul(LdL, X), -g / 2)
        add(out, mul(X, LdL), -g / 2)
    return {t: sp.expand(c) for t, c in out.items() if sp.expand(c) != 0}


# ------------------------------------------------------------------------------------------------
# building a model from matrices
# ------------------------------------------------------------------------------------------------
def quadratic_model(
    modes: Sequence[str | Mode],
    hamiltonian: Any,
    *,
    loss: Any = None,
    drive: Mapping[str, complex] | None = None,
    name: str = "quadratic",
    time_unit: str = "[t]",
) -> Model:
    r"""A numeric linear model from matrices: :math:`H = a^\dagger h a + \sum_m (F_m a_m^\dagger +
    \mathrm{h.c.})` and :math:`\sum_k \lambda_k\mathcal D[L_k]` from the eigen-decomposition of the
    loss matrix :math:`\Gamma^\downarrow` (so that :math:`M = -ih - \Gamma^\downarrow/2`).

    Parameters
    ----------
    modes
        Mode names (or :class:`~collective.model.Mode` objects).
    hamiltonian
        Hermitian ``n x n`` coupling matrix ``h``.
    loss
        Hermitian positive-semidefinite ``n x n`` matrix :math:`\Gamma^\downarrow`
        (default: none).
    drive
        ``{mode: F_m}`` coherent drive amplitudes.

    Raises
    ------
    ModelError
        Non-square or mis-sized matrices, a non-Hermitian ``h`` or loss matrix, a loss matrix with a
        negative eigenvalue (no completely positive loss-only dissipator has it), a drive on a
        mode that does not exist.
    """
    mode_objs = tuple(m if isinstance(m, Mode) else Mode(name=m) for m in modes)
    names = [m.name for m in mode_objs]
    n = len(names)
    if n == 0:
        raise ModelError("`modes` is empty: give at least one mode name")

    def as_matrix(arg: str, value: Any) -> np.ndarray:
        try:
            arr = np.asarray(value, dtype=complex)
        except (TypeError, ValueError) as exc:
            raise ModelError(
                f"`{arg}` must be a numeric {n}x{n} matrix, got {describe(value)}"
            ) from exc
        if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
            raise ModelError(f"`{arg}` must be a square matrix, got shape {arr.shape}")
        if arr.shape != (n, n):
            raise ModelError(f"`{arg}` must be {n}x{n} for modes {names}, got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ModelError(f"`{arg}` has non-finite entries: {describe(arr.tolist())}")
        if not np.allclose(arr, arr.conj().T, atol=1e-12 * max(1.0, np.abs(arr).max())):
            raise ModelError(f"`{arg}` must be Hermitian, got {describe(arr.tolist())}")
        return arr

    h = as_matrix("hamiltonian", hamiltonian)
    H = Op()
    for i in range(n):
        for j in range(n):
            if h[i, j] != 0:
                H = H + _num(h[i, j]) * Op({(Gen("ad", names[i]), Gen("a", names[j])): 1})
    for m, F in (drive or {}).items():
        if m not in names:
            raise ModelError(f"`drive` acts on mode {m!r}, which is not one of the modes {names}")
        F = complex(F)
        H = H + _num(F) * Op({(Gen("ad", m),): 1}) + _num(F.conjugate()) * Op({(Gen("a", m),): 1})
    dissipators = []
    if loss is not None:
        G = as_matrix("loss", loss)
        w, v = np.linalg.eigh(G)
        scale = max(1.0, float(np.abs(w).max()))
        if w.min() < -1e-12 * scale:
            raise ModelError(
                f"`loss` must be positive semidefinite (a sum of rate * c^* c^T with rates >= 0); its "
                f"smallest eigenvalue is {w.min():.6g}"
            )
        for k in range(n):
            if w[k] <= 1e-14 * scale:
                continue
            # Gamma_down[j, i] = lam v_j v_i^*  =>  c = conj(v)
            jump = Op()
            for i in range(n):
                if abs(v[i, k]) > 1e-15:
                    jump = jump + _num(np.conj(v[i, k])) * Op({(Gen("a", names[i]),): 1})
            dissipators.append(
                Dissipator(jump=jump, rate=_num(w[k]).as_real_imag()[0], label=f"loss channel {k}")
            )
    return Model(
        name=name,
        modes=mode_objs,
        hamiltonian=H,
        dissipators=tuple(dissipators),
        time_unit=time_unit,
    )


def _num(z: complex) -> sp.Expr:
    z = complex(z)
    return sp.Float(z.real) + sp.I * sp.Float(z.imag) if z.imag else sp.Float(z.real)


# ------------------------------------------------------------------------------------------------
# spectra, exceptional points, stability
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class Spectrum:
    r"""Eigen-decomposition of a drift matrix, sorted by decreasing real part.

    ``right[:, k]`` and ``left[:, k]`` are the right and left eigenvectors of ``eigenvalues[k]``
    (``left[:, k]^\dagger M = \lambda_k left[:, k]^\dagger``) normalised to unit 2-norm;
    ``condition[k] = 1/|left_k^\dagger right_k|`` is the eigenvalue condition number (1 for a normal
    matrix, diverging at an exceptional point).
    """

    eigenvalues: np.ndarray
    right: np.ndarray
    left: np.ndarray
    condition: np.ndarray

    @property
    def spectral_abscissa(self) -> float:
        return float(self.eigenvalues.real.max())

    @property
    def leading(self) -> complex:
        return complex(self.eigenvalues[0])


def _as_square(M: Any, arg: str = "M") -> np.ndarray:
    arr = np.asarray(M, dtype=complex)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise ModelError(f"`{arg}` must be a non-empty square matrix, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ModelError(f"`{arg}` has non-finite entries")
    return arr


def spectrum(M: Any) -> Spectrum:
    """Eigenvalues, right/left eigenvectors and eigenvalue condition numbers of ``M``."""
    A = _as_square(M)
    w, vl, vr = sla.eig(A, left=True, right=True)
    order = np.lexsort((-w.imag, -w.real))
    w, vl, vr = w[order], vl[:, order], vr[:, order]
    vr = vr / np.linalg.norm(vr, axis=0)
    vl = vl / np.linalg.norm(vl, axis=0)
    overlap = np.abs(np.einsum("ik,ik->k", vl.conj(), vr))
    with np.errstate(divide="ignore"):
        cond = np.where(overlap > 0, 1.0 / overlap, np.inf)
    return Spectrum(eigenvalues=w, right=vr, left=vl, condition=cond)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExceptionalPointReport:
    """Result of :func:`exceptional_point` for the closest eigenvalue pair ``pair``.

    ``gap`` is ``|lambda_i - lambda_j| / ||M||``; ``parallel`` is ``|v_i^+ v_j|`` of the unit right
    eigenvectors (1 when they coalesce); ``condition`` the larger eigenvalue condition number of
    the pair.  ``is_ep`` when ``gap <= tol`` and ``parallel >= 1 - tol``: both eigenvalues *and*
    eigenvectors coalesce (a degenerate but diagonalisable pair is not an EP).
    """

    is_ep: bool
    pair: tuple[int, int] | None
    gap: float
    parallel: float
    condition: float
    tol: float
    eigenvalues: np.ndarray

    def __str__(self) -> str:
        tag = "exceptional point" if self.is_ep else "no exceptional point"
        return (
            f"{tag}: closest pair {self.pair}, relative gap {self.gap:.3g}, eigenvector parallelism "
            f"{self.parallel:.12f}, condition {self.condition:.3g} (tol {self.tol:g})"
        )


def exceptional_point(M: Any, tol: float = 1e-6) -> ExceptionalPointReport:
    r"""Detect coalescence of eigenvalues *and* eigenvectors of ``M``.

    At an exact second-order EP, rounding splits the eigenvalues by
    :math:`O(\sqrt{\epsilon})\,\|M\| \approx 10^{-8}\|M\|`, so ``tol`` should stay well above
    :math:`10^{-8}`; a parameter distance :math:`\delta` from the EP gives a gap
    :math:`\propto\sqrt{\delta}`.
    """
    if not (isinstance(tol, (int, float)) and 0 < tol < 1):
        raise ModelError(f"`tol` must be a number in (0, 1), got {describe(tol)}")
    A = _as_square(M)
    s = spectrum(A)
    n = A.shape[0]
    norm = max(np.linalg.norm(A, 2), np.finfo(float).tiny)
    if n < 2:
        return ExceptionalPointReport(
            is_ep=False,
            pair=None,
            gap=math.inf,
            parallel=0.0,
            condition=float(s.condition[0]),
            tol=tol,
            eigenvalues=s.eigenvalues,
        )
    best = None
    for i in range(n):
        for j in range(i + 1, n):
            gap = abs(s.eigenvalues[i] - s.eigenvalues[j]) / norm
            if best is None or gap < best[0]:
                best = (gap, i, j)
    gap, i, j = best
    par = float(abs(np.vdot(s.right[:, i], s.right[:, j])))
    cond = float(max(s.condition[i], s.condition[j]))
    return ExceptionalPointReport(
        is_ep=bool(gap <= tol and par >= 1 - tol),
        pair=(i, j),
        gap=float(gap),
        parallel=par,
        condition=cond,
        tol=tol,
        eigenvalues=s.eigenvalues,
    )


def spectral_abscissa(M: Any) -> float:
    """``max Re(lambda)`` over the eigenvalues of ``M`` (stable iff < 0)."""
    return float(np.linalg.eigvals(_as_square(M)).real.max())


def passivity_margin(M: Any) -> float:
    r"""Largest eigenvalue of the Hermitian part :math:`(M+M^\dagger)/2`.

    A drift produced by loss jumps and a number-conserving Hamiltonian has margin :math:`\le 0`
    (then :math:`\mathrm{Re}\,\lambda\le` margin for every eigenvalue); a positive margin needs gain.
    """
    A = _as_square(M)
    return float(np.linalg.eigvalsh((A + A.conj().T) / 2).max())


def characteristic_polynomial(M: Any) -> np.ndarray:
    r"""Coefficients ``[1, c_1, ..., c_n]`` of :math:`\det(sI - M)` by the Faddeev-LeVerrier
    recursion (no eigenvalues involved; intended for the small matrices of this module)."""
    A = _as_square(M)
    n = A.shape[0]
    coeffs = [1.0 + 0j]
    Mk = np.zeros_like(A)
    eye = np.eye(n, dtype=complex)
    for k in range(1, n + 1):
        Mk = A @ Mk + coeffs[-1] * eye
        coeffs.append(-np.trace(A @ Mk) / k)
    return np.array(coeffs)


def hurwitz_determinants(coeffs: Any) -> np.ndarray:
    r"""Leading principal minors :math:`\Delta_1..\Delta_n` of the Hurwitz matrix of the real
    polynomial :math:`a_0 s^n + a_1 s^{n-1} + \dots + a_n` (``coeffs = [a_0, ..., a_n]``, ``a_0 > 0``).
    All roots have negative real part iff every :math:`\Delta_k > 0` (Routh-Hurwitz)."""
    a = np.asarray(coeffs, dtype=float)
    if a.ndim != 1 or a.size < 2:
        raise ModelError(f"`coeffs` must be a 1-d array of length >= 2, got shape {a.shape}")
    if a[0] <= 0:
        a = -a
    n = a.size - 1
    Hm = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            k = 2 * (j + 1) - (i + 1)
            if 0 <= k <= n:
                Hm[i, j] = a[k]
    return np.array([np.linalg.det(Hm[:k, :k]) for k in range(1, n + 1)])


def is_hurwitz_stable(M: Any, rtol: float = 1e-12) -> bool:
    r"""Routh-Hurwitz stability of :math:`\dot x = Mx` for complex ``M``.

    Uses the real :math:`2n\times 2n` representation :math:`\begin{pmatrix}\mathrm{Re}M & -\mathrm{Im}M\\
    \mathrm{Im}M & \mathrm{Re}M\end{pmatrix}` (eigenvalues :math:`\lambda_k, \lambda_k^*`), whose
    characteristic polynomial is real; stable iff all its Hurwitz determinants are positive.  On
    the stability boundary the smallest determinant vanishes; ``rtol`` sets "vanishes".
    """
    A = _as_square(M)
    R = np.block([[A.real, -A.imag], [A.imag, A.real]])
    c = characteristic_polynomial(R).real
    d = hurwitz_determinants(c)
    scale = np.array([max(1.0, np.abs(c).max()) ** (k + 1) for k in range(d.size)])
    return bool(np.all(d > rtol * scale))


# ------------------------------------------------------------------------------------------------
# phase diagram
# ------------------------------------------------------------------------------------------------
def _provenance() -> dict[str, str]:
    from . import __version__

    commit = "unknown"
    try:
        commit = (
            subprocess.run(
                ["git", "rev-parse", "HEAD"],
                cwd=Path(__file__).resolve().parent,
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout.strip()
            or "unknown"
        )
    except (OSError, subprocess.SubprocessError):  # pragma: no cover
        pass
    return {"collective_version": __version__, "git_commit": commit}


def _param_attrs(system: LinearSystem, name: str) -> dict[str, str]:
    for p in system.model.parameters:
        if p.name == name:
            return {"long_name": p.description or p.name, "units": p.units}
    return {"long_name": name, "units": "1"}


def phase_diagram(
    system: LinearSystem | Model,
    grid: Mapping[str, Any],
    *,
    fixed: Mapping[str, float] | None = None,
    derived: Mapping[str, Callable[[Mapping[str, np.ndarray]], np.ndarray]] | None = None,
    tol: float = 1e-6,
) -> xr.Dataset:
    r"""Spectral phase diagram of the drift matrix over a parameter grid.

    Parameters
    ----------
    system
        A :class:`LinearSystem` (or a model, converted with :func:`linear_system`).
    grid
        ``{name: 1-d values}``; the dataset's dimensions in this order.  Names are model
        parameters or auxiliary coordinates used by ``derived``.
    fixed
        Model parameter overrides held constant.
    derived
        ``{parameter: function(values) -> array}`` computing model parameters from grid/fixed
        values (e.g. ``gamma_a = gamma_b + 2 alpha``).
    tol
        Exceptional-point tolerance (see :func:`exceptional_point`).

    Returns
    -------
    xarray.Dataset
        ``spectral_abscissa`` (:math:`\max\mathrm{Re}\,\lambda`), ``leading_frequency``
        (:math:`\mathrm{Im}` of that eigenvalue), ``eigenvalue_re``/``eigenvalue_im`` (grid x
        ``eig``), ``min_gap`` (closest-pair distance over :math:`\|M\|`), ``max_condition``,
        ``is_ep``, ``stable``, ``passivity_margin`` and ``status`` (0 ok, 1 non-finite drift).
        A failed point is NaN with its status; it never aborts the sweep.
    """
    if isinstance(system, Model):
        system = linear_system(system)
    if not isinstance(system, LinearSystem):
        raise ModelError(f"`system` must be a LinearSystem or Model, got {describe(system)}")
    if not grid:
        raise ModelError("`grid` is empty: give at least one {name: values} axis")
    axes = {}
    for k, v in grid.items():
        arr = np.asarray(v, dtype=float)
        if arr.ndim != 1 or arr.size == 0:
            raise ModelError(f"`grid[{k!r}]` must be a non-empty 1-d array, got shape {arr.shape}")
        axes[k] = arr
    derived = dict(derived or {})
    vals: dict[str, Any] = system.values(fixed)
    known = set(vals)
    for k in axes:
        if k not in known and not derived:
            raise ModelError(
                f"`grid` axis {k!r} is not a parameter of {system.model.name!r} ({sorted(known)}) and "
                "no `derived` mapping uses it"
            )
    shape = tuple(a.size for a in axes.values())
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    ctx: dict[str, Any] = dict(vals)
    ctx.update({k: m for k, m in zip(axes, mesh)})
    for k, fn in derived.items():
        if k not in known:
            raise ModelError(
                f"`derived` key {k!r} is not a parameter of the model; valid: {sorted(known)}"
            )
        ctx[k] = np.broadcast_to(np.asarray(fn(ctx), dtype=float), shape)
    evals = {k: ctx[k] for k in known}
    Ms = system.drift_grid(evals, shape)
    n = system.n
    flat = Ms.reshape(-1, n, n)
    ok = np.all(np.isfinite(flat), axis=(1, 2))
    w = np.full((flat.shape[0], n), np.nan + 0j)
    V = np.full((flat.shape[0], n, n), np.nan + 0j)
    if ok.any():
        w_ok, V_ok = np.linalg.eig(flat[ok])
        w[ok], V[ok] = w_ok, V_ok
    order = np.lexsort((-w.imag, -w.real), axis=-1) if n > 1 else np.zeros((w.shape[0], 1), int)
    w = np.take_along_axis(w, order, axis=-1)
    V = np.take_along_axis(V, order[:, None, :], axis=-1)
    norms = np.linalg.norm(np.where(np.isfinite(flat), flat, 0), ord=2, axis=(1, 2))
    norms = np.maximum(norms, np.finfo(float).tiny)
    Vn = V / np.linalg.norm(V, axis=1, keepdims=True)
    cond = np.full((flat.shape[0], n), np.nan)
    if ok.any():
        with np.errstate(all="ignore"):
            W = np.linalg.pinv(Vn[ok])  # rows: left eigenvectors (W V = I)
            cond[ok] = (
                np.linalg.norm(W, axis=2) * 1.0
            )  # ||w_k|| ||v_k|| / |w_k v_k| with |w_k v_k| = 1
    min_gap = np.full(flat.shape[0], np.inf)
    parallel = np.zeros(flat.shape[0])
    for i in range(n):
        for j in range(i + 1, n):
            g = np.abs(w[:, i] - w[:, j]) / norms
            p = np.abs(np.einsum("bk,bk->b", Vn[:, :, i].conj(), Vn[:, :, j]))
            better = g < min_gap
            min_gap = np.where(better, g, min_gap)
            parallel = np.where(better, p, parallel)
    herm = (flat + np.conj(np.swapaxes(flat, 1, 2))) / 2
    margin = np.full(flat.shape[0], np.nan)
    if ok.any():
        margin[ok] = np.linalg.eigvalsh(herm[ok]).max(axis=-1)
    sa = w.real.max(axis=-1)
    lead_im = w[:, 0].imag
    status = np.where(ok, 0, 1).astype(np.int8)
    dims = tuple(axes)
    coords = {}
    for k, a in axes.items():
        coords[k] = xr.Variable((k,), a, attrs=_param_attrs(system, k))
    coords["eig"] = xr.Variable(
        ("eig",),
        np.arange(n),
        attrs={"long_name": "eigenvalue index (decreasing Re)", "units": "1"},
    )
    tu = system.model.time_unit
    rate_units = f"1/{tu}" if tu else "1"
    ds = xr.Dataset(
        {
            "spectral_abscissa": (
                dims,
                sa.reshape(shape),
                {"long_name": "Re of the leading drift eigenvalue", "units": rate_units},
            ),
            "leading_frequency": (
                dims,
                lead_im.reshape(shape),
                {"long_name": "Im of the leading drift eigenvalue", "units": rate_units},
            ),
            "eigenvalue_re": (
                dims + ("eig",),
                w.real.reshape(shape + (n,)),
                {"long_name": "Re of drift eigenvalues", "units": rate_units},
            ),
            "eigenvalue_im": (
                dims + ("eig",),
                w.imag.reshape(shape + (n,)),
                {"long_name": "Im of drift eigenvalues", "units": rate_units},
            ),
            "min_gap": (
                dims,
                min_gap.reshape(shape),
                {"long_name": "closest eigenvalue pair distance / ||M||", "units": "1"},
            ),
            "eigvec_parallel": (
                dims,
                parallel.reshape(shape),
                {"long_name": "|v_i^+ v_j| of the closest pair", "units": "1"},
            ),
            "max_condition": (
                dims,
                np.nanmax(cond, axis=-1).reshape(shape),
                {"long_name": "largest eigenvalue condition number", "units": "1"},
            ),
            "is_ep": (
                dims,
                ((min_gap <= tol) & (parallel >= 1 - tol)).reshape(shape),
                {
                    "long_name": "exceptional point (eigenvalues and eigenvectors coalesce)",
                    "units": "1",
                },
            ),
            "stable": (
                dims,
                (sa < 0).reshape(shape),
                {"long_name": "all drift eigenvalues in Re < 0", "units": "1"},
            ),
            "passivity_margin": (
                dims,
                margin.reshape(shape),
                {
                    "long_name": "max eigenvalue of (M + M^+)/2 (> 0 needs gain)",
                    "units": rate_units,
                },
            ),
            "status": (
                dims,
                status.reshape(shape),
                {"long_name": "0 ok, 1 non-finite drift", "units": "1"},
            ),
        },
        coords=coords,
        attrs={
            "title": f"drift-matrix phase diagram of {system.model.name}",
            "model": system.model.name,
            "modes": ",".join(system.modes),
            "ep_tol": tol,
            "fixed": repr({k: float(np.asarray(v)) for k, v in (fixed or {}).items()}),
            "derived": ",".join(derived),
            "method": "numpy.linalg.eig on the drift matrix read off the model (collective.linear)",
            **_provenance(),
        },
    )
    return ds


# ------------------------------------------------------------------------------------------------
# exact time evolution of first and second moments
# ------------------------------------------------------------------------------------------------
def _generator(m: LinearMatrices) -> np.ndarray:
    r"""Constant matrix :math:`K` of :math:`\dot y = K y` for
    :math:`y = (\alpha, \alpha^*, \mathrm{vec}\,N, \mathrm{vec}\,P, 1)` (row-major vec)."""
    n = m.n
    M, f, Gu = m.drift, m.drive, m.gain
    dim = 2 * n + 2 * n * n + 1
    K = np.zeros((dim, dim), dtype=complex)
    ia, ic = slice(0, n), slice(n, 2 * n)
    iN, iP = slice(2 * n, 2 * n + n * n), slice(2 * n + n * n, 2 * n + 2 * n * n)
    one = dim - 1
    I = np.eye(n)
    K[ia, ia] = M
    K[ia, one] = f
    K[ic, ic] = M.conj()
    K[ic, one] = f.conj()
    # dN = M^* N + N M^T + conj(alpha) f^T + conj(f) alpha^T + Gu^T
    K[iN, iN] = np.kron(M.conj(), I) + np.kron(I, M)
    for i in range(n):
        for j in range(n):
            r = 2 * n + i * n + j
            K[r, n + i] += f[j]
            K[r, j] += np.conj(f[i])
            K[r, one] += Gu[j, i]
    # dP = M P + P M^T + f alpha^T + alpha f^T
    K[iP, iP] = np.kron(M, I) + np.kron(I, M)
    for i in range(n):
        for j in range(n):
            r = 2 * n + n * n + i * n + j
            K[r, j] += f[i]
            K[r, i] += f[j]
    return K


def _initial_vector(m: LinearMatrices, initial: InitialState | None) -> np.ndarray:
    n = m.n
    alpha = np.zeros(n, complex)
    nth = np.zeros(n)
    if initial is not None:
        for name in initial.modes:
            i = m.index(name)
            alpha[i], nth[i] = initial.mode_state(name)
    N = np.outer(alpha.conj(), alpha) + np.diag(nth)
    P = np.outer(alpha, alpha)
    return np.concatenate([alpha, alpha.conj(), N.ravel(), P.ravel(), [1.0]])


def evolve_linear(
    system: LinearSystem | Model,
    times: Any,
    *,
    initial: InitialState | None = None,
    values: Mapping[str, float] | None = None,
) -> xr.Dataset:
    r"""Exact moments of a linear model at ``times``: :math:`y(t) = e^{Kt}y(0)` with the augmented
    generator of :math:`(\alpha, \alpha^*, N, P, 1)` (no time stepping, no 0/0 at exceptional
    points or phase boundaries).

    Returns
    -------
    xarray.Dataset
        coords ``time``, ``mode``, ``mode2``; ``n_mode(time, mode)`` :math:`=\langle a^\dagger a\rangle`,
        ``a_re``, ``a_im``, ``energy(time, mode)`` :math:`=\omega\langle a^\dagger a\rangle`,
        ``power(time, mode)`` :math:`=\omega\,d\langle a^\dagger a\rangle/dt` (exact, from the
        generator), ``N_re``/``N_im(time, mode, mode2)`` :math:`=\langle a_i^\dagger a_j\rangle`,
        ``P_re``/``P_im`` :math:`=\langle a_i a_j\rangle`.
    """
    if isinstance(system, Model):
        system = linear_system(system)
    if initial is not None:
        initial.check(system.model)
    t = np.asarray(times, dtype=float)
    if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)):
        raise ModelError(
            f"`times` must be a non-empty 1-d array of finite times, got shape {t.shape}"
        )
    m = system.numeric(**dict(values or {}))
    K = _generator(m)
    y0 = _initial_vector(m, initial)
    n = m.n
    Y = np.empty((t.size, y0.size), complex)
    for k, tk in enumerate(t):
        Y[k] = sla.expm(K * tk) @ y0
    dY = Y @ K.T
    alpha = Y[:, :n]
    N = Y[:, 2 * n : 2 * n + n * n].reshape(-1, n, n)
    P = Y[:, 2 * n + n * n : 2 * n + 2 * n * n].reshape(-1, n, n)
    dN = dY[:, 2 * n : 2 * n + n * n].reshape(-1, n, n)
    nm = np.real(np.einsum("tii->ti", N))
    dn = np.real(np.einsum("tii->ti", dN))
    tu = system.model.time_unit
    eu = system.model.energy_unit
    ds = xr.Dataset(
        {
            "n_mode": (("time", "mode"), nm, {"long_name": "<a^+ a>", "units": "1"}),
            "a_re": (("time", "mode"), alpha.real, {"long_name": "Re <a>", "units": "1"}),
            "a_im": (("time", "mode"), alpha.imag, {"long_name": "Im <a>", "units": "1"}),
            "energy": (("time", "mode"), nm * m.omega, {"long_name": "omega <a^+ a>", "units": eu}),
            "power": (
                ("time", "mode"),
                dn * m.omega,
                {"long_name": "omega d<a^+ a>/dt", "units": f"{eu}/{tu}"},
            ),
            "N_re": (
                ("time", "mode", "mode2"),
                N.real,
                {"long_name": "Re <a_i^+ a_j>", "units": "1"},
            ),
            "N_im": (
                ("time", "mode", "mode2"),
                N.imag,
                {"long_name": "Im <a_i^+ a_j>", "units": "1"},
            ),
            "P_re": (
                ("time", "mode", "mode2"),
                P.real,
                {"long_name": "Re <a_i a_j>", "units": "1"},
            ),
            "P_im": (
                ("time", "mode", "mode2"),
                P.imag,
                {"long_name": "Im <a_i a_j>", "units": "1"},
            ),
        },
        coords={
            "time": ("time", t, {"long_name": "time", "units": tu}),
            "mode": ("mode", list(m.modes), {"long_name": "mode", "units": "1"}),
            "mode2": ("mode2", list(m.modes), {"long_name": "second mode index", "units": "1"}),
            "omega": ("mode", m.omega, {"long_name": "mode energy quantum", "units": eu}),
        },
        attrs={
            "model": system.model.name,
            "method": "matrix exponential of the augmented moment generator (collective.linear)",
            "parameters": repr(system.values(values)),
            **_provenance(),
        },
    )
    return ds


@dataclass(frozen=True, slots=True, kw_only=True)
class LinearSteadyState:
    """Steady state of a linear model: ``alpha``, ``N`` (``<a_i^+ a_j>``) and the stability flag.
    For an unstable drift (spectral abscissa >= 0) the entries are NaN and ``stable`` is False."""

    modes: tuple[str, ...]
    alpha: np.ndarray
    N: np.ndarray
    stable: bool
    spectral_abscissa: float
    omega: np.ndarray

    def n(self, mode: str) -> float:
        return float(self.N[self.modes.index(mode), self.modes.index(mode)].real)

    def energy(self, mode: str) -> float:
        i = self.modes.index(mode)
        return float(self.omega[i] * self.N[i, i].real)


def steady_state_linear(
    system: LinearSystem | Model, values: Mapping[str, float] | None = None
) -> LinearSteadyState:
    r"""Stationary :math:`\alpha = -M^{-1}f` and :math:`N` from the Lyapunov equation
    :math:`M^*N + NM^T = -(\alpha^*f^T + f^*\alpha^T + (\Gamma^\uparrow)^T)`."""
    if isinstance(system, Model):
        system = linear_system(system)
    m = system.numeric(**dict(values or {}))
    sa = spectral_abscissa(m.drift)
    n = m.n
    if not sa < 0:
        nan = np.full(n, np.nan + 0j)
        return LinearSteadyState(
            modes=m.modes,
            alpha=nan,
            N=np.full((n, n), np.nan + 0j),
            stable=False,
            spectral_abscissa=sa,
            omega=m.omega,
        )
    alpha = np.linalg.solve(m.drift, -m.drive)
    Q = np.outer(alpha.conj(), m.drive) + np.outer(m.drive.conj(), alpha) + m.gain.T
    N = sla.solve_continuous_lyapunov(m.drift.conj(), -Q)
    return LinearSteadyState(
        modes=m.modes, alpha=alpha, N=N, stable=True, spectral_abscissa=sa, omega=m.omega
    )


def ep_roots_2x2(
    system: LinearSystem | Model, name: str, values: Mapping[str, float] | None = None
) -> np.ndarray:
    r"""Values of parameter ``name`` at which a 2x2 drift has an exceptional point.

    The discriminant :math:`D = ((M_{11}-M_{22})/2)^2 + M_{12}M_{21}` vanishes at an EP (the two
    eigenvalues :math:`(M_{11}+M_{22})/2 \pm\sqrt{D}` coalesce, and the matrix is then a Jordan block
    unless it is a multiple of the identity).  When the drift entries are affine in ``name`` (a
    coupling, a rate, a detuning), :math:`D` is a quadratic polynomial in it; its coefficients are
    read exactly from three evaluations of the model's drift and its (complex) roots returned.
    Real parameters correspond to roots with negligible imaginary part.
    """
    if isinstance(system, Model):
        system = linear_system(system)
    if system.n != 2:
        raise ModelError(
            f"`system` must have exactly 2 modes for ep_roots_2x2, got {list(system.modes)}"
        )
    sym = {p.name: p.symbol for p in system.model.parameters}
    if name not in sym:
        raise ModelError(
            f"`name` must be a parameter of the model {sorted(sym)}, got {describe(name)}"
        )
    x = sym[name]
    for e in system.drift:
        e = sp.expand(e)
        if e.has(x) and not (e.is_polynomial(x) and sp.degree(e, x) <= 1):
            raise ModelError(
                f"the drift is not affine in `{name}`; ep_roots_2x2 needs affine entries"
            )
    base = dict(values or {})
    D = []
    for xv in (0.0, 1.0, -1.0):
        M = system.numeric(**{**base, name: xv}).drift
        D.append(((M[0, 0] - M[1, 1]) / 2) ** 2 + M[0, 1] * M[1, 0])
    c0 = D[0]
    c2 = (D[1] + D[2]) / 2 - c0
    c1 = (D[1] - D[2]) / 2
    if abs(c2) < 1e-300:
        return np.array([-c0 / c1]) if abs(c1) > 1e-300 else np.array([], complex)
    return np.roots([c2, c1, c0])
