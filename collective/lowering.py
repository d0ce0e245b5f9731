r"""Lower closed moment equations to numeric term tables with a real state vector.

Every complex variable ``<M>`` (with ``<M^*> = <M>^*``) is split into real and imaginary parts; real
moments keep one component (self-conjugate ones, and, in equations reduced by exchangeable
ensembles, those whose conjugate is a permutation of themselves, e.g. ``<sm_B1 sp_B2>``).  Each closed right-hand side
``sum_t c_t(p) prod_k v_{t,k}`` becomes, after expanding the products of ``(re + i im)`` factors,
a list of real terms ``coef[cidx] * prod_k y[fac[t, k]]`` added to ``dy[out[t]]``.

The table (``out``, ``cidx``, ``fac``) depends on the model's structure only; the coefficient vector
depends on parameter values and is refilled for each sweep point, so one compiled kernel
(:mod:`collective.integrate`) serves every model and every parameter point.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from math import comb, factorial

import numpy as np
import sympy as sp

from .cumulants import Equations, Moment
from .errors import ModelError
from .model import InitialState, Model

__all__ = ["Lowered", "lower"]


@dataclass(frozen=True, eq=False)
class Lowered:
    """Numeric tables of a closed system (see module docstring)."""

    equations: Equations
    param_names: tuple[str, ...]
    components: tuple[tuple[int, int], ...]  # per variable: (re index, im index or -1)
    names: tuple[str, ...]  # per real component
    out: np.ndarray
    cidx: np.ndarray
    fac: np.ndarray
    coef_exprs: tuple[sp.Expr, ...]
    _fn: object = field(repr=False)

    def tables(self) -> tuple:
        """Everything but the compiled coefficient function (picklable)."""
        return (
            self.equations,
            self.param_names,
            self.components,
            self.names,
            self.out,
            self.cidx,
            self.fac,
            self.coef_exprs,
        )

    @classmethod
    def from_tables(cls, tables: tuple) -> Lowered:
        return _build(*tables)

    @property
    def labels(self) -> tuple[tuple[str, str, str], ...]:
        """Per real component: (variable name, long name, moment label)."""
        if not hasattr(self, "_labels_cache"):
            out = []
            for v, (re, im) in zip(self.equations.variables, self.components):
                lab = v.label()
                if im < 0:
                    out.append((self.names[re], lab, lab))
                else:
                    out.append((self.names[re], f"Re {lab}", lab))
                    out.append((self.names[im], f"Im {lab}", lab))
            object.__setattr__(self, "_labels_cache", tuple(out))
        return self._labels_cache  # type: ignore[attr-defined]

    @property
    def n(self) -> int:
        return len(self.names)

    @property
    def n_terms(self) -> int:
        return int(self.out.shape[0])

    def coefficients(self, values: Mapping[str, float]) -> np.ndarray:
        """Coefficient vector for one parameter point (``values`` must hold every ``param_names``)."""
        missing = [p for p in self.param_names if p not in values]
        if missing:
            raise ModelError(f"parameter values missing for {missing}")
        args = [float(values[p]) for p in self.param_names]
        return np.asarray(self._fn(*args), dtype=float).reshape(-1)

    def coefficient_matrix(self, points: Sequence[Mapping[str, float]]) -> np.ndarray:
        """Coefficients of many points, shape ``(len(points), n_coef)``."""
        P = len(points)
        cols = [np.array([float(pt[p]) for pt in points]) for p in self.param_names]
        vals = self._fn(*cols) if cols else self._fn()
        out = np.empty((P, len(self.coef_exprs)))
        for k, v in enumerate(vals):
            out[:, k] = v  # broadcasts constants
        return out

    def evaluate(self, coef: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """``f(y)`` for states ``Y`` of shape ``(..., n)`` with numpy (vectorised over the leading
        axes; no compiled kernel needed).  ``coef`` is one coefficient vector."""
        Y = np.asarray(Y, dtype=float)
        vals = np.broadcast_to(np.asarray(coef)[self.cidx], Y.shape[:-1] + self.cidx.shape).copy()
        for k in range(self.fac.shape[1]):
            col = self.fac[:, k]
            use = col >= 0
            vals[..., use] *= Y[..., col[use]]
        dY = np.zeros(Y.shape)
        np.add.at(np.moveaxis(dY, -1, 0), self.out, np.moveaxis(vals, -1, 0))
        return dY

    def component(self, moment: Moment) -> tuple[int, int, bool]:
        """``(re_index, im_index, conjugated)`` of a moment in the real state vector."""
        i, cj = self.equations.index(moment)
        re, im = self.components[i]
        return re, im, cj

    def initial_state(
        self, model: Model, initial: InitialState, values: Mapping[str, float] | None = None
    ) -> np.ndarray:
        """Real state vector of an uncorrelated product initial state (exact moments)."""
        initial.check(model)
        y = np.zeros(self.n)
        for v, (re, im) in zip(self.equations.variables, self.components):
            val = product_moment(v, initial)
            y[re] = val.real
            if im >= 0:
                y[im] = val.imag
        return y


def product_moment(m: Moment, initial: InitialState) -> complex:
    """Expectation of a canonical moment in an uncorrelated product state."""
    val = 1 + 0j
    for e, p, mm, z in m.spins:
        sx, sy, sz = initial.bloch(e)
        val *= ((sx + 1j * sy) / 2) ** p * ((sx - 1j * sy) / 2) ** mm * sz**z
    for b, p, q in m.bosons:
        alpha, nth = initial.mode_state(b)
        tot = 0j
        for k in range(min(p, q) + 1):
            tot += (
                comb(p, k)
                * comb(q, k)
                * factorial(k)
                * nth**k
                * alpha.conjugate() ** (p - k)
                * alpha ** (q - k)
            )
        val *= tot
    return val


def lower(eqs: Equations, param_names: Sequence[str] | None = None) -> Lowered:
    """Lower closed equations to real term tables.

    ``param_names`` fixes the argument order of the coefficient function (default: the sorted
    names of every symbol in the equations, parameters and ``N_<ensemble>``)."""
    syms = {s.name: s for s in eqs.symbols}
    if param_names is None:
        param_names = tuple(sorted(syms))
    else:
        param_names = tuple(param_names)
        missing = sorted(set(syms) - set(param_names))
        if missing:
            raise ModelError(f"`param_names` lacks symbols used by the equations: {missing}")
    components: list[tuple[int, int]] = []
    names: list[str] = []
    for k, v in enumerate(eqs.variables):
        if eqs.is_real(k):  # self-conjugate (or conjugate to a permutation of itself)
            components.append((len(names), -1))
            names.append(v.name())
        else:
            components.append((len(names), len(names) + 1))
            names += [f"re_{v.name()}", f"im_{v.name()}"]
    reim_cache: dict[sp.Expr, tuple[sp.Expr, sp.Expr]] = {}

    def reim(c: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
        if c not in reim_cache:
            r, i = c.as_real_imag()
            reim_cache[c] = (sp.expand(r), sp.expand(i))
        return reim_cache[c]

    acc: dict[tuple[int, tuple[int, ...]], sp.Expr] = defaultdict(lambda: sp.S.Zero)
    for k, terms in enumerate(eqs.rhs):
        re_out, im_out = components[k]
        for c, factors in terms:
            # options per factor: (component index, unit as power of i)
            opts = []
            for idx, cj in factors:
                r, i = components[idx]
                opts.append([(r, 0)] if i < 0 else [(r, 0), (i, 3 if cj else 1)])
            cr, ci = reim(c)
            for choice in _product(opts):
                mono = tuple(sorted(j for j, _ in choice))
                u = sum(p for _, p in choice) % 4  # c * i^u
                # Re(c i^u), Im(c i^u)
                re_part, im_part = [(cr, ci), (-ci, cr), (-cr, -ci), (ci, -cr)][u]
                if re_part != 0:
                    acc[(re_out, mono)] += re_part
                if im_out >= 0 and im_part != 0:
                    acc[(im_out, mono)] += im_part
    exprs: dict[sp.Expr, int] = {}
    rows = []
    for (o, mono), c in sorted(acc.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        c = sp.expand(c)
        if c == 0:
            continue
        if c not in exprs:
            exprs[c] = len(exprs)
        rows.append((o, exprs[c], mono))
    D = max((len(m) for _, _, m in rows), default=0)
    T = len(rows)
    out = np.empty(T, dtype=np.int64)
    cidx = np.empty(T, dtype=np.int64)
    fac = -np.ones((T, max(D, 1)), dtype=np.int64)
    for t, (o, ci_, mono) in enumerate(rows):
        out[t], cidx[t] = o, ci_
        fac[t, : len(mono)] = mono
    expr_list = tuple(exprs)
    return _build(eqs, param_names, tuple(components), tuple(names), out, cidx, fac, expr_list)


def _build(eqs, param_names, components, names, out, cidx, fac, expr_list) -> Lowered:
    """Assemble a :class:`Lowered` from its tables (also used to restore the on-disk cache)."""
    syms = {s.name: s for s in eqs.symbols}
    arg_syms = [syms.get(p, sp.Symbol(p, real=True)) for p in param_names]
    fn = sp.lambdify(arg_syms, list(expr_list), modules="numpy") if expr_list else (lambda *a: [])
    return Lowered(
        equations=eqs,
        param_names=tuple(param_names),
        components=tuple(components),
        names=tuple(names),
        out=out,
        cidx=cidx,
        fac=fac,
        coef_exprs=expr_list,
        _fn=fn,
    )


def _product(opts):
    if not opts:
        yield ()
        return
    first, rest = opts[0], opts[1:]
    for a in first:
        for r in _product(rest):
            yield (a,) + r
