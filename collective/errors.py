"""Exception and warning hierarchy of `collective`.

Every exception derives from :class:`CollectiveError` and from the builtin it refines, so callers can
catch either ``collective.ModelError`` or plain ``ValueError``.
"""

from __future__ import annotations

__all__ = [
    "CollectiveError",
    "ModelError",
    "ClosureError",
    "IntegrationError",
    "ConfigError",
    "MemoryEstimateError",
    "CollectiveWarning",
    "PhysicalityWarning",
]


class CollectiveError(Exception):
    """Base class of every error raised by `collective`."""


class ModelError(CollectiveError, ValueError):
    """A model, operator or parameter is mis-specified."""


class ClosureError(CollectiveError, ValueError):
    """A moment set cannot be closed at the requested order."""


class IntegrationError(CollectiveError, RuntimeError):
    """The integrator failed (step size underflow, too many steps, non-finite state)."""


class ConfigError(CollectiveError, ValueError):
    """A study configuration is invalid."""


class MemoryEstimateError(CollectiveError, MemoryError):
    """A requested exact computation would not fit in memory."""


class CollectiveWarning(UserWarning):
    """Base class of warnings issued by `collective`."""


class PhysicalityWarning(CollectiveWarning):
    """Parameters lie outside the set a completely positive microscopic model can produce."""


def describe(value: object) -> str:
    """Short repr of a user value for error messages."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
