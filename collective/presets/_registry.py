from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ModelError

__all__ = ["PresetArg", "PresetInfo", "PRESETS", "register", "get_preset"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PresetArg:
    name: str
    default: object
    units: str = "1"
    description: str = ""
    structural: bool = False  # changes the equations (e.g. number of reservoirs)


@dataclass(frozen=True, slots=True, kw_only=True)
class PresetInfo:
    name: str
    build: Callable
    args: tuple[PresetArg, ...]
    description: str = ""
    reference: str = ""

    def arg(self, name: str) -> PresetArg:
        for a in self.args:
            if a.name == name:
                return a
        raise ModelError(
            f"preset {self.name!r} has no argument {name!r}; valid: {[a.name for a in self.args]}"
        )


PRESETS: dict[str, PresetInfo] = {}


def register(info: PresetInfo) -> PresetInfo:
    PRESETS[info.name] = info
    return info


def get_preset(name: str) -> PresetInfo:
    if name not in PRESETS:
        raise ModelError(f"unknown preset {name!r}; registered presets: {sorted(PRESETS)}")
    return PRESETS[name]
