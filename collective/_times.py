"""Validation of output times, shared by the cumulant engine and the exact solver."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

from .errors import ModelError, describe


@njit(cache=True, nogil=True)
def times_valid(t, t0):
    """Would :func:`check_times` accept the contiguous float64 1-d array ``t`` as it is: non-empty,
    finite, >= 0, >= ``t0`` and strictly increasing?  A loop, ~1.5 us cheaper than the numpy
    comparisons for 200 times: :meth:`collective.engine.Problem.integrate` checks its times with
    it on every call and asks :func:`check_times` for the message when it says no."""
    n = t.shape[0]
    # NaN fails every comparison; strictly increasing up to a finite t[-1] means all finite
    if n == 0 or not (t[0] >= 0.0 and t[0] >= t0 and np.isfinite(t[n - 1])):
        return False
    for i in range(1, n):
        if not t[i] > t[i - 1]:
            return False
    return True


def check_times(times: Any, t0: float = 0.0) -> np.ndarray:
    """Output times as a contiguous 1-d float array: finite, >= 0, strictly increasing, none
    before ``t0`` (a scalar is one output time)."""
    try:
        t = np.asarray(times, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"`times` must be a sequence of numbers, got {describe(times)}") from exc
    if t.ndim > 1:
        raise ModelError(f"`times` must be a 1-d sequence, got an array of shape {t.shape}")
    # contiguous: the kernels are compiled for contiguous arrays, and a strided view (e.g.
    # ``times[::2]``) would otherwise compile a second specialisation of the kernel (seconds)
    t = np.ascontiguousarray(t.reshape(-1))
    if t.size == 0:
        raise ModelError("`times` is empty: give at least one output time")
    # fast path (a few microseconds; Problem.integrate calls this every time): strictly increasing
    # from a finite t[0] >= 0 to a finite t[-1] means every entry is finite and >= 0 (NaN fails
    # every comparison)
    ok = 0.0 <= float(t[0]) and math.isfinite(float(t[-1]))
    if not (ok and (t.size == 1 or bool((t[1:] > t[:-1]).all()))):
        if not np.all(np.isfinite(t)) or np.any(t < 0):
            raise ModelError(f"`times` must be finite and >= 0, got {describe(times)}")
        raise ModelError("`times` must be strictly increasing")
    if t0 > t[0]:
        raise ModelError(f"`t0`={t0!r} is after the first output time {t[0]!r}")
    return t
