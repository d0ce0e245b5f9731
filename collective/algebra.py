"""Operator algebra on named spin ensembles and bosonic modes.

Two levels:

* :class:`Op` -- the user level: a non-commutative polynomial in *collective* generators
  (``J^+_e, J^-_e, J^z_e`` of spin ensemble ``e``; ``a_m, a_m^\\dagger`` of mode ``m``) with sympy
  coefficients.  Models are written with these.
* :class:`SiteTerm` / site expressions -- the resolved level: products of single-site Pauli operators
  ``sigma^+_{e,i}, sigma^-_{e,i}, sigma^z_{e,i}`` on labelled sites and normal-ordered boson monomials
  ``(a^\\dagger)^p a^q``.  Products are reduced with the Pauli algebra on coincident sites and Wick's
  theorem for bosons, so every site expression is in canonical form.

Conventions: ``sigma^+ = |e><g|``, ``sigma^z = |e><e| - |g><g|``, ``J^\\pm = sum_i sigma^\\pm_i``,
``J^z = (1/2) sum_i sigma^z_i`` (as in Dias et al. 2024, Eq. (1)).

This module has no numerical dependencies beyond sympy (numpy only for matrix representations used
by tests and the exact layer).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from math import comb, factorial

import numpy as np
import sympy as sp

from .errors import ModelError, describe

__all__ = [
    "Gen",
    "Op",
    "Jp",
    "Jm",
    "Jz",
    "destroy",
    "create",
    "SiteTerm",
    "site_product",
    "site_matrix",
    "op_matrix",
    "expand_to_sites",
    "commutator",
]

SPIN_KINDS = ("J+", "J-", "Jz")
BOSON_KINDS = ("a", "ad")
_ADJOINT_KIND = {"J+": "J-", "J-": "J+", "Jz": "Jz", "a": "ad", "ad": "a"}

Scalar = int | float | complex | sp.Expr


def _sym(c: Scalar) -> sp.Expr:
    return sp.sympify(c) if not isinstance(c, sp.Basic) else c


# --------------------------------------------------------------------------------------------------
# user level: collective generators
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, order=True)
class Gen:
    """A collective generator: ``kind`` in ``J+ J- Jz`` (ensemble) or ``a ad`` (mode) on ``space``."""

    kind: str
    space: str

    def __post_init__(self) -> None:
        if self.kind not in SPIN_KINDS + BOSON_KINDS:
            raise ModelError(
                f"`kind` must be one of {SPIN_KINDS + BOSON_KINDS}, got {describe(self.kind)}"
            )
        if not isinstance(self.space, str) or not self.space:
            raise ModelError(f"`space` must be a non-empty name, got {describe(self.space)}")

    @property
    def is_spin(self) -> bool:
        return self.kind in SPIN_KINDS

    def adjoint(self) -> Gen:
        return Gen(_ADJOINT_KIND[self.kind], self.space)

    @property
    def charge(self) -> int:
        """U(1) excitation charge: +1 raises an excitation, -1 lowers one, 0 conserves."""
        return {"J+": 1, "ad": 1, "J-": -1, "a": -1, "Jz": 0}[self.kind]

    def __str__(self) -> str:
        names = {"J+": "J^+", "J-": "J^-", "Jz": "J^z", "a": "a", "ad": "a^†"}
        return f"{names[self.kind]}_{self.space}"


class Op:
    """Non-commutative polynomial in collective generators with sympy coefficients.

    Build with :func:`Jp`, :func:`Jm`, :func:`Jz`, :func:`destroy`, :func:`create` and ``+ - *``.
    ``op.dag()`` is the adjoint.  Instances are immutable.
    """

    __slots__ = ("_terms",)

    def __init__(self, terms: Mapping[tuple[Gen, ...], Scalar] | None = None) -> None:
        clean: dict[tuple[Gen, ...], sp.Expr] = {}
        for word, c in (terms or {}).items():
            c = _sym(c)
            if c != 0:
                # generators on different spaces commute: stable sort by space (keeps the order
                # within a space), so equal operators have equal words
                w = tuple(sorted(word, key=lambda g: g.space))
                clean[w] = clean.get(w, sp.S.Zero) + c
        self._terms = {w: c for w, c in ((w, sp.expand(c)) for w, c in clean.items()) if c != 0}

    # construction -----------------------------------------------------------------------------
    @classmethod
    def scalar(cls, c: Scalar) -> Op:
        return cls({(): c})

    @property
    def terms(self) -> dict[tuple[Gen, ...], sp.Expr]:
        return dict(self._terms)

    def __iter__(self):
        return iter(self._terms.items())

    def __len__(self) -> int:
        return len(self._terms)

    def _coerce(self, other: object) -> Op:
        if isinstance(other, Op):
            return other
        if isinstance(other, (int, float, complex, sp.Basic)):
            return Op.scalar(other)
        raise ModelError(f"cannot combine an operator with {describe(other)}")

    def __add__(self, other: object) -> Op:
        o = self._coerce(other)
        acc: dict = defaultdict(lambda: sp.S.Zero)
        for w, c in self._terms.items():
            acc[w] += c
        for w, c in o._terms.items():
            acc[w] += c
        return Op({w: sp.expand(c) for w, c in acc.items()})

    __radd__ = __add__

    def __neg__(self) -> Op:
        return Op({w: -c for w, c in self._terms.items()})

    def __sub__(self, other: object) -> Op:
        return self + (-self._coerce(other))

    def __rsub__(self, other: object) -> Op:
        return self._coerce(other) - self

    def __mul__(self, other: object) -> Op:
        o = self._coerce(other)
        acc: dict = defaultdict(lambda: sp.S.Zero)
        for w1, c1 in self._terms.items():
            for w2, c2 in o._terms.items():
                acc[w1 + w2] += c1 * c2
        return Op(acc)

    def __rmul__(self, other: object) -> Op:
        return self._coerce(other) * self

    def __pow__(self, n: int) -> Op:
        if not isinstance(n, int) or n < 0:
            raise ModelError(f"`n` must be a non-negative integer power, got {describe(n)}")
        out = Op.scalar(1)
        for _ in range(n):
            out = out * self
        return out

    def dag(self) -> Op:
        """Adjoint: reverse each word, adjoint each generator, conjugate each coefficient."""
        return Op(
            {
                tuple(g.adjoint() for g in reversed(w)): sp.conjugate(c)
                for w, c in self._terms.items()
            }
        )

    adjoint = dag

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Op):
            return NotImplemented
        return (self - other)._is_zero()

    def __hash__(self) -> int:
        return hash(frozenset((w, sp.srepr(c)) for w, c in self._terms.items()))

    def _is_zero(self) -> bool:
        return all(sp.simplify(c) == 0 for c in self._terms.values())

    # inspection -------------------------------------------------------------------------------
    @property
    def spaces(self) -> set[str]:
        return {g.space for w in self._terms for g in w}

    @property
    def generators(self) -> set[Gen]:
        return {g for w in self._terms for g in w}

    @property
    def free_symbols(self) -> set[sp.Symbol]:
        out: set[sp.Symbol] = set()
        for c in self._terms.values():
            out |= c.free_symbols
        return out

    def charges(self) -> set[int]:
        """The set of U(1) charges of the words (a homogeneous operator has exactly one)."""
        return {sum(g.charge for g in w) for w in self._terms}

    def degree(self) -> int:
        return max((len(w) for w in self._terms), default=0)

    def __repr__(self) -> str:
        if not self._terms:
            return "0"
        parts = []
        for w, c in sorted(self._terms.items(), key=lambda t: (len(t[0]), t[0])):
            word = " ".join(str(g) for g in w) if w else "1"
            parts.append(f"({c})*{word}" if w else f"({c})")
        return " + ".join(parts)


def Jp(ensemble: str) -> Op:
    """Collective raising operator ``J^+ = sum_i sigma^+_i`` of ``ensemble``."""
    return Op({(Gen("J+", ensemble),): 1})


def Jm(ensemble: str) -> Op:
    """Collective lowering operator ``J^- = sum_i sigma^-_i`` of ``ensemble``."""
    return Op({(Gen("J-", ensemble),): 1})


def Jz(ensemble: str) -> Op:
    """Collective inversion ``J^z = (1/2) sum_i sigma^z_i`` of ``ensemble``."""
    return Op({(Gen("Jz", ensemble),): 1})


def destroy(mode: str) -> Op:
    """Annihilation operator ``a`` of bosonic ``mode``."""
    return Op({(Gen("a", mode),): 1})


def create(mode: str) -> Op:
    """Creation operator ``a^dagger`` of bosonic ``mode``."""
    return Op({(Gen("ad", mode),): 1})


def commutator(x: Op, y: Op) -> Op:
    """``[x, y] = x y - y x`` at the user level (not reduced; reduce with :func:`expand_to_sites`)."""
    return x * y - y * x


# --------------------------------------------------------------------------------------------------
# site level
# --------------------------------------------------------------------------------------------------
# Pauli products on one site: (left, right) -> list of (coefficient, op or None for identity)
_PAULI: dict[tuple[str, str], tuple[tuple[int | sp.Rational, str | None], ...]] = {
    ("+", "+"): (),
    ("-", "-"): (),
    ("+", "-"): ((sp.Rational(1, 2), None), (sp.Rational(1, 2), "z")),
    ("-", "+"): ((sp.Rational(1, 2), None), (sp.Rational(-1, 2), "z")),
    ("z", "+"): ((1, "+"),),
    ("+", "z"): ((-1, "+"),),
    ("z", "-"): ((-1, "-"),),
    ("-", "z"): ((1, "-"),),
    ("z", "z"): ((1, None),),
}
_SITE_ADJ = {"+": "-", "-": "+", "z": "z"}


@dataclass(frozen=True, slots=True)
class SiteTerm:
    """Canonical product: Pauli operators on distinct labelled sites times boson monomials.

    ``spins``: sorted tuple of ``(ensemble, site, op)`` with ``op`` in ``+ - z`` and at most one
    operator per ``(ensemble, site)``; ``bosons``: sorted tuple of ``(mode, p, q)`` meaning
    ``(a^dagger)^p a^q`` with ``p + q > 0``.
    """

    spins: tuple[tuple[str, int, str], ...] = ()
    bosons: tuple[tuple[str, int, int], ...] = ()

    def adjoint(self) -> SiteTerm:
        return SiteTerm(
            tuple((e, s, _SITE_ADJ[o]) for e, s, o in self.spins),
            tuple((m, q, p) for m, p, q in self.bosons),
        )

    @property
    def order(self) -> int:
        return len(self.spins) + sum(p + q for _, p, q in self.bosons)


def site_product(x: SiteTerm, y: SiteTerm) -> list[tuple[sp.Expr, SiteTerm]]:
    """Product ``x y`` reduced to a sum of canonical site terms."""
    # spins: merge site by site
    spin_opts: list[list[tuple[sp.Expr, tuple[str, int, str] | None]]] = []
    xs = {(e, s): o for e, s, o in x.spins}
    ys = {(e, s): o for e, s, o in y.spins}
    for key in sorted(set(xs) | set(ys)):
        if key in xs and key in ys:
            prods = _PAULI[(xs[key], ys[key])]
            if not prods:
                return []
            spin_opts.append(
                [(sp.sympify(c), None if o is None else (key[0], key[1], o)) for c, o in prods]
            )
        else:
            o = xs.get(key, ys.get(key))
            spin_opts.append([(sp.S.One, (key[0], key[1], o))])
    # bosons: Wick reordering a^q1 (a^dag)^p2 for each mode
    xb = {m: (p, q) for m, p, q in x.bosons}
    yb = {m: (p, q) for m, p, q in y.bosons}
    boson_opts: list[list[tuple[sp.Expr, tuple[str, int, int] | None]]] = []
    for m in sorted(set(xb) | set(yb)):
        p1, q1 = xb.get(m, (0, 0))
        p2, q2 = yb.get(m, (0, 0))
        opts = []
        for k in range(min(q1, p2) + 1):
            c = comb(q1, k) * comb(p2, k) * factorial(k)
            p, q = p1 + p2 - k, q1 + q2 - k
            opts.append((sp.Integer(c), (m, p, q) if p + q > 0 else None))
        boson_opts.append(opts)
    out: list[tuple[sp.Expr, SiteTerm]] = [(sp.S.One, SiteTerm())]
    for opts in spin_opts:
        out = [
            (c0 * c, SiteTerm(t.spins + ((f,) if f else ()), t.bosons))
            for c0, t in out
            for c, f in opts
        ]
    for opts in boson_opts:
        out = [
            (c0 * c, SiteTerm(t.spins, t.bosons + ((f,) if f else ())))
            for c0, t in out
            for c, f in opts
        ]
    return out


def expand_to_sites(op: Op, sizes: Mapping[str, int]) -> dict[SiteTerm, sp.Expr]:
    """Expand a user-level operator over explicit sites ``0..N-1`` of each ensemble (small N only).

    Used by tests and by anything that needs the fully resolved form of an operator.
    """
    acc: dict[SiteTerm, sp.Expr] = defaultdict(lambda: sp.S.Zero)
    for word, coeff in op:
        partial: list[tuple[sp.Expr, SiteTerm]] = [(coeff, SiteTerm())]
        for g in word:
            factors = _gen_site_terms(g, sizes)
            new: list[tuple[sp.Expr, SiteTerm]] = []
            for c0, t in partial:
                for cf, f in factors:
                    for c, r in site_product(t, f):
                        new.append((c0 * cf * c, r))
            partial = new
        for c, t in partial:
            acc[t] += c
    return {t: sp.expand(c) for t, c in acc.items() if sp.expand(c) != 0}


def _gen_site_terms(g: Gen, sizes: Mapping[str, int]) -> list[tuple[sp.Expr, SiteTerm]]:
    if g.is_spin:
        if g.space not in sizes:
            raise ModelError(f"ensemble {g.space!r} has no size in `sizes` {dict(sizes)}")
        op = {"J+": "+", "J-": "-", "Jz": "z"}[g.kind]
        c = sp.Rational(1, 2) if g.kind == "Jz" else sp.S.One
        return [(c, SiteTerm(((g.space, i, op),))) for i in range(int(sizes[g.space]))]
    p, q = (1, 0) if g.kind == "ad" else (0, 1)
    return [(sp.S.One, SiteTerm((), ((g.space, p, q),)))]


# --------------------------------------------------------------------------------------------------
# matrix representations (tests, exact layer)
# --------------------------------------------------------------------------------------------------
_PAULI_MAT = {
    "+": np.array([[0, 1], [0, 0]], dtype=complex),  # basis (|e>, |g>)
    "-": np.array([[0, 0], [1, 0]], dtype=complex),
    "z": np.array([[1, 0], [0, -1]], dtype=complex),
}


def _boson_mats(cutoff: int) -> tuple[np.ndarray, np.ndarray]:
    a = np.diag(np.sqrt(np.arange(1, cutoff, dtype=float)), 1).astype(complex)
    return a, a.conj().T


def site_matrix(
    term: SiteTerm,
    sizes: Mapping[str, int],
    cutoffs: Mapping[str, int] | None = None,
) -> np.ndarray:
    """Dense matrix of a site term on ``prod_e 2^{N_e} x prod_m cutoff_m`` (ensembles, then modes,
    each in sorted name order; spins in basis ``|e>, |g>``)."""
    cutoffs = dict(cutoffs or {})
    ops = {(e, s): o for e, s, o in term.spins}
    mats: list[np.ndarray] = []
    for e in sorted(sizes):
        for i in range(int(sizes[e])):
            o = ops.get((e, i))
            mats.append(_PAULI_MAT[o] if o else np.eye(2, dtype=complex))
    bos = {m: (p, q) for m, p, q in term.bosons}
    for m in sorted(cutoffs):
        a, ad = _boson_mats(cutoffs[m])
        p, q = bos.get(m, (0, 0))
        mats.append(np.linalg.matrix_power(ad, p) @ np.linalg.matrix_power(a, q))
    out = np.ones((1, 1), dtype=complex)
    for mat in mats:
        out = np.kron(out, mat)
    return out


def op_matrix(
    op: Op,
    sizes: Mapping[str, int],
    cutoffs: Mapping[str, int] | None = None,
    values: Mapping[sp.Symbol | str, complex] | None = None,
) -> np.ndarray:
    """Dense matrix of a user-level operator by direct products of generator matrices (no
    reduction), in the same basis as :func:`site_matrix`.  ``values`` substitutes symbols."""
    cutoffs = dict(cutoffs or {})
    dims_spin = {e: 2 ** int(sizes[e]) for e in sizes}
    total = int(
        np.prod([dims_spin[e] for e in sorted(sizes)] + [cutoffs[m] for m in sorted(cutoffs)])
    )

    def gen_matrix(g: Gen) -> np.ndarray:
        terms = _gen_site_terms(g, sizes) if g.is_spin else None
        if g.is_spin:
            return sum(complex(c) * site_matrix(t, sizes, cutoffs) for c, t in terms)
        if g.space not in cutoffs:
            raise ModelError(f"mode {g.space!r} has no cutoff in `cutoffs` {cutoffs}")
        t = SiteTerm((), ((g.space, 1, 0) if g.kind == "ad" else (g.space, 0, 1),))
        return site_matrix(t, sizes, cutoffs)

    vals = {(k if isinstance(k, str) else k.name): v for k, v in (values or {}).items()}
    out = np.zeros((total, total), dtype=complex)
    cache: dict[Gen, np.ndarray] = {}
    for word, c in op:
        mat = np.eye(total, dtype=complex)
        for g in word:
            if g not in cache:
                cache[g] = gen_matrix(g)
            mat = mat @ cache[g]
        out += _numeric(c, vals) * mat
    return out


def _numeric(c: sp.Expr, vals: Mapping[str, complex]) -> complex:
    """Evaluate a coefficient, substituting symbols by name."""
    c = sp.sympify(c)
    missing = sorted(s.name for s in c.free_symbols if s.name not in vals)
    if missing:
        raise ModelError(f"`values` lacks the symbols {missing}")
    return complex(sp.N(c.xreplace({s: vals[s.name] for s in c.free_symbols})))


def site_expr_matrix(
    expr: Mapping[SiteTerm, sp.Expr] | Iterable[tuple[sp.Expr, SiteTerm]],
    sizes: Mapping[str, int],
    cutoffs: Mapping[str, int] | None = None,
    values: Mapping[sp.Symbol | str, complex] | None = None,
) -> np.ndarray:
    """Dense matrix of a site expression (mapping term -> coefficient)."""
    items = expr.items() if isinstance(expr, Mapping) else ((t, c) for c, t in expr)
    vals = {(k if isinstance(k, str) else k.name): v for k, v in (values or {}).items()}
    out = None
    for t, c in items:
        m = _numeric(c, vals) * site_matrix(t, sizes, cutoffs)
        out = m if out is None else out + m
    if out is None:
        dim = int(
            np.prod([2 ** int(sizes[e]) for e in sizes] + [v for v in (cutoffs or {}).values()])
        )
        out = np.zeros((dim, dim), dtype=complex)
    return out
