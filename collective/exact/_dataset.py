"""Build the shared moment dataset (same names, dims and attrs as the cumulant engine)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from .._xr import labelled_dataset
from ..model import Model

__all__ = ["moments_to_dataset"]


def moments_to_dataset(
    model: Model,
    times: np.ndarray | None,
    *,
    Jz: np.ndarray,
    JpJm: np.ndarray,
    n_mode: np.ndarray | None = None,
    a: np.ndarray | None = None,
    method: str = "exact",
    attrs: Mapping[str, object] | None = None,
) -> xr.Dataset:
    r"""Labelled dataset of collective moments from plain arrays.

    Parameters
    ----------
    model
        Supplies names, sizes, units and the summary.
    times
        Output times, shape ``(nt,)``; ``None`` for a time-independent (steady-state) dataset,
        in which case the arrays below have no leading time axis.
    Jz
        :math:`\langle J^z_e\rangle`, shape ``(nt, n_ensembles)``.
    JpJm
        Complex :math:`\langle J^+_e J^-_f\rangle`, shape ``(nt, n_ensembles, n_ensembles)``.
    n_mode, a
        :math:`\langle a^\dagger a\rangle` (real) and complex :math:`\langle a\rangle`, shape
        ``(nt, n_modes)``; required when the model has modes.
    method
        Stored in the ``method`` attribute.
    attrs
        Extra attributes (method details: tolerances, basis, block sizes, ...).

    Returns
    -------
    xarray.Dataset
        Coordinates ``time``, ``ensemble``, ``ensemble_b`` (and ``mode``); variables
        ``energy_density`` :math:`= \langle J^z_e\rangle/N_e + 1/2` (Dias et al. 2024, Eq. (3)),
        ``Jz``, ``JpJm``, ``JpJm_imag`` (and ``n_mode``, ``a_re``, ``a_im``).
    """
    from .. import __version__

    ens = list(model.ensemble_names)
    sizes = np.array([model.ensemble(e).N for e in ens], dtype=float)
    t_dims: tuple[str, ...] = ("time",) if times is not None else ()
    coords: dict[str, object] = {
        "ensemble": ("ensemble", np.array(ens, dtype=object), {"long_name": "spin ensemble"}),
        "ensemble_b": (
            "ensemble_b",
            np.array(ens, dtype=object),
            {"long_name": "spin ensemble (second index)"},
        ),
    }
    if times is not None:
        coords["time"] = (
            "time",
            np.asarray(times, dtype=float),
            {"long_name": "time", "units": model.time_unit},
        )
    if model.modes:
        coords["mode"] = (
            "mode",
            np.array(model.mode_names, dtype=object),
            {"long_name": "bosonic mode"},
        )
    Jz = np.asarray(Jz, dtype=float)
    JpJm = np.asarray(JpJm, dtype=complex)
    data = {
        "energy_density": (
            t_dims + ("ensemble",),
            Jz / sizes + 0.5,
            {"long_name": "energy density E/(N hbar omega_0)", "units": "1"},
        ),
        "Jz": (t_dims + ("ensemble",), Jz, {"long_name": "<J^z>", "units": "1"}),
        "JpJm": (
            t_dims + ("ensemble", "ensemble_b"),
            JpJm.real,
            {"long_name": "Re <J^+_e J^-_f>", "units": "1"},
        ),
        "JpJm_imag": (
            t_dims + ("ensemble", "ensemble_b"),
            JpJm.imag,
            {"long_name": "Im <J^+_e J^-_f>", "units": "1"},
        ),
    }
    if model.modes:
        if n_mode is None or a is None:
            raise ValueError("`n_mode` and `a` are required for a model with modes")
        a = np.asarray(a, dtype=complex)
        data["n_mode"] = (
            t_dims + ("mode",),
            np.asarray(n_mode, dtype=float),
            {"long_name": "<a^+ a>", "units": "1"},
        )
        data["a_re"] = (t_dims + ("mode",), a.real, {"long_name": "Re <a>", "units": "1"})
        data["a_im"] = (t_dims + ("mode",), a.imag, {"long_name": "Im <a>", "units": "1"})
    base = {
        "package_version": __version__,
        "method": method,
        "model": model.name,
        "model_summary": model.summary(),
    }
    base.update(dict(attrs or {}))
    return labelled_dataset(data, coords, base)
