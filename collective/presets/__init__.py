"""Registered model presets.

Each preset is a function returning a :class:`~collective.model.Model`; :data:`PRESETS` maps its
registered name to a :class:`PresetInfo` describing its arguments (name, default, units, meaning).
Study configs may name registered presets only.
"""

from __future__ import annotations

from ._registry import PRESETS, PresetArg, PresetInfo, get_preset, register
from .bosonic import ep_battery, ep_battery_eliminated, nonreciprocal_battery  # issue 6
from .dias import dias2024
from .noise import noise_battery, noise_initial  # issue 5

__all__ = [
    "PRESETS",
    "PresetArg",
    "PresetInfo",
    "get_preset",
    "register",
    "dias2024",
    "noise_battery",
    "noise_initial",
    "ep_battery",
    "ep_battery_eliminated",
    "nonreciprocal_battery",
]
