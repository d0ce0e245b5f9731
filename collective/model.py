"""Frozen model descriptions: ensembles, modes, Hamiltonian, dissipators, parameters, initial states.

A :class:`Model` is the single description that every solver reads: the cumulant engine
(:mod:`collective.cumulants`), the exact Dicke-basis solver (:mod:`collective.exact`) and the
drift-matrix analysis of linear bosonic models.

Dissipator conventions are explicit: ``"D"`` is the usual
``D[O] rho = O rho O^+ - (1/2){O^+ O, rho}`` and ``"L"`` is Dias et al.'s
``L[O] rho = 2 O rho O^+ - {O^+ O, rho} = 2 D[O] rho``.
"""

from __future__ import annotations

import math
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp

from .algebra import Gen, Jm, Jp, Op
from .errors import ModelError, describe

__all__ = [
    "Ensemble",
    "Mode",
    "Parameter",
    "Dissipator",
    "LocalDissipator",
    "Model",
    "InitialState",
    "param",
    "CONVENTIONS",
    "collective_reservoir",
    "collective_pump",
]

CONVENTIONS = {"D": sp.S.One, "L": sp.Integer(2)}
LOCAL_KINDS = ("decay", "pump", "dephasing")


def param(name: str) -> sp.Symbol:
    """The sympy symbol of a model parameter (all parameters are real)."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ModelError(f"`name` must be an identifier, got {describe(name)}")
    return sp.Symbol(name, real=True)


def size_symbol(ensemble: str) -> sp.Symbol:
    """Symbol ``N_<ensemble>`` standing for the number of spins of an ensemble in equations."""
    return sp.Symbol(f"N_{ensemble}", positive=True, integer=True)


def _check_name(arg: str, value: Any) -> None:
    if not isinstance(value, str) or not value.isidentifier():
        raise ModelError(f"`{arg}` must be an identifier-like name, got {describe(value)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Ensemble:
    """``N`` identical two-level systems called ``name``."""

    name: str
    N: int

    def __post_init__(self) -> None:
        _check_name("name", self.name)
        n = self.N
        if isinstance(n, bool) or not isinstance(n, (int, float)) or not math.isfinite(n):
            raise ModelError(
                f"`N` of ensemble {self.name!r} must be a positive integer, got {describe(n)}"
            )
        if float(n) != int(n) or int(n) < 1:
            raise ModelError(
                f"`N` of ensemble {self.name!r} must be a positive integer (N >= 1), got {describe(n)}"
            )
        object.__setattr__(self, "N", int(n))


@dataclass(frozen=True, slots=True, kw_only=True)
class Mode:
    """A bosonic mode ``name``; ``omega`` (a parameter name or number) sets its energy
    ``omega <a^+ a>``; ``cutoff`` is the Fock truncation used by exact solvers."""

    name: str
    omega: str | float = 1.0
    cutoff: int = 20

    def __post_init__(self) -> None:
        _check_name("name", self.name)
        if not isinstance(self.cutoff, int) or self.cutoff < 2:
            raise ModelError(
                f"`cutoff` of mode {self.name!r} must be an integer >= 2, got {describe(self.cutoff)}"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class Parameter:
    """A named real parameter with its default value and units."""

    name: str
    value: float
    units: str = "1"
    description: str = ""
    nonnegative: bool = False

    def __post_init__(self) -> None:
        _check_name("name", self.name)
        v = self.value
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(float(v)):
            raise ModelError(
                f"parameter `{self.name}` must be a finite real number, got {describe(v)}"
            )
        if self.nonnegative and v < 0:
            raise ModelError(
                f"parameter `{self.name}` must be >= 0 ({self.description or 'a rate'}), got {v!r}"
            )
        object.__setattr__(self, "value", float(v))

    @property
    def symbol(self) -> sp.Symbol:
        return param(self.name)


@dataclass(frozen=True, slots=True, kw_only=True)
class Dissipator:
    """``rate * K[jump]`` with ``K = D`` or ``L`` (``convention``); ``jump`` may be any operator,
    e.g. a weighted (complex weights allowed) sum of several ensembles' collective operators."""

    jump: Op
    rate: Any = 1
    convention: str = "D"
    label: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.jump, Op) or len(self.jump) == 0:
            raise ModelError(
                f"`jump` must be a non-zero operator (collective.Op), got {describe(self.jump)}"
            )
        if self.convention not in CONVENTIONS:
            raise ModelError(
                f"`convention` must be one of {sorted(CONVENTIONS)}, got {describe(self.convention)}"
            )
        object.__setattr__(self, "rate", sp.sympify(self.rate))

    @property
    def prefactor(self) -> sp.Expr:
        """Rate times the convention factor: the coefficient of ``D[jump]``."""
        return CONVENTIONS[self.convention] * self.rate


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalDissipator:
    """``rate * sum_i K[s_i]`` on every spin ``i`` of ``ensemble``, with ``s = sigma^-`` (decay),
    ``sigma^+`` (pump) or ``sigma^z`` (dephasing)."""

    ensemble: str
    kind: str
    rate: Any = 1
    convention: str = "D"
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in LOCAL_KINDS:
            raise ModelError(f"`kind` must be one of {LOCAL_KINDS}, got {describe(self.kind)}")
        if self.convention not in CONVENTIONS:
            raise ModelError(
                f"`convention` must be one of {sorted(CONVENTIONS)}, got {describe(self.convention)}"
            )
        object.__setattr__(self, "rate", sp.sympify(self.rate))

    @property
    def prefactor(self) -> sp.Expr:
        return CONVENTIONS[self.convention] * self.rate

    @property
    def site_op(self) -> str:
        return {"decay": "-", "pump": "+", "dephasing": "z"}[self.kind]


def _normalise_symbols(expr: sp.Expr, known: Mapping[str, sp.Symbol]) -> sp.Expr:
    """Replace symbols by the model's canonical real symbols of the same name."""
    subs = {s: known[s.name] for s in expr.free_symbols if s.name in known and s != known[s.name]}
    return expr.xreplace(subs) if subs else expr


# per-object memo of Model._memoised, keyed by id() and dropped when the model is collected
_MEMO: dict[int, dict[str, Any]] = {}


@dataclass(frozen=True, slots=True, kw_only=True, weakref_slot=True)
class Model:
    """A frozen description of an open quantum system of spin ensembles and bosonic modes.

    Parameters
    ----------
    ensembles, modes
        The spaces.  Names must be unique across both.
    hamiltonian
        Hermitian :class:`~collective.algebra.Op` (in units of hbar, so ``d rho/dt = -i[H, rho]``).
    dissipators, local_dissipators
        Collective jump operators and per-spin processes.
    parameters
        Every symbol used in coefficients or rates must be declared here, with default value and units.
    time_unit, energy_unit
        Labels for output datasets.
    """

    name: str = "model"
    ensembles: tuple[Ensemble, ...] = ()
    modes: tuple[Mode, ...] = ()
    hamiltonian: Op = field(default_factory=Op)
    dissipators: tuple[Dissipator, ...] = ()
    local_dissipators: tuple[LocalDissipator, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    time_unit: str = "1/gamma"
    energy_unit: str = "hbar*omega_0"
    description: str = ""

    def __post_init__(self) -> None:
        for arg in ("ensembles", "modes", "dissipators", "local_dissipators", "parameters"):
            object.__setattr__(self, arg, tuple(getattr(self, arg)))
        names = [e.name for e in self.ensembles] + [m.name for m in self.modes]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ModelError(f"`ensembles`/`modes` names must be unique, repeated: {dup}")
        if not names:
            raise ModelError(
                "`ensembles` and `modes` are both empty: a model needs at least one space"
            )
        pnames = [p.name for p in self.parameters]
        pdup = sorted({n for n in pnames if pnames.count(n) > 1})
        if pdup:
            raise ModelError(f"`parameters` names must be unique, repeated: {pdup}")
        clash = sorted(set(pnames) & {f"N_{e.name}" for e in self.ensembles})
        if clash:
            raise ModelError(f"parameter names {clash} clash with the ensemble sizes N_<ensemble>")
        known = {p.name: p.symbol for p in self.parameters}
        ens = {e.name for e in self.ensembles}
        modes = {m.name for m in self.modes}

        def check_op(op: Op, where: str) -> Op:
            new_terms = {}
            for word, c in op:
                for g in word:
                    if g.is_spin and g.space not in ens:
                        raise ModelError(
                            f"{where} acts on unknown ensemble {g.space!r}; ensembles: {sorted(ens)}"
                        )
                    if not g.is_spin and g.space not in modes:
                        raise ModelError(
                            f"{where} acts on unknown mode {g.space!r}; modes: {sorted(modes)}"
                        )
                new_terms[word] = self._check_coeff(c, known, where)
            return Op(new_terms)

        if not isinstance(self.hamiltonian, Op):
            raise ModelError(
                f"`hamiltonian` must be a collective.Op, got {describe(self.hamiltonian)}"
            )
        ham = check_op(self.hamiltonian, "`hamiltonian`")
        diff = ham - ham.dag()
        if len(diff) and any(sp.simplify(c) != 0 for _, c in diff):
            raise ModelError(f"`hamiltonian` is not Hermitian: H - H^+ = {diff!r}")
        object.__setattr__(self, "hamiltonian", ham)
        dissipators = []
        for i, d in enumerate(self.dissipators):
            if not isinstance(d, Dissipator):
                raise ModelError(f"`dissipators[{i}]` must be a Dissipator, got {describe(d)}")
            jump = check_op(d.jump, f"`dissipators[{i}].jump`")
            rate = self._check_coeff(d.rate, known, f"`dissipators[{i}].rate`", rate=True)
            dissipators.append(replace(d, jump=jump, rate=rate))
        object.__setattr__(self, "dissipators", tuple(dissipators))
        locs = []
        for i, d in enumerate(self.local_dissipators):
            if not isinstance(d, LocalDissipator):
                raise ModelError(
                    f"`local_dissipators[{i}]` must be a LocalDissipator, got {describe(d)}"
                )
            if d.ensemble not in ens:
                raise ModelError(
                    f"`local_dissipators[{i}].ensemble` is {d.ensemble!r}, not one of {sorted(ens)}"
                )
            rate = self._check_coeff(d.rate, known, f"`local_dissipators[{i}].rate`", rate=True)
            locs.append(replace(d, rate=rate))
        object.__setattr__(self, "local_dissipators", tuple(locs))

    def _check_coeff(self, c: Any, known: Mapping[str, sp.Symbol], where: str, rate: bool = False):
        c = _normalise_symbols(sp.sympify(c), known)
        unknown = sorted(s.name for s in c.free_symbols if s.name not in known)
        if unknown:
            raise ModelError(
                f"{where} uses undeclared parameter(s) {unknown}; declared: {sorted(known)}"
            )
        if rate:
            val = c.subs({known[p.name]: p.value for p in self.parameters})
            try:
                v = complex(val)
            except TypeError as exc:  # pragma: no cover - defensive
                raise ModelError(f"{where} does not evaluate to a number: {c}") from exc
            if (
                not (math.isfinite(v.real) and math.isfinite(v.imag))
                or abs(v.imag) > 1e-14
                or v.real < 0
            ):
                raise ModelError(
                    f"{where} must be a finite non-negative real rate, got {c} = {v!r} "
                    f"with the default parameter values"
                )
        return c

    # ----------------------------------------------------------------------------------------------
    @property
    def ensemble_names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.ensembles)

    @property
    def mode_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.modes)

    def ensemble(self, name: str) -> Ensemble:
        for e in self.ensembles:
            if e.name == name:
                return e
        raise ModelError(f"unknown ensemble {name!r}; ensembles: {list(self.ensemble_names)}")

    def mode(self, name: str) -> Mode:
        for m in self.modes:
            if m.name == name:
                return m
        raise ModelError(f"unknown mode {name!r}; modes: {list(self.mode_names)}")

    @property
    def sizes(self) -> dict[str, int]:
        return {e.name: e.N for e in self.ensembles}

    @property
    def parameter_values(self) -> dict[str, float]:
        return {p.name: p.value for p in self.parameters}

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise ModelError(
            f"unknown parameter {name!r}; parameters: {[p.name for p in self.parameters]}"
        )

    def with_values(self, **values: float) -> Model:
        """A copy with new parameter values and/or ensemble sizes (``N_<ensemble>=...``)."""
        params = {p.name: p for p in self.parameters}
        ens = {e.name: e for e in self.ensembles}
        for k, v in values.items():
            if k in params:
                params[k] = replace(params[k], value=v)
            elif k.startswith("N_") and k[2:] in ens:
                ens[k[2:]] = replace(ens[k[2:]], N=v)
            else:
                raise ModelError(
                    f"unknown parameter {k!r}; valid: {sorted(params) + [f'N_{e}' for e in ens]}"
                )
        return replace(
            self,
            parameters=tuple(params[p.name] for p in self.parameters),
            ensembles=tuple(ens[e.name] for e in self.ensembles),
        )

    def numeric_values(self, overrides: Mapping[str, float] | None = None) -> dict[str, float]:
        """Parameter values plus ``N_<ensemble>`` sizes, with optional overrides (validated)."""
        vals = self.parameter_values
        vals.update({f"N_{e.name}": float(e.N) for e in self.ensembles})
        for k, v in (overrides or {}).items():
            if k not in vals:
                raise ModelError(f"unknown parameter {k!r}; valid: {sorted(vals)}")
            vals[k] = float(v)
        return vals

    @property
    def all_dissipators(self) -> tuple[Dissipator | LocalDissipator, ...]:
        return self.dissipators + self.local_dissipators

    @property
    def is_collective(self) -> bool:
        """True when no per-spin (local) process acts: every j = N/2 is conserved."""
        return not self.local_dissipators

    def conserves_excitations(self) -> bool:
        """U(1) phase invariance: H has charge 0 and each jump operator has a single charge."""
        if any(c != 0 for c in self.hamiltonian.charges()):
            return False
        return all(len(d.jump.charges()) == 1 for d in self.dissipators)

    def _renamed_structure(self, rename: Mapping[str, str]) -> tuple:
        """Hamiltonian, collective and local dissipators with ensembles renamed by ``rename``, as
        hashable multisets (coefficients compared as sympy expressions, i.e. exactly)."""

        def word(w: tuple[Gen, ...]) -> tuple[Gen, ...]:
            new = (Gen(g.kind, rename.get(g.space, g.space)) if g.is_spin else g for g in w)
            return tuple(sorted(new, key=lambda g: g.space))  # the normal form of Op words

        def op(o: Op) -> frozenset:
            return frozenset((word(w), c) for w, c in o)

        ham = op(self.hamiltonian)
        diss = Counter((op(d.jump), d.prefactor) for d in self.dissipators)
        loc = Counter(
            (rename.get(d.ensemble, d.ensemble), d.site_op, d.prefactor)
            for d in self.local_dissipators
        )
        return ham, diss, loc

    def exchangeable_classes(self) -> tuple[tuple[str, ...], ...]:
        """Classes of interchangeable (identical) spin ensembles.

        Ensembles ``a`` and ``b`` are interchangeable when the transposition ``(a b)`` of their names
        maps the Hamiltonian, the collective dissipators (jump operators with their coefficients and
        rates) and the local dissipators onto themselves exactly (same multiset of terms with identical
        sympy coefficients).  Transpositions generate the symmetric group, so the classes are the
        connected components (union-find) of the symmetric transpositions.  Ensemble sizes are *not*
        part of the check: the equations keep a size symbol ``N_<ensemble>`` per ensemble, and a
        caller that reduces by the symmetry must check the numeric sizes (and the initial state).
        Modes are never permuted.

        Returns the classes with at least two members, each in model order, ordered by their first
        member; ``()`` when no two ensembles are interchangeable.  Computed once per model object
        (every ``solve`` asks, and the check compares sympy coefficients).
        """
        return self._memoised("exchangeable_classes", self._exchangeable_classes)

    def _memoised(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()``, remembered for this object under ``key``: for immutable facts derived from
        the model's structure (the model is frozen; a copy or ``dataclasses.replace`` starts a new
        memo).  The memo lives outside the object (no dataclass field) and goes with it."""
        memo = _MEMO.get(id(self))
        if memo is None:
            memo = _MEMO[id(self)] = {}
            weakref.finalize(self, _MEMO.pop, id(self), None)
        try:
            return memo[key]
        except KeyError:
            value = memo[key] = compute()
            return value

    def _exchangeable_classes(self) -> tuple[tuple[str, ...], ...]:
        names = self.ensemble_names
        if len(names) < 2:
            return ()
        base = self._renamed_structure({})
        parent = {e: e for e in names}

        def find(e: str) -> str:
            while parent[e] != e:
                parent[e] = parent[parent[e]]
                e = parent[e]
            return e

        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                ra, rb = find(a), find(b)
                if ra == rb:  # (a b) is a product of transpositions already found symmetric
                    continue
                if self._renamed_structure({a: b, b: a}) == base:
                    parent[rb] = ra
        classes: dict[str, list[str]] = {}
        for e in names:
            classes.setdefault(find(e), []).append(e)
        return tuple(tuple(c) for c in classes.values() if len(c) >= 2)

    def summary(self) -> str:
        lines = [f"Model {self.name!r}: {self.description}".rstrip(": ")]
        for e in self.ensembles:
            lines.append(f"  ensemble {e.name}: N = {e.N}")
        for m in self.modes:
            lines.append(f"  mode {m.name}: omega = {m.omega}, cutoff = {m.cutoff}")
        if len(self.hamiltonian):
            lines.append(f"  H = {self.hamiltonian!r}")
        for d in self.dissipators:
            lines.append(f"  {d.rate} * {d.convention}[{d.jump!r}]  {d.label}")
        for d in self.local_dissipators:
            lines.append(
                f"  {d.rate} * sum_i {d.convention}[sigma_{d.site_op}] on {d.ensemble} {d.label}"
            )
        for p in self.parameters:
            lines.append(f"  {p.name} = {p.value} [{p.units}] {p.description}")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# reservoir builders
# --------------------------------------------------------------------------------------------------
def collective_reservoir(
    jump: Op,
    gamma: Any,
    nbar: Any = 0,
    *,
    convention: str = "D",
    label: str = "",
) -> tuple[Dissipator, ...]:
    """A thermal reservoir acting through the lowering operator ``jump``: ``gamma (nbar + 1)
    K[jump] + gamma nbar K[jump^+]`` (the second term is dropped when ``nbar`` is literally 0)."""
    gamma = sp.sympify(gamma)
    nbar = sp.sympify(nbar)
    out = [
        Dissipator(
            jump=jump, rate=gamma * (nbar + 1), convention=convention, label=f"{label} down".strip()
        )
    ]
    if not (nbar.is_number and nbar == 0):
        out.append(
            Dissipator(
                jump=jump.dag(),
                rate=gamma * nbar,
                convention=convention,
                label=f"{label} up".strip(),
            )
        )
    return tuple(out)


def collective_pump(
    ensemble: str, rate: Any, *, convention: str = "D", label: str = "pump"
) -> Dissipator:
    """Incoherent collective pumping ``rate * K[J^+_ensemble]``."""
    return Dissipator(jump=Jp(ensemble), rate=rate, convention=convention, label=label)


def collective_decay(ensembles: Sequence[str], weights: Sequence[Any] | None = None) -> Op:
    """``sum_k w_k J^-_{e_k}`` (weights default to 1)."""
    weights = list(weights) if weights is not None else [1] * len(ensembles)
    if len(weights) != len(ensembles):
        raise ModelError(f"`weights` has {len(weights)} entries for {len(ensembles)} ensembles")
    out = Op()
    for e, w in zip(ensembles, weights):
        out = out + sp.sympify(w) * Jm(e)
    return out


# --------------------------------------------------------------------------------------------------
# initial states
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class InitialState:
    """Uncorrelated product initial state.

    ``spins[e] = (sx, sy, sz)``: every spin of ensemble ``e`` in the single-spin state
    ``(1 + sx sigma^x + sy sigma^y + sz sigma^z)/2`` (``|s| <= 1``).  ``modes[m] = (alpha, nth)``:
    a displaced thermal state with amplitude ``alpha`` and thermal occupation ``nth``.
    Ensembles and modes not listed start in their ground state / vacuum.
    """

    spins: Mapping[str, tuple[float, float, float]] = field(default_factory=dict)
    modes: Mapping[str, tuple[complex, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        spins = {}
        for e, v in dict(self.spins).items():
            try:
                sx, sy, sz = (float(x) for x in v)
            except (TypeError, ValueError) as exc:
                raise ModelError(
                    f"`spins[{e!r}]` must be a Bloch vector (sx, sy, sz), got {describe(v)}"
                ) from exc
            if (
                not all(math.isfinite(x) for x in (sx, sy, sz))
                or sx * sx + sy * sy + sz * sz > 1 + 1e-12
            ):
                raise ModelError(
                    f"`spins[{e!r}]` must be a finite Bloch vector with |s| <= 1, got {describe(v)}"
                )
            spins[e] = (sx, sy, sz)
        modes = {}
        for m, v in dict(self.modes).items():
            try:
                alpha, nth = v
                alpha, nth = complex(alpha), float(nth)
            except (TypeError, ValueError) as exc:
                raise ModelError(f"`modes[{m!r}]` must be (alpha, nth), got {describe(v)}") from exc
            if nth < 0 or not math.isfinite(nth) or not math.isfinite(abs(alpha)):
                raise ModelError(
                    f"`modes[{m!r}]` needs finite alpha and nth >= 0, got {describe(v)}"
                )
            modes[m] = (alpha, nth)
        object.__setattr__(self, "spins", spins)
        object.__setattr__(self, "modes", modes)

    @classmethod
    def from_energy(
        cls,
        energies: Mapping[str, float],
        *,
        modes: Mapping[str, tuple[complex, float]] | None = None,
    ) -> InitialState:
        """Each spin of ensemble ``e`` excited with probability ``energies[e]`` (the energy density
        of Eq. (3) of Dias et al.), no coherence."""
        spins = {}
        for e, en in energies.items():
            en = float(en)
            if not 0.0 <= en <= 1.0:
                raise ModelError(f"energy density of ensemble {e!r} must lie in [0, 1], got {en!r}")
            spins[e] = (0.0, 0.0, 2.0 * en - 1.0)
        return cls(spins=spins, modes=modes or {})

    def bloch(self, ensemble: str) -> tuple[float, float, float]:
        return self.spins.get(ensemble, (0.0, 0.0, -1.0))

    def mode_state(self, mode: str) -> tuple[complex, float]:
        return self.modes.get(mode, (0j, 0.0))

    def check(self, model: Model) -> None:
        for e in self.spins:
            if e not in model.ensemble_names:
                raise ModelError(
                    f"initial state names unknown ensemble {e!r}; ensembles: {list(model.ensemble_names)}"
                )
        for m in self.modes:
            if m not in model.mode_names:
                raise ModelError(
                    f"initial state names unknown mode {m!r}; modes: {list(model.mode_names)}"
                )

    def conserves_excitations(self) -> bool:
        """True when every first moment with non-zero U(1) charge vanishes (no coherence)."""
        return all(
            abs(sx) < 1e-300 and abs(sy) < 1e-300 for sx, sy, _ in self.spins.values()
        ) and all(abs(a) == 0 for a, _ in self.modes.values())


def generators_of(dissipators: Iterable[Dissipator]) -> set[Gen]:
    out: set[Gen] = set()
    for d in dissipators:
        out |= d.jump.generators
    return out
