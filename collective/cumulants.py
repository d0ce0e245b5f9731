r"""Symbolic cumulant (moment) equations for site-symmetric spin ensembles and bosonic modes.

Moments of identical spins are canonicalised by site symmetry: with a permutation-invariant model and
initial state, ``<sigma^+_{C,1} sigma^-_{C,2} sigma^z_{B,1}>`` depends only on *how many* operators of
each kind act on distinct sites of each ensemble.  A :class:`Moment` is therefore a tuple of counts
``(n_+, n_-, n_z)`` per ensemble and normal-ordered powers ``(p, q)`` of ``(a^\dagger)^p a^q`` per mode.

The drift of a moment is the adjoint Lindbladian

.. math::
    \frac{d}{dt}\langle X\rangle = \langle i[H, X] + \sum_k \kappa_k \big(O_k^\dagger X O_k
        - \tfrac12\{O_k^\dagger O_k, X\}\big)\rangle ,

where every collective operator ``J = sum_i s_i`` is expanded over sites: each summed index either hits
one of the labelled sites of ``X`` or a *fresh* site; fresh indices are enumerated as set partitions
and carry the exact counting factor ``(N - n)(N - n - 1)...`` (falling factorial).  Terms on fresh
sites that commute with ``X`` cancel exactly (in rational arithmetic).

Closure at order ``k`` sets every joint cumulant of order > ``k`` to zero (``k = 1``: mean field, all
moments factorise; ``k = 2``: third-order cumulants vanish).  Completion starts from the requested
moments and adds every moment the drifts need until the set is closed.  When the model and initial
state are U(1) phase invariant, moments of non-zero excitation charge vanish and are dropped.

Identical ensembles (e.g. the batteries ``B1..Bm`` of Dias et al.) are exchangeable: when a
permutation of ensemble names maps the model onto itself (:meth:`Model.exchangeable_classes`) and
the sizes and the initial state are symmetric too, moments related by that permutation are equal.
``derive(..., symmetry=...)`` then keeps one representative per orbit (:func:`orbit_representative`);
the drift of a representative is the exact drift of that moment, so the reduced equations are the
full ones restricted to symmetric states.

References
----------
Kubo, J. Phys. Soc. Jpn. 17, 1100 (1962) (cumulant expansion); Plankensteiner, Hotter, Ritsch,
Quantum 6, 617 (2022) (QuantumCumulants.jl: automatic completion and ordering conventions);
Dias et al. (2024), ``shared/papers/004_3737e21b5a1ad236.txt`` Eq. (4).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

import sympy as sp

from .algebra import Gen
from .errors import ClosureError, ModelError, describe
from .model import Model, size_symbol

__all__ = [
    "Moment",
    "Equations",
    "derive",
    "symmetry_classes",
    "permutation_representative",
    "orbit_representative",
    "moment_drift",
    "close_moment",
    "latex",
    "sigma_z",
    "sigma_plus",
    "adag_a",
]


# --------------------------------------------------------------------------------------------------
# moments
# --------------------------------------------------------------------------------------------------
class Moment(NamedTuple):
    """Canonical site-symmetric moment.

    ``spins``: sorted tuple of ``(ensemble, n_plus, n_minus, n_z)`` (operators on distinct sites),
    ``bosons``: sorted tuple of ``(mode, p, q)`` for ``(a^dagger)^p a^q``.
    """

    spins: tuple[tuple[str, int, int, int], ...] = ()
    bosons: tuple[tuple[str, int, int], ...] = ()

    @property
    def order(self) -> int:
        return sum(p + m + z for _, p, m, z in self.spins) + sum(p + q for _, p, q in self.bosons)

    @property
    def charge(self) -> int:
        return sum(p - m for _, p, m, _z in self.spins) + sum(p - q for _, p, q in self.bosons)

    def conj(self) -> Moment:
        return Moment(
            tuple((e, m, p, z) for e, p, m, z in self.spins),
            tuple((b, q, p) for b, p, q in self.bosons),
        )

    @property
    def is_real(self) -> bool:
        return self.conj() == self

    def sites(self, ensemble: str) -> int:
        for e, p, m, z in self.spins:
            if e == ensemble:
                return p + m + z
        return 0

    def elements(self) -> list[tuple]:
        """Single-operator factors in canonical order: ``('s', e, op)`` and ``('b', mode, 'ad'|'a')``."""
        out: list[tuple] = []
        for e, p, m, z in self.spins:
            out += [("s", e, "+")] * p + [("s", e, "-")] * m + [("s", e, "z")] * z
        for b, p, q in self.bosons:
            out += [("b", b, "ad")] * p + [("b", b, "a")] * q
        return out

    @staticmethod
    def from_elements(elements: Iterable[tuple]) -> Moment:
        spins: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        bos: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for el in elements:
            if el[0] == "s":
                spins[el[1]]["+-z".index(el[2])] += 1
            else:
                bos[el[1]][0 if el[2] == "ad" else 1] += 1
        return Moment(
            tuple(sorted((e, *v) for e, v in spins.items() if sum(v))),
            tuple(sorted((b, *v) for b, v in bos.items() if sum(v))),
        )

    def label(self) -> str:
        """Plain-text label, e.g. ``<sp_C sm_B1>`` or ``<sp_C1 sm_C2>`` for distinct sites."""
        parts = []
        for e, p, m, z in self.spins:
            n = p + m + z
            ops = ["sp"] * p + ["sm"] * m + ["sz"] * z
            parts += [f"{o}_{e}{i + 1}" if n > 1 else f"{o}_{e}" for i, o in enumerate(ops)]
        for b, p, q in self.bosons:
            parts += [f"ad_{b}"] * p + [f"a_{b}"] * q
        return "<" + " ".join(parts) + ">" if parts else "<1>"

    def name(self) -> str:
        """Identifier-safe name, e.g. ``m_sp_C__sm_B1``."""
        return "m_" + "__".join(self.label()[1:-1].split(" "))

    def latex(self) -> str:
        parts = []
        sym = {"+": r"\sigma^{+}", "-": r"\sigma^{-}", "z": r"\sigma^{z}"}
        for e, p, m, z in self.spins:
            n = p + m + z
            ops = ["+"] * p + ["-"] * m + ["z"] * z
            parts += [
                f"{sym[o]}_{{{e},{i + 1}}}" if n > 1 else f"{sym[o]}_{{{e}}}"
                for i, o in enumerate(ops)
            ]
        for b, p, q in self.bosons:
            parts += [f"{b}^{{\\dagger}}"] * p + [f"{b}"] * q
        return r"\langle " + " ".join(parts) + r" \rangle"


def sigma_z(ensemble: str) -> Moment:
    return Moment(((ensemble, 0, 0, 1),), ())


def sigma_plus(ensemble: str) -> Moment:
    return Moment(((ensemble, 1, 0, 0),), ())


def adag_a(mode: str) -> Moment:
    return Moment((), ((mode, 1, 1),))


# --------------------------------------------------------------------------------------------------
# exchangeable ensembles
# --------------------------------------------------------------------------------------------------
Classes = tuple[tuple[str, ...], ...]


def symmetry_classes(model: Model, symmetry: bool | Iterable[Iterable[str]] | None) -> Classes:
    """Normalise a ``symmetry`` argument to classes of exchangeable ensembles.

    ``None``/``False``: no reduction, ``()``.  ``True``: :meth:`Model.exchangeable_classes`.  A
    sequence of classes (sequences of ensemble names): each class must lie within one class of
    :meth:`Model.exchangeable_classes` (a permutation that is not a symmetry of the model would give
    wrong equations); classes must be disjoint; single-member classes are dropped.  The result lists
    each class in model order, classes ordered by their first member.
    """
    if symmetry is None or symmetry is False:
        return ()
    if symmetry is True:
        return model.exchangeable_classes()
    if isinstance(symmetry, (str, bytes)) or not isinstance(symmetry, Iterable):
        raise ModelError(
            "`symmetry` must be None/False (no reduction), True (the model's exchangeable classes) "
            f"or a sequence of classes of ensemble names, got {describe(symmetry)}"
        )
    order = {e: i for i, e in enumerate(model.ensemble_names)}
    allowed = {e: k for k, cls in enumerate(model.exchangeable_classes()) for e in cls}
    used: set[str] = set()
    out = []
    for cls in symmetry:
        if isinstance(cls, (str, bytes)) or not isinstance(cls, Iterable):
            raise ModelError(
                "`symmetry` classes must be sequences of ensemble names, e.g. [('B1', 'B2')], "
                f"got the class {describe(cls)}"
            )
        members = list(cls)
        unknown = [e for e in members if not isinstance(e, str) or e not in order]
        if unknown:
            raise ModelError(
                f"`symmetry` names unknown ensembles {unknown}; ensembles: {list(order)}"
            )
        if len(set(members)) != len(members) or used & set(members):
            raise ModelError(
                f"`symmetry` classes must be disjoint sets of ensembles, got {describe(symmetry)}"
            )
        used |= set(members)
        if len({allowed.get(e, -1 - order[e]) for e in members}) > 1:
            raise ModelError(
                f"`symmetry` class {members} is not a symmetry of the model: exchangeable classes are "
                f"{[list(c) for c in model.exchangeable_classes()]}"
            )
        if len(members) >= 2:
            out.append(tuple(sorted(members, key=order.__getitem__)))
    return tuple(sorted(out, key=lambda c: order[c[0]]))


@lru_cache(maxsize=200_000)
def permutation_representative(moment: Moment, classes: Classes) -> Moment:
    """Canonical representative of ``moment`` under permutations of ensembles within each class.

    A moment holds at most one entry ``(n_+, n_-, n_z)`` per ensemble, so its orbit under the
    symmetric group of a class is fixed by the multiset of the class members' entries: they are
    sorted (descending) and given to the class members in class order.  No conjugation."""
    if not classes or not moment.spins:
        return moment
    where = {e: k for k, cls in enumerate(classes) for e in cls}
    rest = []
    per_class: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for e, p, m, z in moment.spins:
        k = where.get(e)
        if k is None:
            rest.append((e, p, m, z))
        else:
            per_class[k].append((p, m, z))
    if not per_class:
        return moment
    for k, entries in per_class.items():
        entries.sort(reverse=True)
        rest += [(e, *c) for e, c in zip(classes[k], entries)]
    return Moment(tuple(sorted(rest)), moment.bosons)


def orbit_representative(moment: Moment, classes: Classes = ()) -> Moment:
    """Representative of ``moment`` under class permutations and complex conjugation (the smaller
    of the permutation representatives of ``moment`` and ``moment^*``); with no classes the
    representative of the pair ``{M, M^*}``."""
    return min(
        permutation_representative(moment, classes),
        permutation_representative(moment.conj(), classes),
    )


# --------------------------------------------------------------------------------------------------
# fast site-level products with rational coefficients
# --------------------------------------------------------------------------------------------------
# a term: (spins: dict[(ens, site)] -> op, bosons: dict[mode] -> (p, q)); coefficients are Fractions
_PAULI_F = {
    ("+", "+"): (),
    ("-", "-"): (),
    ("+", "-"): ((Fraction(1, 2), None), (Fraction(1, 2), "z")),
    ("-", "+"): ((Fraction(1, 2), None), (Fraction(-1, 2), "z")),
    ("z", "+"): ((Fraction(1), "+"),),
    ("+", "z"): ((Fraction(-1), "+"),),
    ("z", "-"): ((Fraction(-1), "-"),),
    ("-", "z"): ((Fraction(1), "-"),),
    ("z", "z"): ((Fraction(1), None),),
}


def _mul_right(terms: list, elem: tuple) -> list:
    """Multiply each ``(coef, spins, bosons)`` on the right by one elementary operator."""
    out = []
    if elem[0] == "s":
        _, e, site, op = elem
        key = (e, site)
        for c, spins, bos in terms:
            cur = spins.get(key)
            if cur is None:
                s2 = dict(spins)
                s2[key] = op
                out.append((c, s2, bos))
            else:
                for f, res in _PAULI_F[(cur, op)]:
                    s2 = dict(spins)
                    if res is None:
                        del s2[key]
                    else:
                        s2[key] = res
                    out.append((c * f, s2, bos))
    else:
        _, mode, kind = elem
        for c, spins, bos in terms:
            p, q = bos.get(mode, (0, 0))
            if kind == "a":
                b2 = dict(bos)
                b2[mode] = (p, q + 1)
                out.append((c, spins, b2))
            else:  # (ad)^p a^q ad = (ad)^{p+1} a^q + q (ad)^p a^{q-1}
                b2 = dict(bos)
                b2[mode] = (p + 1, q)
                out.append((c, spins, b2))
                if q:
                    b3 = dict(bos)
                    if p == 0 and q == 1:
                        del b3[mode]
                    else:
                        b3[mode] = (p, q - 1)
                    out.append((c * q, spins, b3))
    return out


def _term_moment(spins: dict, bos: dict) -> Moment:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (e, _s), op in spins.items():
        counts[e]["+-z".index(op)] += 1
    return Moment(
        tuple(sorted((e, *v) for e, v in counts.items())),
        tuple(sorted((b, p, q) for b, (p, q) in bos.items() if p + q)),
    )


def _representative(m: Moment) -> list[tuple]:
    """Elementary operators of a labelled representative of ``m`` (sites 0, 1, ... per ensemble)."""
    out: list[tuple] = []
    for e, p, mm, z in m.spins:
        ops = ["+"] * p + ["-"] * mm + ["z"] * z
        out += [("s", e, i, o) for i, o in enumerate(ops)]
    for b, p, q in m.bosons:
        out += [("b", b, "ad")] * p + [("b", b, "a")] * q
    return out


_GEN_SITE = {"J+": ("+", Fraction(1)), "J-": ("-", Fraction(1)), "Jz": ("z", Fraction(1, 2))}


def _expand_word(
    factors: Sequence, labelled: dict[str, int]
) -> list[tuple[Fraction, tuple, Moment]]:
    """Expand a product of factors into canonical moments.

    ``factors``: sequence of ``Gen`` (collective: summed over sites), ``('fixed', elems)`` (an
    explicit labelled product) or ``('site', e, site, op)`` (one labelled site operator).
    Returns ``(rational, counting_signature, moment)`` with ``counting_signature`` a sorted tuple of
    ``(ensemble, n_labelled, n_fresh)`` meaning the falling factorial
    ``(N_e - n_labelled)(N_e - n_labelled - 1)...`` with ``n_fresh`` factors.
    """
    spin_slots = [i for i, f in enumerate(factors) if isinstance(f, Gen) and f.is_spin]
    results: list[tuple[Fraction, tuple, Moment]] = []

    def assignments(k: int, fresh_used: dict[str, int], chosen: list):
        if k == len(spin_slots):
            yield list(chosen), dict(fresh_used)
            return
        g: Gen = factors[spin_slots[k]]
        e = g.space
        n_lab = labelled.get(e, 0)
        nf = fresh_used.get(e, 0)
        for site in range(n_lab + nf + 1):
            chosen.append(site)
            if site == n_lab + nf:
                fresh_used[e] = nf + 1
                yield from assignments(k + 1, fresh_used, chosen)
                fresh_used[e] = nf
            else:
                yield from assignments(k + 1, fresh_used, chosen)
            chosen.pop()

    for sites, fresh in assignments(0, {}, []):
        terms = [(Fraction(1), {}, {})]
        slot = 0
        for f in factors:
            if isinstance(f, Gen):
                if f.is_spin:
                    op, c = _GEN_SITE[f.kind]
                    terms = _mul_right(terms, ("s", f.space, sites[slot], op))
                    if c != 1:
                        terms = [(cc * c, s, b) for cc, s, b in terms]
                    slot += 1
                else:
                    terms = _mul_right(terms, ("b", f.space, f.kind))
            elif f[0] == "fixed":
                for el in f[1]:
                    terms = _mul_right(terms, el)
            else:  # ('site', e, site, op)
                terms = _mul_right(terms, ("s", f[1], f[2], f[3]))
            if not terms:
                break
        sig = tuple(sorted((e, labelled.get(e, 0), n) for e, n in fresh.items() if n))
        for c, spins, bos in terms:
            if c != 0:
                results.append((c, sig, _term_moment(spins, bos)))
    return results


@lru_cache(maxsize=4096)
def _counting_expr(sig: tuple) -> sp.Expr:
    out = sp.S.One
    for e, n_lab, n_fresh in sig:
        N = size_symbol(e)
        for k in range(n_fresh):
            out *= N - n_lab - k
    return out


# --------------------------------------------------------------------------------------------------
# drift
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Prepared:
    """Model pieces in the form the drift needs (words with coefficients, per dissipator)."""

    ham: tuple[tuple[tuple[Gen, ...], sp.Expr], ...]
    diss: tuple[tuple[sp.Expr, tuple[tuple[tuple[Gen, ...], sp.Expr], ...]], ...]
    local: tuple[tuple[sp.Expr, str, str], ...]  # (prefactor, ensemble, site op)


def _prepare(model: Model) -> _Prepared:
    ham = tuple(model.hamiltonian)
    diss = tuple((d.prefactor, tuple(d.jump)) for d in model.dissipators)
    local = tuple((d.prefactor, d.ensemble, d.site_op) for d in model.local_dissipators)
    return _Prepared(ham, diss, local)


_ADJ_SITE = {"+": "-", "-": "+", "z": "z"}


def moment_drift(model: Model | _Prepared, moment: Moment) -> dict[Moment, sp.Expr]:
    """Unclosed drift ``d<moment>/dt = sum_K c_K <K>`` with exact site-counting factors.

    Coefficients are sympy expressions in the model parameters and the sizes ``N_<ensemble>``.
    """
    prep = model if isinstance(model, _Prepared) else _prepare(model)
    X = _representative(moment)
    fixed = ("fixed", tuple(X))
    labelled = {e: p + m + z for e, p, m, z in moment.spins}
    # accumulate: moment -> {(prefactor_key, counting_sig): Fraction}
    # (sympy expressions hash and compare structurally: the prefactor is its own key)
    acc: dict[Moment, dict[tuple, Fraction]] = defaultdict(lambda: defaultdict(Fraction))

    def add(pref: sp.Expr, scale: Fraction, factors: Sequence) -> None:
        for c, sig, mom in _expand_word(factors, labelled):
            acc[mom][(pref, sig)] += scale * c

    # i[H, X]
    for word, h in prep.ham:
        add(sp.I * h, Fraction(1), list(word) + [fixed])
        add(sp.I * h, Fraction(-1), [fixed] + list(word))
    # collective dissipators: kappa (O^+ X O - 1/2 O^+ O X - 1/2 X O^+ O)
    for kappa, jump in prep.diss:
        for (w1, c1), (w2, c2) in itertools.product(jump, jump):
            w1d = [g.adjoint() for g in reversed(w1)]
            pref = kappa * sp.conjugate(c1) * c2
            add(pref, Fraction(1), w1d + [fixed] + list(w2))
            add(pref, Fraction(-1, 2), w1d + list(w2) + [fixed])
            add(pref, Fraction(-1, 2), [fixed] + w1d + list(w2))
    # local dissipators: only labelled sites contribute
    for kappa, e, op in prep.local:
        od = _ADJ_SITE[op]
        for site in range(labelled.get(e, 0)):
            s, sd = ("site", e, site, op), ("site", e, site, od)
            add(kappa, Fraction(1), [sd, fixed, s])
            add(kappa, Fraction(-1, 2), [sd, s, fixed])
            add(kappa, Fraction(-1, 2), [fixed, sd, s])
    out: dict[Moment, sp.Expr] = {}
    for mom, parts in acc.items():
        terms = [
            sp.Rational(c.numerator, c.denominator) * pref * _counting_expr(sig)
            for (pref, sig), c in parts.items()
            if c != 0
        ]
        if terms:
            expr = sp.expand(sp.Add(*terms))
            if expr != 0:
                out[mom] = expr
    return out


# --------------------------------------------------------------------------------------------------
# closure
# --------------------------------------------------------------------------------------------------
# a polynomial in moments: dict[tuple[Moment, ...] (sorted), coefficient (int)]
Poly = dict


def _set_partitions_of(items: list[int], max_block: int):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for k in range(0, min(max_block - 1, len(rest)) + 1):
        for comb_ in itertools.combinations(rest, k):
            block = (first,) + comb_
            remaining = [i for i in rest if i not in comb_]
            for part in _set_partitions_of(remaining, max_block):
                yield [block] + part


def _poly_mul(a: Poly, b: Poly) -> Poly:
    out: Poly = defaultdict(int)
    for ka, ca in a.items():
        for kb, cb in b.items():
            out[tuple(sorted(ka + kb))] += ca * cb
    return {k: v for k, v in out.items() if v}


@lru_cache(maxsize=100_000)
def close_moment(moment: Moment, order: int) -> tuple[tuple[tuple[Moment, ...], int], ...]:
    """Express ``<moment>`` through moments of order <= ``order`` by setting every joint cumulant of
    order > ``order`` to zero.  Returns ``((factors, integer coefficient), ...)``."""
    if order not in (1, 2):
        raise ClosureError(f"`order` must be 1 or 2, got {describe(order)}")
    if moment.order == 0:
        return (((), 1),)
    if moment.order <= order:
        return (((moment,), 1),)
    els = moment.elements()
    n = len(els)

    def sub(idx: Sequence[int]) -> Moment:
        return Moment.from_elements(els[i] for i in idx)

    total: Poly = defaultdict(int)
    for part in _set_partitions_of(list(range(n)), order):
        poly: Poly = {(): 1}
        for block in part:
            if len(block) == 1:
                kappa = {(sub(block),): 1}
            else:  # second cumulant <AB> - <A><B>
                a, b = sub(block[:1]), sub(block[1:])
                kappa = {(sub(block),): 1, tuple(sorted((a, b))): -1}
            poly = _poly_mul(poly, kappa)
        for k, v in poly.items():
            total[k] += v
    return tuple((k, v) for k, v in sorted(total.items()) if v)


# --------------------------------------------------------------------------------------------------
# equations
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Equations:
    """Closed moment equations ``d<v_k>/dt = sum_t c_t prod <factors>``.

    ``variables`` are representative moments (for a complex pair ``{M, M^*}`` only one is kept);
    ``rhs[k]`` is a tuple of ``(coefficient, factors)`` where each factor is ``(index, conjugated)``.
    ``unclosed[k]`` keeps the drift before closure (moment -> coefficient) for inspection and tests.
    ``symmetry`` holds the classes of exchangeable ensembles the equations were reduced by (``()``:
    none); every moment related to a variable by a permutation within the classes (and/or
    conjugation) is represented by it, see :meth:`index`.
    """

    model_name: str
    order: int
    u1: bool
    variables: tuple[Moment, ...]
    rhs: tuple[tuple[tuple[sp.Expr, tuple[tuple[int, bool], ...]], ...], ...]
    unclosed: tuple[dict, ...] = field(repr=False)
    symbols: tuple[sp.Symbol, ...] = ()
    symmetry: Classes = ()

    def __post_init__(self) -> None:
        lookup: dict[Moment, tuple[int, bool]] = {}
        real = []
        for i, v in enumerate(self.variables):
            vc = permutation_representative(v.conj(), self.symmetry)
            lookup.setdefault(vc, (i, True))
            lookup[v] = (i, False)
            real.append(vc == v)
        object.__setattr__(self, "_lookup", lookup)
        object.__setattr__(self, "_real", tuple(real))

    def is_real(self, i: int) -> bool:
        """Whether variable ``i`` is real: self-conjugate, or (with ``symmetry``) its conjugate is
        a permutation of it, e.g. ``<sm_B1 sp_B2>`` of exchangeable ``B1, B2``."""
        return self._real[i]  # type: ignore[attr-defined]

    def index(self, moment: Moment) -> tuple[int, bool]:
        """Index of the variable representing ``moment`` and whether ``moment`` is its conjugate.

        Any moment is accepted: with ``symmetry`` it is first mapped to its permutation
        representative (e.g. ``<sz_B3>`` to ``<sz_B1>``)."""
        key = permutation_representative(moment, self.symmetry) if self.symmetry else moment
        try:
            return self._lookup[key]  # type: ignore[attr-defined]
        except KeyError:
            raise ModelError(
                f"moment {moment.label()} is not among the variables of these equations"
            ) from None

    def __len__(self) -> int:
        return len(self.variables)

    def text(self) -> str:
        lines = []
        for v, terms in zip(self.variables, self.rhs):
            rhs = " + ".join(
                f"({c})"
                + "".join(
                    "*" + (self.variables[i].conj() if cj else self.variables[i]).label()
                    for i, cj in fac
                )
                for c, fac in terms
            )
            lines.append(f"d{v.label()}/dt = {rhs or '0'}")
        return "\n".join(lines)

    def latex(self) -> str:
        lines = []
        for v, terms in zip(self.variables, self.rhs):
            parts = []
            for c, fac in terms:
                mons = " ".join(
                    (self.variables[i].conj() if cj else self.variables[i]).latex() for i, cj in fac
                )
                parts.append(f"\\left({sp.latex(c)}\\right) {mons}")
            rhs = " + ".join(parts) or "0"
            lines.append(f"\\frac{{d}}{{dt}}{v.latex()} &= {rhs}")
        return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"

    def __str__(self) -> str:
        return self.text()


def latex(eqs: Equations) -> str:
    """LaTeX ``aligned`` block of the equations."""
    return eqs.latex()


def _default_targets(model: Model) -> list[Moment]:
    out = [sigma_z(e.name) for e in model.ensembles] + [adag_a(m.name) for m in model.modes]
    return out


def derive(
    model: Model,
    order: int = 2,
    *,
    moments: Iterable[Moment] | None = None,
    u1: bool | None = None,
    symmetry: bool | Iterable[Iterable[str]] | None = None,
    max_variables: int = 5000,
) -> Equations:
    r"""Derive, close and complete the moment equations of ``model``.

    Parameters
    ----------
    model
        The model.
    order
        Cumulant order: 1 (mean field) or 2 (pair correlations, third cumulants set to zero).
    moments
        Moments the user wants; defaults to ``<sigma^z_e>`` for every ensemble and ``<a^+ a>`` for
        every mode (plus, without U(1) symmetry, ``<sigma^+_e>`` and ``<a>``).  All moments the
        drifts need are added automatically.
    u1
        Drop moments of non-zero excitation charge (they vanish for a phase-invariant model and
        initial state).  Default: ``model.conserves_excitations()``.
    symmetry
        Keep one variable per orbit of moments under permutations of exchangeable ensembles
        (``True``: :meth:`Model.exchangeable_classes`; or explicit classes of ensemble names, see
        :func:`symmetry_classes`; ``None``/``False``: no reduction).  Exact only for states that are
        symmetric too: equal sizes ``N_<e>`` and equal initial Bloch vectors within each class (the
        counting factors keep their symbols ``N_<e>``); :func:`collective.sweep` checks this.
    """
    if isinstance(order, bool) or order not in (1, 2):
        raise ClosureError(
            f"`order` must be 1 (mean field) or 2 (pair correlations), got {describe(order)}"
        )
    if u1 is None:
        u1 = model.conserves_excitations()
    elif u1 and not model.conserves_excitations():
        raise ModelError(
            "`u1=True` but the model does not conserve excitations (charged terms present)"
        )
    targets = list(moments) if moments is not None else _default_targets(model)
    if not u1 and moments is None:
        targets += [sigma_plus(e.name) for e in model.ensembles]
        targets += [Moment((), ((m.name, 0, 1),)) for m in model.modes]
    spaces = set(model.ensemble_names) | set(model.mode_names)
    for t in targets:
        if not isinstance(t, Moment):
            raise ModelError(
                f"`moments` must hold collective.cumulants.Moment objects, got {describe(t)}"
            )
        unknown = {e for e, *_ in t.spins} | {b for b, *_ in t.bosons}
        unknown -= spaces
        if unknown:
            raise ModelError(f"`moments` names unknown ensembles/modes {sorted(unknown)}")
        if t.order > order:
            raise ClosureError(
                f"moment {t.label()} has order {t.order} > closure `order`={order}: it would be "
                "expressed through lower moments, not evolved; request it at a higher order"
            )
    classes = symmetry_classes(model, symmetry)
    prep = _prepare(model)

    def canonical(m: Moment) -> Moment | None:
        if u1 and m.charge != 0:
            return None
        if m.order == 0:
            return None
        # NamedTuple ordering is total: representative of {M, M^*} and of its permutations
        return orbit_representative(m, classes)

    variables: list[Moment] = []
    seen: set[Moment] = set()
    queue = []
    for t in targets:
        c = canonical(t)
        if c is not None and c not in seen:
            seen.add(c)
            queue.append(c)
    drifts: dict[Moment, dict[Moment, sp.Expr]] = {}
    while queue:
        m = queue.pop(0)
        variables.append(m)
        if len(variables) > max_variables:
            raise ClosureError(
                f"completion exceeded `max_variables`={max_variables}; the moment set cannot be closed "
                "within that size"
            )
        d = moment_drift(prep, m)
        drifts[m] = d
        for k in d:
            if u1 and k.charge != 0:
                continue
            for factors, _ in close_moment(k, order):
                for f in factors:
                    c = canonical(f)
                    if c is not None and c not in seen:
                        seen.add(c)
                        queue.append(c)
    variables.sort(key=lambda v: (v.order, v))
    index = {v: i for i, v in enumerate(variables)}

    def locate(f: Moment) -> tuple[int, bool] | None:
        if u1 and f.charge != 0:
            return None
        p = permutation_representative(f, classes)
        if p in index:
            return index[p], False
        return index[permutation_representative(f.conj(), classes)], True

    rhs = []
    unclosed = []
    for v in variables:
        d = drifts[v]
        unclosed.append(d)
        acc: dict[tuple, sp.Expr] = defaultdict(lambda: sp.S.Zero)
        for k, coeff in d.items():
            if u1 and k.charge != 0:
                continue
            for factors, cnum in close_moment(k, order):
                locs = [locate(f) for f in factors]
                if any(loc is None for loc in locs):
                    continue
                acc[tuple(sorted(locs))] += cnum * coeff
        terms = []
        for fac, c in sorted(acc.items()):
            c = sp.expand(c)
            if c != 0:
                terms.append((c, fac))
        rhs.append(tuple(terms))
    syms = sorted(
        {s for terms in rhs for c, _ in terms for s in c.free_symbols}, key=lambda s: s.name
    )
    return Equations(
        model_name=model.name,
        order=order,
        u1=bool(u1),
        variables=tuple(variables),
        rhs=tuple(rhs),
        unclosed=tuple(unclosed),
        symbols=tuple(syms),
        symmetry=classes,
    )
