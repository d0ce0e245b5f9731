"""Registered model presets.

Each preset is a function returning a :class:`~collective.model.Model`; :data:`PRESETS` maps its
registered name to a :class:`PresetInfo` describing its arguments (name, default, units, meaning).
Study configs may name registered presets only.
"""

from __future__ import annotations

from ._registry import PRESETS, PresetArg, PresetInfo, get_preset, register
from .dias import dias2024

__all__ = ["PRESETS", "PresetArg", "PresetInfo", "get_preset", "register", "dias2024"]
