"""Shared fixtures and physical-invariant assertions."""

from __future__ import annotations

import itertools

import numpy as np

# named tolerances
GENERATOR_ATOL = 1e-12  # generator vs brute-force Lindbladian
CLOSED_FORM_RTOL = 1e-6  # integrated closed forms at rtol=1e-10


def assert_bounded_energy(ds, tol: float = 1e-8) -> None:
    """0 <= energy density <= 1 (i.e. |<sigma^z>| <= 1) wherever the point succeeded."""
    e = ds.energy_density.values
    e = e[np.isfinite(e)]
    assert e.min() >= -tol and e.max() <= 1 + tol, (e.min(), e.max())


def symmetrize(rho: np.ndarray, sizes: dict[str, int]) -> np.ndarray:
    """Average ``rho`` over all permutations of sites within each ensemble (sorted ensemble order,
    each spin a qubit)."""
    names = sorted(sizes)
    offsets, n = {}, 0
    for e in names:
        offsets[e] = n
        n += sizes[e]
    perms_per = [list(itertools.permutations(range(sizes[e]))) for e in names]
    out = np.zeros_like(rho)
    count = 0
    t = rho.reshape([2] * (2 * n))
    for combo in itertools.product(*perms_per):
        perm = []
        for e, p in zip(names, combo):
            perm += [offsets[e] + i for i in p]
        axes = perm + [n + i for i in perm]
        out += np.transpose(t, axes).reshape(rho.shape)
        count += 1
    return out / count


def random_density(dim: int, rng: np.random.Generator) -> np.ndarray:
    a = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    rho = a @ a.conj().T
    return rho / np.trace(rho)


import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _private_equation_cache(tmp_path_factory):
    """Keep the on-disk equation cache of the test session out of the user's home."""
    import os

    old = os.environ.get("COLLECTIVE_CACHE_DIR")
    os.environ["COLLECTIVE_CACHE_DIR"] = str(tmp_path_factory.mktemp("collective-cache"))
    yield
    if old is None:
        os.environ.pop("COLLECTIVE_CACHE_DIR", None)
    else:
        os.environ["COLLECTIVE_CACHE_DIR"] = old


def assert_is_xarrays_own_dataset(ds) -> None:
    """``ds`` (assembled by collective/_xr.py without xarray's dask checks) is identical to what
    xarray's own constructor makes of the same ``(dims, values, attrs)`` items, indexes and their
    dtypes included, and the order of the variables (the order netCDF files and reprs show)."""
    import xarray as xr

    plain = xr.Dataset(
        {k: (v.dims, v.values, v.attrs) for k, v in ds.data_vars.items()},
        coords={k: (v.dims, v.values, v.attrs) for k, v in ds.coords.items()},
        attrs=ds.attrs,
    )
    xr.testing.assert_identical(ds, plain)
    assert list(ds.variables) == list(plain.variables)
    assert dict(ds.sizes) == dict(plain.sizes) and list(ds.dims) == list(plain.dims)
    for k in plain.indexes:
        assert ds.indexes[k].equals(plain.indexes[k])
        assert ds.indexes[k].dtype == plain.indexes[k].dtype, k


def assert_fresh_process_imports_no_dask(code: str) -> None:
    """Run ``code`` (which must end by printing ``'dask' in sys.modules``) in a fresh interpreter."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stdout + out.stderr
