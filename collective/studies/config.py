"""Study configurations: a TOML schema, validated in full before any work starts.

A study names a registered preset, its parameters, a method, output times and optionally a set of
labelled cases (``[[case]]`` tables, each overriding model or method keys) and an outer-product
sweep (``[sweep]``: key -> list).  The grid is ``cases x sweep``.  Example::

    title = "Dias et al. (2024), Fig. 2"
    [model]
    preset = "dias2024"          # registered presets only (collective.PRESETS)
    N_C = 1e7
    N_B = 100
    reservoirs = 3
    gamma_down = 1.0
    gamma_up = 0.0
    nbar = 0.0
    charger_energy = 1.0         # initial energy density of the charger
    battery_energy = 0.0         # initial energy density of every battery
    [method]
    kind = "cumulant"            # "cumulant" or "exact"
    order = 2
    rtol = 1e-8
    atol = 1e-10
    h0 = 1e-12                   # first step (optional; also max_steps, hmax)
    [times]
    values = [1e-7, 1e-6]        # or start/stop/num with spacing = "linear" | "log"
    [derived]
    target = 0.99                # energy density that counts as "charged"
    ensemble = "B1"              # ensemble whose crossing of `target` the solver records exactly
    plateau_time = 1e-5          # where the plateau is read (default: the last output time)
    [run]
    chunk_size = 16              # grid points per task (fixes the resumable unit of work)
    [[case]]
    label = "(a)"
    reservoirs = 1
    [sweep]
    gamma_up = [0.0, 1.0, 2.0]

Configs are data: they name registered presets and give numbers; nothing in them is evaluated.
Every error is a :class:`~collective.errors.ConfigError` naming the key (in backticks), the value
and what is valid.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError, ModelError, describe
from ..presets import PRESETS, PresetInfo

__all__ = [
    "StudyConfig",
    "MethodConfig",
    "Case",
    "DerivedConfig",
    "RunConfig",
    "load_config",
    "parse_config",
    "INITIAL_KEYS",
    "METHOD_KINDS",
    "SUPPORTED_ORDERS",
    "model_keys",
    "key_info",
]

METHOD_KINDS = ("cumulant", "exact")
SUPPORTED_ORDERS = (1, 2)
TOP_KEYS = ("title", "description", "model", "method", "times", "sweep", "case", "derived", "run")
METHOD_KEYS = ("kind", "order", "integrator", "rtol", "atol", "max_steps", "h0", "hmax")
SWEEP_METHOD_KEYS = ("order", "rtol", "atol", "max_steps", "h0", "hmax")
TIME_KEYS = ("values", "start", "stop", "num", "spacing")
DERIVED_KEYS = ("target", "ensemble", "plateau_time")
RUN_KEYS = ("chunk_size",)
DEFAULT_CHUNK = {"cumulant": 16, "exact": 1}

#: Initial-state keys: energy densities (Eq. (3) of Dias et al.) of the first ensemble ("charger")
#: and of every other ensemble ("batteries"); spins start incoherent.
INITIAL_KEYS: dict[str, tuple[float, str]] = {
    "charger_energy": (1.0, "initial energy density of the charger (first ensemble)"),
    "battery_energy": (0.0, "initial energy density of every battery (every other ensemble)"),
}


# --------------------------------------------------------------------------------------------------
# frozen config objects
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class MethodConfig:
    """How to solve: ``kind`` ("cumulant" or "exact"), cumulant ``order``, the cumulant
    ``integrator`` ("auto", "rodas4", "dop853" or "bdf"; see :class:`collective.SolverOptions`),
    tolerances, and the integrator's ``max_steps``, first step ``h0`` and largest step ``hmax``
    (``None``: the solver's defaults)."""

    kind: str = "cumulant"
    order: int = 2
    integrator: str = "auto"
    rtol: float = 1e-8
    atol: float = 1e-10
    max_steps: int | None = None
    h0: float | None = None
    hmax: float | None = None

    def __post_init__(self) -> None:
        _check_method_value("kind", self.kind, "method")
        _check_method_value("integrator", self.integrator, "method")
        for k in ("order", "rtol", "atol", "max_steps", "h0", "hmax"):
            v = getattr(self, k)
            if v is not None:
                object.__setattr__(self, k, _check_method_value(k, v, "method"))

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in METHOD_KEYS}


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """A labelled point of the ``case`` dimension: model and method overrides."""

    label: str
    model: Mapping[str, float] = field(default_factory=dict)
    method: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class DerivedConfig:
    """Settings of the derived quantities: charging ``target``, the stop-event ``ensemble`` and the
    ``plateau_time`` where the plateau is read (``None``: the last output time)."""

    target: float = 0.99
    ensemble: str | None = None
    plateau_time: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RunConfig:
    chunk_size: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StudyConfig:
    """A validated study.  ``model`` holds every model key (preset arguments and initial-state keys)
    with defaults filled in; ``sweep`` is an ordered tuple of ``(key, values)``."""

    preset: str
    model: Mapping[str, float]
    method: MethodConfig
    times: tuple[float, ...]
    time_spacing: str = "values"
    sweep: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    cases: tuple[Case, ...] = ()
    derived: DerivedConfig = field(default_factory=DerivedConfig)
    run: RunConfig = field(default_factory=RunConfig)
    title: str = ""
    description: str = ""
    text: str = ""
    source: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def preset_info(self) -> PresetInfo:
        return PRESETS[self.preset]

    @property
    def times_array(self) -> np.ndarray:
        return np.asarray(self.times, dtype=float)

    @property
    def chunk_size(self) -> int:
        if self.run.chunk_size is not None:
            return self.run.chunk_size
        kinds = {self.method.kind} | {c.method.get("kind", self.method.kind) for c in self.cases}
        return min(DEFAULT_CHUNK[k] for k in kinds)

    @property
    def grid_size(self) -> int:
        n = max(1, len(self.cases))
        for _, vals in self.sweep:
            n *= len(vals)
        return n


# --------------------------------------------------------------------------------------------------
# key rules
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What a model key accepts: ``integer`` (>= ``minimum``) or real (``nonnegative``), in [lo, hi]."""

    name: str
    default: Any
    units: str
    description: str
    integer: bool = False
    minimum: float | None = None
    maximum: float | None = None
    structural: bool = False
    text: bool = False

    def valid(self) -> str:
        if self.text:
            return "a name (string) the preset accepts"
        if self.integer:
            return f"an integer >= {self.minimum:g}"
        if self.minimum is not None and self.maximum is not None:
            return f"a number in [{self.minimum:g}, {self.maximum:g}]"
        if self.minimum is not None:
            return f"a number >= {self.minimum:g}"
        return "a finite number"


_KEY_CACHE: dict[str, dict[str, KeyInfo]] = {}


def key_info(preset: str) -> dict[str, KeyInfo]:
    """The model keys of a preset (its arguments plus :data:`INITIAL_KEYS`) with their rules."""
    if preset in _KEY_CACHE:
        return _KEY_CACHE[preset]
    info = PRESETS[preset]
    try:
        default_model = info.build()
        params = {p.name: p for p in default_model.parameters}
        spins = bool(default_model.ensembles)
    except ModelError:  # pragma: no cover - presets build with their defaults
        params, spins = {}, False
    keys: dict[str, KeyInfo] = {}
    for a in info.args:
        d = a.default
        integer = isinstance(d, int) and not isinstance(d, bool)
        if isinstance(d, str):
            keys[a.name] = KeyInfo(a.name, d, a.units, a.description, text=True, structural=True)
        elif integer:
            keys[a.name] = KeyInfo(
                a.name, d, a.units, a.description, integer=True, minimum=1, structural=a.structural
            )
        else:
            p = params.get(a.name)
            nonneg = p is not None and p.nonnegative
            keys[a.name] = KeyInfo(
                a.name,
                d,
                a.units,
                a.description,
                minimum=0.0 if nonneg else None,
                structural=a.structural,
            )
    for k, (d, desc) in (INITIAL_KEYS if spins else {}).items():
        keys[k] = KeyInfo(k, d, "1", desc, minimum=0.0, maximum=1.0)
    _KEY_CACHE[preset] = keys
    return keys


def model_keys(preset: str) -> tuple[str, ...]:
    return tuple(key_info(preset))


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _type_hint(v: Any) -> str:
    if isinstance(v, str):
        return (
            f" (a string; write the number without quotes, e.g. {v.strip(chr(34))})"
            if _looks_numeric(v)
            else " (a string)"
        )
    if isinstance(v, bool):
        return " (a boolean)"
    if isinstance(v, list):
        return " (a list)"
    if isinstance(v, dict):
        return " (a table)"
    return ""


def _looks_numeric(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _check_model_value(path: str, v: Any, ki: KeyInfo) -> float | int | str:
    if ki.text:
        if not isinstance(v, str) or not v.isidentifier():
            raise ConfigError(f"`{path}` = {describe(v)} is invalid: must be {ki.valid()}")
        return v
    if isinstance(v, list) and not path.startswith("sweep"):
        raise ConfigError(
            f"`{path}` = {describe(v)} must be a single number ({ki.valid()}); "
            f"to run several values, list them under [sweep]"
        )
    if not _is_number(v) or not math.isfinite(float(v)):
        raise ConfigError(
            f"`{path}` = {describe(v)}{_type_hint(v)} is invalid: must be {ki.valid()}"
        )
    if ki.integer:
        if float(v) != int(v) or int(v) < (ki.minimum or 1):
            raise ConfigError(f"`{path}` = {describe(v)} is invalid: must be {ki.valid()}")
        return int(v)
    x = float(v)
    if (ki.minimum is not None and x < ki.minimum) or (ki.maximum is not None and x > ki.maximum):
        what = "a rate" if ki.units.startswith("1/") else ki.description or ki.name
        raise ConfigError(f"`{path}` = {describe(v)} is invalid ({what}): must be {ki.valid()}")
    return x


def _check_method_value(key: str, v: Any, where: str) -> Any:
    path = f"{where}.{key}"
    if key == "kind":
        if v not in METHOD_KINDS:
            raise ConfigError(
                f"`{path}` = {describe(v)} is not a method; valid: {list(METHOD_KINDS)}"
            )
        return v
    if key == "integrator":
        from ..engine import METHODS

        if v not in METHODS:
            raise ConfigError(
                f"`{path}` = {describe(v)} is not an integrator; valid: {sorted(METHODS)}"
            )
        return v
    if key == "order":
        if not _is_number(v) or float(v) != int(v) or int(v) not in SUPPORTED_ORDERS:
            raise ConfigError(
                f"`{path}` = {describe(v)}{_type_hint(v)} is invalid: cumulant order must be one of "
                f"{list(SUPPORTED_ORDERS)}"
            )
        return int(v)
    if key in ("rtol", "atol", "h0", "hmax"):
        if not _is_number(v) or not math.isfinite(float(v)) or float(v) <= 0:
            raise ConfigError(
                f"`{path}` = {describe(v)}{_type_hint(v)} is invalid: must be a number > 0"
            )
        return float(v)
    if key == "max_steps":
        if not _is_number(v) or float(v) != int(v) or int(v) < 1:
            raise ConfigError(
                f"`{path}` = {describe(v)}{_type_hint(v)} is invalid: must be an integer >= 1"
            )
        return int(v)
    raise ConfigError(f"unknown key `{path}` = {describe(v)}; valid keys: {list(METHOD_KEYS)}")


def _unknown(path: str, key: str, value: Any, valid: Any) -> ConfigError:
    full = f"{path}.{key}" if path else key
    return ConfigError(f"unknown key `{full}` = {describe(value)}; valid keys: {sorted(valid)}")


def _table(doc: Mapping[str, Any], key: str, required: bool = False) -> dict[str, Any]:
    if key not in doc:
        if required:
            raise ConfigError(
                f"missing table `[{key}]`; a study needs [model], [method] and [times]"
            )
        return {}
    t = doc[key]
    if not isinstance(t, dict):
        raise ConfigError(
            f"`{key}` = {describe(t)} must be a table ([{key}]), got {type(t).__name__}"
        )
    return t


# --------------------------------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------------------------------
def load_config(path: str | Path) -> StudyConfig:
    """Read and validate a study config (TOML) from ``path``."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"`config` = {str(p)!r} cannot be read: {exc.strerror}") from exc
    return parse_config(text, source=str(p))


def parse_config(text: str, *, source: str = "<string>") -> StudyConfig:
    """Validate the TOML ``text`` of a study; raises :class:`ConfigError` on the first problem."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"`config` ({source}) is not valid TOML: {exc}") from exc
    for k, v in doc.items():
        if k not in TOP_KEYS:
            raise _unknown("", k, v, TOP_KEYS)
    title = doc.get("title", "")
    description = doc.get("description", "")
    for k, v in (("title", title), ("description", description)):
        if not isinstance(v, str):
            raise ConfigError(f"`{k}` = {describe(v)} must be a string")

    # ---- model
    mt = dict(_table(doc, "model", required=True))
    if "preset" not in mt:
        raise ConfigError(f"missing key `model.preset`; registered presets: {sorted(PRESETS)}")
    preset = mt.pop("preset")
    if not isinstance(preset, str) or preset not in PRESETS:
        raise ConfigError(
            f"`model.preset` = {describe(preset)} is not a registered preset; "
            f"registered presets: {sorted(PRESETS)}"
        )
    if not PRESETS[preset].build().ensembles:
        spin = sorted(n for n in PRESETS if PRESETS[n].build().ensembles)
        raise ConfigError(
            f"`model.preset` = {preset!r} has no spin ensembles: studies record energy densities of "
            f"spin ensembles; presets they support: {spin}"
        )
    keys = key_info(preset)
    model: dict[str, Any] = {k: ki.default for k, ki in keys.items()}
    for k, v in mt.items():
        if k not in keys:
            raise _unknown("model", k, v, ["preset", *keys])
        model[k] = _check_model_value(f"model.{k}", v, keys[k])

    # ---- method
    meth = _table(doc, "method", required=True)
    for k, v in meth.items():
        if k not in METHOD_KEYS:
            raise _unknown("method", k, v, METHOD_KEYS)
    mvals = {k: _check_method_value(k, v, "method") for k, v in meth.items()}
    if mvals.get("kind", "cumulant") == "exact" and "order" in mvals:
        raise ConfigError(
            f"`method.order` = {mvals['order']!r} is unused with `method.kind` = 'exact'; "
            f"remove it (valid keys for exact: ['kind', 'rtol', 'atol', 'max_steps'])"
        )
    method = MethodConfig(**mvals)

    # ---- times
    times, spacing = _parse_times(_table(doc, "times", required=True))

    # ---- cases
    cases = _parse_cases(doc.get("case", []), keys, method)

    # ---- sweep
    sw = _table(doc, "sweep")
    sweep: list[tuple[str, tuple[Any, ...]]] = []
    case_keys = {k for c in cases for k in (*c.model, *c.method)}
    for k, v in sw.items():
        if k not in keys and k not in SWEEP_METHOD_KEYS:
            raise _unknown("sweep", k, v, [*keys, *SWEEP_METHOD_KEYS])
        if k in ("case", "time", "ensemble", "point"):  # pragma: no cover - reserved, not keys
            raise ConfigError(f"`sweep.{k}` uses a reserved dimension name")
        if isinstance(v, dict):
            v = _sweep_range(k, v)
        if not isinstance(v, list):
            raise ConfigError(
                f"`sweep.{k}` = {describe(v)}{_type_hint(v)} must be a list of values, e.g. [1, 2, 3], "
                f"or a range {{start = 0.0, stop = 8.0, num = 81, spacing = 'linear' | 'log'}}"
            )
        if len(v) == 0:
            raise ConfigError(f"`sweep.{k}` = [] is an empty list: give at least one value")
        if k in case_keys:
            raise ConfigError(
                f"`sweep.{k}` is also set by a [[case]]: a key is either a case override or swept"
            )
        if k in SWEEP_METHOD_KEYS:
            vals = tuple(_check_method_value(k, x, "sweep") for x in v)
            if k == "order" and "exact" in {method.kind, *(c.method.get("kind") for c in cases)}:
                raise ConfigError(
                    "`sweep.order` cannot be combined with an exact method (order is unused)"
                )
        else:
            vals = tuple(_check_model_value(f"sweep.{k}[{i}]", x, keys[k]) for i, x in enumerate(v))
        if len(set(vals)) != len(vals):
            raise ConfigError(
                f"`sweep.{k}` = {describe(v)} repeats a value: values must be distinct"
            )
        sweep.append((k, vals))

    # ---- derived
    dt = _table(doc, "derived")
    for k, v in dt.items():
        if k not in DERIVED_KEYS:
            raise _unknown("derived", k, v, DERIVED_KEYS)
    target = dt.get("target", 0.99)
    if not _is_number(target) or not 0.0 < float(target) <= 1.0:
        raise ConfigError(
            f"`derived.target` = {describe(target)} is invalid: must be a number in (0, 1]"
        )
    ens = dt.get("ensemble")
    if ens is not None and (not isinstance(ens, str) or not ens.isidentifier()):
        raise ConfigError(
            f"`derived.ensemble` = {describe(ens)} must be an ensemble name, e.g. 'B1'"
        )
    pt = dt.get("plateau_time")
    if pt is not None and (not _is_number(pt) or not times[0] <= float(pt) <= times[-1]):
        raise ConfigError(
            f"`derived.plateau_time` = {describe(pt)} is invalid: must be a number within the output "
            f"times [{times[0]:g}, {times[-1]:g}]"
        )
    derived = DerivedConfig(
        target=float(target), ensemble=ens, plateau_time=None if pt is None else float(pt)
    )

    # ---- run
    rt = _table(doc, "run")
    for k, v in rt.items():
        if k not in RUN_KEYS:
            raise _unknown("run", k, v, RUN_KEYS)
    cs = rt.get("chunk_size")
    if cs is not None and (not _is_number(cs) or float(cs) != int(cs) or int(cs) < 1):
        raise ConfigError(f"`run.chunk_size` = {describe(cs)} is invalid: must be an integer >= 1")
    run = RunConfig(chunk_size=None if cs is None else int(cs))

    cfg = StudyConfig(
        preset=preset,
        model=model,
        method=method,
        times=times,
        time_spacing=spacing,
        sweep=tuple(sweep),
        cases=cases,
        derived=derived,
        run=run,
        title=title,
        description=description,
        text=text,
        source=source,
    )
    _check_models(cfg)
    return cfg


def _sweep_range(key: str, t: Mapping[str, Any]) -> list[float]:
    """``{start, stop, num, spacing}`` -> list of values (rounded to 12 significant digits)."""
    for k, v in t.items():
        if k not in ("start", "stop", "num", "spacing"):
            raise _unknown(f"sweep.{key}", k, v, ("start", "stop", "num", "spacing"))
    for k in ("start", "stop", "num"):
        if k not in t:
            raise ConfigError(f"missing key `sweep.{key}.{k}`: a range needs start, stop and num")
    start, stop, num, spacing = t["start"], t["stop"], t["num"], t.get("spacing", "linear")
    for k, v in (("start", start), ("stop", stop)):
        if not _is_number(v) or not math.isfinite(float(v)):
            raise ConfigError(
                f"`sweep.{key}.{k}` = {describe(v)}{_type_hint(v)} is invalid: must be a finite number"
            )
    if not _is_number(num) or float(num) != int(num) or int(num) < 1:
        raise ConfigError(
            f"`sweep.{key}.num` = {describe(num)} is invalid: must be an integer >= 1"
        )
    if spacing not in ("linear", "log"):
        raise ConfigError(
            f"`sweep.{key}.spacing` = {describe(spacing)} is invalid; valid: ['linear', 'log']"
        )
    if spacing == "log":
        if float(start) <= 0 or float(stop) <= 0:
            raise ConfigError(
                f"`sweep.{key}` with spacing = 'log' needs start > 0 and stop > 0, got {start!r}, {stop!r}"
            )
        arr = np.geomspace(float(start), float(stop), int(num))
    else:
        arr = np.linspace(float(start), float(stop), int(num))
    return [float(f"{x:.12g}") for x in arr]


def _parse_times(t: Mapping[str, Any]) -> tuple[tuple[float, ...], str]:
    for k, v in t.items():
        if k not in TIME_KEYS:
            raise _unknown("times", k, v, TIME_KEYS)
    if "values" in t:
        extra = sorted(set(t) - {"values"})
        if extra:
            raise ConfigError(
                f"`times.values` cannot be combined with `times.{extra[0]}`: give either values or "
                f"start/stop/num/spacing"
            )
        vals = t["values"]
        if not isinstance(vals, list):
            raise ConfigError(
                f"`times.values` = {describe(vals)}{_type_hint(vals)} must be a list of times"
            )
        if not vals:
            raise ConfigError("`times.values` = [] is an empty list: give at least one time")
        out = []
        for i, x in enumerate(vals):
            if not _is_number(x) or not math.isfinite(float(x)) or float(x) < 0:
                raise ConfigError(
                    f"`times.values[{i}]` = {describe(x)}{_type_hint(x)} is invalid: must be a finite number >= 0"
                )
            out.append(float(x))
        if any(b <= a for a, b in zip(out, out[1:])):
            raise ConfigError(f"`times.values` = {describe(vals)} must be strictly increasing")
        return tuple(out), "values"
    missing = [k for k in ("start", "stop", "num") if k not in t]
    if missing:
        raise ConfigError(
            f"missing key `times.{missing[0]}`: give `times.values` or all of start, stop, num "
            f"(and optionally spacing = 'linear' | 'log')"
        )
    spacing = t.get("spacing", "linear")
    if spacing not in ("linear", "log"):
        raise ConfigError(
            f"`times.spacing` = {describe(spacing)} is invalid; valid: ['linear', 'log']"
        )
    start, stop, num = t["start"], t["stop"], t["num"]
    for k, v in (("start", start), ("stop", stop)):
        if not _is_number(v) or not math.isfinite(float(v)) or float(v) < 0:
            raise ConfigError(
                f"`times.{k}` = {describe(v)}{_type_hint(v)} is invalid: must be a finite number >= 0"
            )
    if not _is_number(num) or float(num) != int(num) or int(num) < 1:
        raise ConfigError(
            f"`times.num` = {describe(num)}{_type_hint(num)} is invalid: must be an integer >= 1"
        )
    if float(stop) <= float(start) and int(num) > 1:
        raise ConfigError(f"`times.stop` = {stop!r} must be greater than `times.start` = {start!r}")
    if spacing == "log":
        if float(start) <= 0:
            raise ConfigError(
                f"`times.start` = {start!r} is invalid with spacing = 'log': must be > 0"
            )
        arr = np.geomspace(float(start), float(stop), int(num))
    else:
        arr = np.linspace(float(start), float(stop), int(num))
    return tuple(float(x) for x in arr), spacing


def _parse_cases(raw: Any, keys: Mapping[str, KeyInfo], method: MethodConfig) -> tuple[Case, ...]:
    if raw == []:
        return ()
    if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
        raise ConfigError(f"`case` = {describe(raw)} must be an array of tables ([[case]] ...)")
    cases = []
    labels: set[str] = set()
    for i, c in enumerate(raw):
        c = dict(c)
        label = c.pop("label", None)
        if not isinstance(label, str) or not label:
            raise ConfigError(
                f"`case[{i}].label` = {describe(label)} is invalid: every [[case]] needs a non-empty string label"
            )
        if label in labels:
            raise ConfigError(
                f"`case[{i}].label` = {label!r} repeats a label: labels must be distinct"
            )
        labels.add(label)
        mo: dict[str, Any] = {}
        me: dict[str, Any] = {}
        for k, v in c.items():
            if k in keys:
                mo[k] = _check_model_value(f"case[{i}].{k}", v, keys[k])
            elif k in METHOD_KEYS:
                me[k] = _check_method_value(k, v, f"case[{i}]")
            else:
                raise _unknown(f"case[{i}]", k, v, ["label", *keys, *METHOD_KEYS])
        if me.get("kind") == "exact" and "order" in me:
            raise ConfigError(
                f"`case[{i}].order` = {me['order']!r} is unused with `case[{i}].kind` = 'exact'"
            )
        cases.append(Case(label=label, model=mo, method=me))
    return tuple(cases)


def _check_models(cfg: StudyConfig) -> None:
    """Build one model per distinct structure so preset-level errors surface before any work."""
    from .grid import build_grid  # local: grid imports this module

    grid = build_grid(cfg)
    for spec in grid.groups():
        try:
            model = spec.build_model()
        except ModelError as exc:
            raise ConfigError(f"the model of points {spec.describe()} is invalid: {exc}") from exc
        ens = cfg.derived.ensemble
        if ens is not None and ens not in model.ensemble_names:
            raise ConfigError(
                f"`derived.ensemble` = {ens!r} is not an ensemble of the model with {spec.describe()}; "
                f"ensembles: {list(model.ensemble_names)}"
            )
