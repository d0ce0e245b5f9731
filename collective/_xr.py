"""Labelled datasets from numpy arrays built by this package, without importing dask.

xarray asks of every array it wraps whether it is a duck array (which imports ``dask.array``,
0.25-0.35 s on this machine) and, when it makes an index, whether the values are a dask
collection (which imports ``dask``).  Our arrays are numpy arrays we made, so the cumulant engine
and the exact solver assemble their datasets here: variables on xarray's ``fastpath`` and
dimension coordinates with pandas indexes we make, through public xarray API
(``xr.Coordinates(..., indexes=...)``).  The result is identical to what ``xr.Dataset(...)``
makes of the same ``(dims, values, attrs)`` items (tested).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from xarray.indexes import PandasIndex

__all__ = ["dims_tuple", "labelled_dataset", "pandas_index", "variable"]


def dims_tuple(dims: str | tuple | list) -> tuple:
    """``"time"`` -> ``("time",)``; sequences of names -> a tuple."""
    return (dims,) if isinstance(dims, str) else tuple(dims)


def pandas_index(values) -> pd.Index:
    """The index xarray would make of ``values`` (object arrays stay object: labels)."""
    a = np.asarray(values)
    return pd.Index(a, dtype=object) if a.dtype.kind == "O" else pd.Index(a)


def variable(dims, values, attrs) -> xr.Variable:
    """An ``xr.Variable`` of a numpy array built here, on xarray's ``fastpath`` (no duck-array
    detection)."""
    return xr.Variable(dims_tuple(dims), np.asarray(values), attrs, fastpath=True)


def labelled_dataset(
    data: Mapping[str, tuple], coords: Mapping[str, tuple], attrs: Mapping[str, Any] | None = None
) -> xr.Dataset:
    """``xr.Dataset(data, coords=coords, attrs=attrs)`` for ``(dims, numpy values, attrs)``
    items, with pandas indexes for the dimension coordinates made here."""
    indexes = {
        k: PandasIndex(pandas_index(v), k)
        for k, (d, v, _) in coords.items()
        if dims_tuple(d) == (k,)
    }
    return xr.Dataset(
        {k: variable(*v) for k, v in data.items()},
        coords=xr.Coordinates({k: variable(*v) for k, v in coords.items()}, indexes=indexes),
        attrs=dict(attrs) if attrs else None,
    )
